/**
 * How an API of your own accepts the services' Okta access tokens: verify the signature against
 * the issuer's JWKS (fetched and cached by jose, so key rotation is handled), the exact issuer and
 * audience from the federation stack's outputs (`okta.issuerUrl`, `okta.audience`,
 * `okta.jwksUri`), RS256 only, then the scopes and, optionally, the calling client.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";

export interface TokenPolicy {
  /** `okta.issuerUrl` of the federation stack. */
  readonly issuer: string;
  /** `okta.audience` of the federation stack. */
  readonly audience: string;
  /** Scopes the endpoint requires (all of them must be granted). */
  readonly requiredScopes: readonly string[];
  /** Client ids allowed to call, e.g. `services.<key>.clientId` outputs; omit to allow any service of the server. */
  readonly allowedClients?: readonly string[];
  /** Allowed clock skew, seconds. */
  readonly clockToleranceSeconds?: number;
}

/** The JWKS of the issuer (`okta.jwksUri`), fetched on demand and cached; refetched on an unknown kid. */
export function issuerKeys(jwksUri: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUri));
}

export interface VerifiedCaller {
  readonly clientId: string;
  readonly scopes: readonly string[];
}

/** Verifies a bearer token; throws with a reason when it must be refused. */
export async function verifyServiceToken(token: string, keys: JWTVerifyGetKey, policy: TokenPolicy): Promise<VerifiedCaller> {
  const { payload } = await jwtVerify(token, keys, {
    issuer: policy.issuer,
    audience: policy.audience,
    algorithms: ["RS256"],
    clockTolerance: policy.clockToleranceSeconds ?? 30,
  });
  const scopes = Array.isArray(payload.scp) ? payload.scp.map(String) : [];
  const missing = policy.requiredScopes.filter((s) => !scopes.includes(s));
  if (missing.length > 0) throw new Error(`token lacks scope ${missing.join(", ")}`);
  const clientId = String(payload.cid ?? payload.sub ?? "");
  if (policy.allowedClients && !policy.allowedClients.includes(clientId)) throw new Error(`client ${clientId} may not call this API`);
  return { clientId, scopes };
}
