/**
 * The order of Okta writes as a plan document or a stack export records it: the documents verify
 * and the review read, the proof that the write lanes (oktaPacing.ts) bound how many Okta writes of
 * a plan run at once, and which policy deletes of one update the engine runs in parallel (its
 * delete rounds). No Pulumi here: verify and the review apply these functions to plan documents
 * and stack exports.
 *
 * Sources (each fact the code relies on is cited where it is used):
 * - okta/terraform-provider-okta v6.12.0 (e59c130b; @pulumi/okta 7.0.0 bridges v7.0.0, whose source
 *   is not available offline; the schema facts below match the 7.0.0 SDK's own types):
 *   okta/api/api.go.
 * - pulumi/pulumi 1b5949891b (v3.259.0-14): pkg/resource/deploy/step_generator.go (ScheduleDeletes),
 *   pkg/resource/graph/dependency_graph.go (DependenciesOf).
 */
import { list } from "./oktaPriorities";

// ---------------------------------------------------------------------------------------------
// Plan documents: what the functions below read
// ---------------------------------------------------------------------------------------------

/** One resource of a plan document (`npm run plan -- --json`) or of a stack export read as one. */
export interface OrderingResource {
  readonly urn: string;
  readonly type: string;
  readonly name?: string;
  readonly parent?: string | null;
  /** false for a component; a plan lists it, an export as `custom`. */
  readonly custom?: boolean;
  /** "read" for a resource read rather than managed (an adopted server); the offline engine's record says `read: true`. */
  readonly operation?: string;
  readonly read?: boolean;
  /** URNs this resource waits for (the plan's `dependsOn`; an export's `dependencies`). */
  readonly dependsOn?: readonly string[];
  readonly dependencies?: readonly string[];
  /** Former URNs it keeps its identity from. */
  readonly aliases?: readonly unknown[];
  readonly provider?: string | null;
  readonly inputs?: Readonly<Record<string, unknown>>;
}

export interface OrderingDocument {
  readonly resources: readonly OrderingResource[];
}

const POLICY_TYPE = "okta:auth/serverPolicy:ServerPolicy";

/** A write to Okta: a managed resource of the okta package (not a read, not the provider itself). */
export function isOktaWrite(r: OrderingResource): boolean {
  return r.type.startsWith("okta:") && r.operation !== "read" && r.read !== true && r.custom !== false;
}

const depsOf = (r: OrderingResource): readonly string[] => r.dependsOn ?? r.dependencies ?? [];

// ---------------------------------------------------------------------------------------------
// The bound, proven on a plan's dependency graph
// ---------------------------------------------------------------------------------------------

export interface OktaWriteConcurrency {
  /** Okta writes in the plan. */
  readonly writes: number;
  /** The largest set of Okta writes no dependency path orders: the most that can run at once. */
  readonly width: number;
  /** A smallest cover of the writes by dependency chains (as many as `width`, Dilworth), by name. */
  readonly chains: readonly (readonly string[])[];
}

/**
 * The most Okta writes of a plan that can run at once under `pulumi up`: the engine starts an
 * operation when every resource it depends on is done and bounds nothing else (beyond
 * `--parallel`), so two writes can overlap exactly when no dependency path orders them. The largest
 * such set is the width of the writes' order, computed exactly as the number of writes minus a
 * maximum matching between each write and a write that must finish before it (Dilworth's theorem:
 * the width equals the fewest chains that cover the order). Paths through other resources count.
 */
export function oktaWriteConcurrency(doc: OrderingDocument): OktaWriteConcurrency {
  const resources = doc.resources;
  const index = new Map(resources.map((r, i) => [r.urn, i]));
  const children = new Map<string, number[]>();
  for (const [i, r] of resources.entries()) if (r.parent) (children.get(r.parent) ?? children.set(r.parent, []).get(r.parent)!).push(i);
  // A dependency on a component is one on everything under it.
  const expand = (urn: string, out: Set<number>, seen = new Set<string>()): void => {
    if (seen.has(urn)) return;
    seen.add(urn);
    const i = index.get(urn);
    if (i === undefined) return;
    if (resources[i]!.custom === false) for (const c of children.get(urn) ?? []) expand(resources[c]!.urn, out, seen);
    else out.add(i);
  };
  const deps = resources.map((r) => {
    const out = new Set<number>();
    for (const d of depsOf(r)) expand(d, out);
    return [...out];
  });
  const order = topologicalOrder(deps);
  const writeIndex = new Map<number, number>();
  const writes: number[] = [];
  for (const i of order) if (isOktaWrite(resources[i]!)) writeIndex.set(i, writes.push(i) - 1);
  const n = writes.length;
  const words = Math.ceil(n / 32) || 1;
  // before[r]: the writes that must finish before resource r starts (bitset over write indices).
  const before = new Map<number, Uint32Array>();
  for (const i of order) {
    const set = new Uint32Array(words);
    for (const d of deps[i]!) {
      const b = before.get(d);
      if (b) for (let w = 0; w < words; w++) set[w]! |= b[w]!;
      const wi = writeIndex.get(d);
      if (wi !== undefined) set[wi >>> 5]! |= 1 << (wi & 31);
    }
    before.set(i, set);
  }
  const rows = writes.map((i) => before.get(i)!);
  // Prefer a direct predecessor when matching: the chains then follow the lanes as written.
  const direct = writes.map((i) => deps[i]!.map((d) => writeIndex.get(d)).filter((w): w is number => w !== undefined));
  const next = maxMatching(n, rows, direct);
  const prev = new Int32Array(n).fill(-1);
  for (let u = 0; u < n; u++) if (next[u]! >= 0) prev[next[u]!] = u;
  const chains: string[][] = [];
  for (let u = 0; u < n; u++) {
    if (prev[u] !== -1) continue;
    const chain: string[] = [];
    for (let v = u; v >= 0; v = next[v]!) chain.push(resources[writes[v]!]!.name ?? resources[writes[v]!]!.urn);
    chains.push(chain);
  }
  return { writes: n, width: chains.length, chains };
}

