/**
 * What `pulumi up` will replace or delete, per resource, from a base and a head plan: the engine's
 * step generation as it follows from the providers' replacement rules
 * (components/internal/replacements.ts) and each resource's own `replaceOnChanges`, with the impact
 * on running workloads in words.
 *
 * Resources are matched by URN, or through an alias the head records (a service's `renamedFrom`):
 * pass the head as followRenames (renames.ts) returns it, so that a renamed resource's placeholders
 * read as the base's. A head resource whose URN the base does not hold is created; a base resource
 * that no head resource holds or aliases is deleted.
 *
 * Placeholders (`<resource.property>`) are equal in two plans unless a value is new: a value computed
 * from a replaced resource (one of its after-deploy outputs) is unknown during the preview and counts
 * as changed, so a replacement propagates to every resource whose replacing input depends on it
 * (pulumi/pulumi pkg/resource/deploy/step_generator.go: a changed input named by the provider's
 * replaces, or by replaceOnChanges, plans a replacement; with delete-before-replace the dependents'
 * inputs on the replaced resource are re-diffed as unknown, calculateDependentReplacements).
 *
 * A created resource that the head reads instead (an adopted authorization server in place of the
 * one the stack created) is a read-replacement: the engine deletes the created one
 * (step_generator.go GenerateReadSteps, NewReadReplacementStep).
 */
import { deletesFirst, replacingInputs, REPLACEMENT_RULES } from "../../components/internal/replacements";
import { parallelDeletedPolicies, type OrderingDocument } from "../../components/internal/oktaPlanOrder";
import { placeholderNames } from "../../components/internal/placeholder";
import type { PlanDocument, PlanResource } from "./model";
import { POLICY, deletionImpact, replacementImpact, resourceLabel, type LifecycleResource as Resource } from "./lifecycleImpact";

/** One resource `pulumi up` replaces or deletes. */
export interface LifecycleChange {
  readonly kind: "replaced" | "deleted";
  readonly urn: string;
  readonly type: string;
  /** The resource's logical name (the base's, for a renamed resource). */
  readonly name: string;
  /** The resource in words, e.g. "AWS role dev-payments". */
  readonly label: string;
  /** Why it is replaced (the inputs that change and the rule that makes them replace), or why it is deleted. */
  readonly because: string;
  /** What it does to running workloads. */
  readonly impact: string;
  /** The old resource is deleted before its replacement exists. */
  readonly deleteFirst: boolean;
  /** Why a reviewer must read it (an identity replaced or deleted, an id kept reserved), when so. */
  readonly risk?: string;
}

/** Several Okta access policies of one server deleted in one update with no order between them. */
export interface PolicyDeleteGroup {
  /** The authorization server, in words. */
  readonly server: string;
  /** The policies, in words. */
  readonly policies: readonly string[];
}

export interface LifecycleReport {
  readonly changes: readonly LifecycleChange[];
  /** Deletions that race at Okta, each with how to split them. */
  readonly policyDeleteGroups: readonly PolicyDeleteGroup[];
}

export { resourceLabel } from "./lifecycleImpact";

export const EMPTY_LIFECYCLE: LifecycleReport = { changes: [], policyDeleteGroups: [] };


const POLICY_RACE =
  "Okta answers parallel writes of one server's policies with HTTP 500 or 423 E0000239, which the provider does not retry, and the engine orders deletes only by direct dependencies among the deleted resources";

/** Custom resources the stack manages or reads: not providers, not components. */
const managed = (r: Resource) => r.custom !== false && !r.type.startsWith("pulumi:providers:") && !r.type.startsWith("oktafed:") && r.type !== "pulumi:pulumi:StackReference";

