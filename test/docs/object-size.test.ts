import { describe, expect, it } from "vitest";
import { filesUnder, read } from "./repository";

/**
 * A Durable Object is a thin RPC shell over the kernel in src/objects/, its stores and its pure
 * machine: no object file grows past 350 lines. One that would has a part to move out to where
 * parts of its kind live (a store, an operations class, a pure function in domain/).
 */
const MAX_OBJECT_LINES = 350;

describe("object size", () => {
  it(`no Durable Object file (src/**/*-do.ts) is over ${MAX_OBJECT_LINES} lines`, () => {
    const objects = filesUnder("src").filter((file) => file.endsWith("-do.ts"));
    expect(objects.length).toBeGreaterThanOrEqual(3);
    const sizes = objects.map((file) => ({ file, lines: read(file).split("\n").length - 1 }));
    expect(sizes.filter((s) => s.lines > MAX_OBJECT_LINES)).toEqual([]);
  });
});
