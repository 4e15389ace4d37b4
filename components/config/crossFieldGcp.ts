/**
 * The GCP rules that span several keys: each service's access (a service account id of its own,
 * something granted), and the top-level gcp block against all services: derived pool and provider
 * ids, the additional condition, each provider's attribute condition, the project's IAM policy and
 * mapped claims.
 */
import { LIMITS } from "../internal/limits";
import { OKTA_ACCESS_TOKEN_CLAIMS, gcpAttributeConditionLength } from "../internal/trust";
import { gcpId, gcpProviderShard, gcpServiceAccountId, gcpShardProviderId } from "../internal/names";
import { parseClaimCondition, type ConditionResult } from "../internal/condition";
import { gcpRoleProblem } from "../internal/roleData";
import { parseGcpResource } from "../internal/gcpResource";
import { projectPolicyMessage, type ConfigProblem } from "./messages";
import { GCP_ROLE_PATTERN } from "./schema";
import { asRecord, asStrings, isRecord, physicalKeyOf, type RawFederation } from "./raw";

/**
 * The service's GCP access: a derived service account id no other service shares, each role once,
 * and something granted at all. `accountIds` collects the ids of the services checked so far.
 */
export function gcpServiceProblems(
  { environment }: RawFederation,
  key: string,
  service: Record<string, unknown>,
  path: string,
  accountIds: Map<string, string>,
): ConfigProblem[] {
  if (service.gcp === undefined) return [];
  const problems: ConfigProblem[] = [];
  const g = asRecord(service.gcp);
  if (g.serviceAccount === true) {
    const accountId = gcpServiceAccountId(environment, physicalKeyOf(key, service));
    const other = accountIds.get(accountId);
    if (other) problems.push({ path: `${path}.gcp`, message: `derived service account id "${accountId}" collides with service ${other}; rename one of the services` });
    accountIds.set(accountId, key);
  }
  const listed = Array.isArray(g.roles) ? g.roles : [];
  // Each predefined role one that exists (the vendored list, internal/roleData.ts); custom roles are not checked.
  listed.forEach((r, i) => {
    const role = isRecord(r) ? r.role : r;
    const unknown = typeof role === "string" && GCP_ROLE_PATTERN.test(role) ? gcpRoleProblem(role) : undefined;
    if (unknown) problems.push({ path: `${path}.gcp.roles[${i}]${isRecord(r) ? ".role" : ""}`, message: unknown });
  });
  const roles = listed.map((r) => (isRecord(r) ? r.role : r)).filter((r): r is string => typeof r === "string");
  for (const r of new Set(roles.filter((r, i) => roles.indexOf(r) !== i))) problems.push({ path: `${path}.gcp.roles`, message: `role "${r}" is listed more than once` });
  const resourceRoles = isRecord(g.resourceRoles) ? g.resourceRoles : {};
  for (const [grantKey, grant] of Object.entries(resourceRoles)) {
    if (!isRecord(grant)) continue;
    const at = `${path}.gcp.resourceRoles.${grantKey}`;
    const role = grant.role;
    const unknown = typeof role === "string" && GCP_ROLE_PATTERN.test(role) ? gcpRoleProblem(role) : undefined;
    if (unknown) problems.push({ path: `${at}.role`, message: unknown });
    if (typeof grant.resource !== "string" || grant.resource === "") continue;
    const parsed = parseGcpResource(grant.resource);
    if (!parsed.ok) problems.push({ path: `${at}.resource`, message: parsed.message });
    // Identity-admin roles (a role on a service account that acts as it) are refused in trustRules.ts.
  }
  if (g.serviceAccount !== true && roles.length === 0 && Object.keys(resourceRoles).length === 0) {
    problems.push({ path: `${path}.gcp`, message: "grants nothing: list roles or resourceRoles, or set serviceAccount: true to impersonate a service account" });
  }
  return problems;
}