/** JSON with sorted keys, so that two equal values compare equal whatever their key order. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

/** A value in a line: short values whole, long ones cut. */
function shown(value: unknown): string {
  const text = value === undefined ? "(unset)" : typeof value === "string" ? value : stable(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** Every string inside a value. */
function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(stringsIn);
  return [];
}

/** A rule's source in short: the repository and the first file with its function. */
function citation(source: string): string {
  const repo = /^[\w.-]+\/[\w.-]+/.exec(source)?.[0] ?? "";
  const file = /([\w.]+\.go) (\w+)/.exec(source);
  return file ? `${repo} ${file[1]} ${file[2]}` : repo;
}

/** Why a resource is replaced, in words. */
function reasons(found: ReturnType<typeof replacingInputs>, base: Resource, head: Resource, newFrom: ReadonlyMap<string, string>): string {
  const rule = REPLACEMENT_RULES[head.type];
  return found
    .map(({ property, why, condition }) => {
      const from = newFrom.get(property);
      const change = from ? `${property} takes a new value from ${from}, which is replaced` : `${property} changes from ${shown(base.inputs[property])} to ${shown(head.inputs[property])}`;
      if (why === "replaceOnChanges") return `${change} (replaceOnChanges: the provider would update it in place and send the old ids)`;
      return `${change} (${condition ? `the provider replaces when it ${condition}` : "the provider replaces on it"}${rule ? `: ${citation(rule.source)}` : ""})`;
    })
    .join("; ");
}

export interface LifecycleOptions {
  /**
   * Groups of Okta policies deleted together without an order, as a detector computes them; by
   * default {@link unorderedPolicyDeletes} decides from the base plan's dependencies.
   */
  readonly policyDeleteGroups?: (base: PlanDocument, deleted: readonly PlanResource[]) => readonly PolicyDeleteGroup[];
}

/** What `pulumi up` will replace or delete, going from the base plan to the head plan. */
export function lifecycleChanges(basePlan: PlanDocument, headPlan: PlanDocument, options: LifecycleOptions = {}): LifecycleReport {
  const base = (basePlan.resources as readonly Resource[]).filter(managed);
  const head = (headPlan.resources as readonly Resource[]).filter(managed);
  const baseByUrn = new Map(base.map((r) => [r.urn, r]));
  const pairs: Array<{ base: Resource; head: Resource }> = [];
  const kept = new Set<string>();
  for (const r of head) {
    const old = baseByUrn.get(r.urn) ?? r.aliases?.map((a) => baseByUrn.get(a)).find((b) => b !== undefined && !kept.has(b.urn));
    if (old && !kept.has(old.urn)) {
      kept.add(old.urn);
      pairs.push({ base: old, head: r });
    }
  }

  const replaced = new Map<Resource, LifecycleChange>();
  /** The head resources a value may come from, by the placeholder names and after-deploy values each produces. */
  const producers = (r: Resource) => new Set([r.name, pairs.find((p) => p.head === r)?.base.name ?? r.name]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const { base: old, head: now } of pairs) {
      if (replaced.has(now)) continue;
      const readReplaced = old.operation !== "read" && now.operation === "read";
      if (old.operation === "read" || now.operation === "read") {
        if (readReplaced) {
          const { impact, risk } = deletionImpact(old);
          replaced.set(now, {
            kind: "replaced",
            urn: now.urn,
            type: now.type,
            name: old.name,
            label: resourceLabel(old),
            because: `the head reads an existing object (id ${String(now.id)}) in its place: the engine deletes the one the stack created (read-replacement)`,
            impact: `${impact}; ${resourceLabel(now)} takes its place`,
            deleteFirst: false,
            ...(risk ? { risk } : {}),
          });
          grew = true;
        }
        continue;
      }
      // An input the head leaves out keeps the value it has (an optional, computed field such as an
      // app's clientId, which a stack export's base carries from the outputs): no change.
      const keys = Object.keys(now.inputs ?? {}).filter((k) => now.inputs[k] !== undefined);
      const changed = keys.filter((k) => stable(old.inputs[k]) !== stable(now.inputs[k]));
      // Inputs that take a value computed from a replaced resource: new, though the text is equal.
      const newFrom = new Map<string, string>();
      for (const k of keys.filter((k) => !changed.includes(k))) {
        const names = new Set(placeholderNames(now.inputs[k]).map((p) => p.slice(1, p.lastIndexOf("."))));
        const values = new Set(stringsIn(now.inputs[k]));
        for (const [r, change] of replaced) {
          const fromPlaceholder = [...producers(r)].some((n) => names.has(n));
          const fromValue = (now.dependsOn ?? []).includes(r.urn) && stringsIn(r.afterDeploy ?? {}).some((v) => values.has(v));
          if (fromPlaceholder || fromValue) {
            newFrom.set(k, change.label);
            break;
          }
        }
      }
      const found = replacingInputs(now.type, [...changed, ...newFrom.keys()], old.inputs, now.inputs, now.replaceOnChanges ?? []);
      if (found.length === 0) continue;
      const deleteFirst = deletesFirst(now.type, now.inputs) || Boolean((now as { deleteBeforeReplace?: boolean }).deleteBeforeReplace);
      const { impact, risk } = replacementImpact(old, now, deleteFirst);
      replaced.set(now, {
        kind: "replaced",
        urn: now.urn,
        type: now.type,
        name: old.name,
        label: resourceLabel(now),
        because: reasons(found, old, now, newFrom),
        impact: `${old.protect ? "protected: pulumi up stops with an error until it is unprotected (pulumi state unprotect); " : ""}${impact}`,
        deleteFirst,
        ...(risk ? { risk } : {}),
      });
      grew = true;
    }
  }

  const deletedResources = base.filter((r) => !kept.has(r.urn) && r.operation !== "read");
  const deleted: LifecycleChange[] = deletedResources.map((r) => {
    const { impact, risk } = deletionImpact(r);
    return {
      kind: "deleted",
      urn: r.urn,
      type: r.type,
      name: r.name,
      label: resourceLabel(r),
      because: "the head no longer registers it",
      impact: r.protect ? `protected: pulumi up stops with an error until it is unprotected (pulumi state unprotect)${impact ? `; ${impact}` : ""}` : impact,
      deleteFirst: false,
      ...(risk ? { risk } : {}),
    };
  });
  // The old copies of replaced resources are deleted by the same schedule as removed ones.
  const replacedOld = pairs.filter((p) => replaced.has(p.head) && !replaced.get(p.head)!.deleteFirst).map((p) => p.base);
  const groups = (options.policyDeleteGroups ?? unorderedPolicyDeletes)(basePlan, [...deletedResources, ...replacedOld]);
  return { changes: [...replaced.values(), ...deleted], policyDeleteGroups: groups };
}

