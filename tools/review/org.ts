/**
 * The organisation layout in a pull request's review: a platform stack and the team stacks that
 * read it (their `okta-federation:team.platform`, last segment = the platform's stack file name).
 * A change to a platform is followed into every team stack that reads it (each team is planned with
 * the base's and with the head's platform, and what changes for it is said in words); a change to
 * any stack of an organisation is judged against the others by the organisation proof
 * (verifyOrganisation over the head's platform and teams), of which only the findings the base does
 * not have are the pull request's. Read as data, judged by this checkout's code, like every stack.
 */
import { CONFIG_NAMESPACE } from "../../components/config";
import { PLATFORM_CONFIG_KEY } from "../../components/config/platform";
import { TEAM_CONFIG_KEY } from "../../components/config/team";
import type { PlatformOutputsV1 } from "../../components/platformContract";
import { parseStackYaml } from "../offline/stackFile";
import { verifyOrganisation, type OrgFinding } from "../verify/org";
import { quotaWords } from "../verify/orgQuotas";
import { movesBetweenStacks, type StackMove } from "./orgMoves";
import { takeoverWords } from "./orgWords";
import type { PlanDocument } from "../verify/model";
import type { PlanOutcome } from "./plans";

import { PLATFORM_OUTPUT } from "../../components/platformContract";

/** What a stack file says it is. */
export interface StackRole {
  readonly kind: "platform" | "team" | "other";
  /** A team stack: the platform's full name and its stack file's name (the last segment). */
  readonly platform?: { readonly name: string; readonly stack: string };
  /** A team stack: its team's name and its services (as configured: their scopes and clouds). */
  readonly team?: string;
  readonly services?: Readonly<Record<string, TeamService>>;
}

interface TeamService {
  readonly scopes?: readonly string[];
  readonly gcp?: unknown;
  readonly aws?: unknown;
  readonly azure?: unknown;
}

/** A stack file's role in the organisation, read from its text (a file that does not parse is "other"). */
export function stackRole(text: string | undefined, stack: string): StackRole {
  if (text === undefined) return { kind: "other" };
  let config: Record<string, string>;
  try {
    config = parseStackYaml(text, { project: "okta-federation", stack, file: `Pulumi.${stack}.yaml` }).config;
  } catch {
    return { kind: "other" };
  }
  if (config[`${CONFIG_NAMESPACE}:${PLATFORM_CONFIG_KEY}`] !== undefined) return { kind: "platform" };
  const raw = config[`${CONFIG_NAMESPACE}:${TEAM_CONFIG_KEY}`];
  if (raw === undefined) return { kind: "other" };
  let team: { team?: unknown; platform?: unknown; services?: unknown } = {};
  try {
    team = JSON.parse(raw) as typeof team;
  } catch {
    return { kind: "other" };
  }
  const services = typeof team.services === "object" && team.services !== null && !Array.isArray(team.services) ? (team.services as Record<string, TeamService>) : {};
  return {
    kind: "team",
    ...(typeof team.platform === "string" ? { platform: { name: team.platform, stack: team.platform.split("/").pop()! } } : {}),
    ...(typeof team.team === "string" ? { team: team.team } : {}),
    services,
  };
}

/** One thing that changes for a team stack because its platform changes. */
export type TeamEffect =
  | { readonly kind: "trust-input"; readonly field: "issuer" | "audience"; readonly from: string; readonly to: string; readonly trusts: string }
  | { readonly kind: "scope-removed"; readonly scope: string; readonly services: readonly string[] }
  | { readonly kind: "team-removed"; readonly team: string }
  | { readonly kind: "band"; readonly from: number; readonly to: number }
  | { readonly kind: "gcp-provider"; readonly from: string; readonly to: string; readonly audience: string; readonly services: readonly string[] }
  | { readonly kind: "team-place"; readonly cloud: "AWS account" | "Azure resource group"; readonly from: string; readonly to: string }
  | { readonly kind: "platform-gone"; readonly reason: string }
  | { readonly kind: "fails"; readonly errors: readonly string[] }
  | { readonly kind: "replanned"; readonly changes: number; readonly lifecycle: number; readonly ownFileChanged: boolean }
  | { readonly kind: "none" };

export interface TeamStackEffects {
  readonly stack: string;
  readonly team?: string;
  readonly effects: readonly TeamEffect[];
}

