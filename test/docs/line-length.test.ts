import { describe, expect, it } from "vitest";
import { filesUnder, read } from "./repository";

/**
 * No line of the code — the product's, its tests' and its benchmark's — is over 140 characters. The
 * formatter (Biome) wraps code at 140 but cannot wrap strings and comments; this holds those too.
 */
const MAX_LINE_CHARACTERS = 140;
const CHECKED = ["src", "test", "bench"];
const GENERATED = new Set(["src/worker-configuration.d.ts"]);

describe("line length", () => {
  it(`no line in ${CHECKED.map((dir) => `${dir}/`).join(", ")} is over ${MAX_LINE_CHARACTERS} characters`, () => {
    const long = CHECKED.flatMap((dir) => filesUnder(dir))
      .filter((file) => /\.(ts|tsx|mjs)$/.test(file) && !GENERATED.has(file))
      .flatMap((file) =>
        read(file)
          .split("\n")
          .flatMap((line, index) => ([...line].length > MAX_LINE_CHARACTERS ? [`${file}:${index + 1} (${[...line].length})`] : [])),
      );
    expect(long).toEqual([]);
  });
});
