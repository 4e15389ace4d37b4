/**
 * Token simulation and the trust matrix. For each service, the access token the authorization
 * server would mint is built, signed with a throwaway key and verified (jose); then every cloud
 * target decides whether it would accept it, by the same rules the clouds apply. Each trust (AWS
 * role and provider, GCP pool provider, Azure credential) is also probed on its own, independent
 * of any grant, with a token of another client of the issuer, of another issuer and with another
 * audience. Verify passes only when each service is allowed exactly at its own targets, every
 * probe is refused by the trust itself, no two services share a client key, and no service holds a
 * grant that lets it take over other identities unless that grant was accepted with the opt-in.
 */
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type JWTPayload } from "jose";
import {
  AWS_WEB_IDENTITY_ACTION,
  awsConditionKeyPrefix,
  azureCredentialAccepts,
  describeDifference,
  evaluateAwsTrust,
  gcpSubjectPrincipal,
} from "../../components/internal/trust";
import { LIMITS } from "../../components/internal/limits";
import { sameKeySourceNote } from "../../components/internal/clientKeys";
import { claimsReadBy, evaluateCel } from "./cel";
import { claimsFor, type IssuerModel, type ServiceModel, type TargetModel, type TrustModel } from "./model";
import { inlinePolicyEntries, type InlinePolicyEntry } from "./awsInline";

/** The claims of a simulated access token. */
export interface TokenClaims {
  readonly iss: string;
  readonly aud: string;
  readonly sub: string;
  readonly cid: string;
  readonly scp: readonly string[];
  readonly [claim: string]: unknown;
}

export interface Decision {
  readonly decision: "allow" | "deny";
  readonly reason: string;
}

export interface MatrixCell extends Decision {
  readonly service: string;
  readonly target: string;
  readonly intended: "allow" | "deny";
  /** Set when the service holds a grant that lets it take this target over (whatever its token is allowed). */
  readonly takeover?: string;
}

export type ProbeKind = "wrong-audience" | "other-issuer" | "other-client";

/** One trust probed on its own: a token that must be refused by the trust itself. */
export interface TrustProbe extends Decision {
  /** The trust, e.g. "AWS role payments", "GCP provider okta (pool okta-dev)", "Azure credential payments/okta-dev". */
  readonly trust: string;
  readonly probe: ProbeKind;
}

export interface Finding {
  readonly kind: "intended-deny" | "unintended-allow" | "probe-allowed" | "no-token" | "identity-takeover" | "shared-client-key" | "policy-order";
  readonly service?: string;
  readonly target?: string;
  readonly message: string;
  /** An identity-admin grant accepted with the explicit opt-in: reported, and verify still passes. */
  readonly accepted?: boolean;
}

export interface VerifyResult {
  readonly stack: string;
  readonly passed: boolean;
  readonly issuers: ReadonlyArray<{ federation: string; server: string; issuer: string; audience: string }>;
  readonly services: ReadonlyArray<{
    key: string;
    clientId: string;
    scopes: readonly string[];
    runtimeClaims: readonly string[];
    /** How it authenticates to Okta: the method and the keys or JWKS URL it registers. */
    auth: { method: string; keys: readonly string[] };
    claims?: TokenClaims;
  }>;
  /** Each target, with the client ids its trust can admit ("any" when it does not pin them). */
  readonly targets: ReadonlyArray<{ id: string; label: string; kind: string; owner: string; grants: readonly string[]; admits: readonly string[] | "any" }>;
  /** Every allowed cell of the matrix; every other cell is denied (ask `cell` for one, with its reason). */
  readonly allowed: readonly MatrixCell[];
  /** The cells where a service could take the target over. */
  readonly takeovers: readonly MatrixCell[];
  /** One cell of the matrix, with its decision and reason (evaluated on demand). */
  readonly cell: CellDecider;
  readonly probes: readonly TrustProbe[];
  /** Grants that let a service take over other identities, with what they reach. */
  readonly identityAdmin: TrustModel["identityAdminGrants"];
  /** Every AWS inline policy in words, marked identity admin or unjudged (awsInline.ts). */
  readonly inlinePolicies: readonly InlinePolicyEntry[];
  readonly findings: readonly Finding[];
}

