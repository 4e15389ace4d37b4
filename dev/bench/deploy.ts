/**
 * A deploy-time model of `pulumi up` over a plan's own dependency graph: Pulumi starts every
 * resource as soon as its dependencies are done (unbounded parallelism: `--parallel` defaults to the
 * maximum integer), and each provider call then meets the limits of the API it calls: per-minute
 * rate limits (as token buckets), an org's concurrency cap, and locks a provider holds while it
 * writes a shared object (a GCP project's IAM policy, an identity's federated credentials). Per-call
 * latencies are assumptions, stated in ASSUMPTIONS and in docs/benchmarks.md.
 *
 * The floor is the largest (calls / rate) over the rate-limited endpoints (the calls past an
 * endpoint's first burst), a lock counting as an endpoint whose rate is one write per hold time: no
 * schedule can be faster. The model reports the
 * first-deploy time, the floor and the bottleneck. A scheduler over the recorded graph, no more.
 */
import { LIMITS } from "../../components/internal/limits";
import { customDependencies, isProvider, type BenchResource } from "./graph";

/** Okta's tier decides its rate limits (Enterprise, or Integrator Free orgs). */
export type OktaTier = "enterprise" | "integratorFree";

/** Per-call latencies (seconds) and the limits that are not in LIMITS, as assumptions. */
export const ASSUMPTIONS = {
  latency: {
    okta: 0.3,
    awsIam: 0.4,
    gcpIamPolicyWrite: 2.0, // get + set + the provider's read-back (terraform-provider-google iamPolicyReadModifyWrite waits >= 1 s)
    gcpServiceAccount: 1.0,
    gcpPoolOperation: 8.0, // long-running operation, polled
    azureArm: 3.0,
  },
  /** IAM does not publish its control-plane throttles; assumed. */
  awsIamPerSecond: 10,
  /** ARM role-assignment writes per subscription: assumed (the identity limit is in limits.md, this one is not). */
  azureRoleAssignmentsPerSecond: 10,
  /** Azure user-assigned identity and credential writes (limits.md Z1): per subscription, and per resource. */
  azureIdentityWritesPerSecond: 2,
  azureWritesPerResourcePerSecond: 0.25,
  /** GCP workload identity pool writes per minute per project (limits.md G9). */
  gcpPoolWritesPerMinute: 60,
} as const;

/** One API the model charges calls to: a rate (calls per second) with a burst, or a lock. */
interface Endpoint {
  readonly name: string;
  readonly perSecond: number;
  readonly burst: number;
}

/** What creating one resource costs: the endpoints it calls (calls each), a lock, its latency. */
interface Operation {
  readonly urn: string;
  readonly calls: ReadonlyArray<{ endpoint: Endpoint; calls: number }>;
  readonly lock?: string;
  readonly concurrency?: string;
  readonly latency: number;
}

const perMinute = (name: string, limit: number): Endpoint => ({ name, perSecond: limit / 60, burst: limit });
const perSecond = (name: string, limit: number): Endpoint => ({ name, perSecond: limit, burst: Math.max(1, limit) });

/**
 * The calls, lock and latency of creating `r`, for an org on `tier`. `oktaShare` is the share of
 * each Okta rate limit the provider uses (its maxApiCapacity: it waits for the next minute past it).
 */
