/**
 * A deploy-time model of the first `pulumi up` over a plan's own dependency graph: an event-driven
 * simulation, request by request, of what the engine and the providers do.
 *
 * - Pulumi starts every resource as soon as its dependencies are done, at most `--parallel` at once:
 *   `pulumi up` defaults to 4 × the CPU cores it runs on, unless PULUMI_PARALLEL says otherwise
 *   (pulumi/pulumi pkg/cmd/pulumi/operations/up.go defaultParallel; the Automation API passes
 *   --parallel only when asked, sdk/go/auto/stack.go). `parallel` is that bound (default here:
 *   unbounded). After a failure Pulumi lets the operations in flight finish and starts no new one
 *   (its default; `continueOnError` for --continue-on-error).
 * - Okta, per org: a concurrency cap (requests past it are answered 429), per-minute limits per
 *   bucket in one-minute windows (requests past the limit are answered 429). The provider
 *   (terraform-provider-okta v6.12.0) retries a 429 only through its HTTP client
 *   (`okta/api/api.go` checkRetry, go-retryablehttp v0.7.8 DefaultBackoff): wait minWait·2^i capped
 *   at maxWait, at most maxRetries retries, all inside one request deadline (`requestTimeout`, 0 =
 *   none: `sdk/v2_requestExecutor.go` doWithRetries). Its governor (`max_api_capacity` below 100:
 *   `okta/internal/apimutex/apimutex.go` HasCapacity, `okta/internal/transport/governed_transport.go`)
 *   sleeps before a request until the window resets once it has seen a window's headers show more
 *   than that share used; it assumes capacity until then, and it wraps the retrying client, so
 *   retries are never governed. The provider serialises rule writes with one lock (`oktaMutexKV`).
 *   An app costs 2 requests under OAuth 2.0 auth and 4 under an API token (the groups-claim calls to
 *   `/api/v1/internal/apps/{id}/settings/oauth/idToken`, `resource_okta_app_oauth.go`).
 * - GCP (terraform-provider-google-beta v7.45.0): project IAM members are batched
 *   (`tpgiamresource/resource_iam_member.go` IamWithBatching, `iam_batching.go`; a batch is sent 3 s
 *   after its first member, `transport/batcher.go`), each batch one read-modify-write of the policy
 *   under the project's lock (`iam.go` iamPolicyReadModifyWrite: get, set, then three reads a second
 *   apart until the change shows); service-account bindings are one such read-modify-write each,
 *   under the account's lock; a service account's create polls three reads and sleeps 10 s
 *   (`resource_google_service_account.go`).
 * - AWS IAM, Azure ARM and GCP quotas as rates (token buckets whose burst is one period's allowance).
 *
 * Per-call latencies and the rates no source states are assumptions (ASSUMPTIONS, and
 * docs/benchmarks.md). The model reports the first-deploy time, whether it fails and why, a floor no
 * schedule can beat and what sets it, and the counts of requests, 429s and retries.
 */
import { LIMITS } from "../../components/internal/limits";
import { scaleFigures, type ScaleFigure } from "../../tools/offline/scale";
import { customDependencies, isProvider, type BenchResource } from "./graph";

/** Okta's tier decides its rate limits (Enterprise, or Integrator Free orgs). */
export type OktaTier = "enterprise" | "integratorFree";
/** How the Okta provider signs in: an API token (SSWS), or OAuth 2.0 (an API service app's key, or an access token). */
export type OktaAuth = "apiToken" | "oauth";

/** Per-call latencies (seconds) and the limits no source states, as assumptions. */
export const ASSUMPTIONS = {
  latency: {
    /** One Okta request that Okta serves. */
    okta: 0.3,
    /** An Okta request answered 429. */
    okta429: 0.1,
    awsIam: 0.4,
    /** One GCP API call: getIamPolicy, setIamPolicy, a service-account create or read. */
    gcpCall: 0.3,
    /** A workload identity pool or provider: a long-running operation, polled. */
    gcpPoolOperation: 8.0,
    azureArm: 3.0,
  },
  /** IAM does not publish its control-plane throttles: assumed. */
  awsIamPerSecond: 10,
  /** ARM role-assignment writes per subscription: assumed. */
  azureRoleAssignmentsPerSecond: 10,
  /** Okta publishes no /api/v1/apps/{id} limit for Integrator Free: its other /api/v1 limit assumed. */
  oktaAppReadsPerMinuteIntegratorFree: LIMITS.okta.managementPerMinute.integratorFree,
  /**
   * `/api/v1/internal/apps/{id}/settings/oauth/idToken` is in no published table and not in the
   * provider's bucket list (`apimutex/rate_limit_lines.go`): assumed to count against /api/v1.
   */
  oktaInternalBucket: "/api/v1",
} as const;

