/**
 * The generated organisation of `npm run bench -- --org` (dev/bench/org.ts): one platform stack
 * (`okta-federation:platform`: the Okta server, one AWS account per TEAMS_PER_AWS_ACCOUNT teams, one
 * GCP pool, Azure) and one team stack per team (`okta-federation:team`), written as stack files in
 * one directory so that the offline plan of a team stack plans its platform from the file beside it.
 *
 * The services are the single-stack bench's (dev/bench/config.ts benchConfig: each on AWS, GCP and
 * Azure, one RSA key each), re-keyed so that every service key, key id and resource group is unique
 * across the organisation: the org verify checks client keys and names across stacks.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { CONFIG_NAMESPACE } from "../../components/config";
import { PLATFORM_CONFIG_KEY } from "../../components/config/platform";
import { TEAM_CONFIG_KEY } from "../../components/config/team";
import { OKTA_PRIORITY_BANDS } from "../../components/internal/oktaPriorities";
import { LIMITS } from "../../components/internal/limits";
import { BENCH_ENVIRONMENT, benchConfig, serviceKey, shardsFor } from "./config";
import { BENCH_PROJECT } from "./protocol";

/** The platform stack's name, as a team's StackReference names it; its file is Pulumi.<last segment>.yaml. */
export const ORG_PLATFORM_STACK = "platform-bench";
export const ORG_PLATFORM_NAME = `acme/${BENCH_PROJECT}/${ORG_PLATFORM_STACK}`;
/** Teams that share one AWS account (and so its one IAM OIDC provider and its roles quota). */
export const TEAMS_PER_AWS_ACCOUNT = 5;

const digits = (n: number) => String(n).length;
const pad = (i: number, width: number) => String(i).padStart(width, "0");

/** Service keys of equal width across the organisation (`svc-00001` from 10,000 services on), so none is a prefix of another's names. */
export function orgServiceKey(i: number, total: number): string {
  return `svc-${pad(i + 1, Math.max(4, digits(total)))}`;
}

/** Team names of equal width, at least 4 characters (a team's name is its GCP provider id, 4-32 characters). */
export function orgTeamName(t: number, teams: number): string {
  return `team-${pad(t + 1, Math.max(2, digits(teams)))}`;
}

/** The team stack of a team: `team-01-bench`. */
export const orgTeamStack = (team: string) => `${team}-bench`;

/** `total` services over `teams` teams, as evenly as possible (the first teams take the remainder). */
export function orgTeamSizes(total: number, teams: number): number[] {
  return Array.from({ length: teams }, (_, t) => Math.floor(total / teams) + (t < total % teams ? 1 : 0));
}

export interface OrgTeam {
  readonly name: string;
  readonly stack: string;
  /** The team stack's `okta-federation:team` value. */
  readonly config: { readonly team: string; readonly platform: string; readonly services: Record<string, unknown> };
  readonly services: number;
}

export interface OrgLayout {
  /** The platform stack's `okta-federation:platform` value. */
  readonly platform: Record<string, unknown>;
  readonly teams: readonly OrgTeam[];
}

/** Every string in `value` with `from-` (at the start or after a '/') made `to-`: a service's key id and resource group follow its new key. */
function rekey(value: unknown, from: string, to: string): unknown {
  const pattern = new RegExp(`(^|/)${from}-`, "g");
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return v.replace(pattern, `$1${to}-`);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}

/**
 * A service's GCP roles granted on its team's bucket instead of the project: every team shares the
 * platform's one project, whose IAM policy holds at most LIMITS.gcp.policyPrincipalsMax principals
 * (the org verify sums them over the stacks), so an organisation of this size grants on resources.
 */
function onTeamBucket(service: Record<string, unknown>, team: string): Record<string, unknown> {
  const gcp = service.gcp as { serviceAccount?: boolean; roles?: readonly string[] } | undefined;
  if (!gcp?.roles?.length) return service;
  const resource = `//storage.googleapis.com/projects/_/buckets/${team}-${BENCH_ENVIRONMENT}-data`;
  const resourceRoles = Object.fromEntries(gcp.roles.map((role) => [`bucket-${role.split("/").pop()!.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`, { resource, role }]));
  return { ...service, gcp: { ...gcp, roles: [], resourceRoles } };
}