/** Marker for a claim Okta evaluates per token (Okta Expression Language). */
export const RUNTIME_CLAIM = "<evaluated by Okta at run time>";

const NOW = Math.floor(Date.parse("2026-01-01T00:00:00Z") / 1000);

/** The access token the authorization server would mint for a service (client credentials): its scoped claims only with its scopes. */
export function tokenFor(service: ServiceModel): TokenClaims {
  const custom = Object.fromEntries(Object.entries(service.claims).map(([name, value]) => [name, value ?? RUNTIME_CLAIM]));
  return {
    ...custom,
    ver: 1,
    jti: `AT.offline-${service.key}`,
    iss: service.issuer,
    aud: service.audience,
    iat: NOW,
    exp: NOW + 60 * (service.lifetimeMinutes ?? LIMITS.okta.tokenLifetimeMinutes.default),
    cid: service.clientId,
    sub: service.clientId,
    scp: [...(service.scopes ?? [])],
  };
}

/**
 * The most a client of the issuer could hold: every claim the server emits (scope limits ignored)
 * and every scope. Probes start from it, so no claim condition excuses a trust.
 */
function worstCaseToken(issuer: IssuerModel, sub: string): TokenClaims {
  const custom = Object.fromEntries(Object.entries(claimsFor(issuer, undefined)).map(([name, value]) => [name, value ?? RUNTIME_CLAIM]));
  return { ...custom, ver: 1, jti: "AT.offline-probe", iss: issuer.issuer, aud: issuer.audience, iat: NOW, exp: NOW + 3600, cid: sub, sub, scp: [...issuer.scopes] };
}

let signingKey: ReturnType<typeof generateKeyPair> | undefined;

/** Signs the claims with a throwaway RS256 key (Okta signs with RS256) and verifies them back. */
export async function signAndVerify(claims: TokenClaims): Promise<{ token: string; verified: TokenClaims }> {
  // One throwaway key per process: generating RSA keys is the slow part.
  signingKey ??= generateKeyPair("RS256");
  const { privateKey, publicKey } = await signingKey;
  const kid = (await exportJWK(publicKey)).n?.slice(0, 16) ?? "offline";
  const token = await new SignJWT(claims as unknown as JWTPayload).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).sign(privateKey);
  const { payload } = await jwtVerify(token, publicKey, { issuer: claims.iss, audience: claims.aud, currentDate: new Date((claims.iat as number) * 1000) });
  return { token, verified: payload as unknown as TokenClaims };
}

/** Would AWS STS let this token assume the target role? */
export function awsDecision(model: TrustModel, target: TargetModel, token: TokenClaims): Decision {
  const policy = target.aws?.policy;
  if (!policy) return deny(`${target.label}: the trust policy is not valid JSON`);
  // STS finds the IAM OIDC provider by the token's iss (the provider URL must equal iss). An
  // adopted provider (aws.existingOidcProviderArn) is not in the plan; its URL is the ARN's path
  // (IAM names the provider after its URL), and its client ids are not visible offline.
  const trusted = policy.Statement.flatMap((st) => {
    const federated = st.Principal?.Federated;
    return (Array.isArray(federated) ? federated : [federated]).filter((p): p is string => typeof p === "string" && p.includes(":oidc-provider/"));
  });
  const adopted = trusted.filter((arn) => !model.awsProviders.some((p) => p.arn === arn)).map((arn) => ({ arn, url: undefined, clientIds: undefined }));
  const providers = [...model.awsProviders, ...adopted].map((p) => ({ ...p, url: p.url ?? `https://${p.arn.split(":oidc-provider/")[1] ?? ""}` }));
  const provider = providers.find((p) => p.url === token.iss);
  if (!provider) {
    const near = providers.map((p) => `issuer mismatch (${describeDifference(token.iss, p.url)}) between the token issuer ${token.iss} and the AWS OIDC provider ${p.url}`);
    return deny(near.length ? near.join("; ") : `no AWS OIDC provider for issuer ${token.iss}`);
  }
  if (provider.clientIds && !provider.clientIds.includes(token.aud)) {
    return deny(`audience ${token.aud} is not a client id of the AWS OIDC provider (it lists ${provider.clientIds.join(", ") || "none"})`);
  }
  const prefix = awsConditionKeyPrefix(provider.url);
  const result = evaluateAwsTrust(policy, {
    providerArn: provider.arn,
    action: AWS_WEB_IDENTITY_ACTION,
    context: { [`${prefix}:aud`]: token.aud, [`${prefix}:sub`]: token.sub },
  });
  if (result.allowed) return allow(`${target.label} trust allows it (${result.reason})`);
  const foreignKeys = conditionKeys(policy).filter((k) => /:(aud|sub|amr|azp)$/.test(k) && !k.startsWith(`${prefix}:`));
  if (foreignKeys.length) {
    return deny(`${target.label} trust: condition key ${foreignKeys[0]} does not match the provider URL host/path ${prefix} (IAM never sets it)`);
  }
  return deny(`${target.label} trust: ${result.reason}`);
}

