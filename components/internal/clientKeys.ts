/**
 * One key, one service. With private_key_jwt, Okta accepts a client assertion signed by any key
 * registered for the client (developer.okta.com/docs/reference/api/oidc, client authentication),
 * so two services that register the same public key, or the same JWKS URL, can each obtain the
 * other's tokens, and every cloud then trusts one as the other. These fingerprints let validation
 * and verify find such pairs. No Pulumi here.
 */
import { canonicalUrl } from "./canonical";

/** Public members of a JWK, as config and the Okta app hold them. */
export interface PublicJwk {
  readonly kid?: string;
  readonly kty?: string;
  readonly crv?: string;
  readonly n?: string;
  readonly e?: string;
  readonly x?: string;
  readonly y?: string;
}

/** base64url as bytes in hex, without leading zero bytes (an RSA modulus may be written with one). */
function integerHex(value: string): string {
  return Buffer.from(value, "base64url").toString("hex").replace(/^(00)+/, "");
}

/**
 * What identifies a key, whatever its kid or encoding: the RSA modulus and exponent, or the EC
 * point. Undefined when the key lacks them (validation reports that separately).
 */
export function jwkFingerprint(jwk: PublicJwk): string | undefined {
  if (jwk.kty === "RSA" && jwk.n && jwk.e) return `RSA:${integerHex(jwk.n)}:${integerHex(jwk.e)}`;
  if (jwk.kty === "EC" && jwk.x && jwk.y) return `EC:${integerHex(jwk.x)}:${integerHex(jwk.y)}`;
  return undefined;
}

/**
 * A JWKS URL as Okta fetches it, in canonical form (canonical.ts): every spelling of one URL
 * (`…/jwks?`, `%6Awks`, an upper-case host, `:443`, `/./`, a trailing `#`) is one key source.
 */
export function jwksUriFingerprint(uri: string): string {
  return `URI:${canonicalUrl(uri)}`;
}

/**
 * For a message about two uses of one fingerprint: when they are JWKS URLs spelled differently,
 * the one URL both are ("; both are <url> as Okta fetches it"), else "".
 */
export function sameKeySourceNote(a: { readonly fingerprint: string; readonly label: string }, b: { readonly label: string }): string {
  return a.fingerprint.startsWith("URI:") && a.label !== b.label ? `; both are ${a.fingerprint.slice("URI:".length)} as Okta fetches it` : "";
}

/** Every credential a service's private_key_jwt authentication registers: each key, or the JWKS URL. */
export function clientKeyFingerprints(auth: unknown): Array<{ readonly fingerprint: string; readonly label: string }> {
  if (typeof auth !== "object" || auth === null) return [];
  const { method, jwks, jwksUri } = auth as { method?: unknown; jwks?: unknown; jwksUri?: unknown };
  if (method !== "private_key_jwt") return [];
  const found: Array<{ fingerprint: string; label: string }> = [];
  if (typeof jwksUri === "string") found.push({ fingerprint: jwksUriFingerprint(jwksUri), label: `jwksUri ${jwksUri}` });
  if (Array.isArray(jwks)) {
    for (const jwk of jwks as PublicJwk[]) {
      const fingerprint = typeof jwk === "object" && jwk !== null ? jwkFingerprint(jwk) : undefined;
      if (fingerprint) found.push({ fingerprint, label: `key ${String(jwk.kid)}` });
    }
  }
  return found;
}
