/**
 * Parsing several federations (`okta-federation:federations`) in one stack: each is a full
 * federation config, and together they must not claim the same physical objects, overfill a shared
 * GCP project's IAM policy, reach each other's identities, or share client keys.
 */
import { LIMITS } from "../internal/limits";
import { oktaOrgHost } from "../internal/canonical";
import { OKTA_MAX_CONCURRENT_WRITES } from "../internal/oktaPacing";
import { awsRoleName, azureIdentityName, gcpId, gcpServiceAccountId } from "../internal/names";
import { clientKeyUses, identityAdminProblems, identityLocations, sharedKeyProblems } from "../trustRules";
import { projectGrantCount } from "./crossFieldGcp";
import { awsRolesMessage, oidcProvidersMessage } from "./crossFieldQuotas";
import { CONFIG_KEY_MULTI, FederationConfigError, KEY_PATTERN, KEY_RULE, projectPolicyMessage, type ConfigProblem } from "./messages";
import { parseFederationConfig } from "./parse";
import { isRecord } from "./raw";
import { serverSettings, type FederationConfig } from "./schema";

/**
 * Parses several federations (`okta-federation:federations`), each a full federation config keyed
 * by a federation name: one authorization server (issuer) each, e.g. one per tenant, or a dedicated
 * issuer per cloud so that a token for one cloud is useless at another. Problems are reported with
 * the federation name as the first path segment, together with clashes between federations.
 */
export function parseFederations(raw: unknown): Record<string, FederationConfig> {
  if (!isRecord(raw) || Object.keys(raw).length === 0) {
    throw new FederationConfigError([{ path: "(root)", message: "must be a map of federations keyed by name, with at least one" }], CONFIG_KEY_MULTI);
  }
  const names = Object.keys(raw).sort();
  const { parsed, problems } = parseEach(raw, names);
  problems.push(...physicalClashProblems(parsed));
  problems.push(...sharedProjectProblems(parsed, problems));
  problems.push(...sharedAccountProblems(parsed, problems));
  problems.push(...sharedOktaOrgWriteProblems(parsed));
  problems.push(...identityAdminReachProblems(raw, names, problems));
  problems.push(...sharedClientKeyProblems(raw, names));
  if (problems.length > 0) throw new FederationConfigError(problems, CONFIG_KEY_MULTI);
  return parsed;
}

/** Each federation's name and config, with its problems under the federation name. */
function parseEach(raw: Record<string, unknown>, names: readonly string[]): { parsed: Record<string, FederationConfig>; problems: ConfigProblem[] } {
  const parsed: Record<string, FederationConfig> = {};
  const problems: ConfigProblem[] = [];
  const { min, max } = LIMITS.kit.serviceKeyLength;
  for (const name of names) {
    if (!(KEY_PATTERN.test(name) && name.length >= min && name.length <= max)) {
      problems.push({ path: name, message: `invalid federation name "${name}"; allowed: ${KEY_RULE(min, max)}` });
    }
    try {
      parsed[name] = parseFederationConfig(raw[name]);
    } catch (error) {
      if (!(error instanceof FederationConfigError)) throw error;
      for (const p of error.problems) problems.push({ path: p.path === "(root)" ? name : `${name}.${p.path}`, message: p.message });
    }
  }
  return { parsed, problems };
}

/**
 * Clashes between federations: the same physical objects would be claimed twice. Azure names are
 * case-insensitive, so they are compared in lower case; an Okta org is compared by its host in
 * canonical form (`acme` and `ACME` are one org).
 */
function physicalClashProblems(parsed: Record<string, FederationConfig>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, string>();
  const claim = (what: string, id: string, path: string, caseInsensitive = false) => {
    const key = `${what}|${caseInsensitive ? id.toLowerCase() : id}`;
    const other = seen.get(key);
    if (other) problems.push({ path, message: `${what} ${id} is also used by ${other}; give each federation its own` });
    else seen.set(key, path);
  };
  for (const [name, config] of Object.entries(parsed)) {
    const server = serverSettings(config);
    const org = oktaOrgHost(config.okta.orgName, config.okta.baseUrl);
    if (server.name) claim("Okta authorization server", `${org}/${server.name}`, `${name}.okta.authorizationServer.name`);
    else if (server.existingId) claim("Okta authorization server", `${org}/${server.existingId}`, `${name}.okta.authorizationServer.existing.id`);
    if (config.gcp && Object.values(config.services).some((s) => s.gcp)) {
      claim("GCP pool", `${config.gcp.project}/${gcpId(config.gcp.poolId ?? `okta-${config.environment}`, config.gcp.idSuffix)}`, `${name}.gcp.poolId`);
    }
    for (const [key, service] of Object.entries(config.services)) {
      const physical = service.renamedFrom ?? key;
      if (config.aws && service.aws) claim("AWS role", `${config.aws.accountId}/${awsRoleName(config.environment, physical)}`, `${name}.services.${key}.aws`);
      if (config.gcp && service.gcp?.serviceAccount) {
        claim("GCP service account", `${config.gcp.project}/${gcpServiceAccountId(config.environment, physical)}`, `${name}.services.${key}.gcp`);
      }
      if (config.azure && service.azure) {
        const identity = azureIdentityName(config.azure.identityNamePrefix ?? `id-${config.environment}-`, physical);
        claim("Azure identity", `${config.azure.subscriptionId}/${config.azure.resourceGroup}/${identity}`, `${name}.services.${key}.azure`, true);
      }
    }
  }
  return problems;
}

