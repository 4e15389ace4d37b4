/**
 * Identity-admin grants of one stack that reach identities of other stacks (org.ts), judged by the
 * same predicates as one stack's (identityAdminGrants.ts) over the other stacks' targets; a grant
 * administering a pool another stack holds (a platform's) reaches every principal of the pool. A
 * grant its stack accepted (allowIdentityAdmin: true) is listed, not a finding.
 */
import { extractModel, type PlanDocument, type TrustModel } from "./model";
import type { OrgFinding, OrgStack } from "./org";
import { valueOf as get } from "./orgDocuments";

/** An identity-admin grant of one stack that reaches identities of other stacks. */
export interface CrossStackTakeover {
  readonly stack: string;
  readonly service: string;
  readonly grant: string;
  readonly why: string;
  /** Accepted in its own stack with allowIdentityAdmin: true (then listed, not a finding). */
  readonly accepted: boolean;
  /** The other stacks' targets it reaches: `<stack>:<target id>`, with their labels. */
  readonly reach: ReadonlyArray<{ readonly stack: string; readonly target: string; readonly label: string }>;
}

/** Reached targets in words, by stack: "team-data-stage: GCP direct grants warehouse, GCP service account …". */
export function takeoverList(reach: CrossStackTakeover["reach"], max = 5): string {
  const by = new Map<string, string[]>();
  for (const r of reach) by.set(r.stack, [...(by.get(r.stack) ?? []), r.label]);
  return [...by].map(([stack, labels]) => `${stack}: ${labels.length > max ? `${labels.slice(0, max).join(", ")} and ${labels.length - max} more` : labels.join(", ")}`).join("; ");
}

/**
 * The grants of `stacks` (each verified on its own) that reach other stacks: `models` are the
 * stacks' models with shared pools, `combined` each stack's document with its platform's objects,
 * `ownQualified` each stack's own resources (which stack holds each pool).
 */
export function crossStackTakeovers(
  stacks: readonly OrgStack[],
  models: readonly TrustModel[],
  combined: readonly PlanDocument[],
  ownQualified: readonly PlanDocument[],
): { takeovers: CrossStackTakeover[]; findings: OrgFinding[] } {
  const takeovers: CrossStackTakeover[] = [];
  const findings: OrgFinding[] = [];
  const holders = stacks.map((s, i) => (s.result.identityAdmin.length ? i : -1)).filter((i) => i >= 0);
  if (!holders.length) return { takeovers, findings };
  const foreignOf = (i: number) =>
    models.flatMap((m, j) => (j === i ? [] : m.targets.map((t) => ({ ...t, id: `${m.stack}:${t.id}`, owner: `${m.stack}/${t.owner}`, grants: [] }))));
  const labels = new Map<string, { stack: string; target: string; label: string }>();
  for (const m of models) for (const t of m.targets) labels.set(`${m.stack}:${t.id}`, { stack: m.stack, target: t.id, label: t.label });
  // The stack that holds each pool (a platform's): administering it reaches every team's principals in it.
  const poolOwner = new Map<string, string>();
  for (const plan of ownQualified) {
    for (const r of plan.resources) if (r.type === "gcp:iam/workloadIdentityPool:WorkloadIdentityPool" && r.operation !== "read") poolOwner.set(String(get(r, "name")), plan.stack);
  }
  for (const i of holders) {
    const model = extractModel(combined[i]!, { foreignTargets: foreignOf(i) });
    for (const grant of model.identityAdminGrants) {
      const pools = (grant.administeredPools ?? [])
        .filter((name) => poolOwner.has(name) && poolOwner.get(name) !== model.stack)
        .map((name) => ({ stack: poolOwner.get(name)!, target: `gcp-pool:${name.split("/").pop()}`, label: `GCP pool ${name.split("/").pop()} (its providers decide every principal of the pool)` }));
      if (!grant.crossStackReach?.length && pools.length === 0) continue;
      const reach = [...(grant.crossStackReach ?? []).map((id) => labels.get(id)!).filter(Boolean), ...pools];
      takeovers.push({ stack: model.stack, service: grant.service, grant: grant.grant, why: grant.why, accepted: grant.accepted, reach });
      if (grant.accepted) continue;
      const otherStacks = [...new Set(reach.map((r) => r.stack))];
      findings.push({
        kind: "cross-stack-takeover",
        stacks: [model.stack, ...otherStacks],
        message: `${model.stack}/${grant.service} holds ${grant.grant}, which ${grant.why}: it could take over identities of ${otherStacks.length === 1 ? "stack" : "stacks"} ${otherStacks.join(", ")}: ${takeoverList(reach)} (no allowIdentityAdmin opt-in)`,
      });
    }
  }
  return { takeovers, findings };
}
