/**
 * What a real Okta access token must look like for AWS, GCP and Azure to take it, checked on the
 * token itself before any exchange (a failure here explains every cloud's refusal at once). Each
 * check says which config knob or Okta setting decides it. Sources (docs/sources.md): Okta's client-credentials token
 * claims as real decoded tokens show them (pegasystems/pega-helm-charts
 * `charts/backingservices/README.md`); Okta's access-token encryption (okta-developer-docs release
 * notes 2026, key-management guide); GCP STS's `iat` rule (cloud.google.com/iam/docs/reference/sts/
 * rest/v1beta/TopLevel/token); Entra's 25 h lifetime and `iat` (MicrosoftDocs/azure-docs#86916,
 * Azure/azure-workload-identity#1232).
 */
import { decodeJwt, decodeProtectedHeader } from "jose";

export interface ShapeCheck {
  readonly ok: boolean;
  readonly check: string;
  readonly detail: string;
  /** The config key or Okta setting behind a failure. */
  readonly knob?: string;
}

export interface ExpectedToken {
  readonly issuer: string;
  readonly audience: string;
  readonly clientId: string;
}

/** Longest token lifetime every cloud accepts: GCP refuses an `iat` over 24 h old (docs/sources.md, "The clouds"). */
const MAX_LIFETIME_SECONDS = 24 * 3600;

export function checkTokenShape(token: string, expected: ExpectedToken, nowSeconds = Math.floor(Date.now() / 1000)): ShapeCheck[] {
  const parts = token.split(".");
  if (parts.length === 5) {
    return [
      {
        ok: false,
        check: "signed, not encrypted",
        detail: "the token is encrypted (JWE, five parts): no cloud can read it",
        knob: "access-token encryption of the authorization server in Okta (switch it off for this server; the kit does not set it)",
      },
    ];
  }
  if (parts.length !== 3) return [{ ok: false, check: "a JWT", detail: `the token has ${parts.length} parts; a signed JWT has three`, knob: "the token endpoint (okta.tokenEndpoint output)" }];
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch {
    return [{ ok: false, check: "a JWT", detail: "the token's parts are not base64url JSON", knob: "the token endpoint (okta.tokenEndpoint output)" }];
  }
  const checks: ShapeCheck[] = [];
  const add = (ok: boolean, check: string, detail: string, knob?: string) => checks.push({ ok, check, detail, ...(ok || !knob ? {} : { knob }) });
  add(header.alg === "RS256" && typeof header.kid === "string", "RS256 with a kid", `alg ${header.alg ?? "none"}, kid ${header.kid ?? "none"}`, "the authorization server's signing keys (Okta)");
  add(claims.iss === expected.issuer, "iss is the issuer every trust pins", `iss ${String(claims.iss)}; expected ${expected.issuer}`, "okta.authorizationServer.issuerMode and customDomain");
  add(typeof claims.aud === "string" && claims.aud === expected.audience, "aud is the one audience, a string", `aud ${JSON.stringify(claims.aud)}; expected ${JSON.stringify(expected.audience)}`, "okta.authorizationServer.audience");
  add(claims.sub === expected.clientId, "sub is the service's client id (what every trust pins)", `sub ${String(claims.sub)}; client id ${expected.clientId}`, "services.<key> (the token must come from this service's app)");
  add(claims.cid === expected.clientId, "cid is the service's client id", `cid ${String(claims.cid)}`, "services.<key> (the token must come from this service's app)");
  const lifetime = typeof claims.exp === "number" && typeof claims.iat === "number" ? claims.exp - claims.iat : undefined;
  add(lifetime !== undefined && lifetime > 0 && lifetime <= MAX_LIFETIME_SECONDS, "iat and exp, at most 24 h apart", lifetime === undefined ? "no iat or exp" : `lifetime ${lifetime} s`, "okta.tokenLifetimeMinutes / services.<key>.tokenLifetimeMinutes");
  add(typeof claims.exp === "number" && claims.exp > nowSeconds, "not expired", `exp ${String(claims.exp)}, now ${nowSeconds}`, "the clock of this machine, or a stale token file");
  return checks;
}
