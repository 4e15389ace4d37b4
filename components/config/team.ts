/**
 * A team stack's config (`okta-federation:team`): the team's name, the platform stack it reads
 * through a StackReference, and its services. Everything else comes from the platform's contract
 * (platformContract.ts), so a team types nothing twice: the contract and the team config together
 * make one federation config, validated by exactly the rules of a single stack.
 */
import { z } from "zod";
import { OKTA_PRIORITY_BANDS } from "../internal/oktaPriorities";
import { PLATFORM_CONTRACT, PLATFORM_CONTRACT_VERSION, type PlatformOutputsV1 } from "../platformContract";
import { FederationConfigError, formatPath, type ConfigProblem } from "./messages";
import { parseFederationConfig, withFillIns } from "./parse";
import { FILL_IN_MARK } from "../internal/fillIn";
import { PLATFORM_CONFIG_KEY } from "./platform";
import { asRecord, isRecord } from "./raw";
import { describeIssue, federationSchema, type FederationConfig } from "./schema";
import { required, strictObject } from "./schemaParts";

/** The config key of a team stack. */
export const TEAM_CONFIG_KEY = "team";

/** A stack name as StackReference takes it: `<organization>/<project>/<stack>` (or a shorter form). */
const STACK_NAME = /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;

export const teamHeaderSchema = strictObject({
  /** The team's name: a key of the platform config's `teams`. */
  team: z.string({ error: required("the team's name, a key of the platform config's teams") }).min(1, "must not be empty (the team's name, a key of the platform config's teams)"),
  /** The platform stack, as a StackReference names it. */
  platform: z
    .string({ error: "is required: the platform stack's name, <organization>/<project>/<stack>" })
    .regex(STACK_NAME, "must be the platform stack's name, <organization>/<project>/<stack>"),
  /** The team stack's own Okta pacing (the federation's okta.provider). */
  okta: strictObject({ provider: federationSchema.shape.okta.shape.provider }).optional(),
  services: federationSchema.shape.services,
});

export type TeamHeader = Pick<z.output<typeof teamHeaderSchema>, "team" | "platform">;

/** What the team's Federation takes from the platform beyond the config: the objects the platform owns. */
export interface TeamBinding {
  readonly team: string;
  /** The platform stack's name (for messages and outputs). */
  readonly platform: string;
  readonly authorizationServerId: string;
  /** The issuer as the platform recorded it; the team stack checks it against the server it reads. */
  readonly issuerUrl: string;
  readonly tokenHookId?: string;
  /** The platform's pool, when the team has GCP: its providers go in it. */
  readonly gcpPoolName?: string;
  readonly oktaPriorityBand: number;
}

export interface TeamConfig {
  readonly header: TeamHeader;
  /** The federation the team stack deploys: its services on the platform's server and trust. */
  readonly federation: FederationConfig;
  readonly binding: TeamBinding;
}

/**
 * The team and platform names from the raw team config, before the platform is read. Throws a
 * {@link FederationConfigError} when either is missing or malformed (the platform cannot be read
 * without them).
 */
export function parseTeamHeader(raw: unknown): TeamHeader {
  const record = asRecord(raw);
  const result = teamHeaderSchema.pick({ team: true, platform: true }).safeParse({ team: record.team, platform: record.platform }, { error: describeIssue });
  if (!isRecord(raw)) throw new FederationConfigError([{ path: "(root)", message: "must be an object with team, platform and services" }], TEAM_CONFIG_KEY);
  // A platform npm run new-env left to fill in cannot be read: every value still to fill in, at once.
  if (typeof raw.platform === "string" && raw.platform.startsWith(FILL_IN_MARK)) throw new FederationConfigError(withFillIns(raw, []), TEAM_CONFIG_KEY);
  if (!result.success) throw new FederationConfigError(result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })), TEAM_CONFIG_KEY);
  return result.data;
}

/**
 * Validates the team config against the platform's contract (the stack output `platform` of the
 * platform stack) and returns the federation the team deploys. Every problem is reported at once:
 * the team config's own, the contract's, and each service's by the federation rules.
 */
