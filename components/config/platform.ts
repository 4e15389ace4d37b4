/**
 * The platform stack's config (`okta-federation:platform`): what every team of an organisation
 * shares — the Okta authorization server (issuer, audience, scopes, claims, token hook), the
 * clouds' trust in its issuer (an IAM OIDC provider per AWS account, one GCP workload identity
 * pool), the shared cloud settings — and the teams, each with its Okta priority band and its
 * place in each cloud. Team stacks (team.ts) read it through the platform's stack outputs.
 */
import { z } from "zod";
import { LIMITS } from "../internal/limits";
import { OKTA_PRIORITY_BANDS } from "../internal/oktaPriorities";
import { gcpId, gcpShardProviderId } from "../internal/names";
import { FederationConfigError, KEY_PATTERN, KEY_RULE, formatPath, type ConfigProblem } from "./messages";
import { dedupe, parseFederationConfig, withFillIns } from "./parse";
import { isRecord } from "./raw";
import { describeIssue, federationSchema } from "./schema";
import { strictObject } from "./schemaParts";

/** The config key of a platform stack. */
export const PLATFORM_CONFIG_KEY = "platform";

const federation = federationSchema.shape;
const awsShape = federation.aws.unwrap().shape;
const gcpShape = federation.gcp.unwrap().shape;
const azureShape = federation.azure.unwrap().shape;

const GCP_ID = /^[a-z0-9-]+$/;
const gcpProviderIdSchema = z
  .string({ error: "must be a string: the team's provider id in the platform's pool" })
  .refine((id) => GCP_ID.test(id) && id.length >= LIMITS.gcp.idLength.min && id.length <= LIMITS.gcp.idLength.max && !id.startsWith("gcp-"), {
    error: `must be ${LIMITS.gcp.idLength.min}-${LIMITS.gcp.idLength.max} characters of a-z, 0-9 and '-', not starting with 'gcp-' (a workload identity pool provider id)`,
  });

const bandMessage = `must be a whole number from 1 to ${OKTA_PRIORITY_BANDS.count}: the team's own range of Okta policy priorities, distinct per team`;

const teamSchema = strictObject({
  /** The team's range of Okta policy priorities (oktaBandPriority): distinct per team, fixed once deployed. */
  oktaPriorityBand: z.number({ error: bandMessage }).int(bandMessage).min(1, bandMessage).max(OKTA_PRIORITY_BANDS.count, bandMessage),
  /** The AWS account (a key of aws.accounts) the team's roles live in; trusted through that account's OIDC provider. */
  aws: strictObject({ account: z.string({ error: "must be a string: a key of aws.accounts" }) }).optional(),
  /**
   * The team's OIDC provider(s) in the platform's pool: the team stack owns them, and their
   * condition admits only its own client ids, so no team rewrites another's condition.
   */
  gcp: strictObject({
    providerId: gcpProviderIdSchema.optional(),
    providerShards: gcpShape.providerShards,
  }).optional(),
  /** The resource group the team's managed identities live in (an existing one). */
  azure: strictObject({ resourceGroup: azureShape.resourceGroup }).optional(),
});

