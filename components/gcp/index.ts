/**
 * okta-federation/gcp: the GCP side on its own (workload identity pool and OIDC provider, a
 * service's roles or service account). Loads @pulumi/pulumi and @pulumi/gcp only: a project that
 * installs just those two can use it. Also the SDK-free reader of a federation stack's outputs.
 */
export { WorkloadIdentityPool, type WorkloadIdentityPoolArgs } from "./workloadIdentityPool";
export { ServiceAccess, type ServiceAccessArgs } from "./serviceAccess";
export { readFederation, type FederationOutputsV1, type FederationReference } from "../outputs";
