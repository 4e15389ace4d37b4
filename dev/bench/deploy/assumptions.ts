/**
 * The figures the deploy model rests on: per-call latencies and the rates no source states, as
 * assumptions (ASSUMPTIONS, and docs/benchmarks.md), and the providers' behaviour, each with where
 * in the provider's source it is read (PROVIDER_BEHAVIOUR).
 */
import { LIMITS } from "../../../components/internal/limits";

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