/** One stack of an organisation, and what its changes do to the other stacks. */
export interface CrossStackEffects {
  readonly stack: string;
  /** The organisation proof's findings that involve this stack, new in the head. */
  readonly findings: readonly OrgFinding[];
  /**
   * Identity-admin grants of this stack, new in the head, that reach other stacks' identities and
   * that its own stack accepted (allowIdentityAdmin: true): not findings of the proof, but effects
   * on other stacks a reviewer must read (a grant without the opt-in is a finding above).
   */
  readonly takeovers: readonly string[];
  /**
   * Quotas of a GCP project or AWS account that this stack shares with others, past 80 % of a
   * default quota or over it, whose figures the head changes (verify/orgQuotas.ts), in words:
   * advisories, not findings (the quota may have been raised), but the `pulumi up` of whichever
   * stack deploys last fails at the first object past a quota that was not.
   */
  readonly quotas: readonly string[];
}

export interface OrgReview {
  /** The platform's stack file name, and its full name as its teams write it. */
  readonly platform: string;
  readonly platformName: string;
  /** Whether the head (or else the base) holds the platform's stack file. */
  readonly platformFound: boolean;
  /** Team stacks that read it, in the base or the head. */
  readonly teams: readonly string[];
  /** The platform's contract changes (fields other than each team's own entry), in words; undefined: the contract does not change. */
  readonly contractChanges?: readonly string[];
  /** Per team stack, what the platform's change does to it (only when the contract or the platform's plan changes). */
  readonly teamEffects: readonly TeamStackEffects[];
  /** The organisation proof, head against base: run when a stack of the organisation changes. */
  readonly crossStack?: {
    readonly stacks: readonly string[];
    /** Stacks left out of the proof because they do not plan in the head. */
    readonly leftOut: readonly string[];
    readonly perStack: readonly CrossStackEffects[];
    /** Findings the base has too (not this pull request's). */
    readonly known: number;
    /** Services and names held once that leave one of its stacks for another (orgMoves.ts): risky, not findings. */
    readonly moves: readonly StackMove[];
  };
}

/** What the review gives this module, per stack: its text and plan on each side, and whether its file changed. */
export interface OrgStackInput {
  readonly stack: string;
  readonly baseText?: string;
  readonly headText?: string;
  readonly base?: PlanOutcome;
  readonly head?: PlanOutcome;
  /** The stack file differs between base and head (or exists on one side only). */
  readonly fileChanged: boolean;
  /** The stack's access changes and lifecycle count as the review found them. */
  readonly changes: number;
  readonly lifecycle: number;
}

const contractOf = (outcome: PlanOutcome | undefined): PlatformOutputsV1 | undefined =>
  outcome?.kind === "planned" ? ((outcome.plan as unknown as { outputs?: Record<string, unknown> }).outputs?.[PLATFORM_OUTPUT] as PlatformOutputsV1 | undefined) : undefined;

const planOf = (outcome: PlanOutcome | undefined): PlanDocument | undefined => (outcome?.kind === "planned" ? outcome.plan : undefined);

const show = (value: unknown) => (value === undefined ? "(not set)" : typeof value === "string" ? value : JSON.stringify(value));

/** A team's entry in the contract, flattened (`oktaPriorityBand`, `gcp.providerId`, …). */
function flatEntry(entry: object | undefined): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  for (const [key, value] of Object.entries(entry ?? {})) {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) for (const [inner, v] of Object.entries(value)) flat.set(`${key}.${inner}`, v);
    else flat.set(key, value);
  }
  return flat;
}

/** The contract's fields other than `teams`, flattened (`okta.claims`, `aws.rolePath`, …), for the changes a reviewer reads. */
function flatContract(contract: PlatformOutputsV1 | undefined): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  if (!contract) return flat;
  for (const [key, value] of Object.entries(contract)) {
    if (key === "teams") continue;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      for (const [inner, v] of Object.entries(value)) flat.set(`${key}.${inner}`, v);
    } else flat.set(key, value);
  }
  return flat;
}

