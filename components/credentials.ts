/**
 * Workload credentials: what a running service needs, per cloud, to turn its Okta access token into
 * cloud credentials with the cloud's own client library. Pure functions (no Pulumi, no I/O): they
 * take values from the stack outputs ({@link FederationOutputsV1}) and return the artifact.
 *
 * | Cloud | Artifact | Read by |
 * |---|---|---|
 * | GCP | `external_account` credential config (JSON file, `GOOGLE_APPLICATION_CREDENTIALS`) | google-auth-library `ExternalAccountClient` / ADC |
 * | AWS | `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`, or a shared-config profile | AWS SDKs' web identity provider |
 * | Azure | `AZURE_CLIENT_ID` + `AZURE_TENANT_ID` + `AZURE_FEDERATED_TOKEN_FILE` | `@azure/identity` `WorkloadIdentityCredential` |
 *
 * The token file holds the raw access token, without a trailing newline: the AWS SDK for
 * JavaScript reads it verbatim (`@aws-sdk/credential-provider-web-identity`, `fromTokenFile`:
 * `readFileSync(file, { encoding: "ascii" })`, no trim), as does google-auth-library's file source
 * (`FileSubjectTokenSupplier`, text format).
 *
 * The formats are taken from Google's AIP-4117 (aip-dev/google.aip.dev `aip/auth/4117.md`, the
 * external_account credential config), @azure/identity's WorkloadIdentityCredential
 * (`dist/commonjs/credentials/workloadIdentityCredential.js`: AZURE_CLIENT_ID, AZURE_TENANT_ID,
 * AZURE_FEDERATED_TOKEN_FILE) and the client libraries' own code, cited where used.
 *
 * @see ./outputs.ts for where the inputs come from.
 */
import { LIMITS } from "./internal/limits";
import { isPlaceholder } from "./internal/placeholder";

/** A value or a combination that no client library would accept; `message` is for humans. */
export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CredentialsError";
  }
}

/**
 * Where the workload keeps its Okta access token unless told otherwise (the token fetcher's
 * `--token-file`/`OKTA_TOKEN_FILE` and every artifact's `tokenFile` override it). Modelled on the
 * Kubernetes projected service-account token paths under `/var/run/secrets/`.
 */
export const DEFAULT_TOKEN_FILE = "/var/run/secrets/okta/token";

// ---------------------------------------------------------------------------------------------
// Okta: the client-credentials request with private_key_jwt (client assertion: Okta's OIDC API reference, okta-developer-docs docs/reference/api/oidc/index.md, client authentication with private_key_jwt; terraform-provider-okta docs/resources/app_oauth.md)
// ---------------------------------------------------------------------------------------------

/** `client_assertion_type` for a JWT client assertion (RFC 7523 §2.2; Okta's OIDC API reference). */
export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** The signing algorithm the fetcher uses for client assertions. Okta accepts RS/ES 256/384/512 (OIDC API reference; app_oauth.md). */
export const CLIENT_ASSERTION_ALG = "RS256";

/**
 * Lifetime of a client assertion, seconds. Okta allows `exp` up to 1 h ahead (OIDC API reference); the assertion
 * is used once, right away, so 5 minutes is plenty and limits the damage of a leaked one.
 */
export const CLIENT_ASSERTION_LIFETIME_SECONDS = 300;

/**
 * The token endpoint of a custom authorization server: `<issuer>/v1/token` (the issuer is
 * `https://{domain}/oauth2/{id}`; service apps request tokens at `/oauth2/{id}/v1/token`: Okta's
 * OIDC API reference and terraform-provider-okta docs/resources/app_oauth.md; docs/sources.md).
 * The stack outputs carry the same value as `okta.tokenEndpoint`.
 */
export function oktaTokenEndpoint(issuer: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new CredentialsError(`invalid issuer "${issuer}": not a URL`);
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new CredentialsError(`invalid issuer "${issuer}": must be https (http only for a local test server on 127.0.0.1 or localhost)`);
  }
  if (url.search || url.hash) throw new CredentialsError(`invalid issuer "${issuer}": no query or fragment allowed`);
  return `${issuer.replace(/\/+$/, "")}/v1/token`;
}

