/**
 * Text from config (service keys, scopes, roles, scopes of Azure assignments, error messages) put
 * into a Markdown PR comment: it must read as the text it is, never as Markdown. GitHub Flavored
 * Markdown (github.github.com/gfm): a backslash escapes any ASCII punctuation (§2.4); inside a table
 * a `|` ends the cell even in a code span unless escaped as `\|` (§4.10); a code span is closed by a
 * backtick run of the same length (§6.1); GitHub turns `@name` into a mention and `#123` into a link
 * outside code. Each helper returns one line: a line break could start a new block.
 */

/** Text as a code span: backticks inside are fenced by a longer run, `|` escaped for tables, one line. */
export function mdCode(value: string): string {
  const text = value.replace(/[\r\n]+/g, " ").replace(/\|/g, "\\|");
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") || (text.startsWith(" ") && text.endsWith(" ") && text.trim() !== "") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * Text as plain Markdown text: every ASCII punctuation character that Markdown or GitHub could read
 * as syntax is backslash-escaped, `<` and `>` as entities (no HTML), `@` followed by a zero-width
 * joiner entity (no mention), one line.
 */
export function mdText(value: string): string {
  return value
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/[\\`*_{}[\]()#+!|~:]/g, (c) => `\\${c}`)
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/@/g, "@&#8288;")
    .replace(/^([-=])/, "\\$1")
    .replace(/^(\d+)([.)])/, "$1\\$2");
}

/** Text as HTML code (where Markdown is not read, e.g. inside `<summary>`): `&`, `<`, `>`, `"` as entities, `@` unlinked. */
export function htmlCode(value: string): string {
  const text = value.replace(/[\r\n]+/g, " ").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/@/g, "@&#8288;");
  return `<code>${text}</code>`;
}
