import path from "node:path";
import { describe, expect, it } from "vitest";
import { exists, filesUnder, headings, read, withoutCodeBlocks } from "./repository";

/**
 * Every path the code or the docs cite exists in this repository: a clone holds everything a
 * comment or a page sends its reader to. A citation is a path from the root into one of our
 * folders ending in a file name (`src/domain/ledger.ts`), a relative markdown link
 * (`[errors](../reference/errors.md#insufficient_funds)`: the file, and the heading the anchor
 * names), a section named after a page (`docs/architecture.md, "The hot path"`), or a bare
 * `NAME.md`, which must be one of the root's.
 */
const SOURCES = [
  ...filesUnder("src").filter((file) => file !== "src/worker-configuration.d.ts"),
  ...filesUnder("test"),
  ...filesUnder("bench"),
  ...filesUnder("examples"),
  ...filesUnder("docs"),
  ...filesUnder("migrations").filter((file) => !file.endsWith(".sql") && !file.endsWith(".json")),
  "README.md",
  ".ci/run",
  "wrangler.toml",
  "package.json",
  ".dependency-cruiser.cjs",
  ".biome.jsonc",
]
  // This file's examples of broken citations are meant to be broken; a tsconfig's paths are relative to it.
  .filter((file) => file !== "test/docs/citations.test.ts" && !/(^|\/)tsconfig[\w.]*\.json$/.test(file))
  .filter((file) => /\.(ts|tsx|mjs|cjs|js|md|toml|json|jsonc)$|^\.ci\/run$/.test(file));

const FOLDERS = ["src", "docs", "test", "bench", "migrations", "examples", "spec"];
const REPO_PATH = new RegExp(`(?<![\\w./@-])((?:${FOLDERS.join("|")})/[\\w./-]*\\.[A-Za-z]\\w*)`, "g");
const SECTION = /((?:docs\/)?[\w./-]+\.md),? \(?"([^"]+)"/g;
const BARE_MD = /(?<![\w./-])([A-Z][A-Z_]*\.md)\b/g;
const MD_LINK = /\]\(([^)\s]+)\)/g;

interface Broken {
  file: string;
  cites: string;
  why: string;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

function anchorsOf(file: string): Set<string> {
  return new Set(headings(read(file)).map((h) => h.anchor));
}

function check(file: string): Broken[] {
  const text = read(file);
  const broken: Broken[] = [];
  const at = (index: number) => `${file}:${lineOf(text, index)}`;

  for (const m of text.matchAll(REPO_PATH)) {
    if (!exists(m[1]!)) broken.push({ file: at(m.index), cites: m[1]!, why: "no such file" });
  }
  for (const m of text.matchAll(BARE_MD)) {
    if (!exists(m[1]!)) broken.push({ file: at(m.index), cites: m[1]!, why: "no such file at the root" });
  }
  for (const m of text.matchAll(SECTION)) {
    const cited = m[1]!.includes("/") ? m[1]! : path.posix.join(path.posix.dirname(file), m[1]!);
    if (!exists(cited)) continue; // reported above when it is a path of ours
    if (!headings(read(cited)).some((h) => h.text === m[2]))
      broken.push({ file: at(m.index), cites: `${m[1]}, "${m[2]}"`, why: "no such heading" });
  }
  if (file.endsWith(".md")) {
    const prose = withoutCodeBlocks(text);
    for (const m of prose.matchAll(MD_LINK)) {
      const target = m[1]!;
      if (/^[a-z][a-z+.-]*:/i.test(target)) continue; // https:, mailto:
      const [where, anchor] = target.split("#") as [string, string | undefined];
      const cited = where === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), where));
      if (cited.startsWith("..") || !exists(cited)) {
        broken.push({ file: `${file}:${lineOf(prose, m.index)}`, cites: target, why: "no such file" });
      } else if (anchor && cited.endsWith(".md") && !anchorsOf(cited).has(anchor)) {
        broken.push({ file: `${file}:${lineOf(prose, m.index)}`, cites: target, why: `no heading with anchor #${anchor} in ${cited}` });
      }
    }
  }
  return broken;
}

describe("citations", () => {
  it("reads the files that cite", () => {
    expect(SOURCES).toEqual(
      expect.arrayContaining(["README.md", "docs/architecture.md", "src/app.ts", "bench/README.md", "test/reliability/README.md"]),
    );
  });

  it("every path, section and markdown link cited exists in the repository", () => {
    const broken = SOURCES.flatMap(check);
    expect(broken.map((b) => `${b.file}: ${b.cites} (${b.why})`)).toEqual([]);
  });

  it("catches what it should", () => {
    // A file of our folders that does not exist, a file named alone, a moved section, a dead anchor.
    const text = 'see src/domain/nothing.ts and DESIGN.md; docs/architecture.md, "No such part"; [x](docs/architecture.md#nowhere)';
    expect([...text.matchAll(REPO_PATH)].map((m) => m[1])).toEqual([
      "src/domain/nothing.ts",
      "docs/architecture.md",
      "docs/architecture.md",
    ]);
    expect([...text.matchAll(BARE_MD)].map((m) => m[1])).toEqual(["DESIGN.md"]);
    expect([...text.matchAll(SECTION)].map((m) => m[2])).toEqual(["No such part"]);
    expect(anchorsOf("docs/architecture.md").has("nowhere")).toBe(false);
    expect(anchorsOf("docs/architecture.md").has("the-hot-path")).toBe(true);
  });
});
