/**
 * The Federation's cloud side, wired from its Okta side: the AWS OIDC provider and roles, the GCP
 * pool (or a team's providers in its platform's pool) and service access, the Azure identities.
 * Split from federation.ts, which keeps the component and its Okta side.
 */
import * as pulumi from "@pulumi/pulumi";
import { awsRoleName, azureIdentityName, gcpId, gcpProviderShard, gcpServiceAccountId, gcpShardProviderId } from "./internal/names";
import { customerManagedPolicyArns } from "./internal/awsIdentityAdmin";
import type { FederationConfig } from "./config";
import type { TeamBinding } from "./config/team";
import type { AuthorizationServer } from "./okta/authorizationServer";
import type { ServiceApp } from "./okta/serviceApp";
import { OidcProvider } from "./aws/oidcProvider";
import { ServiceRole } from "./aws/serviceRole";
import { WorkloadIdentityPool } from "./gcp/workloadIdentityPool";
import { ServiceAccess } from "./gcp/serviceAccess";
import { ServiceIdentity } from "./azure/serviceIdentity";
import type { Federation, ServiceOutputs } from "./federation";
import type { Steps } from "./internal/steps";

/** What every wiring step reads: the federation component (parent of every child) and its validated config. */
export interface FederationWiring {
  /** The Federation itself: `parent` of every child, so children inherit its providers. */
  readonly parent: Federation;
  /** The Federation's logical name; children are named `<name>-...`. */
  readonly name: string;
  readonly config: FederationConfig;
  /** The service keys, sorted: services register in this order. */
  readonly serviceKeys: readonly string[];
  /** Okta app labels by service key, when given (FederationArgs.appLabels). */
  readonly appLabels?: Readonly<Record<string, string>>;
  /** The platform's objects a team stack uses (FederationArgs.team). */
  readonly team?: TeamBinding;
}

/** The Okta side every cloud trusts: the authorization server (issuer, audience) and one app (client id) per service. */
export interface OktaParts {
  readonly authz: AuthorizationServer;
  /** Service app by service key. */
  readonly apps: Readonly<Record<string, ServiceApp>>;
}

/** The AWS side: the IAM OIDC provider and each AWS service's role. */
export interface AwsParts {
  readonly oidcProviderArn: pulumi.Output<string>;
  /** By service key, for the services that use AWS. */
  readonly services: Readonly<Record<string, NonNullable<ServiceOutputs["aws"]>>>;
}

/** The GCP side: the workload identity pool and each GCP service's access. */
export interface GcpParts {
  readonly poolName: pulumi.Output<string>;
  /** By service key, for the services that use GCP. */
  readonly services: Readonly<Record<string, NonNullable<ServiceOutputs["gcp"]>>>;
}

/** The Azure side: each Azure service's managed identity. */
export interface AzureParts {
  /** By service key, for the services that use Azure. */
  readonly services: Readonly<Record<string, NonNullable<ServiceOutputs["azure"]>>>;
}

/**
 * A renamed service keeps its resources: physical names use its former key (see serviceOptions for
 * logical names).
 */
export function physicalKey({ config }: FederationWiring, key: string): string {
  return config.services[key]!.renamedFrom ?? key;
}

/**
 * Options of a service's component: parented to the federation and, for a renamed service, aliased
 * to its former logical name (children follow their parent's alias).
 */
export function serviceOptions({ parent, name, config }: FederationWiring, key: string, suffix = ""): pulumi.ComponentResourceOptions {
  const from = config.services[key]!.renamedFrom;
  return from ? { parent, aliases: [{ name: `${name}-${from}${suffix}` }] } : { parent };
}


/** The IAM OIDC provider for the issuer, then one role per AWS service; nothing when no service uses AWS. */
export function* wireAws(wiring: FederationWiring, { authz, apps }: OktaParts): Steps<AwsParts | undefined> {
  const { parent, name, config } = wiring;
  const env = config.environment;
  const awsKeys = wiring.serviceKeys.filter((k) => config.services[k]!.aws);
  const aws = config.aws;
  if (!aws || awsKeys.length === 0) return undefined;
  const provider = new OidcProvider(
    `${name}-aws-oidc`,
    {
      issuerUrl: authz.issuerUrl,
      audience: authz.audience,
      existingProviderArn: aws.existingOidcProviderArn,
      thumbprints: aws.thumbprints,
      protect: config.protect,
      tags: { "managed-by": "okta-federation", environment: env },
    },
    { parent },
  );
  const services: Record<string, NonNullable<ServiceOutputs["aws"]>> = {};
  // Customer managed policies attached anywhere in the stack: a statement that rewrites one reaches every role holding it.
  const stackPolicyArns = customerManagedPolicyArns(awsKeys.flatMap((key) => Object.values(config.services[key]!.aws!.policies).map((p) => p.arn)));
  for (const key of awsKeys) {
    const spec = config.services[key]!.aws!;
    const physical = physicalKey(wiring, key);
    const role = new ServiceRole(
      `${name}-${key}-aws`,
      {
        oidcProviderArn: provider.providerArn,
        issuerUrl: authz.issuerUrl,
        audience: authz.audience,
        clientId: apps[key]!.clientId,
        allowSessionTags: aws.sessionTags,
        policies: spec.policies,
        inlinePolicies: spec.inlinePolicies,
        stackPolicyArns,
        maxSessionDurationSeconds: spec.maxSessionDurationSeconds ?? aws.maxSessionDurationSeconds,
        path: aws.rolePath,
        roleName: awsRoleName(env, physical),
        permissionsBoundaryArn: aws.permissionsBoundaryArn,
        description: `Assumed by Okta service ${physical} (${env}) with its access token`,
        tags: { "managed-by": "okta-federation", environment: env, service: physical },
      },
      serviceOptions(wiring, key, "-aws"),
    );
    services[key] = { roleArn: role.roleArn };
    yield;
  }
  return { oidcProviderArn: provider.providerArn, services };
}

