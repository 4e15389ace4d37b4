import * as pulumi from "@pulumi/pulumi";
import type { Federation, ServiceOutputs } from "./federation";
import {
  awsEnvironment,
  azureEnvironment,
  gcpExternalAccount,
} from "./credentials";
import type { FederationOutputsV1 } from "./contract";

export type { FederationOutputsV1 } from "./contract";

/** Stack outputs as the program returns them (Outputs inside, resolved by the engine). */
export type FederationStackOutputs = { readonly [K in keyof FederationOutputsV1]: pulumi.Input<unknown> } & {
  readonly clientSecrets?: pulumi.Input<unknown>;
};

type ServiceV1 = FederationOutputsV1["services"][string];

/**
 * One service's part of the contract as a single Output: one `all` and one `apply` per service
 * rather than one per field and artifact, which is a good part of what a large plan spends on its
 * outputs (docs/benchmarks.md). In a preview, a service whose values are not known yet shows as
 * unknown as a whole. The workload credentials are built by the same functions as
 * `npm run credentials` (docs/credentials.md).
 */
function serviceOutput(s: ServiceOutputs): pulumi.Output<ServiceV1> {
  return pulumi
    .all({
      clientId: s.clientId,
      roleArn: s.aws?.roleArn,
      workloadIdentityProvider: s.gcp?.workloadIdentityProvider,
      principal: s.gcp?.principal,
      serviceAccountEmail: s.gcp?.serviceAccountEmail,
      azureClientId: s.azure?.clientId,
      tenantId: s.azure?.tenantId,
      principalId: s.azure?.principalId,
    })
    .apply((v): ServiceV1 => ({
      clientId: v.clientId!,
      ...(s.aws ? { aws: { roleArn: v.roleArn!, environment: awsEnvironment({ roleArn: v.roleArn! }) } } : {}),
      ...(s.gcp
        ? {
            gcp: {
              workloadIdentityProvider: v.workloadIdentityProvider!,
              principal: v.principal!,
              ...(v.serviceAccountEmail !== undefined ? { serviceAccountEmail: v.serviceAccountEmail } : {}),
              credentialConfig: gcpExternalAccount({ workloadIdentityProvider: v.workloadIdentityProvider!, serviceAccountEmail: v.serviceAccountEmail }),
            },
          }
        : {}),
      ...(s.azure
        ? {
            azure: {
              clientId: v.azureClientId!,
              tenantId: v.tenantId!,
              principalId: v.principalId!,
              environment: azureEnvironment({ clientId: v.azureClientId!, tenantId: v.tenantId! }),
            },
          }
        : {}),
    }));
}

/** Builds the versioned stack outputs from a Federation. */
export function toStackOutputs(federation: Federation, environment: string): FederationStackOutputs {
  const services: Record<string, pulumi.Output<ServiceV1>> = {};
  const secrets: Record<string, pulumi.Output<string>> = {};
  for (const [key, s] of Object.entries(federation.services)) {
    services[key] = serviceOutput(s);
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
      scopes: federation.scopes,
    },
    ...(federation.awsOidcProviderArn ? { aws: { oidcProviderArn: federation.awsOidcProviderArn } } : {}),
    ...(federation.gcpPoolName ? { gcp: { poolName: federation.gcpPoolName } } : {}),
    services,
    ...(Object.keys(secrets).length > 0 ? { clientSecrets: pulumi.secret(secrets) } : {}),
  };
}

/** Typed Outputs of a federation stack, read through a StackReference. */
export interface FederationReference {
  readonly environment: pulumi.Output<string>;
  readonly issuerUrl: pulumi.Output<string>;
  readonly audience: pulumi.Output<string>;
  readonly tokenEndpoint: pulumi.Output<string>;
  readonly jwksUri: pulumi.Output<string>;
  /** The IAM OIDC provider ARN; fails at deploy time if the federation stack has no AWS. */
  readonly awsOidcProviderArn: pulumi.Output<string>;
  /** The GCP pool's resource name; fails at deploy time if the federation stack has no GCP. */
  readonly gcpPoolName: pulumi.Output<string>;
  /** One service's outputs; fails with the known service keys if `key` is not one of them. */
  service(key: string): pulumi.Output<ServiceV1>;
  /** The keys of all services. */
  readonly serviceKeys: pulumi.Output<string[]>;
}

/**
 * Reads a federation stack's outputs (contract version 1) with types, so another stack can build on
 * the issuer, audience and each service's client id without retyping them. Fails clearly when the
 * referenced stack speaks another contract version. For a stack with several federations
 * (`okta-federation:federations`), name the one to read.
 */
export function readFederation(stack: pulumi.StackReference, options: { readonly federation?: string } = {}): FederationReference {
  const version = stack.requireOutput("contractVersion").apply((v) => {
    if (v !== 1) throw new Error(`the federation stack has output contract version ${String(v)}; this reader understands version 1`);
    return v as 1;
  });
  const root: pulumi.Output<Omit<FederationOutputsV1, "contractVersion">> = options.federation
    ? pulumi.all([version, stack.requireOutput("federations")]).apply(([, all]) => {
        const found = (all as Record<string, Omit<FederationOutputsV1, "contractVersion">>)[options.federation!];
        if (!found) throw new Error(`the federation stack has no federation "${options.federation}"; federations: ${Object.keys(all as object).sort().join(", ")}`);
        return found;
      })
    : pulumi
        .all([version, stack.requireOutput("environment"), stack.requireOutput("okta"), stack.requireOutput("services"), stack.getOutput("aws"), stack.getOutput("gcp")])
        .apply(([, environment, okta, services, aws, gcp]) => ({ environment, okta, services, aws, gcp }) as Omit<FederationOutputsV1, "contractVersion">);
  const cloud = (name: "aws" | "gcp", field: "oidcProviderArn" | "poolName") =>
    root.apply((r) => {
      const found = (r[name] as Record<string, string> | undefined)?.[field];
      if (found === undefined) throw new Error(`the federation stack has no ${name}.${field} output: no service there uses ${name.toUpperCase()}`);
      return found;
    });
  return {
    environment: root.apply((r) => r.environment),
    issuerUrl: root.apply((r) => r.okta.issuerUrl),
    audience: root.apply((r) => r.okta.audience),
    tokenEndpoint: root.apply((r) => r.okta.tokenEndpoint),
    jwksUri: root.apply((r) => r.okta.jwksUri),
    // Getters: a federation without AWS or GCP fails only if the caller actually asks for it.
    get awsOidcProviderArn() {
      return cloud("aws", "oidcProviderArn");
    },
    get gcpPoolName() {
      return cloud("gcp", "poolName");
    },
    serviceKeys: root.apply((r) => Object.keys(r.services).sort()),
    service: (key: string) =>
      root.apply((r) => {
        const found = r.services[key];
        if (!found) throw new Error(`the federation stack has no service "${key}"; services: ${Object.keys(r.services).sort().join(", ")}`);
        return found;
      }),
  };
}
