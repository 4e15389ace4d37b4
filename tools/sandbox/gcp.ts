/**
 * The sandbox's Google Cloud: an emulator of the Security Token Service (`POST /v1/token`, the
 * token exchange of workload identity federation; `POST /v1/introspect`) and of IAM Service Account
 * Credentials (`POST /v1/projects/-/serviceAccounts/<email>:generateAccessToken`), deciding as
 * Google does from the (materialized) plan's pools, providers and IAM grants; and `gcpWorkload`, the
 * workload's side: the service's `external_account` config run through google-auth-library's
 * `ExternalAccountClient`, the client a Node workload uses.
 *
 * What the STS checks, in Google's order, and what it answers (each a 400 in OAuth's error shape,
 * `{ error, error_description }`, which google-auth-library turns into "Error code <error>: <description>"):
 * - The request: RFC 8693 token exchange sent as a form (google-auth-library 10 sends
 *   `application/x-www-form-urlencoded`, StsCredentials.exchangeToken; the API also takes JSON).
 *   grant_type must be token-exchange, requested_token_type access_token, subject_token_type jwt or
 *   id_token (https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token).
 *   The wording of these invalid_request answers is the sandbox's own.
 * - `audience` must be a provider's full resource name, else invalid_request 'Invalid value for
 *   "audience". …' (Google's text as returned, google-github-actions/auth#60); the provider must exist
 *   and it and its pool be enabled, else invalid_target "The target service indicated by the
 *   \"audience\" parameters is invalid. This might either be because the pool or provider is disabled
 *   or deleted or because it doesn't exist." (google-github-actions/auth#202, #334;
 *   https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools:
 *   "You cannot use a disabled pool to exchange tokens").
 * - The token's `iss` must be the provider's issuerUri, else invalid_grant "The issuer in ID Token
 *   <iss> does not match the expected ones: <issuerUri>" (quoted in google-github-actions/auth
 *   docs/TROUBLESHOOTING.md); then discovery, keys and signature (verifyOidcToken): an issuer whose
 *   keys cannot be fetched is invalid_grant "Error connecting to the given credential's issuer."
 *   (https://cloud.google.com/iam/docs/troubleshooting-workload-identity-federation); a bad
 *   signature invalid_grant "Invalid JWT Signature." (Google's OAuth endpoint's wording, not seen
 *   from STS); an expired token invalid_grant "ID Token issued at <iat> is stale to sign-in." (what
 *   STS answers for an expired token, fullsend-ai/fullsend#705; googleapis/google-cloud-go#12440).
 * - `iat` must be in the past and `exp` less than 48 hours after `iat` (the STS reference's
 *   subjectToken field; not 24 hours). Wording of these two answers: the sandbox's.
 * - `aud` must be one of oidc.allowedAudiences, or when that list is empty the provider's full name
 *   with `//iam.googleapis.com/` or `https://iam.googleapis.com/` in front
 *   (https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools.providers#oidc),
 *   else invalid_grant "The audience in ID Token [<aud>] does not match the expected audience."
 *   (as STS returns it, quoted in many reports).
 * - attributeMapping is evaluated with @bufbuild/cel (not the kit's CEL) over `assertion`, the
 *   token's claims; an attribute whose expression fails (a claim the token lacks) is left unmapped.
 *   google.subject is required and at most 127 bytes: invalid_request "The size of mapped attribute
 *   google.subject exceeds the 127 bytes limit. Either modify …" (troubleshooting page above); a
 *   missing subject gets the same code with the sandbox's wording.
 * - attributeCondition must evaluate to true (with `assertion`, `google` and `attribute`), else
 *   unauthorized_client "The given credential is rejected by the attribute condition."
 *   (circleci/circleci-docs#8541, quoting STS). Its matches() is RE2, as CEL defines it
 *   (github.com/google/cel-spec doc/langdef.md, "Regular Expressions"): @bufbuild/cel's own, on
 *   @bufbuild/re2. A pattern RE2 refuses (a look-ahead, a backreference) is an error, and an error
 *   rejects; GCP refuses such a condition, and the kit refuses it at plan time.
 * - Success: { access_token, issued_token_type: urn:ietf:params:oauth:token-type:access_token,
 *   token_type: "Bearer", expires_in: 3600 } (GoogleIdentityStsV1ExchangeTokenResponse); the token
 *   remembers its principal
 *   principal://iam.googleapis.com/projects/<n>/locations/global/workloadIdentityPools/<pool>/subject/<google.subject>,
 *   its google.groups and attribute.* values. `/v1/introspect` answers { active, exp, iat, scope,
 *   username: <principal> } for it (GoogleIdentityStsV1IntrospectTokenResponse).
 *
 * What generateAccessToken checks (https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateAccessToken),
 * answering in Google's API error shape { error: { code, message, status, details } }:
 * - A Bearer token this STS issued and not expired, else 401 UNAUTHENTICATED "Request had invalid
 *   authentication credentials. …" (troubleshooting page above); with the cloud-platform or iam
 *   scope (google-auth-library asks for cloud-platform for that reason, baseexternalclient.js),
 *   else 403 "Request had insufficient authentication scopes.".
 * - A `scope` list, and `lifetime` at most 3600s: else 400 INVALID_ARGUMENT (the sandbox's wording).
 * - The token's principal, or a principalSet of its pool that it belongs to (`/*`,
 *   `/group/<g>`, `/attribute.<name>/<value>`), must hold roles/iam.workloadIdentityUser (or
 *   roles/iam.serviceAccountTokenCreator: both carry iam.serviceAccounts.getAccessToken) on the
 *   service account, or on its project, in the plan (gcp:serviceaccount/iAMMember|iAMBinding|iAMPolicy,
 *   gcp:projects/iAMMember|iAMBinding|iAMPolicy), and the account must be in the plan; else 403
 *   PERMISSION_DENIED "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may
 *   not exist)." with the IAM_PERMISSION_DENIED ErrorInfo Google sends (body as quoted in
 *   google-github-actions/auth issues and many reports).
 * - Success: { accessToken, expireTime } (RFC 3339).
 *
 * Not emulated: SAML, AWS and X.509 subject tokens, workforce pools, ES256 tokens (verifyOidcToken
 * takes RS256 only), inline oidc.jwksJson, Credential Access Boundaries (`options`), conditional IAM
 * bindings (a binding with a condition grants nothing here, as if its condition were false), deny
 * policies, org policies, quota (429), the staleness Google may apply to an unexpired but old token
 * (reported, threshold undocumented), the 8 KB limit on all mapped attributes, the federated
 * token's use against other Google APIs. CEL: the `extract` function of Google's attribute
 * reference is provided; other Google-only functions are not.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { CelScalar, celList, celMap, celMethod, isCelError, isCelList, isCelMap, isCelUint, run, type CelInput } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { ExternalAccountClient } from "google-auth-library";
import type { PlanDocument, PlanResource } from "../verify/model";
import { deployedValue } from "./materialize";
import type { SandboxNetwork } from "./network";
import { TokenCheckError, peek, verifyOidcToken } from "./oidc";
import type { Emulator, ExchangeOutcome } from "./types";

// ---------------------------------------------------------------------------------------------
// Google's answers.

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const SUBJECT_TOKEN_TYPES = ["urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:id_token"];
const IAM_HOST = "iam.googleapis.com";
const FEDERATED_TOKEN_SECONDS = 3600;
/** The STS reference: `exp` "Must be less than 48 hours after `iat`". */
const MAX_SUBJECT_TOKEN_SECONDS = 48 * 3600;
const MAX_SUBJECT_BYTES = 127;
/** Roles that carry iam.serviceAccounts.getAccessToken for a federated principal. */
const TOKEN_ROLES = ["roles/iam.workloadIdentityUser", "roles/iam.serviceAccountTokenCreator"];
/** Scopes generateAccessToken accepts on the caller's token. */
const IAM_CALLER_SCOPES = ["https://www.googleapis.com/auth/cloud-platform", "https://www.googleapis.com/auth/iam"];

