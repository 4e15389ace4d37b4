/**
 * LICENSE NOTE: this file imports @cloud-copilot/iam-simulate, which is AGPL. It is a repository
 * tool: tools/ is not in the package's `files` (package.json), so it is never shipped or built into
 * dist/; only `npm run sandbox` and the tests load it.
 *
 * The sandbox's AWS STS: `AssumeRoleWithWebIdentity` over the query protocol (a form POST of
 * `Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=…&RoleSessionName=…&WebIdentityToken=…
 * [&DurationSeconds=…]`), answered with STS's XML: `AssumeRoleWithWebIdentityResponse`, or an
 * `ErrorResponse` with the error's HTTP status. It decides from the plan's IAM resources, the way STS
 * decides (API reference: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html),
 * in this order:
 *
 * 1. Parameters: RoleArn (20–2048), RoleSessionName (2–64 of `[\w+=,.@-]`), WebIdentityToken
 *    (4–20000), DurationSeconds (900–43200), each as the API reference's constraints; a breach is
 *    `ValidationError` (400) in AWS's "1 validation error detected: Value … at '…' failed to satisfy
 *    constraint: …" form (the message format every AWS query API uses).
 * 2. The token's `iss` must be the URL of an IAM OIDC provider (`aws:iam/openIdConnectProvider:
 *    OpenIdConnectProvider`, its `url`) in the role's account, else `InvalidIdentityToken` "No
 *    OpenIDConnect provider found in your account for <iss>" (400). STS looks the provider up first:
 *    it never fetches keys from an issuer no provider names. Message as reported verbatim in
 *    https://github.com/aws-actions/configure-aws-credentials/issues/721 and
 *    https://github.com/treeverse/dvc.org/pull/5273.
 * 3. The token must verify against the issuer's published keys (tools/sandbox/oidc.ts: discovery,
 *    JWKS, RS256, exp). Keys that cannot be fetched: `InvalidIdentityToken` "Couldn't retrieve
 *    verification key from your identity provider,  please reference AssumeRoleWithWebIdentity
 *    documentation for requirements" (400; the double space is STS's, see
 *    https://github.com/aws/aws-sdk-js-v3/issues/3052 and https://github.com/awslabs/aws-sdk-rust/issues/827).
 *    Expired: `ExpiredTokenException` "Token expired: current date/time <now> must be before the
 *    expiration date/time <exp>" (400; https://github.com/aws/aws-sdk-java-v2/issues/5709), after
 *    the five minutes of clock skew IAM allows past `exp`
 *    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html, the note on `exp`).
 *    A bad signature or an unreadable token is `InvalidIdentityToken` with this sandbox's own wording
 *    (STS's exact text for these is not documented).
 * 4. The provider's client id list must contain the token's `aud`, else `InvalidIdentityToken`
 *    "Incorrect token audience" (400; https://github.com/awslabs/amazon-eks-irsa-cfn/pull/18).
 * 5. The role named by RoleArn must exist (each `aws:iam/role:Role`'s ARN is computed from its name,
 *    path and the account of its trust policy's federated principal, or taken from the stack
 *    outputs' `roleArn`), and its trust policy (`assumeRolePolicy`) must allow
 *    `sts:AssumeRoleWithWebIdentity` to the principal = the provider's ARN, with the context keys
 *    STS sets from the token: `<provider url without https://>:aud` and `:sub`
 *    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif:
 *    for a generic OIDC provider these are the documented keys; `amr` is Cognito's, `oaud`/`azp` are
 *    Google's) and `sts:RoleSessionName`. Evaluated by iam-simulate, not by the kit. Denied (or no
 *    such role: STS does not say which): `AccessDenied` "Not authorized to perform
 *    sts:AssumeRoleWithWebIdentity" (403).
 * 6. A token with the `https://aws.amazon.com/tags` claim passes session tags, and then the trust
 *    must also allow `sts:TagSession` (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html,
 *    "Permissions required to add session tags" and "Passing session tags using
 *    AssumeRoleWithWebIdentity"), with `aws:RequestTag/<key>`, `aws:TagKeys` and
 *    `sts:TransitiveTagKeys` in the context; denied is the same `AccessDenied`.
 * 7. DurationSeconds above the role's `maxSessionDuration` (default 3600): `ValidationError` "The
 *    requested DurationSeconds exceeds the MaxSessionDuration set for this role." (400;
 *    https://github.com/kreuzwerker/awsu/issues/27).
 *
 * On success: Credentials (AccessKeyId `ASIA…`, SecretAccessKey, SessionToken, Expiration = now +
 * DurationSeconds, default 3600), SubjectFromWebIdentityToken (`sub`), AssumedRoleUser (Arn
 * `arn:aws:sts::<account>:assumed-role/<role name>/<session>`, AssumedRoleId `<role unique
 * id>:<session>`), Provider (the provider's ARN, as STS answers for IAM OIDC providers; the API
 * reference describes it as the token's `iss`) and Audience.
 *
 * Not emulated: the provider's thumbprints and TLS; other token algorithms than RS256; `Policy` and
 * `PolicyArns` session policies (ignored); `ProviderId`; SourceIdentity; identity-provider controls
 * for shared providers; role chaining; SCPs and RCPs of an organization; the credentials do not sign
 * anything (there is no AWS API behind them: a session's requests are authorized by aws/iam.ts,
 * asked directly with the access key). Tokens whose `azp` differs from `aud` get `:aud` from
 * `aud` (STS's `azp` rule is documented for Google only).
 */
