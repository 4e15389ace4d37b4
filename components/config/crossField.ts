/**
 * Rules that span several keys of one federation config: scopes and claims against what okta
 * declares, each service against the top-level blocks it needs, and the names and limits derived
 * from several keys at once (GCP's in crossFieldGcp.ts). They read the raw input, so they run even
 * when the shape has errors elsewhere, and one pass reports everything.
 */
import { LIMITS } from "../internal/limits";
import { azureIdentityName } from "../internal/names";
import { AZURE_BUILTIN_ROLES, azureRoleGuid } from "../internal/azureRoles";
import { canonicalAzureScope } from "../internal/azureScope";
import { ROLE_DATA, closestAzureRoleNames } from "../internal/roleData";
import { orList } from "../internal/didYouMean";
import { KEY_PATTERN, KEY_RULE, PROTO_KEY, scopeNameRule, type ConfigProblem } from "./messages";
import { asRecord, asStrings, isRecord, physicalKeyOf, readRawFederation, type RawFederation } from "./raw";
import { gcpProblems, gcpServiceProblems } from "./crossFieldGcp";
import { awsServiceProblems } from "./crossFieldAws";
import { AZURE_SCOPE_PATTERN, OKTA_PROVIDER_DEFAULTS, POLICY_ARN_PATTERN } from "./schema";
import { OKTA_REQUEST_TIMEOUT, oktaRequestTimeoutProblem } from "../internal/oktaPacing";

/** Rules that span several keys, checked on the raw input so they run even when the shape has errors elsewhere. */
export function crossFieldProblems(raw: unknown): ConfigProblem[] {
  if (!isRecord(raw)) {
    return [{ path: "(root)", message: "must be an object with environment, okta and services" }];
  }
  const input = readRawFederation(raw);
  return [
    ...environmentProblems(raw.environment),
    // The two custom-domain rules sit either side of the pacing rule, so problems are reported
    // in the order they always were.
    ...missingCustomDomainProblems(input.okta),
    ...pacingProblems(asRecord(input.okta.provider)),
    ...unusedCustomDomainProblems(input.okta),
    ...scopeNameProblems(input),
    ...claimProblems(input),
    ...servicesProblems(input),
    ...gcpProblems(input),
  ];
}

// ---- Environment and Okta ----

function environmentProblems(env: unknown): ConfigProblem[] {
  const { min, max } = LIMITS.kit.environmentLength;
  if (typeof env === "string" && !(KEY_PATTERN.test(env) && env.length >= min && env.length <= max)) {
    return [{ path: "environment", message: `invalid environment "${env}"; allowed: ${KEY_RULE(min, max)}` }];
  }
  return [];
}

/** The authorization server's fields and their path, whichever form (create or adopt) the config used. */
function authorizationServerFields(okta: Record<string, unknown>): { path: string; fields: Record<string, unknown> } {
  const server = asRecord(okta.authorizationServer);
  return isRecord(server.existing)
    ? { path: "okta.authorizationServer.existing", fields: server.existing }
    : { path: "okta.authorizationServer", fields: server };
}

/** A CUSTOM_URL issuer's host is the custom domain, so the issuer cannot be predicted without it. */
function missingCustomDomainProblems(okta: Record<string, unknown>): ConfigProblem[] {
  const { path, fields } = authorizationServerFields(okta);
  if (fields.issuerMode === "CUSTOM_URL" && typeof fields.customDomain !== "string") {
    return [{ path: `${path}.customDomain`, message: "is required with issuerMode CUSTOM_URL: the org's custom domain (e.g. id.example.com), which becomes the issuer's host" }];
  }
  return [];
}

function unusedCustomDomainProblems(okta: Record<string, unknown>): ConfigProblem[] {
  const { path, fields } = authorizationServerFields(okta);
  if (fields.issuerMode !== "CUSTOM_URL" && fields.customDomain !== undefined) {
    return [{ path: `${path}.customDomain`, message: "is only used with issuerMode CUSTOM_URL; remove it or set issuerMode: CUSTOM_URL" }];
  }
  return [];
}

/**
 * okta.provider: the longest wait between retries cannot be shorter than the first, and a request
 * deadline must not end a call before its retries do (oktaRequestTimeoutProblem). Values the
 * config leaves out take their defaults; a mistyped one is the schema's to report.
 */
