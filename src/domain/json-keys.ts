/** Keys and array indexes from the body's root, as validation errors name a field (`metadata.order`). */
export type JsonPath = string[];

type Frame = ObjectFrame | ArrayFrame;
interface ObjectFrame {
  kind: "object";
  keys: Set<string>;
  /** The key whose value is being read (the next string is a key only while this is unset). */
  key: string | undefined;
}
interface ArrayFrame {
  kind: "array";
  index: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * The first key that appears twice in one JSON object, at any depth, as the path to it
 * (`["metadata", "order"]`, array positions as their index). JSON.parse keeps the last of two
 * equal keys while other parsers (a proxy, a WAF, a log pipeline) may keep the first, so a body
 * with a repeated key means different things to different readers; the caller refuses it.
 *
 * One pass over the text, no recursion (nesting depth costs memory, not stack): value strings are
 * skipped, and only keys are decoded, so `"a"` and `"\u0061"` are one key. Meant for text that
 * JSON.parse accepted; on anything else its answer means nothing, but it never throws.
 */
export function firstDuplicateKey(json: string): JsonPath | null {
  const stack: Frame[] = [];
  let i = 0;
  while (i < json.length) {
    const ch = json.charCodeAt(i);
    if (ch === QUOTE) {
      const end = endOfString(json, i);
      const top = stack.at(-1);
      if (top?.kind === "object" && top.key === undefined) {
        const key = decodeKey(json, i, end);
        if (key === null) return null;
        if (top.keys.has(key)) return [...pathTo(stack), key];
        top.keys.add(key);
        top.key = key;
      }
      i = end + 1;
      continue;
    }
    if (ch === OPEN_OBJECT) stack.push({ kind: "object", keys: new Set(), key: undefined });
    else if (ch === OPEN_ARRAY) stack.push({ kind: "array", index: 0 });
    else if (ch === CLOSE_OBJECT || ch === CLOSE_ARRAY) stack.pop();
    else if (ch === COMMA) nextMember(stack.at(-1));
    // Colons, whitespace, numbers and literals say nothing about keys.
    i++;
  }
  return null;
}

/** Index of the quote closing the string opened at `start` (the text's length if none does). */
function endOfString(json: string, start: number): number {
  let i = start + 1;
  while (i < json.length) {
    const ch = json.charCodeAt(i);
    if (ch === QUOTE) return i;
    i += ch === BACKSLASH ? 2 : 1;
  }
  return json.length;
}

/** The key as JSON.parse reads it; escapes are rare in keys, so most keys are a plain slice. */
function decodeKey(json: string, start: number, end: number): string | null {
  const raw = json.slice(start + 1, end);
  if (!raw.includes("\\")) return raw;
  try {
    return JSON.parse(json.slice(start, end + 1)) as string;
  } catch {
    return null;
  }
}

function nextMember(frame: Frame | undefined): void {
  if (frame?.kind === "object") frame.key = undefined;
  else if (frame?.kind === "array") frame.index++;
}

/** Where the innermost frame sits: each enclosing object's current key, each array's index. */
function pathTo(stack: Frame[]): JsonPath {
  return stack.slice(0, -1).map((frame) => (frame.kind === "object" ? (frame.key ?? "") : String(frame.index)));
}
