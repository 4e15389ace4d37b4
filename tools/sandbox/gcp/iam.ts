/**
 * The sandbox's IAM Service Account Credentials (`generateAccessToken`) and the IAM check of the
 * resources a service is granted roles on (`testIamPermissions`).
 *
 * What generateAccessToken checks (https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateAccessToken),
 * answering in Google's API error shape { error: { code, message, status, details } }:
 * - A Bearer token this STS issued and not expired, else 401 UNAUTHENTICATED "Request had invalid
 *   authentication credentials. …" (troubleshooting page above); with the cloud-platform or iam
 *   scope (google-auth-library asks for cloud-platform for that reason, baseexternalclient.js),
 *   else 403 "Request had insufficient authentication scopes.".
 * - A `scope` list, and `lifetime` at most 3600s: else 400 INVALID_ARGUMENT (the sandbox's wording).
 * - The token's principal, or a principalSet of its pool that it belongs to (`/*`,
 *   `/group/<g>`, `/attribute.<name>/<value>`), must hold a role carrying
 *   iam.serviceAccounts.getAccessToken (by the vendored role data: roles/iam.workloadIdentityUser,
 *   roles/iam.serviceAccountTokenCreator, roles/editor, …) on the service account, or on its
 *   project, in the plan (gcp:serviceaccount/iAMMember|iAMBinding|iAMPolicy, among them a role
 *   granted on another service's account through gcp.resourceRoles, and
 *   gcp:projects/iAMMember|iAMBinding|iAMPolicy), and the account must be in the plan; else 403
 *   PERMISSION_DENIED "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may
 *   not exist)." with the IAM_PERMISSION_DENIED ErrorInfo Google sends (body as quoted in
 *   google-github-actions/auth issues and many reports).
 * - Success: { accessToken, expireTime } (RFC 3339); the token is remembered as the service
 *   account's, for the resources' check below.
 *
 * What testIamPermissions answers, for a resource of a kind of gcp.resourceRoles (bucket, Pub/Sub
 * topic or subscription, secret, BigQuery dataset, Artifact Registry repository, service account),
 * by its full resource name: `{ permissions }`, the subset of the asked permissions the caller holds
 * (`{}` for none), as each Google API's testIamPermissions does (e.g.
 * https://cloud.google.com/storage/docs/json_api/v1/buckets/testIamPermissions). The caller is a
 * federated token (as above) or a service account's token of this emulator. A permission is held
 * through a binding without a condition, to a member naming the caller, of a role carrying it (the
 * vendored role data; a custom role carries none here), on the resource itself (its IAM member,
 * binding or policy resource in the plan) or on the project its name is under (a bucket's name
 * carries no project, so only the bucket's own policy counts). Not emulated: folder and
 * organization policies, the resources' existence (every name answers).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { gcpRolePermissions } from "../../../components/internal/roleData";
import { type Caller, type FederatedToken, type GcpPlan, bindingTarget, callerMatches, serviceAccountResource } from "./plan";
import { nowSeconds } from "./sts";

/** The roles made for impersonation: both carry iam.serviceAccounts.getAccessToken. */
const TOKEN_ROLES = ["roles/iam.workloadIdentityUser", "roles/iam.serviceAccountTokenCreator"];
/** Scopes generateAccessToken accepts on the caller's token. */
const IAM_CALLER_SCOPES = ["https://www.googleapis.com/auth/cloud-platform", "https://www.googleapis.com/auth/iam"];

const MESSAGES = {
  unauthenticated:
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
  insufficientScopes: "Request had insufficient authentication scopes.",
  getAccessTokenDenied: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
} as const;

/** A Google API error (AIP-193 shape). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
  }
}

/** The tokens the emulators issued: the STS's federated tokens and generateAccessToken's service account tokens. */
export interface Tokens {
  readonly federated: Map<string, FederatedToken>;
  readonly serviceAccounts: Map<string, { readonly email: string; readonly exp: number }>;
}

const GET_ACCESS_TOKEN = "iam.serviceAccounts.getAccessToken";

/**
 * The permissions a role carries, from the vendored role data (components/internal/roleData.ts):
 * a custom role, or one newer than the data, carries none here, except that the two token roles
 * carry getAccessToken whatever the data says.
 */
function rolePermissions(role: string): readonly string[] {
  const permissions = gcpRolePermissions(role) ?? [];
  return TOKEN_ROLES.includes(role) && !permissions.includes(GET_ACCESS_TOKEN) ? [...permissions, GET_ACCESS_TOKEN] : permissions;
}

