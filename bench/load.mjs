// Load drivers. Closed loop: autocannon, c connections each sending its next request when the
// previous answer arrives (throughput at a given concurrency). Open loop: requests on a fixed
// schedule whatever the answers do, latency measured from the scheduled send time, so a stall
// shows up in every request it delayed (no coordinated omission).
import autocannon from "autocannon";
import { Pool } from "undici";

/**
 * Percentiles by nearest rank over every sample (no histogram rounding: autocannon's own histogram
 * keeps whole milliseconds, too coarse for sub-millisecond medians).
 * @param {number[]} samples latencies in ms
 */
export function summarize(samples) {
  if (samples.length === 0) return { count: 0, p50_ms: null, p90_ms: null, p99_ms: null, p999_ms: null, max_ms: null, mean_ms: null };
  const sorted = Float64Array.from(samples).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50_ms: at(0.5),
    p90_ms: at(0.9),
    p99_ms: at(0.99),
    p999_ms: at(0.999),
    max_ms: sorted[sorted.length - 1],
    mean_ms: sum / sorted.length,
  };
}

/** @param {Record<string, number>} statuses */
function count2xx(statuses) {
  return Object.entries(statuses).reduce((n, [code, c]) => (code.startsWith("2") ? n + c : n), 0);
}

/**
 * @param {{ url: string, connections: number, duration_s?: number, amount?: number,
 *   requests: import("autocannon").Request[] }} options
 */
export async function closedLoop({ url, connections, duration_s, amount, requests }) {
  /** @type {number[]} */
  const latencies = [];
  /** @type {Record<string, number>} */
  const statuses = {};
  const instance = autocannon({
    url,
    connections,
    pipelining: 1,
    ...(amount ? { amount } : { duration: duration_s }),
    // autocannon checks for the end of a run at every sample interval (1 s by default), so a
    // 0.25 s run would last a whole second: sample often enough for short runs to end on time.
    sampleInt: 50,
    requests,
    timeout: 30,
  });
  // Every answer is counted and timed, whatever its status; throughput counts only 2xx.
  instance.on("response", (_client, statusCode, _bytes, responseTime) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    latencies.push(responseTime);
  });
  const result = await instance;
  const elapsed_s = (new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000;
  const ok = count2xx(statuses);
  return {
    connections,
    elapsed_s,
    requests: latencies.length,
    ok,
    rps: ok / elapsed_s,
    ...summarize(latencies),
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets ?? 0,
  };
}

/**
 * @typedef {{ method: string, path: string, headers?: Record<string, string>, body?: string,
 *   onResponse?: (status: number, body: string) => void }} OpenLoopRequest
 */

/**
 * Sends `rate` requests a second for `duration_s`, request i at start + i / rate, on as many
 * connections as it takes (up to `connections`; beyond that undici queues them and the wait counts).
 * @param {{ origin: string, rate: number, duration_s: number, next: (i: number) => OpenLoopRequest, connections?: number }} options
 */
export async function openLoop({ origin, rate, duration_s, next, connections = 512 }) {
  const pool = new Pool(origin, { connections, pipelining: 1, headersTimeout: 30_000, bodyTimeout: 30_000, keepAliveTimeout: 60_000 });
  const total = Math.max(1, Math.round(rate * duration_s));
  const interval_ms = 1000 / rate;
  /** @type {number[]} */
  const latencies = [];
  /** @type {number[]} */
  const okLatencies = [];
  /** @type {Record<string, number>} */
  const statuses = {};
  let retryAfter = 0;
  let errors = 0;
  let maxSendLag = 0;
  /** @type {Promise<void>[]} */
  const inflight = [];
  const start = performance.now() + 20;

  /** @param {number} i @param {number} scheduled */
  const fire = (i, scheduled) => {
    const spec = next(i);
    maxSendLag = Math.max(maxSendLag, performance.now() - scheduled);
    const done = pool
      .request({ method: spec.method, path: spec.path, headers: spec.headers, body: spec.body })
      .then(async ({ statusCode, headers, body }) => {
        const text = await body.text();
        const latency = performance.now() - scheduled;
        statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
        latencies.push(latency);
        if (statusCode >= 200 && statusCode < 300) okLatencies.push(latency);
        if ((statusCode === 429 || statusCode === 503) && headers["retry-after"] !== undefined) retryAfter++;
        spec.onResponse?.(statusCode, text);
      })
      .catch(() => {
        errors++;
      });
    inflight.push(done);
  };

  await new Promise((resolve) => {
    let sent = 0;
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval_ms <= now) {
        fire(sent, start + sent * interval_ms);
        sent++;
      }
      if (sent >= total) return resolve(undefined);
      setTimeout(tick, Math.max(0, start + sent * interval_ms - performance.now() - 0.5));
    };
    setTimeout(tick, 20);
  });
  const sendEnd = performance.now();
  await Promise.all(inflight);
  const elapsed_s = (performance.now() - start) / 1000;
  await pool.close();
  const all = summarize(latencies);
  const ok = summarize(okLatencies);
  return {
    target_rate: rate,
    sent: total,
    achieved_send_rate: total / ((sendEnd - start) / 1000),
    elapsed_s,
    ok: okLatencies.length,
    ok_rps: okLatencies.length / elapsed_s,
    ...all,
    ok_p50_ms: ok.p50_ms,
    ok_p99_ms: ok.p99_ms,
    statuses,
    status_5xx: Object.entries(statuses).reduce((n, [code, c]) => (code.startsWith("5") ? n + c : n), 0),
    status_429_503: (statuses[429] ?? 0) + (statuses[503] ?? 0),
    with_retry_after: retryAfter,
    errors,
    max_send_lag_ms: maxSendLag,
  };
}
