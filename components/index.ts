/**
 * okta-federation as a library: every component with its Args, the config schema and the output
 * contract. Each cloud component works on its own (e.g. AWS trust for an existing issuer and client
 * ids) and takes explicit providers through `opts.providers`, so one stack can target several
 * accounts, projects or subscriptions.
 *
 * This entry loads all four provider SDKs (Federation uses every side). A project that uses one side
 * only imports its entry instead, which loads only that side's SDK: `okta-federation/okta`,
 * `okta-federation/aws`, `okta-federation/gcp`, `okta-federation/azure` (components/<side>/index.ts).
 */
export { AuthorizationServer, claimExpression, type AuthorizationServerArgs, type ClaimSpec } from "./okta/authorizationServer";
export { ServiceApp, type ServiceAppArgs, type ServiceAuth, type ServiceJwk } from "./okta/serviceApp";
export { TokenHook, type TokenHookArgs } from "./okta/tokenHook";
export { OidcProvider, type OidcProviderArgs } from "./aws/oidcProvider";
export { ServiceRole, type ServiceRoleArgs } from "./aws/serviceRole";
export { WorkloadIdentityPool, type WorkloadIdentityPoolArgs } from "./gcp/workloadIdentityPool";
export { ServiceAccess, type ServiceAccessArgs } from "./gcp/serviceAccess";
export { ServiceIdentity, type FederatedCredentialSpec, type RoleAssignmentSpec, type ServiceIdentityArgs } from "./azure/serviceIdentity";
export { AZURE_BUILTIN_ROLES } from "./azure/builtinRoles";
export { Federation, type FederationArgs, type ServiceOutputs } from "./federation";
export {
  CONFIG_KEY,
  CONFIG_KEY_MULTI,
  CONFIG_NAMESPACE,
  FederationConfigError,
  HOOK_SECRET_KEY,
  formatProblems,
  parseFederationConfig,
  parseFederations,
  type ConfigProblem,
  type FederationConfig,
  type ServiceConfig,
} from "./config";
export { readFederation, toStackOutputs, type FederationOutputsV1, type FederationReference, type FederationStackOutputs } from "./outputs";
// The organisation layout (docs/organisation.md#in-your-own-program): a platform stack exports the
// platform contract, team stacks read it and deploy a Federation with the team binding.
export { Platform, toPlatformOutputs, type PlatformArgs } from "./platform";
export { PLATFORM_CONFIG_KEY, parsePlatformConfig, type PlatformConfig } from "./config/platform";
export { TEAM_CONFIG_KEY, parseTeamConfig, parseTeamHeader, type TeamBinding, type TeamConfig, type TeamHeader } from "./config/team";
export { PLATFORM_CONTRACT_VERSION, PLATFORM_OUTPUT, type PlatformOutputsV1 } from "./platformContract";
export { readPlatformContract } from "./team";
export { LIMITS } from "./internal/limits";
export {
  DEFAULT_TOKEN_FILE,
  awsEnvironment,
  awsProfile,
  azureEnvironment,
  gcpExternalAccount,
  oktaTokenEndpoint,
  type AwsWebIdentityEnv,
  type AzureWorkloadIdentityEnv,
  type GcpExternalAccountConfig,
} from "./credentials";