import type { JWTPayload } from "jose";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { peek, TokenCheckError, verifyOidcToken } from "../oidc";
import { DEFAULT_DURATION_SECONDS, type IamOidcProvider, type IamRole } from "./plan";

const WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity";
const TAG_SESSION_ACTION = "sts:TagSession";
/** The claim that carries session tags (IAM user guide, "Passing session tags using AssumeRoleWithWebIdentity"). */
const TAGS_CLAIM = "https://aws.amazon.com/tags";
/** IAM accepts a JWT up to five minutes after its `exp` (IAM user guide, OIDC federation). */
const CLOCK_SKEW_SECONDS = 300;

const NOT_AUTHORIZED = `Not authorized to perform ${WEB_IDENTITY_ACTION}`;
const KEYS_UNAVAILABLE = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

/** An STS error: its query-protocol code, HTTP status and message. */
export class StsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const invalidToken = (message: string) => new StsError(400, "InvalidIdentityToken", message);
const accessDenied = () => new StsError(403, "AccessDenied", NOT_AUTHORIZED);
const validationError = (message: string) => new StsError(400, "ValidationError", message);

/** The query API's validation message: "1 validation error detected: Value … at '…' failed to satisfy constraint: …". */
function checkParameters(params: URLSearchParams): void {
  const problems: string[] = [];
  const shown = (v: string | null) => (v === null ? "null" : `'${v}'`);
  const length = (name: string, field: string, min: number, max: number) => {
    const v = params.get(name);
    if (v === null) problems.push(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
    else if (v.length < min) problems.push(`Value ${shown(v)} at '${field}' failed to satisfy constraint: Member must have length greater than or equal to ${min}`);
    else if (v.length > max) problems.push(`Value ${shown(v)} at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  };
  length("RoleArn", "roleArn", 20, 2048);
  length("RoleSessionName", "roleSessionName", 2, 64);
  length("WebIdentityToken", "webIdentityToken", 4, 20000);
  const session = params.get("RoleSessionName");
  if (session !== null && !/^[\w+=,.@-]*$/.test(session)) problems.push(`Value ${shown(session)} at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
  const duration = params.get("DurationSeconds");
  if (duration !== null) {
    const seconds = Number(duration);
    if (!Number.isInteger(seconds)) problems.push(`Value ${shown(duration)} at 'durationSeconds' failed to satisfy constraint: Member must be an integer`);
    else if (seconds < 900) problems.push(`Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`);
    else if (seconds > 43200) problems.push(`Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`);
  }
  if (problems.length) throw validationError(`${problems.length} validation error${problems.length > 1 ? "s" : ""} detected: ${problems.join("; ")}`);
}

/** Verifies the token at its issuer, allowing IAM's five minutes past `exp`. */
async function verifyAtIssuer(token: string, fetchFn: typeof fetch, now: number): Promise<JWTPayload> {
  try {
    return await verifyOidcToken(token, fetchFn, now);
  } catch (error) {
    if (!(error instanceof TokenCheckError)) throw error;
    const exp = Number(peek(token).payload.exp);
    if (error.reason === "expired" && exp + CLOCK_SKEW_SECONDS >= now) return verifyOidcToken(token, fetchFn, now - CLOCK_SKEW_SECONDS).catch(() => Promise.reject(error));
    throw error;
  }
}

function tokenProblem(error: unknown, now: number, exp: unknown): StsError {
  if (!(error instanceof TokenCheckError)) return invalidToken(KEYS_UNAVAILABLE);
  switch (error.reason) {
    case "issuer":
      return invalidToken(KEYS_UNAVAILABLE);
    case "expired":
      return new StsError(400, "ExpiredTokenException", `Token expired: current date/time ${now} must be before the expiration date/time ${exp}`);
    case "signature":
      return invalidToken(`The web identity token's signature does not verify with the identity provider's keys`);
    case "malformed":
      return invalidToken(`The web identity token is not a valid JWT: ${error.message}`);
  }
}

/** Session tags from the token's tags claim, as request-context keys (single value per tag: IAM user guide, session tags). */
function sessionTagContext(claim: unknown): Record<string, string | string[]> | undefined {
  if (claim === undefined) return undefined;
  const tags = (claim as { principal_tags?: Record<string, unknown> })?.principal_tags ?? {};
  const transitive = (claim as { transitive_tag_keys?: unknown })?.transitive_tag_keys;
  const context: Record<string, string | string[]> = { "aws:TagKeys": Object.keys(tags) };
  for (const [key, v] of Object.entries(tags)) context[`aws:RequestTag/${key}`] = String(Array.isArray(v) ? v[0] : v);
  if (Array.isArray(transitive)) context["sts:TransitiveTagKeys"] = transitive.map(String);
  return context;
}

/** iam-simulate's answer for the trust policy as the role's resource policy (same-account: the provider is in the role's account). */
function trustAllows(role: IamRole, principal: string, action: string, context: Record<string, string | string[]>): boolean {
  if (!role.trust) return false;
  // The unsafe entry point: the validated one drops context keys it does not know (every
  // `<issuer host/path>:sub`), so it would deny every web identity (test/crosscheck/aws-evaluator.test.ts).
  const result = runUnsafeSimulation(
    {
      request: { principal, action, resource: { resource: role.arn, accountId: role.account }, contextVariables: context },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: role.trust,
    },
    {},
  );
  return result === "Allowed";
}

export interface Assumed {
  readonly role: IamRole;
  readonly provider: IamOidcProvider;
  readonly subject: string;
  readonly audience: string;
  readonly session: string;
  readonly durationSeconds: number;
}

/** STS's decision for one request; throws the StsError STS would answer. */
export async function decide(params: URLSearchParams, providers: readonly IamOidcProvider[], roles: readonly IamRole[], fetchFn: typeof fetch): Promise<Assumed> {
  const action = params.get("Action");
  if (action !== "AssumeRoleWithWebIdentity") throw new StsError(400, "InvalidAction", `Could not find operation ${action ?? ""} for version ${params.get("Version") ?? "NO_VERSION_SPECIFIED"}`);
  checkParameters(params);
  const roleArn = params.get("RoleArn")!;
  const session = params.get("RoleSessionName")!;
  const token = params.get("WebIdentityToken")!.trim();
  const account = /^arn:aws:iam::(\d{12}):role\/.+$/.exec(roleArn)?.[1];
  if (!account) throw validationError("Request ARN is invalid");

  const now = Math.floor(Date.now() / 1000);
  let iss: unknown;
  let exp: unknown;
  try {
    ({ iss, exp } = peek(token).payload);
  } catch (error) {
    throw tokenProblem(error, now, undefined);
  }
  const provider = providers.find((p) => p.account === account && p.url === iss);
  if (!provider) throw invalidToken(`No OpenIDConnect provider found in your account for ${String(iss)}`);

  let claims: JWTPayload;
  try {
    claims = await verifyAtIssuer(token, fetchFn, now);
  } catch (error) {
    throw tokenProblem(error, now, exp);
  }

  const audiences = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
  // An adopted provider's client ids are not in the plan: its audience check cannot be played.
  const audience = provider.clientIds ? audiences.find((a) => provider.clientIds!.includes(a)) : audiences[0];
  if (audience === undefined) throw invalidToken("Incorrect token audience");

  const role = roles.find((r) => r.arn === roleArn);
  if (!role) throw accessDenied();
  const subject = typeof claims.sub === "string" ? claims.sub : "";
  const context: Record<string, string | string[]> = {
    [`${provider.hostPath}:aud`]: audience,
    ...(claims.sub !== undefined ? { [`${provider.hostPath}:sub`]: subject } : {}),
    "sts:RoleSessionName": session,
  };
  const tags = sessionTagContext(claims[TAGS_CLAIM]);
  if (!trustAllows(role, provider.arn, WEB_IDENTITY_ACTION, { ...context, ...tags })) throw accessDenied();
  if (tags && !trustAllows(role, provider.arn, TAG_SESSION_ACTION, { ...context, ...tags })) throw accessDenied();

  const durationSeconds = params.has("DurationSeconds") ? Number(params.get("DurationSeconds")) : DEFAULT_DURATION_SECONDS;
  if (durationSeconds > role.maxSessionDuration) throw validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  return { role, provider, subject, audience, session, durationSeconds };
}
