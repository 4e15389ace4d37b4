/** The verify result as a terminal table, a JSON document, or a Markdown PR comment. */
import { changeSign, type AccessChange } from "./diff";
import type { VerifyResult } from "./verify";

export function toText(result: VerifyResult, changes?: readonly AccessChange[]): string {
  const lines: string[] = [];
  lines.push(`TRUST MATRIX  stack ${result.stack}  (offline: simulated tokens against the planned trust)`);
  for (const i of result.issuers) {
    lines.push(`${i.federation && result.issuers.length > 1 ? `${i.federation}: ` : ""}authorization server ${i.server}  issuer ${i.issuer}  audience ${i.audience}`);
  }
  lines.push("");
  const columns = result.targets.map((t, i) => ({ ...t, short: `T${i + 1}` }));
  for (const c of columns) lines.push(`  ${c.short.padEnd(4)} ${c.label}  (for ${c.owner})`);
  lines.push("");
  const width = Math.max(7, ...result.services.map((s) => s.key.length));
  lines.push(`${"service".padEnd(width)}  ${columns.map((c) => c.short.padEnd(6)).join(" ")}`);
  for (const service of result.services) {
    const cells = columns.map((c) => {
      const cell = result.matrix.find((m) => m.service === service.key && m.target === c.id)!;
      const mark = cell.takeover ? "TAKE" : cell.decision === "allow" ? "allow" : "deny";
      return `${mark}${cell.decision === cell.intended ? "" : "!"}`.padEnd(6);
    });
    lines.push(`${service.key.padEnd(width)}  ${cells.join(" ")}`);
  }
  lines.push("");
  const legend = [
    result.matrix.some((c) => c.decision !== c.intended) ? "! = differs from the config's intent" : "",
    result.matrix.some((c) => c.takeover) ? "TAKE = the service holds a grant that lets it take this identity over" : "",
  ].filter(Boolean);
  if (legend.length) lines.push(`(${legend.join("; ")})`);
  const probeCount = result.probes.length;
  const probeAllowed = result.probes.filter((p) => p.decision === "allow").length;
  const trusts = new Set(result.probes.map((p) => p.trust)).size;
  lines.push(`trust probes: ${trusts} trusts, each with a token of another client, another issuer and another audience; ${probeAllowed} of ${probeCount} accepted`);
  lines.push(`client authentication: ${result.services.map((s) => `${s.key} ${s.auth.method}${s.auth.keys.length ? ` (${s.auth.keys.join(", ")})` : ""}`).join("; ")}`);
  for (const service of result.services) {
    if (service.runtimeClaims.length) lines.push(`note: ${service.key}: claims ${service.runtimeClaims.join(", ")} are evaluated by Okta at run time`);
  }
  const accepted = result.findings.filter((f) => f.accepted);
  if (accepted.length) {
    lines.push("");
    lines.push("Accepted identity-admin grants (allowIdentityAdmin: true):");
    for (const f of accepted) lines.push(`  ! ${f.message}`);
  }
  if (changes) {
    lines.push("");
    const risky = changes.filter((c) => c.risk);
    if (changes.length === 0) lines.push("No access changes against the base plan.");
    else lines.push(`Access changes against the base plan${risky.length ? ` (${risky.length} risky, marked !)` : ""}:`);
    for (const c of [...risky, ...changes.filter((c) => !c.risk)]) {
      lines.push(`  ${changeSign(c)}${c.risk ? "!" : " "} ${c.message}`);
      if (c.risk) lines.push(`       risky: ${c.risk}`);
    }
    if (changes.length) lines.push("  (+ added or gained, - removed or lost, ~ changed)");
  }
  lines.push("");
  const failing = result.findings.filter((f) => !f.accepted);
  if (failing.length === 0) {
    lines.push(`PASSED: every service reaches exactly its own targets; all ${probeCount} trust probes denied; no shared client keys${accepted.length ? `; ${accepted.length} accepted identity-admin grant${accepted.length === 1 ? "" : "s"}` : ""}.`);
  } else {
    lines.push(`FAILED: ${failing.length} finding${failing.length === 1 ? "" : "s"}`);
    for (const f of failing) lines.push(`  - ${f.message}`);
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
    identityAdmin: result.identityAdmin,
    findings: result.findings,
    ...(changes ? { changes } : {}),
  };
}

export function toMarkdown(result: VerifyResult, changes?: readonly AccessChange[]): string {
  const lines: string[] = [];
  lines.push(`### Okta federation access review: \`${result.stack}\` ${result.passed ? "✅ passed" : "❌ failed"}`);
  lines.push("");
  lines.push(
    `Tokens from ${result.issuers.map((i) => `authorization server \`${i.server}\` (issuer \`${i.issuer}\`, audience \`${i.audience}\`)`).join(", and from ")}, simulated offline against the planned trust.`,
  );
  lines.push("");
  if (changes) {
    const risky = changes.filter((c) => c.risk);
    if (risky.length) {
      lines.push(`**⚠️ Risky changes (${risky.length})**`);
      lines.push("");
      for (const c of risky) lines.push(`- ⚠️ ${changeSign(c)} ${c.message} — **${c.risk}**`);
      lines.push("");
    }
    lines.push(changes.length ? "**Access changes in this PR**" : "**No access changes in this PR.**");
    if (changes.length) {
      lines.push("");
      const mark = { "+": "🟢 +", "-": "🔴 −", "~": "🟡 ~" } as const;
      for (const c of changes) lines.push(`- ${mark[changeSign(c)]} ${c.message}${c.risk ? " ⚠️" : ""}`);
      lines.push("");
      lines.push("🟢 added or gained · 🔴 removed or lost · 🟡 changed" + (risky.length ? " · ⚠️ risky" : ""));
    }
    lines.push("");
  }
  lines.push("| Service | Scopes | Can reach | Could take over |");
  lines.push("|---|---|---|---|");
  const labelOf = (id: string) => result.targets.find((t) => t.id === id)?.label ?? id;
  for (const service of result.services) {
    const cells = result.matrix.filter((c) => c.service === service.key);
    const reached = cells.filter((c) => c.decision === "allow").map((c) => labelOf(c.target));
    const taken = cells.filter((c) => c.takeover).map((c) => labelOf(c.target));
    lines.push(`| \`${service.key}\` | ${service.scopes.map((s) => `\`${s}\``).join(" ") || "—"} | ${reached.join("<br>") || "nothing"} | ${taken.length ? `⚠️ ${taken.join("<br>")}` : "—"} |`);
  }
  lines.push("");
  const probeAllowed = result.probes.filter((p) => p.decision === "allow").length;
  lines.push(
    `Trust probes (each trust on its own, with a token of another client, another issuer, another audience): ${result.probes.length} tried, ${probeAllowed} accepted. Client keys: ${result.findings.some((f) => f.kind === "shared-client-key") ? "shared (see findings)" : "one per service"}.`,
  );
  const accepted = result.findings.filter((f) => f.accepted);
  if (accepted.length) {
    lines.push("");
    lines.push("**Accepted identity-admin grants** (`allowIdentityAdmin: true`)");
    lines.push("");
    for (const f of accepted) lines.push(`- ⚠️ ${f.message}`);
  }
  const failing = result.findings.filter((f) => !f.accepted);
  if (failing.length) {
    lines.push("");
    lines.push("**Findings**");
    lines.push("");
    for (const f of failing) lines.push(`- ${f.message}`);
  }
  return lines.join("\n");
}