/** The platform contract's changes in words, except each team's own entry (said per team). */
function contractChangeLines(base: PlatformOutputsV1, head: PlatformOutputsV1): string[] {
  const was = flatContract(base);
  const now = flatContract(head);
  const lines: string[] = [];
  for (const key of [...new Set([...was.keys(), ...now.keys()])].sort()) {
    const a = was.get(key);
    const b = now.get(key);
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (key === "okta.scopes") {
      const removed = ((a as string[]) ?? []).filter((s) => !((b as string[]) ?? []).includes(s));
      const added = ((b as string[]) ?? []).filter((s) => !((a as string[]) ?? []).includes(s));
      for (const s of removed) lines.push(`scope ${s} removed`);
      for (const s of added) lines.push(`scope ${s} added`);
    } else lines.push(`${key} ${show(a)} → ${show(b)}`);
  }
  const teamsWas = Object.keys(base.teams ?? {});
  const teamsNow = Object.keys(head.teams ?? {});
  for (const t of teamsWas.filter((t) => !teamsNow.includes(t))) lines.push(`team ${t} removed from teams`);
  for (const t of teamsNow.filter((t) => !teamsWas.includes(t))) lines.push(`team ${t} added to teams`);
  // A team's own entry, field by field (its band, its AWS account, GCP provider id, Azure resource group).
  for (const t of teamsWas.filter((t) => teamsNow.includes(t))) {
    const a = flatEntry(base.teams[t]);
    const b = flatEntry(head.teams[t]);
    for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      if (JSON.stringify(a.get(key)) !== JSON.stringify(b.get(key))) lines.push(`teams.${t}.${key} ${show(a.get(key))} → ${show(b.get(key))}`);
    }
  }
  return lines;
}

/** The trusts of a team's plan that hold the issuer and the audience, counted in words. */
function trustsOf(plan: PlanDocument | undefined): string {
  if (!plan) return "its trusts";
  const count = (type: string) => plan.resources.filter((r) => r.type === type && r.operation !== "read").length;
  const parts = [
    [count("aws:iam/role:Role"), "AWS role", "AWS roles"],
    [count("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"), "GCP provider", "GCP providers"],
    [count("azure-native:managedidentity:FederatedIdentityCredential"), "Azure credential", "Azure credentials"],
  ] as const;
  const words = parts.filter(([n]) => n > 0).map(([n, one, many]) => `${n} ${n === 1 ? one : many}`);
  return words.length ? words.join(", ") : "no trust of its own";
}

/** What changes for one team stack when its platform's contract goes from `base` to `head`. */
function teamEffects(input: OrgStackInput, role: StackRole, platformBase: PlanOutcome | undefined, platformHead: PlanOutcome | undefined): TeamEffect[] {
  const base = contractOf(platformBase);
  const head = contractOf(platformHead);
  const effects: TeamEffect[] = [];
  const team = role.team ?? "";
  const services = role.services ?? {};
  if (!head) {
    effects.push({
      kind: "platform-gone",
      reason: platformHead === undefined ? "the head removes the platform's stack file" : platformHead.kind === "planned" ? "the head's platform exports no contract" : "the head's platform does not plan (its errors are in its own section)",
    });
  } else if (base) {
    if (base.okta.issuerUrl !== head.okta.issuerUrl) effects.push({ kind: "trust-input", field: "issuer", from: base.okta.issuerUrl, to: head.okta.issuerUrl, trusts: trustsOf(planOf(input.head) ?? planOf(input.base)) });
    if (base.okta.audience !== head.okta.audience) effects.push({ kind: "trust-input", field: "audience", from: base.okta.audience, to: head.okta.audience, trusts: trustsOf(planOf(input.head) ?? planOf(input.base)) });
    for (const scope of base.okta.scopes.filter((s) => !head.okta.scopes.includes(s))) {
      const using = Object.entries(services).filter(([, s]) => Array.isArray(s?.scopes) && s.scopes.includes(scope)).map(([name]) => name).sort();
      if (using.length) effects.push({ kind: "scope-removed", scope, services: using });
    }
    const was = base.teams?.[team];
    const now = head.teams?.[team];
    if (was && !now) effects.push({ kind: "team-removed", team });
    if (was && now) {
      if (was.oktaPriorityBand !== now.oktaPriorityBand) effects.push({ kind: "band", from: was.oktaPriorityBand, to: now.oktaPriorityBand });
      if (was.gcp && now.gcp && was.gcp.providerId !== now.gcp.providerId) {
        const gcpServices = Object.entries(services).filter(([, s]) => s?.gcp !== undefined).map(([name]) => name).sort();
        effects.push({ kind: "gcp-provider", from: was.gcp.providerId, to: now.gcp.providerId, audience: `//iam.googleapis.com/${head.gcp?.poolName ?? "<pool>"}/providers/${now.gcp.providerId}${head.gcp?.idSuffix ?? ""}`, services: gcpServices });
      }
      if (was.aws?.account !== now.aws?.account && (was.aws || now.aws)) effects.push({ kind: "team-place", cloud: "AWS account", from: show(was.aws?.account), to: show(now.aws?.account) });
      if (was.azure?.resourceGroup !== now.azure?.resourceGroup && (was.azure || now.azure)) effects.push({ kind: "team-place", cloud: "Azure resource group", from: show(was.azure?.resourceGroup), to: show(now.azure?.resourceGroup) });
    }
  }
  // (A platform that is gone already says why the team stack fails.)
  if (input.head && input.head.kind !== "planned" && !effects.some((e) => e.kind === "platform-gone")) effects.push({ kind: "fails", errors: input.head.errors });
  else if (input.head?.kind === "planned") effects.push({ kind: "replanned", changes: input.changes, lifecycle: input.lifecycle, ownFileChanged: input.fileChanged });
  return effects;
}