export const platformSchema = strictObject({
  environment: federation.environment,
  protect: federation.protect,
  okta: federation.okta,
  aws: strictObject({
    /** One IAM OIDC provider for the issuer per account, keyed by a name the teams use. */
    accounts: z.record(
      z.string(),
      strictObject({
        accountId: awsShape.accountId,
        region: awsShape.region,
        existingOidcProviderArn: awsShape.existingOidcProviderArn,
        thumbprints: awsShape.thumbprints,
      }),
      { error: "must be a map of AWS accounts keyed by a name, e.g. { main: { accountId: \"111111111111\" } }" },
    ),
    rolePath: awsShape.rolePath,
    sessionTags: awsShape.sessionTags,
    permissionsBoundaryArn: awsShape.permissionsBoundaryArn,
    maxSessionDurationSeconds: awsShape.maxSessionDurationSeconds,
  }).optional(),
  gcp: strictObject({
    project: gcpShape.project,
    poolId: gcpShape.poolId,
    idSuffix: gcpShape.idSuffix,
    mappedClaims: gcpShape.mappedClaims,
    additionalCondition: gcpShape.additionalCondition,
  }).optional(),
  azure: strictObject({
    subscriptionId: azureShape.subscriptionId,
    tenantId: azureShape.tenantId,
    location: azureShape.location,
    identityNamePrefix: azureShape.identityNamePrefix,
  }).optional(),
  /**
   * Set once, when the platform's objects were moved out of a single stack (docs/organisation.md):
   * the former Federation's logical name (`federation` in this kit's stack program) and the account
   * its OIDC provider was in. The platform then keeps their identities through aliases.
   */
  formerFederation: strictObject({
    name: z.string({ error: "must be a string: the logical name of the Federation the objects came from, e.g. federation" }).default("federation"),
    awsAccount: z.string({ error: "must be a string: a key of aws.accounts" }).optional(),
  }).optional(),
  teams: z.record(z.string(), teamSchema, {
    error: (issue) => (issue.input === undefined ? "is required: a map of the teams whose stacks use this platform, keyed by team name" : "must be a map of teams keyed by team name"),
  }),
});

export type PlatformConfig = z.output<typeof platformSchema>;
export type PlatformTeamConfig = PlatformConfig["teams"][string];

/** The pool id the platform creates: `okta-<environment>` unless set, with the optional suffix. */
export function platformPoolId(config: Pick<PlatformConfig, "environment" | "gcp">): string {
  return gcpId(config.gcp?.poolId ?? `okta-${config.environment}`, config.gcp?.idSuffix);
}

/** The provider ids a team owns in the pool: its base id (the team key unless set) and one per further shard. */
export function teamProviderIds(teamKey: string, team: PlatformTeamConfig, idSuffix: string | undefined): string[] {
  const base = team.gcp?.providerId ?? teamKey;
  const shards = team.gcp?.providerShards ?? 1;
  return Array.from({ length: shards }, (_, shard) => gcpShardProviderId(base, shard, idSuffix));
}

/**
 * Parses and validates the platform config: the Okta block and the environment by the same rules
 * as a federation's, the rest by the platform schema, then the rules across teams. Throws a
 * {@link FederationConfigError} listing every problem.
 */
export function parsePlatformConfig(raw: unknown): PlatformConfig {
  const problems: ConfigProblem[] = isRecord(raw) ? [...sharedBlockProblems(raw), ...adoptedServerProblems(raw)] : [];
  const result = platformSchema.safeParse(raw, { error: describeIssue });
  if (!result.success) problems.push(...result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })));
  // The rules across teams run on every team that parses on its own, so one pass reports everything.
  problems.push(...teamNameProblems(raw), ...teamProblems(result.success ? result.data : tolerantPlatform(raw)));
  // Values npm run new-env marked are reported as still to fill in, without what they cause elsewhere.
  const unique = withFillIns(raw, dedupe(problems));
  if (unique.length > 0 || !result.success) throw new FederationConfigError(unique, PLATFORM_CONFIG_KEY);
  return result.data;
}

/** The fields of an AWS account entry; the rest of the aws block is shared by every account. */
const ACCOUNT_FIELDS = ["accountId", "region", "existingOidcProviderArn", "thumbprints"];

/**
 * The environment, the Okta block and the shared cloud settings, by the federation's own rules:
 * once per AWS account (that account's fields with the shared ones, as each team stack will see
 * them), with no services (the teams' stacks hold them). A problem is reported at the platform's
 * own key path.
 */
