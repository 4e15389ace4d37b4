/**
 * What a recorded plan contains: resource counts (total and per service) and the critical-path
 * depth of the dependency graph.
 */
import type { RecordedResource } from "../../tools/offline/engine";

/** The fields of a recorded resource the benchmark keeps (as written to the temp JSON file). */
export type BenchResource = Omit<RecordedResource, "aliases">;

/** What a kit run registered and returned, as the comparison programs need it (the temp JSON file). */
export interface BenchPlan {
  readonly resources: readonly BenchResource[];
  /** The stack outputs as the engine received them (serialized by the SDK; secrets still wrapped). */
  readonly outputs: Readonly<Record<string, unknown>>;
}

/**
 * The service a resource belongs to: its name is `<prefix><key>` or starts with `<prefix><key>-`
 * (the kit names every per-service resource after the service key under the Federation
 * component's name); undefined for a shared resource.
 */
export function serviceOwner(name: string, serviceKeys: readonly string[], prefix = "federation-"): string | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return serviceKeys.find((k) => rest === k || rest.startsWith(`${k}-`));
}

export const isProvider = (r: { type: string }) => r.type.startsWith("pulumi:providers:");

export interface GraphSummary {
  /** Every registration, components included. */
  readonly all: number;
  readonly components: number;
  readonly providers: number;
  /** Custom resources, providers excluded. */
  readonly custom: number;
  /** Custom resources (providers excluded) attributable to one service, min and max over services. */
  readonly customPerService: { min: number; max: number };
  /** All registrations attributable to one service, min and max over services. */
  readonly allPerService: { min: number; max: number };
  /** Custom resources shared by all services (authorization server, scopes, OIDC provider, pool, ...). */
  readonly sharedCustom: number;
  /** Longest dependency chain over custom resources (providers excluded); one resource alone is depth 1. */
  readonly depth: number;
  /** One longest chain, by resource name, from first to last. */
  readonly criticalPath: readonly string[];
  /** Registrations per type. */
  readonly byType: Readonly<Record<string, number>>;
}

/**
 * Each custom resource's dependencies as custom resources (providers excluded): depending on a
 * component means depending on every custom resource under it. Keyed by URN, in recorded order.
 */
export function customDependencies(resources: readonly BenchResource[]): Map<string, string[]> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const children = new Map<string, BenchResource[]>();
  for (const r of resources) {
    if (!r.parent) continue;
    const list = children.get(r.parent);
    if (list) list.push(r);
    else children.set(r.parent, [r]);
  }
  const customUnder = new Map<string, string[]>();
  const expand = (urn: string): string[] => {
    const r = byUrn.get(urn);
    if (!r) return [];
    if (r.custom) return isProvider(r) ? [] : [urn];
    const cached = customUnder.get(urn);
    if (cached) return cached;
    const out = (children.get(urn) ?? []).flatMap((c) => expand(c.urn));
    customUnder.set(urn, out);
    return out;
  };
  const nodes = resources.filter((r) => r.custom && !isProvider(r));
  return new Map(nodes.map((r) => [r.urn, [...new Set(r.dependencies.flatMap(expand))].filter((d) => d !== r.urn).sort()]));
}

/**
 * Summarises a plan of services keyed by `serviceKeys`. A resource belongs to a service when its
 * name is `<prefix><key>` or starts with `<prefix><key>-` (the kit names every per-service
 * resource after the service key under the Federation component's name).
 */
export function summarise(resources: readonly BenchResource[], serviceKeys: readonly string[], prefix = "federation-"): GraphSummary {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const nodes = resources.filter((r) => r.custom && !isProvider(r));
  const deps = customDependencies(resources);
  const depth = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  const visiting = new Set<string>();
  const depthOf = (urn: string): number => {
    const known = depth.get(urn);
    if (known !== undefined) return known;
    if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
    visiting.add(urn);
    let best = 0;
    let from: string | undefined;
    for (const d of deps.get(urn) ?? []) {
      const dd = depthOf(d);
      if (dd > best) [best, from] = [dd, d];
    }
    visiting.delete(urn);
    depth.set(urn, best + 1);
    via.set(urn, from);
    return best + 1;
  };
  let maxDepth = 0;
  let tail: string | undefined;
  for (const r of nodes) {
    const d = depthOf(r.urn);
    if (d > maxDepth) [maxDepth, tail] = [d, r.urn];
  }
  const criticalPath: string[] = [];
  for (let u = tail; u !== undefined; u = via.get(u)) criticalPath.unshift(byUrn.get(u)!.name);

  const ownerOf = (name: string) => serviceOwner(name, serviceKeys, prefix);
  const perService = new Map(serviceKeys.map((k) => [k, { custom: 0, all: 0 }]));
  let sharedCustom = 0;
  for (const r of resources) {
    const owner = ownerOf(r.name);
    const isCustom = r.custom && !isProvider(r);
    if (owner) {
      const counts = perService.get(owner)!;
      counts.all++;
      if (isCustom) counts.custom++;
    } else if (isCustom) {
      sharedCustom++;
    }
  }
  const range = (values: number[]) => ({ min: Math.min(...values), max: Math.max(...values) });
  const counts = [...perService.values()];

  const byType: Record<string, number> = {};
  for (const r of resources) byType[r.type] = (byType[r.type] ?? 0) + 1;

  return {
    all: resources.length,
    components: resources.filter((r) => !r.custom).length,
    providers: resources.filter(isProvider).length,
    custom: nodes.length,
    customPerService: range(counts.map((c) => c.custom)),
    allPerService: range(counts.map((c) => c.all)),
    sharedCustom,
    depth: maxDepth,
    criticalPath,
    byType: Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b))),
  };
}