const MESSAGES = {
  invalidAudienceFormat:
    'Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.',
  invalidTarget:
    'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
  issuerMismatch: (iss: string, expected: string) => `The issuer in ID Token ${iss} does not match the expected ones: ${expected}`,
  issuerUnreachable: "Error connecting to the given credential's issuer.",
  badSignature: "Invalid JWT Signature.",
  stale: (iat: unknown) => `ID Token issued at ${String(iat)} is stale to sign-in.`,
  audienceMismatch: (aud: unknown) => `The audience in ID Token [${Array.isArray(aud) ? aud.join(", ") : String(aud)}] does not match the expected audience.`,
  subjectTooLong:
    "The size of mapped attribute google.subject exceeds the 127 bytes limit. Either modify your attribute mapping or the incoming assertion to produce a mapped attribute that is less than 127 bytes.",
  conditionRejected: "The given credential is rejected by the attribute condition.",
  unauthenticated:
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
  insufficientScopes: "Request had insufficient authentication scopes.",
  getAccessTokenDenied: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
} as const;

/** An STS refusal: OAuth's error shape, HTTP 400. */
class StsError extends Error {
  constructor(
    readonly error: "invalid_request" | "invalid_target" | "invalid_grant" | "unauthorized_client",
    readonly description: string,
  ) {
    super(description);
  }
}

