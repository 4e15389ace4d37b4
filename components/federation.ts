import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "./internal/tokens";
import { awsRoleName, azureIdentityName, gcpId, gcpProviderShard, gcpServiceAccountId, gcpShardProviderId, oktaAppLabel } from "./internal/names";
import { oktaIssuerUrl } from "./internal/trust";
import { FederationConfig, serverSettings } from "./config";
import { AuthorizationServer } from "./okta/authorizationServer";
import { ServiceApp, ServiceAuth } from "./okta/serviceApp";
import { TokenHook } from "./okta/tokenHook";
import { OidcProvider } from "./aws/oidcProvider";
import { ServiceRole } from "./aws/serviceRole";
import { WorkloadIdentityPool } from "./gcp/workloadIdentityPool";
import { ServiceAccess } from "./gcp/serviceAccess";
import { ServiceIdentity } from "./azure/serviceIdentity";

export interface FederationArgs {
  /** The validated config (see parseFederationConfig). */
  readonly config: FederationConfig;
  /** Value of the token hook's auth header; required when okta.tokenHook is configured. */
  readonly tokenHookAuthorization?: pulumi.Input<string>;
}

/** What a workload needs, per service, for each cloud it uses. */
export interface ServiceOutputs {
  readonly clientId: pulumi.Output<string>;
  readonly clientSecret?: pulumi.Output<string>;
  readonly aws?: { readonly roleArn: pulumi.Output<string> };
  readonly gcp?: {
    readonly workloadIdentityProvider: pulumi.Output<string>;
    readonly principal: pulumi.Output<string>;
    readonly serviceAccountEmail?: pulumi.Output<string>;
  };
  readonly azure?: { readonly clientId: pulumi.Output<string>; readonly tenantId: pulumi.Output<string>; readonly principalId: pulumi.Output<string> };
}

/**
 * The whole federation from one config: the Okta authorization server and one service app per
 * service, and the AWS, GCP and Azure trust for exactly those apps. Issuer, audience and client ids
 * flow from the Okta resources into every cloud; nothing is typed twice.
 *
 * Pass the providers in `opts.providers` (`okta`, `aws`, `gcp`, `azure-native`); children inherit them.
 */
export class Federation extends pulumi.ComponentResource {
  public readonly issuerUrl: pulumi.Output<string>;
  public readonly audience: pulumi.Output<string>;
  public readonly authorizationServerId: pulumi.Output<string>;
  public readonly services: Readonly<Record<string, ServiceOutputs>>;
  /** The custom scope names of the authorization server, sorted. */
  public readonly scopes: pulumi.Output<string[]>;
  /** The IAM OIDC provider (created or adopted), when a service uses AWS. */
  public readonly awsOidcProviderArn: pulumi.Output<string> | undefined;
  /** The workload identity pool's resource name, when a service uses GCP. */
  public readonly gcpPoolName: pulumi.Output<string> | undefined;

  constructor(name: string, args: FederationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("index", "Federation"), name, {}, opts);
    const config = args.config;
    const env = config.environment;
    const server = serverSettings(config);
    const serviceKeys = Object.keys(config.services).sort();
    // A renamed service keeps its resources: physical names use its former key, and each of its
    // components is aliased to its former logical name (children follow their parent's alias).
    const physical = (key: string) => config.services[key]!.renamedFrom ?? key;
    const formerly = (key: string, suffix = ""): pulumi.ComponentResourceOptions => {
      const from = config.services[key]!.renamedFrom;
      return from ? { parent: this, aliases: [{ name: `${name}-${from}${suffix}` }] } : { parent: this };
    };

    const authz = new AuthorizationServer(
      `${name}-authz`,
      {
        existingServerId: server.existingId,
        existingIssuer: server.existingId === undefined ? undefined : oktaIssuerUrl({ ...server, orgName: config.okta.orgName, baseUrl: config.okta.baseUrl, serverId: server.existingId }),
        serverName: server.name,
        description: server.description,
        audience: server.audience,
        issuerMode: server.issuerMode,
        keyRotation: server.keyRotation,
        scopes: Object.fromEntries(Object.entries(config.okta.scopes).map(([k, v]) => [k, { description: v?.description }])),
        claims: config.okta.claims,
        protect: config.protect,
      },
      { parent: this },
    );

    let hook: TokenHook | undefined;
    if (config.okta.tokenHook) {
      if (args.tokenHookAuthorization === undefined) {
        throw new pulumi.ResourceError("okta.tokenHook is configured but no tokenHookAuthorization value was given", this);
      }
      hook = new TokenHook(
        `${name}-token-hook`,
        {
          hookName: config.okta.tokenHook.name ?? `okta-federation-${env}`,
          url: config.okta.tokenHook.url,
          authHeader: config.okta.tokenHook.authHeader,
          authValue: args.tokenHookAuthorization,
        },
        { parent: this },
      );
    }

    const apps: Record<string, ServiceApp> = {};
    // One server's policies and rules are written one after another, in service-key order.
    let previous: pulumi.Resource | undefined;
    for (const key of serviceKeys) {
      const service = config.services[key]!;
      apps[key] = new ServiceApp(
        `${name}-${key}`,
        {
          authServerId: authz.serverId,
          label: oktaAppLabel(env, physical(key)),
          description: service.description,
          scopes: service.scopes.map((s) => authz.scopeNames[s] ?? s),
          tokenLifetimeMinutes: service.tokenLifetimeMinutes ?? config.okta.tokenLifetimeMinutes,
          auth: toServiceAuth(service.auth!),
          inlineHookId: service.tokenHook ? hook?.hookId : undefined,
          writeAfter: previous,
        },
        formerly(key),
      );
      previous = apps[key]!.lastOrderedWrite;
    }