export function parseTeamConfig(raw: unknown, contract: unknown): TeamConfig {
  const header = parseTeamHeader(raw);
  const record = raw as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  const shape = teamHeaderSchema.safeParse(raw, { error: describeIssue });
  if (!shape.success) problems.push(...shape.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));

  const platform = contractProblem(contract, header);
  if (typeof platform === "string") throw new FederationConfigError([...problems, { path: "platform", message: platform }], TEAM_CONFIG_KEY);
  const team = platform.teams[header.team];
  if (!team) {
    const known = Object.keys(platform.teams).sort();
    throw new FederationConfigError(
      [...problems, { path: "team", message: `"${header.team}" is not a team of platform stack ${header.platform} (teams: ${known.join(", ") || "none"}); add it under ${PLATFORM_CONFIG_KEY}.teams in the platform's config` }],
      TEAM_CONFIG_KEY,
    );
  }

  const services = asRecord(record.services);
  const serviceCount = Object.keys(services).length;
  if (serviceCount > OKTA_PRIORITY_BANDS.width) {
    problems.push({ path: "services", message: `holds ${serviceCount} services, more than the ${OKTA_PRIORITY_BANDS.width} of one Okta priority band: split the team over two team stacks` });
  }
  // A cloud the platform gives this team no place in, said as such (the federation rule would ask for a top-level block).
  const missing: Array<[cloud: "aws" | "gcp" | "azure", where: string]> = [];
  if (!team.aws || !platform.aws) missing.push(["aws", "AWS account (platform config teams.<team>.aws.account)"]);
  if (!team.gcp || !platform.gcp) missing.push(["gcp", "provider in its GCP pool (platform config teams.<team>.gcp)"]);
  if (!team.azure || !platform.azure) missing.push(["azure", "Azure resource group (platform config teams.<team>.azure.resourceGroup)"]);
  for (const key of Object.keys(services).sort()) {
    for (const [cloud, where] of missing) {
      if (isRecord(services[key]) && (services[key] as Record<string, unknown>)[cloud] !== undefined) {
        problems.push({ path: `services.${key}.${cloud}`, message: `the platform (${header.platform}) gives team ${header.team} no ${where.replace("<team>", header.team)}: ask the platform team to add it` });
      }
    }
  }

  const federationRaw = teamFederationRaw(record, header, platform);
  let federation: FederationConfig | undefined;
  try {
    federation = parseFederationConfig(federationRaw);
  } catch (error) {
    if (!(error instanceof FederationConfigError)) throw error;
    const said = new Set(problems.map((p) => p.path));
    for (const p of error.problems) {
      if (said.has(p.path)) continue;
      // Paths under services and okta.provider are the team's own; anything else came from the platform's contract.
      const own = p.path.startsWith("services") || p.path.startsWith("okta.provider");
      // The scopes and claims a service names are the platform's.
      const message = p.message.replace("declared under okta.scopes", "declared by the platform under okta.scopes");
      problems.push(own ? { ...p, message } : { path: `${header.platform}:${p.path}`, message: `${message} (a value from the platform's contract)` });
    }
  }
  const unique = problems.filter((p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i);
  if (unique.length > 0 || !federation) throw new FederationConfigError(unique, TEAM_CONFIG_KEY);
  return {
    header,
    federation,
    binding: {
      team: header.team,
      platform: header.platform,
      authorizationServerId: platform.okta.authorizationServerId,
      issuerUrl: platform.okta.issuerUrl,
      ...(platform.okta.tokenHook ? { tokenHookId: platform.okta.tokenHook.id } : {}),
      ...(team.gcp && platform.gcp ? { gcpPoolName: platform.gcp.poolName } : {}),
      oktaPriorityBand: team.oktaPriorityBand,
    },
  };
}

