/**
 * How the kit orders the Okta writes of one federation (one Okta provider, one authorization
 * server), stated once and used by the components, config validation and verify alike. No Pulumi
 * here: the components turn these answers into `dependsOn` and inputs; verify and the review apply
 * the same functions to plan documents and stack exports.
 *
 * Sources (each fact the code relies on is cited where it is used):
 * - okta/terraform-provider-okta v6.12.0 (e59c130b; @pulumi/okta 7.0.0 bridges v7.0.0, whose source
 *   is not available offline; the schema facts below match the 7.0.0 SDK's own types):
 *   okta/services/idaas/resource_okta_auth_server_policy.go, resource_okta_auth_server_policy_rule.go,
 *   okta/api/api.go, okta/provider/provider.go, okta/internal/apimutex/apimutex.go,
 *   okta/internal/transport/governed_transport.go, sdk/v2_requestExecutor.go.
 * - pulumi/pulumi 1b5949891b (v3.259.0-14): pkg/resource/deploy/step_generator.go (ScheduleDeletes,
 *   diff), pkg/resource/graph/dependency_graph.go (DependenciesOf), pkg/cmd/pulumi/operations/up.go
 *   (defaultParallel).
 * - Okta: help.okta.com "Create access policies" (policies are evaluated in priority order; the
 *   first policy and rule that match decide); developer.okta.com guide "Policy and rule
 *   prioritization" (okta-developer-docs …/guides/policy-rule-prioritization/main/index.md:
 *   a create at a priority in use shifts the ones at and below it down by one); the behaviour of
 *   authorization-server policies seen in okta/terraform-provider-okta#190 (a policy created
 *   without a priority goes to the bottom, "if I have 49, the next … 50"), #1198 (parallel creates
 *   at one priority answered 500; every policy at 99999 worked), #1065 and #2140 (a priority
 *   beyond the count is not kept: Okta stores the policy at the bottom) and #2833 (Okta keeps one
 *   server's priorities contiguous).
 */
import { LIMITS } from "./limits";
import { shortHash } from "./names";

// ---------------------------------------------------------------------------------------------
// Pacing: the provider's request deadline
// ---------------------------------------------------------------------------------------------

/**
 * The provider's own range for `request_timeout`: 0-300 seconds, 0 meaning no deadline
 * (okta/provider/provider.go: `ValidateDiagFunc: intBetween(0, 300)`, "the default is `0` (means
 * no limit is set)").
 */
export const OKTA_REQUEST_TIMEOUT = { min: 0, max: 300, default: 0 } as const;

/**
 * Why a request deadline is refused, or undefined when it is allowed: 0 (no deadline), or a
 * deadline at least as long as every retry's longest wait (`maxRetries` × `maxWaitSeconds`).
 *
 * The deadline bounds the whole SDK call, retries included: sdk/v2_requestExecutor.go
 * doWithRetries wraps the call in `context.WithTimeout(ctx, RequestTimeout)` when it is above 0,
 * and okta/api/api.go checkRetry stops retrying once `ctx.Err() != nil`; the rate governor's pause
 * waits on the same context (governed_transport.go preRequestHook, `case <-ctx.Done()`). A shorter
 * deadline cuts the provider's own retries ("context deadline exceeded"), so `maxRetries` and
 * `maxWaitSeconds` would never act. A covering deadline can still end a call whose governor
 * pauses and requests add up past it: only 0 never cuts one, which is why 0 is the default.
 */
export function oktaRequestTimeoutProblem(pacing: { readonly requestTimeoutSeconds: number; readonly maxRetries: number; readonly maxWaitSeconds: number }): string | undefined {
  const { requestTimeoutSeconds: timeout, maxRetries, maxWaitSeconds } = pacing;
  if (timeout === 0) return undefined;
  const needed = maxRetries * maxWaitSeconds;
  if (timeout >= needed) return undefined;
  const fits = needed <= OKTA_REQUEST_TIMEOUT.max;
  return (
    `${timeout} s would end a rate-limited call before the provider's retries do: the deadline covers the whole call, every retry and every pause of the rate governor included, ` +
    `and maxRetries × maxWaitSeconds is ${maxRetries} × ${maxWaitSeconds} = ${needed} s; ` +
    `set 0 (no deadline, the default)${fits ? ` or at least ${needed}` : ` (the provider allows at most ${OKTA_REQUEST_TIMEOUT.max} s)`}`
  );
}

// ---------------------------------------------------------------------------------------------
// Concurrency: K write lanes
// ---------------------------------------------------------------------------------------------

