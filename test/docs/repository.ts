import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** The repository's root, and its files as the docs tests read them. */
export const ROOT = path.resolve(import.meta.dirname, "../..");

/** What is not ours to check: installed, generated, or another tool's state. */
const SKIPPED = new Set(["node_modules", ".git", ".wrangler", ".assets", "dist", ".artifacts", "results"]);

/** Every file under `dir` (relative to the root), skipping the folders above. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(ROOT, relative))) {
      if (SKIPPED.has(name)) continue;
      const child = path.posix.join(relative, name);
      if (statSync(path.join(ROOT, child)).isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

export const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
export const exists = (file: string) => existsSync(path.join(ROOT, file));

/** Markdown with its fenced code blocks blanked, lines kept (a `# comment` in a shell block is no heading). */
export function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ""));
}

/** A heading's anchor, as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The headings of a markdown file: their text and their anchors. */
export function headings(markdown: string): { text: string; anchor: string }[] {
  return [...withoutCodeBlocks(markdown).matchAll(/^#{1,6} +(.+?) *#*$/gm)].map((m) => ({ text: m[1]!, anchor: slug(m[1]!) }));
}
