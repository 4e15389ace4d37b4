/**
 * LICENSE NOTE: this file imports @cloud-copilot/iam-simulate and @cloud-copilot/iam-policy, which
 * are AGPL. It is a repository tool: tools/ is not in the package's `files` (package.json), so it is
 * never shipped or built into dist/; only `npm run sandbox` and the tests load it.
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
 * anything (there is no AWS API behind them). Tokens whose `azp` differs from `aud` get `:aud` from
 * `aud` (STS's `azp` rule is documented for Google only).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fromTokenFile } from "@aws-sdk/credential-providers";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { createValidatedPolicy, validateTrustPolicy, type ValidatedPolicy } from "@cloud-copilot/iam-policy";
import type { JWTPayload } from "jose";
import type { PlanDocument, PlanResource } from "../verify/model";
import type { SandboxNetwork } from "./network";
import { peek, TokenCheckError, verifyOidcToken } from "./oidc";
import type { Emulator, ExchangeOutcome } from "./types";

const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
const WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity";
const TAG_SESSION_ACTION = "sts:TagSession";
/** The claim that carries session tags (IAM user guide, "Passing session tags using AssumeRoleWithWebIdentity"). */
const TAGS_CLAIM = "https://aws.amazon.com/tags";
/** IAM accepts a JWT up to five minutes after its `exp` (IAM user guide, OIDC federation). */
const CLOCK_SKEW_SECONDS = 300;
const DEFAULT_DURATION_SECONDS = 3600;
/** The session name the sandbox's workload passes (a user sets AWS_ROLE_SESSION_NAME, docs/credentials.md). */
const SESSION_NAME = "okta-federation-sandbox";

const NOT_AUTHORIZED = `Not authorized to perform ${WEB_IDENTITY_ACTION}`;
const KEYS_UNAVAILABLE = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

