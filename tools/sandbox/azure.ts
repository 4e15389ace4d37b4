/**
 * The sandbox's Microsoft Entra ID, and the workload that asks it for a token as a user runs it.
 *
 * The emulator answers what MSAL (inside @azure/identity's WorkloadIdentityCredential) asks:
 * instance discovery (`GET /common/discovery/instance`), the tenant's OpenID configuration
 * (`GET /{tenant}/v2.0/.well-known/openid-configuration`) and the token request
 * (`POST /{tenant}/oauth2/v2.0/token`: grant_type=client_credentials, client_id = the managed
 * identity's client id, client_assertion = the Okta token, client_assertion_type jwt-bearer, scope).
 * It decides as Entra does for a user-assigned managed identity with federated identity credentials
 * (FICs), from the plan as deployed: the identities (`azure-native:managedidentity:UserAssignedIdentity`:
 * clientId, tenantId, principalId after deploy) and their FICs
 * (`azure-native:managedidentity:FederatedIdentityCredential`: issuer, subject, audiences, attached to
 * the identity named by resourceName in resourceGroupName). In this order:
 *
 * 0. The request: grant_type, client_id and scope present (else 400 invalid_request AADSTS900144
 *    "The request body must contain the following parameter: '<name>'.",
 *    https://github.com/MicrosoftDocs/azure-docs/issues/43780); grant_type client_credentials (else
 *    400 unsupported_grant_type AADSTS70003, UnsupportedGrantType in
 *    https://learn.microsoft.com/entra/identity-platform/reference-error-codes); a jwt-bearer
 *    client_assertion (else 401 invalid_client AADSTS7000216 "'client_assertion', 'client_secret' or
 *    'request' is required for the 'client_credentials' grant type.",
 *    https://github.com/stephaneey/azure-apim-extension/issues/138). The tenant must be a GUID (else
 *    400 invalid_tenant AADSTS90002 "Tenant '<t>' not found. …", https://github.com/Azure/azure-cli/issues/22145).
 * 1. The client id must be a managed identity of the tenant in the URL, else 400 unauthorized_client
 *    AADSTS700016 "Application with identifier '<id>' was not found in the directory '<tenant>'. This
 *    can happen if …" (text: https://github.com/MicrosoftDocs/azure-docs/issues/21690; listed for a
 *    missing identity in https://learn.microsoft.com/en-us/azure/devops/pipelines/release/troubleshoot-workload-identity;
 *    status and error as AKS's workload-identity troubleshooting notes quote the body).
 * 2. The assertion must be a JWT, else 401 invalid_client AADSTS50027 "JWT token is invalid or
 *    malformed." (InvalidJwtToken in reference-error-codes, above).
 * 3. A FIC of the identity must name the assertion's `iss`, compared exactly and case-sensitively
 *    (https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes#federated-identity-credentials-now-use-case-sensitive-matching;
 *    the issuer "must match the issuer claim of the external token",
 *    https://learn.microsoft.com/graph/api/resources/federatedidentitycredential). None → 401
 *    invalid_client AADSTS700211 "No matching federated identity record found for presented
 *    assertion issuer '<iss>'. …" (https://github.com/Azure/azure-workload-identity/issues/1350).
 *    An identity with no FIC at all → 401 invalid_client AADSTS70021 "No matching federated identity
 *    record found for presented assertion. Assertion Issuer: '…'. Assertion Subject: '…'. Assertion
 *    Audience: '…'. …" (https://github.com/external-secrets/external-secrets/issues/2783).
 *    Entra only fetches the keys of an issuer a FIC trusts, so this comes before the signature.
 * 4. The assertion must verify against that issuer's published keys (discovery + JWKS, with
 *    verifyOidcToken): metadata not reachable → 400 invalid_request AADSTS90061 "Request to External
 *    OIDC endpoint failed." (https://github.com/Azure/azure-workload-identity/issues/605); the header's
 *    `kid` not among the keys → 401 invalid_client AADSTS7000272 "The certificate with identifier
 *    <kid> used to sign the federated credential could not be found in the metadata of identity
 *    provider <iss>. …" (https://github.com/Azure/azure-workload-identity/issues/1232); a signature
 *    that does not verify with that key → 401 invalid_client AADSTS50027 (InvalidJwtToken lists
 *    "External ID token from issuer failed signature verification"); `exp` past → 401 invalid_client
 *    AADSTS700024 "Client assertion is not within its valid time range. Current time: …, assertion
 *    valid from …, expiry time of assertion …. Review the documentation at …" (listed in
 *    troubleshoot-workload-identity above; the body as AKS's troubleshooting notes quote it).
 * 5. Among the FICs with that issuer, one must have `subject` == `sub` exactly, else 401
 *    invalid_client AADSTS700213 "No matching federated identity record found for presented
 *    assertion subject '<sub>'. Check your federated identity credential Subject, Audience and
 *    Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
 *    (this 2025 wording: https://github.com/dotnet/maui/pull/31978; https://github.com/Azure/login/issues/482).
 * 6. Among those, one must list the token's `aud` in `audiences`, else 401 invalid_client
 *    AADSTS700212 "No matching federated identity record found for presented assertion audience
 *    '<aud>'. …" (the same family; the Microsoft Graph FIC reference: audiences "says what Microsoft
 *    identity platform should accept in the aud claim in the incoming token").
 *
 * Errors have Entra's body: { error, error_description ("AADSTSnnn: … Trace ID: … Correlation ID: …
 * Timestamp: …"), error_codes, timestamp, trace_id, correlation_id, error_uri }, as the sample in
 * reference-error-codes shows; the correlation id is the `client-request-id` MSAL sends. Success is
 * { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token }, the access token a
 * JWT signed by the emulator with the claims of an app-only token for the identity (aud = the scope's
 * resource, iss = https://sts.windows.net/<tenant>/, oid/sub = principalId, appid = clientId, tid,
 * idtyp app, xms_mirid = the identity's ARM id).
 *
 * Not emulated: Entra's internal order between signature, subject and audience checks (undocumented;
 * the order above is the emulator's choice: a token that does not verify is refused before its claims
 * are compared); the older wording of the same codes ("Please check your …", docs.microsoft.com link);
 * claims-matching expressions (flexible FICs, AADSTS7002131); the delay before a new FIC applies;
 * scope/resource validation and RBAC (any `<resource>/.default` gets a token; role assignments are not
 * read); directory display names (the messages name the directory by its tenant id); whether a tenant
 * exists (every GUID is a tenant, holding the plan's identities that name it); token caching,
 * throttling and Entra's own key rollover.
 */