/** Resource indices with every dependency first (registration order when it already is one). */
function topologicalOrder(deps: readonly (readonly number[])[]): number[] {
  const state = new Uint8Array(deps.length);
  const out: number[] = [];
  for (let start = 0; start < deps.length; start++) {
    if (state[start]) continue;
    const stack: Array<[number, number]> = [[start, 0]];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [node, k] = top;
      const list = deps[node]!;
      if (k < list.length) {
        top[1] = k + 1;
        const d = list[k]!;
        if (state[d] === 0) {
          state[d] = 1;
          stack.push([d, 0]);
        }
        continue;
      }
      state[node] = 2;
      out.push(node);
      stack.pop();
    }
  }
  return out;
}

/**
 * A maximum matching of each write v with one write u ∈ before[v] (u's successor in its chain),
 * by Hopcroft–Karp over the bitset rows; `direct` seeds it greedily. Returns next[u] = v or -1.
 */
function maxMatching(n: number, rows: readonly Uint32Array[], direct: readonly (readonly number[])[]): Int32Array {
  const matchOfRight = new Int32Array(n).fill(-1); // v -> u
  const matchOfLeft = new Int32Array(n).fill(-1); // u -> v
  for (let v = 0; v < n; v++) {
    for (const u of direct[v]!) {
      if (matchOfLeft[u] === -1) {
        matchOfLeft[u] = v;
        matchOfRight[v] = u;
        break;
      }
    }
  }
  const INF = 0x7fffffff;
  const dist = new Int32Array(n);
  const forEachBit = (row: Uint32Array, fn: (u: number) => boolean): boolean => {
    for (let w = 0; w < row.length; w++) {
      let bits = row[w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        const u = (w << 5) + (31 - Math.clz32(low));
        if (fn(u)) return true;
        bits ^= low;
      }
    }
    return false;
  };
  for (;;) {
    // BFS over right vertices v (each wants a predecessor u).
    const queue: number[] = [];
    for (let v = 0; v < n; v++) {
      if (matchOfRight[v] === -1) {
        dist[v] = 0;
        queue.push(v);
      } else dist[v] = INF;
    }
    let found = false;
    for (let q = 0; q < queue.length; q++) {
      const v = queue[q]!;
      forEachBit(rows[v]!, (u) => {
        const w = matchOfLeft[u]!;
        if (w === -1) found = true;
        else if (dist[w] === INF) {
          dist[w] = dist[v]! + 1;
          queue.push(w);
        }
        return false;
      });
    }
    if (!found) break;
    const augment = (v: number): boolean => {
      const ok = forEachBit(rows[v]!, (u) => {
        const w = matchOfLeft[u]!;
        if (w === -1 || (dist[w] === dist[v]! + 1 && augment(w))) {
          matchOfLeft[u] = v;
          matchOfRight[v] = u;
          return true;
        }
        return false;
      });
      if (!ok) dist[v] = INF;
      return ok;
    };
    let augmented = false;
    for (let v = 0; v < n; v++) if (matchOfRight[v] === -1 && augment(v)) augmented = true;
    if (!augmented) break;
  }
  return matchOfLeft;
}

// ---------------------------------------------------------------------------------------------
// Removals: which policy deletes of one update run in parallel
// ---------------------------------------------------------------------------------------------

export interface ParallelPolicyDeletes {
  /** The server the policies belong to: their `authServerId` input as the base document holds it. */
  readonly server: string;
  /** The policies the engine deletes at the same time, by URN and logical name, in name order. */
  readonly policies: ReadonlyArray<{ readonly urn: string; readonly name: string }>;
}

