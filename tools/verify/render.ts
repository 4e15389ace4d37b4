/** The verify result as a terminal table, a JSON document, or a Markdown PR comment. */
import { changeSign, type AccessChange } from "./diff";
import { lifecycleCount, lifecycleRiskyCount, policyGroupMessage, type LifecycleReport } from "./lifecycle";
import { mdCode, mdText } from "./markdown";
import { inlinePolicyText } from "./awsInline";
import type { VerifyResult } from "./verify";

/** Above this many cells the terminal shows one line per service instead of the whole matrix. */
export const MATRIX_CELLS_SHOWN = 400;
/** Service rows of the Markdown review beyond those with findings, take-overs or changes. */
export const MARKDOWN_SERVICE_ROWS = 100;

/** Per service: the targets it reaches, how many it is denied, what it could take over. */
function reachByService(result: VerifyResult): Map<string, { reached: string[]; takeovers: string[] }> {
  const by = new Map(result.services.map((s) => [s.key, { reached: [] as string[], takeovers: [] as string[] }]));
  for (const c of result.allowed) by.get(c.service)?.reached.push(c.target);
  for (const c of result.takeovers) by.get(c.service)?.takeovers.push(c.target);
  return by;
}

/** What was verified: a plan (the default) or a deployed state, and what the base was. */
export interface RenderSource {
  readonly head?: "plan" | "state";
  readonly base?: "plan" | "state";
}

const trustOf = (source: RenderSource) => (source.head === "state" ? "the deployed trust (a stack export)" : "the planned trust");
const baseOf = (source: RenderSource) => (source.base === "state" ? "the base state" : "the base plan");

/** A platform stack's summary: its shared objects, no services (its trust is proved with its team stacks). */
export function platformLine(result: VerifyResult): string | undefined {
  const layout = result.layout;
  if (layout?.kind !== "platform" || result.services.length > 0) return undefined;
  return `platform: ${layout.objects} shared trust object${layout.objects === 1 ? "" : "s"} (${layout.words}), no services; verify it with its team stacks (npm run verify -- --stack ${result.stack} --stack <team stack>...)`;
}

/** What verify says about a team stack: where its platform's objects came from, and what it cannot judge alone. */
export function teamLines(result: VerifyResult): string[] {
  const layout = result.layout;
  if (layout?.kind !== "team") return [];
  const from =
    layout.from === "plan"
      ? "its plan"
      : layout.from === "state"
        ? "its export"
        : layout.from === "contract"
          ? "the platform contract the team's StackReference read (scopes, claims, each account's OIDC provider by ARN, the GCP pool)"
          : "nowhere: the document records no platform contract, so the server's scopes and claims, the OIDC providers and the pool are unknown";
  const lines = [`team stack of platform ${layout.platform}: the platform's shared objects from ${from}${layout.note ? ` (${layout.note})` : ""}`];
  lines.push(`note: the other teams' providers in the shared GCP pool, and their services, are proved with the organisation (npm run verify -- --stack ${layout.platform.split("/").pop()} --stack ${result.stack} --stack <other team stacks>...)`);
  if (layout.state) lines.push("note: the order of the Okta policies is judged over every stack sharing the platform's server (the organisation), never one team's alone");
  return lines;
}

/** What pulumi up will replace or delete, as terminal lines (none when nothing is). */
export function lifecycleText(report: LifecycleReport | undefined, indent = ""): string[] {
  if (!report || lifecycleCount(report) === 0) return [];
  const risky = lifecycleRiskyCount(report);
  const lines = [`${indent}What pulumi up will replace or delete (${lifecycleCount(report)}${risky ? `, ${risky} risky, marked !` : ""}):`];
  for (const g of report.policyDeleteGroups) lines.push(`${indent}  D! ${policyGroupMessage(g)}`);
  const ordered = [...report.changes.filter((c) => c.risk), ...report.changes.filter((c) => !c.risk)];
  for (const c of ordered) {
    lines.push(`${indent}  ${c.kind === "replaced" ? "R" : "D"}${c.risk ? "!" : " "} ${c.label} ${c.kind}: ${c.because}`);
    if (c.impact) lines.push(`${indent}       impact: ${c.impact}`);
  }
  lines.push(`${indent}  (R replaced, D deleted)`);
  return lines;
}