// ---------------------------------------------------------------------------------------------
// The plan as Google holds it.

interface Provider {
  /** `projects/<n>/locations/global/workloadIdentityPools/<pool>/providers/<id>` */
  readonly name: string;
  readonly poolName: string;
  /** The provider or its pool is disabled. */
  readonly disabled: boolean;
  readonly issuerUri: string;
  readonly allowedAudiences: readonly string[];
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition?: string;
}

/** One IAM binding of the plan: `role` for `members` on a service account or a project. */
interface Binding {
  readonly on: { readonly serviceAccount: string } | { readonly project: string };
  readonly role: string;
  readonly members: readonly string[];
  readonly conditional: boolean;
}

interface GcpPlan {
  readonly providers: readonly Provider[];
  readonly serviceAccounts: ReadonlySet<string>;
  readonly bindings: readonly Binding[];
}

const byType = (plan: PlanDocument, type: string) => plan.resources.filter((r) => r.type === type);
const valueOf = (r: PlanResource, key: string): any => r.afterDeploy?.[key] ?? r.inputs[key];

/** A project's number: the deployed-looking one `materialize` gives `<project.projectNumber>`. */
function projectNumber(project: string): string {
  return /^\d+$/.test(project) ? project : deployedValue(project, "projectNumber");
}

function poolsOf(plan: PlanDocument): Map<string, { name: string; disabled: boolean }> {
  const pools = new Map<string, { name: string; disabled: boolean }>();
  for (const pool of byType(plan, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool")) {
    const project = String(pool.inputs.project);
    const id = String(pool.inputs.workloadIdentityPoolId);
    const name = String(pool.afterDeploy?.name ?? `projects/${projectNumber(project)}/locations/global/workloadIdentityPools/${id}`);
    pools.set(`${project}/${id}`, { name, disabled: pool.inputs.disabled === true });
  }
  return pools;
}

function providersOf(plan: PlanDocument): Provider[] {
  const pools = poolsOf(plan);
  return byType(plan, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider").map((r) => {
    const project = String(r.inputs.project);
    const poolId = String(r.inputs.workloadIdentityPoolId);
    const pool = pools.get(`${project}/${poolId}`);
    const poolName = pool?.name ?? `projects/${projectNumber(project)}/locations/global/workloadIdentityPools/${poolId}`;
    const oidc = (r.inputs.oidc ?? {}) as { issuerUri?: string; allowedAudiences?: string[] };
    return {
      name: String(r.afterDeploy?.name ?? `${poolName}/providers/${String(r.inputs.workloadIdentityPoolProviderId)}`),
      poolName,
      // A provider whose pool is not in the plan does not exist for Google either.
      disabled: r.inputs.disabled === true || pool === undefined || pool.disabled,
      issuerUri: String(oidc.issuerUri ?? ""),
      allowedAudiences: oidc.allowedAudiences ?? [],
      attributeMapping: (r.inputs.attributeMapping ?? {}) as Record<string, string>,
      ...(typeof r.inputs.attributeCondition === "string" && r.inputs.attributeCondition !== "" ? { attributeCondition: r.inputs.attributeCondition } : {}),
    };
  });
}

/** `projects/p/serviceAccounts/a@p.iam.gserviceaccount.com`, `projects/-/serviceAccounts/…` or the email. */
function serviceAccountEmail(id: string): string {
  const at = id.lastIndexOf("serviceAccounts/");
  return (at >= 0 ? id.slice(at + "serviceAccounts/".length) : id).toLowerCase();
}

/** IAM policy data (`policyData`, JSON): its bindings. */
function policyBindings(policyData: unknown): Array<{ role: string; members: string[]; condition?: unknown }> {
  try {
    const policy = JSON.parse(String(policyData)) as { bindings?: Array<{ role: string; members?: string[]; condition?: unknown }> };
    return (policy.bindings ?? []).map((b) => ({ role: b.role, members: b.members ?? [], condition: b.condition }));
  } catch {
    return [];
  }
}