/** Claims of a client assertion: `iss` = `sub` = client id, `aud` = token endpoint URL, a unique `jti` (Okta's OIDC API reference). */
export interface ClientAssertionClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

/**
 * The claims of a `private_key_jwt` client assertion (Okta's OIDC API reference, client
 * authentication: `iss` = `sub` = client_id; `aud` = token endpoint URL; `exp` ≤ 1 h ahead; `jti` single-use).
 *
 * @param nowSeconds current time, unix seconds
 * @param jti a value never used before for this client (e.g. `crypto.randomUUID()`)
 */
export function clientAssertionClaims(args: {
  readonly clientId: string;
  readonly tokenEndpoint: string;
  readonly nowSeconds: number;
  readonly jti: string;
  readonly lifetimeSeconds?: number;
}): ClientAssertionClaims {
  if (!args.clientId) throw new CredentialsError("client id is empty");
  if (!args.jti) throw new CredentialsError("jti is empty");
  const lifetime = args.lifetimeSeconds ?? CLIENT_ASSERTION_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > CLIENT_ASSERTION_LIFETIME_SECONDS) {
    throw new CredentialsError(`client assertion lifetime must be 1-${CLIENT_ASSERTION_LIFETIME_SECONDS} seconds, got ${lifetime}`);
  }
  const iat = Math.floor(args.nowSeconds);
  return { iss: args.clientId, sub: args.clientId, aud: args.tokenEndpoint, iat, exp: iat + lifetime, jti: args.jti };
}

/**
 * Normalises requested scopes: split on spaces and commas, deduplicated, in order. Okta needs at
 * least one custom scope for client credentials at a custom authorization server
 * (developer.okta.com/docs/guides/implement-client-creds/; terraform-provider-okta
 * docs/resources/app_oauth.md), and the `scope` parameter is at most 1024 characters (Okta's
 * authorization servers and OIDC API references).
 */