function pacingProblems(pacing: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (typeof pacing.minWaitSeconds === "number" && typeof pacing.maxWaitSeconds === "number" && pacing.maxWaitSeconds < pacing.minWaitSeconds) {
    problems.push({ path: "okta.provider.maxWaitSeconds", message: `must be at least minWaitSeconds (${pacing.minWaitSeconds})` });
  }
  const value = (key: "requestTimeoutSeconds" | "maxRetries" | "maxWaitSeconds") => (pacing[key] === undefined ? OKTA_PROVIDER_DEFAULTS[key] : pacing[key]);
  const [requestTimeoutSeconds, maxRetries, maxWaitSeconds] = [value("requestTimeoutSeconds"), value("maxRetries"), value("maxWaitSeconds")];
  if ([requestTimeoutSeconds, maxRetries, maxWaitSeconds].every((v) => typeof v === "number" && Number.isInteger(v))) {
    const message = oktaRequestTimeoutProblem({ requestTimeoutSeconds: requestTimeoutSeconds as number, maxRetries: maxRetries as number, maxWaitSeconds: maxWaitSeconds as number });
    if (message && (requestTimeoutSeconds as number) > 0 && (requestTimeoutSeconds as number) <= OKTA_REQUEST_TIMEOUT.max) problems.push({ path: "okta.provider.requestTimeoutSeconds", message });
  }
  return problems;
}

function scopeNameProblems({ scopeNames }: RawFederation): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const name of scopeNames) {
    if (name === "__proto__") problems.push({ path: `okta.scopes.${name}`, message: PROTO_KEY });
    else if (!isValidScopeName(name)) problems.push({ path: `okta.scopes.${name}`, message: `invalid scope name "${name}"; allowed: ${scopeNameRule}` });
  }
  return problems;
}

