/**
 * The stack output contract as types only, without Pulumi: the workload package reads deployed
 * outputs with it, and components/outputs.ts builds them to it.
 */
import type { AwsWebIdentityEnv, AzureWorkloadIdentityEnv, GcpExternalAccountConfig } from "./credentials";

/**
 * The stack output contract, version 1: plain JSON, keyed by the config's service keys. Other
 * stacks read it through a StackReference. Secrets are never part of it; a client secret kept in
 * state (client_secret_basic with keepSecretInState) is exported separately, as a Pulumi secret,
 * under `clientSecrets`, so that the rest stays readable.
 */
export interface FederationOutputsV1 {
  readonly contractVersion: 1;
  readonly environment: string;
  readonly okta: {
    /** `iss` of every token, exactly. */
    readonly issuerUrl: string;
    /** `aud` of every token. */
    readonly audience: string;
    readonly authorizationServerId: string;
    /** Where services request tokens (client credentials). */
    readonly tokenEndpoint: string;
    /** The issuer's signing keys, for APIs that verify these tokens. */
    readonly jwksUri: string;
    /** The custom scopes the server defines (an API checks the token's `scp` against them). */
    readonly scopes: readonly string[];
  };
  /** Present when a service uses AWS: the IAM OIDC provider other stacks' roles can trust. */
  readonly aws?: { readonly oidcProviderArn: string };
  /** Present when a service uses GCP: the pool principals are named in. */
  readonly gcp?: { readonly poolName: string };
  readonly services: Readonly<
    Record<
      string,
      {
        /** The Okta client id: `sub` and `cid` of the service's tokens. */
        readonly clientId: string;
        readonly aws?: {
          readonly roleArn: string;
          /** AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE for the workload (default token file). */
          readonly environment: AwsWebIdentityEnv;
        };
        readonly gcp?: {
          /** Full provider resource name: the `audience` of the workload's external_account config. */
          readonly workloadIdentityProvider: string;
          readonly principal: string;
          readonly serviceAccountEmail?: string;
          /** The external_account credential config (file source, default token file). */
          readonly credentialConfig: GcpExternalAccountConfig;
        };
        readonly azure?: {
          readonly clientId: string;
          readonly tenantId: string;
          readonly principalId: string;
          /** AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE for the workload. */
          readonly environment: AzureWorkloadIdentityEnv;
        };
      }
    >
  >;
}