function bindingsOf(plan: PlanDocument): Binding[] {
  const bindings: Binding[] = [];
  const scopes = [
    { prefix: "gcp:serviceaccount/", on: (r: PlanResource) => ({ serviceAccount: serviceAccountEmail(String(r.inputs.serviceAccountId)) }) },
    { prefix: "gcp:projects/", on: (r: PlanResource) => ({ project: String(r.inputs.project) }) },
  ];
  for (const r of plan.resources) {
    const scope = scopes.find((s) => r.type.startsWith(s.prefix));
    if (!scope) continue;
    const kind = r.type.slice(scope.prefix.length).split(":")[0];
    if (kind === "iAMMember" || kind === "iAMBinding") {
      const members = kind === "iAMMember" ? [String(r.inputs.member)] : ((r.inputs.members ?? []) as string[]);
      bindings.push({ on: scope.on(r), role: String(r.inputs.role), members, conditional: r.inputs.condition != null });
    } else if (kind === "iAMPolicy") {
      for (const b of policyBindings(r.inputs.policyData)) bindings.push({ on: scope.on(r), role: b.role, members: b.members, conditional: b.condition != null });
    }
  }
  return bindings;
}

function gcpPlan(plan: PlanDocument): GcpPlan {
  const accounts = byType(plan, "gcp:serviceaccount/account:Account").map((r) =>
    String(valueOf(r, "email") ?? `${String(r.inputs.accountId)}@${String(r.inputs.project)}.iam.gserviceaccount.com`).toLowerCase(),
  );
  return { providers: providersOf(plan), serviceAccounts: new Set(accounts), bindings: bindingsOf(plan) };
}

// ---------------------------------------------------------------------------------------------
// CEL, evaluated by @bufbuild/cel.

/** JSON-like values as @bufbuild/cel input (it takes no plain objects). */
function toCelInput(value: unknown): CelInput {
  if (Array.isArray(value)) return celList(value.map(toCelInput));
  if (value !== null && typeof value === "object") return celMap(new Map(Object.entries(value).map(([k, v]) => [k, toCelInput(v)])));
  return value as CelInput;
}

/** A CEL value as plain JSON-like data. */
function fromCel(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (isCelUint(value)) return Number(value.value);
  if (isCelList(value)) return [...(value as Iterable<unknown>)].map(fromCel);
  if (isCelMap(value)) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), fromCel(v)]));
  return value;
}

/**
 * Google's `extract(template)`: the part of the string the template's `{name}` stands for, found
 * after the template's prefix and up to its suffix; empty when the prefix or suffix is absent
 * (https://cloud.google.com/iam/docs/conditions-attribute-reference#extract).
 */
const extract = celMethod("extract", CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (this: string, template: string) {
  const open = template.indexOf("{");
  const close = template.indexOf("}", open);
  if (open < 0 || close < 0) return "";
  const prefix = template.slice(0, open);
  const suffix = template.slice(close + 1);
  const start = this.indexOf(prefix);
  if (start < 0) return "";
  const rest = this.slice(start + prefix.length);
  if (suffix === "") return rest;
  const end = rest.indexOf(suffix);
  return end < 0 ? "" : rest.slice(0, end);
});

type CelOutcome = { ok: true; value: unknown } | { ok: false; error: string };

function evaluateCel(expression: string, bindings: Record<string, unknown>): CelOutcome {
  const input = Object.fromEntries(Object.entries(bindings).map(([k, v]) => [k, toCelInput(v)]));
  const value = run(expression, input, { funcs: [...strings, extract] });
  if (isCelError(value)) return { ok: false, error: value.message.split("\n")[0] ?? "CEL error" };
  return { ok: true, value: fromCel(value) };
}

// ---------------------------------------------------------------------------------------------
// The STS.

