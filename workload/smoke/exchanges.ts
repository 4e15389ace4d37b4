/**
 * The smoke check's exchanges of a real Okta token at each cloud, with `fetch` alone: the requests
 * the clouds' SDKs send for a web identity (no cloud SDK is a dependency of the workload package).
 *  - AWS STS `AssumeRoleWithWebIdentity` (query protocol, unsigned: the token is the credential;
 *    what `fromTokenFile` of @aws-sdk/credential-providers sends), answered in STS's XML.
 *  - GCP STS `token` (RFC 8693 token exchange, the form google-auth-library's external_account
 *    client posts to the config's `token_url`), then IAM Credentials `generateAccessToken` for the
 *    config's `service_account_impersonation_url`, when the service impersonates a service account.
 *  - Entra ID client credentials with the token as `client_assertion` for the user-assigned managed
 *    identity (what @azure/identity's WorkloadIdentityCredential posts), for an ARM token.
 * Each answers ok with what was obtained, or the cloud's error code and message as the SDKs surface
 * them (STS's `<Code>`, the OAuth `error`, Google's API `status`, `AADSTS<n>`).
 */

/** How one exchange ended. */
export type ExchangeOutcome =
  | { readonly ok: true; readonly detail: string }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** Where each cloud is reached; tests point them at emulators. */
export interface CloudEndpoints {
  /** e.g. https://sts.us-east-1.amazonaws.com */
  readonly awsSts: string;
  /** Replaces the origin of the credential config's token_url (https://sts.googleapis.com). */
  readonly gcpSts?: string;
  /** Replaces the origin of the config's impersonation URL (https://iamcredentials.googleapis.com). */
  readonly gcpIamCredentials?: string;
  /** e.g. https://login.microsoftonline.com */
  readonly entra: string;
}

const TIMEOUT_MS = 30_000;
const AWS_SESSION_NAME = "okta-federation-smoke";
const GCP_SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
  body: new URLSearchParams(fields).toString(),
  redirect: "manual" as const,
  signal: AbortSignal.timeout(TIMEOUT_MS),
});

/** `url` with its origin replaced by `origin`'s (path and query kept). */
function onOrigin(url: string, origin: string | undefined): string {
  if (!origin) return url;
  const parsed = new URL(url);
  return `${origin.replace(/\/+$/, "")}${parsed.pathname}${parsed.search}`;
}

const failed = (code: string, message: string): ExchangeOutcome => ({ ok: false, code, message });
const networkError = (error: unknown): ExchangeOutcome => failed("network_error", (error as Error).message);

async function json(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return { unreadable: text.slice(0, 200) };
  }
}

const xmlText = (xml: string, tag: string): string | undefined => {
  const raw = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml)?.[1];
  return raw?.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
};

/** AWS STS AssumeRoleWithWebIdentity with the token. */
export async function awsExchange(fetchFn: typeof fetch, args: { roleArn: string; token: string; stsUrl: string }): Promise<ExchangeOutcome> {
  let response: Response;
  try {
    response = await fetchFn(
      `${args.stsUrl.replace(/\/+$/, "")}/`,
      form({ Action: "AssumeRoleWithWebIdentity", Version: "2011-06-15", RoleArn: args.roleArn, RoleSessionName: AWS_SESSION_NAME, WebIdentityToken: args.token }),
    );
  } catch (error) {
    return networkError(error);
  }
  const xml = await response.text();
  if (!response.ok) return failed(xmlText(xml, "Code") ?? `HTTP ${response.status}`, xmlText(xml, "Message") ?? xml.slice(0, 200));
  const keyId = xmlText(xml, "AccessKeyId");
  if (!keyId) return failed("unreadable_response", `STS answered HTTP ${response.status} without credentials`);
  return { ok: true, detail: `credentials for ${args.roleArn} (${keyId.slice(0, 8)}…, expires ${xmlText(xml, "Expiration") ?? "unknown"})` };
}

/** The fields of a service's `external_account` credential config (stack output `gcp.credentialConfig`) the exchange needs. */
interface ExternalAccount {
  readonly audience?: unknown;
  readonly token_url?: unknown;
  readonly subject_token_type?: unknown;
  readonly service_account_impersonation_url?: unknown;
}

