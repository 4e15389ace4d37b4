/**
 * okta-federation/workload: what a workload's Node program needs, without Pulumi. Get the
 * service's Okta access token, build its cloud credential settings from the stack's outputs, and
 * create key pairs. The same functions back the `okta-federation` command.
 */
export { TokenFetchError, createClientAssertion, fetchToken, loadPrivateKey, writeFileAtomic, type FetchTokenOptions, type FetchedToken } from "./token";
export { KEY_SIZES, authConfigYaml, generateServiceKey, type PublicJwk, type ServiceKeyPair } from "./keygen";
export {
  CLOUDS,
  CredentialsUsageError,
  credentialArtifact,
  parseStackOutputs,
  readStackOutputs,
  type Cloud,
  type CredentialArtifact,
  type CredentialRequest,
  type OutputsSource,
  type StackOutputs,
} from "./credentials";
export {
  CredentialsError,
  DEFAULT_TOKEN_FILE,
  awsEnvironment,
  awsProfile,
  azureEnvironment,
  gcpExternalAccount,
  oktaTokenEndpoint,
  type AwsWebIdentityEnv,
  type AzureWorkloadIdentityEnv,
  type GcpExternalAccountConfig,
} from "../components/credentials";
export type { FederationOutputsV1 } from "../components/contract";
