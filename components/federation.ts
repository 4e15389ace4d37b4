import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "./internal/tokens";
import { awsRoleName, azureIdentityName, gcpId, gcpProviderShard, gcpServiceAccountId, gcpShardProviderId, oktaAppLabel } from "./internal/names";
import { oktaIssuerUrl } from "./internal/trust";
import { oktaWriteOrder } from "./internal/oktaPacing";
import { oktaBandPriority, oktaPolicyPriority } from "./internal/oktaPriorities";
import { FederationConfig, serverSettings } from "./config";
import type { TeamBinding } from "./config/team";
import { AuthorizationServer } from "./okta/authorizationServer";
import { ServiceApp, ServiceAuth } from "./okta/serviceApp";
import { TokenHook } from "./okta/tokenHook";
import { OidcProvider } from "./aws/oidcProvider";
import { ServiceRole } from "./aws/serviceRole";
import { customerManagedPolicyArns } from "./internal/awsIdentityAdmin";
import { WorkloadIdentityPool } from "./gcp/workloadIdentityPool";
import { ServiceAccess } from "./gcp/serviceAccess";
import { ServiceIdentity } from "./azure/serviceIdentity";

export interface FederationArgs {
  /** The validated config (see parseFederationConfig). */
  readonly config: FederationConfig;
  /** Value of the token hook's auth header; required when okta.tokenHook is configured. */
  readonly tokenHookAuthorization?: pulumi.Input<string>;
  /**
   * Okta app labels by service key, when the stack holds several federations of one Okta org
   * (uniqueOktaAppLabels in internal/names.ts); by default `<environment>-<service>`.
   */
  readonly appLabels?: Readonly<Record<string, string>>;
  /**
   * A team stack's federation (config/team.ts): the platform stack owns the authorization server
   * (with its scopes, claims and token hook), the OIDC providers and the GCP pool. This federation
   * reads the server, adopts the provider, puts its own providers in the platform's pool and
   * creates its policies in the team's priority band.
   */
  readonly team?: TeamBinding;
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
    const wiring: FederationWiring = { parent: this, name, config: args.config, serviceKeys: Object.keys(args.config.services).sort(), appLabels: args.appLabels, team: args.team };
    // Okta first: every cloud trusts its issuer, audience and client ids. The clouds follow in a
    // fixed order, so the resources register in the same order on every run.
    const okta = wireOkta(wiring, args.tokenHookAuthorization);
    const aws = wireAws(wiring, okta);
    const gcp = wireGcp(wiring, okta);
    const azure = wireAzure(wiring, okta);

    this.issuerUrl = okta.authz.issuerUrl;
    this.audience = okta.authz.audience;
    this.authorizationServerId = okta.authz.serverId;
    this.services = serviceOutputs(wiring.serviceKeys, okta, aws, gcp, azure);
    this.awsOidcProviderArn = aws?.oidcProviderArn;
    this.scopes = pulumi.all(Object.keys(okta.authz.scopeNames).sort().map((k) => okta.authz.scopeNames[k]!));
    this.gcpPoolName = gcp?.poolName;
    this.registerOutputs({ issuerUrl: this.issuerUrl, audience: this.audience, authorizationServerId: this.authorizationServerId });
  }
}

