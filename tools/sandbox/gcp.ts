/**
 * The sandbox's Google Cloud: an emulator of the Security Token Service (`POST /v1/token`, the
 * token exchange of workload identity federation; `POST /v1/introspect`) and of IAM Service Account
 * Credentials (`POST /v1/projects/-/serviceAccounts/<email>:generateAccessToken`), deciding as
 * Google does from the (materialized) plan's pools, providers and IAM grants, and the resources' IAM
 * check (`testIamPermissions`) for the roles services hold on single resources (gcp.resourceRoles);
 * and `gcpWorkload` / `gcpResourceWorkload`, the
 * workload's side: the service's `external_account` config run through google-auth-library's
 * `ExternalAccountClient`, the client a Node workload uses.
 *
 * By responsibility, each file listing its checks and their sources:
 * - gcp/plan.ts: the plan as Google holds it (pools, providers, service accounts, IAM bindings);
 * - gcp/cel.ts: CEL, evaluated by @bufbuild/cel;
 * - gcp/sts.ts: the STS (token exchange, introspection);
 * - gcp/iam.ts: IAM Credentials (generateAccessToken) and the resources' testIamPermissions;
 * - gcp/server.ts: the emulators over HTTP;
 * - gcp/workload.ts: the workload's side.
 *
 * Not emulated: SAML, AWS and X.509 subject tokens, workforce pools, ES256 tokens (verifyOidcToken
 * takes RS256 only), inline oidc.jwksJson, Credential Access Boundaries (`options`), conditional IAM
 * bindings (a binding with a condition grants nothing here, as if its condition were false), deny
 * policies, org policies, quota (429), the staleness Google may apply to an unexpired but old token
 * (reported, threshold undocumented), the 8 KB limit on all mapped attributes, the federated
 * token's use against other Google APIs. CEL: the `extract` function of Google's attribute
 * reference is provided; other Google-only functions are not.
 */
export { startGcp, type GcpEmulators } from "./gcp/server";
export { gcpResourceWorkload, gcpWorkload, probedPermissions } from "./gcp/workload";
export { otherResourceOf, resourceGrantsOf, type ResourceGrant } from "./gcp/plan";