/** What a federated token stands for. */
interface FederatedToken {
  readonly principal: string;
  readonly poolName: string;
  readonly groups: readonly string[];
  /** attribute.<name> values, by name. */
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly scopes: readonly string[];
  readonly iat: number;
  readonly exp: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** `//iam.googleapis.com/projects/<n>/locations/global/workloadIdentityPools/<p>/providers/<q>` → the name. */
function providerNameFromAudience(audience: string): string {
  const match = /^\/\/iam\.googleapis\.com\/(projects\/[^/]+\/locations\/[^/]+\/workloadIdentityPools\/[^/]+\/providers\/[^/]+)$/.exec(audience);
  if (!match) throw new StsError("invalid_request", MESSAGES.invalidAudienceFormat);
  return match[1]!;
}

function findProvider(model: GcpPlan, audience: string): Provider {
  const name = providerNameFromAudience(audience);
  const provider = model.providers.find((p) => p.name === name);
  if (!provider || provider.disabled) throw new StsError("invalid_target", MESSAGES.invalidTarget);
  return provider;
}

function checkRequest(form: Record<string, string>): void {
  // The sandbox's wording: Google's text for these is not documented.
  if (form.grant_type !== TOKEN_EXCHANGE) throw new StsError("invalid_request", `Invalid value for "grant_type". It must be ${TOKEN_EXCHANGE}.`);
  if (form.requested_token_type !== ACCESS_TOKEN_TYPE) throw new StsError("invalid_request", `Invalid value for "requested_token_type". It must be ${ACCESS_TOKEN_TYPE}.`);
  if (!SUBJECT_TOKEN_TYPES.includes(form.subject_token_type ?? "")) throw new StsError("invalid_request", `Invalid value for "subject_token_type": only OIDC tokens (${SUBJECT_TOKEN_TYPES.join(", ")}) are emulated.`);
  if (!form.subject_token) throw new StsError("invalid_request", 'Missing "subject_token".');
  if (!form.scope) throw new StsError("invalid_request", '"scope" is required when exchanging an external credential.');
}

/** The token checked against the provider: issuer, keys and signature, times, audience. */
async function checkSubjectToken(token: string, provider: Provider, fetchFn: typeof fetch): Promise<Record<string, unknown>> {
  let iss: unknown;
  try {
    iss = peek(token).payload.iss;
  } catch {
    throw new StsError("invalid_grant", "Unable to parse the ID Token.");
  }
  if (iss !== provider.issuerUri) throw new StsError("invalid_grant", MESSAGES.issuerMismatch(String(iss), provider.issuerUri));
  let claims: Record<string, unknown>;
  try {
    claims = (await verifyOidcToken(token, fetchFn)) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof TokenCheckError)) throw error;
    const reasons = {
      malformed: "Unable to parse the ID Token.",
      issuer: MESSAGES.issuerUnreachable,
      signature: MESSAGES.badSignature,
      expired: MESSAGES.stale(peek(token).payload.iat),
    } as const;
    throw new StsError("invalid_grant", reasons[error.reason]);
  }
  checkTimes(claims);
  const audiences = Array.isArray(claims.aud) ? (claims.aud as unknown[]) : [claims.aud];
  const allowed = provider.allowedAudiences.length > 0 ? provider.allowedAudiences : [`//${IAM_HOST}/${provider.name}`, `https://${IAM_HOST}/${provider.name}`];
  if (!audiences.some((a) => typeof a === "string" && allowed.includes(a))) throw new StsError("invalid_grant", MESSAGES.audienceMismatch(claims.aud));
  return claims;
}

/** `iat` in the past; `exp` less than 48 hours after it (the STS reference). Wording: the sandbox's. */
function checkTimes(claims: Record<string, unknown>): void {
  const { iat, exp } = claims;
  if (typeof iat !== "number") throw new StsError("invalid_grant", "The ID Token has no iat (issued at) claim.");
  if (iat > nowSeconds()) throw new StsError("invalid_grant", `ID Token issued at ${iat} is in the future: iat must be in the past.`);
  if (typeof exp !== "number" || exp - iat >= MAX_SUBJECT_TOKEN_SECONDS) {
    throw new StsError("invalid_grant", `ID Token issued at ${iat} expires at ${String(exp)}: exp must be less than 48 hours after iat.`);
  }
}

/** The provider's attribute mapping over the claims: google.subject, google.groups, attribute.*. */
function mapAttributes(provider: Provider, claims: Record<string, unknown>): { subject: string; groups: string[]; attributes: Record<string, unknown> } {
  const mapped = new Map<string, unknown>();
  for (const [target, expression] of Object.entries(provider.attributeMapping)) {
    const result = evaluateCel(expression, { assertion: claims });
    // A mapping over a claim the token lacks leaves that attribute unset.
    if (result.ok && result.value !== null && result.value !== undefined) mapped.set(target, result.value);
  }
  const subject = mapped.get("google.subject");
  if (typeof subject !== "string" || subject === "") {
    throw new StsError("invalid_request", "The mapped attribute google.subject is missing: the attribute mapping must produce a non-empty string for it.");
  }
  if (Buffer.byteLength(subject, "utf8") > MAX_SUBJECT_BYTES) throw new StsError("invalid_request", MESSAGES.subjectTooLong);
  const groupsValue = mapped.get("google.groups");
  const groups = Array.isArray(groupsValue) ? groupsValue.map(String) : [];
  const attributes = Object.fromEntries([...mapped].filter(([k]) => k.startsWith("attribute.")).map(([k, v]) => [k.slice("attribute.".length), v]));
  return { subject, groups, attributes };
}