/** Okta's scope-name rules (authorization server API). */
export function isValidScopeName(name: string): boolean {
  if (!/^[\x21-\x7e]+$/.test(name) || /["\\]/.test(name)) return false;
  if (name === "okta" || name === "*" || name.startsWith("okta.") || name.startsWith("okta:")) return false;
  if (name.includes("<") && name.includes(">")) return false;
  return !(LIMITS.okta.reservedScopes as readonly string[]).includes(name);
}

/** Claim names Okta accepts, and the scopes a claim is limited to must be declared. */
function claimProblems({ claims, scopeNames, declaredScopes }: RawFederation): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  for (const [name, claim] of Object.entries(claims)) {
    if (name === "__proto__") {
      add(`okta.claims.${name}`, PROTO_KEY);
    } else if ((LIMITS.okta.reservedClaims as readonly string[]).includes(name)) {
      add(`okta.claims.${name}`, `"${name}" is a reserved claim name in Okta access tokens; reserved: ${LIMITS.okta.reservedClaims.join(", ")}`);
    } else if (!/^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(name)) {
      add(`okta.claims.${name}`, `invalid claim name "${name}"; allowed: letters, digits and '_', a letter or '_' first, at most 100 characters`);
    }
    asStrings(asRecord(claim).scopes).forEach((s, i) => {
      if (!scopeNames.includes(s)) add(`okta.claims.${name}.scopes[${i}]`, `unknown scope "${s}"; allowed: ${declaredScopes} (declared under okta.scopes)`);
    });
  }
  return problems;
}

// ---- Services ----

/** Each service, in key order: its key, scopes, the blocks it needs, its auth, then its grants per cloud. */
function servicesProblems(input: RawFederation): ConfigProblem[] {
  if (input.servicesIsMap && input.serviceKeys.length === 0) return [{ path: "services", message: "must define at least one service" }];
  // Derived GCP service account ids, each with the first service that derives it: two services must not share one.
  const gcpAccountIds = new Map<string, string>();
  return input.serviceKeys.flatMap((key) => {
    const service = asRecord(input.services[key]);
    const path = `services.${key}`;
    return [
      ...serviceKeyProblems(input, key, service, path),
      ...serviceScopeProblems(input, service, path),
      ...serviceBlockProblems(input, service, path),
      ...serviceAuthProblems(service, path),
      ...awsServiceProblems(service, path),
      ...gcpServiceProblems(input, key, service, path, gcpAccountIds),
      ...azureServiceProblems(input, key, service, path),
    ];
  });
}

/** The service key, and the former key of a renamed service: a valid key that no other service has or claims. */
function serviceKeyProblems({ services, serviceKeys }: RawFederation, key: string, service: Record<string, unknown>, path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { min, max } = LIMITS.kit.serviceKeyLength;
  if (!(KEY_PATTERN.test(key) && key.length >= min && key.length <= max)) {
    problems.push({ path, message: `invalid service key "${key}"; allowed: ${KEY_RULE(min, max)}` });
  }
  if (service.renamedFrom === undefined) return problems;
  const from = service.renamedFrom;
  const fromPath = `${path}.renamedFrom`;
  if (typeof from !== "string" || !KEY_PATTERN.test(from) || from.length < min || from.length > max) {
    problems.push({ path: fromPath, message: `invalid former key ${JSON.stringify(from)}; allowed: ${KEY_RULE(min, max)}` });
  } else if (from === key || serviceKeys.includes(from)) {
    problems.push({ path: fromPath, message: `"${from}" is ${from === key ? "this service's own key" : "the key of another service"}; name the key this service had before` });
  } else if (serviceKeys.some((k) => k !== key && asRecord(services[k]).renamedFrom === from)) {
    problems.push({ path: fromPath, message: `"${from}" is claimed by more than one service` });
  }
  return problems;
}

/** Granted scopes: declared, each once, and short enough together for Okta's scope parameter. */
function serviceScopeProblems({ scopeNames, declaredScopes }: RawFederation, service: Record<string, unknown>, path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const granted = asStrings(service.scopes);
  granted.forEach((scope, i) => {
    if (!scopeNames.includes(scope)) problems.push({ path: `${path}.scopes[${i}]`, message: `unknown scope "${scope}"; allowed: ${declaredScopes} (declared under okta.scopes)` });
  });
  const dupes = granted.filter((s, i) => granted.indexOf(s) !== i);
  for (const d of new Set(dupes)) problems.push({ path: `${path}.scopes`, message: `scope "${d}" is listed more than once` });
  if (granted.join(" ").length > LIMITS.okta.scopeParameterMaxLength) {
    problems.push({ path: `${path}.scopes`, message: `the scopes together exceed Okta's ${LIMITS.okta.scopeParameterMaxLength}-character scope parameter` });
  }
  return problems;
}

/** What the service relies on: at least one cloud, the top-level block of each cloud it uses, and okta.tokenHook if it asks for the hook. */
function serviceBlockProblems({ aws, gcp, azure, okta }: RawFederation, service: Record<string, unknown>, path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (p: string, message: string) => problems.push({ path: p, message });
  const clouds = (["aws", "gcp", "azure"] as const).filter((c) => service[c] !== undefined);
  if (clouds.length === 0) add(path, "has no cloud: add at least one of aws, gcp or azure");
  if (service.aws !== undefined && aws === undefined) add(`${path}.aws`, "needs the top-level aws block (accountId) to be configured");
  if (service.gcp !== undefined && gcp === undefined) add(`${path}.gcp`, "needs the top-level gcp block (project) to be configured");
  if (service.azure !== undefined && azure === undefined) add(`${path}.azure`, "needs the top-level azure block (subscriptionId, tenantId, resourceGroup, location) to be configured");
  if (service.tokenHook === true && !isRecord(okta.tokenHook)) add(`${path}.tokenHook`, "asks for the token hook, but okta.tokenHook is not configured");
  return problems;
}

/** JWK members that only a private key has. */
const privateKeyFields = ["d", "p", "q", "dp", "dq", "qi"] as const;

/** The service's client auth: present, and for private_key_jwt exactly one key source, public keys only, each kid once. */
function serviceAuthProblems(service: Record<string, unknown>, path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (p: string, message: string) => problems.push({ path: p, message });
  const auth = asRecord(service.auth);
  if (auth.method === "private_key_jwt") {
    const hasJwks = Array.isArray(auth.jwks);
    const hasUri = typeof auth.jwksUri === "string";
    if (hasJwks === hasUri) add(`${path}.auth`, "private_key_jwt needs exactly one of jwks (public keys) or jwksUri");
    if (Array.isArray(auth.jwks)) {
      const kids = auth.jwks.map((k) => asRecord(k).kid);
      auth.jwks.forEach((jwk, i) => {
        for (const field of privateKeyFields) {
          if (field in asRecord(jwk)) add(`${path}.auth.jwks[${i}].${field}`, "is private key material: give Okta only the public key (kty, kid, n, e or x, y)");
        }
        if (kids.indexOf(asRecord(jwk).kid) !== i) add(`${path}.auth.jwks[${i}].kid`, `duplicate key id "${String(asRecord(jwk).kid)}"`);
      });
    }
  }
  if (service.auth === undefined) {
    add(`${path}.auth`, "is required: { method: private_key_jwt, jwks: [...] } (recommended) or { method: client_secret_basic }");
  }
  return problems;
}

// ---- Azure ----

/** The service's role assignments (valid keys, known roles, a scope each) and its derived identity name's length. */
function azureServiceProblems({ azure, environment }: RawFederation, key: string, service: Record<string, unknown>, path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (p: string, message: string) => problems.push({ path: p, message });
  const assignments = asRecord(asRecord(service.azure).roleAssignments);
  const seenAssignments = new Map<string, string>();
  for (const [aKey, a] of Object.entries(assignments)) {
    const aPath = `${path}.azure.roleAssignments.${aKey}`;
    if (!KEY_PATTERN.test(aKey) || aKey.length > 64) add(aPath, `invalid assignment key "${aKey}"; allowed: ${KEY_RULE(2, 64)}`);
    const role = asRecord(a).role;
    if (typeof role === "string" && !isAzureRole(role)) add(`${aPath}.role`, unknownAzureRoleMessage(role));
    const scope = asRecord(a).scope;
    if (scope === undefined) add(`${aPath}.scope`, "is required: the resource id the role applies to, e.g. /subscriptions/<id>/resourceGroups/<rg>");
    else if (typeof scope === "string" && AZURE_SCOPE_PATTERN.test(scope) && canonicalAzureScope(scope) !== scope) add(`${aPath}.scope`, nonCanonicalScopeMessage(scope));
    // One role at one scope, once: the assignment's name is derived from scope, identity and role
    // (internal/trust.ts azureRoleAssignmentName), so a second assignment of the same role at the
    // same scope would be the same Azure resource, and its create fails.
    if (typeof role === "string" && isAzureRole(role) && typeof scope === "string") {
      const same = `${azureRoleGuid(role)}|${scope.toLowerCase()}`;
      const first = seenAssignments.get(same);
      if (first !== undefined) {
        add(aPath, `grants ${role} at ${scope}, as roleAssignments.${first} does: both derive one role assignment name (from scope, identity and role), so the second create fails; keep one of them`);
      } else seenAssignments.set(same, aKey);
    }
  }
  if (service.azure !== undefined) {
    const prefix = typeof asRecord(azure).identityNamePrefix === "string" ? String(asRecord(azure).identityNamePrefix) : `id-${environment}-`;
    const name = azureIdentityName(prefix, physicalKeyOf(key, service));
    const { min, max } = LIMITS.azure.identityNameLength;
    if (name.length < min || name.length > max) add(`${path}.azure`, `derived identity name "${name}" must be ${min}-${max} characters`);
  }
  return problems;
}

/**
 * A scope the kit would have to guess about is refused, not rewritten: the containment and
 * equality checks compare scopes in canonical form (internal/azureScope.ts), and what is deployed
 * should be what the config says.
 */
function nonCanonicalScopeMessage(scope: string): string {
  return `is not in canonical form; write it as ${canonicalAzureScope(scope)} (percent-escapes decoded; no empty, '.' or '..' segments; no trailing slash): the kit compares scopes in that form and refuses other spellings rather than rewrite them`;
}

/** A role that is neither a built-in role name (the vendored list, internal/roleData.ts) nor a GUID, with the closest names. */
function unknownAzureRoleMessage(role: string): string {
  const closest = closestAzureRoleNames(role);
  const allowed = `allowed: an Azure built-in role name (the ${Object.keys(AZURE_BUILTIN_ROLES).length} of ${ROLE_DATA.azure.date}, e.g. Reader or Key Vault Crypto User) or a role definition GUID`;
  return `unknown role "${role}"; ${closest.length > 0 ? `did you mean ${orList(closest)}? ` : ""}${allowed}`;
}

function isAzureRole(role: string): boolean {
  return Object.hasOwn(AZURE_BUILTIN_ROLES, role) || /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/.test(role);
}
