/**
 * The sandbox's Microsoft Entra ID: how its token endpoint decides, and the token it issues. The
 * emulator over HTTP is azureServer.ts; the workload that asks it for a token, azureWorkload.ts.
 *
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
import { SignJWT, type JWTPayload } from "jose";
import type { PlanDocument, PlanResource } from "../verify/model";
import type { SandboxNetwork } from "./network";
import { TokenCheckError, peek, verifyOidcToken } from "./oidc";

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const WIF_DOC = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
export const TOKEN_LIFETIME_SECONDS = 3599;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user-assigned managed identity as the plan deploys it. */
export interface ManagedIdentity {
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
export interface EntraError {
  readonly status: 400 | 401;
  readonly error: string;
  readonly code: number;
  readonly text: string;
}

const byType = (plan: PlanDocument, type: string) => plan.resources.filter((r) => r.type === type);
const deployed = (r: PlanResource, key: string): string => String(r.afterDeploy?.[key] ?? r.inputs[key] ?? "");

/** The identities of the plan with their FICs, joined as ARM nests them (resource group + identity name). */
export function directory(plan: PlanDocument): ManagedIdentity[] {
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

const invalidClient = (code: number, text: string): EntraError => ({ status: 401, error: "invalid_client", code, text });

/** Step 0, the tenant of the URL: a GUID (the sandbox holds every GUID as a tenant). */
export function tenantProblem(tenant: string): EntraError | undefined {
  if (GUID.test(tenant)) return undefined;
  return {
    status: 400,
    error: "invalid_tenant",
    code: 90002,
    text: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
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

export const isError = (value: unknown): value is EntraError => typeof value === "object" && value !== null && "code" in value && "status" in value;

/**
 * Steps 0 (the request's parameters) to 6, in order: the identity a token request of the tenant is
 * granted for, or Entra's error.
 */
export async function decideToken(identities: readonly ManagedIdentity[], tenant: string, form: URLSearchParams, network: SandboxNetwork): Promise<ManagedIdentity | EntraError> {
  const problem = requestProblem(form);
  if (problem) return problem;
  const clientId = String(form.get("client_id"));
  const identity = identities.find((i) => i.clientId === clientId && i.tenantId.toLowerCase() === tenant.toLowerCase());
  if (!identity) {
    return {
      status: 400,
      error: "unauthorized_client",
      code: 700016,
      text: `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    };
  }
  const assertion = String(form.get("client_assertion"));
  let unverified: JWTPayload;
  try {
    unverified = peek(assertion).payload;
  } catch {
    return invalidClient(50027, "JWT token is invalid or malformed.");
  }
  const trusting = credentialsForIssuer(identity, unverified);
  if (isError(trusting)) return trusting;
  const claims = await verifyAssertion(assertion, network);
  if (isError(claims)) return claims;
  const match = matchCredential(trusting, claims);
  if (isError(match)) return match;
  return identity;
}

/** The resource a `<resource>/.default` scope names (`https://management.azure.com`). */
function resourceOf(scope: string): string {
  const dflt = scope.split(" ").find((s) => s.endsWith("/.default")) ?? scope.split(" ")[0] ?? "";
  return dflt.replace(/\/\.default$/, "");
}

/** An app-only access token for the identity, shaped as Entra's v1 tokens for Azure resources. */
export async function accessToken(identity: ManagedIdentity, scope: string, key: KeyObject, kid: string): Promise<string> {
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