function conditionKeys(policy: NonNullable<TargetModel["aws"]>["policy"]): string[] {
  return (policy?.Statement ?? []).flatMap((s) => Object.values(s.Condition ?? {}).flatMap((entries) => Object.keys(entries)));
}

/** Would GCP STS accept the token in the target's pool, and does the resulting principal hold the target? */
export function gcpDecision(model: TrustModel, target: TargetModel, token: TokenClaims): Decision {
  const members = target.gcp?.members ?? [];
  const pool = model.gcpPools.find((p) => members.some((m) => m.includes(`iam.googleapis.com/${p.name}/`)));
  if (!pool) return deny(`${target.label}: no workload identity pool principal is bound (${members.join(", ") || "no members"})`);
  const rejections: string[] = [];
  for (const provider of pool.providers) {
    const label = `GCP provider ${provider.id}`;
    const admission = gcpProviderAdmits(provider, token);
    if (!admission.admitted) {
      rejections.push(admission.reason);
      continue;
    }
    const { attributes, subject } = admission;
    const principal = gcpSubjectPrincipal(pool.name, subject);
    const sets = [
      `principalSet://iam.googleapis.com/${pool.name}/*`,
      ...Object.entries(attributes)
        .filter(([k]) => k !== "google.subject")
        .map(([k, v]) => `principalSet://iam.googleapis.com/${pool.name}/attribute.${k}/${String(v)}`),
    ];
    const holder = members.find((m) => m === principal || sets.includes(m));
    if (holder) return allow(`${label} admits it as ${principal}, which ${target.label} grants (${holder === principal ? "exact principal" : holder})`);
    return deny(`${label} admits it as ${principal}, but ${target.label} is granted only to ${members.join(", ")}`);
  }
  return deny(rejections.join("; ") || `no provider in pool ${pool.name}`);
}

/**
 * Does a GCP pool provider itself admit a token (issuer, audience, attribute mapping, subject
 * limit, attribute condition), before any IAM binding is consulted? As GCP STS decides.
 */
export function gcpProviderAdmits(
  provider: TrustModel["gcpPools"][number]["providers"][number],
  token: TokenClaims,
): { admitted: true; attributes: Record<string, unknown>; subject: string } | { admitted: false; reason: string } {
  const label = `GCP provider ${provider.id}`;
  const refuse = (reason: string) => ({ admitted: false as const, reason });
  if (provider.issuerUri !== token.iss) {
    return refuse(`issuer mismatch (${describeDifference(token.iss, provider.issuerUri)}) between the token issuer ${token.iss} and ${label} (${provider.issuerUri})`);
  }
  // With no allowed audiences GCP expects the provider's own resource name as the audience.
  const audiences = provider.allowedAudiences.length ? provider.allowedAudiences : [`//iam.googleapis.com/${provider.name}`, `https://iam.googleapis.com/${provider.name}`];
  if (!audiences.includes(token.aud)) return refuse(`audience ${token.aud} is not allowed by ${label} (allowed: ${audiences.join(", ")})`);
  const attributes: Record<string, unknown> = {};
  for (const [attribute, expression] of Object.entries(provider.attributeMapping)) {
    const value = evaluateCel(expression, token);
    if (!value.ok) return refuse(`${label} mapping ${attribute} = ${expression} fails: ${missingClaims(expression, token) ?? value.error}`);
    attributes[attribute.replace(/^attribute\./, "")] = value.value;
    if (attribute === "google.subject") attributes["google.subject"] = value.value;
  }
  const subject = attributes["google.subject"];
  if (typeof subject !== "string" || subject.length === 0) return refuse(`${label}: google.subject is not mapped to a string`);
  if (Buffer.byteLength(subject) > LIMITS.gcp.subjectMaxBytes) return refuse(`${label}: google.subject is ${Buffer.byteLength(subject)} bytes, over GCP's ${LIMITS.gcp.subjectMaxBytes}`);
  if (provider.attributeCondition) {
    const admitted = evaluateCel(provider.attributeCondition, token, attributes);
    if (!admitted.ok) return refuse(missingClaims(provider.attributeCondition, token) ?? `${label} condition fails: ${admitted.error}`);
    if (admitted.value !== true) return refuse(`${label} condition is false for sub ${token.sub}`);
  }
  return { admitted: true, attributes, subject };
}