function checkCondition(provider: Provider, claims: Record<string, unknown>, mapped: ReturnType<typeof mapAttributes>): void {
  if (!provider.attributeCondition) return;
  const google: Record<string, unknown> = { subject: mapped.subject };
  if (mapped.groups.length > 0) google.groups = mapped.groups;
  const result = evaluateCel(provider.attributeCondition, { assertion: claims, google, attribute: mapped.attributes });
  // An error (a claim the condition reads is absent) rejects, as a false does.
  if (!result.ok || result.value !== true) throw new StsError("unauthorized_client", MESSAGES.conditionRejected);
}

async function exchange(model: GcpPlan, form: Record<string, string>, fetchFn: typeof fetch, tokens: Map<string, FederatedToken>): Promise<Record<string, unknown>> {
  checkRequest(form);
  const provider = findProvider(model, String(form.audience ?? ""));
  const claims = await checkSubjectToken(form.subject_token!, provider, fetchFn);
  const mapped = mapAttributes(provider, claims);
  checkCondition(provider, claims, mapped);
  const accessToken = `ya29.sandbox-sts.${randomBytes(24).toString("base64url")}`;
  const iat = nowSeconds();
  tokens.set(accessToken, {
    principal: `principal://${IAM_HOST}/${provider.poolName}/subject/${mapped.subject}`,
    poolName: provider.poolName,
    groups: mapped.groups,
    attributes: mapped.attributes,
    scopes: String(form.scope).split(" ").filter(Boolean),
    iat,
    exp: iat + FEDERATED_TOKEN_SECONDS,
  });
  return { access_token: accessToken, issued_token_type: ACCESS_TOKEN_TYPE, token_type: "Bearer", expires_in: FEDERATED_TOKEN_SECONDS };
}

// ---------------------------------------------------------------------------------------------
// IAM Credentials.

/** A Google API error (AIP-193 shape). */
class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
  }
}

/** Does `member` name this federated token's identity? */
function memberMatches(member: string, token: Pick<FederatedToken, "principal" | "poolName" | "groups" | "attributes">): boolean {
  if (member === token.principal) return true;
  const set = `principalSet://${IAM_HOST}/${token.poolName}/`;
  if (!member.startsWith(set)) return false;
  const rest = member.slice(set.length);
  if (rest === "*") return true;
  if (rest.startsWith("group/")) return token.groups.includes(rest.slice("group/".length));
  const attribute = /^attribute\.([^/]+)\/(.*)$/.exec(rest);
  if (!attribute) return false;
  const value = token.attributes[attribute[1]!];
  return Array.isArray(value) ? value.map(String).includes(attribute[2]!) : value !== undefined && String(value) === attribute[2];
}

/** The IAM check of generateAccessToken: a role carrying getAccessToken on the account or its project. */
function mayImpersonate(model: GcpPlan, token: FederatedToken, email: string): boolean {
  if (!model.serviceAccounts.has(email)) return false;
  const project = /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
  return model.bindings.some(
    (b) =>
      !b.conditional &&
      TOKEN_ROLES.includes(b.role) &&
      ("serviceAccount" in b.on ? b.on.serviceAccount === email : b.on.project === project) &&
      b.members.some((m) => memberMatches(m, token)),
  );
}

function bearer(req: IncomingMessage, tokens: Map<string, FederatedToken>): FederatedToken {
  const header = req.headers.authorization ?? "";
  const token = /^Bearer (.+)$/i.exec(header)?.[1];
  const federated = token ? tokens.get(token) : undefined;
  if (!federated || federated.exp <= nowSeconds()) throw new ApiError(401, "UNAUTHENTICATED", MESSAGES.unauthenticated);
  if (!federated.scopes.some((s) => IAM_CALLER_SCOPES.includes(s))) throw new ApiError(403, "PERMISSION_DENIED", MESSAGES.insufficientScopes);
  return federated;
}

