/**
 * The organisation proof (org.ts) as a terminal report, a JSON document or a Markdown comment: each
 * stack as `verify` prints it (render.ts), then the organisation section.
 */
import { mdCode, mdText } from "./markdown";
import type { OrgResult, OrgStack } from "./org";
import { markdownBody, toJson, toText, type RenderSource } from "./render";

const sourceOf = (stack: OrgStack): RenderSource => ({ head: stack.state ? "state" : "plan" });
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The organisation section's lines, shared by the text and Markdown forms (unescaped). */
function summary(org: OrgResult): { issuers: string[]; cross: string; names: string } {
  const issuers = org.sharedIssuers.map((i) => `issuer ${i.issuer} (audience ${i.audiences.join(", ")}) is used by stacks ${i.stacks.join(", ")}`);
  const { cells, evaluated, allowed } = org.crossStack;
  const cross =
    `cross-stack matrix: ${plural(cells, "cell")} (each service of a stack at each target of another stack), ${evaluated} evaluated by the clouds' rules, ` +
    `the others denied by the target's own subject pin; ${allowed.length} allowed; ` +
    `GCP pool providers probed with the other stacks' tokens: ${org.crossStack.probes.accepted} of ${org.crossStack.probes.tried} accepted`;
  const kinds = Object.entries(org.uniqueness).sort(([a], [b]) => a.localeCompare(b));
  const names = `unique across stacks: client keys${kinds.length ? `, ${kinds.map(([kind, n]) => `${kind}s (${n})`).join(", ")}` : ""}`;
  return { issuers, cross, names };
}

export function orgToText(org: OrgResult): string {
  const lines: string[] = [];
  for (const stack of org.stacks) {
    lines.push(`=== ${stack.source} ===`, toText(stack.result, undefined, sourceOf(stack)), "");
  }
  lines.push(`ORGANISATION  ${plural(org.stacks.length, "stack")}: ${org.stacks.map((s) => `${s.result.stack} (${s.source})`).join(", ")}`);
  const { issuers, cross, names } = summary(org);
  for (const line of issuers) lines.push(`shared: ${line}`);
  lines.push(cross, names, "");
  const failedStacks = org.stacks.filter((s) => !s.result.passed).map((s) => s.result.stack);
  if (org.passed) {
    lines.push(`PASSED: every stack passed; no service reaches another stack's targets; no client key or name is shared across stacks.`);
  } else {
    const parts = [failedStacks.length ? `${plural(failedStacks.length, "stack")} failed (${failedStacks.join(", ")})` : "", org.findings.length ? plural(org.findings.length, "cross-stack finding") : ""].filter(Boolean);
    lines.push(`FAILED: ${parts.join("; ")}`);
    for (const f of org.findings) lines.push(`  - ${f.message}`);
  }
  return lines.join("\n");
}

export function orgToJson(org: OrgResult): Record<string, unknown> {
  return {
    kind: "okta-federation/verify-organisation",
    version: 1,
    passed: org.passed,
    stacks: org.stacks.map((s) => ({ source: s.source, ...toJson(s.result) })),
    organisation: {
      sharedIssuers: org.sharedIssuers,
      crossStack: org.crossStack,
      uniqueness: org.uniqueness,
      findings: org.findings,
    },
  };
}

export function orgToMarkdown(org: OrgResult): string {
  const lines = [`### Okta federation access review: organisation of ${plural(org.stacks.length, "stack")} ${org.passed ? "✅ passed" : "❌ failed"}`, ""];
  lines.push("| Stack | Source | Status | Findings |", "|---|---|---|---|");
  for (const s of org.stacks) {
    const failing = s.result.findings.filter((f) => !f.accepted).length;
    lines.push(`| ${mdCode(s.result.stack)} | ${mdText(s.source)} | ${s.result.passed ? "✅ passed" : "❌ failed"} | ${failing} |`);
  }
  lines.push("", "**Organisation**", "");
  const { issuers, cross, names } = summary(org);
  for (const line of [...issuers.map((l) => `shared: ${l}`), cross, names]) lines.push(`- ${mdText(line)}`);
  if (org.findings.length) {
    lines.push("", "**Cross-stack findings**", "");
    for (const f of org.findings) lines.push(`- ${mdText(f.message)}`);
  }
  for (const s of org.stacks) {
    lines.push("", `#### Stack ${mdCode(s.result.stack)}: ${s.result.passed ? "✅ passed" : "❌ failed"}`, "", markdownBody(s.result, undefined, { source: sourceOf(s) }));
  }
  return lines.join("\n");
}