/** "GCP condition references assertion.tenant, which the issuer does not emit", when that is the cause. */
function missingClaims(expression: string, token: TokenClaims): string | undefined {
  const missing = claimsReadBy(expression).filter((claim) => !(claim in token));
  if (missing.length === 0) return undefined;
  return `GCP condition references ${missing.map((c) => `assertion.${c}`).join(", ")}, which the token does not carry`;
}

/** Would Entra ID accept the token for the target identity? */
export function azureDecision(target: TargetModel, token: TokenClaims): Decision {
  const credentials = target.azure?.credentials ?? [];
  if (credentials.length === 0) return deny(`${target.label} has no federated identity credential`);
  const reasons: string[] = [];
  for (const credential of credentials) {
    const result = azureCredentialAccepts(credential, { iss: token.iss, sub: token.sub, aud: token.aud }, `Azure credential ${target.owner}/${credential.name}`);
    if (result.allowed) return allow(result.reason);
    reasons.push(result.reason);
  }
  return deny(reasons.join("; "));
}

export function decide(model: TrustModel, target: TargetModel, token: TokenClaims): Decision {
  switch (target.kind) {
    case "aws-role":
      return awsDecision(model, target, token);
    case "gcp-service-account":
    case "gcp-direct":
      return gcpDecision(model, target, token);
    case "azure-identity":
      return azureDecision(target, token);
  }
}

const allow = (reason: string): Decision => ({ decision: "allow", reason });
const deny = (reason: string): Decision => ({ decision: "deny", reason });

/** Tokens that must be refused everywhere: a wrong audience, another issuer, another client id. */
export function probesFor(token: TokenClaims): Record<ProbeKind, TokenClaims> {
  return {
    "wrong-audience": { ...token, aud: `${token.aud}-other` },
    "other-issuer": { ...token, iss: "https://attacker.example/oauth2/default" },
    "other-client": { ...token, sub: "0oaOTHERCLIENT000000", cid: "0oaOTHERCLIENT000000" },
  };
}

/** Every trust of the model with the token it was built for, and how it decides a token on its own. */
function trustsOf(model: TrustModel, tokens: ReadonlyMap<string, TokenClaims>): Array<{ trust: string; base: TokenClaims; decide: (token: TokenClaims) => Decision }> {
  const issuerFor = (iss: string | undefined) => model.issuers.find((i) => i.issuer === iss) ?? model.issuers[0]!;
  const ownerToken = (owner: string, fallbackIssuer?: string) =>
    tokens.get(owner) ?? worstCaseToken(issuerFor(fallbackIssuer ?? model.services.find((s) => s.key === owner)?.issuer), "0oaOWNER000000000000");
  const trusts: Array<{ trust: string; base: TokenClaims; decide: (token: TokenClaims) => Decision }> = [];
  for (const target of model.targets) {
    if (target.kind === "aws-role") trusts.push({ trust: target.label, base: ownerToken(target.owner), decide: (t) => awsDecision(model, target, t) });
    for (const credential of target.azure?.credentials ?? []) {
      const label = `Azure credential ${target.owner}/${credential.name}`;
      trusts.push({
        trust: label,
        base: ownerToken(target.owner, credential.issuer),
        decide: (t) => {
          const result = azureCredentialAccepts(credential, { iss: t.iss, sub: t.sub, aud: t.aud }, label);
          return result.allowed ? allow(result.reason) : deny(result.reason);
        },
      });
    }
  }
  for (const pool of model.gcpPools) {
    for (const provider of pool.providers) {
      const poolId = pool.name.split("/").pop();
      // Start from a client the provider is meant to admit, holding every claim the issuer emits.
      const member = [...tokens.values()].find((t) => gcpProviderAdmits(provider, t).admitted);
      trusts.push({
        trust: `GCP provider ${provider.id} (pool ${poolId})`,
        base: worstCaseToken(issuerFor(provider.issuerUri), member?.sub ?? "0oaPOOLMEMBER0000000"),
        decide: (t) => {
          const admission = gcpProviderAdmits(provider, t);
          return admission.admitted ? allow(`the provider admits it as subject ${admission.subject}`) : deny(admission.reason);
        },
      });
    }
  }
  return trusts;
}