/**
 * Okta access policies of one server that one update deletes in the same round of the engine's
 * delete schedule, by components/internal/oktaPlanOrder.ts parallelDeletedPolicies (the engine's
 * rounds, reproduced from pulumi/pulumi step_generator.go ScheduleDeletes), in words. `deleted`
 * holds the base resources the update deletes: removed ones, and the old copies of replaced ones.
 */
export function unorderedPolicyDeletes(basePlan: PlanDocument, deleted: readonly PlanResource[]): PolicyDeleteGroup[] {
  const byUrn = new Map((basePlan.resources as readonly Resource[]).map((r) => [r.urn, r]));
  for (const r of deleted as readonly Resource[]) if (!byUrn.has(r.urn)) byUrn.set(r.urn, r);
  const document = { resources: [...byUrn.values()] } as unknown as OrderingDocument;
  const server = (id: string) => {
    const found = (basePlan.resources as readonly Resource[]).find((r) => r.type === "okta:auth/server:Server" && (r.afterDeploy?.id === id || r.id === id));
    return found ? resourceLabel(found) : `Okta authorization server ${id}`;
  };
  return parallelDeletedPolicies(document, deleted.map((r) => r.urn)).map((g) => ({
    server: server(g.server),
    policies: g.policies.map((p) => resourceLabel(byUrn.get(p.urn)!)).sort(),
  }));
}

/** The line that says how to deploy a group of racing policy deletions. */
export function policyGroupMessage(group: PolicyDeleteGroup): string {
  return `${group.policies.join(", ")} of ${group.server} are deleted in one update with no order between them: ${POLICY_RACE}; deploy these removals one at a time (one service per update)`;
}

/** Risky entries first, then replacements, then deletions. */
export function lifecycleRiskyCount(report: LifecycleReport | undefined): number {
  return report ? report.changes.filter((c) => c.risk).length + report.policyDeleteGroups.length : 0;
}

export function lifecycleCount(report: LifecycleReport | undefined): number {
  return report ? report.changes.length + report.policyDeleteGroups.length : 0;
}