/**
 * The workload identity pool with its providers (each admits the client ids of its shard's
 * services), then each GCP service's access; nothing when no service uses GCP.
 */
export function* wireGcp(wiring: FederationWiring, { authz, apps }: OktaParts): Steps<GcpParts | undefined> {
  const { parent, name, config } = wiring;
  const env = config.environment;
  const gcpKeys = wiring.serviceKeys.filter((k) => config.services[k]!.gcp);
  const gcp = config.gcp;
  if (!gcp || gcpKeys.length === 0) return undefined;
  // A service's provider follows from its physical key, so a rename keeps its shard.
  const providerIdOf = (key: string) => gcpShardProviderId(gcp.providerId, gcpProviderShard(physicalKey(wiring, key), gcp.providerShards), gcp.idSuffix);
  const providers: Record<string, pulumi.Output<string>[]> = {};
  for (const key of gcpKeys) (providers[providerIdOf(key)] ??= []).push(apps[key]!.clientId);
  const pool = new WorkloadIdentityPool(
    `${name}-gcp-pool`,
    {
      project: gcp.project,
      poolId: gcpId(gcp.poolId ?? `okta-${env}`, gcp.idSuffix),
      // A team stack's providers go in the platform's pool.
      existingPoolName: wiring.team?.gcpPoolName,
      issuerUrl: authz.issuerUrl,
      audience: authz.audience,
      providers,
      mappedClaims: gcp.mappedClaims,
      additionalCondition: gcp.additionalCondition,
      protect: config.protect,
    },
    { parent },
  );
  const services: Record<string, NonNullable<ServiceOutputs["gcp"]>> = {};
  for (const key of gcpKeys) {
    const spec = config.services[key]!.gcp!;
    const physical = physicalKey(wiring, key);
    const access = new ServiceAccess(
      `${name}-${key}-gcp`,
      {
        project: gcp.project,
        poolName: pool.poolName,
        clientId: apps[key]!.clientId,
        serviceAccountId: spec.serviceAccount ? gcpServiceAccountId(env, physical) : undefined,
        roles: spec.roles,
        resourceRoles: spec.resourceRoles,
        description: `Impersonated by Okta service ${physical} (${env})`,
      },
      serviceOptions(wiring, key, "-gcp"),
    );
    services[key] = {
      workloadIdentityProvider: pool.providerNames[providerIdOf(key)]!,
      principal: access.principal,
      ...(access.serviceAccountEmail ? { serviceAccountEmail: access.serviceAccountEmail } : {}),
    };
    yield;
  }
  return { poolName: pool.poolName, services };
}

/** One user-assigned identity per Azure service, trusting the issuer for that service's client id; nothing when no service uses Azure. */
export function* wireAzure(wiring: FederationWiring, { authz, apps }: OktaParts): Steps<AzureParts | undefined> {
  const { name, config } = wiring;
  const env = config.environment;
  const azureKeys = wiring.serviceKeys.filter((k) => config.services[k]!.azure);
  const az = config.azure;
  if (!az || azureKeys.length === 0) return undefined;
  const services: Record<string, NonNullable<ServiceOutputs["azure"]>> = {};
  for (const key of azureKeys) {
    const spec = config.services[key]!.azure!;
    const physical = physicalKey(wiring, key);
    const identity = new ServiceIdentity(
      `${name}-${key}-azure`,
      {
        subscriptionId: az.subscriptionId,
        resourceGroupName: az.resourceGroup,
        location: az.location,
        identityName: azureIdentityName(az.identityNamePrefix ?? `id-${env}-`, physical),
        credentials: {
          [`okta-${env}`]: { issuerUrl: authz.issuerUrl, subject: apps[key]!.clientId, audience: authz.audience },
        },
        roleAssignments: spec.roleAssignments,
        protect: config.protect,
        tags: { environment: env, service: physical },
      },
      serviceOptions(wiring, key, "-azure"),
    );
    services[key] = { clientId: identity.clientId, tenantId: identity.tenantId, principalId: identity.principalId };
    yield;
  }
  return { services };
}
