import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "./internal/tokens";
import { runAll, runPaced, type Steps } from "./internal/steps";
import { oktaAppLabel } from "./internal/names";
import { oktaIssuerUrl } from "./internal/trust";
import { oktaWriteOrder } from "./internal/oktaPacing";
import { oktaBandPriority, oktaPolicyPriority } from "./internal/oktaPriorities";
import { FederationConfig, serverSettings } from "./config";
import type { TeamBinding } from "./config/team";
import { AuthorizationServer, type AuthorizationServerArgs } from "./okta/authorizationServer";
import { ServiceApp, ServiceAuth } from "./okta/serviceApp";
import { TokenHook } from "./okta/tokenHook";
// The cloud side (AWS, GCP, Azure) and what the wiring steps share.
import { physicalKey, serviceOptions, wireAws, wireAzure, wireGcp, type AwsParts, type AzureParts, type FederationWiring, type GcpParts, type OktaParts } from "./federationClouds";

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
 *
 * `new Federation(...)` builds every service before it returns. `await Federation.create(...)`
 * builds the same resources, with the same names, inputs and dependencies, but lets the event loop
 * turn after each service, so the SDK sends what is built while the rest is built: a plan of 500
 * services takes about 0.4 times the time and a quarter of the memory (internal/steps.ts). Stack
 * programs, which may be async, should use `create`.
 */
export class Federation extends pulumi.ComponentResource {
  // Assigned at the end of build(): before the constructor returns, or before create() resolves.
  public readonly issuerUrl!: pulumi.Output<string>;
  public readonly audience!: pulumi.Output<string>;
  public readonly authorizationServerId!: pulumi.Output<string>;
  public readonly services!: Readonly<Record<string, ServiceOutputs>>;
  /** The custom scope names of the authorization server, sorted. */
  public readonly scopes!: pulumi.Output<string[]>;
  /** The IAM OIDC provider (created or adopted), when a service uses AWS. */
  public readonly awsOidcProviderArn: pulumi.Output<string> | undefined;
  /** The workload identity pool's resource name, when a service uses GCP. */
  public readonly gcpPoolName: pulumi.Output<string> | undefined;

  /**
   * The federation built in steps, a turn of the event loop after each service (see the class
   * comment); resolves once every child is constructed and the outputs are set (their
   * registrations may still be on their way to the engine, as after any constructor).
   */
  static async create(name: string, args: FederationArgs, opts?: pulumi.ComponentResourceOptions): Promise<Federation> {
    let steps: Steps<void> | undefined;
    let built!: () => void;
    creating = { take: (s) => (steps = s), built: new Promise<void>((resolve) => (built = resolve)) };
    // However it ends, initialize() is released, so the component never waits on a failed build.
    try {
      let federation: Federation;
      try {
        federation = new Federation(name, args, opts);
      } finally {
        creating = undefined;
      }
      await runPaced(steps!);
      return federation;
    } finally {
      built();
    }
  }

