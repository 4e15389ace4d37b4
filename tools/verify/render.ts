/** The verify result as a terminal table, a JSON document, or a Markdown PR comment. */
import type { AccessChange } from "./diff";
import type { VerifyResult } from "./verify";

export function toText(result: VerifyResult, changes?: readonly AccessChange[]): string {
  const lines: string[] = [];
  lines.push(`TRUST MATRIX  stack ${result.stack}  (offline: simulated tokens against the planned trust)`);
  for (const i of result.issuers) lines.push(`${i.federation && result.issuers.length > 1 ? `${i.federation}: ` : ""}issuer ${i.issuer}  audience ${i.audience}`);
  lines.push("");
  const columns = result.targets.map((t, i) => ({ ...t, short: `T${i + 1}` }));
  for (const c of columns) lines.push(`  ${c.short.padEnd(4)} ${c.label}  (for ${c.owner})`);
  lines.push("");
  const width = Math.max(7, ...result.services.map((s) => s.key.length));
  lines.push(`${"service".padEnd(width)}  ${columns.map((c) => c.short.padEnd(6)).join(" ")}`);
  for (const service of result.services) {
    const cells = columns.map((c) => {
      const cell = result.matrix.find((m) => m.service === service.key && m.target === c.id)!;
      const mark = cell.decision === "allow" ? "allow" : "deny";
      return `${mark}${cell.decision === cell.intended ? "" : "!"}`.padEnd(6);
    });
    lines.push(`${service.key.padEnd(width)}  ${cells.join(" ")}`);
  }
  lines.push("");
  lines.push("(! = differs from the config's intent)");
  const probeCount = result.probes.length;
  const probeAllowed = result.probes.filter((p) => p.decision === "allow").length;
  lines.push(`probes: ${probeCount} tokens with a wrong audience, another issuer or another client id; ${probeAllowed} accepted`);
  for (const service of result.services) {
    if (service.runtimeClaims.length) lines.push(`note: ${service.key}: claims ${service.runtimeClaims.join(", ")} are evaluated by Okta at run time`);
  }
  if (changes) {
    lines.push("");
    lines.push(changes.length ? "Access changes against the base plan:" : "No access changes against the base plan.");
    for (const c of changes) lines.push(`  ~ ${c.message}`);
  }
  lines.push("");
  if (result.findings.length === 0) {
    lines.push(`PASSED: every service reaches exactly its own targets; all ${probeCount} probes denied.`);
  } else {
    lines.push(`FAILED: ${result.findings.length} finding${result.findings.length === 1 ? "" : "s"}`);
    for (const f of result.findings) lines.push(`  - ${f.message}`);
  }
  return lines.join("\n");
}

export function toJson(result: VerifyResult, changes?: readonly AccessChange[]): Record<string, unknown> {
  return {
    kind: "okta-federation/verify",
    version: 1,
    stack: result.stack,
    passed: result.passed,
    issuers: result.issuers,
    services: result.services,
    targets: result.targets,
    matrix: result.matrix,
    probes: result.probes,
    findings: result.findings,
    ...(changes ? { changes } : {}),
  };
}

export function toMarkdown(result: VerifyResult, changes?: readonly AccessChange[]): string {
  const lines: string[] = [];
  lines.push(`### Okta federation access review: \`${result.stack}\` ${result.passed ? "✅ passed" : "❌ failed"}`);
  lines.push("");
  lines.push(
    `Tokens from ${result.issuers.map((i) => `issuer \`${i.issuer}\` with audience \`${i.audience}\``).join(", and from ")}, simulated offline against the planned trust.`,
  );
  lines.push("");
  if (changes) {
    lines.push(changes.length ? "**Access changes in this PR**" : "**No access changes in this PR.**");
    if (changes.length) {
      lines.push("");
      for (const c of changes) lines.push(`- ${c.kind === "access-gained" || c.kind === "service-added" ? "🟢" : c.kind === "trust-changed" ? "🟡" : "🔴"} ${c.message}`);
    }
    lines.push("");
  }
  lines.push("| Service | Scopes | Can reach |");
  lines.push("|---|---|---|");
  for (const service of result.services) {
    const reached = result.matrix
      .filter((c) => c.service === service.key && c.decision === "allow")
      .map((c) => result.targets.find((t) => t.id === c.target)?.label ?? c.target);
    lines.push(`| \`${service.key}\` | ${service.scopes.map((s) => `\`${s}\``).join(" ") || "—"} | ${reached.join("<br>") || "nothing"} |`);
  }
  lines.push("");
  const probeAllowed = result.probes.filter((p) => p.decision === "allow").length;
  lines.push(`Probes (wrong audience, another issuer, another client id): ${result.probes.length} tried, ${probeAllowed} accepted.`);
  if (result.findings.length) {
    lines.push("");
    lines.push("**Findings**");
    lines.push("");
    for (const f of result.findings) lines.push(`- ${f.message}`);
  }
  return lines.join("\n");
}