import { randomUUID, type KeyObject } from "node:crypto";
import { sandboxKeyPair } from "./keys";
import type { IncomingMessage, ServerResponse } from "node:http";
import { SignJWT, exportJWK, type JWTPayload } from "jose";
import { AuthenticationError, WorkloadIdentityCredential, type WorkloadIdentityCredentialOptions } from "@azure/identity";
import type { PlanDocument, PlanResource } from "../verify/model";
import type { SandboxNetwork } from "./network";
import { TokenCheckError, peek, verifyOidcToken } from "./oidc";
import type { Emulator, ExchangeOutcome } from "./types";

/** Entra's public cloud host: the authority MSAL is configured with (it requires https). */
const ENTRA_HOST = "login.microsoftonline.com";
const AUTHORITY = `https://${ENTRA_HOST}`;
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const WIF_DOC = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
const TOKEN_LIFETIME_SECONDS = 3599;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user-assigned managed identity as the plan deploys it. */
interface ManagedIdentity {
  readonly resource: string;
  readonly clientId: string;
  readonly tenantId: string;
  readonly principalId: string;
  /** ARM id (`/subscriptions/…/userAssignedIdentities/<name>`), for `xms_mirid`. */
  readonly armId: string;
  readonly credentials: readonly FederatedCredential[];
}

/** A federated identity credential on an identity. */
interface FederatedCredential {
  readonly name: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
}

/** An Entra error: its HTTP status, OAuth error and AADSTS code with the text before "Trace ID". */
interface EntraError {
  readonly status: 400 | 401;
  readonly error: string;
  readonly code: number;
  readonly text: string;
}

const byType = (plan: PlanDocument, type: string) => plan.resources.filter((r) => r.type === type);
const deployed = (r: PlanResource, key: string): string => String(r.afterDeploy?.[key] ?? r.inputs[key] ?? "");

