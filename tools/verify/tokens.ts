/**
 * The simulated access tokens: the claims Okta would mint for a service (client credentials), the
 * worst-case token of any client of an issuer, and signing and verifying them with a throwaway key.
 */
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type JWTPayload } from "jose";
import { LIMITS } from "../../components/internal/limits";
import { claimsFor, type IssuerModel, type ServiceModel } from "./model";

/** The claims of a simulated access token. */
export interface TokenClaims {
  readonly iss: string;
  readonly aud: string;
  readonly sub: string;
  readonly cid: string;
  readonly scp: readonly string[];
  readonly [claim: string]: unknown;
}

/** Marker for a claim Okta evaluates per token (Okta Expression Language). */
export const RUNTIME_CLAIM = "<evaluated by Okta at run time>";

const NOW = Math.floor(Date.parse("2026-01-01T00:00:00Z") / 1000);

/** The access token the authorization server would mint for a service (client credentials): its scoped claims only with its scopes. */
export function tokenFor(service: ServiceModel): TokenClaims {
  const custom = Object.fromEntries(Object.entries(service.claims).map(([name, value]) => [name, value ?? RUNTIME_CLAIM]));
  return {
    ...custom,
    ver: 1,
    jti: `AT.offline-${service.key}`,
    iss: service.issuer,
    aud: service.audience,
    iat: NOW,
    exp: NOW + 60 * (service.lifetimeMinutes ?? LIMITS.okta.tokenLifetimeMinutes.default),
    cid: service.clientId,
    sub: service.clientId,
    scp: [...(service.scopes ?? [])],
  };
}

/**
 * The most a client of the issuer could hold: every claim the server emits (scope limits ignored)
 * and every scope. Probes start from it, so no claim condition excuses a trust.
 */
export function worstCaseToken(issuer: IssuerModel, sub: string): TokenClaims {
  const custom = Object.fromEntries(Object.entries(claimsFor(issuer, undefined)).map(([name, value]) => [name, value ?? RUNTIME_CLAIM]));
  return { ...custom, ver: 1, jti: "AT.offline-probe", iss: issuer.issuer, aud: issuer.audience, iat: NOW, exp: NOW + 3600, cid: sub, sub, scp: [...issuer.scopes] };
}

let signingKey: ReturnType<typeof generateKeyPair> | undefined;

/** Signs the claims with a throwaway RS256 key (Okta signs with RS256) and verifies them back. */
export async function signAndVerify(claims: TokenClaims): Promise<{ token: string; verified: TokenClaims }> {
  // One throwaway key per process: generating RSA keys is the slow part.
  signingKey ??= generateKeyPair("RS256");
  const { privateKey, publicKey } = await signingKey;
  const kid = (await exportJWK(publicKey)).n?.slice(0, 16) ?? "offline";
  const token = await new SignJWT(claims as unknown as JWTPayload).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).sign(privateKey);
  const { payload } = await jwtVerify(token, publicKey, { issuer: claims.iss, audience: claims.aud, currentDate: new Date((claims.iat as number) * 1000) });
  return { token, verified: payload as unknown as TokenClaims };
}
