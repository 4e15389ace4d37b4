/**
 * LICENSE NOTE: the files under tools/sandbox/aws/ import @cloud-copilot/iam-simulate and
 * @cloud-copilot/iam-policy, which are AGPL. They are repository tools: tools/ is not in the
 * package's `files` (package.json), so they are never shipped or built into dist/; only
 * `npm run sandbox` and the tests load them.
 *
 * The sandbox's AWS: an emulator of STS's `AssumeRoleWithWebIdentity` over the query protocol,
 * deciding as STS does from the (materialized) plan's IAM OIDC providers and roles (the trust
 * policy evaluated by iam-simulate, not by the kit); and `awsWorkload`, the workload's side: the
 * SDK's web-identity credential provider (@aws-sdk/credential-providers' `fromTokenFile`).
 *
 * By responsibility, each file listing its checks and their sources:
 * - aws/plan.ts: the plan as IAM holds it (OIDC providers, roles and their ARNs, trust policies);
 * - aws/sts.ts: STS's decision, in STS's order, with the API reference, the IAM user guide and
 *   the reported error messages it follows;
 * - aws/server.ts: the emulator over HTTP (STS's XML answers);
 * - aws/workload.ts: the workload's side.
 *
 * Not emulated: the provider's thumbprints and TLS; other token algorithms than RS256; `Policy` and
 * `PolicyArns` session policies (ignored); `ProviderId`; SourceIdentity; identity-provider controls
 * for shared providers; role chaining; SCPs and RCPs of an organization.
 */
export { startAwsSts } from "./aws/server";
export { awsWorkload } from "./aws/workload";
