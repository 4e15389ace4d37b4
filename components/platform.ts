import * as pulumi from "@pulumi/pulumi";
import { typeToken } from "./internal/tokens";
import { serverSettings } from "./config";
import { platformPoolId, type PlatformConfig } from "./config/platform";
import { PLATFORM_CONTRACT, PLATFORM_CONTRACT_VERSION, type PlatformOutputsV1 } from "./platformContract";
import { AuthorizationServer } from "./okta/authorizationServer";
import { configuredServerArgs } from "./federation";
import { TokenHook } from "./okta/tokenHook";
import { OidcProvider } from "./aws/oidcProvider";
import { WorkloadIdentityPool } from "./gcp/workloadIdentityPool";

export interface PlatformArgs {
  /** The validated platform config (parsePlatformConfig). */
  readonly config: PlatformConfig;
  /** Value of the token hook's auth header; required when okta.tokenHook is configured. */
  readonly tokenHookAuthorization?: pulumi.Input<string>;
  /**
   * One AWS provider per account of `config.aws.accounts`, by account name: each account's OIDC
   * provider is created with its own. The Okta and GCP providers come in `opts.providers`.
   */
  readonly awsProviders?: Readonly<Record<string, pulumi.ProviderResource>>;
  /**
   * The single-stack Federation whose shared objects were moved into this stack (docs/organisation.md):
   * its logical name, and the account (a key of `config.aws.accounts`) its OIDC provider was in. The
   * platform and its children then keep those objects' identities (aliases) instead of replacing them.
   */
  readonly formerFederation?: { readonly name: string; readonly awsAccount?: string };
}

/** The Federation component's type token: a platform moved out of a single stack was one. */
const FEDERATION_TYPE = typeToken("index", "Federation");

/**
 * What every team of an organisation shares, in one stack: the Okta authorization server with its
 * scopes, claims and token hook; an IAM OIDC provider for its issuer in each AWS account; the GCP
 * workload identity pool (each team stack adds its own provider). Team stacks read it through the
 * platform contract ({@link toPlatformOutputs}) and own their services.
 *
 * Pass the Okta and GCP providers in `opts.providers` and the AWS providers in `args.awsProviders`.
 */
export class Platform extends pulumi.ComponentResource {
  public readonly authorizationServerId: pulumi.Output<string>;
  public readonly issuerUrl: pulumi.Output<string>;
  public readonly audience: pulumi.Output<string>;
  public readonly tokenHookId: pulumi.Output<string> | undefined;
  /** The IAM OIDC provider's ARN in each account, by account name. */
  public readonly awsOidcProviderArns: Readonly<Record<string, pulumi.Output<string>>>;
  public readonly gcpPoolName: pulumi.Output<string> | undefined;

  constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    const former = args.formerFederation;
    // The former Federation's children are named `<former>-…` like this platform's `<name>-…`, so
    // each child inherits the alias (the SDK swaps the name prefix under the aliased parent).
    super(typeToken("index", "Platform"), name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), ...(former ? [{ name: former.name, type: FEDERATION_TYPE }] : [])] });
    const config = args.config;
    const parent = this;
    // Each direct child also names its former self explicitly: the SDK passes a parent's explicit
    // aliases on to its children (resource.js allAliases), so the server, scopes, claims, hook and
    // pool below these components keep their identities too.
    const formerUrn = former ? pulumi.createUrn(former.name, FEDERATION_TYPE) : undefined;
    const keep = (suffix: string) => (former ? { aliases: [{ name: `${former.name}${suffix}`, parent: formerUrn }] } : {});

    let hook: TokenHook | undefined;
    if (config.okta.tokenHook) {
      if (args.tokenHookAuthorization === undefined) throw new pulumi.ResourceError("okta.tokenHook is configured but no tokenHookAuthorization value was given", this);
      hook = new TokenHook(
        `${name}-token-hook`,
        { hookName: config.okta.tokenHook.name ?? `okta-federation-${config.environment}`, url: config.okta.tokenHook.url, authHeader: config.okta.tokenHook.authHeader, authValue: args.tokenHookAuthorization },
        { parent, ...keep("-token-hook") },
      );
    }

    const authz = new AuthorizationServer(`${name}-authz`, configuredServerArgs(config, hook), { parent, ...keep("-authz") });

    const arns: Record<string, pulumi.Output<string>> = {};
    for (const account of Object.keys(config.aws?.accounts ?? {}).sort()) {
      const spec = config.aws!.accounts[account]!;
      const provider = args.awsProviders?.[account];
      if (!provider) throw new pulumi.ResourceError(`no AWS provider was given for account ${account} (awsProviders)`, this);
      // The former single stack's provider was `<former>-aws-oidc`: one account keeps that identity.
      const aliases = former && former.awsAccount === account ? keep("-aws-oidc").aliases! : [];
      const oidc = new OidcProvider(
        `${name}-aws-oidc-${account}`,
        {
          issuerUrl: authz.issuerUrl,
          audience: authz.audience,
          existingProviderArn: spec.existingOidcProviderArn,
          thumbprints: spec.thumbprints,
          protect: config.protect,
          tags: { "managed-by": "okta-federation", environment: config.environment },
        },
        { parent, providers: { aws: provider }, aliases },
      );
      arns[account] = oidc.providerArn;
    }

    let poolName: pulumi.Output<string> | undefined;
    if (config.gcp) {
      const pool = new WorkloadIdentityPool(
        `${name}-gcp-pool`,
        {
          project: config.gcp.project,
          poolId: platformPoolId(config),
          issuerUrl: authz.issuerUrl,
          audience: authz.audience,
          // Each team stack adds its providers, whose conditions admit only its own client ids.
          providers: {},
          providersAddedElsewhere: true,
          protect: config.protect,
        },
        { parent, ...keep("-gcp-pool") },
      );
      poolName = pool.poolName;
    }

    this.authorizationServerId = authz.serverId;
    this.issuerUrl = authz.issuerUrl;
    this.audience = authz.audience;
    this.tokenHookId = hook?.hookId;
    this.awsOidcProviderArns = arns;
    this.gcpPoolName = poolName;
    this.registerOutputs({ authorizationServerId: this.authorizationServerId, issuerUrl: this.issuerUrl, audience: this.audience, awsOidcProviderArns: this.awsOidcProviderArns, gcpPoolName: this.gcpPoolName });
  }
}