    const outputs: Record<string, ServiceOutputs> = {};
    for (const key of serviceKeys) {
      outputs[key] = { clientId: apps[key]!.clientId, ...(apps[key]!.clientSecret ? { clientSecret: apps[key]!.clientSecret } : {}) };
    }
    const set = (key: string, part: Partial<ServiceOutputs>) => (outputs[key] = { ...outputs[key]!, ...part });

    let awsOidcProviderArn: pulumi.Output<string> | undefined;
    let gcpPoolName: pulumi.Output<string> | undefined;
    const awsKeys = serviceKeys.filter((k) => config.services[k]!.aws);
    if (config.aws && awsKeys.length > 0) {
      const aws = config.aws;
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
        { parent: this },
      );
      awsOidcProviderArn = provider.providerArn;
      for (const key of awsKeys) {
        const spec = config.services[key]!.aws!;
        const role = new ServiceRole(
          `${name}-${key}-aws`,
          {
            oidcProviderArn: provider.providerArn,
            issuerUrl: authz.issuerUrl,
            audience: authz.audience,
            clientId: apps[key]!.clientId,
            allowSessionTags: aws.sessionTags,
            policies: spec.policies,
            maxSessionDurationSeconds: spec.maxSessionDurationSeconds ?? aws.maxSessionDurationSeconds,
            path: aws.rolePath,
            roleName: awsRoleName(env, physical(key)),
            permissionsBoundaryArn: aws.permissionsBoundaryArn,
            description: `Assumed by Okta service ${physical(key)} (${env}) with its access token`,
            tags: { "managed-by": "okta-federation", environment: env, service: physical(key) },
          },
          formerly(key, "-aws"),
        );
        set(key, { aws: { roleArn: role.roleArn } });
      }
    }

    const gcpKeys = serviceKeys.filter((k) => config.services[k]!.gcp);
    if (config.gcp && gcpKeys.length > 0) {
      const gcp = config.gcp;
      const shards = gcp.providerShards;
      const providerIdOf = (key: string) => gcpShardProviderId(gcp.providerId, gcpProviderShard(physical(key), shards), gcp.idSuffix);
      const providers: Record<string, pulumi.Output<string>[]> = {};
      for (const key of gcpKeys) (providers[providerIdOf(key)] ??= []).push(apps[key]!.clientId);
      const pool = new WorkloadIdentityPool(
        `${name}-gcp-pool`,
        {
          project: gcp.project,
          poolId: gcpId(gcp.poolId ?? `okta-${env}`, gcp.idSuffix),
          issuerUrl: authz.issuerUrl,
          audience: authz.audience,
          providers,
          mappedClaims: gcp.mappedClaims,
          additionalCondition: gcp.additionalCondition,
          protect: config.protect,
        },
        { parent: this },
      );
      gcpPoolName = pool.poolName;
      for (const key of gcpKeys) {
        const spec = config.services[key]!.gcp!;
        const access = new ServiceAccess(
          `${name}-${key}-gcp`,
          {
            project: gcp.project,
            poolName: pool.poolName,
            clientId: apps[key]!.clientId,
            serviceAccountId: spec.serviceAccount ? gcpServiceAccountId(env, physical(key)) : undefined,
            roles: spec.roles,
            description: `Impersonated by Okta service ${physical(key)} (${env})`,
          },
          formerly(key, "-gcp"),
        );
        set(key, {
          gcp: {
            workloadIdentityProvider: pool.providerNames[providerIdOf(key)]!,
            principal: access.principal,
            ...(access.serviceAccountEmail ? { serviceAccountEmail: access.serviceAccountEmail } : {}),
          },
        });
      }
    }

    const azureKeys = serviceKeys.filter((k) => config.services[k]!.azure);
    if (config.azure && azureKeys.length > 0) {
      const az = config.azure;
      for (const key of azureKeys) {
        const spec = config.services[key]!.azure!;
        const identity = new ServiceIdentity(
          `${name}-${key}-azure`,
          {
            subscriptionId: az.subscriptionId,
            resourceGroupName: az.resourceGroup,
            location: az.location,
            identityName: azureIdentityName(az.identityNamePrefix ?? `id-${env}-`, physical(key)),
            credentials: {
              [`okta-${env}`]: { issuerUrl: authz.issuerUrl, subject: apps[key]!.clientId, audience: authz.audience },
            },
            roleAssignments: spec.roleAssignments,
            protect: config.protect,
            tags: { environment: env, service: physical(key) },
          },
          formerly(key, "-azure"),
        );
        set(key, { azure: { clientId: identity.clientId, tenantId: identity.tenantId, principalId: identity.principalId } });
      }
    }

    this.issuerUrl = authz.issuerUrl;
    this.audience = authz.audience;
    this.authorizationServerId = authz.serverId;
    this.services = outputs;
    this.awsOidcProviderArn = awsOidcProviderArn;
    this.scopes = pulumi.all(Object.keys(authz.scopeNames).sort().map((k) => authz.scopeNames[k]!));
    this.gcpPoolName = gcpPoolName;
    this.registerOutputs({ issuerUrl: this.issuerUrl, audience: this.audience, authorizationServerId: this.authorizationServerId });
  }
}

function toServiceAuth(auth: NonNullable<FederationConfig["services"][string]["auth"]>): ServiceAuth {
  if (auth.method === "client_secret_basic") return { method: auth.method, keepSecretInState: auth.keepSecretInState };
  return {
    method: auth.method,
    jwksUri: auth.jwksUri,
    // Only public members reach Okta.
    jwks: auth.jwks?.map(({ kid, kty, n, e, x, y }) => ({ kid, kty, n, e, x, y })),
  };
}