const PROBE_WORDS: Record<ProbeKind, string> = {
  "wrong-audience": "another audience",
  "other-issuer": "another issuer",
  "other-client": "another client id of the same issuer",
};

/**
 * The client ids (token subjects) a target's trust can admit at all, read from the trust itself: a
 * superset of the services it allows, so every other service is denied without evaluating it. The
 * AWS trust's StringEquals on `…:sub` in every Allow statement, the Azure credentials' subjects, the
 * GCP principals' subjects (when the pool maps google.subject from assertion.sub). Undefined when
 * the trust does not pin its subjects that way (a wildcard, a whole-pool grant, another mapping):
 * then every service is evaluated.
 */
export function admittedSubjects(model: TrustModel, target: TargetModel): readonly string[] | undefined {
  if (target.aws) {
    const policy = target.aws.policy;
    if (!policy) return []; // not valid JSON: IAM admits nothing
    const subjects: string[] = [];
    for (const statement of policy.Statement ?? []) {
      if (statement.Effect !== "Allow") continue;
      const equals = statement.Condition?.StringEquals;
      const pinned = equals && Object.entries(equals).find(([key]) => /:sub$/i.test(key));
      if (!pinned || Object.keys(statement.Condition ?? {}).some((op) => /IfExists$/.test(op))) return undefined;
      subjects.push(...(Array.isArray(pinned[1]) ? pinned[1] : [pinned[1] as string]));
    }
    return subjects;
  }
  if (target.azure) return target.azure.credentials.map((c) => c.subject);
  if (target.gcp) {
    const pool = model.gcpPools.find((p) => target.gcp!.members.some((m) => m.includes(`iam.googleapis.com/${p.name}/`)));
    if (!pool) return [];
    if (pool.providers.some((p) => p.attributeMapping["google.subject"] !== "assertion.sub")) return undefined;
    const prefix = `principal://iam.googleapis.com/${pool.name}/subject/`;
    if (target.gcp.members.some((m) => !m.startsWith(prefix))) return undefined;
    return target.gcp.members.map((m) => m.slice(prefix.length));
  }
  return undefined;
}

/** What a cell of the matrix decides, for a service and a target. */
export type CellDecider = (service: string, target: string) => MatrixCell;

/**
 * Every cell of the matrix, evaluated the straightforward way: each service's token at each target.
 * Quadratic; the reference the fast path is tested against.
 */
export async function straightforwardCells(model: TrustModel): Promise<MatrixCell[]> {
  const tokens = await serviceTokens(model);
  const cells: MatrixCell[] = [];
  for (const service of model.services) for (const target of model.targets) cells.push(evaluateCell(model, tokens, service, target));
  return cells;
}

/** Each service's signed and verified token, or why Okta mints none. */
async function serviceTokens(model: TrustModel): Promise<Map<string, TokenClaims | { problem: string }>> {
  const tokens = new Map<string, TokenClaims | { problem: string }>();
  for (const service of model.services) {
    if (service.tokenProblem || !service.scopes) tokens.set(service.key, { problem: service.tokenProblem ?? `Okta mints no token for ${service.key}` });
    else tokens.set(service.key, (await signAndVerify(tokenFor(service))).verified);
  }
  return tokens;
}

function evaluateCell(model: TrustModel, tokens: ReadonlyMap<string, TokenClaims | { problem: string }>, service: ServiceModel, target: TargetModel): MatrixCell {
  const intended = target.owner === service.key ? "allow" : "deny";
  const token = tokens.get(service.key)!;
  if ("problem" in token) return { service: service.key, target: target.id, intended, decision: "deny", reason: String(token.problem) };
  return { service: service.key, target: target.id, intended, ...decide(model, target, token) };
}

