import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";

/**
 * Looks for card data where none may be: every file under wrangler dev's state directory (D1,
 * every Durable Object's SQLite file with its WAL, any other storage), read both as raw bytes and,
 * for SQLite files, cell by cell; and every log. What may be kept is brand, last 4, expiry and a
 * keyed fingerprint; a full card number (any Luhn-valid 13–19 digits, typed with or without
 * separators) or a CVV that was typed may not.
 */

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

// 13–19 digits standing alone (not the middle of a hex hash or a base62 id): run together or
// grouped by spaces ("4242 4242 4242 4242", or "4242+4242+…" form-encoded), or a whole token
// grouped by dashes ("4242-4242-4242-4242", but not the pieces of a UUID).
const SPACED = /(?<![0-9A-Za-z])\d(?:[ +]?\d){12,18}(?![0-9A-Za-z])/g;
const DASHED = /(?<![0-9A-Za-z-])\d(?:-?\d)*(?![0-9A-Za-z-])/g;
// Timestamps of these years, in milliseconds (13 digits), microseconds (16) or nanoseconds (19),
// are as long as card numbers, and a tenth of them pass Luhn by chance: they are no card's (they
// begin with 1, which no card issuer of the test cards' kind uses).
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

function isTimestamp(digits: string, now_ms: number): boolean {
  const scale = digits.length === 13 ? 1n : digits.length === 16 ? 1_000n : digits.length === 19 ? 1_000_000n : 0n;
  if (scale === 0n) return false;
  const value = BigInt(digits);
  return value >= BigInt(now_ms - TEN_YEARS_MS) * scale && value <= BigInt(now_ms + TEN_YEARS_MS) * scale;
}

/**
 * Wrangler logs each Durable Object namespace's Miniflare key as `uniqueId: '<i64>.<i64>'`: two
 * random signed 64-bit numbers in decimal, 18–19 digits, a tenth of which pass Luhn by chance (one
 * failed a clean-clone run as "card number 5066806457000218051"). They are the runtime's, not a card's.
 */
const MINIFLARE_UNIQUE_ID = /uniqueId: '-?\d+\.-?\d+'/g;

export function cardNumbersIn(text: string, now_ms = Date.now()): string[] {
  const found: string[] = [];
  const scanned = text.replace(MINIFLARE_UNIQUE_ID, "uniqueId: ''");
  for (const match of [...scanned.matchAll(SPACED), ...scanned.matchAll(DASHED)]) {
    const digits = match[0].replace(/\D/g, "");
    if (digits.length < 13 || digits.length > 19 || !passesLuhn(digits)) continue;
    if (isTimestamp(digits, now_ms)) continue;
    // No payment card number begins with 0 (its first digit names the industry, and 0 is none of
    // the card networks'); hex ids in the runtime's own trace store sometimes come out all digits.
    if (digits.startsWith("0")) continue;
    // One digit repeated is no card's, though all zeros passes Luhn: a piece of a run of zeros (the
    // hash chain's first prev_hash is 64 of them) left in a SQLite page between binary bytes.
    if (/^(\d)\1*$/.test(digits)) continue;
    found.push(match[0]);
  }
  return [...new Set(found)];
}

/** A typed CVV next to a card-security-code name, or standing as a field's whole value. */
export function cvvsIn(text: string, cvvs: readonly string[]): string[] {
  const alternatives = cvvs.join("|");
  const named = new RegExp(`(?:cvc|cvv|csc|security.?code)[^0-9A-Za-z]{0,16}(?:${alternatives})(?!\\d)`, "gi");
  const whole = new RegExp(`(?:"(?:${alternatives})"|=(?:${alternatives})(?=&|$|\\s))`, "gm");
  return [...text.matchAll(named), ...text.matchAll(whole)].map((m) => m[0]);
}

export interface Finding {
  where: string;
  what: string;
}

function* filesUnder(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) yield* filesUnder(full);
    else yield full;
  }
}

/**
 * The runtime's own trace store names spans and traces by random hex ids, which now and then come
 * out all digits and pass Luhn: those columns are ids the runtime drew, never data we wrote.
 */
const RUNTIME_ID_COLUMN = /(^|_)(span|trace|parent)_id$/;

/** Every cell of every table of a SQLite file (a copy with its WAL, so the live database is untouched). */
function sqliteCells(file: string): { table: string; text: string }[] {
  const scratch = mkdtempSync(path.join(tmpdir(), "mazad-scan-"));
  try {
    const copy = path.join(scratch, "db.sqlite");
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    const db = new DatabaseSync(copy);
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      return tables.map(({ name }) => {
        const select = db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`);
        // Integers past 2^53 (nanosecond times) read exactly, as text.
        select.setReadBigInts(true);
        const rows = select.all();
        const text = rows
          .map((row) =>
            Object.entries(row as Record<string, unknown>)
              .filter(([column]) => !RUNTIME_ID_COLUMN.test(column))
              .map(([, v]) => (v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : String(v)))
              .join("\u0000"),
          )
          .join("\n");
        return { table: name, text };
      });
    } finally {
      db.close();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export interface ScanReport {
  findings: Finding[];
  files: string[];
  sqliteTables: string[];
  /** Everything read, for checks that the scan saw what it should (e.g. the kept last 4). */
  corpus: string;
}

export function scanForCardData(options: { dirs: string[]; logFiles: string[]; cvvs: readonly string[] }): ScanReport {
  const findings: Finding[] = [];
  const files: string[] = [];
  const sqliteTables: string[] = [];
  const texts: string[] = [];
  const check = (where: string, text: string) => {
    texts.push(text);
    for (const what of cardNumbersIn(text)) findings.push({ where, what: `card number ${what}` });
    for (const what of cvvsIn(text, options.cvvs)) findings.push({ where, what: `CVV ${what}` });
  };
  for (const file of [...options.dirs.flatMap((dir) => [...filesUnder(dir)]), ...options.logFiles]) {
    if (!existsSync(file)) continue;
    files.push(file);
    check(file, readFileSync(file).toString("latin1"));
    if (file.endsWith(".sqlite")) {
      for (const { table, text } of sqliteCells(file)) {
        sqliteTables.push(`${path.basename(path.dirname(file))}/${path.basename(file)}:${table}`);
        check(`${file} table ${table}`, text);
      }
    }
  }
  return { findings, files, sqliteTables, corpus: texts.join("\n") };
}