/** Refuses sizes no organisation of the kit can take (bands, services per team, providers per pool). */
function checkSizes(total: number, teams: number): void {
  if (!Number.isInteger(total) || total < 1) throw new Error(`--org-services: a positive integer (got ${total})`);
  if (!Number.isInteger(teams) || teams < 1 || teams > total) throw new Error(`--org-teams: an integer from 1 to the number of services (got ${teams})`);
  if (teams > OKTA_PRIORITY_BANDS.count) throw new Error(`--org-teams: at most ${OKTA_PRIORITY_BANDS.count}, the Okta priority bands of one platform (got ${teams})`);
  const largest = Math.ceil(total / teams);
  if (largest > OKTA_PRIORITY_BANDS.width) throw new Error(`${largest} services in one team: at most ${OKTA_PRIORITY_BANDS.width} (one Okta priority band); raise --org-teams`);
  const providers = orgTeamSizes(total, teams).reduce((sum, n) => sum + shardsFor(n), 0);
  if (providers > LIMITS.gcp.providersPerPool) throw new Error(`the teams would own ${providers} GCP providers in the pool, over ${LIMITS.gcp.providersPerPool}`);
}

/**
 * The organisation of `total` services in `teams` team stacks: team t gets Okta priority band t + 1,
 * the AWS account of its group of TEAMS_PER_AWS_ACCOUNT, its own providers in the pool (its name,
 * then `-2`, `-3`, …; ceil(services / 120) of them, as the single-stack bench shards) and its own
 * Azure resource group.
 */
export function orgLayout(total: number, teams: number): OrgLayout {
  checkSizes(total, teams);
  // The single-stack generator, for the services and the shared settings (Okta org, region, project, subscription).
  const generated = benchConfig(total) as {
    environment: string;
    okta: Record<string, unknown>;
    aws: { region: string };
    gcp: { project: string; poolId: string };
    azure: { subscriptionId: string; tenantId: string; location: string };
    services: Record<string, unknown>;
  };
  const sizes = orgTeamSizes(total, teams);
  const accounts = Math.ceil(teams / TEAMS_PER_AWS_ACCOUNT);
  const accountName = (a: number) => `acct-${pad(a + 1, 2)}`;
  const platformTeams: Record<string, unknown> = {};
  const layoutTeams: OrgTeam[] = [];
  let next = 0;
  sizes.forEach((size, t) => {
    const name = orgTeamName(t, teams);
    platformTeams[name] = {
      oktaPriorityBand: t + 1,
      aws: { account: accountName(Math.floor(t / TEAMS_PER_AWS_ACCOUNT)) },
      gcp: { providerShards: shardsFor(size) },
      azure: { resourceGroup: `identities-${name}-${generated.environment}` },
    };
    const services: Record<string, unknown> = {};
    for (let i = next; i < next + size; i++) {
      const from = serviceKey(i);
      const to = orgServiceKey(i, total);
      services[to] = onTeamBucket(rekey(generated.services[from], from, to) as Record<string, unknown>, name);
    }
    next += size;
    layoutTeams.push({ name, stack: orgTeamStack(name), config: { team: name, platform: ORG_PLATFORM_NAME, services }, services: size });
  });
  const platform = {
    environment: generated.environment,
    okta: generated.okta,
    aws: {
      accounts: Object.fromEntries(
        Array.from({ length: accounts }, (_, a) => [accountName(a), { accountId: String(222_222_222_000 + a + 1), region: generated.aws.region }]),
      ),
    },
    gcp: { project: generated.gcp.project, poolId: generated.gcp.poolId },
    azure: { subscriptionId: generated.azure.subscriptionId, tenantId: generated.azure.tenantId, location: generated.azure.location },
    teams: platformTeams,
  };
  return { platform, teams: layoutTeams };
}

/** A stack file's text: the config key's value as YAML, default providers off as in stacks/. */
function stackFileText(key: string, value: unknown): string {
  return stringify({ config: { "pulumi:disable-default-providers": ["*"], [`${CONFIG_NAMESPACE}:${key}`]: value } }, { lineWidth: 0 });
}

export interface OrgFiles {
  readonly platform: string;
  /** In team order. */
  readonly teams: readonly string[];
}

/** Writes the platform's and every team's stack file into `dir`, side by side. */
export function writeOrgStackFiles(dir: string, layout: OrgLayout): OrgFiles {
  mkdirSync(dir, { recursive: true });
  const platform = join(dir, `Pulumi.${ORG_PLATFORM_STACK}.yaml`);
  writeFileSync(platform, stackFileText(PLATFORM_CONFIG_KEY, layout.platform));
  const teams = layout.teams.map((team) => {
    const file = join(dir, `Pulumi.${team.stack}.yaml`);
    writeFileSync(file, stackFileText(TEAM_CONFIG_KEY, team.config));
    return file;
  });
  return { platform, teams };
}