/** The organisations of a pull request: every platform stack any stack of the base or the head reads, or that either holds. */
export async function reviewOrganisations(inputs: readonly OrgStackInput[], codeChanged: boolean): Promise<OrgReview[]> {
  const byStack = new Map(inputs.map((i) => [i.stack, i]));
  const roles = new Map(inputs.map((i) => [i.stack, { base: stackRole(i.baseText, i.stack), head: stackRole(i.headText, i.stack) }]));
  // Platforms: stacks that are platforms on either side, and every platform a team names.
  const platforms = new Map<string, string>();
  for (const [stack, role] of roles) {
    for (const r of [role.base, role.head]) {
      if (r.kind === "platform" && !platforms.has(stack)) platforms.set(stack, stack);
      if (r.kind === "team" && r.platform) platforms.set(r.platform.stack, r.platform.name);
    }
  }
  const reviews: OrgReview[] = [];
  for (const [platform, platformName] of [...platforms].sort(([a], [b]) => a.localeCompare(b))) {
    const teams = [...roles]
      .filter(([stack, r]) => stack !== platform && [r.base, r.head].some((x) => x.kind === "team" && x.platform?.stack === platform))
      .map(([stack]) => stack)
      .sort();
    const p = byStack.get(platform);
    const baseContract = contractOf(p?.base);
    const headContract = contractOf(p?.head);
    const contractChanged = JSON.stringify(baseContract) !== JSON.stringify(headContract) || p?.base?.kind !== p?.head?.kind;
    const teamEffectsList: TeamStackEffects[] = [];
    if (p && contractChanged && (p.base || p.head)) {
      for (const stack of teams) {
        const input = byStack.get(stack)!;
        const role = roles.get(stack)!;
        const r = role.head.kind === "team" ? role.head : role.base;
        if (!input.head) continue; // a removed team stack is reviewed as removed
        const effects = teamEffects(input, r, p.base, p.head);
        teamEffectsList.push({ stack, ...(r.team ? { team: r.team } : {}), effects: effects.length ? effects : [{ kind: "none" }] });
      }
    }
    const contractChanges = baseContract && headContract && contractChanged ? contractChangeLines(baseContract, headContract) : undefined;

    // The organisation proof, when any of its stacks (or the code) changes.
    const members = [platform, ...teams].filter((s) => byStack.has(s));
    const changed = codeChanged || members.some((s) => byStack.get(s)!.fileChanged);
    let crossStack: OrgReview["crossStack"];
    if (changed && p?.head) {
      const headPlans = members.filter((s) => byStack.get(s)!.head?.kind === "planned");
      const leftOut = members.filter((s) => byStack.get(s)!.head && byStack.get(s)!.head!.kind !== "planned");
      const basePlans = members.filter((s) => byStack.get(s)!.base?.kind === "planned");
      const proof = async (stacks: string[], side: "base" | "head") => {
        if (stacks.length < 2) return { findings: [], takeovers: [], quotas: [] };
        const result = await verifyOrganisation(stacks.map((s) => ({ source: `stack ${s}`, plan: planOf(byStack.get(s)![side])! })));
        const takeovers = result.crossStack.takeovers.filter((t) => t.accepted).map((t) => ({ stack: t.stack, message: takeoverWords(t) }));
        // Over a hard limit is a finding already; the rest of what the proof advises on.
        const quotas = result.sharedQuotas
          .filter((q) => q.advisory !== undefined && !(q.over && q.kind === "limit"))
          .map((q) => ({ stacks: q.stacks.map((share) => share.stack), message: quotaWords(q) }));
        return { findings: result.findings, takeovers, quotas };
      };
      const headProof = await proof(headPlans, "head");
      const baseProof = await proof(basePlans, "base");
      const headFindings = headProof.findings;
      const baseMessages = new Set(baseProof.findings.map((f) => f.message));
      const fresh = headFindings.filter((f) => !baseMessages.has(f.message));
      const baseTakeovers = new Set(baseProof.takeovers.map((t) => t.message));
      const freshTakeovers = headProof.takeovers.filter((t) => !baseTakeovers.has(t.message));
      const baseQuotas = new Set(baseProof.quotas.map((q) => q.message));
      const freshQuotas = headProof.quotas.filter((q) => !baseQuotas.has(q.message));
      const changedMembers = members.filter((s) => byStack.get(s)!.fileChanged || codeChanged);
      const perStack = (changedMembers.length ? changedMembers : members)
        .filter((s) => headPlans.includes(s))
        .map((stack) => ({
          stack,
          findings: fresh.filter((f) => f.stacks.includes(stack)),
          takeovers: freshTakeovers.filter((t) => t.stack === stack).map((t) => t.message),
          quotas: freshQuotas.filter((q) => q.stacks.includes(stack)).map((q) => q.message),
        }));
      // A new finding between two stacks the PR does not change (a platform change can cause one) is listed under the first of them.
      for (const f of fresh) {
        if (!perStack.some((s) => f.stacks.includes(s.stack))) perStack.push({ stack: f.stacks[0]!, findings: [f], takeovers: [], quotas: [] });
      }
      for (const t of freshTakeovers) {
        if (!perStack.some((s) => s.stack === t.stack)) perStack.push({ stack: t.stack, findings: [], takeovers: [t.message], quotas: [] });
      }
      for (const q of freshQuotas) {
        if (!perStack.some((s) => q.stacks.includes(s.stack))) perStack.push({ stack: q.stacks[0]!, findings: [], takeovers: [], quotas: [q.message] });
      }
      const sideOf = (outcome: PlanOutcome | undefined) => (outcome === undefined ? undefined : outcome.kind === "planned" ? outcome.plan : null);
      const servicesOf = (role: StackRole) => (role.kind === "team" ? Object.keys(role.services ?? {}) : undefined);
      const moves = movesBetweenStacks(
        members.map((s) => ({ stack: s, base: sideOf(byStack.get(s)!.base), head: sideOf(byStack.get(s)!.head), baseServices: servicesOf(roles.get(s)!.base), headServices: servicesOf(roles.get(s)!.head) })),
      );
      crossStack = { stacks: headPlans, leftOut, perStack, known: headFindings.length - fresh.length, moves };
    }
    reviews.push({
      platform,
      platformName,
      platformFound: Boolean(p?.headText ?? p?.baseText),
      teams,
      ...(contractChanges ? { contractChanges } : {}),
      teamEffects: teamEffectsList,
      ...(crossStack ? { crossStack } : {}),
    });
  }
  return reviews;
}

/**
 * How many risky cross-stack effects an organisation review holds, new in the head (listed, not
 * failing): accepted identity-admin grants reaching other stacks, and moves between stacks.
 */
export const newCrossStackRisks = (org: OrgReview) => (org.crossStack?.perStack ?? []).reduce((n, s) => n + s.takeovers.length, 0) + (org.crossStack?.moves.length ?? 0);

/** How many new cross-stack findings an organisation review holds. */
export const newCrossStackFindings = (org: OrgReview) => new Set((org.crossStack?.perStack ?? []).flatMap((s) => s.findings.map((f) => f.message))).size;
