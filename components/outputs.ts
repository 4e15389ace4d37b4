import * as pulumi from "@pulumi/pulumi";
import type { Federation } from "./federation";

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
  };
  readonly services: Readonly<
    Record<
      string,
      {
        /** The Okta client id: `sub` and `cid` of the service's tokens. */
        readonly clientId: string;
        readonly aws?: { readonly roleArn: string };
        readonly gcp?: {
          /** Full provider resource name: the `audience` of the workload's external_account config. */
          readonly workloadIdentityProvider: string;
          readonly principal: string;
          readonly serviceAccountEmail?: string;
        };
        readonly azure?: { readonly clientId: string; readonly tenantId: string; readonly principalId: string };
      }
    >
  >;
}

/** Stack outputs as the program returns them (Outputs inside, resolved by the engine). */
export type FederationStackOutputs = { readonly [K in keyof FederationOutputsV1]: pulumi.Input<unknown> } & {
  readonly clientSecrets?: pulumi.Input<unknown>;
};

/** Builds the versioned stack outputs from a Federation. */
export function toStackOutputs(federation: Federation, environment: string): FederationStackOutputs {
  const services: Record<string, unknown> = {};
  const secrets: Record<string, pulumi.Output<string>> = {};
  for (const [key, s] of Object.entries(federation.services)) {
    services[key] = {
      clientId: s.clientId,
      ...(s.aws ? { aws: { roleArn: s.aws.roleArn } } : {}),
      ...(s.gcp ? { gcp: { ...s.gcp } } : {}),
      ...(s.azure ? { azure: { ...s.azure } } : {}),
    };
    if (s.clientSecret) secrets[key] = s.clientSecret;
  }
  return {
    contractVersion: 1,
    environment,
    okta: {
      issuerUrl: federation.issuerUrl,
      audience: federation.audience,
      authorizationServerId: federation.authorizationServerId,
      tokenEndpoint: pulumi.interpolate`${federation.issuerUrl}/v1/token`,
      jwksUri: pulumi.interpolate`${federation.issuerUrl}/v1/keys`,
    },
    services,
    ...(Object.keys(secrets).length > 0 ? { clientSecrets: pulumi.secret(secrets) } : {}),
  };
}
