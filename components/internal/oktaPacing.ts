/**
 * How many Okta writes of one federation (one Okta provider, one authorization server) run at once,
 * and how long one may take: the provider's request deadline and the K write lanes, stated once
 * and used by the components and config validation alike. No Pulumi here: the components turn the
 * lanes into `dependsOn`; the bound they give is proven on a plan by oktaPlanOrder.ts.
 *
 * Sources (each fact the code relies on is cited where it is used):
 * - okta/terraform-provider-okta v6.12.0 (e59c130b; @pulumi/okta 7.0.0 bridges v7.0.0, whose source
 *   is not available offline; the schema facts below match the 7.0.0 SDK's own types):
 *   okta/services/idaas/resource_okta_auth_server_policy_rule.go, okta/api/api.go,
 *   okta/provider/provider.go, okta/internal/apimutex/apimutex.go,
 *   okta/internal/transport/governed_transport.go, sdk/v2_requestExecutor.go.
 * - pulumi/pulumi 1b5949891b (v3.259.0-14): pkg/resource/deploy/step_generator.go (diff),
 *   pkg/cmd/pulumi/operations/up.go (defaultParallel).
 * - Okta: the behaviour of authorization-server policies seen in okta/terraform-provider-okta#1198
 *   (parallel creates at one priority answered 500).
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
