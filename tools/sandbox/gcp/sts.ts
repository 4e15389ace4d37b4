/**
 * The sandbox's GCP Security Token Service: `POST /v1/token`, the token exchange of workload
 * identity federation, and `POST /v1/introspect`, deciding from the plan's pools and providers.
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
 */
import { randomBytes } from "node:crypto";
import { TokenCheckError, peek, verifyOidcToken } from "../oidc";
import { evaluateCel } from "./cel";
import { type FederatedToken, type GcpPlan, IAM_HOST, type Provider } from "./plan";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const SUBJECT_TOKEN_TYPES = ["urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:id_token"];
const FEDERATED_TOKEN_SECONDS = 3600;
/** The STS reference: `exp` "Must be less than 48 hours after `iat`". */
const MAX_SUBJECT_TOKEN_SECONDS = 48 * 3600;
const MAX_SUBJECT_BYTES = 127;

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
} as const;


/** An STS refusal: OAuth's error shape, HTTP 400. */
export class StsError extends Error {
  constructor(
    readonly error: "invalid_request" | "invalid_target" | "invalid_grant" | "unauthorized_client",
    readonly description: string,
  ) {
    super(description);
  }
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

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

export async function exchange(model: GcpPlan, form: Record<string, string>, fetchFn: typeof fetch, tokens: Map<string, FederatedToken>): Promise<Record<string, unknown>> {
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

/** RFC 7662 introspection, as STS's /v1/introspect: `username` is the federated principal. */
export function introspect(token: FederatedToken | undefined): Record<string, unknown> {
  if (!token || token.exp <= nowSeconds()) return { active: false };
  return { active: true, iat: token.iat, exp: token.exp, scope: token.scopes.join(" "), username: token.principal };
}
