import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstDuplicateKey } from "../../src/domain/json-keys";

/** A key spelled entirely in `\uXXXX` escapes: the same key to JSON.parse, other bytes on the wire. */
const escaped = (key: string) => `"${[...key].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}"`;

describe("the duplicate-key scanner", () => {
  it("finds nothing in JSON without duplicates, whatever its shape", () => {
    for (const text of [
      '{"amount":1,"currency":"IQD"}',
      "[]",
      "{}",
      '"a"',
      "12",
      "null",
      '[{"a":1},{"a":2}]',
      '{"a":{"a":{"a":1}}}',
      '{"a":1,"b":{"a":2}}',
    ]) {
      expect(firstDuplicateKey(text), text).toBeNull();
    }
  });

  it("names a top-level duplicate", () => {
    expect(firstDuplicateKey('{"amount":1,"currency":"IQD","amount":7000000}')).toEqual(["amount"]);
  });

  it("names a nested duplicate by its path, through objects and array indexes", () => {
    expect(firstDuplicateKey('{"metadata":{"order":"1","note":"x","order":"2"}}')).toEqual(["metadata", "order"]);
    expect(firstDuplicateKey('{"splits":[{"a":1},{"user_id":"u","amount":1,"amount":2}]}')).toEqual(["splits", "1", "amount"]);
    expect(firstDuplicateKey('[[1,2],{"x":{"y":[{"z":1,"z":2}]}}]')).toEqual(["1", "x", "y", "0", "z"]);
  });

  it("reports the first duplicate in the text", () => {
    expect(firstDuplicateKey('{"a":{"b":1,"b":2},"a":3}')).toEqual(["a", "b"]);
    expect(firstDuplicateKey('{"a":1,"c":{},"a":2,"c":3}')).toEqual(["a"]);
  });

  it("treats a \\u escape that spells the same key as the same key", () => {
    expect(firstDuplicateKey('{"a":1,"\\u0061":2}')).toEqual(["a"]);
    expect(firstDuplicateKey(`{"amount":1,${escaped("amount")}:2}`)).toEqual(["amount"]);
    expect(firstDuplicateKey('{"\\ud83d\\udcb8":1,"💸":2}')).toEqual(["💸"]);
    expect(firstDuplicateKey('{"a\\"b":1,"a\\u0022b":2}')).toEqual(['a"b']);
  });

  it("is not fooled by quotes, braces, colons and commas inside strings", () => {
    expect(firstDuplicateKey('{"a":"\\",\\"a\\":1","b":"{\\"b\\":1,\\"b\\":2}"}')).toBeNull();
    expect(firstDuplicateKey('{"a\\\\":1,"a":2}')).toBeNull();
    expect(firstDuplicateKey('{"k":"x\\\\","k":1}')).toEqual(["k"]);
    expect(firstDuplicateKey('{"s":"}]{[,:","s":1}')).toEqual(["s"]);
  });

  it("does not count a value spelled like a key", () => {
    expect(firstDuplicateKey('{"a":"a","b":["a","a"],"c":"b"}')).toBeNull();
  });

  it("does not throw on text that is not JSON (the parser reports that)", () => {
    for (const text of ["", "{", '{"a', '{"a":1,"a', '{"\\u00zz":1,"x":2}', "}}]]", '{"a":1}}{"a":2}']) {
      expect(() => firstDuplicateKey(text), text).not.toThrow();
    }
  });

  it("finds none in JSON written from a value, and finds one spliced in (plain or escaped) at its path", () => {
    // JSON text built from a value has no duplicates; splicing a repeated key (plainly or escaped) in adds one.
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(firstDuplicateKey(JSON.stringify(value))).toBeNull();
        expect(firstDuplicateKey(JSON.stringify(value, null, 2))).toBeNull();
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }),
        fc.boolean(),
        fc.jsonValue(),
        (object, spellEscaped, extra) => {
          const key = Object.keys(object)[0]!;
          const text = JSON.stringify(object);
          const repeated = `${text.slice(0, -1)},${spellEscaped ? escaped(key) : JSON.stringify(key)}:${JSON.stringify(extra)}}`;
          expect(firstDuplicateKey(repeated)).toEqual([key]);
          expect(firstDuplicateKey(`{"outer":[${repeated}]}`)).toEqual(["outer", "0", key]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("walks deep nesting without recursion, and a 64 KiB body of many keys", () => {
    const depth = 20_000;
    const deep = `${"[".repeat(depth)}{"a":1,"a":2}${"]".repeat(depth)}`;
    expect(firstDuplicateKey(deep)).toEqual([...Array.from({ length: depth }, () => "0"), "a"]);
    const many = `{${Array.from({ length: 6_000 }, (_, i) => `"k${i}":${i}`).join(",")}}`;
    expect(firstDuplicateKey(many)).toBeNull();
    expect(firstDuplicateKey(`${many.slice(0, -1)},"k5999":0}`)).toEqual(["k5999"]);
  });
});