export function normalizeScopes(scopes: string | readonly string[]): string[] {
  const list = (typeof scopes === "string" ? [scopes] : scopes).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
  const unique = [...new Set(list)];
  if (unique.length === 0) throw new CredentialsError("no scopes: Okta issues client-credentials tokens only for at least one custom scope");
  const joined = unique.join(" ");
  if (joined.length > LIMITS.okta.scopeParameterMaxLength) {
    throw new CredentialsError(`scope parameter is ${joined.length} characters; Okta allows at most ${LIMITS.okta.scopeParameterMaxLength}`);
  }
  for (const s of unique) {
    if (/["\\]/.test(s) || !/^[\x21-\x7e]+$/.test(s)) throw new CredentialsError(`invalid scope "${s}": printable ASCII without space, '"' or '\\'`);
  }
  return unique;
}

/**
 * The form body of the token request (`application/x-www-form-urlencoded`): client credentials,
 * authenticated by the signed client assertion instead of a secret (RFC 6749 §4.4, RFC 7523 §2.2).
 */
export function tokenRequestBody(args: { readonly scopes: readonly string[]; readonly clientAssertion: string }): string {
  return new URLSearchParams({
    grant_type: "client_credentials",
    scope: normalizeScopes(args.scopes).join(" "),
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: args.clientAssertion,
  }).toString();
}

// ---------------------------------------------------------------------------------------------
// GCP: external_account credential config (AIP-4117, google.aip.dev/auth/4117; google-auth-library
// build/src/auth/{externalclient,identitypoolclient,pluggable-auth-client,executable-response}.js)
// ---------------------------------------------------------------------------------------------

export const GCP_STS_TOKEN_URL = "https://sts.googleapis.com/v1/token";
/** The subject token type of an OIDC JWT (an Okta access token is a JWT). */
export const GCP_JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";
/**
 * google-auth-library refuses to run an executable source unless this variable is `1`
 * (`PluggableAuthClient.retrieveSubjectToken`).
 */
export const GCP_ALLOW_EXECUTABLES_ENV = "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES";
/** Executable timeout bounds and default, milliseconds (`pluggable-auth-client.js`: 5 s-120 s, default 30 s). */
export const GCP_EXECUTABLE_TIMEOUT_MILLIS = { min: 5_000, max: 120_000, default: 30_000 } as const;

const GCP_PROVIDER_NAME = /^projects\/[^/\s]+\/locations\/global\/workloadIdentityPools\/[^/\s]+\/providers\/[^/\s]+$/;
const GCP_AUDIENCE_PREFIX = "//iam.googleapis.com/";

/** The `external_account` credential config as google-auth-library reads it. */
export interface GcpExternalAccountConfig {
  readonly type: "external_account";
  readonly audience: string;
  readonly subject_token_type: typeof GCP_JWT_TOKEN_TYPE;
  readonly token_url: typeof GCP_STS_TOKEN_URL;
  readonly service_account_impersonation_url?: string;
  readonly credential_source:
    | { readonly file: string; readonly format: { readonly type: "text" } }
    | { readonly executable: { readonly command: string; readonly timeout_millis: number; readonly output_file?: string } };
}

/** A command the client library runs to get the subject token (an executable-sourced credential). */
export interface GcpExecutableSource {
  /** Full command line; google-auth-library splits it on spaces, keeping "double-quoted" parts together. */
  readonly command: string;
  /** Default 30000; 5000-120000. */
  readonly timeoutMillis?: number;
  /** Where the executable caches its response; the library reads it before running the command. */
  readonly outputFile?: string;
}

/**
 * The GCP `external_account` credential config for a workload (AIP-4117): STS exchanges
 * the Okta token (the subject token) for a federated token, and, with `serviceAccountEmail`,
 * impersonates that service account.
 *
 * The subject token comes from a file (default; the token fetcher keeps it fresh) or from an
 * executable (`executable`, e.g. `okta-federation token --gcp-executable`), which
 * google-auth-library runs only when `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1`.
 *
 * @param args.workloadIdentityProvider the provider's full resource name
 *   `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<id>`, as in the stack
 *   output `services.<key>.gcp.workloadIdentityProvider` (an `//iam.googleapis.com/` prefix is accepted)
 * @param args.serviceAccountEmail the impersonated account (`services.<key>.gcp.serviceAccountEmail`);
 *   omit for direct grants to the federated principal
 * @param args.tokenFile the file source (default {@link DEFAULT_TOKEN_FILE}); exclusive with `executable`
 */
export function gcpExternalAccount(args: {
  readonly workloadIdentityProvider: string;
  readonly serviceAccountEmail?: string;
  readonly tokenFile?: string;
  readonly executable?: GcpExecutableSource;
}): GcpExternalAccountConfig {
  const provider = args.workloadIdentityProvider.startsWith(GCP_AUDIENCE_PREFIX)
    ? args.workloadIdentityProvider.slice(GCP_AUDIENCE_PREFIX.length)
    : args.workloadIdentityProvider;
  if (!GCP_PROVIDER_NAME.test(provider)) {
    throw new CredentialsError(
      `invalid workload identity provider "${args.workloadIdentityProvider}": expected projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<id>`,
    );
  }
  if (args.tokenFile !== undefined && args.executable !== undefined) {
    throw new CredentialsError("a credential source is either a token file or an executable, not both");
  }
  let credentialSource: GcpExternalAccountConfig["credential_source"];
  if (args.executable) {
    const { command, timeoutMillis = GCP_EXECUTABLE_TIMEOUT_MILLIS.default, outputFile } = args.executable;
    if (!command.trim()) throw new CredentialsError("executable command is empty");
    const { min, max } = GCP_EXECUTABLE_TIMEOUT_MILLIS;
    if (!Number.isInteger(timeoutMillis) || timeoutMillis < min || timeoutMillis > max) {
      throw new CredentialsError(`executable timeout must be ${min}-${max} ms, got ${timeoutMillis}`);
    }
    credentialSource = { executable: { command, timeout_millis: timeoutMillis, ...(outputFile ? { output_file: outputFile } : {}) } };
  } else {
    credentialSource = { file: nonEmptyPath(args.tokenFile ?? DEFAULT_TOKEN_FILE), format: { type: "text" } };
  }
  const email = args.serviceAccountEmail;
  if (email !== undefined && !/^[^\s@/:]+@[^\s@/:]+$/.test(email) && !isPlaceholder(email)) throw new CredentialsError(`invalid service account email "${email}"`);
  return {
    type: "external_account",
    audience: `${GCP_AUDIENCE_PREFIX}${provider}`,
    subject_token_type: GCP_JWT_TOKEN_TYPE,
    token_url: GCP_STS_TOKEN_URL,
    ...(email ? { service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${email}:generateAccessToken` } : {}),
    credential_source: credentialSource,
  };
}

/** A successful response of an executable source (google-auth-library `executable-response.js`, version 1). */
export interface GcpExecutableResponse {
  readonly version: 1;
  readonly success: true;
  readonly token_type: typeof GCP_JWT_TOKEN_TYPE;
  readonly id_token: string;
  /** Unix seconds; the library treats a response past it as expired. */
  readonly expiration_time: number;
}

/** What the token fetcher prints with `--gcp-executable`. */
export function gcpExecutableResponse(token: string, expiresAtSeconds: number): GcpExecutableResponse {
  return { version: 1, success: true, token_type: GCP_JWT_TOKEN_TYPE, id_token: token, expiration_time: Math.floor(expiresAtSeconds) };
}

/** A failed response of an executable source: the library raises `code` and `message` (both required). */
export function gcpExecutableError(code: string, message: string): { version: 1; success: false; code: string; message: string } {
  return { version: 1, success: false, code, message };
}

// ---------------------------------------------------------------------------------------------
// AWS: web identity (@aws-sdk/credential-provider-web-identity fromTokenFile; credential-provider-ini
// isWebIdentityProfile: role_arn + web_identity_token_file + optional role_session_name)
// ---------------------------------------------------------------------------------------------

/** Environment for the AWS SDKs' web identity provider (read by `fromTokenFile` and the default chain). */
export interface AwsWebIdentityEnv {
  readonly AWS_ROLE_ARN: string;
  readonly AWS_WEB_IDENTITY_TOKEN_FILE: string;
  readonly AWS_ROLE_SESSION_NAME?: string;
}

/**
 * The role session name, as STS's RoleSessionName: 2-64 characters of `[\w+=,.@-]` (IAM quotas,
 * docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: session name ≤ 64; the
 * character set and minimum: STS API reference, AssumeRoleWithWebIdentity).
 */
function checkSessionName(name: string | undefined): void {
  if (name !== undefined && !/^[\w+=,.@-]{2,64}$/.test(name)) {
    throw new CredentialsError(`invalid role session name "${name}": 2-64 characters of letters, digits and _+=,.@-`);
  }
}

/**
 * Environment variables for a workload assuming `roleArn` with the Okta token in `tokenFile`
 * (`services.<key>.aws.roleArn`). Without a session name the SDK picks `aws-sdk-js-session-<ms>`.
 */
export function awsEnvironment(args: { readonly roleArn: string; readonly tokenFile?: string; readonly sessionName?: string }): AwsWebIdentityEnv {
  checkRoleArn(args.roleArn);
  checkSessionName(args.sessionName);
  return {
    AWS_ROLE_ARN: args.roleArn,
    AWS_WEB_IDENTITY_TOKEN_FILE: nonEmptyPath(args.tokenFile ?? DEFAULT_TOKEN_FILE),
    ...(args.sessionName ? { AWS_ROLE_SESSION_NAME: args.sessionName } : {}),
  };
}

/**
 * A shared-config profile (`~/.aws/config`) with the same web identity settings, for tools that
 * select credentials by `AWS_PROFILE`. `default` is written as `[default]`, others as `[profile <name>]`.
 * Values may not contain a newline or " #"/" ;" (the SDKs' INI parser starts a comment there).
 */
export function awsProfile(args: {
  readonly profile: string;
  readonly roleArn: string;
  readonly tokenFile?: string;
  readonly region?: string;
  readonly sessionName?: string;
}): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$/.test(args.profile)) {
    throw new CredentialsError(`invalid profile name "${args.profile}": up to 64 characters of letters, digits and _.@+-`);
  }
  const env = awsEnvironment(args);
  if (args.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(args.region)) throw new CredentialsError(`invalid AWS region "${args.region}"`);
  const entries: [string, string | undefined][] = [
    ["role_arn", env.AWS_ROLE_ARN],
    ["web_identity_token_file", env.AWS_WEB_IDENTITY_TOKEN_FILE],
    ["role_session_name", env.AWS_ROLE_SESSION_NAME],
    ["region", args.region],
  ];
  const lines = [args.profile === "default" ? "[default]" : `[profile ${args.profile}]`];
  for (const [key, value] of entries) {
    if (value === undefined) continue;
    if (/[\r\n]/.test(value) || /\s[#;]/.test(value) || value !== value.trim()) {
      throw new CredentialsError(`${key} "${value}" cannot be written to an AWS config file (newline, comment marker or surrounding space)`);
    }
    lines.push(`${key} = ${value}`);
  }
  return `${lines.join("\n")}\n`;
}

function checkRoleArn(arn: string): void {
  // arn:<partition>:iam::<account>:role/<path/name>; placeholders of the offline plan are allowed in the name.
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/.test(arn)) throw new CredentialsError(`invalid role ARN "${arn}"`);
}

// ---------------------------------------------------------------------------------------------
// Azure: workload identity (@azure/identity 4.11.1 dist/commonjs/credentials/workloadIdentityCredential.js;
// WorkloadIdentityCredential reads AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE)
// ---------------------------------------------------------------------------------------------

/** Environment for `WorkloadIdentityCredential` (and `DefaultAzureCredential`). */
export interface AzureWorkloadIdentityEnv {
  readonly AZURE_CLIENT_ID: string;
  readonly AZURE_TENANT_ID: string;
  readonly AZURE_FEDERATED_TOKEN_FILE: string;
}

/**
 * Environment variables for a workload signing in as its user-assigned managed identity
 * (`services.<key>.azure.clientId`, `.tenantId`) with the Okta token as the client assertion.
 * The library re-reads the file at most every 5 minutes (`readFileContents`), trimming it.
 */
export function azureEnvironment(args: { readonly clientId: string; readonly tenantId: string; readonly tokenFile?: string }): AzureWorkloadIdentityEnv {
  if (!args.clientId.trim()) throw new CredentialsError("Azure client id is empty");
  // The same characters @azure/identity's checkTenantId allows; or an offline-plan placeholder.
  if (!/^[A-Za-z0-9.-]+$/.test(args.tenantId) && !isPlaceholder(args.tenantId)) throw new CredentialsError(`invalid Azure tenant id "${args.tenantId}"`);
  return { AZURE_CLIENT_ID: args.clientId, AZURE_TENANT_ID: args.tenantId, AZURE_FEDERATED_TOKEN_FILE: nonEmptyPath(args.tokenFile ?? DEFAULT_TOKEN_FILE) };
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

/** Quotes a value for POSIX sh: bare when only safe characters, else single-quoted (`'` as `'\''`). */
export function shellQuote(value: string): string {
  if (value !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Environment as `KEY=value` lines for `sh` (`set -a; . ./file; set +a`, or `export` each with
 * `{ export: true }`). Undefined values are skipped; keys must be valid variable names.
 */
export function formatEnv(env: Readonly<Record<string, string | undefined>>, options: { readonly export?: boolean } = {}): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new CredentialsError(`invalid environment variable name "${key}"`);
    if (/[\0\r\n]/.test(value)) throw new CredentialsError(`${key} contains a newline or NUL`);
    lines.push(`${options.export ? "export " : ""}${key}=${shellQuote(value)}`);
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}

/** JSON text with two-space indentation and a final newline (undefined members dropped). */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function nonEmptyPath(path: string): string {
  if (!path.trim()) throw new CredentialsError("token file path is empty");
  if (/[\0\r\n]/.test(path)) throw new CredentialsError("token file path contains a newline or NUL");
  return path;
}