/**
 * `okta.provider.maxConcurrentWrites` (K): the most Okta writes of one federation that can run at
 * once. Okta answers more than 75 simultaneous requests of an org with 429 (15 on Integrator
 * Free: LIMITS.okta.concurrentRequests), the provider's governor assumes capacity until it has
 * seen rate-limit headers (apimutex.go HasCapacity: "if the status hasn't been updated recently
 * assume there is capacity"), and `pulumi up` runs 4 × the CPU cores operations at once by default
 * (up.go defaultParallel; the Go Automation API's default is unbounded). The default 10 stays
 * below Integrator Free's 15 and costs no time: at 80 % of 100 app writes a minute, two lanes
 * already keep the governor busy.
 */
export const OKTA_MAX_CONCURRENT_WRITES = { min: 2, max: LIMITS.okta.concurrentRequests.enterprise, default: 10 } as const;

/**
 * The lane of a service's app: 1 to K-1, from a stable hash of its physical key (a renamed
 * service keeps its lane), so adding or removing a service moves no other service's app to
 * another lane. Lane 0 is the server lane (hook, server, scopes, claims, then every policy and
 * rule): see {@link oktaWriteOrder}.
 */
export function oktaAppLane(physicalKey: string, maxConcurrentWrites: number): number {
  const appLanes = Math.max(1, maxConcurrentWrites - 1);
  return 1 + (parseInt(shortHash(`okta-app-lane:${physicalKey}`, 8), 16) % appLanes);
}

export interface OktaWriteOrder {
  /** The service keys in write order of the server lane (sorted): each policy and rule follows the previous service's rule. */
  readonly chain: readonly string[];
  /** The service whose app each service's app waits for (the previous app of its lane), by service key. */
  readonly appAfter: Readonly<Record<string, string | undefined>>;
  /** Each app lane (1 to K-1) with its service keys in write order; empty lanes omitted. */
  readonly lanes: Readonly<Record<number, readonly string[]>>;
}

/**
 * The order of one federation's Okta writes, in K lanes (each lane a `dependsOn` chain, so at
 * most K writes run at once):
 * - lane 0: the token hook, the server (when created), each scope and claim in key order, then for
 *   each service in key order its policy and its rule, each write after the one before: one
 *   server's policies and rules are written one at a time (Okta fails parallel policy writes with
 *   500 or 423 E0000239, which the provider does not retry: okta/api/api.go checkRetry);
 * - lanes 1 to K-1: the apps, each lane in service-key order, a service's lane by
 *   {@link oktaAppLane}.
 * Lane membership and order come from the service keys only. A change of lanes changes only
 * `dependsOn`, which never replaces or updates a resource: the engine plans a replacement or an
 * update only from the provider's diff of the inputs, a provider change, a targeted replace,
 * `replaceWith` or `deletedWith` (pulumi/pulumi step_generator.go diff), and records the new
 * dependencies with a same step.
 */
export function oktaWriteOrder(services: ReadonlyArray<{ readonly key: string; readonly physicalKey: string }>, maxConcurrentWrites: number): OktaWriteOrder {
  const sorted = [...services].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const lanes: Record<number, string[]> = {};
  const appAfter: Record<string, string | undefined> = {};
  for (const { key, physicalKey } of sorted) {
    const lane = (lanes[oktaAppLane(physicalKey, maxConcurrentWrites)] ??= []);
    appAfter[key] = lane[lane.length - 1];
    lane.push(key);
  }
  return { chain: sorted.map((s) => s.key), appAfter, lanes };
}

// ---------------------------------------------------------------------------------------------
// Priorities
// ---------------------------------------------------------------------------------------------

/**
 * The priority a policy is created with on a server the kit creates: beyond any count of policies
 * a server holds, so Okta puts each new policy at the bottom and moves no other (a create at a
 * priority in use shifts the ones below it; a priority beyond the count is stored as the last:
 * okta/terraform-provider-okta#190, #2140). 10,000 is far above any stack's services (a stack file
 * is at most 4 MiB, about 4,000 services) and within what Okta was seen to accept (99,999 in #1198).
 */
export const OKTA_POLICY_BOTTOM = 10_000;