/** Behaviour fixed by the providers' source, with where it is read. */
export const PROVIDER_BEHAVIOUR = {
  /** terraform-provider-okta `okta/config/config.go` NewConfig: the provider's own defaults. */
  oktaDefaults: { maxApiCapacity: 100, maxRetries: 5, minWaitSeconds: 30, maxWaitSeconds: 300, requestTimeoutSeconds: 0 },
  /** google-beta `transport/batcher.go` DefaultBatchSendIntervalSec; `transport/config.go` ExpandProviderBatchingConfig (batching on). */
  gcpBatchSendAfterSeconds: 3,
  /** google-beta `tpgiamresource/iam.go` iamPolicyReadModifyWrite: after the set, reads 1 s apart until 3 show the change. */
  gcpPolicyVerifyReads: 3,
  gcpPolicyVerifySleepSeconds: 1,
  /** google-beta `resource_google_service_account.go`: 3 reads in a row (500 ms apart, `transport/common_polling.go`), then a 10 s sleep. */
  gcpServiceAccountReads: 3,
  gcpServiceAccountPollSeconds: 0.5,
  gcpServiceAccountSleepSeconds: 10,
} as const;

/** The settings the benchmark reports at each N (docs/benchmarks.md#deploy-time-model). */
export const DEPLOY_SCENARIOS: ReadonlyArray<{ key: string; label: string; options: DeployOptions }> = [
  { key: "cli16", label: "pulumi up on 4 cores (default --parallel 16), OAuth 2.0", options: { parallel: 16 } },
  { key: "cli16ApiToken", label: "the same, Okta provider on an API token", options: { parallel: 16, oktaAuth: "apiToken" } },
  { key: "cli8", label: "pulumi up on 2 cores (default --parallel 8)", options: { parallel: 8 } },
  { key: "parallel64", label: "pulumi up --parallel 64", options: { parallel: 64 } },
  { key: "unbounded", label: "unbounded (PULUMI_PARALLEL above the operations)", options: {} },
  { key: "unboundedTimeout60", label: "unbounded, Okta request timeout 60 s", options: { oktaPacing: { requestTimeoutSeconds: 60 } } },
  { key: "free", label: "Integrator Free org, --parallel 16", options: { tier: "integratorFree", parallel: 16 } },
];

/** A rate-limited API the model charges calls to: calls per second with a burst. */
export interface Endpoint {
  readonly name: string;
  readonly perSecond: number;
  readonly burst: number;
}

/** An Okta rate-limit bucket: requests per one-minute window. */
interface OktaBucket {
  readonly name: string;
  readonly perMinute: number;
}

/** The Okta provider's pacing, as the plan's provider inputs set it (the provider's defaults otherwise). */
export interface OktaPacing {
  readonly maxApiCapacity: number;
  readonly maxRetries: number;
  readonly minWaitSeconds: number;
  readonly maxWaitSeconds: number;
  /** 0: no deadline. */
  readonly requestTimeoutSeconds: number;
}

type Step =
  | { readonly kind: "okta"; readonly org: string; readonly bucket: OktaBucket; readonly governor: string; readonly pacing: OktaPacing; readonly what: string }
  | { readonly kind: "call"; readonly endpoints: readonly Endpoint[]; readonly latency: number }
  | { readonly kind: "sleep"; readonly seconds: number }
  | { readonly kind: "lock" | "unlock"; readonly key: string; readonly name: string }
  | { readonly kind: "batch"; readonly key: string; readonly name: string; readonly sendAfter: number; readonly send: readonly Step[] };

interface Operation {
  readonly urn: string;
  readonly type: string;
  readonly steps: readonly Step[];
}

export interface DeployOptions {
  readonly tier?: OktaTier;
  /** Default "oauth" (the README's recommended API service app). */
  readonly oktaAuth?: OktaAuth;
  /**
   * `pulumi up --parallel`: resource operations in flight at most. Default here unbounded (as with
   * a PULUMI_PARALLEL above the operations); the CLI's own default is 4 × the cores it runs on.
   */
  readonly parallel?: number;
  /**
   * Okta operations (resources whose creation calls Okta) in flight at most, the others unbounded:
   * what a bound on concurrent Okta writes in the program does. Default unbounded. (A bound the
   * program builds as dependencies is in the plan's graph already.)
   */
  readonly oktaConcurrency?: number;
  /** `pulumi up --continue-on-error`. Default false: after a failure no new operation starts. */
  readonly continueOnError?: boolean;
  /** Pacing to use instead of the plan's Okta provider inputs (to compare settings). */
  readonly oktaPacing?: Partial<OktaPacing>;
}