/** Verifies the whole model: the matrix, the probes and the findings. */
export async function verifyModel(model: TrustModel): Promise<VerifyResult> {
  const findings: Finding[] = [];
  const services: Array<VerifyResult["services"][number]> = [];
  const takeovers = new Map<string, string>();
  // Cells an accepted identity-admin grant explains: the service reaches the target through that
  // grant, which the config accepted (allowIdentityAdmin: true) and the identity-takeover finding reports.
  const acceptedTakeovers = new Set<string>();
  for (const grant of model.identityAdminGrants) {
    for (const target of grant.reach) {
      takeovers.set(`${grant.service}|${target}`, `${grant.grant} ${grant.why}`);
      if (grant.accepted) acceptedTakeovers.add(`${grant.service}|${target}`);
    }
  }
  const withTakeover = (cell: MatrixCell): MatrixCell => {
    const takeover = takeovers.get(`${cell.service}|${cell.target}`);
    return takeover ? { ...cell, takeover } : cell;
  };

  const allTokens = await serviceTokens(model);
  const tokens = new Map([...allTokens].filter((entry): entry is [string, TokenClaims] => !("problem" in entry[1])));
  for (const service of model.services) {
    const token = allTokens.get(service.key)!;
    const auth = { method: service.auth.method, keys: service.auth.keys.map((k) => k.label) };
    if ("problem" in token) {
      services.push({ key: service.key, clientId: service.clientId, scopes: [], runtimeClaims: [], auth });
      continue;
    }
    services.push({
      key: service.key,
      clientId: service.clientId,
      scopes: service.scopes ?? [],
      runtimeClaims: Object.entries(service.claims).filter(([, v]) => v === null).map(([k]) => k),
      auth,
      claims: token,
    });
  }

  // The matrix, evaluated where a trust can admit a service (its owner, the subjects it pins, a
  // take-over): every other cell is denied by the trust's own subject pin, so the work grows with
  // the trusts, not with services × trusts. Undefined pins fall back to every service.
  const serviceByKey = new Map(model.services.map((s) => [s.key, s]));
  const bySubject = new Map<string, ServiceModel[]>();
  for (const service of model.services) {
    const list = bySubject.get(service.clientId);
    if (list) list.push(service);
    else bySubject.set(service.clientId, [service]);
  }
  const holders = new Map<string, string[]>();
  for (const grant of model.identityAdminGrants) for (const target of grant.reach) holders.set(target, [...(holders.get(target) ?? []), grant.service]);
  const evaluated = new Map<string, MatrixCell>();
  const admits = new Map<string, readonly string[] | undefined>();
  for (const target of model.targets) {
    const subjects = admittedSubjects(model, target);
    admits.set(target.id, subjects);
    const candidates = new Set<string>([target.owner, ...(holders.get(target.id) ?? [])]);
    for (const service of subjects === undefined ? model.services : subjects.flatMap((s) => bySubject.get(s) ?? [])) candidates.add(service.key);
    for (const key of candidates) {
      const service = serviceByKey.get(key);
      if (service) evaluated.set(`${key}|${target.id}`, withTakeover(evaluateCell(model, allTokens, service, target)));
    }
  }
  const targetIndex = new Map(model.targets.map((t, i) => [t.id, i]));
  const cellFindings = new Map<string, Array<[number, Finding]>>();
  for (const cell of evaluated.values()) {
    const target = model.targets[targetIndex.get(cell.target)!]!;
    const token = allTokens.get(cell.service)!;
    if ("problem" in token) continue;
    let finding: Finding | undefined;
    if (cell.intended === "allow" && cell.decision === "deny") {
      finding = { kind: "intended-deny", service: cell.service, target: cell.target, message: `${cell.service} cannot reach ${target.label}: ${cell.reason}` };
    } else if (cell.intended === "deny" && cell.decision === "allow" && !acceptedTakeovers.has(`${cell.service}|${cell.target}`)) {
      finding = { kind: "unintended-allow", service: cell.service, target: cell.target, message: `${cell.service} can reach ${target.label}, which belongs to ${target.owner}: ${cell.reason}` };
    }
    if (finding) cellFindings.set(cell.service, [...(cellFindings.get(cell.service) ?? []), [targetIndex.get(cell.target)!, finding]]);
  }
  for (const service of model.services) {
    const token = allTokens.get(service.key)!;
    if ("problem" in token) {
      const owned = model.targets.filter((t) => t.owner === service.key);
      findings.push({ kind: "no-token", service: service.key, message: `${service.key} gets no token: ${token.problem}${owned.length ? ` (so it cannot reach ${owned.map((t) => t.label).join(", ")})` : ""}` });
      continue;
    }
    findings.push(...(cellFindings.get(service.key) ?? []).sort(([a], [b]) => a - b).map(([, f]) => f));
  }
  // Any other cell, when asked for (a small matrix printed whole), is evaluated the same way.
  const cell: CellDecider = (service, target) => {
    const key = `${service}|${target}`;
    let found = evaluated.get(key);
    if (!found) {
      found = withTakeover(evaluateCell(model, allTokens, serviceByKey.get(service)!, model.targets[targetIndex.get(target)!]!));
      evaluated.set(key, found);
    }
    return found;
  };

  // Each trust on its own, independent of grants: probes built from the token it was made for.
  const probes: TrustProbe[] = [];
  for (const { trust, base, decide: decideTrust } of trustsOf(model, tokens)) {
    for (const [probe, claims] of Object.entries(probesFor(base)) as Array<[ProbeKind, TokenClaims]>) {
      const result = decideTrust(claims);
      probes.push({ trust, probe, ...result });
      if (result.decision === "allow") {
        findings.push({ kind: "probe-allowed", message: `${trust} accepts a token with ${PROBE_WORDS[probe]} by itself: ${result.reason}` });
      }
    }
  }

  // Client authentication: one key, one service.
  const firstUse = new Map<string, { service: string; label: string }>();
  for (const service of model.services) {
    for (const key of service.auth.keys) {
      const earlier = firstUse.get(key.fingerprint);
      if (!earlier) firstUse.set(key.fingerprint, { service: service.key, label: key.label });
      else if (earlier.service !== service.key) {
        findings.push({
          kind: "shared-client-key",
          service: service.key,
          message: `${service.key} registers the same ${key.label.startsWith("jwksUri") ? key.label : `public key (${key.label})`} as ${earlier.service} (${earlier.label}${sameKeySourceNote(key, earlier)}): each can authenticate to Okta as the other and obtain its tokens`,
        });
      }
    }
  }

  const label = (id: string) => model.targets.find((t) => t.id === id)?.label ?? id;
  for (const grant of model.identityAdminGrants) {
    const reach = grant.reach.length ? `it could take over ${grant.reach.map(label).join(", ")}` : "it could change its own trust";
    findings.push({
      kind: "identity-takeover",
      service: grant.service,
      accepted: grant.accepted,
      message: `${grant.service} holds ${grant.grant}, which ${grant.why}: ${reach}${grant.accepted ? " (accepted with allowIdentityAdmin: true)" : " (no allowIdentityAdmin opt-in)"}`,
    });
  }

  // A stack export only: a policy outside the stack evaluated before the kit's, or priorities the
  // state cannot order (policyOrderFindings, components/internal/oktaPriorities.ts).
  for (const message of model.policyOrder ?? []) findings.push({ kind: "policy-order", message });

  const allowed = [...evaluated.values()].filter((c) => c.decision === "allow");
  return {
    stack: model.stack,
    passed: findings.every((f) => f.accepted === true),
    issuers: model.issuers.map(({ federation, server, issuer, audience }) => ({ federation, server, issuer, audience })),
    services,
    targets: model.targets.map((t) => ({
      id: t.id,
      label: t.label,
      kind: t.kind,
      owner: t.owner,
      grants: t.grants.map((g) => g.text),
      admits: admits.get(t.id) ?? "any",
    })),
    allowed: allowed.sort((a, b) => a.service.localeCompare(b.service) || targetIndex.get(a.target)! - targetIndex.get(b.target)!),
    takeovers: [...evaluated.values()].filter((c) => c.takeover),
    cell,
    probes,
    identityAdmin: model.identityAdminGrants,
    inlinePolicies: inlinePolicyEntries(model),
    findings,
  };
}