/** The identities of the plan with their FICs, joined as ARM nests them (resource group + identity name). */
function directory(plan: PlanDocument): ManagedIdentity[] {
  const credentials = byType(plan, "azure-native:managedidentity:FederatedIdentityCredential");
  return byType(plan, "azure-native:managedidentity:UserAssignedIdentity").map((identity) => {
    const name = String(identity.inputs.resourceName ?? identity.afterDeploy?.name ?? identity.name);
    const group = String(identity.inputs.resourceGroupName ?? "");
    return {
      resource: identity.name,
      clientId: deployed(identity, "clientId"),
      tenantId: deployed(identity, "tenantId"),
      principalId: deployed(identity, "principalId"),
      armId: deployed(identity, "id"),
      credentials: credentials
        .filter((c) => c.inputs.resourceName === name && c.inputs.resourceGroupName === group)
        .map((c) => ({
          name: String(c.inputs.federatedIdentityCredentialResourceName ?? c.name),
          issuer: String(c.inputs.issuer ?? ""),
          subject: String(c.inputs.subject ?? ""),
          audiences: ((c.inputs.audiences as unknown[] | undefined) ?? []).map(String),
        })),
    };
  });
}

/** "2024-03-01 07:41:07Z", the timestamp format of Entra's error descriptions. */
function entraTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")}Z`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("cache-control", "no-store, no-cache");
  res.end(JSON.stringify(body));
}

/** Entra's error body; the correlation id is the caller's `client-request-id` when it sent one. */
function sendEntraError(res: ServerResponse, req: IncomingMessage, failure: EntraError): void {
  const traceId = randomUUID();
  const correlationId = String(req.headers["client-request-id"] ?? randomUUID());
  const timestamp = entraTimestamp(new Date());
  res.setHeader("x-ms-request-id", traceId);
  sendJson(res, failure.status, {
    error: failure.error,
    error_description: `AADSTS${failure.code}: ${failure.text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [failure.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${AUTHORITY}/error?code=${failure.code}`,
  });
}

const invalidClient = (code: number, text: string): EntraError => ({ status: 401, error: "invalid_client", code, text });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** The tenant's v2.0 OpenID configuration, with the fields MSAL reads (the endpoints stay on the real host). */
function openIdConfiguration(tenant: string): Record<string, unknown> {
  const base = `${AUTHORITY}/${tenant}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: "EU",
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
    rbac_url: "https://pas.windows.net",
  };
}

/** Instance discovery: the public cloud's aliases, and where the tenant's configuration is. */
function instanceDiscovery(url: URL): Record<string, unknown> {
  const authorize = url.searchParams.get("authorization_endpoint") ?? `${AUTHORITY}/common/oauth2/v2.0/authorize`;
  const tenant = new URL(authorize).pathname.split("/")[1] || "common";
  return {
    tenant_discovery_endpoint: `${AUTHORITY}/${tenant}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [
      { preferred_network: ENTRA_HOST, preferred_cache: "login.windows.net", aliases: [ENTRA_HOST, "login.windows.net", "login.microsoft.com", "sts.windows.net"] },
    ],
  };
}

