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
 *   `/group/<g>`, `/attribute.<name>/<value>`), must hold roles/iam.workloadIdentityUser (or
 *   roles/iam.serviceAccountTokenCreator: both carry iam.serviceAccounts.getAccessToken) on the
 *   service account, or on its project, in the plan (gcp:serviceaccount/iAMMember|iAMBinding|iAMPolicy,
 *   gcp:projects/iAMMember|iAMBinding|iAMPolicy), and the account must be in the plan; else 403
 *   PERMISSION_DENIED "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may
 *   not exist)." with the IAM_PERMISSION_DENIED ErrorInfo Google sends (body as quoted in
 *   google-github-actions/auth issues and many reports).
 * - Success: { accessToken, expireTime } (RFC 3339).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type FederatedToken, type GcpPlan, memberMatches } from "./plan";
import { nowSeconds } from "./sts";

/** Roles that carry iam.serviceAccounts.getAccessToken for a federated principal. */
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

/** The IAM check of generateAccessToken: a role carrying getAccessToken on the account or its project. */
function mayImpersonate(model: GcpPlan, token: FederatedToken, email: string): boolean {
  if (!model.serviceAccounts.has(email)) return false;
  const project = /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
  return model.bindings.some(
    (b) =>
      !b.conditional &&
      TOKEN_ROLES.includes(b.role) &&
      ("serviceAccount" in b.on ? b.on.serviceAccount === email : b.on.project === project) &&
      b.members.some((m) => memberMatches(m, token)),
  );
}

function bearer(req: IncomingMessage, tokens: Map<string, FederatedToken>): FederatedToken {
  const header = req.headers.authorization ?? "";
  const token = /^Bearer (.+)$/i.exec(header)?.[1];
  const federated = token ? tokens.get(token) : undefined;
  if (!federated || federated.exp <= nowSeconds()) throw new ApiError(401, "UNAUTHENTICATED", MESSAGES.unauthenticated);
  if (!federated.scopes.some((s) => IAM_CALLER_SCOPES.includes(s))) throw new ApiError(403, "PERMISSION_DENIED", MESSAGES.insufficientScopes);
  return federated;
}

export function generateAccessToken(model: GcpPlan, req: IncomingMessage, email: string, body: Record<string, unknown>, tokens: Map<string, FederatedToken>): Record<string, unknown> {
  const caller = bearer(req, tokens);
  const scope = body.scope;
  if (!Array.isArray(scope) || scope.length === 0) throw new ApiError(400, "INVALID_ARGUMENT", "Request contains an invalid argument: scope is required.");
  const lifetime = body.lifetime === undefined ? 3600 : Number(/^(\d+(?:\.\d+)?)s$/.exec(String(body.lifetime))?.[1] ?? Number.NaN);
  if (!(lifetime > 0 && lifetime <= 3600)) throw new ApiError(400, "INVALID_ARGUMENT", `Request contains an invalid argument: lifetime ${String(body.lifetime)} must be at most 3600s.`);
  if (!mayImpersonate(model, caller, email)) {
    throw new ApiError(403, "PERMISSION_DENIED", MESSAGES.getAccessTokenDenied, [
      { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "IAM_PERMISSION_DENIED", domain: "iam.googleapis.com", metadata: { permission: "iam.serviceAccounts.getAccessToken" } },
    ]);
  }
  return { accessToken: `ya29.sandbox-sa.${randomBytes(24).toString("base64url")}`, expireTime: new Date(Date.now() + lifetime * 1000).toISOString().replace(/\.\d{3}Z$/, "Z") };
}