/** What every wiring step reads: the federation component (parent of every child) and its validated config. */
interface FederationWiring {
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
interface OktaParts {
  readonly authz: AuthorizationServer;
  /** Service app by service key. */
  readonly apps: Readonly<Record<string, ServiceApp>>;
}

/** The AWS side: the IAM OIDC provider and each AWS service's role. */
interface AwsParts {
  readonly oidcProviderArn: pulumi.Output<string>;
  /** By service key, for the services that use AWS. */
  readonly services: Readonly<Record<string, NonNullable<ServiceOutputs["aws"]>>>;
}

/** The GCP side: the workload identity pool and each GCP service's access. */
interface GcpParts {
  readonly poolName: pulumi.Output<string>;
  /** By service key, for the services that use GCP. */
  readonly services: Readonly<Record<string, NonNullable<ServiceOutputs["gcp"]>>>;
}

/** The Azure side: each Azure service's managed identity. */
interface AzureParts {
  /** By service key, for the services that use Azure. */
  readonly services: Readonly<Record<string, NonNullable<ServiceOutputs["azure"]>>>;
}

/**
 * A renamed service keeps its resources: physical names use its former key (see serviceOptions for
 * logical names).
 */
function physicalKey({ config }: FederationWiring, key: string): string {
  return config.services[key]!.renamedFrom ?? key;
}

/**
 * Options of a service's component: parented to the federation and, for a renamed service, aliased
 * to its former logical name (children follow their parent's alias).
 */
function serviceOptions({ parent, name, config }: FederationWiring, key: string, suffix = ""): pulumi.ComponentResourceOptions {
  const from = config.services[key]!.renamedFrom;
  return from ? { parent, aliases: [{ name: `${name}-${from}${suffix}` }] } : { parent };
}

/**
 * The token hook when configured, the authorization server, then one service app per service.
 * Every Okta write runs in one of `okta.provider.maxConcurrentWrites` lanes (oktaWriteOrder): lane
 * 0 is the hook, the server, its scopes and claims, then each service's policy and rule; the apps
 * fill the other lanes. So at most that many Okta writes run at once, whatever `pulumi up`'s
 * parallelism.
 */
function wireOkta(wiring: FederationWiring, tokenHookAuthorization: pulumi.Input<string> | undefined): OktaParts {
  const hook = oktaTokenHook(wiring, tokenHookAuthorization);
  const authz = oktaAuthorizationServer(wiring, hook);
  const apps = oktaServiceApps(wiring, authz, hook);
  return { authz, apps };
}

function oktaAuthorizationServer({ parent, name, config, team }: FederationWiring, hook: TokenHook | undefined): AuthorizationServer {
  const server = serverSettings(config);
  if (team) {
    // The platform's server, read and checked against the issuer its contract records; its scopes
    // and claims are the platform's (a team naming one it lacks was refused by the config rules).
    return new AuthorizationServer(
      `${name}-authz`,
      { existingServerId: team.authorizationServerId, existingIssuer: team.issuerUrl, audience: server.audience, writeAfter: hook },
      { parent },
    );
  }
  return new AuthorizationServer(
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
      // The server's writes follow the hook's in lane 0 (a dependency on the component is one on its hook).
      writeAfter: hook,
    },
    { parent },
  );
}

/** The stack's token inline hook, when okta.tokenHook is configured; its auth value must then be given. */
function oktaTokenHook({ parent, name, config, team }: FederationWiring, authorization: pulumi.Input<string> | undefined): TokenHook | undefined {
  const hookConfig = config.okta.tokenHook;
  // A team stack's services attach the platform's hook (TeamBinding.tokenHookId).
  if (!hookConfig || team) return undefined;
  if (authorization === undefined) {
    throw new pulumi.ResourceError("okta.tokenHook is configured but no tokenHookAuthorization value was given", parent);
  }
  return new TokenHook(
    `${name}-token-hook`,
    {
      hookName: hookConfig.name ?? `okta-federation-${config.environment}`,
      url: hookConfig.url,
      authHeader: hookConfig.authHeader,
      authValue: authorization,
    },
    { parent },
  );
}

/**
 * One service app (client, policy, rule) per service, in service-key order. Each policy and rule
 * follows the previous service's rule (lane 0, after the server's scopes and claims); each app
 * follows the previous app of its lane; each policy gets its own priority (oktaPolicyPriority).
 */