function operationOf(r: BenchResource, tier: OktaTier, oktaShare: number): Operation {
  const a = ASSUMPTIONS;
  const okta = LIMITS.okta;
  const inputs = r.inputs as Record<string, any>;
  const op = (calls: Operation["calls"], latency: number, extra: Partial<Operation> = {}): Operation => ({ urn: r.urn, calls, latency, ...extra });
  const management = perMinute("okta /api/v1 (authorization servers, hooks)", okta.managementPerMinute[tier] * oktaShare);
  switch (r.type) {
    case "okta:app/oAuth:OAuth":
      // POST /api/v1/apps, then the provider reads the app back (GET /api/v1/apps/{id}).
      return op([{ endpoint: perMinute("okta /api/v1/apps", okta.appsPerMinute[tier] * oktaShare), calls: 1 }], 2 * a.latency.okta, { concurrency: "okta" });
    case "okta:auth/server:Server":
    case "okta:auth/serverScope:ServerScope":
    case "okta:auth/serverClaim:ServerClaim":
    case "okta:auth/serverPolicy:ServerPolicy":
    case "okta:inline/hook:Hook":
      return op([{ endpoint: management, calls: 2 }], 2 * a.latency.okta, { concurrency: "okta" });
    case "okta:auth/serverPolicyRule:ServerPolicyRule":
      // The provider serialises rule writes with one lock (terraform-provider-okta oktaMutexKV).
      return op([{ endpoint: management, calls: 2 }], 2 * a.latency.okta, { concurrency: "okta", lock: "okta policy rules" });
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
    case "aws:iam/role:Role":
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
      return op([{ endpoint: perSecond("aws iam", a.awsIamPerSecond), calls: 2 }], 2 * a.latency.awsIam);
    case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
    case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
      return op([{ endpoint: perMinute(`gcp workload identity pools of ${inputs.project}`, a.gcpPoolWritesPerMinute), calls: 1 }], a.latency.gcpPoolOperation);
    case "gcp:serviceaccount/account:Account":
      return op([], a.latency.gcpServiceAccount);
    case "gcp:projects/iAMMember:IAMMember":
      // Every project-level grant is a read-modify-write of the project's one IAM policy, under the provider's lock.
      return op([], a.latency.gcpIamPolicyWrite, { lock: `gcp IAM policy of project ${inputs.project}` });
    case "gcp:serviceaccount/iAMMember:IAMMember":
      return op([], a.latency.gcpIamPolicyWrite, { lock: `gcp IAM policy of ${inputs.serviceAccountId}` });
    case "azure-native:managedidentity:UserAssignedIdentity":
      return op([{ endpoint: perSecond("azure identity writes of the subscription", a.azureIdentityWritesPerSecond), calls: 1 }], a.latency.azureArm);
    case "azure-native:managedidentity:FederatedIdentityCredential":
      return op(
        [
          { endpoint: perSecond("azure identity writes of the subscription", a.azureIdentityWritesPerSecond), calls: 1 },
          { endpoint: perSecond(`azure writes of identity ${inputs.resourceName}`, a.azureWritesPerResourcePerSecond), calls: 1 },
        ],
        a.latency.azureArm,
      );
    case "azure-native:authorization:RoleAssignment":
      return op([{ endpoint: perSecond("azure role assignment writes", a.azureRoleAssignmentsPerSecond), calls: 1 }], a.latency.azureArm);
    default:
      return op([], 0);
  }
}

/** A token bucket in GCRA form: the theoretical arrival time of the next call. */
class Bucket {
  private tat = 0;
  constructor(readonly endpoint: Endpoint) {}
  /** When `calls` calls may start, at or after `t`. */
  earliest(t: number, calls: number): number {
    const interval = 1 / this.endpoint.perSecond;
    const tolerance = (this.endpoint.burst - 1) * interval;
    return Math.max(t, this.tat + (calls - 1) * interval - tolerance);
  }
  take(t: number, calls: number): void {
    this.tat = Math.max(this.tat, t) + calls / this.endpoint.perSecond;
  }
}

export interface DeployEstimate {
  /** First-deploy time (minutes) under the model. */
  readonly minutes: number;
  /** The floor (minutes): the largest calls / rate over the rate-limited endpoints and locks. */
  readonly floorMinutes: number;
  /** The endpoint or lock that sets the floor. */
  readonly bottleneck: string;
  /** Every endpoint and lock: calls and the minutes they need at least. */
  readonly endpoints: ReadonlyArray<{ name: string; calls: number; minutes: number }>;
  readonly operations: number;
}

/**
 * Simulates the first `pulumi up` of a plan: events in time order; at each, every waiting
 * operation whose dependencies are done starts if its lock is free, a concurrency slot is open and
 * its endpoints have capacity; otherwise it waits for the next event or the moment a bucket allows it.
 */