/** The platform contract (platformContract.ts) as the stack output `platform`: plain values and Outputs the engine resolves. */
export function toPlatformOutputs(platform: Platform, config: PlatformConfig): pulumi.Output<PlatformOutputsV1> {
  const server = serverSettings(config);
  return pulumi
    .all([
      platform.authorizationServerId,
      platform.issuerUrl,
      platform.audience,
      pulumi.output(platform.tokenHookId),
      pulumi.output(platform.awsOidcProviderArns as Record<string, pulumi.Output<string>>),
      pulumi.output(platform.gcpPoolName),
    ])
    .apply(
      ([serverId, issuerUrl, audience, hookId, arns, poolName]): PlatformOutputsV1 => ({
        contract: PLATFORM_CONTRACT,
        contractVersion: PLATFORM_CONTRACT_VERSION,
        environment: config.environment,
        protect: config.protect,
        okta: {
          orgName: config.okta.orgName,
          baseUrl: config.okta.baseUrl,
          authorizationServerId: serverId,
          issuerUrl: issuerUrl,
          audience: audience,
          issuerMode: server.issuerMode,
          ...(server.customDomain ? { customDomain: server.customDomain } : {}),
          tokenEndpoint: `${issuerUrl}/v1/token`,
          jwksUri: `${issuerUrl}/v1/keys`,
          scopes: Object.keys(config.okta.scopes).sort(),
          claims: config.okta.claims,
          tokenLifetimeMinutes: config.okta.tokenLifetimeMinutes,
          ...(config.okta.tokenHook && hookId !== undefined
            ? { tokenHook: { id: hookId, name: config.okta.tokenHook.name ?? `okta-federation-${config.environment}`, url: config.okta.tokenHook.url, authHeader: config.okta.tokenHook.authHeader } }
            : {}),
        },
        ...(config.aws
          ? {
              aws: {
                accounts: Object.fromEntries(
                  Object.entries(config.aws.accounts).map(([k, a]) => [k, { accountId: a.accountId, region: a.region, oidcProviderArn: (arns as Record<string, string>)[k]! }]),
                ),
                rolePath: config.aws.rolePath,
                sessionTags: config.aws.sessionTags,
                ...(config.aws.permissionsBoundaryArn ? { permissionsBoundaryArn: config.aws.permissionsBoundaryArn } : {}),
                maxSessionDurationSeconds: config.aws.maxSessionDurationSeconds,
              },
            }
          : {}),
        ...(config.gcp && poolName !== undefined
          ? {
              gcp: {
                project: config.gcp.project,
                poolId: platformPoolId(config),
                ...(config.gcp.idSuffix ? { idSuffix: config.gcp.idSuffix } : {}),
                poolName: poolName,
                mappedClaims: config.gcp.mappedClaims,
                ...(config.gcp.additionalCondition ? { additionalCondition: config.gcp.additionalCondition } : {}),
              },
            }
          : {}),
        ...(config.azure ? { azure: { ...config.azure } } : {}),
        teams: Object.fromEntries(
          Object.entries(config.teams).map(([key, team]) => [
            key,
            {
              oktaPriorityBand: team.oktaPriorityBand,
              ...(team.aws ? { aws: { account: team.aws.account } } : {}),
              ...(team.gcp ? { gcp: { providerId: team.gcp.providerId ?? key, providerShards: team.gcp.providerShards } } : {}),
              ...(team.azure ? { azure: { resourceGroup: team.azure.resourceGroup } } : {}),
            },
          ]),
        ),
      }),
    );
}