export interface DeployEstimate {
  /** Minutes until the last operation ended (the deploy's end, or the failed deploy's). */
  readonly minutes: number;
  /** Operations that failed (their errors are Pulumi's), and those never started after a failure. */
  readonly failed: number;
  readonly notStarted: number;
  /** The first failures: resource name and reason. */
  readonly failures: ReadonlyArray<{ name: string; type: string; reason: string; atMinutes: number }>;
  /** The floor (minutes): no schedule is faster (Okta's windows, the rates, the locks, the longest chain). */
  readonly floorMinutes: number;
  /** What sets the floor. */
  readonly bottleneck: string;
  /** Every endpoint, bucket, lock and the longest chain: calls and the minutes they need at least. */
  readonly endpoints: ReadonlyArray<{ name: string; calls: number; minutes: number }>;
  readonly operations: number;
  readonly okta: {
    /** Okta requests sent (429s and retries included). */
    readonly requests: number;
    readonly rejectedConcurrency: number;
    readonly rejectedRate: number;
    readonly retries: number;
    readonly governorPauses: number;
    readonly maxInFlight: number;
  };
  /** GCP project IAM batches sent (each one read-modify-write of a project's policy). */
  readonly gcpProjectPolicyWrites: number;
  /**
   * Quotas and limits the plan passes (tools/offline/scale.ts): the simulation does not fail on
   * them, so its times assume every default quota among them was raised first.
   */
  readonly quotasOver: readonly ScaleFigure[];
  /** What the run assumed. */
  readonly assumes: { tier: OktaTier; oktaAuth: OktaAuth; parallel: number; oktaConcurrency: number; pacing: OktaPacing | undefined };
}

const perMinute = (name: string, limit: number): Endpoint => ({ name, perSecond: limit / 60, burst: limit });
const perSecond = (name: string, limit: number): Endpoint => ({ name, perSecond: limit, burst: Math.max(1, limit) });
const unthrottled = (name: string): Endpoint => ({ name, perSecond: Infinity, burst: Infinity });