function oktaServiceApps(wiring: FederationWiring, authz: AuthorizationServer, hook: TokenHook | undefined): Record<string, ServiceApp> {
  const { name, config } = wiring;
  const apps: Record<string, ServiceApp> = {};
  const order = oktaWriteOrder(
    wiring.serviceKeys.map((key) => ({ key, physicalKey: physicalKey(wiring, key) })),
    config.okta.provider.maxConcurrentWrites,
  );
  const server = serverSettings(config).existingId === undefined ? "created" : "adopted";
  // A team's policies go in its own band, below every other stack's (oktaBandPriority).
  const priority = (rank: number) => (wiring.team ? oktaBandPriority(wiring.team.oktaPriorityBand, rank) : oktaPolicyPriority(server, rank));
  const hookId = hook?.hookId ?? (wiring.team?.tokenHookId !== undefined ? pulumi.output(wiring.team.tokenHookId) : undefined);
  let previous: pulumi.Resource | undefined = authz.lastOrderedWrite;
  for (const [index, key] of order.chain.entries()) {
    const service = config.services[key]!;
    apps[key] = new ServiceApp(
      `${name}-${key}`,
      {
        authServerId: authz.serverId,
        label: wiring.appLabels?.[key] ?? oktaAppLabel(config.environment, physicalKey(wiring, key)),
        description: service.description,
        scopes: service.scopes.map((s) => authz.scopeNames[s] ?? s),
        tokenLifetimeMinutes: service.tokenLifetimeMinutes ?? config.okta.tokenLifetimeMinutes,
        auth: toServiceAuth(service.auth!),
        inlineHookId: service.tokenHook ? hookId : undefined,
        policyPriority: priority(index + 1),
        writeAfter: previous,
        appAfter: order.appAfter[key] === undefined ? undefined : apps[order.appAfter[key]!]!.appWrite,
      },
      serviceOptions(wiring, key),
    );
    previous = apps[key]!.lastOrderedWrite;
  }
  return apps;
}

/** The IAM OIDC provider for the issuer, then one role per AWS service; nothing when no service uses AWS. */
function wireAws(wiring: FederationWiring, { authz, apps }: OktaParts): AwsParts | undefined {
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
  }
  return { oidcProviderArn: provider.providerArn, services };
}

/**
 * The workload identity pool with its providers (each admits the client ids of its shard's
 * services), then each GCP service's access; nothing when no service uses GCP.
 */
function wireGcp(wiring: FederationWiring, { authz, apps }: OktaParts): GcpParts | undefined {
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
  }
  return { poolName: pool.poolName, services };
}

/** One user-assigned identity per Azure service, trusting the issuer for that service's client id; nothing when no service uses Azure. */
function wireAzure(wiring: FederationWiring, { authz, apps }: OktaParts): AzureParts | undefined {
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
  }
  return { services };
}

/** What each service's workload needs: its client (id, and secret when kept), then what each of its clouds gave it. */
function serviceOutputs(
  serviceKeys: readonly string[],
  { apps }: OktaParts,
  aws: AwsParts | undefined,
  gcp: GcpParts | undefined,
  azure: AzureParts | undefined,
): Record<string, ServiceOutputs> {
  const outputs: Record<string, ServiceOutputs> = {};
  for (const key of serviceKeys) {
    const app = apps[key]!;
    outputs[key] = {
      clientId: app.clientId,
      ...(app.clientSecret ? { clientSecret: app.clientSecret } : {}),
      ...(aws?.services[key] ? { aws: aws.services[key] } : {}),
      ...(gcp?.services[key] ? { gcp: gcp.services[key] } : {}),
      ...(azure?.services[key] ? { azure: azure.services[key] } : {}),
    };
  }
  return outputs;
}

function toServiceAuth(auth: NonNullable<FederationConfig["services"][string]["auth"]>): ServiceAuth {
  if (auth.method === "client_secret_basic") return { method: auth.method, keepSecretInState: auth.keepSecretInState };
  return {
    method: auth.method,
    jwksUri: auth.jwksUri,
    // Only public members reach Okta.
    jwks: auth.jwks?.map(({ kid, kty, n, e, x, y, crv }) => ({ kid, kty, n, e, x, y, ...(crv ? { crv } : {}) })),
  };
}