export function toText(result: VerifyResult, changes?: readonly AccessChange[], source: RenderSource = {}, lifecycle?: LifecycleReport): string {
  const lines: string[] = [];
  lines.push(`TRUST MATRIX  stack ${result.stack}  (offline: simulated tokens against ${trustOf(source)})`);
  for (const i of result.issuers) {
    lines.push(`${i.federation && result.issuers.length > 1 ? `${i.federation}: ` : ""}authorization server ${i.server}  issuer ${i.issuer}  audience ${i.audience}`);
  }
  const platform = platformLine(result);
  lines.push(...teamLines(result));
  lines.push("");
  const width = Math.max(7, ...result.services.map((s) => s.key.length));
  const cellCount = result.services.length * result.targets.length;
  if (platform) {
    lines.push(platform);
  } else if (cellCount <= MATRIX_CELLS_SHOWN) {
    const columns = result.targets.map((t, i) => ({ ...t, short: `T${i + 1}` }));
    for (const c of columns) lines.push(`  ${c.short.padEnd(4)} ${c.label}  (for ${c.owner})`);
    lines.push("");
    lines.push(`${"service".padEnd(width)}  ${columns.map((c) => c.short.padEnd(6)).join(" ")}`);
    let differs = false;
    for (const service of result.services) {
      const cells = columns.map((c) => {
        const cell = result.cell(service.key, c.id);
        differs ||= cell.decision !== cell.intended;
        const mark = cell.takeover ? "TAKE" : cell.decision === "allow" ? "allow" : "deny";
        return `${mark}${cell.decision === cell.intended ? "" : "!"}`.padEnd(6);
      });
      lines.push(`${service.key.padEnd(width)}  ${cells.join(" ")}`);
    }
    lines.push("");
    const legend = [differs ? "! = differs from the config's intent" : "", result.takeovers.length ? "TAKE = the service holds a grant that lets it take this identity over" : ""].filter(Boolean);
    if (legend.length) lines.push(`(${legend.join("; ")})`);
  } else {
    // At scale, one line per service: what it reaches and how many targets deny it.
    lines.push(`${result.services.length} services x ${result.targets.length} targets: one line per service (every other target denies it; --json lists what each target admits)`);
    const label = new Map(result.targets.map((t) => [t.id, t.label]));
    for (const [key, { reached, takeovers }] of reachByService(result)) {
      const reach = reached.length <= 3 ? reached.map((t) => label.get(t)).join(", ") : `${reached.length} targets`;
      lines.push(`  ${key.padEnd(width)}  reaches ${reach || "nothing"}; denied at ${result.targets.length - reached.length}${takeovers.length ? `; could take over ${takeovers.length}` : ""}`);
    }
  }
  const probeCount = result.probes.length;
  const probeAllowed = result.probes.filter((p) => p.decision === "allow").length;
  const trusts = new Set(result.probes.map((p) => p.trust)).size;
  if (!platform) {
    lines.push(`trust probes: ${trusts} trusts, each with a token of another client, another issuer and another audience; ${probeAllowed} of ${probeCount} accepted`);
    lines.push(`client authentication: ${result.services.map((s) => `${s.key} ${s.auth.method}${s.auth.keys.length ? ` (${s.auth.keys.join(", ")})` : ""}`).join("; ")}`);
  }
  for (const service of result.services) {
    if (service.runtimeClaims.length) lines.push(`note: ${service.key}: claims ${service.runtimeClaims.join(", ")} are evaluated by Okta at run time`);
  }
  const inline = inlinePolicyText(result.inlinePolicies);
  if (inline.length) lines.push("", ...inline);
  const accepted = result.findings.filter((f) => f.accepted);
  if (accepted.length) {
    lines.push("");
    lines.push("Accepted identity-admin grants (allowIdentityAdmin: true):");
    for (const f of accepted) lines.push(`  ! ${f.message}`);
  }
  if (changes) {
    lines.push("");
    const risky = changes.filter((c) => c.risk);
    if (changes.length === 0) lines.push(`No access changes against ${baseOf(source)}.`);
    else lines.push(`Access changes against ${baseOf(source)}${risky.length ? ` (${risky.length} risky, marked !)` : ""}:`);
    for (const c of [...risky, ...changes.filter((c) => !c.risk)]) {
      lines.push(`  ${changeSign(c)}${c.risk ? "!" : " "} ${c.message}`);
      if (c.risk) lines.push(`       risky: ${c.risk}`);
    }
    if (changes.length) lines.push("  (+ added or gained, - removed or lost, ~ changed)");
  }
  if (lifecycleCount(lifecycle)) lines.push("", ...lifecycleText(lifecycle));
  lines.push("");
  const failing = result.findings.filter((f) => !f.accepted);
  if (failing.length === 0 && platform) {
    lines.push(`PASSED: platform stack ${result.stack}: ${result.layout!.kind === "platform" ? result.layout!.objects : 0} shared trust objects, no services; verify it with its team stacks.`);
  } else if (failing.length === 0) {
    lines.push(`PASSED: every service reaches exactly its own targets; all ${probeCount} trust probes denied; no shared client keys${accepted.length ? `; ${accepted.length} accepted identity-admin grant${accepted.length === 1 ? "" : "s"}` : ""}.`);
  } else {
    lines.push(`FAILED: ${failing.length} finding${failing.length === 1 ? "" : "s"}`);
    for (const f of failing) lines.push(`  - ${f.message}`);
  }
  return lines.join("\n");
}

