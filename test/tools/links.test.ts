import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../tools/offline/stackFile";

/** Every Markdown file of the repository (not dependencies, builds or tests' temporary trees). */
function markdownFiles(dir = PROJECT_ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith(".") && entry.name !== ".github") return [];
    if (["node_modules", "dist", "coverage"].includes(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.isFile() && entry.name.endsWith(".md") ? [relative(PROJECT_ROOT, path)] : [];
  });
}

/** The relative links of a Markdown text, outside code blocks and code spans. */
function relativeLinks(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l) && !l.startsWith("#"));
}

describe("documentation links", () => {
  const files = markdownFiles();

  it("finds the repository's Markdown files", () => {
    expect(files).toEqual(expect.arrayContaining(["README.md", "docs/config.md", "docs/sources.md", "docs/publishing.md", "examples/README.md"]));
  });

  it.each(files)("every relative link of %s resolves to a file inside the repository", (file) => {
    for (const link of relativeLinks(readFileSync(join(PROJECT_ROOT, file), "utf8"))) {
      const target = resolve(dirname(join(PROJECT_ROOT, file)), decodeURIComponent(link.split("#")[0]!));
      expect(target === PROJECT_ROOT || target.startsWith(PROJECT_ROOT + "/"), `${file}: ${link} leaves the repository`).toBe(true);
      expect(existsSync(target), `${file}: ${link} points at nothing`).toBe(true);
    }
  });
});
