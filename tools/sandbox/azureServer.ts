/**
 * The sandbox's Entra ID over HTTP (the decisions are azureToken.ts's): what MSAL, inside
 * @azure/identity's WorkloadIdentityCredential, asks: instance discovery
 * (`GET /common/discovery/instance`), the tenant's OpenID configuration
 * (`GET /{tenant}/v2.0/.well-known/openid-configuration`), the emulator's keys
 * (`GET /{tenant}/discovery/v2.0/keys`) and the token request (`POST /{tenant}/oauth2/v2.0/token`).
 * Errors have Entra's body, as the sample in
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes shows; the correlation id
 * is the `client-request-id` MSAL sends.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { exportJWK } from "jose";
import type { PlanDocument } from "../verify/model";
import { sandboxKeyPair } from "./keys";
import type { SandboxNetwork } from "./network";
import type { Emulator } from "./types";
import { TOKEN_LIFETIME_SECONDS, accessToken, decideToken, directory, isError, tenantProblem, type EntraError } from "./azureToken";

/** Entra's public cloud host: the authority MSAL is configured with (it requires https). */
export const ENTRA_HOST = "login.microsoftonline.com";
export const AUTHORITY = `https://${ENTRA_HOST}`;

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

/**
 * Starts Entra ID for the (materialized) plan's managed identities on the network. Its URL is a
 * loopback URL: the workload reaches it through its SDK's HTTP client (azureWorkload.ts),
 * since MSAL insists on the https authority.
 */
export async function startEntra(plan: PlanDocument, network: SandboxNetwork): Promise<Emulator> {
  const identities = directory(plan);
  const { privateKey, publicKey } = sandboxKeyPair("entra");
  const kid = `entra-sandbox-${randomUUID().slice(0, 8)}`;
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, use: "sig", kty: "RSA" }] };

  async function token(req: IncomingMessage, res: ServerResponse, tenant: string): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const identity = await decideToken(identities, tenant, form, network);
    if (isError(identity)) return sendEntraError(res, req, identity);
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
    const badTenant = tenantProblem(tenant);
    if (badTenant) return sendEntraError(res, req, badTenant);
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