/** A provider input as the plan records it (providers' inputs are strings; objects are JSON). */
function inputNumber(value: unknown): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
function inputObject(value: unknown): Record<string, unknown> {
  if (typeof value === "string") {
    try {
      const parsed = JSON.parse(value) as unknown;
      return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** The Okta provider's pacing from its inputs; the provider's defaults where an input is absent. */
export function oktaPacingOf(inputs: Record<string, unknown>): OktaPacing {
  const d = PROVIDER_BEHAVIOUR.oktaDefaults;
  return {
    maxApiCapacity: inputNumber(inputs.maxApiCapacity) ?? d.maxApiCapacity,
    maxRetries: inputNumber(inputs.maxRetries) ?? d.maxRetries,
    minWaitSeconds: inputNumber(inputs.minWaitSeconds) ?? d.minWaitSeconds,
    maxWaitSeconds: inputNumber(inputs.maxWaitSeconds) ?? d.maxWaitSeconds,
    requestTimeoutSeconds: inputNumber(inputs.requestTimeout) ?? d.requestTimeoutSeconds,
  };
}

/** "3s", "1.5s" or "500ms" (the provider's batching.send_after) in seconds. */
function durationSeconds(value: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(String(value ?? ""));
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === "ms" ? 0.001 : m[2] === "m" ? 60 : 1);
}

/** The minimal duration of steps: latencies and sleeps, no waiting. */
function minSeconds(steps: readonly Step[]): number {
  let s = 0;
  for (const step of steps) {
    if (step.kind === "okta") s += ASSUMPTIONS.latency.okta;
    else if (step.kind === "call") s += step.latency;
    else if (step.kind === "sleep") s += step.seconds;
    else if (step.kind === "batch") s += step.sendAfter + minSeconds(step.send);
  }
  return s;
}

/** Builds each operation's steps from the plan: the calls, locks and waits of creating each resource. */
class OperationBuilder {
  private readonly endpoints = new Map<string, Endpoint>();
  constructor(
    private readonly providers: ReadonlyMap<string, BenchResource>,
    private readonly tier: OktaTier,
    private readonly auth: OktaAuth,
    private readonly pacingOverride: Partial<OktaPacing> | undefined,
  ) {}

  private endpoint(e: Endpoint): Endpoint {
    return this.endpoints.get(e.name) ?? (this.endpoints.set(e.name, e), e);
  }

  private providerInputs(r: BenchResource): Record<string, unknown> {
    return (this.providers.get(r.provider ?? "")?.inputs ?? {}) as Record<string, unknown>;
  }

  private oktaBuckets() {
    const okta = LIMITS.okta;
    return {
      apps: { name: "/api/v1/apps", perMinute: okta.appsPerMinute[this.tier] },
      appById: { name: "/api/v1/apps/{id}", perMinute: this.tier === "enterprise" ? okta.appReadsPerMinute.enterprise : ASSUMPTIONS.oktaAppReadsPerMinuteIntegratorFree },
      api: { name: "/api/v1", perMinute: okta.managementPerMinute[this.tier] },
    } satisfies Record<string, OktaBucket>;
  }

  /** The pacing of `r`'s Okta provider (or the override). */
  pacing(r: BenchResource): OktaPacing {
    return { ...oktaPacingOf(this.providerInputs(r)), ...this.pacingOverride };
  }

  private okta(r: BenchResource, bucket: OktaBucket, client: "v6" | "v2/v3", what: string): Step {
    const inputs = this.providerInputs(r);
    const org = `${String(inputs.orgName ?? "org")}.${String(inputs.baseUrl ?? "okta.com")}`.toLowerCase();
    return { kind: "okta", org, bucket, governor: `${r.provider ?? ""} ${client}`, pacing: this.pacing(r), what };
  }

  /** A read-modify-write of an IAM policy under the provider's lock (iamPolicyReadModifyWrite). */
  private readModifyWrite(lock: string, name: string, read: Endpoint, write: Endpoint): Step[] {
    const b = PROVIDER_BEHAVIOUR;
    const latency = ASSUMPTIONS.latency.gcpCall;
    const verify: Step[] = [];
    for (let i = 0; i < b.gcpPolicyVerifyReads; i++) verify.push({ kind: "sleep", seconds: b.gcpPolicyVerifySleepSeconds }, { kind: "call", endpoints: [read], latency });
    return [
      { kind: "lock", key: lock, name },
      { kind: "call", endpoints: [read], latency },
      { kind: "call", endpoints: [write], latency },
      ...verify,
      { kind: "unlock", key: lock, name },
    ];
  }

  steps(r: BenchResource): Step[] {
    const a = ASSUMPTIONS;
    const inputs = r.inputs as Record<string, unknown>;
    const buckets = this.oktaBuckets();
    const call = (endpoints: Endpoint[], latency: number): Step => ({ kind: "call", endpoints: endpoints.map((e) => this.endpoint(e)), latency });
    const gcpProject = String(this.providerInputs(r).project ?? inputs.project ?? "(provider's project)");
    const iamReads = perMinute(`gcp IAM API reads of project ${gcpProject}`, LIMITS.gcp.iamApiReadsPerMinute);
    const iamWrites = perMinute(`gcp IAM API writes of project ${gcpProject}`, LIMITS.gcp.iamApiWritesPerMinute);
    switch (r.type) {
      case "okta:app/oAuth:OAuth":
        // POST /api/v1/apps, then the read-back GET /api/v1/apps/{id}; under an API token the
        // groups-claim calls too (setAppOauthGroupsClaim on create, flattenGroupsClaim on read).
        return this.auth === "oauth"
          ? [this.okta(r, buckets.apps, "v6", "POST /api/v1/apps"), this.okta(r, buckets.appById, "v6", "GET /api/v1/apps/{id}")]
          : [
              this.okta(r, buckets.apps, "v6", "POST /api/v1/apps"),
              this.okta(r, buckets.api, "v2/v3", "POST /api/v1/internal/apps/{id}/settings/oauth/idToken"),
              this.okta(r, buckets.appById, "v6", "GET /api/v1/apps/{id}"),
              this.okta(r, buckets.api, "v2/v3", "GET /api/v1/internal/apps/{id}/settings/oauth/idToken"),
            ];
      case "okta:auth/server:Server":
      case "okta:auth/serverScope:ServerScope":
      case "okta:auth/serverClaim:ServerClaim":
      case "okta:auth/serverPolicy:ServerPolicy":
      case "okta:inline/hook:Hook":
        return [this.okta(r, buckets.api, "v2/v3", `create ${r.type}`), this.okta(r, buckets.api, "v2/v3", `read ${r.type}`)];
      case "okta:auth/serverPolicyRule:ServerPolicyRule": {
        // One provider-wide lock over every rule write, held through the read-back (oktaMutexKV).
        const key = `${r.provider ?? ""} okta policy rules`;
        return [
          { kind: "lock", key, name: "okta policy rules (the provider's lock)" },
          this.okta(r, buckets.api, "v2/v3", "create rule"),
          this.okta(r, buckets.api, "v2/v3", "read rule"),
          { kind: "unlock", key, name: "okta policy rules (the provider's lock)" },
        ];
      }
      case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      case "aws:iam/role:Role":
      case "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        const iam = perSecond("aws iam", a.awsIamPerSecond);
        return [call([iam], a.latency.awsIam), call([iam], a.latency.awsIam)];
      }
      case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
      case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
        return [call([perMinute(`gcp workload identity pool writes of project ${String(inputs.project ?? gcpProject)}`, LIMITS.gcp.workloadIdentityPoolWritesPerMinute)], a.latency.gcpPoolOperation)];
      case "gcp:serviceaccount/account:Account": {
        const b = PROVIDER_BEHAVIOUR;
        const steps: Step[] = [call([iamWrites], a.latency.gcpCall)];
        for (let i = 0; i < b.gcpServiceAccountReads; i++) {
          if (i > 0) steps.push({ kind: "sleep", seconds: b.gcpServiceAccountPollSeconds });
          steps.push(call([iamReads], a.latency.gcpCall));
        }
        steps.push({ kind: "sleep", seconds: b.gcpServiceAccountSleepSeconds });
        return steps;
      }
      case "gcp:projects/iAMMember:IAMMember": {
        // Project IAM members are batched: one read-modify-write of the policy per batch.
        const project = String(inputs.project ?? gcpProject);
        const crm = this.endpoint(unthrottled(`gcp resource manager (project ${project} IAM policy)`));
        const rmw = this.readModifyWrite(`${r.provider ?? ""} iam-project-${project}`, `gcp IAM policy of project ${project}`, crm, crm);
        const batching = inputObject(this.providerInputs(r).batching);
        const enabled = batching.enableBatching === undefined || batching.enableBatching === true || batching.enableBatching === "true";
        const sendAfter = durationSeconds(batching.sendAfter) ?? PROVIDER_BEHAVIOUR.gcpBatchSendAfterSeconds;
        const readBack = call([crm], a.latency.gcpCall);
        return enabled
          ? [{ kind: "batch", key: `${r.provider ?? ""} ${project} modifyIamPolicy`, name: `gcp IAM policy of project ${project} (batched)`, sendAfter, send: rmw }, readBack]
          : [...rmw, readBack];
      }
      case "gcp:serviceaccount/iAMMember:IAMMember": {
        const account = String(inputs.serviceAccountId);
        return [...this.readModifyWrite(`${r.provider ?? ""} iam-service-account-${account}`, `gcp IAM policy of ${account}`, this.endpoint(iamReads), this.endpoint(iamWrites)), call([iamReads], a.latency.gcpCall)];
      }
      case "azure-native:managedidentity:UserAssignedIdentity":
        return [call([perSecond("azure identity writes of the subscription", LIMITS.azure.identityWritesPerSecond)], a.latency.azureArm)];
      case "azure-native:managedidentity:FederatedIdentityCredential":
        return [
          call(
            [
              perSecond("azure identity writes of the subscription", LIMITS.azure.identityWritesPerSecond),
              perSecond(`azure writes of identity ${String(inputs.resourceName)}`, LIMITS.azure.writesPerResourcePerSecond),
            ],
            a.latency.azureArm,
          ),
        ];
      case "azure-native:authorization:RoleAssignment":
        return [call([perSecond("azure role assignment writes", a.azureRoleAssignmentsPerSecond)], a.latency.azureArm)];
      default:
        return [];
    }
  }
}

/** A token bucket in GCRA form: the theoretical arrival time of the next call. */
class Bucket {
  private tat = 0;
  constructor(readonly endpoint: Endpoint) {}
  /** When one call may start, at or after `t`. */
  earliest(t: number): number {
    if (!Number.isFinite(this.endpoint.perSecond)) return t;
    const interval = 1 / this.endpoint.perSecond;
    return Math.max(t, this.tat - (this.endpoint.burst - 1) * interval);
  }
  take(t: number): void {
    if (!Number.isFinite(this.endpoint.perSecond)) return;
    this.tat = Math.max(this.tat, t) + 1 / this.endpoint.perSecond;
  }
}

/** A min-heap of events by time, then by insertion order. */
class Events {
  private readonly heap: Array<{ at: number; seq: number; run: () => void }> = [];
  private seq = 0;
  get size(): number {
    return this.heap.length;
  }
  push(at: number, run: () => void): void {
    const h = this.heap;
    h.push({ at, seq: this.seq++, run });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): { at: number; run: () => void } {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
  private less(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}

/** What the provider's governor has seen of one bucket (apimutex.APIStatus). */
interface GovernorStatus {
  limit: number;
  remaining: number;
  /** Window end, seconds. */
  reset: number;
}

/** One resource operation being run, or a provider-internal sender of a GCP batch. */
interface Run {
  readonly op: Operation | undefined;
  readonly steps: readonly Step[];
  index: number;
  readonly held: Set<string>;
  readonly onDone: (ok: boolean, reason?: string) => void;
}

/**
 * Simulates the first `pulumi up` of a plan. See the module comment for what is modelled.
 */
export function simulateDeploy(resources: readonly BenchResource[], options: DeployOptions = {}): DeployEstimate {
  const tier = options.tier ?? "enterprise";
  const oktaAuth = options.oktaAuth ?? "oauth";
  const parallel = options.parallel ?? Infinity;
  const oktaConcurrency = options.oktaConcurrency ?? Infinity;
  const deps = customDependencies(resources);
  const providers = new Map(resources.filter(isProvider).map((r) => [r.urn, r]));
  const builder = new OperationBuilder(providers, tier, oktaAuth, options.oktaPacing);
  const custom = resources.filter((r) => r.custom && !isProvider(r) && !r.read);
  const ops = new Map<string, Operation>(custom.map((r) => [r.urn, { urn: r.urn, type: r.type, steps: builder.steps(r) }]));
  const names = new Map(resources.map((r) => [r.urn, r.name]));
  const oktaProvider = resources.find((r) => isProvider(r) && r.type === "pulumi:providers:okta");
  const pacing = oktaProvider ? { ...oktaPacingOf(oktaProvider.inputs as Record<string, unknown>), ...options.oktaPacing } : undefined;

  const events = new Events();
  let now = 0;
  const at = (t: number, run: () => void) => events.push(t, run);

  // ---- Okta: per org, its in-flight requests and each bucket's count in the current window ----
  const orgs = new Map<string, { inFlight: number; windows: Map<string, { window: number; count: number }> }>();
  const orgOf = (name: string) => orgs.get(name) ?? (orgs.set(name, { inFlight: 0, windows: new Map() }), orgs.get(name)!);
  const countIn = (org: ReturnType<typeof orgOf>, bucket: OktaBucket, window: number) => {
    const w = org.windows.get(bucket.name);
    return w && w.window === window ? w.count : 0;
  };
  const governors = new Map<string, Map<string, GovernorStatus>>();
  const stats = { requests: 0, rejectedConcurrency: 0, rejectedRate: 0, retries: 0, governorPauses: 0, maxInFlight: 0 };
  const cap = LIMITS.okta.concurrentRequests[tier];

  /** apimutex.Update: a newer window replaces, an older one is ignored, the same one keeps the lower remaining. */
  const governorUpdate = (key: string, bucket: string, seen: GovernorStatus) => {
    const statuses = governors.get(key) ?? (governors.set(key, new Map()), governors.get(key)!);
    const status = statuses.get(bucket);
    if (!status || seen.reset > status.reset) statuses.set(bucket, { ...seen });
    else if (seen.reset > status.reset - 60 && seen.remaining < status.remaining) status.remaining = seen.remaining;
  };
  /** apimutex.HasCapacity; the pause is until the window's reset (governed_transport.go preRequestHook). */
  const governorPause = (step: Extract<Step, { kind: "okta" }>): number => {
    const capacity = step.pacing.maxApiCapacity;
    if (!(capacity > 0 && capacity < 100)) return 0;
    const status = governors.get(step.governor)?.get(step.bucket.name);
    if (!status || status.reset + 60 < now) return 0;
    const used = (100 * (status.limit - status.remaining)) / status.limit;
    return used <= capacity ? 0 : Math.max(0, status.reset - now);
  };

  const oktaRequest = (step: Extract<Step, { kind: "okta" }>, done: (ok: boolean, reason?: string) => void) => {
    const p = step.pacing;
    const deadline = p.requestTimeoutSeconds > 0 ? now + p.requestTimeoutSeconds : Infinity;
    const org = orgOf(step.org);
    const attempt = (i: number) => {
      stats.requests++;
      const window = Math.floor(now / 60);
      const count = countIn(org, step.bucket, window);
      if (org.inFlight < cap && count < step.bucket.perMinute) {
        org.inFlight++;
        stats.maxInFlight = Math.max(stats.maxInFlight, org.inFlight);
        org.windows.set(step.bucket.name, { window, count: count + 1 });
        at(now + ASSUMPTIONS.latency.okta, () => {
          org.inFlight--;
          // The response's headers: this window's limit, what is left of it now, and its reset.
          governorUpdate(step.governor, step.bucket.name, { limit: step.bucket.perMinute, remaining: step.bucket.perMinute - countIn(org, step.bucket, window), reset: (window + 1) * 60 });
          done(true);
        });
        return;
      }
      if (org.inFlight >= cap) stats.rejectedConcurrency++;
      else stats.rejectedRate++;
      at(now + ASSUMPTIONS.latency.okta429, () => {
        if (i >= p.maxRetries) return done(false, `${step.what}: 429 Too Many Requests, giving up after ${i + 1} attempt(s)`);
        // go-retryablehttp DefaultBackoff: min·2^i, capped at max (Okta sends no Retry-After).
        const wait = Math.min(p.minWaitSeconds * 2 ** i, p.maxWaitSeconds);
        if (now + wait > deadline) return at(deadline, () => done(false, `${step.what}: context deadline exceeded (request timeout ${p.requestTimeoutSeconds} s)`));
        stats.retries++;
        at(now + wait, () => attempt(i + 1));
      });
    };
    const pause = governorPause(step);
    if (pause === 0) return attempt(0);
    stats.governorPauses++;
    if (now + pause > deadline) return at(deadline, () => done(false, `${step.what}: context deadline exceeded while the governor waited (request timeout ${p.requestTimeoutSeconds} s)`));
    at(now + pause, () => attempt(0));
  };

  // ---- Locks, rate buckets and GCP batches ----
  const locks = new Map<string, Run[]>();
  const buckets = new Map<string, Bucket>();
  const bucketOf = (e: Endpoint) => buckets.get(e.name) ?? (buckets.set(e.name, new Bucket(e)), buckets.get(e.name)!);
  const batches = new Map<string, Run[]>();
  let gcpProjectPolicyWrites = 0;

  const release = (run: Run, key: string) => {
    run.held.delete(key);
    const waiters = locks.get(key)!;
    const next = waiters.shift();
    if (next) {
      next.held.add(key);
      at(now, () => advance(next));
    } else {
      locks.delete(key);
    }
  };

  const fail = (run: Run, reason: string) => {
    for (const key of [...run.held]) release(run, key);
    run.onDone(false, reason);
  };

  const advance = (run: Run): void => {
    while (run.index < run.steps.length) {
      const step = run.steps[run.index++]!;
      switch (step.kind) {
        case "sleep":
          return at(now + step.seconds, () => advance(run));
        case "lock": {
          const waiters = locks.get(step.key);
          if (waiters) {
            waiters.push(run);
            return;
          }
          locks.set(step.key, []);
          run.held.add(step.key);
          continue;
        }
        case "unlock":
          release(run, step.key);
          continue;
        case "call": {
          const start = Math.max(now, ...step.endpoints.map((e) => bucketOf(e).earliest(now)));
          for (const e of step.endpoints) bucketOf(e).take(start);
          return at(start + step.latency, () => advance(run));
        }
        case "okta":
          return oktaRequest(step, (ok, reason) => (ok ? advance(run) : fail(run, reason!)));
        case "batch": {
          const open = batches.get(step.key);
          if (open) {
            open.push(run);
            return;
          }
          const members = [run];
          batches.set(step.key, members);
          at(now + step.sendAfter, () => {
            batches.delete(step.key);
            gcpProjectPolicyWrites++;
            const sender: Run = {
              op: undefined,
              steps: step.send,
              index: 0,
              held: new Set(),
              onDone: (ok, reason) => {
                for (const m of members) {
                  if (ok) at(now, () => advance(m));
                  else fail(m, reason!);
                }
              },
            };
            advance(sender);
          });
          return;
        }
      }
    }
    run.onDone(true);
  };

  // ---- Pulumi: start what is ready, within --parallel; after a failure start nothing new ----
  const pending = new Map([...ops.keys()].map((urn) => [urn, (deps.get(urn) ?? []).filter((d) => ops.has(d)).length]));
  const dependents = new Map<string, string[]>();
  for (const urn of ops.keys()) for (const d of deps.get(urn) ?? []) if (ops.has(d)) dependents.set(d, [...(dependents.get(d) ?? []), urn]);
  const ready: string[] = [...ops.keys()].filter((urn) => pending.get(urn) === 0);
  const callsOkta = (op: Operation) => op.steps.some((s) => s.kind === "okta");
  /** Okta operations ready but held back by oktaConcurrency, in order. */
  const oktaReady: string[] = [];
  let oktaRunning = 0;
  let running = 0;
  let stopped = false;
  let done = 0;
  let end = 0;
  const failures: Array<{ name: string; type: string; reason: string; atMinutes: number }> = [];
  const startReady = () => {
    while (!stopped && running < parallel && (ready.length > 0 || (oktaReady.length > 0 && oktaRunning < oktaConcurrency))) {
      const fromOkta = oktaReady.length > 0 && oktaRunning < oktaConcurrency;
      const op = ops.get((fromOkta ? oktaReady : ready).shift()!)!;
      const okta = callsOkta(op);
      if (okta && !fromOkta && oktaRunning >= oktaConcurrency) {
        oktaReady.push(op.urn);
        continue;
      }
      if (okta) oktaRunning++;
      running++;
      advance({
        op,
        steps: op.steps,
        index: 0,
        held: new Set(),
        onDone: (ok, reason) => {
          running--;
          if (okta) oktaRunning--;
          end = now;
          if (ok) {
            done++;
            for (const d of dependents.get(op.urn) ?? []) {
              const left = pending.get(d)! - 1;
              pending.set(d, left);
              if (left === 0) ready.push(d);
            }
          } else {
            failures.push({ name: names.get(op.urn) ?? op.urn, type: op.type, reason: reason!, atMinutes: now / 60 });
            if (!options.continueOnError) stopped = true;
          }
          // Start what became ready after the events of this instant (Pulumi's step executor is asynchronous).
          at(now, startReady);
        },
      });
    }
  };
  startReady();
  while (events.size > 0) {
    const e = events.pop();
    now = e.at;
    e.run();
  }
  if (failures.length === 0 && done < ops.size) throw new Error("deploy model: nothing can run (a dependency cycle?)");

  const floors = floorsOf([...ops.values()], deps, names, tier, parallel);
  return {
    minutes: end / 60,
    failed: failures.length,
    notStarted: ops.size - done - failures.length,
    failures: failures.slice(0, 5),
    floorMinutes: floors[0]?.minutes ?? 0,
    bottleneck: floors[0]?.name ?? "(none)",
    endpoints: floors,
    operations: ops.size,
    okta: stats,
    gcpProjectPolicyWrites,
    quotasOver: scaleFigures(resources).filter((f) => f.over),
    assumes: { tier, oktaAuth, parallel, oktaConcurrency, pacing },
  };
}

/**
 * What no schedule can beat, per constraint (minutes): an Okta bucket needs a window per its limit
 * of requests (all but the last window in full); Okta's concurrency cap, the request-seconds over
 * the cap; a rate, the calls past its burst at its rate; a lock, the sum of its hold times; a GCP
 * batch, one send; and the longest dependency chain, its operations' own durations. Largest first.
 */
function floorsOf(
  ops: readonly Operation[],
  deps: ReadonlyMap<string, readonly string[]>,
  names: ReadonlyMap<string, string>,
  tier: OktaTier,
  parallel: number,
): Array<{ name: string; calls: number; minutes: number }> {
  const rows = new Map<string, { calls: number; seconds: number; kind: "bucket" | "rate" | "lock" | "batch" | "concurrency"; perMinute?: number; endpoint?: Endpoint }>();
  const add = (name: string, kind: "bucket" | "rate" | "lock" | "batch" | "concurrency", calls: number, seconds: number, extra: { perMinute?: number; endpoint?: Endpoint } = {}) => {
    const row = rows.get(name) ?? { calls: 0, seconds: 0, kind, ...extra };
    row.calls += calls;
    row.seconds += seconds;
    rows.set(name, row);
  };
  const visit = (steps: readonly Step[], lockStart: Map<string, number>, elapsed: { s: number }) => {
    for (const step of steps) {
      if (step.kind === "okta") {
        add(`okta ${step.org} ${step.bucket.name}`, "bucket", 1, 0, { perMinute: step.bucket.perMinute });
        add(`okta ${step.org} concurrency (${LIMITS.okta.concurrentRequests[tier]} requests at once)`, "concurrency", 1, ASSUMPTIONS.latency.okta);
        elapsed.s += ASSUMPTIONS.latency.okta;
      } else if (step.kind === "call") {
        for (const e of step.endpoints) if (Number.isFinite(e.perSecond)) add(e.name, "rate", 1, 0, { endpoint: e });
        elapsed.s += step.latency;
      } else if (step.kind === "sleep") {
        elapsed.s += step.seconds;
      } else if (step.kind === "lock") {
        lockStart.set(step.key, elapsed.s);
      } else if (step.kind === "unlock") {
        add(step.name, "lock", 1, elapsed.s - (lockStart.get(step.key) ?? elapsed.s));
      } else if (step.kind === "batch") {
        const before = elapsed.s;
        elapsed.s += step.sendAfter;
        if (!rows.has(step.name)) {
          // One send at least; its calls and hold are counted once.
          visit(step.send, new Map(), { s: 0 });
          add(step.name, "batch", 0, step.sendAfter + minSeconds(step.send));
        }
        add(step.name, "batch", 1, 0);
        elapsed.s = before + step.sendAfter + minSeconds(step.send);
      }
    }
  };
  for (const op of ops) visit(op.steps, new Map(), { s: 0 });

  const result: Array<{ name: string; calls: number; minutes: number }> = [];
  for (const [name, row] of rows) {
    let seconds = row.seconds;
    if (row.kind === "bucket") seconds = (Math.ceil(row.calls / row.perMinute!) - 1) * 60;
    else if (row.kind === "concurrency") seconds = row.seconds / LIMITS.okta.concurrentRequests[tier];
    else if (row.kind === "rate") seconds = Math.max(0, row.calls - row.endpoint!.burst) / row.endpoint!.perSecond;
    result.push({ name, calls: row.calls, minutes: seconds / 60 });
  }
  // The longest chain of operations, each taking its own minimal time.
  const own = new Map(ops.map((op) => [op.urn, minSeconds(op.steps)]));
  // Pulumi's slots: every operation holds one for at least its own time.
  if (Number.isFinite(parallel)) {
    const total = [...own.values()].reduce((a, b) => a + b, 0);
    result.push({ name: `pulumi --parallel ${parallel} (the operations' own time over ${parallel} slots)`, calls: ops.length, minutes: total / parallel / 60 });
  }
  const longest = new Map<string, { s: number; from?: string }>();
  const chain = (urn: string): number => {
    const known = longest.get(urn);
    if (known) return known.s;
    let best = 0;
    let from: string | undefined;
    for (const d of deps.get(urn) ?? []) {
      if (!own.has(d)) continue;
      const s = chain(d);
      if (s > best) [best, from] = [s, d];
    }
    const s = best + own.get(urn)!;
    longest.set(urn, { s, from });
    return s;
  };
  let tail: string | undefined;
  let tailS = 0;
  for (const op of ops) {
    const s = chain(op.urn);
    if (s > tailS) [tailS, tail] = [s, op.urn];
  }
  if (tail) {
    let length = 0;
    for (let u: string | undefined = tail; u; u = longest.get(u)?.from) length++;
    result.push({ name: `longest dependency chain (${length} operations, ending at ${names.get(tail) ?? tail})`, calls: length, minutes: tailS / 60 });
  }
  return result.sort((x, y) => y.minutes - x.minutes);
}
