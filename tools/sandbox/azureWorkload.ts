/**
 * The Azure workload's side: @azure/identity's WorkloadIdentityCredential, as a user runs it,
 * against the sandbox's Entra ID (azureServer.ts) through the SDK's own HTTP client option.
 */
import { AuthenticationError, WorkloadIdentityCredential, type WorkloadIdentityCredentialOptions } from "@azure/identity";
import { AUTHORITY, ENTRA_HOST } from "./azureServer";
import type { Emulator, ExchangeOutcome } from "./types";

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
