import { describe, expect, it } from "vitest";
import { errorReference } from "../../src/domain/error-docs";
import { headings, read, slug, withoutCodeBlocks } from "./repository";

/**
 * docs/reference/errors.md says, for readers of the repository, what the server's /docs/errors
 * says: one entry per code of the catalogue, under a heading that is the code (so
 * `errors.md#insufficient_funds` works), with the catalogue's status, type and words. The
 * catalogue (src/domain/errors.ts, src/domain/error-docs.ts) is the source; this page follows it.
 */
const FILE = "docs/reference/errors.md";
const page = read(FILE);
const flat = (text: string) => text.replace(/\s+/g, " ").trim();

/** The text under each heading, up to the next heading. */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = withoutCodeBlocks(markdown).split(/^#{1,6} +(.+?) *$/m);
  for (let i = 1; i < parts.length; i += 2) out.set(parts[i]!, parts[i + 1] ?? "");
  return out;
}

describe(FILE, () => {
  const reference = errorReference();
  const bySection = sections(page);

  it.each(reference)("has an entry for $code, as the catalogue says it", ({ code, status, type, summary, action }) => {
    expect(
      headings(page).filter((h) => h.anchor === code),
      `a heading "### ${code}" (anchor #${code})`,
    ).toHaveLength(1);
    expect(slug(code)).toBe(code);
    const section = flat(bySection.get(code) ?? "");
    expect(section, `its first line: **${status}** \`${type}\`. ${summary}`).toContain(flat(`**${status}** \`${type}\`. ${summary}`));
    expect(section, `then: ${action}`).toContain(flat(action));
  });

  it("lists no code the catalogue does not have, in the catalogue's order", () => {
    const entries = [...withoutCodeBlocks(page).matchAll(/^### +(.+?) *$/gm)].map((m) => m[1]);
    expect(entries).toEqual(reference.map((e) => e.code));
  });
});