/**
 * The policies of one server that one `pulumi up` from `base` to `head` deletes in parallel, as
 * the engine schedules deletes: pulumi/pulumi step_generator.go ScheduleDeletes layers the
 * resources it deletes into rounds (each round: every condemned resource none of whose
 * dependencies is still condemned) and runs each round's deletes in parallel; dependencies are
 * dependency_graph.go DependenciesOf: the direct dependencies, the parent, the provider, and for a
 * component dependency its children. Only direct dependencies among the deleted order them, so
 * two services' policies that the chain linked through a third that stays are deleted together,
 * which Okta answers with 500 or 423 E0000239 (never retried: okta/api/api.go checkRetry).
 *
 * Deleted: the base's resources that the head neither keeps (same URN) nor takes over by an alias,
 * plus `replaced`: URNs of base resources the update replaces (their old copies are deleted with
 * the same schedule). Policies are read by type; their dependencies as the base records them (the
 * state the engine schedules from). Returns the groups of two or more, server by server.
 */
export function parallelPolicyDeletes(base: OrderingDocument, head: OrderingDocument, replaced: Iterable<string> = []): ParallelPolicyDeletes[] {
  const kept = new Set<string>();
  for (const r of head.resources) {
    kept.add(r.urn);
    for (const a of r.aliases ?? []) if (typeof a === "string") kept.add(a);
  }
  const condemned = new Set(base.resources.filter((r) => !kept.has(r.urn)).map((r) => r.urn));
  for (const urn of replaced) condemned.add(urn);
  return parallelDeletedPolicies(base, condemned);
}

/**
 * {@link parallelPolicyDeletes} for a set of deleted resources already known: `deleted` holds the
 * URNs of the base's resources the update deletes (removed, or the old copies of replaced ones).
 */
export function parallelDeletedPolicies(base: OrderingDocument, deleted: Iterable<string>): ParallelPolicyDeletes[] {
  const condemned = new Set(deleted);
  const byUrn = new Map(base.resources.map((r) => [r.urn, r]));
  const position = new Map(base.resources.map((r, i) => [r.urn, i]));
  const children = new Map<string, string[]>();
  for (const r of base.resources) if (r.parent) (children.get(r.parent) ?? children.set(r.parent, []).get(r.parent)!).push(r.urn);
  const descendants = (urn: string, out: Set<string>): void => {
    for (const c of children.get(urn) ?? []) {
      out.add(c);
      descendants(c, out);
    }
  };
  // DependenciesOf: direct dependencies, the provider, the parent; a component's children that
  // come before the resource.
  const dependenciesOf = (r: OrderingResource): Set<string> => {
    const out = new Set<string>(depsOf(r));
    // A provider reference is `<urn>::<id>` in a state, the URN alone in a plan.
    if (r.provider) out.add(byUrn.has(r.provider) ? r.provider : r.provider.split("::").slice(0, -1).join("::"));
    if (r.parent) out.add(r.parent);
    const at = position.get(r.urn) ?? Infinity;
    for (const d of depsOf(r)) {
      if (byUrn.get(d)?.custom !== false) continue;
      const under = new Set<string>();
      descendants(d, under);
      for (const c of under) if ((position.get(c) ?? Infinity) < at) out.add(c);
    }
    return out;
  };
  const round = new Map<string, number>();
  const remaining = new Set([...condemned].filter((u) => byUrn.has(u)));
  const deps = new Map([...remaining].map((u) => [u, [...dependenciesOf(byUrn.get(u)!)].filter((d) => remaining.has(d))]));
  for (let k = 0; remaining.size > 0; k++) {
    const ready = [...remaining].filter((u) => deps.get(u)!.every((d) => !remaining.has(d)));
    if (ready.length === 0) break; // a cycle: the engine's graph never has one
    for (const u of ready) {
      round.set(u, k);
      remaining.delete(u);
    }
  }
  const groups = new Map<string, Array<{ urn: string; name: string }>>();
  for (const [urn, k] of round) {
    const r = byUrn.get(urn)!;
    if (r.type !== POLICY_TYPE) continue;
    const server = String(r.inputs?.authServerId ?? "");
    const key = `${k}\u0000${server}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push({ urn, name: r.name ?? urn.split("::").pop()! });
  }
  return [...groups]
    .filter(([, list]) => list.length > 1)
    .map(([key, list]) => ({ server: key.split("\u0000")[1]!, policies: list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) }))
    .sort((a, b) => (a.policies[0]!.name < b.policies[0]!.name ? -1 : 1));
}

/** What the review says about one group of {@link parallelPolicyDeletes}. */
export function parallelPolicyDeletesMessage(group: ParallelPolicyDeletes): string {
  const names = group.policies.map((p) => p.name);
  return (
    `pulumi up would delete the Okta policies ${list(names, names.length)} of authorization server ${group.server} at the same time ` +
    `(the engine orders deletes only by direct dependencies among the deleted resources), which Okta may answer with HTTP 500 or 423 that the provider does not retry: ` +
    `remove these services in separate updates (services next to each other in key order may go together)`
  );
}