/** The top-level gcp block against the services: derived ids, the additional condition, shard sizes, project grants and mapped claims. */
export function gcpProblems(input: RawFederation): ConfigProblem[] {
  if (input.gcp === undefined) return [];
  const gcp = asRecord(input.gcp);
  const shards = typeof gcp.providerShards === "number" && Number.isInteger(gcp.providerShards) && gcp.providerShards >= 1 ? Math.min(gcp.providerShards, 20) : 1;
  const additional = typeof gcp.additionalCondition === "string" ? gcp.additionalCondition : undefined;
  const condition = additional === undefined ? undefined : parseClaimCondition(additional);
  return [
    ...gcpIdProblems(input.environment, gcp, shards),
    ...(condition === undefined ? [] : additionalConditionProblems(condition, input)),
    // A condition that does not parse is already reported; the shard sizes are judged without it.
    ...gcpShardProblems(input, gcp, shards, condition?.ok ? additional : undefined),
    ...projectGrantProblems(gcp, input.services),
    ...mappedClaimProblems(gcp, input.claims),
  ];
}

/** Pool and provider ids as derived (with idSuffix and providerShards): GCP's id rules. */
function gcpIdProblems(environment: string, gcp: Record<string, unknown>, shards: number): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const poolId = typeof gcp.poolId === "string" ? gcp.poolId : `okta-${environment}`;
  const providerId = typeof gcp.providerId === "string" ? gcp.providerId : "okta";
  const suffix = typeof gcp.idSuffix === "string" ? gcp.idSuffix : undefined;
  const ids: Array<readonly [string, string]> = [["poolId", gcpId(poolId, suffix)]];
  for (let shard = 0; shard < shards; shard++) ids.push(["providerId", gcpShardProviderId(providerId, shard, suffix)]);
  for (const [field, id] of ids) {
    const { min, max } = LIMITS.gcp.idLength;
    if (!/^[a-z0-9-]+$/.test(id) || id.length < min || id.length > max || id.startsWith("gcp-")) {
      const derived = [suffix ? "idSuffix" : "", field === "providerId" && shards > 1 ? "providerShards" : ""].filter(Boolean).join(" and ");
      problems.push({ path: `gcp.${field}`, message: `invalid id "${id}"${derived ? ` (as derived with ${derived})` : ""}; allowed: ${min}-${max} characters of a-z, 0-9 and '-', not starting with 'gcp-'` });
    }
  }
  return problems;
}

/** gcp.additionalCondition: within the grammar, and reading only claims every GCP service's tokens carry. */
function additionalConditionProblems(condition: ConditionResult, { claims, services }: RawFederation): ConfigProblem[] {
  if (!condition.ok) return condition.problems.map((problem) => ({ path: "gcp.additionalCondition", message: problem }));
  return conditionClaimProblems(condition.claims, claims, services);
}

/**
 * Claims a GCP condition reads must be ones the authorization server emits (the standard
 * access-token claims and okta.claims). A claim limited to some scopes is absent from the tokens of
 * a service that requests none of them, and GCP would then refuse that service's tokens.
 * Claims added by a token hook are not accepted: hooks fail open, so the kit cannot show they are
 * there (the grammar keeps a missing claim from admitting a token, but the service would lose access).
 */
function conditionClaimProblems(read: readonly string[], claims: Record<string, unknown>, services: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const emitted = [...OKTA_ACCESS_TOKEN_CLAIMS, ...Object.keys(claims).filter((c) => c !== "__proto__")];
  for (const claim of read) {
    if (!emitted.includes(claim)) {
      problems.push({ path: "gcp.additionalCondition", message: `references assertion.${claim}, which the issuer does not emit; tokens carry ${emitted.join(", ")} (claims added by a token hook are not accepted: hooks fail open)` });
      continue;
    }
    const limitedTo = asStrings(asRecord(claims[claim]).scopes);
    if (limitedTo.length === 0) continue;
    for (const [key, service] of Object.entries(services)) {
      if (asRecord(service).gcp === undefined) continue;
      if (asStrings(asRecord(service).scopes).some((s) => limitedTo.includes(s))) continue;
      problems.push({
        path: `services.${key}.scopes`,
        message: `requests none of ${limitedTo.join(", ")}, so ${key}'s tokens lack claim ${claim}, which gcp.additionalCondition reads, and GCP would refuse them; grant one of those scopes or drop the scope limit on okta.claims.${claim}`,
      });
    }
  }
  return problems;
}

/**
 * Each provider's attribute condition lists the client ids of its shard's services (plus the
 * additional condition) and must fit GCP's limit; when even one client id does not fit, sharding
 * cannot help and the additional condition is what is too long.
 */