/**
 * Federations that share a GCP project share its IAM policy: their project-level grants together
 * must fit. Reported on the last such federation, unless a problem is already reported there.
 */
function sharedProjectProblems(parsed: Record<string, FederationConfig>, reported: readonly ConfigProblem[]): ConfigProblem[] {
  const perProject = new Map<string, { grants: number; last: string }>();
  for (const [name, config] of Object.entries(parsed)) {
    if (!config.gcp) continue;
    const entry = perProject.get(config.gcp.project) ?? { grants: 0, last: name };
    perProject.set(config.gcp.project, { grants: entry.grants + projectGrantCount(config.services), last: name });
  }
  const problems: ConfigProblem[] = [];
  for (const [project, { grants, last }] of perProject) {
    const path = `${last}.gcp.project`;
    if (grants > LIMITS.gcp.policyPrincipalsMax && ![...reported, ...problems].some((p) => p.path === path)) problems.push({ path, message: projectPolicyMessage(project, grants) });
  }
  return problems;
}

/**
 * Federations on one Okta org share its 75 simultaneous requests: each bounds its own Okta writes
 * (okta.provider.maxConcurrentWrites, oktaWriteOrder), so together they must stay within them.
 * Reported on the last such federation; orgs compared by host in canonical form.
 */
function sharedOktaOrgWriteProblems(parsed: Record<string, FederationConfig>): ConfigProblem[] {
  const perOrg = new Map<string, { names: string[]; writes: number }>();
  for (const [name, config] of Object.entries(parsed)) {
    const org = oktaOrgHost(config.okta.orgName, config.okta.baseUrl);
    const entry = perOrg.get(org) ?? { names: [], writes: 0 };
    perOrg.set(org, { names: [...entry.names, name], writes: entry.writes + config.okta.provider.maxConcurrentWrites });
  }
  const max = OKTA_MAX_CONCURRENT_WRITES.max;
  return [...perOrg]
    .filter(([, { names, writes }]) => names.length > 1 && writes > max)
    .map(([org, { names, writes }]) => ({
      path: `${names[names.length - 1]}.okta.provider.maxConcurrentWrites`,
      message: `federations ${names.join(", ")} share the Okta org ${org}: their maxConcurrentWrites add up to ${writes}, over the ${max} simultaneous requests Okta allows an org; lower them so that they add up to ${max} at most`,
    }));
}

/**
 * Federations that share an AWS account share its hard limits: their roles together at most
 * 5,000 (the role quota's maximum), their OIDC providers together at most 100 (a quota that cannot
 * be raised). Reported on the last such federation, unless a problem is already reported there.
 */
function sharedAccountProblems(parsed: Record<string, FederationConfig>, reported: readonly ConfigProblem[]): ConfigProblem[] {
  const perAccount = new Map<string, { roles: number; providers: number; last: string }>();
  for (const [name, config] of Object.entries(parsed)) {
    const roles = Object.values(config.services).filter((s) => s.aws).length;
    if (!config.aws || roles === 0) continue;
    const entry = perAccount.get(config.aws.accountId) ?? { roles: 0, providers: 0, last: name };
    perAccount.set(config.aws.accountId, { roles: entry.roles + roles, providers: entry.providers + (config.aws.existingOidcProviderArn ? 0 : 1), last: name });
  }
  const problems: ConfigProblem[] = [];
  for (const [account, { roles, providers, last }] of perAccount) {
    const path = `${last}.aws.accountId`;
    const known = () => [...reported, ...problems].some((p) => p.path === path);
    if (roles > LIMITS.aws.rolesPerAccountMax && !known()) problems.push({ path, message: awsRolesMessage(account, roles) });
    if (providers > LIMITS.aws.oidcProvidersPerAccount) problems.push({ path, message: oidcProvidersMessage(account, providers) });
  }
  return problems;
}

/** A grant in one federation may reach another federation's identities (one subscription, say); paths already reported are skipped. */
function identityAdminReachProblems(raw: Record<string, unknown>, names: readonly string[], reported: readonly ConfigProblem[]): ConfigProblem[] {
  const reach = names.map((name) => identityLocations(raw[name], name));
  const problems: ConfigProblem[] = [];
  for (const name of names) {
    const known = new Set([...reported, ...problems].map((p) => p.path));
    for (const p of identityAdminProblems(raw[name], reach, `${name}.`)) if (!known.has(p.path)) problems.push(p);
  }
  return problems;
}

/** One key, one service, also across the federations that share an Okta org (its host compared in canonical form). */
function sharedClientKeyProblems(raw: Record<string, unknown>, names: readonly string[]): ConfigProblem[] {
  const byOrg = new Map<string, ReturnType<typeof clientKeyUses>>();
  for (const name of names) {
    const okta = isRecord(raw[name]) && isRecord((raw[name] as Record<string, unknown>).okta) ? ((raw[name] as Record<string, unknown>).okta as Record<string, unknown>) : {};
    const org = oktaOrgHost(String(okta.orgName), String(okta.baseUrl ?? "okta.com"));
    byOrg.set(org, [...(byOrg.get(org) ?? []), ...clientKeyUses(raw[name], name)]);
  }
  return [...byOrg.values()].flatMap((uses) => sharedKeyProblems(uses, { acrossFederationsOnly: true }));
}
