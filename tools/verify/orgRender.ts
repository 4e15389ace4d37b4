/**
 * The organisation proof (org.ts) as a terminal report, a JSON document or a Markdown comment: each
 * stack as `verify` prints it (render.ts), then the organisation section.
 */
import { mdCode, mdText } from "./markdown";
import { takeoverList, type OrgResult, type OrgStack } from "./org";
import { quotaWords } from "./orgQuotas";
import { markdownBody, toJson, toText, type RenderSource } from "./render";

const sourceOf = (stack: OrgStack): RenderSource => ({ head: stack.state ? "state" : "plan" });
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The organisation section's lines, shared by the text and Markdown forms (unescaped). */
function summary(org: OrgResult): { issuers: string[]; layout: string[]; cross: string; names: string; takeovers: string[]; quotas: string[] } {
  const issuers = org.sharedIssuers.map((i) => `issuer ${i.issuer} (audience ${i.audiences.join(", ")}) is used by stacks ${i.stacks.join(", ")}`);
  const { cells, evaluated, allowed, probes } = org.crossStack;
  const cross =
    `cross-stack matrix: ${plural(cells, "cell")} (each service of a stack at each target of another stack), ${evaluated} evaluated by the clouds' rules, ` +
    `the others denied by the target's own subject pin; ${allowed.length} allowed; ` +
    `GCP pool providers probed with the other stacks' tokens: ${probes.accepted} of ${probes.tried} accepted (${probes.evaluated} evaluated, the others refused by the provider's own subject condition)`;
  const kinds = Object.entries(org.uniqueness).sort(([a], [b]) => a.localeCompare(b));
  const names = `unique across stacks: client keys${kinds.length ? `, ${kinds.map(([kind, n]) => `${kind}s (${n})`).join(", ")}` : ""}`;
  const layout: string[] = [];
  const platforms = org.layout.filter((l) => l.kind === "platform").map((l) => l.stack);
  const teams = org.layout.filter((l) => l.kind === "team");
  if (platforms.length || teams.length) {
    const platformNames = [...new Set(teams.map((t) => t.platform!))];
    layout.push(
      `layout: ${platforms.length ? `platform ${platforms.join(", ")}` : "no platform stack"}; ${teams.length ? plural(teams.length, "team stack") : "no team stack"}` +
        (platformNames.length ? ` reading ${platformNames.map((p) => `${p}${teams.some((t) => t.platform === p && !t.platformGiven) ? " (not given)" : ""}`).join(", ")}` : ""),
    );
  }
  for (const server of org.bands) {
    const all = server.stacks.flatMap((s) => s.bands);
    const distinct = new Set(all).size === all.length;
    layout.push(`Okta priority bands on authorization server ${server.server}: ${server.stacks.map((s) => `${s.stack} ${s.bands.length ? s.bands.join(", ") : "unknown"}`).join("; ")} (${distinct ? "distinct" : "shared: see findings"})`);
  }
  const takeovers = org.crossStack.takeovers.map(
    (t) => `${t.stack}/${t.service} holds ${t.grant}, which ${t.why}: it could take over ${takeoverList(t.reach)}${t.accepted ? ` (accepted in ${t.stack} with allowIdentityAdmin: true; listed, not a finding)` : " (no allowIdentityAdmin opt-in: a finding)"}`,
  );
  const quotas = org.sharedQuotas.map(quotaWords);
  return { issuers, layout, cross, names, takeovers, quotas };
}

const QUOTAS_HEADING = "Shared quotas (objects of several stacks in one GCP project or AWS account, summed):";

export function orgToText(org: OrgResult): string {
  const lines: string[] = [];
  for (const stack of org.stacks) {
    lines.push(`=== ${stack.source} ===`, toText(stack.result, undefined, sourceOf(stack)), "");
  }
  lines.push(`ORGANISATION  ${plural(org.stacks.length, "stack")}: ${org.stacks.map((s) => `${s.result.stack} (${s.source})`).join(", ")}`);
  const { issuers, layout, cross, names, takeovers, quotas } = summary(org);
  for (const line of issuers) lines.push(`shared: ${line}`);
  lines.push(...layout, cross, names);
  if (quotas.length) {
    lines.push(QUOTAS_HEADING);
    for (const [i, line] of quotas.entries()) lines.push(`  ${org.sharedQuotas[i]!.advisory ? "!" : " "} ${line}`);
  }
  if (takeovers.length) {
    lines.push("Cross-stack takeovers (identity-admin grants reaching other stacks' identities):");
    for (const line of takeovers) lines.push(`  ! ${line}`);
  }
  lines.push("");
  const failedStacks = org.stacks.filter((s) => !s.result.passed).map((s) => s.result.stack);
  if (org.passed) {
    lines.push(
      `PASSED: every stack passed; no service reaches another stack's targets; no client key or name is shared across stacks${org.layout.some((l) => l.kind === "team") ? "; every team stack's platform is given and the teams' Okta priority bands are distinct" : ""}${org.crossStack.takeovers.length ? `; ${plural(org.crossStack.takeovers.length, "accepted cross-stack takeover")} listed` : ""}.`,
    );
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
      layout: org.layout,
      bands: org.bands,
      sharedIssuers: org.sharedIssuers,
      crossStack: org.crossStack,
      uniqueness: org.uniqueness,
      sharedQuotas: org.sharedQuotas,
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
  const { issuers, layout, cross, names, takeovers, quotas } = summary(org);
  for (const line of [...issuers.map((l) => `shared: ${l}`), ...layout, cross, names]) lines.push(`- ${mdText(line)}`);
  if (quotas.length) {
    lines.push("", `**${QUOTAS_HEADING.replace(/:$/, "")}**`, "");
    for (const [i, line] of quotas.entries()) lines.push(`- ${org.sharedQuotas[i]!.advisory ? "⚠️ " : ""}${mdText(line)}`);
  }
  if (takeovers.length) {
    lines.push("", "**Cross-stack takeovers** (identity-admin grants reaching other stacks' identities)", "");
    for (const line of takeovers) lines.push(`- ⚠️ ${mdText(line)}`);
  }
  if (org.findings.length) {
    lines.push("", "**Cross-stack findings**", "");
    for (const f of org.findings) lines.push(`- ${mdText(f.message)}`);
  }
  for (const s of org.stacks) {
    lines.push("", `#### Stack ${mdCode(s.result.stack)}: ${s.result.passed ? "✅ passed" : "❌ failed"}`, "", markdownBody(s.result, undefined, { source: sourceOf(s) }));
  }
  return lines.join("\n");
}
