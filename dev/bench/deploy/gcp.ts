/**
 * GCP in the deploy model (terraform-provider-google-beta v7.45.0): project IAM members are batched
 * (`tpgiamresource/resource_iam_member.go` IamWithBatching, `iam_batching.go`; a batch is sent 3 s
 * after its first member, `transport/batcher.go`), each batch one read-modify-write of the policy
 * under the project's lock (`iam.go` iamPolicyReadModifyWrite: get, set, then three reads a second
 * apart until the change shows); service-account bindings are one such read-modify-write each,
 * under the account's lock; a service account's create polls three reads and sleeps 10 s
 * (`resource_google_service_account.go`). GCP's quotas are rates (rates.ts).
 */
import { LIMITS } from "../../../components/internal/limits";
import type { BenchResource } from "../graph";
import { ASSUMPTIONS, PROVIDER_BEHAVIOUR } from "./assumptions";
import { perMinute, unthrottled, type Endpoint } from "./rates";
import { inputObject, type Step, type StepContext } from "./steps";

/** "3s", "1.5s" or "500ms" (the provider's batching.send_after) in seconds. */
function durationSeconds(value: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(String(value ?? ""));
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === "ms" ? 0.001 : m[2] === "m" ? 60 : 1);
}

/** A read-modify-write of an IAM policy under the provider's lock (iamPolicyReadModifyWrite). */
function readModifyWrite(lock: string, name: string, read: Endpoint, write: Endpoint): Step[] {
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

/** The steps of creating `r`, or undefined if `r` is not a GCP resource. */
export function gcpSteps(r: BenchResource, context: StepContext): Step[] | undefined {
  const a = ASSUMPTIONS;
  const inputs = r.inputs as Record<string, unknown>;
  const { call, endpoint, providerInputs } = context;
  const gcpProject = String(providerInputs(r).project ?? inputs.project ?? "(provider's project)");
  const iamReads = perMinute(`gcp IAM API reads of project ${gcpProject}`, LIMITS.gcp.iamApiReadsPerMinute);
  const iamWrites = perMinute(`gcp IAM API writes of project ${gcpProject}`, LIMITS.gcp.iamApiWritesPerMinute);
  switch (r.type) {
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
      const crm = endpoint(unthrottled(`gcp resource manager (project ${project} IAM policy)`));
      const rmw = readModifyWrite(`${r.provider ?? ""} iam-project-${project}`, `gcp IAM policy of project ${project}`, crm, crm);
      const batching = inputObject(providerInputs(r).batching);
      const enabled = batching.enableBatching === undefined || batching.enableBatching === true || batching.enableBatching === "true";
      const sendAfter = durationSeconds(batching.sendAfter) ?? PROVIDER_BEHAVIOUR.gcpBatchSendAfterSeconds;
      const readBack = call([crm], a.latency.gcpCall);
      return enabled
        ? [{ kind: "batch", key: `${r.provider ?? ""} ${project} modifyIamPolicy`, name: `gcp IAM policy of project ${project} (batched)`, sendAfter, send: rmw }, readBack]
        : [...rmw, readBack];
    }
    case "gcp:serviceaccount/iAMMember:IAMMember": {
      const account = String(inputs.serviceAccountId);
      return [...readModifyWrite(`${r.provider ?? ""} iam-service-account-${account}`, `gcp IAM policy of ${account}`, endpoint(iamReads), endpoint(iamWrites)), call([iamReads], a.latency.gcpCall)];
    }
    default:
      return undefined;
  }
}