function gcpShardProblems({ services, serviceKeys }: RawFederation, gcp: Record<string, unknown>, shards: number, additional: string | undefined): ConfigProblem[] {
  const providerId = typeof gcp.providerId === "string" ? gcp.providerId : "okta";
  const suffix = typeof gcp.idSuffix === "string" ? gcp.idSuffix : undefined;
  const gcpServiceKeys = serviceKeys.filter((key) => asRecord(services[key]).gcp !== undefined).map((key) => physicalKeyOf(key, asRecord(services[key])));
  const perShard = new Map<number, number>();
  for (const key of gcpServiceKeys) {
    // One hash per service (gcpProviderShard hashes its key).
    const shard = gcpProviderShard(key, shards);
    perShard.set(shard, (perShard.get(shard) ?? 0) + 1);
  }
  const problems: ConfigProblem[] = [];
  for (const [shard, count] of [...perShard.entries()].sort(([a], [b]) => a - b)) {
    const conditionLength = gcpAttributeConditionLength(count, LIMITS.okta.clientIdLength, additional);
    if (conditionLength <= LIMITS.gcp.attributeConditionMaxLength) continue;
    const over = `its attribute condition would be ${conditionLength} characters, over GCP's ${LIMITS.gcp.attributeConditionMaxLength}`;
    if (count === 1 || gcpAttributeConditionLength(1, LIMITS.okta.clientIdLength, additional) > LIMITS.gcp.attributeConditionMaxLength) {
      // Sharding cannot help: even one client id does not fit beside the additional condition.
      problems.push({ path: "gcp.additionalCondition", message: `is too long: with one client id ${over.replace(/^its /, "the provider's ")}; shorten it` });
      break;
    }
    problems.push({ path: "gcp.providerShards", message: `provider ${gcpShardProviderId(providerId, shard, suffix)} would admit ${count} services: ${over}; raise providerShards (now ${shards})` });
  }
  return problems;
}

/** The project's IAM policy holds a bounded number of principal occurrences. */
function projectGrantProblems(gcp: Record<string, unknown>, services: Record<string, unknown>): ConfigProblem[] {
  const grants = projectGrantCount(services);
  return grants > LIMITS.gcp.policyPrincipalsMax ? [{ path: "gcp.project", message: projectPolicyMessage(String(gcp.project), grants) }] : [];
}

/** Project-level GCP grants of a federation's services: each is a principal occurrence in the project's IAM policy. */
export function projectGrantCount(services: Record<string, unknown>): number {
  return Object.values(services).reduce<number>((sum, service) => {
    const roles = asRecord(asRecord(service).gcp).roles;
    return sum + (Array.isArray(roles) ? roles.length : 0);
  }, 0);
}

/** Attributes the kit maps itself (see gcpAttributeMapping). */
const KIT_ATTRIBUTES = ["client_id"];

/** gcp.mappedClaims: within GCP's custom-attribute quota, valid attribute names, and claims the issuer emits. */
function mappedClaimProblems(gcp: Record<string, unknown>, claims: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const mapped = asStrings(gcp.mappedClaims);
  if (mapped.length > LIMITS.gcp.customAttributesMax - 1) {
    add("gcp.mappedClaims", `at most ${LIMITS.gcp.customAttributesMax - 1} claims (GCP allows ${LIMITS.gcp.customAttributesMax} custom attributes; the kit maps client_id itself)`);
  }
  mapped.forEach((claim, i) => {
    if (!/^[a-z0-9_]{1,100}$/.test(claim)) add(`gcp.mappedClaims[${i}]`, `invalid attribute name "${claim}"; allowed: 1-100 characters of a-z, 0-9 and '_'`);
    else if (KIT_ATTRIBUTES.includes(claim)) add(`gcp.mappedClaims[${i}]`, `attribute.${claim} is mapped by the kit itself (from assertion.cid); choose another claim`);
    else if (!Object.hasOwn(claims, claim)) add(`gcp.mappedClaims[${i}]`, `claim "${claim}" is not emitted by the authorization server; declare it under okta.claims (declared: ${Object.keys(claims).join(", ") || "none"})`);
  });
  return problems;
}
