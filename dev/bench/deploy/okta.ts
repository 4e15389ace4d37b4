/**
 * Okta and its provider in the deploy model: the requests of creating each Okta resource, and
 * Okta's answers to them during the simulation.
 *
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
 */
import { LIMITS } from "../../../components/internal/limits";
import type { BenchResource } from "../graph";
import { ASSUMPTIONS, PROVIDER_BEHAVIOUR } from "./assumptions";
import type { Clock } from "./events";
import { inputNumber, type OktaBucket, type OktaPacing, type Step, type StepContext } from "./steps";

/** Okta's tier decides its rate limits (Enterprise, or Integrator Free orgs). */
export type OktaTier = "enterprise" | "integratorFree";
/** How the Okta provider signs in: an API token (SSWS), or OAuth 2.0 (an API service app's key, or an access token). */
export type OktaAuth = "apiToken" | "oauth";

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

/** Builds the steps of creating an Okta resource: its requests, each in its org's bucket, and the rule lock. */
export class OktaSteps {
  constructor(
    private readonly context: StepContext,
    private readonly tier: OktaTier,
    private readonly auth: OktaAuth,
    private readonly pacingOverride: Partial<OktaPacing> | undefined,
  ) {}

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
    return { ...oktaPacingOf(this.context.providerInputs(r)), ...this.pacingOverride };
  }

  private okta(r: BenchResource, bucket: OktaBucket, client: "v6" | "v2/v3", what: string): Step {
    const inputs = this.context.providerInputs(r);
    const org = `${String(inputs.orgName ?? "org")}.${String(inputs.baseUrl ?? "okta.com")}`.toLowerCase();
    return { kind: "okta", org, bucket, governor: `${r.provider ?? ""} ${client}`, pacing: this.pacing(r), what };
  }

  /** The steps of creating `r`, or undefined if `r` is not an Okta resource. */
  steps(r: BenchResource): Step[] | undefined {
    const buckets = this.oktaBuckets();
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
      default:
        return undefined;
    }
  }
}

/** What the provider's governor has seen of one bucket (apimutex.APIStatus). */
interface GovernorStatus {
  limit: number;
  remaining: number;
  /** Window end, seconds. */
  reset: number;
}

/**
 * Okta as one simulated deploy meets it, on `clock`: `request` sends an Okta step's request, with
 * the provider's retries, deadline and governor, and calls `done` once it succeeded or failed;
 * `stats` counts the requests, 429s, retries and governor pauses.
 */
export function oktaOrgs(tier: OktaTier, clock: Clock) {
  const at = clock.at;
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
    if (!status || status.reset + 60 < clock.now) return 0;
    const used = (100 * (status.limit - status.remaining)) / status.limit;
    return used <= capacity ? 0 : Math.max(0, status.reset - clock.now);
  };

  const oktaRequest = (step: Extract<Step, { kind: "okta" }>, done: (ok: boolean, reason?: string) => void) => {
    const p = step.pacing;
    const deadline = p.requestTimeoutSeconds > 0 ? clock.now + p.requestTimeoutSeconds : Infinity;
    const org = orgOf(step.org);
    const attempt = (i: number) => {
      stats.requests++;
      const window = Math.floor(clock.now / 60);
      const count = countIn(org, step.bucket, window);
      if (org.inFlight < cap && count < step.bucket.perMinute) {
        org.inFlight++;
        stats.maxInFlight = Math.max(stats.maxInFlight, org.inFlight);
        org.windows.set(step.bucket.name, { window, count: count + 1 });
        at(clock.now + ASSUMPTIONS.latency.okta, () => {
          org.inFlight--;
          // The response's headers: this window's limit, what is left of it now, and its reset.
          governorUpdate(step.governor, step.bucket.name, { limit: step.bucket.perMinute, remaining: step.bucket.perMinute - countIn(org, step.bucket, window), reset: (window + 1) * 60 });
          done(true);
        });
        return;
      }
      if (org.inFlight >= cap) stats.rejectedConcurrency++;
      else stats.rejectedRate++;
      at(clock.now + ASSUMPTIONS.latency.okta429, () => {
        if (i >= p.maxRetries) return done(false, `${step.what}: 429 Too Many Requests, giving up after ${i + 1} attempt(s)`);
        // go-retryablehttp DefaultBackoff: min·2^i, capped at max (Okta sends no Retry-After).
        const wait = Math.min(p.minWaitSeconds * 2 ** i, p.maxWaitSeconds);
        if (clock.now + wait > deadline) return at(deadline, () => done(false, `${step.what}: context deadline exceeded (request timeout ${p.requestTimeoutSeconds} s)`));
        stats.retries++;
        at(clock.now + wait, () => attempt(i + 1));
      });
    };
    const pause = governorPause(step);
    if (pause === 0) return attempt(0);
    stats.governorPauses++;
    if (clock.now + pause > deadline) return at(deadline, () => done(false, `${step.what}: context deadline exceeded while the governor waited (request timeout ${p.requestTimeoutSeconds} s)`));
    at(clock.now + pause, () => attempt(0));
  };

  return { stats, request: oktaRequest };
}