function generateAccessToken(model: GcpPlan, req: IncomingMessage, email: string, body: Record<string, unknown>, tokens: Map<string, FederatedToken>): Record<string, unknown> {
  const caller = bearer(req, tokens);
  const scope = body.scope;
  if (!Array.isArray(scope) || scope.length === 0) throw new ApiError(400, "INVALID_ARGUMENT", "Request contains an invalid argument: scope is required.");
  const lifetime = body.lifetime === undefined ? 3600 : Number(/^(\d+(?:\.\d+)?)s$/.exec(String(body.lifetime))?.[1] ?? Number.NaN);
  if (!(lifetime > 0 && lifetime <= 3600)) throw new ApiError(400, "INVALID_ARGUMENT", `Request contains an invalid argument: lifetime ${String(body.lifetime)} must be at most 3600s.`);
  if (!mayImpersonate(model, caller, email)) {
    throw new ApiError(403, "PERMISSION_DENIED", MESSAGES.getAccessTokenDenied, [
      { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "IAM_PERMISSION_DENIED", domain: "iam.googleapis.com", metadata: { permission: "iam.serviceAccounts.getAccessToken" } },
    ]);
  }
  return { accessToken: `ya29.sandbox-sa.${randomBytes(24).toString("base64url")}`, expireTime: new Date(Date.now() + lifetime * 1000).toISOString().replace(/\.\d{3}Z$/, "Z") };
}

// ---------------------------------------------------------------------------------------------
// HTTP.

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A form or JSON body as flat strings; JSON's camelCase names (the REST reference) as OAuth's. */
function parseForm(req: IncomingMessage, text: string): Record<string, string> {
  if (!String(req.headers["content-type"] ?? "").includes("json")) return Object.fromEntries(new URLSearchParams(text));
  const json = JSON.parse(text || "{}") as Record<string, unknown>;
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), String(v)]));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify(body));
}

function sendApiError(res: ServerResponse, error: ApiError): void {
  send(res, error.code, { error: { code: error.code, message: error.message, status: error.status, ...(error.details ? { details: error.details } : {}) } });
}

function stsHandler(model: GcpPlan, network: SandboxNetwork, tokens: Map<string, FederatedToken>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://sts").pathname;
    if (req.method !== "POST" || (path !== "/v1/token" && path !== "/v1/introspect")) {
      sendApiError(res, new ApiError(404, "NOT_FOUND", `The requested URL ${path} was not found on this server.`));
      return;
    }
    const form = parseForm(req, await readBody(req));
    if (path === "/v1/introspect") {
      send(res, 200, introspect(tokens.get(form.token ?? "")));
      return;
    }
    try {
      send(res, 200, await exchange(model, form, network.fetch, tokens));
    } catch (error) {
      if (!(error instanceof StsError)) throw error;
      send(res, 400, { error: error.error, error_description: error.description });
    }
  };
}

/** RFC 7662 introspection, as STS's /v1/introspect: `username` is the federated principal. */
function introspect(token: FederatedToken | undefined): Record<string, unknown> {
  if (!token || token.exp <= nowSeconds()) return { active: false };
  return { active: true, iat: token.iat, exp: token.exp, scope: token.scopes.join(" "), username: token.principal };
}

function iamHandler(model: GcpPlan, tokens: Map<string, FederatedToken>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://iamcredentials").pathname;
    const match = /^\/v1\/projects\/[^/]+\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(path);
    if (req.method !== "POST" || !match) {
      sendApiError(res, new ApiError(404, "NOT_FOUND", `The requested URL ${path} was not found on this server.`));
      return;
    }
    const text = await readBody(req);
    try {
      const body = JSON.parse(text || "{}") as Record<string, unknown>;
      send(res, 200, generateAccessToken(model, req, decodeURIComponent(match[1]!).toLowerCase(), body, tokens));
    } catch (error) {
      if (error instanceof ApiError) sendApiError(res, error);
      else sendApiError(res, new ApiError(400, "INVALID_ARGUMENT", `Invalid JSON payload received. ${(error as Error).message}`));
    }
  };
}

/** Reports a handler's unexpected failure as a 500 rather than leaving the request hanging. */
function guarded(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handler(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendApiError(res, new ApiError(500, "INTERNAL", `sandbox: ${(error as Error).message}`));
      else res.end();
    });
  };
}

/**
 * Starts the STS and IAM Credentials emulators for the (materialized) plan on the network. The STS
 * reaches issuers through `network.fetch`; the workload reaches both emulators on loopback.
 */
export async function startGcp(plan: PlanDocument, network: SandboxNetwork): Promise<{ sts: Emulator; iamCredentials: Emulator }> {
  const model = gcpPlan(plan);
  // Federated tokens, shared: generateAccessToken accepts what this STS issued.
  const tokens = new Map<string, FederatedToken>();
  const sts = await network.listen(guarded(stsHandler(model, network, tokens)));
  const iamCredentials = await network.listen(guarded(iamHandler(model, tokens)));
  return { sts: { url: sts.url }, iamCredentials: { url: iamCredentials.url } };
}

// ---------------------------------------------------------------------------------------------
// The workload.