/** The project a full resource name is under, when it names one (a bucket's is `_`: none). */
function projectOf(resource: string): string | undefined {
  const project = /^\/\/[^/]+\/projects\/([^/]+)\//.exec(resource)?.[1];
  return project === "_" ? undefined : project;
}

/**
 * IAM's decision: does the caller hold `permission` on the resource (a full resource name)? A
 * binding of the plan without a condition, on the resource itself or on the project its name is
 * under (inherited, as GCP's resource hierarchy does), of a role carrying the permission, to a
 * member naming the caller. A bucket's name carries no project: only its own policy counts here.
 */
export function holds(model: GcpPlan, caller: Caller, resource: string, permission: string): boolean {
  const project = projectOf(resource);
  return model.bindings.some((b) => {
    if (b.conditional || !rolePermissions(b.role).includes(permission)) return false;
    const on = bindingTarget(b);
    if ("resource" in on ? on.resource !== resource : on.project !== project) return false;
    return b.members.some((m) => callerMatches(m, caller));
  });
}

/** The IAM check of generateAccessToken: a role carrying getAccessToken on the account or its project. */
function mayImpersonate(model: GcpPlan, caller: Caller, email: string): boolean {
  return model.serviceAccounts.has(email) && holds(model, caller, serviceAccountResource(email), GET_ACCESS_TOKEN);
}

/** The caller of a Google API by its Bearer token: a federated token (with an IAM scope) or a service account's token. */
export function bearer(req: IncomingMessage, tokens: Tokens): Caller {
  const header = req.headers.authorization ?? "";
  const token = /^Bearer (.+)$/i.exec(header)?.[1] ?? "";
  const account = tokens.serviceAccounts.get(token);
  if (account && account.exp > nowSeconds()) return { serviceAccount: account.email };
  const federated = tokens.federated.get(token);
  if (!federated || federated.exp <= nowSeconds()) throw new ApiError(401, "UNAUTHENTICATED", MESSAGES.unauthenticated);
  if (!federated.scopes.some((s) => IAM_CALLER_SCOPES.includes(s))) throw new ApiError(403, "PERMISSION_DENIED", MESSAGES.insufficientScopes);
  return { federated };
}

export function generateAccessToken(model: GcpPlan, req: IncomingMessage, email: string, body: Record<string, unknown>, tokens: Tokens): Record<string, unknown> {
  const caller = bearer(req, tokens);
  const scope = body.scope;
  if (!Array.isArray(scope) || scope.length === 0) throw new ApiError(400, "INVALID_ARGUMENT", "Request contains an invalid argument: scope is required.");
  const lifetime = body.lifetime === undefined ? 3600 : Number(/^(\d+(?:\.\d+)?)s$/.exec(String(body.lifetime))?.[1] ?? Number.NaN);
  if (!(lifetime > 0 && lifetime <= 3600)) throw new ApiError(400, "INVALID_ARGUMENT", `Request contains an invalid argument: lifetime ${String(body.lifetime)} must be at most 3600s.`);
  if (!mayImpersonate(model, caller, email)) {
    throw new ApiError(403, "PERMISSION_DENIED", MESSAGES.getAccessTokenDenied, [
      { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "IAM_PERMISSION_DENIED", domain: "iam.googleapis.com", metadata: { permission: GET_ACCESS_TOKEN } },
    ]);
  }
  const accessToken = `ya29.sandbox-sa.${randomBytes(24).toString("base64url")}`;
  tokens.serviceAccounts.set(accessToken, { email, exp: nowSeconds() + lifetime });
  return { accessToken, expireTime: new Date(Date.now() + lifetime * 1000).toISOString().replace(/\.\d{3}Z$/, "Z") };
}

/**
 * `testIamPermissions` on a resource the plan may grant roles on (the kinds of gcp.resourceRoles):
 * the subset of `permissions` the caller holds there, `{ permissions: [...] }`, or `{}` when it holds
 * none (as every Google API's testIamPermissions answers: not an error). The caller is a federated
 * token or a service account token of these emulators, else 401 as above.
 */
export function testIamPermissions(model: GcpPlan, req: IncomingMessage, resource: string, body: Record<string, unknown>, tokens: Tokens): Record<string, unknown> {
  const caller = bearer(req, tokens);
  const asked = body.permissions;
  if (!Array.isArray(asked) || asked.some((p) => typeof p !== "string")) throw new ApiError(400, "INVALID_ARGUMENT", "Request contains an invalid argument: permissions must be a list of strings.");
  const held = (asked as string[]).filter((p) => holds(model, caller, resource, p));
  return held.length > 0 ? { permissions: held } : {};
}