/** An STS error: its query-protocol code, HTTP status and message. */
class StsError extends Error {
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

interface IamOidcProvider {
  readonly arn: string;
  readonly account: string;
  /** The issuer URL it stands for (`https://…`), which the token's `iss` must equal. */
  readonly url: string;
  /** The URL without its scheme: the ARN's suffix and the condition keys' prefix. */
  readonly hostPath: string;
  /** Undefined when the plan does not know them (a provider adopted by ARN). */
  readonly clientIds: readonly string[] | undefined;
}

interface IamRole {
  readonly arn: string;
  readonly account: string;
  readonly name: string;
  readonly uniqueId: string;
  readonly maxSessionDuration: number;
  /** The trust policy as iam-simulate takes it; undefined when it does not parse or validate (IAM would refuse it at deploy). */
  readonly trust: ValidatedPolicy<{ name: string }> | undefined;
}

const byType = (plan: PlanDocument, type: string) => plan.resources.filter((r) => r.type === type);
const value = (r: PlanResource, key: string): unknown => r.inputs[key] ?? r.afterDeploy?.[key] ?? (key === "id" ? r.id : undefined);

const IAM_ARN = /^arn:aws:iam::(\d{12}):(role|oidc-provider)\/(.+)$/;

function accountOf(arn: unknown): string | undefined {
  return typeof arn === "string" ? IAM_ARN.exec(arn)?.[1] : undefined;
}

/** Every string under `key` anywhere in the stack outputs (`services.*.aws.roleArn`, or under `federations`). */
function outputStrings(outputs: unknown, key: string): string[] {
  if (!outputs || typeof outputs !== "object") return [];
  return Object.entries(outputs as Record<string, unknown>).flatMap(([k, v]) => (k === key && typeof v === "string" ? [v] : outputStrings(v, key)));
}

function parsePolicy(document: unknown): any {
  if (typeof document !== "string") return document;
  try {
    return JSON.parse(document);
  } catch {
    return undefined;
  }
}

/** The ARNs a trust policy names as `Principal.Federated`. */
function federatedPrincipals(policy: any): string[] {
  const statements = Array.isArray(policy?.Statement) ? policy.Statement : policy?.Statement ? [policy.Statement] : [];
  return statements.flatMap((s: any) => {
    const federated = s?.Principal?.Federated;
    return (Array.isArray(federated) ? federated : [federated]).filter((f: unknown): f is string => typeof f === "string");
  });
}

/** The IAM OIDC providers of the plan. The account comes from the provider's own ARN, else from a trust policy naming its URL. */
function providersOf(plan: PlanDocument, roles: readonly PlanResource[]): IamOidcProvider[] {
  const trustedArns = roles.flatMap((r) => federatedPrincipals(parsePolicy(r.inputs.assumeRolePolicy)));
  return byType(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").flatMap((r) => {
    const ownArn = [r.afterDeploy?.arn, r.id, r.outputs?.arn].find((a) => accountOf(a));
    const url = typeof r.inputs.url === "string" ? r.inputs.url : typeof ownArn === "string" ? `https://${IAM_ARN.exec(ownArn)![3]}` : undefined;
    if (!url) return [];
    const hostPath = url.replace(/^https:\/\//, "");
    const account = accountOf(ownArn) ?? accountOf(trustedArns.find((a) => a.endsWith(`:oidc-provider/${hostPath}`)));
    if (!account) return [];
    const clientIds = value(r, "clientIdLists");
    return [{ arn: `arn:aws:iam::${account}:oidc-provider/${hostPath}`, account, url: `https://${hostPath}`, hostPath, clientIds: Array.isArray(clientIds) ? clientIds.map(String) : undefined }];
  });
}

/** A role's ARN as IAM forms it: `arn:aws:iam::<account>:role<path><name>`. */
function roleArnOf(r: PlanResource, name: string, policy: any, outputRoleArns: readonly string[]): string | undefined {
  const path = typeof r.inputs.path === "string" ? r.inputs.path : "/";
  const account = federatedPrincipals(policy).map(accountOf).find(Boolean);
  if (account) return `arn:aws:iam::${account}:role${path}${name}`;
  return outputRoleArns.find((arn) => arn.endsWith(`/${name}`));
}

function rolesOf(plan: PlanDocument, roles: readonly PlanResource[]): IamRole[] {
  const outputRoleArns = outputStrings(plan.outputs, "roleArn");
  return roles.flatMap((r) => {
    const name = String(value(r, "name") ?? r.name);
    const policy = parsePolicy(r.inputs.assumeRolePolicy);
    const arn = roleArnOf(r, name, policy, outputRoleArns);
    if (!arn) return [];
    const uniqueId = value(r, "uniqueId");
    const validated = policy === undefined ? undefined : createValidatedPolicy(policy, validateTrustPolicy, { name: `${name} trust policy` });
    return [
      {
        arn,
        account: accountOf(arn)!,
        name,
        // A role id the plan left unknown still needs the AROA shape (21 characters).
        uniqueId: typeof uniqueId === "string" && /^AROA[A-Z0-9]+$/.test(uniqueId) ? uniqueId : `AROA${randomId(17)}`,
        maxSessionDuration: Number(value(r, "maxSessionDuration") ?? DEFAULT_DURATION_SECONDS),
        trust: validated && validated.errors.length === 0 ? validated : undefined,
      },
    ];
  });
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function randomId(length: number): string {
  return Array.from(randomBytes(length), (b) => BASE32[b % 32]).join("");
}

/** Element text only (the sandbox writes no attribute from input): quotes stay as they are, as STS writes them. */
function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

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

interface Assumed {
  readonly role: IamRole;
  readonly provider: IamOidcProvider;
  readonly subject: string;
  readonly audience: string;
  readonly session: string;
  readonly durationSeconds: number;
}

/** STS's decision for one request; throws the StsError STS would answer. */
async function decide(params: URLSearchParams, providers: readonly IamOidcProvider[], roles: readonly IamRole[], fetchFn: typeof fetch): Promise<Assumed> {
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

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function successXml(a: Assumed, requestId: string): string {
  const expiration = new Date(Date.now() + a.durationSeconds * 1000);
  // Real session tokens are opaque base64 that starts with this prefix; the length is not fixed.
  const sessionToken = `IQoJb3JpZ2luX2Vj${randomBytes(300).toString("base64")}`;
  return [
    `<AssumeRoleWithWebIdentityResponse xmlns="${STS_NAMESPACE}">`,
    "  <AssumeRoleWithWebIdentityResult>",
    `    <SubjectFromWebIdentityToken>${escapeXml(a.subject)}</SubjectFromWebIdentityToken>`,
    `    <Audience>${escapeXml(a.audience)}</Audience>`,
    "    <AssumedRoleUser>",
    `      <Arn>arn:aws:sts::${a.role.account}:assumed-role/${escapeXml(a.role.name)}/${escapeXml(a.session)}</Arn>`,
    `      <AssumedRoleId>${a.role.uniqueId}:${escapeXml(a.session)}</AssumedRoleId>`,
    "    </AssumedRoleUser>",
    "    <Credentials>",
    `      <AccessKeyId>ASIA${randomId(16)}</AccessKeyId>`,
    `      <SecretAccessKey>${randomBytes(30).toString("base64")}</SecretAccessKey>`,
    `      <SessionToken>${sessionToken}</SessionToken>`,
    `      <Expiration>${isoSeconds(expiration)}</Expiration>`,
    "    </Credentials>",
    `    <Provider>${escapeXml(a.provider.arn)}</Provider>`,
    "  </AssumeRoleWithWebIdentityResult>",
    `  <ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`,
    "</AssumeRoleWithWebIdentityResponse>",
  ].join("\n");
}

function errorXml(error: StsError, requestId: string): string {
  return [
    `<ErrorResponse xmlns="${STS_NAMESPACE}">`,
    `  <Error><Type>Sender</Type><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error>`,
    `  <RequestId>${requestId}</RequestId>`,
    "</ErrorResponse>",
  ].join("\n");
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, requestId: string, xml: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "text/xml");
  res.setHeader("x-amzn-requestid", requestId);
  res.end(xml);
}

/** Starts the STS emulator for the (materialized) plan's IAM OIDC providers and roles. */
export async function startAwsSts(plan: PlanDocument, network: SandboxNetwork): Promise<Emulator> {
  const roleResources = byType(plan, "aws:iam/role:Role");
  const providers = providersOf(plan, roleResources);
  const roles = rolesOf(plan, roleResources);
  const server = await network.listen((req, res) => {
    const requestId = randomUUID();
    void (async () => {
      // The query protocol: parameters in the form body (POST) or the query string (GET).
      const params = new URLSearchParams(new URL(req.url ?? "/", "http://sts").search);
      for (const [k, v] of new URLSearchParams(await readBody(req))) params.set(k, v);
      const assumed = await decide(params, providers, roles, network.fetch);
      send(res, 200, requestId, successXml(assumed, requestId));
    })().catch((error: unknown) => {
      const stsError = error instanceof StsError ? error : new StsError(500, "InternalFailure", `sandbox STS failed: ${(error as Error).message}`);
      send(res, stsError.status, requestId, errorXml(stsError, requestId));
    });
  });
  return { url: server.url };
}

/**
 * The workload as a user runs it: the SDK's web-identity provider reads the token file and calls
 * AssumeRoleWithWebIdentity at `sts.url` (its `clientConfig.endpoint` reaches the nested STS client).
 */
export async function awsWorkload(args: { roleArn: string; tokenFile: string; sts: Emulator; region?: string }): Promise<ExchangeOutcome> {
  const provider = fromTokenFile({
    roleArn: args.roleArn,
    webIdentityTokenFile: args.tokenFile,
    roleSessionName: SESSION_NAME,
    clientConfig: { endpoint: args.sts.url, region: args.region ?? "us-east-1" },
  });
  try {
    const credentials = await provider();
    const expires = credentials.expiration ? credentials.expiration.toISOString() : "never";
    return { ok: true, detail: `credentials for ${args.roleArn} (${credentials.accessKeyId.slice(0, 8)}…, expires ${expires})` };
  } catch (error) {
    return { ok: false, code: errorCode(error), message: (error as Error).message };
  }
}

/** The STS error code as the wire carried it (the SDK names modeled errors `…Exception`). */
function errorCode(error: unknown): string {
  const e = error as { name?: string; Code?: string; Error?: { Code?: string } };
  return e.Error?.Code ?? e.Code ?? e.name ?? "Error";
}