/**
 * A service's policy priority, from its rank (1-based) among its server's services in key order:
 * - a server the kit creates: {@link OKTA_POLICY_BOTTOM} + rank, so every create lands at the
 *   bottom and renumbers nothing; on a first deploy, written in key order, the policies hold 1 to N;
 * - an adopted server: the rank itself, so the kit's policies stay above the server's own ones
 *   (Okta evaluates policies by priority and the first policy and rule that match decide: a
 *   pre-existing policy for all clients, as the `default` server has, would otherwise decide the
 *   kit's tokens). Each create moves the server's own policies (and the kit's after it) down by one.
 * Distinct within a server either way. The priority is then ignored (`ignoreChanges`): Okta keeps
 * a server's priorities contiguous, so the number it stores differs from the one sent, and an
 * update re-sends the priority last read into state (the bridge drops an ignored attribute from
 * the diff, pulumi-terraform-bridge pkg/tfshim/sdk-v2 processIgnoreChanges; the provider sends
 * `d.Get("priority")`, resource_okta_auth_server_policy.go buildAuthServerPolicy).
 */
export function oktaPolicyPriority(server: "created" | "adopted", rank: number): number {
  return server === "created" ? OKTA_POLICY_BOTTOM + rank : rank;
}

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

// ---------------------------------------------------------------------------------------------
// Deployed priorities (verify --state)
// ---------------------------------------------------------------------------------------------

export interface DeployedPolicy {
  /** The policy's name in Okta (the kit names it `<environment>-<service>`). */
  readonly name: string;
  /** Its priority as the state last recorded it (after `pulumi refresh`, Okta's). */
  readonly priority: unknown;
}

const list = (names: readonly string[], max = 3): string => {
  if (names.length > max) return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
};

const ranges = (values: readonly number[]): string => {
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    parts.push(j === i ? `${values[i]}` : `${values[i]}-${values[j]}`);
    i = j + 1;
  }
  return list(parts, parts.length);
};

/**
 * What verify --state reports about the kit's policies of one server, as a refreshed state records
 * their priorities: nothing when they hold the top of the server's order, otherwise one finding.
 * Okta keeps one server's priorities contiguous from 1 and distinct (a create at a priority in use
 * shifts the others; a priority beyond the count goes to the bottom), so the kit's N policies must
 * hold exactly 1 to N: a priority up to the largest one that none of them holds is held by a policy
 * outside the stack, which Okta evaluates first and which decides the tokens of every client it
 * names (the first policy and rule that match decide). Two of them at one priority, or a missing
 * priority, means the state predates Okta's renumbering: the order cannot be checked, which is a
 * finding too (refresh and export again).
 */
export function policyOrderFindings(server: string, policies: readonly DeployedPolicy[]): string[] {
  if (policies.length === 0) return [];
  const missing = policies.filter((p) => typeof p.priority !== "number" || !Number.isInteger(p.priority) || p.priority < 1).map((p) => p.name);
  if (missing.length) {
    return [`authorization server ${server}: the state records no priority for ${missing.length === 1 ? "policy" : "policies"} ${list(missing)}, so the order of its policies was not checked: run pulumi refresh, export again and verify`];
  }
  const at = new Map<number, string[]>();
  for (const p of policies) (at.get(p.priority as number) ?? at.set(p.priority as number, []).get(p.priority as number)!).push(p.name);
  const shared = [...at].filter(([, names]) => names.length > 1).sort(([a], [b]) => a - b);
  if (shared.length) {
    const [priority, names] = shared[0]!;
    return [
      `authorization server ${server}: policies ${list(names.sort())} all hold priority ${priority} in the state, which Okta never stores for two policies of one server: the state predates Okta's renumbering, so the order of its policies was not checked; run pulumi refresh, export again and verify`,
    ];
  }
  const held = [...at.keys()].sort((a, b) => a - b);
  const top = held[held.length - 1]!;
  const gaps: number[] = [];
  for (let q = 1; q <= top; q++) if (!at.has(q)) gaps.push(q);
  if (gaps.length === 0) return [];
  const below = held.filter((p) => p > gaps[0]!).map((p) => at.get(p)![0]!);
  const one = gaps.length === 1;
  return [
    `authorization server ${server}: ${one ? "priority" : "priorities"} ${ranges(gaps)} ${one ? "is" : "are"} held by no policy of this stack, so Okta evaluates ${one ? "a policy" : "policies"} from outside the stack before ${list(below)}; ` +
      `if ${one ? "that policy" : "one of them"} names their clients (or all clients), it decides their scopes and token lifetime. Move the kit's policies above it in the Okta console and run pulumi refresh ` +
      `(if a service was removed since the last refresh, run pulumi refresh and export again first: Okta moved the policies below it up)`,
  ];
}