export function toJson(result: VerifyResult, changes?: readonly AccessChange[], lifecycle?: LifecycleReport): Record<string, unknown> {
  return {
    kind: "okta-federation/verify",
    version: 1,
    stack: result.stack,
    passed: result.passed,
    issuers: result.issuers,
    services: result.services,
    targets: result.targets,
    // Every allowed cell; the denials in a compact form: each target admits only its `admits`
    // (targets[].admits), and every cell not listed here is denied.
    matrix: {
      services: result.services.length,
      targets: result.targets.length,
      allowed: result.allowed,
      takeovers: result.takeovers,
      denied: {
        count: result.services.length * result.targets.length - result.allowed.length,
        perService: Object.fromEntries([...reachByService(result)].map(([key, r]) => [key, result.targets.length - r.reached.length])),
      },
    },
    probes: result.probes,
    identityAdmin: result.identityAdmin,
    ...(result.inlinePolicies.length ? { inlinePolicies: result.inlinePolicies } : {}),
    findings: result.findings,
    ...(result.layout ? { layout: result.layout } : {}),
    ...(changes ? { changes } : {}),
    ...(lifecycle ? { lifecycle: { changes: lifecycle.changes, policyDeleteGroups: lifecycle.policyDeleteGroups.map((g) => ({ ...g, message: policyGroupMessage(g) })) } } : {}),
  };
}

export function toMarkdown(result: VerifyResult, changes?: readonly AccessChange[], options: MarkdownOptions = {}): string {
  return [`### Okta federation access review: ${mdCode(result.stack)} ${result.passed ? "✅ passed" : "❌ failed"}`, "", markdownBody(result, changes, options)].join("\n");
}

export interface MarkdownOptions {
  readonly maxServiceRows?: number;
  readonly source?: RenderSource;
  /** What to say when there are no changes (default: "No access changes in this PR."). */
  readonly none?: string;
  /** What pulumi up will replace or delete (with --base). */
  readonly lifecycle?: LifecycleReport;
}

/** Lines of the lifecycle section shown in a comment before "and N more". */
export const MARKDOWN_LIFECYCLE_LINES = 60;

/**
 * What pulumi up will replace or delete, in Markdown (every value escaped): racing policy deletions
 * and risky entries first, each with its impact; none when nothing is replaced or deleted.
 */
export function markdownLifecycle(report: LifecycleReport | undefined, maxLines = MARKDOWN_LIFECYCLE_LINES): string[] {
  if (!report || lifecycleCount(report) === 0) return [];
  const risky = lifecycleRiskyCount(report);
  const lines = [`**${risky ? "⚠️ " : ""}What \`pulumi up\` will replace or delete (${lifecycleCount(report)}${risky ? `, ${risky} risky` : ""})**`, ""];
  const entries = [
    ...report.policyDeleteGroups.map((g) => `- ⚠️ 🗑️ ${mdText(policyGroupMessage(g))}`),
    ...[...report.changes.filter((c) => c.risk), ...report.changes.filter((c) => !c.risk)].map(
      (c) => `- ${c.risk ? "⚠️ " : ""}${c.kind === "replaced" ? "🔁 replaced" : "🗑️ deleted"}: ${mdText(c.label)}: ${mdText(c.because)}${c.impact ? ` — ${c.risk ? `**${mdText(c.impact)}**` : mdText(c.impact)}` : ""}`,
    ),
  ];
  lines.push(...entries.slice(0, maxLines));
  if (entries.length > maxLines) lines.push(`- … and ${entries.length - maxLines} more (the JSON form lists every one)`);
  lines.push("", "🔁 replaced (deleted and created again) · 🗑️ deleted" + (risky ? " · ⚠️ risky" : ""));
  return lines;
}

/** The risky changes first, then every change, in Markdown (every value escaped). */
export function markdownChanges(changes: readonly AccessChange[], title = "Access changes in this PR", none = "No access changes in this PR.", lifecycle?: LifecycleReport): string[] {
  const lines: string[] = [];
  const risky = changes.filter((c) => c.risk);
  if (risky.length) {
    lines.push(`**⚠️ Risky changes (${risky.length})**`);
    lines.push("");
    for (const c of risky) lines.push(`- ⚠️ ${changeSign(c)} ${mdText(c.message)} — **${mdText(c.risk!)}**`);
    lines.push("");
  }
  // Beside the risky changes: replacements and deletions can break running workloads even when access is unchanged.
  const replaced = markdownLifecycle(lifecycle);
  if (replaced.length) lines.push(...replaced, "");
  lines.push(changes.length ? `**${title}**` : `**${none}**`);
  if (changes.length) {
    lines.push("");
    const mark = { "+": "🟢 +", "-": "🔴 −", "~": "🟡 ~" } as const;
    for (const c of changes) lines.push(`- ${mark[changeSign(c)]} ${mdText(c.message)}${c.risk ? " ⚠️" : ""}`);
    lines.push("");
    lines.push("🟢 added or gained · 🔴 removed or lost · 🟡 changed" + (risky.length ? " · ⚠️ risky" : ""));
  }
  return lines;
}