export function simulateDeploy(resources: readonly BenchResource[], tier: OktaTier = "enterprise"): DeployEstimate {
  const deps = customDependencies(resources);
  const providers = new Map(resources.filter(isProvider).map((r) => [r.urn, r.inputs as Record<string, unknown>]));
  const share = (r: BenchResource) => {
    // The provider's governor works only below 100 % (terraform-provider-okta okta/api/idaas.go).
    const capacity = Number(providers.get(r.provider ?? "")?.maxApiCapacity ?? 100);
    return capacity >= 1 && capacity < 100 ? capacity / 100 : 1;
  };
  const ops = new Map(resources.filter((r) => r.custom && !isProvider(r) && !(r as { read?: boolean }).read).map((r) => [r.urn, operationOf(r, tier, share(r))]));
  const buckets = new Map<string, Bucket>();
  const bucket = (e: Endpoint) => buckets.get(e.name) ?? (buckets.set(e.name, new Bucket(e)), buckets.get(e.name)!);
  // What each endpoint needs at least: its calls past the first burst at its rate; a lock, its hold times.
  const totals = new Map<string, { calls: number; seconds: number; endpoint?: Endpoint }>();
  const account = (name: string, calls: number, seconds: number, endpoint?: Endpoint) => {
    const t = totals.get(name) ?? { calls: 0, seconds: 0, endpoint };
    totals.set(name, { calls: t.calls + calls, seconds: t.seconds + seconds, endpoint });
  };
  for (const op of ops.values()) {
    for (const c of op.calls) account(c.endpoint.name, c.calls, 0, c.endpoint);
    if (op.lock) account(op.lock, 1, op.latency);
  }
  for (const [name, t] of totals) {
    if (t.endpoint) totals.set(name, { ...t, seconds: Math.max(0, t.calls - t.endpoint.burst) / t.endpoint.perSecond });
  }

  const pending = new Map([...ops.keys()].map((urn) => [urn, (deps.get(urn) ?? []).filter((d) => ops.has(d)).length]));
  const dependents = new Map<string, string[]>();
  for (const urn of ops.keys()) for (const d of deps.get(urn) ?? []) if (ops.has(d)) dependents.set(d, [...(dependents.get(d) ?? []), urn]);
  const heldLocks = new Set<string>();
  const running = new Map<string, number>();
  const cap = LIMITS.okta.concurrentRequests[tier];
  let waiting = [...ops.keys()].filter((urn) => pending.get(urn) === 0);
  const completions: Array<{ at: number; urn: string }> = [];
  let now = 0;
  let done = 0;
  while (done < ops.size) {
    let wake = Infinity;
    const still: string[] = [];
    for (const urn of waiting) {
      const op = ops.get(urn)!;
      if ((op.lock && heldLocks.has(op.lock)) || (op.concurrency && (running.get(op.concurrency) ?? 0) >= cap)) {
        still.push(urn);
        continue;
      }
      const ready = Math.max(now, ...op.calls.map((c) => bucket(c.endpoint).earliest(now, c.calls)));
      if (ready > now) {
        wake = Math.min(wake, ready);
        still.push(urn);
        continue;
      }
      for (const c of op.calls) bucket(c.endpoint).take(now, c.calls);
      if (op.lock) heldLocks.add(op.lock);
      if (op.concurrency) running.set(op.concurrency, (running.get(op.concurrency) ?? 0) + 1);
      completions.push({ at: now + op.latency, urn });
    }
    waiting = still;
    completions.sort((x, y) => x.at - y.at);
    const next = completions[0];
    if (!next && wake === Infinity) throw new Error("deploy model: nothing can run (a dependency cycle?)");
    if (next && next.at <= wake) {
      now = next.at;
      // Every completion at this instant.
      while (completions.length && completions[0]!.at <= now) {
        const { urn } = completions.shift()!;
        const op = ops.get(urn)!;
        if (op.lock) heldLocks.delete(op.lock);
        if (op.concurrency) running.set(op.concurrency, running.get(op.concurrency)! - 1);
        done++;
        for (const d of dependents.get(urn) ?? []) {
          const left = pending.get(d)! - 1;
          pending.set(d, left);
          if (left === 0) waiting.push(d);
        }
      }
    } else {
      now = wake;
    }
  }
  const endpoints = [...totals.entries()].map(([name, t]) => ({ name, calls: t.calls, minutes: t.seconds / 60 })).sort((x, y) => y.minutes - x.minutes);
  return { minutes: now / 60, floorMinutes: endpoints[0]?.minutes ?? 0, bottleneck: endpoints[0]?.name ?? "(none)", endpoints, operations: ops.size };
}