function sharedBlockProblems(raw: Record<string, unknown>): ConfigProblem[] {
  const aws = isRecord(raw.aws) ? raw.aws : undefined;
  const accounts = aws && isRecord(aws.accounts) && Object.keys(aws.accounts).length > 0 ? Object.entries(aws.accounts) : [[undefined, undefined] as const];
  const shared = aws ? Object.fromEntries(Object.entries(aws).filter(([k]) => k !== "accounts")) : {};
  const problems: ConfigProblem[] = [];
  for (const [key, account] of accounts) {
    const federation = {
      environment: raw.environment,
      ...(raw.protect !== undefined ? { protect: raw.protect } : {}),
      okta: raw.okta,
      ...(aws && key !== undefined && isRecord(account) ? { aws: { ...shared, ...account } } : {}),
      ...(raw.gcp !== undefined ? { gcp: raw.gcp } : {}),
      services: {},
    };
    try {
      parseFederationConfig(federation);
    } catch (error) {
      if (!(error instanceof FederationConfigError)) throw error;
      for (const p of error.problems) {
        // The platform has no services of its own; a field of one account is that account's.
        if (p.path.startsWith("services")) continue;
        const field = /^aws\.([A-Za-z]+)/.exec(p.path)?.[1];
        problems.push(field && ACCOUNT_FIELDS.includes(field) ? { path: `aws.accounts.${key}.${p.path.slice(4)}`, message: p.message } : p);
      }
    }
  }
  return problems;
}

/**
 * A platform creates its server: team stacks create their policies in bands below every policy the
 * server holds (oktaBandPriority), so an adopted server's own policies would come first and decide
 * the teams' tokens (the first policy and rule that match decide; the `default` server's Default
 * Policy admits every client).
 */
function adoptedServerProblems(raw: Record<string, unknown>): ConfigProblem[] {
  const server = isRecord(raw.okta) ? raw.okta.authorizationServer : undefined;
  if (!isRecord(server) || server.existing === undefined) return [];
  return [
    {
      path: "okta.authorizationServer.existing",
      message:
        "a platform stack creates its authorization server (name, audience): team stacks create their policies below every policy the server already has, so an adopted server's own policies (the default server's Default Policy admits every client) would decide the teams' tokens; keep an adopted server in a single stack (okta-federation:federation)",
    },
  ];
}

/** Team names follow the rule of service keys (they name stacks, provider ids and messages). */
function teamNameProblems(raw: unknown): ConfigProblem[] {
  const { min, max } = LIMITS.kit.serviceKeyLength;
  const teams = isRecord(raw) && isRecord(raw.teams) ? Object.keys(raw.teams) : [];
  return teams
    .filter((key) => !(KEY_PATTERN.test(key) && key.length >= min && key.length <= max))
    .map((key) => ({ path: `teams.${key}`, message: `invalid team name "${key}"; allowed: ${KEY_RULE(min, max)}` }));
}

/** The fields of `record` among `keys` that are strings (the valid parts of a refused block). */
function stringsOf(record: Record<string, unknown>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.flatMap((key) => (typeof record[key] === "string" ? [[key, record[key] as string]] : [])));
}

/** What the rules across teams read, from a config the schema refused: each part that parses on its own. */
function tolerantPlatform(raw: unknown): PlatformConfig {
  const record = isRecord(raw) ? raw : {};
  const part = <T>(schema: z.ZodType<T>, value: unknown): T | undefined => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  };
  const shape = platformSchema.shape;
  const aws = isRecord(record.aws) ? { ...(part(shape.aws, { accounts: {} , ...record.aws }) ?? { accounts: {} }), accounts: Object.fromEntries(Object.entries(isRecord(record.aws.accounts) ? record.aws.accounts : {}).flatMap(([k, v]) => { const a = part(shape.aws.unwrap().shape.accounts.valueType, v); return [[k, a ?? { accountId: `(invalid ${k})`, region: "" }]]; })) } : undefined;
  const teams = Object.fromEntries(Object.entries(isRecord(record.teams) ? record.teams : {}).flatMap(([k, v]) => { const t = part(teamSchema, v); return t ? [[k, t]] : []; }));
  return {
    environment: typeof record.environment === "string" ? record.environment : "env",
    aws: aws as PlatformConfig["aws"],
    // A block that is there but refused (its own problems are reported) still counts as there.
    gcp: isRecord(record.gcp) ? part(shape.gcp, record.gcp) ?? { project: "(invalid)", ...stringsOf(record.gcp, ["poolId", "idSuffix"]) } : undefined,
    azure: isRecord(record.azure) ? part(shape.azure, record.azure) ?? { subscriptionId: "(invalid)", tenantId: "(invalid)", location: "(invalid)" } : undefined,
    formerFederation: part(shape.formerFederation, record.formerFederation),
    teams,
  } as PlatformConfig;
}