/** Step 0: the parameters of a client-credentials request with a client assertion. */
function requestProblem(form: URLSearchParams): EntraError | undefined {
  for (const name of ["grant_type", "client_id", "scope"]) {
    if (!form.get(name)) return { status: 400, error: "invalid_request", code: 900144, text: `The request body must contain the following parameter: '${name}'.` };
  }
  if (form.get("grant_type") !== "client_credentials") {
    return { status: 400, error: "unsupported_grant_type", code: 70003, text: `The app requested an unsupported grant type '${form.get("grant_type")}'.` };
  }
  if (!form.get("client_assertion") || form.get("client_assertion_type") !== JWT_BEARER) {
    return invalidClient(7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
  }
  return undefined;
}

const audiencesOf = (payload: JWTPayload): string[] => (Array.isArray(payload.aud) ? payload.aud : payload.aud === undefined ? [] : [payload.aud]).map(String);
const isoTime = (seconds: unknown): string => (typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : "unknown");

/** Step 3: the FICs of the identity that trust the assertion's issuer (exact, case-sensitive). */
function credentialsForIssuer(identity: ManagedIdentity, payload: JWTPayload): FederatedCredential[] | EntraError {
  const iss = String(payload.iss ?? "");
  if (identity.credentials.length === 0) {
    return invalidClient(
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${iss}'. Assertion Subject: '${String(payload.sub ?? "")}'. Assertion Audience: '${audiencesOf(payload).join(",")}'. ${WIF_DOC}`,
    );
  }
  const trusting = identity.credentials.filter((c) => c.issuer === iss);
  if (trusting.length === 0) {
    return invalidClient(700211, `No matching federated identity record found for presented assertion issuer '${iss}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${WIF_DOC}`);
  }
  return trusting;
}

/** Step 4: the assertion against its issuer's published keys and the clock. */
async function verifyAssertion(assertion: string, network: SandboxNetwork): Promise<JWTPayload | EntraError> {
  try {
    return await verifyOidcToken(assertion, network.fetch);
  } catch (error) {
    if (!(error instanceof TokenCheckError)) throw error;
    const { header, payload } = peek(assertion);
    switch (error.reason) {
      case "issuer":
        return { status: 400, error: "invalid_request", code: 90061, text: "Request to External OIDC endpoint failed." };
      case "expired":
        return invalidClient(
          700024,
          `Client assertion is not within its valid time range. Current time: ${new Date().toISOString()}, assertion valid from ${isoTime(payload.nbf ?? payload.iat)}, expiry time of assertion ${isoTime(payload.exp)}. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .`,
        );
      case "malformed":
        return invalidClient(50027, "JWT token is invalid or malformed.");
      case "signature":
        if (!(await issuerPublishesKey(String(payload.iss), String(header.kid), network))) {
          return invalidClient(
            7000272,
            `The certificate with identifier ${String(header.kid)} used to sign the federated credential could not be found in the metadata of identity provider ${String(payload.iss)}. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.`,
          );
        }
        return invalidClient(50027, "JWT token is invalid or malformed.");
    }
  }
}

/** Whether the issuer's JWKS holds the key `kid` (tells an unknown key from a bad signature). */
async function issuerPublishesKey(issuer: string, kid: string, network: SandboxNetwork): Promise<boolean> {
  try {
    const discovery = (await (await network.fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { jwks_uri?: string };
    const keys = (await (await network.fetch(String(discovery.jwks_uri))).json()) as { keys?: Array<{ kid?: string }> };
    return (keys.keys ?? []).some((k) => k.kid === kid);
  } catch {
    return false;
  }
}

/** Steps 5 and 6: a FIC of the issuer whose subject, then audience, matches exactly. */
function matchCredential(trusting: readonly FederatedCredential[], claims: JWTPayload): FederatedCredential | EntraError {
  const sub = String(claims.sub ?? "");
  const forSubject = trusting.filter((c) => c.subject === sub);
  if (forSubject.length === 0) {
    return invalidClient(700213, `No matching federated identity record found for presented assertion subject '${sub}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${WIF_DOC}`);
  }
  const auds = audiencesOf(claims);
  const match = forSubject.find((c) => c.audiences.some((a) => auds.includes(a)));
  if (!match) {
    return invalidClient(700212, `No matching federated identity record found for presented assertion audience '${auds.join(",")}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${WIF_DOC}`);
  }
  return match;
}

const isError = (value: unknown): value is EntraError => typeof value === "object" && value !== null && "code" in value && "status" in value;

/** The resource a `<resource>/.default` scope names (`https://management.azure.com`). */
function resourceOf(scope: string): string {
  const dflt = scope.split(" ").find((s) => s.endsWith("/.default")) ?? scope.split(" ")[0] ?? "";
  return dflt.replace(/\/\.default$/, "");
}

/** An app-only access token for the identity, shaped as Entra's v1 tokens for Azure resources. */
async function accessToken(identity: ManagedIdentity, scope: string, key: KeyObject, kid: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    aud: resourceOf(scope),
    iss: `https://sts.windows.net/${identity.tenantId}/`,
    iat: now,
    nbf: now,
    exp: now + TOKEN_LIFETIME_SECONDS,
    aio: randomUUID(),
    appid: identity.clientId,
    appidacr: "2",
    idp: `https://sts.windows.net/${identity.tenantId}/`,
    idtyp: "app",
    oid: identity.principalId,
    sub: identity.principalId,
    tid: identity.tenantId,
    uti: randomUUID().replace(/-/g, ""),
    ver: "1.0",
    xms_mirid: identity.armId,
  })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", kid })
    .sign(key);
}

/**
 * Starts Entra ID for the (materialized) plan's managed identities on the network. Its URL is a
 * loopback URL: the workload reaches it through its SDK's HTTP client (see {@link azureWorkload}),
 * since MSAL insists on the https authority.
 */
export async function startEntra(plan: PlanDocument, network: SandboxNetwork): Promise<Emulator> {
  const identities = directory(plan);
  const { privateKey, publicKey } = sandboxKeyPair("entra");
  const kid = `entra-sandbox-${randomUUID().slice(0, 8)}`;
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, use: "sig", kty: "RSA" }] };

  async function token(req: IncomingMessage, res: ServerResponse, tenant: string): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const problem = requestProblem(form);
    if (problem) return sendEntraError(res, req, problem);
    const clientId = String(form.get("client_id"));
    const identity = identities.find((i) => i.clientId === clientId && i.tenantId.toLowerCase() === tenant.toLowerCase());
    if (!identity) {
      return sendEntraError(res, req, {
        status: 400,
        error: "unauthorized_client",
        code: 700016,
        text: `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      });
    }
    const assertion = String(form.get("client_assertion"));
    let unverified: JWTPayload;
    try {
      unverified = peek(assertion).payload;
    } catch {
      return sendEntraError(res, req, invalidClient(50027, "JWT token is invalid or malformed."));
    }
    const trusting = credentialsForIssuer(identity, unverified);
    if (isError(trusting)) return sendEntraError(res, req, trusting);
    const claims = await verifyAssertion(assertion, network);
    if (isError(claims)) return sendEntraError(res, req, claims);
    const match = matchCredential(trusting, claims);
    if (isError(match)) return sendEntraError(res, req, match);
    sendJson(res, 200, {
      token_type: "Bearer",
      expires_in: TOKEN_LIFETIME_SECONDS,
      ext_expires_in: TOKEN_LIFETIME_SECONDS,
      access_token: await accessToken(identity, String(form.get("scope")), privateKey, kid),
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", AUTHORITY);
    const [tenant = "", ...rest] = url.pathname.split("/").filter(Boolean);
    const path = rest.join("/");
    if (req.method === "GET" && tenant === "common" && path === "discovery/instance") return sendJson(res, 200, instanceDiscovery(url));
    if (!GUID.test(tenant)) {
      return sendEntraError(res, req, {
        status: 400,
        error: "invalid_tenant",
        code: 90002,
        text: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      });
    }
    if (req.method === "GET" && path === "v2.0/.well-known/openid-configuration") return sendJson(res, 200, openIdConfiguration(tenant));
    if (req.method === "GET" && path === "discovery/v2.0/keys") return sendJson(res, 200, jwks);
    if (req.method === "POST" && path === "oauth2/v2.0/token") return token(req, res, tenant);
    sendJson(res, 404, { error: "not_found", error_description: `sandbox Entra: no ${req.method} ${url.pathname}` });
  }

  const server = await network.listen((req, res) => {
    handle(req, res).catch((error: unknown) => sendJson(res, 500, { error: "server_error", error_description: String(error) }));
  });
  return { url: server.url };
}

// ---------------------------------------------------------------------------------------------
// The workload.

type AzureHttpClient = NonNullable<WorkloadIdentityCredentialOptions["httpClient"]>;
type AzurePipelineResponse = Awaited<ReturnType<AzureHttpClient["sendRequest"]>>;
type AzurePipelineRequest = Parameters<AzureHttpClient["sendRequest"]>[0];

/** HttpHeaders (core-rest-pipeline's interface) over a case-insensitive map. */
export function pipelineHeaders(entries: Iterable<[string, string]>): AzurePipelineResponse["headers"] {
  const map = new Map<string, string>();
  for (const [name, value] of entries) map.set(name.toLowerCase(), value);
  return {
    get: (name: string) => map.get(name.toLowerCase()),
    has: (name: string) => map.has(name.toLowerCase()),
    set: (name: string, value: string | number) => void map.set(name.toLowerCase(), String(value)),
    delete: (name: string) => void map.delete(name.toLowerCase()),
    toJSON: () => Object.fromEntries(map),
    [Symbol.iterator]: () => map.entries(),
  } as AzurePipelineResponse["headers"];
}

/**
 * The SDK's HTTP client pointed at the sandbox's Entra. MSAL only accepts an https authority, and
 * the sandbox has no TLS, so the workload keeps the real authority (https://login.microsoftonline.com)
 * and this client, passed through the credential's own `httpClient` option (the injection point
 * core-rest-pipeline offers every Azure SDK client), sends each request for that host over plain
 * HTTP to the emulator, with the same path, query, method, headers and body: the SDK builds and reads
 * every request and response itself. Any other host is refused: the sandbox stays on loopback.
 */
function entraHttpClient(entra: Emulator): AzureHttpClient {
  return {
    async sendRequest(request: AzurePipelineRequest): Promise<AzurePipelineResponse> {
      const url = new URL(request.url);
      if (url.host !== ENTRA_HOST) throw new Error(`sandbox: refused to reach ${url.origin}: only ${AUTHORITY} is played by the sandbox`);
      const headers = new Headers();
      for (const [name, value] of request.headers) headers.set(name, value);
      const body = typeof request.body === "string" ? request.body : undefined;
      const response = await fetch(`${entra.url}${url.pathname}${url.search}`, {
        method: request.method,
        headers,
        body: request.method === "GET" || request.method === "HEAD" ? undefined : body,
        signal: request.abortSignal as AbortSignal | undefined,
      });
      return { request, status: response.status, headers: pipelineHeaders(response.headers.entries()), bodyAsText: await response.text() };
    },
  };
}

/**
 * The AADSTS code and Entra's description from an error of @azure/identity. For a client assertion
 * (4.13), MSAL's ServerError reaches the caller re-thrown as an AuthenticationRequiredError that keeps
 * only MSAL's message: "invalid_client: Error(s): 700213 - Timestamp: … - Description: AADSTS700213: …
 * - Correlation ID: … - Trace ID: …". Credentials that go through IdentityClient instead throw an
 * AuthenticationError whose `errorResponse` holds `errorCodes` and `errorDescription`: both are read.
 */
function aadstsError(error: unknown): { code: string; message: string } {
  if (error instanceof AuthenticationError) {
    const { errorCodes, errorDescription, error: oauthError } = error.errorResponse;
    const number = errorCodes?.[0];
    return { code: number !== undefined ? `AADSTS${number}` : (/AADSTS\d+/.exec(errorDescription)?.[0] ?? oauthError), message: errorDescription };
  }
  const text = error instanceof Error ? error.message : String(error);
  const description = / - Description: (.*?)(?: - Correlation ID: .*)?$/s.exec(text)?.[1] ?? text;
  const errorNumber = /Error\(s\): (\d+)/.exec(text)?.[1];
  const code = /AADSTS\d+/.exec(description)?.[0] ?? (errorNumber ? `AADSTS${errorNumber}` : undefined);
  return { code: code ?? (error instanceof Error ? error.name : "Error"), message: description };
}

/**
 * The workload as a user runs it: WorkloadIdentityCredential with the identity's client id, the
 * tenant and the token file, asking for an Azure Resource Manager token. A new credential per call:
 * the credential caches tokens per instance, and every exchange must reach Entra.
 */
export async function azureWorkload(args: { clientId: string; tenantId: string; tokenFile: string; entra: Emulator }): Promise<ExchangeOutcome> {
  const credential = new WorkloadIdentityCredential({
    tenantId: args.tenantId,
    clientId: args.clientId,
    tokenFilePath: args.tokenFile,
    authorityHost: AUTHORITY,
    httpClient: entraHttpClient(args.entra),
  });
  try {
    const token = await credential.getToken("https://management.azure.com/.default");
    if (!token?.token) return { ok: false, code: "NoToken", message: "the credential returned no token" };
    return { ok: true, detail: `token for managed identity ${args.clientId}` };
  } catch (error) {
    const { code, message } = aadstsError(error);
    return { ok: false, code, message };
  }
}