/** GCP STS token exchange, then (when the config impersonates) generateAccessToken. */
export async function gcpExchange(fetchFn: typeof fetch, args: { credentialConfig: object; token: string; endpoints: Pick<CloudEndpoints, "gcpSts" | "gcpIamCredentials"> }): Promise<ExchangeOutcome> {
  const config = args.credentialConfig as ExternalAccount;
  if (typeof config.audience !== "string" || typeof config.token_url !== "string") return failed("client_error", "the service's gcp.credentialConfig output has no audience or token_url");
  let response: Response;
  try {
    response = await fetchFn(
      onOrigin(config.token_url, args.endpoints.gcpSts),
      form({
        grant_type: TOKEN_EXCHANGE,
        audience: config.audience,
        scope: GCP_SCOPE,
        requested_token_type: ACCESS_TOKEN_TYPE,
        subject_token: args.token,
        subject_token_type: typeof config.subject_token_type === "string" ? config.subject_token_type : "urn:ietf:params:oauth:token-type:jwt",
      }),
    );
  } catch (error) {
    return networkError(error);
  }
  const body = await json(response);
  if (!response.ok) return gcpError(body, response.status);
  const federated = body.access_token;
  if (typeof federated !== "string") return failed("unreadable_response", `STS answered HTTP ${response.status} without an access_token`);
  const impersonation = config.service_account_impersonation_url;
  if (typeof impersonation !== "string") return { ok: true, detail: "federated token for the service's principal (direct grants)" };
  const email = decodeURIComponent(/serviceAccounts\/([^/:]+):generateAccessToken/.exec(impersonation)?.[1] ?? "the service account");
  try {
    response = await fetchFn(onOrigin(impersonation, args.endpoints.gcpIamCredentials), {
      method: "POST",
      headers: { authorization: `Bearer ${federated}`, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ scope: [GCP_SCOPE], lifetime: "3600s" }),
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    return networkError(error);
  }
  const iam = await json(response);
  if (!response.ok) return gcpError(iam, response.status);
  if (typeof iam.accessToken !== "string") return failed("unreadable_response", `IAM Credentials answered HTTP ${response.status} without an accessToken`);
  return { ok: true, detail: `impersonates ${email}` };
}

/** An OAuth error of STS (`error` a string) or an API error of Google's (`error.status`). */
function gcpError(body: Record<string, unknown>, status: number): ExchangeOutcome {
  if (typeof body.error === "string") return failed(body.error, String(body.error_description ?? body.error));
  if (typeof body.error === "object" && body.error !== null) {
    const api = body.error as { status?: unknown; message?: unknown };
    return failed(String(api.status ?? `HTTP ${status}`), String(api.message ?? ""));
  }
  return failed(`HTTP ${status}`, JSON.stringify(body).slice(0, 200));
}

/** Entra ID: the token as the client assertion of the managed identity, for an ARM token. */
export async function azureExchange(fetchFn: typeof fetch, args: { clientId: string; tenantId: string; token: string; entraUrl: string }): Promise<ExchangeOutcome> {
  let response: Response;
  try {
    response = await fetchFn(
      `${args.entraUrl.replace(/\/+$/, "")}/${encodeURIComponent(args.tenantId)}/oauth2/v2.0/token`,
      form({
        client_id: args.clientId,
        scope: "https://management.azure.com/.default",
        grant_type: "client_credentials",
        client_assertion_type: JWT_BEARER,
        client_assertion: args.token,
      }),
    );
  } catch (error) {
    return networkError(error);
  }
  const body = await json(response);
  if (!response.ok) {
    const description = String(body.error_description ?? body.error ?? `HTTP ${response.status}`);
    const number = Array.isArray(body.error_codes) ? body.error_codes[0] : undefined;
    return failed(number !== undefined ? `AADSTS${String(number)}` : (/AADSTS\d+/.exec(description)?.[0] ?? String(body.error ?? `HTTP ${response.status}`)), description);
  }
  if (typeof body.access_token !== "string") return failed("NoToken", "Entra ID answered without an access_token");
  return { ok: true, detail: `token for managed identity ${args.clientId}` };
}