/** The review of one stack without its heading: issuers, changes, the services table, probes, findings. */
export function markdownBody(result: VerifyResult, changes?: readonly AccessChange[], options: MarkdownOptions = {}): string {
  const lines: string[] = [];
  lines.push(
    `Tokens from ${result.issuers.map((i) => `authorization server ${mdCode(i.server)} (issuer ${mdCode(i.issuer)}, audience ${mdCode(i.audience)})`).join(", and from ")}, simulated offline against ${trustOf(options.source ?? {})}.`,
  );
  const layoutLines = [platformLine(result), ...teamLines(result)].filter((l): l is string => l !== undefined);
  if (layoutLines.length) lines.push("", ...layoutLines.map((l) => `- ${mdText(l)}`));
  lines.push("");
  if (changes) {
    lines.push(...markdownChanges(changes, undefined, options.none, options.lifecycle));
    lines.push("");
  }
  // A platform stack has no services: its shared objects are said above, its trust is proved with its team stacks.
  const platform = platformLine(result) !== undefined;
  if (!platform) lines.push("| Service | Scopes | Can reach | Could take over |", "|---|---|---|---|");
  const labels = new Map(result.targets.map((t) => [t.id, t.label]));
  const byService = reachByService(result);
  // A PR comment holds at most 65,536 characters: at scale, the services a reviewer must see first
  // (findings, take-overs, changes), then the rest up to a limit.
  const notable = new Set([...result.findings.map((f) => f.service), ...result.takeovers.map((c) => c.service), ...(changes ?? []).map((c) => c.service)]);
  const ordered = [...result.services.filter((s) => notable.has(s.key)), ...result.services.filter((s) => !notable.has(s.key))];
  const shown = ordered.slice(0, Math.max(options.maxServiceRows ?? MARKDOWN_SERVICE_ROWS, ordered.filter((s) => notable.has(s.key)).length));
  const cellText = (ids: readonly string[]) => ids.map((t) => mdText(labels.get(t) ?? t)).join("<br>");
  for (const service of shown) {
    const { reached, takeovers } = byService.get(service.key)!;
    lines.push(`| ${mdCode(service.key)} | ${service.scopes.map(mdCode).join(" ") || "—"} | ${cellText(reached) || "nothing"} | ${takeovers.length ? `⚠️ ${cellText(takeovers)}` : "—"} |`);
  }
  if (shown.length < ordered.length) lines.push(`| … | | ${ordered.length - shown.length} more services, each reaching only what the JSON form lists | |`);
  if (!platform) lines.push("");
  const probeAllowed = result.probes.filter((p) => p.decision === "allow").length;
  if (!platform) lines.push(
    `Trust probes (each trust on its own, with a token of another client, another issuer, another audience): ${result.probes.length} tried, ${probeAllowed} accepted. Client keys: ${result.findings.some((f) => f.kind === "shared-client-key") ? "shared (see findings)" : "one per service"}.`,
  );
  if (result.inlinePolicies.length) {
    lines.push("");
    lines.push("**AWS inline policies**");
    lines.push("");
    for (const e of result.inlinePolicies) {
      const marks = [
        e.identityAdmin ? ` — **identity admin: ${mdText(e.identityAdmin)}${mdText(e.accepted ? " (accepted with allowIdentityAdmin: true)" : " (no allowIdentityAdmin opt-in)")}**` : "",
        e.unjudged ? ` — **unjudged: ${mdText(e.unjudged)}**` : "",
      ].join("");
      lines.push(`- ${e.identityAdmin || e.unjudged ? "⚠️ " : ""}${mdCode(e.service)}: ${mdText(e.text)}${marks}`);
    }
  }
  const accepted = result.findings.filter((f) => f.accepted);
  if (accepted.length) {
    lines.push("");
    lines.push("**Accepted identity-admin grants** (`allowIdentityAdmin: true`)");
    lines.push("");
    for (const f of accepted) lines.push(`- ⚠️ ${mdText(f.message)}`);
  }
  const failing = result.findings.filter((f) => !f.accepted);
  if (failing.length) {
    lines.push("");
    lines.push("**Findings**");
    lines.push("");
    for (const f of failing) lines.push(`- ${mdText(f.message)}`);
  }
  return lines.join("\n");
}
