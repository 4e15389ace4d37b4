/**
 * How a cloud checks an OIDC token before its trust decides, as the STS emulators do it: the
 * issuer's discovery document at `<iss>/.well-known/openid-configuration` (its `issuer` must equal
 * `iss` exactly), the keys at its `jwks_uri`, an RS256 signature by the key the header's `kid`
 * names, and `exp` in the future. Fetched over the sandbox network; jose verifies the signature.
 */
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from "jose";

export class TokenCheckError extends Error {
  constructor(
    /** What failed: the token cannot be read, the issuer cannot be fetched, the signature, or the expiry. */
    readonly reason: "malformed" | "issuer" | "signature" | "expired",
    message: string,
  ) {
    super(message);
    this.name = "TokenCheckError";
  }
}

/** Reads a token without trusting it (for error messages and lookups). */
export function peek(token: string): { header: ReturnType<typeof decodeProtectedHeader>; payload: JWTPayload } {
  try {
    return { header: decodeProtectedHeader(token), payload: decodeJwt(token) };
  } catch {
    throw new TokenCheckError("malformed", "the token is not a signed JWT (three base64url parts)");
  }
}

/** Verifies `token` against its own issuer's published keys; returns its claims. */
export async function verifyOidcToken(token: string, fetchFn: typeof fetch, nowSeconds = Math.floor(Date.now() / 1000)): Promise<JWTPayload> {
  const { header, payload } = peek(token);
  if (header.alg !== "RS256" || typeof header.kid !== "string") throw new TokenCheckError("malformed", `the token's header must have alg RS256 and a kid; it has alg ${header.alg ?? "none"}${header.kid ? "" : " and no kid"}`);
  const iss = payload.iss;
  if (typeof iss !== "string") throw new TokenCheckError("malformed", "the token has no iss");
  let jwksUri: string;
  let keys: { keys: unknown[] };
  try {
    const discovery = (await (await fetchFn(`${iss}/.well-known/openid-configuration`)).json()) as { issuer?: string; jwks_uri?: string };
    if (discovery.issuer !== iss) throw new Error(`the discovery document names issuer ${discovery.issuer}`);
    jwksUri = String(discovery.jwks_uri);
    keys = (await (await fetchFn(jwksUri)).json()) as { keys: unknown[] };
  } catch (error) {
    throw new TokenCheckError("issuer", `cannot fetch the keys of issuer ${iss}: ${(error as Error).message}`);
  }
  try {
    const { payload: verified } = await jwtVerify(token, createLocalJWKSet(keys as Parameters<typeof createLocalJWKSet>[0]), { algorithms: ["RS256"], currentDate: new Date(nowSeconds * 1000), clockTolerance: 0 });
    return verified;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_JWT_EXPIRED") throw new TokenCheckError("expired", `the token expired at ${payload.exp}`);
    throw new TokenCheckError("signature", `the token's signature does not verify with the keys at ${jwksUri} (${code ?? (error as Error).message})`);
  }
}