/** The contract, or why it cannot be used. */
function contractProblem(contract: unknown, header: TeamHeader): PlatformOutputsV1 | string {
  if (!isRecord(contract) || contract.contract !== PLATFORM_CONTRACT) {
    return `stack ${header.platform} exports no ${PLATFORM_CONTRACT} contract (stack output "platform"): is it a platform stack, deployed with okta-federation:${PLATFORM_CONFIG_KEY}?`;
  }
  if (contract.contractVersion !== PLATFORM_CONTRACT_VERSION) {
    return `stack ${header.platform} exports ${PLATFORM_CONTRACT} version ${String(contract.contractVersion)}; this okta-federation reads version ${PLATFORM_CONTRACT_VERSION}: upgrade okta-federation in this team stack`;
  }
  return contract as unknown as PlatformOutputsV1;
}

/** An Okta authorization server id; a value known only after the platform's deploy (offline) stands in as such. */
const SERVER_ID = /^[A-Za-z0-9]+$/;

/**
 * The one federation config a team stack deploys: the platform's server adopted (scopes and claims
 * stay the platform's), its OIDC provider in the team's account adopted, the team's own providers
 * in the platform's pool, the team's resource group, and the team's services.
 */
export function teamFederationRaw(team: Record<string, unknown>, header: TeamHeader, platform: PlatformOutputsV1): Record<string, unknown> {
  const entry = platform.teams[header.team]!;
  const okta = platform.okta;
  const account = entry.aws && platform.aws ? platform.aws.accounts[entry.aws.account] : undefined;
  const teamOkta = asRecord(team.okta);
  return {
    environment: platform.environment,
    protect: platform.protect,
    okta: {
      orgName: okta.orgName,
      baseUrl: okta.baseUrl,
      authorizationServer: {
        existing: {
          // Before the platform's first deploy (the offline plan) the id is a placeholder; the rules only check its form.
          id: SERVER_ID.test(okta.authorizationServerId) ? okta.authorizationServerId : "platformserver",
          audience: okta.audience,
          issuerMode: okta.issuerMode,
          ...(okta.customDomain ? { customDomain: okta.customDomain } : {}),
        },
      },
      scopes: Object.fromEntries(okta.scopes.map((s) => [s, {}])),
      claims: okta.claims,
      tokenLifetimeMinutes: okta.tokenLifetimeMinutes,
      ...(teamOkta.provider !== undefined ? { provider: teamOkta.provider } : {}),
      ...(okta.tokenHook ? { tokenHook: { name: okta.tokenHook.name, url: okta.tokenHook.url, authHeader: okta.tokenHook.authHeader } } : {}),
    },
    ...(account && platform.aws
      ? {
          aws: {
            accountId: account.accountId,
            region: account.region,
            existingOidcProviderArn: account.oidcProviderArn,
            rolePath: platform.aws.rolePath,
            sessionTags: platform.aws.sessionTags,
            ...(platform.aws.permissionsBoundaryArn ? { permissionsBoundaryArn: platform.aws.permissionsBoundaryArn } : {}),
            maxSessionDurationSeconds: platform.aws.maxSessionDurationSeconds,
          },
        }
      : {}),
    ...(entry.gcp && platform.gcp
      ? {
          gcp: {
            project: platform.gcp.project,
            // The pool id without the platform's soft-delete suffix, and the suffix: the federation appends it
            // to the pool id and to each provider id after the shard number (gcpShardProviderId).
            poolId: platform.gcp.idSuffix ? platform.gcp.poolId.slice(0, -(platform.gcp.idSuffix.length + 1)) : platform.gcp.poolId,
            ...(platform.gcp.idSuffix ? { idSuffix: platform.gcp.idSuffix } : {}),
            providerId: entry.gcp.providerId,
            providerShards: entry.gcp.providerShards,
            mappedClaims: [...platform.gcp.mappedClaims],
            ...(platform.gcp.additionalCondition ? { additionalCondition: platform.gcp.additionalCondition } : {}),
          },
        }
      : {}),
    ...(entry.azure && platform.azure
      ? {
          azure: {
            subscriptionId: platform.azure.subscriptionId,
            tenantId: platform.azure.tenantId,
            location: platform.azure.location,
            resourceGroup: entry.azure.resourceGroup,
            ...(platform.azure.identityNamePrefix ? { identityNamePrefix: platform.azure.identityNamePrefix } : {}),
          },
        }
      : {}),
    services: team.services,
  };
}
