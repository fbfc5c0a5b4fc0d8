// An API client that survives the runtime dying under it: a request whose answer was lost is sent
// again, unchanged (same Idempotency-Key, same body), until it gets a definite answer.
import { createHash, createHmac } from "node:crypto";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** @param {number} min @param {number} max inclusive */
export const randomInt = (min, max) => min + Math.floor(Math.random() * (max - min + 1));
/** @template T @param {T[]} xs @returns {T} */
export const pick = (xs) => /** @type {T} */ (xs[Math.floor(Math.random() * xs.length)]);

/** @param {{ url: string }} runtime */
export function client(runtime) {
  let isUp = true;
  /** @type {(() => void)[]} */
  let waiters = [];
  const stats = { acknowledged: 0, retried_requests: 0, attempts: 0, server_errors: 0, busy: 0 };

  const waitUp = () => (isUp ? Promise.resolve() : new Promise((resolve) => waiters.push(() => resolve(undefined))));

  /** One attempt: the answer, or null when there was none (connection refused or cut, or a 5xx). */
  async function attempt(method, path, body, headers) {
    await waitUp();
    stats.attempts++;
    try {
      const res = await fetch(runtime.url + path, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      if (res.status >= 500) {
        stats.server_errors++;
        return null;
      }
      // "Still under way, ask again": a request with this key (or a step of this payment) is
      // running, possibly one the crash interrupted that the object's alarm is finishing.
      if (res.status === 409 || res.status === 429) {
        stats.busy++;
        return null;
      }
      return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : null };
    } catch {
      return null;
    }
  }

  /**
   * Sends until there is a definite answer: anything but a lost connection, a 5xx, a 409 (still
   * running) or a 429 (busy), which a careful client retries unchanged.
   * @param {string} method @param {string} path @param {unknown} [body] @param {Record<string, string>} [headers]
   */
  async function definite(method, path, body, headers = {}) {
    for (let tries = 0; ; tries++) {
      const res = await attempt(method, path, body, headers);
      if (res) {
        stats.acknowledged++;
        if (tries > 0) stats.retried_requests++;
        return res;
      }
      if (tries > 600) throw new Error(`${method} ${path}: no answer after ${tries} attempts`);
      await sleep(isUp ? 50 : 10);
    }
  }

  return {
    definite,
    attempt,
    stats,
    down() {
      isUp = false;
    },
    up() {
      isUp = true;
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) resolve();
    },
  };
}

/**
 * The wallet's hash chain, as docs/guides/verifying-a-wallet.md tells a merchant to check it: gapless seq, each prev_hash
 * the previous hash, each hash the SHA-256 of the canonical entry; and the last IQD entry's
 * balances are the wallet's. Returns what is wrong, or null.
 * @param {ReturnType<typeof client>} api
 */
export async function chainProblems(api, auth, user, wallet_id, iqd) {
  let prev = "0".repeat(64);
  let expected_seq = 1;
  let last_iqd = null;
  for (let after = 0; ; ) {
    const res = await api.definite("GET", `/api/v1/embedded/users/${user}/wallet/chain?after_seq=${after}&limit=1000`, undefined, auth);
    if (res.status !== 200) return `chain read ${res.status}`;
    for (const e of res.body.data.entries) {
      const canonical = JSON.stringify([
        prev,
        e.seq,
        e.id,
        wallet_id,
        e.type,
        e.currency,
        e.amount,
        e.balance_after,
        e.held_after,
        e.reference,
        e.description,
        e.created_at,
      ]);
      if (e.seq !== expected_seq) return `seq ${e.seq} where ${expected_seq} was due`;
      if (e.prev_hash !== prev || createHash("sha256").update(canonical).digest("hex") !== e.hash) return `hash broken at seq ${e.seq}`;
      prev = e.hash;
      expected_seq++;
      if (e.currency === "IQD") last_iqd = e;
      after = e.seq;
    }
    if (!res.body.data.has_more) break;
  }
  if (last_iqd && (last_iqd.balance_after !== iqd.available || last_iqd.held_after !== iqd.held))
    return `last entry says ${last_iqd.balance_after}/${last_iqd.held_after}, wallet ${iqd.available}/${iqd.held}`;
  return null;
}

/**
 * The HMAC recipe of docs/reference/authentication.md: timestamp, method, path and query, SHA-256 of the raw body, and the
 * X-Api-Nonce when one is sent (a fresh one per request lets identical requests in one second each
 * have a signature of their own).
 * @param {{ key_id: string, secret: string }} signing @param {string} method @param {string} target path and query
 * @param {string | Buffer | undefined} body
 * @param {{ timestamp?: number, nonce?: string }} [options] `timestamp`: Unix seconds, now by default; `nonce`: none by default
 */
export function signatureHeaders(signing, method, target, body, { timestamp = Math.floor(Date.now() / 1000), nonce } = {}) {
  const digest = createHash("sha256")
    .update(body ?? "")
    .digest("hex");
  const canonical = `${timestamp}\n${method}\n${target}\n${digest}` + (nonce === undefined ? "" : `\n${nonce}`);
  const signature = createHmac("sha256", signing.secret).update(canonical).digest("hex");
  return {
    "x-api-key": signing.key_id,
    "x-api-timestamp": String(timestamp),
    "x-api-signature": signature,
    ...(nonce === undefined ? {} : { "x-api-nonce": nonce }),
  };
}
