/**
 * LICENSE NOTE: the files under tools/sandbox/aws/ import @cloud-copilot/iam-simulate and
 * @cloud-copilot/iam-policy, which are AGPL. They are repository tools: tools/ is not in the
 * package's `files` (package.json), so they are never shipped or built into dist/; only
 * `npm run sandbox` and the tests load them.
 *
 * The sandbox's AWS: an emulator of STS's `AssumeRoleWithWebIdentity` over the query protocol,
 * deciding as STS does from the (materialized) plan's IAM OIDC providers and roles (the trust
 * policy evaluated by iam-simulate, not by the kit); and `awsWorkload`, the workload's side: the
 * SDK's web-identity credential provider (@aws-sdk/credential-providers' `fromTokenFile`), and
 * `awsActionWorkload`, a request made with the session it gets, authorized by iam-simulate over the
 * role's inline policies.
 *
 * By responsibility, each file listing its checks and their sources:
 * - aws/plan.ts: the plan as IAM holds it (OIDC providers, roles and their ARNs, trust policies,
 *   inline policies and attached policy ARNs);
 * - aws/sts.ts: STS's decision, in STS's order, with the API reference, the IAM user guide and
 *   the reported error messages it follows;
 * - aws/iam.ts: what a session may do, by iam-simulate over the role's inline policies (its
 *   attached managed policies are not simulated, and every answer says so);
 * - aws/probes.ts: the requests probed from each inline policy statement;
 * - aws/server.ts: the emulator over HTTP (STS's XML answers, the authorization requests);
 * - aws/workload.ts: the workload's side (the exchange, and a request with the session).
 *
 * Not emulated: the provider's thumbprints and TLS; other token algorithms than RS256; `Policy` and
 * `PolicyArns` session policies (ignored); `ProviderId`; SourceIdentity; identity-provider controls
 * for shared providers; role chaining; SCPs and RCPs of an organization.
 */
export { startAwsSts } from "./aws/server";
export { awsActionWorkload, awsWorkload } from "./aws/workload";
export { awsActionProbes, awsRolesOf, OTHER_RESOURCE, type AwsActionProbe } from "./aws/probes";
export { notSimulatedText } from "./aws/iam";
