/**
 * Where a webhook endpoint may point. In live mode: https, and never a loopback, private,
 * link-local or otherwise internal address, so webhooks cannot be turned into requests inside our
 * network (checked at creation, on update, and again before each delivery). In sandbox, http and
 * localhost are allowed, so a receiver on the developer's machine works with `npm run dev`.
 * Names are checked as written; Cloudflare's own fetch refuses private addresses a name resolves to.
 */
export function endpointUrlProblem(raw: string, mode: "sandbox" | "live"): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "url must be an absolute http(s) URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "url must be an http(s) URL";
  if (url.username || url.password) return "url may not carry credentials";
  if (mode === "sandbox") return null;
  if (url.protocol !== "https:") return "live endpoints must use https";
  if (isInternalHost(url.hostname)) return "live endpoints may not point at loopback, private or link-local addresses";
  return null;
}

const INTERNAL_NAMES = /^(localhost|.*\.localhost|.*\.local|.*\.internal|.*\.home\.arpa|metadata\.google\.internal)$/i;

export function isInternalHost(hostname: string): boolean {
  // A fully qualified name ends in a dot ("localhost.") and means the same host.
  const host = hostname
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.+$/, "");
  if (INTERNAL_NAMES.test(host) || (!host.includes(".") && !host.includes(":"))) return true;
  const v4 = ipv4(host);
  if (v4) return isInternalV4(v4);
  if (host.includes(":")) return isInternalV6(host);
  return false;
}

function ipv4(host: string): number[] | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number);
}

function isInternalV4([a, b]: number[]): boolean {
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b! >= 64 && b! <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b! >= 16 && b! <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a! >= 224
  );
}

function isInternalV6(host: string): boolean {
  if (host === "::" || host === "::1") return true;
  // An IPv4-mapped address, as written (::ffff:10.0.0.1) or as URL parsing normalizes it (::ffff:a00:1).
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (dotted) return isInternalV4(ipv4(dotted[1]!) ?? [0]);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (hex) {
    const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
    return isInternalV4([high >> 8, high & 255, low >> 8, low & 255]);
  }
  return /^(fc|fd|fe[89ab])/.test(host);
}