  constructor(name: string, args: FederationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("index", "Federation"), name, {}, opts);
    const steps = this.build(name, args);
    // create() runs the steps itself; a plain constructor cannot wait, so it runs them all now.
    if (creating) creating.take(steps);
    else runAll(steps);
  }

  /**
   * The SDK registers a component's outputs (empty) once this resolves, unless the component has
   * registered them itself (pulumi/pulumi sdk/nodejs/resource.ts, ComponentResource
   * initializeAndRegisterOutputs). Under create() the outputs are registered at the end of the
   * steps, so this waits for them; otherwise the constructor has registered them already. A
   * resource that depends on the federation also waits for this before it collects the
   * federation's children as its dependencies (sdk/nodejs/runtime/dependsOn.ts), so it gets all of them.
   */
  protected override async initialize(): Promise<void> {
    // Called from super(), while create() is constructing this federation.
    const built = creating?.built;
    if (built) await built;
  }

  private *build(name: string, args: FederationArgs): Steps<void> {
    const wiring: FederationWiring = { parent: this, name, config: args.config, serviceKeys: Object.keys(args.config.services).sort(), appLabels: args.appLabels, team: args.team };
    // Okta first: every cloud trusts its issuer, audience and client ids. The clouds follow in a
    // fixed order, so the resources register in the same order on every run.
    const okta = yield* wireOkta(wiring, args.tokenHookAuthorization);
    const aws = yield* wireAws(wiring, okta);
    const gcp = yield* wireGcp(wiring, okta);
    const azure = yield* wireAzure(wiring, okta);

    // The fields are readonly to callers; they are set once, here.
    const self = this as { -readonly [K in keyof Federation]: Federation[K] };
    self.issuerUrl = okta.authz.issuerUrl;
    self.audience = okta.authz.audience;
    self.authorizationServerId = okta.authz.serverId;
    self.services = serviceOutputs(wiring.serviceKeys, okta, aws, gcp, azure);
    self.awsOidcProviderArn = aws?.oidcProviderArn;
    self.scopes = pulumi.all(Object.keys(okta.authz.scopeNames).sort().map((k) => okta.authz.scopeNames[k]!));
    self.gcpPoolName = gcp?.poolName;
    this.registerOutputs({ issuerUrl: this.issuerUrl, audience: this.audience, authorizationServerId: this.authorizationServerId });
  }
}

/** How Federation.create builds: it takes the steps from the constructor and says when they are all done. */
interface Pacing {
  readonly take: (steps: Steps<void>) => void;
  readonly built: Promise<void>;
}

/** Set only while Federation.create runs the constructor. */
let creating: Pacing | undefined;

/**
 * The token hook when configured, the authorization server, then one service app per service.
 * Every Okta write runs in one of `okta.provider.maxConcurrentWrites` lanes (oktaWriteOrder): lane
 * 0 is the hook, the server, its scopes and claims, then each service's policy and rule; the apps
 * fill the other lanes. So at most that many Okta writes run at once, whatever `pulumi up`'s
 * parallelism.
 */
function* wireOkta(wiring: FederationWiring, tokenHookAuthorization: pulumi.Input<string> | undefined): Steps<OktaParts> {
  const hook = oktaTokenHook(wiring, tokenHookAuthorization);
  const authz = oktaAuthorizationServer(wiring, hook);
  const apps = yield* oktaServiceApps(wiring, authz, hook);
  return { authz, apps };
}

function oktaAuthorizationServer({ parent, name, config, team }: FederationWiring, hook: TokenHook | undefined): AuthorizationServer {
  const server = serverSettings(config);
  if (team) {
    // The platform's server, read and checked against the issuer its contract records; its scopes
    // and claims are the platform's (a team naming one it lacks was refused by the config rules).
    return new AuthorizationServer(
      `${name}-authz`,
      {
        existingServerId: team.authorizationServerId,
        existingIssuer: team.issuerUrl,
        audience: server.audience,
        mismatchRemedy: `the platform stack ${team.platform} records another server than Okta holds: run pulumi up on the platform stack, then on this team stack`,
        writeAfter: hook,
      },
      { parent },
    );
  }
  return new AuthorizationServer(`${name}-authz`, configuredServerArgs(config, hook), { parent });
}

/**
 * The authorization server as a config describes it (create or adopt form), with its scopes and
 * claims: a single stack's Federation and a platform stack's Platform build it alike.
 */
export function configuredServerArgs(config: Pick<FederationConfig, "okta" | "protect">, hook: TokenHook | undefined): AuthorizationServerArgs {
  const server = serverSettings(config);
  return {
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
  };
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
function* oktaServiceApps(wiring: FederationWiring, authz: AuthorizationServer, hook: TokenHook | undefined): Steps<Record<string, ServiceApp>> {
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
    yield;
  }
  return apps;
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