/** Teams: their names, distinct bands, an account and a provider id each can own, within the pool's limit. */
function teamProblems(config: PlatformConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const { min, max } = LIMITS.kit.serviceKeyLength;
  const bands = new Map<number, string>();
  const providers = new Map<string, string>();
  const accounts = Object.keys(config.aws?.accounts ?? {});
  for (const [key, account] of Object.entries(config.aws?.accounts ?? {})) {
    if (!(KEY_PATTERN.test(key) && key.length >= min && key.length <= max)) add(`aws.accounts.${key}`, `invalid account name "${key}"; allowed: ${KEY_RULE(min, max)}`);
    const same = Object.entries(config.aws!.accounts).find(([other, a]) => other < key && a.accountId === account.accountId);
    if (same) add(`aws.accounts.${key}.accountId`, `is ${account.accountId}, already named ${same[0]}: IAM allows one OIDC provider per issuer URL per account, so each account is listed once`);
  }
  const formerAccount = config.formerFederation?.awsAccount;
  if (formerAccount !== undefined && !accounts.includes(formerAccount)) add("formerFederation.awsAccount", `is "${formerAccount}", not an account of aws.accounts; allowed: ${accounts.join(", ") || "(none)"}`);
  let providerCount = 0;
  for (const key of Object.keys(config.teams).sort()) {
    const team = config.teams[key]!;
    const path = `teams.${key}`;
    const holder = bands.get(team.oktaPriorityBand);
    if (holder) add(`${path}.oktaPriorityBand`, `is ${team.oktaPriorityBand}, already the band of team ${holder}: each team needs its own band, so that teams deploying at once never create Okta policies at one priority`);
    else bands.set(team.oktaPriorityBand, key);
    if (team.aws && !config.aws) add(`${path}.aws`, "needs the top-level aws block (accounts) to be configured");
    else if (team.aws && !accounts.includes(team.aws.account)) add(`${path}.aws.account`, `is "${team.aws.account}", not an account of aws.accounts; allowed: ${accounts.join(", ")}`);
    if (team.gcp && !config.gcp) add(`${path}.gcp`, "needs the top-level gcp block (project) to be configured");
    if (team.azure && !config.azure) add(`${path}.azure`, "needs the top-level azure block (subscriptionId, tenantId, location) to be configured");
    if (team.gcp && config.gcp) {
      for (const id of teamProviderIds(key, team, config.gcp.idSuffix)) {
        providerCount++;
        const owner = providers.get(id);
        if (owner) add(`${path}.gcp`, `would own provider ${id} in pool ${platformPoolId(config)}, already team ${owner}'s: each team needs its own provider ids (set gcp.providerId)`);
        else providers.set(id, key);
        if (id.length > LIMITS.gcp.idLength.max) add(`${path}.gcp`, `gives provider id "${id}", longer than ${LIMITS.gcp.idLength.max} characters: set a shorter gcp.providerId`);
      }
    }
  }
  if (providerCount > LIMITS.gcp.providersPerPool) {
    add("teams", `the teams own ${providerCount} providers in pool ${platformPoolId(config)}, more than ${LIMITS.gcp.providersPerPool} (the providers per pool the kit allows: Google documents 200 for workforce pools and no figure for workload pools, docs/config.md#platform-and-team-stacks); lower providerShards or split the teams over two platforms`);
  }
  return problems;
}