interface ExternalAccountConfig {
  type: string;
  audience: string;
  subject_token_type: string;
  token_url: string;
  service_account_impersonation_url?: string;
  credential_source: { file?: string; format?: unknown; [key: string]: unknown };
  [key: string]: unknown;
}

/** The config with Google's endpoints on the emulators and the token file in place. */
function pointAtSandbox(config: ExternalAccountConfig, tokenFile: string, gcp: { sts: Emulator; iamCredentials: Emulator }): ExternalAccountConfig {
  const onEmulator = (url: string, emulator: Emulator) => {
    const parsed = new URL(url);
    return `${emulator.url}${parsed.pathname}${parsed.search}`;
  };
  return {
    ...config,
    token_url: onEmulator(config.token_url, gcp.sts),
    ...(config.service_account_impersonation_url ? { service_account_impersonation_url: onEmulator(config.service_account_impersonation_url, gcp.iamCredentials) } : {}),
    credential_source: { ...config.credential_source, file: tokenFile },
  };
}

/**
 * How google-auth-library surfaces a failure: an STS refusal as an Error carrying the OAuth body
 * (`response.data.error`, a string; message "Error code <error>: <description>"), an IAM refusal as
 * a GaxiosError with Google's API error (`response.data.error.status`).
 */
function outcomeOfError(error: unknown): ExchangeOutcome {
  const data = (error as { response?: { data?: unknown } }).response?.data as { error?: unknown; error_description?: unknown } | undefined;
  if (data && typeof data.error === "string") return { ok: false, code: data.error, message: String(data.error_description ?? (error as Error).message) };
  if (data && data.error !== null && typeof data.error === "object") {
    const api = data.error as { status?: unknown; message?: unknown };
    return { ok: false, code: String(api.status ?? "UNKNOWN"), message: String(api.message ?? (error as Error).message) };
  }
  return { ok: false, code: "client_error", message: (error as Error).message };
}

/** Roles the plan grants `principal` on projects: directly, or to every identity of its pool. */
function plannedProjectRoles(plan: PlanDocument, principal: string): string[] {
  const pool = /^principal:\/\/iam\.googleapis\.com\/(.+)\/subject\/.*$/.exec(principal)?.[1];
  const identity = { principal, poolName: pool ?? "", groups: [], attributes: {} };
  const roles = bindingsOf(plan)
    .filter((b) => "project" in b.on && !b.conditional && b.members.some((m) => memberMatches(m, identity)))
    .map((b) => b.role);
  return [...new Set(roles)].sort();
}

/** Who STS says the federated token stands for (its introspection's `username`). */
async function principalOf(sts: Emulator, accessToken: string): Promise<string> {
  const response = await fetch(`${sts.url}/v1/introspect`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token: accessToken }) });
  const body = (await response.json()) as { username?: string };
  return body.username ?? "an unknown principal";
}

/**
 * The workload as a user runs it: the service's external_account config (the stack output
 * `services.<key>.gcp.credentialConfig`) read by google-auth-library, which exchanges the token in
 * `tokenFile` at the STS and, with impersonation, calls generateAccessToken.
 */
export async function gcpWorkload(args: { credentialConfig: object; tokenFile: string; gcp: { sts: Emulator; iamCredentials: Emulator }; plan?: PlanDocument }): Promise<ExchangeOutcome> {
  const config = pointAtSandbox(args.credentialConfig as ExternalAccountConfig, args.tokenFile, args.gcp);
  const client = ExternalAccountClient.fromJSON(config as Parameters<typeof ExternalAccountClient.fromJSON>[0]);
  if (!client) return { ok: false, code: "client_error", message: `not an external_account config (type ${String(config.type)})` };
  let accessToken: string | null | undefined;
  try {
    accessToken = (await client.getAccessToken()).token;
  } catch (error) {
    return outcomeOfError(error);
  }
  if (!accessToken) return { ok: false, code: "client_error", message: "the client returned no access token" };
  const email = client.getServiceAccountEmail();
  if (email) return { ok: true, detail: `impersonates ${email}` };
  // Without a plan (the smoke check, at Google's real STS) there is nothing to look the principal up in.
  if (!args.plan) return { ok: true, detail: "federated token for the service's principal (direct grants)" };
  const principal = await principalOf(args.gcp.sts, accessToken);
  const roles = plannedProjectRoles(args.plan, principal);
  const rolesText = roles.length > 0 ? roles.join(", ") : "none";
  return { ok: true, detail: `federated token for ${principal}; planned project roles: ${rolesText}` };
}
