/**
 * The token fetcher a workload runs: gets the service's Okta access token with OAuth client
 * credentials, authenticating with `private_key_jwt` (a client assertion signed with the service's
 * own private key; no client secret exists), and writes it to the token file the cloud SDKs read.
 *
 *   okta-federation token --issuer https://acme.okta.com/oauth2/aus1 \
 *     --client-id 0oa... --private-key-file key.pem --key-id payments-2026-11 \
 *     --scopes "api.read api.write" --token-file /var/run/secrets/okta/token
 *
 * With `--gcp-executable` it also prints the executable-source response google-auth-library expects
 * on stdout (and nothing on stderr: the library reads both streams as the response), so the same
 * command can be an `external_account` executable. Every flag has an environment variable: see
 * {@link TOKEN_USAGE}. Exit codes: 0 token written; 1 token request or key problem; 2 usage error.
 * Details: docs/credentials.md.
 */
import { createPrivateKey, randomUUID, type JsonWebKey, type KeyObject } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { SignJWT, decodeJwt } from "jose";
import type { Io } from "./io";
import {
  CLIENT_ASSERTION_ALG,
  CredentialsError,
  DEFAULT_TOKEN_FILE,
  clientAssertionClaims,
  gcpExecutableError,
  gcpExecutableResponse,
  normalizeScopes,
  oktaTokenEndpoint,
  tokenRequestBody,
} from "../components/credentials";

/** A token could not be obtained or stored; `code` is a short machine-readable reason. */
export class TokenFetchError extends Error {
  constructor(
    readonly code: "config" | "key" | "network" | "token_endpoint" | "file",
    message: string,
  ) {
    super(message);
    this.name = "TokenFetchError";
  }
}

export interface FetchTokenOptions {
  /** The authorization server's issuer (`okta.issuerUrl`); the token endpoint is `<issuer>/v1/token`. */
  readonly issuer: string;
  /** The service's Okta client id (`services.<key>.clientId`). */
  readonly clientId: string;
  /** PEM (PKCS#8 or PKCS#1) or JWK (a single key, or a JWKS picked by `keyId`) with the RSA private key. */
  readonly privateKeyFile: string;
  /** `kid` of the key registered with the app; defaults to the JWK's `kid`. Required for PEM keys. */
  readonly keyId?: string;
  /** Scopes to request (space- or comma-separated, or a list); at least one. */
  readonly scopes: string | readonly string[];
  /** Where to write the token (mode 0600, atomically). Not written when omitted. */
  readonly tokenFile?: string;
  /** Abort the token request after this many milliseconds (default 15000). */
  readonly timeoutMs?: number;
  /** For tests: the fetch implementation and the clock (milliseconds). */
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

export interface FetchedToken {
  readonly accessToken: string;
  /** Unix seconds: the token's `exp`, or now + `expires_in` when the token is not a readable JWT. */
  readonly expiresAt: number;
  /** Seconds the token was issued for (`expires_in`). */
  readonly expiresIn: number;
  readonly scope?: string;
  /** The file written, if any. */
  readonly tokenFile?: string;
}

/** Loads an RSA private key from PEM or JWK text and finds its key id. */
export function loadPrivateKey(text: string, keyId?: string): { key: KeyObject; kid: string } {
  const trimmed = text.trim();
  let key: KeyObject;
  let kid = keyId;
  try {
    if (trimmed.startsWith("{")) {
      const parsed = JSON.parse(trimmed) as { keys?: Record<string, unknown>[] } & Record<string, unknown>;
      let jwk: Record<string, unknown> | undefined = parsed;
      if (Array.isArray(parsed.keys)) {
        const candidates = parsed.keys.filter((k) => typeof k.d === "string" && (keyId === undefined || k.kid === keyId));
        if (candidates.length !== 1) {
          throw new TokenFetchError("key", keyId ? `no private key with kid "${keyId}" in the JWKS` : "the JWKS holds more than one private key: pass the key id");
        }
        jwk = candidates[0];
      }
      if (typeof jwk?.d !== "string") throw new TokenFetchError("key", "the JWK is not a private key (no \"d\")");
      if (keyId !== undefined && typeof jwk.kid === "string" && jwk.kid !== keyId) {
        throw new TokenFetchError("key", `the JWK's kid "${jwk.kid}" differs from the key id "${keyId}"`);
      }
      kid ??= typeof jwk.kid === "string" ? jwk.kid : undefined;
      key = createPrivateKey({ key: jwk as JsonWebKey, format: "jwk" });
    } else {
      key = createPrivateKey(trimmed);
    }
  } catch (error) {
    if (error instanceof TokenFetchError) throw error;
    // Never the parser's or OpenSSL's message: JSON.parse quotes the text around the fault, which
    // is key material. Only the kind of failure and Node's error code.
    if (error instanceof SyntaxError) throw new TokenFetchError("key", "cannot read the private key: the file starts with '{' but is not valid JSON (expected a private JWK or a JWKS)");
    const code = (error as NodeJS.ErrnoException).code;
    throw new TokenFetchError("key", `cannot read the private key${code ? ` (${code})` : ""}: expected an RSA private key as PEM (PKCS#8 or PKCS#1) or as a private JWK`);
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw new TokenFetchError("key", `the private key is ${key.asymmetricKeyType ?? "not asymmetric"}; ${CLIENT_ASSERTION_ALG} needs an RSA key`);
  }
  if (!kid) throw new TokenFetchError("key", "no key id: pass --key-id (OKTA_KEY_ID), the kid registered with the Okta app");
  return { key, kid };
}

/** Signs a client assertion (RS256, header `kid`) for the token endpoint; valid 5 minutes, unique `jti`. */
export async function createClientAssertion(args: {
  readonly clientId: string;
  readonly tokenEndpoint: string;
  readonly key: KeyObject;
  readonly kid: string;
  readonly nowSeconds: number;
}): Promise<string> {
  const claims = clientAssertionClaims({ clientId: args.clientId, tokenEndpoint: args.tokenEndpoint, nowSeconds: args.nowSeconds, jti: randomUUID() });
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: CLIENT_ASSERTION_ALG, kid: args.kid, typ: "JWT" })
    .sign(args.key);
}

/**
 * Requests an access token with client credentials + private_key_jwt and, if `tokenFile` is given,
 * writes it there (atomically, mode 0600, no trailing newline).
 */
export async function fetchToken(options: FetchTokenOptions): Promise<FetchedToken> {
  const now = options.now ?? Date.now;
  let tokenEndpoint: string;
  let scopes: string[];
  try {
    tokenEndpoint = oktaTokenEndpoint(options.issuer);
    scopes = normalizeScopes(options.scopes);
  } catch (error) {
    throw new TokenFetchError("config", (error as Error).message);
  }
  if (!options.clientId) throw new TokenFetchError("config", "no client id");
  let keyText: string;
  try {
    keyText = await readFile(options.privateKeyFile, "utf8");
  } catch (error) {
    throw new TokenFetchError("key", `cannot read the private key file ${options.privateKeyFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const { key, kid } = loadPrivateKey(keyText, options.keyId);
  const assertion = await createClientAssertion({ clientId: options.clientId, tokenEndpoint, key, kid, nowSeconds: Math.floor(now() / 1000) });

  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: tokenRequestBody({ scopes, clientAssertion: assertion }),
      redirect: "error",
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new TokenFetchError("network", `token request to ${tokenEndpoint} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // handled below
  }
  if (!response.ok) {
    const reason = typeof body.error === "string" ? `${body.error}${typeof body.error_description === "string" ? `: ${body.error_description}` : ""}` : text.slice(0, 200);
    throw new TokenFetchError("token_endpoint", `token endpoint ${tokenEndpoint} answered HTTP ${response.status}: ${reason}`);
  }
  const accessToken = body.access_token;
  if (typeof accessToken !== "string" || !/^[\x21-\x7e]+$/.test(accessToken)) {
    throw new TokenFetchError("token_endpoint", `token endpoint ${tokenEndpoint} answered without a usable access_token`);
  }
  if (typeof body.token_type === "string" && body.token_type.toLowerCase() !== "bearer") {
    throw new TokenFetchError("token_endpoint", `token endpoint ${tokenEndpoint} answered token_type ${body.token_type}, expected Bearer`);
  }
  const expiresIn = typeof body.expires_in === "number" ? body.expires_in : Number(body.expires_in);
  let expiresAt = Number.isFinite(expiresIn) ? Math.floor(now() / 1000) + expiresIn : NaN;
  try {
    const exp = decodeJwt(accessToken).exp;
    if (typeof exp === "number") expiresAt = exp;
  } catch {
    // Not a JWT we can read: keep expires_in.
  }
  if (!Number.isFinite(expiresAt)) throw new TokenFetchError("token_endpoint", `token endpoint ${tokenEndpoint} answered without expires_in`);

  if (options.tokenFile) {
    try {
      await writeFileAtomic(options.tokenFile, accessToken);
    } catch (error) {
      throw new TokenFetchError("file", `cannot write ${options.tokenFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  return {
    accessToken,
    expiresAt,
    expiresIn: Number.isFinite(expiresIn) ? expiresIn : expiresAt - Math.floor(now() / 1000),
    ...(typeof body.scope === "string" ? { scope: body.scope } : {}),
    ...(options.tokenFile ? { tokenFile: options.tokenFile } : {}),
  };
}

/**
 * Writes `data` to `path` so that readers see either the old or the new content, never a partial
 * file: a new file (mode 0600) in the same directory, synced, then renamed over `path`.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${randomUUID()}.tmp`);
  const handle = await open(tmp, "wx", 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
    await chmod(path, 0o600);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

export const TOKEN_USAGE = `usage: okta-federation token --issuer URL --client-id ID --private-key-file FILE [--key-id KID] --scopes "A B" [--token-file FILE] [--gcp-executable]
  --issuer            OKTA_ISSUER            the authorization server's issuer (okta.issuerUrl)
  --client-id         OKTA_CLIENT_ID         the service's client id (services.<key>.clientId)
  --private-key-file  OKTA_PRIVATE_KEY_FILE  PEM or JWK file with the service's RSA private key
  --key-id            OKTA_KEY_ID            kid of that key as registered with the app (default: the JWK's kid)
  --scopes            OKTA_SCOPES            scopes to request, space- or comma-separated
  --token-file        OKTA_TOKEN_FILE        where to write the token (default ${DEFAULT_TOKEN_FILE};
                                             with --gcp-executable only when given)
  --gcp-executable                           print a google-auth-library executable-source response on stdout`;

/** `okta-federation token`: returns the exit code. Flags fall back to `env` (the process's environment). */
export async function tokenCommand(argv: readonly string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const gcp = argv.includes("--gcp-executable");
  // In executable mode everything goes to stdout as an executable response: the library reads stdout and stderr together.
  const fail = (code: number, reason: string, message: string): number => {
    if (gcp) io.stdout(JSON.stringify(gcpExecutableError(reason, message)) + "\n");
    else io.stderr(`error: ${message}${code === 2 ? `\n${TOKEN_USAGE}` : ""}\n`);
    return code;
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        issuer: { type: "string" },
        "client-id": { type: "string" },
        "private-key-file": { type: "string" },
        "key-id": { type: "string" },
        scopes: { type: "string" },
        "token-file": { type: "string" },
        "gcp-executable": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail(2, "usage", (error as Error).message);
  }
  if (values.help) {
    io.stdout(`${TOKEN_USAGE}\n`);
    return 0;
  }
  const pick = (flag: string, name: string) => {
    const v = (values[flag] as string | undefined) ?? env[name];
    return v === "" ? undefined : v;
  };
  const issuer = pick("issuer", "OKTA_ISSUER");
  const clientId = pick("client-id", "OKTA_CLIENT_ID");
  const privateKeyFile = pick("private-key-file", "OKTA_PRIVATE_KEY_FILE");
  const scopes = pick("scopes", "OKTA_SCOPES");
  const missing = [
    [issuer, "--issuer (OKTA_ISSUER)"],
    [clientId, "--client-id (OKTA_CLIENT_ID)"],
    [privateKeyFile, "--private-key-file (OKTA_PRIVATE_KEY_FILE)"],
    [scopes, "--scopes (OKTA_SCOPES)"],
  ]
    .filter(([v]) => v === undefined)
    .map(([, name]) => name);
  if (missing.length > 0) return fail(2, "usage", `missing ${missing.join(", ")}`);
  const tokenFile = pick("token-file", "OKTA_TOKEN_FILE") ?? (gcp ? undefined : DEFAULT_TOKEN_FILE);
  try {
    const token = await fetchToken({ issuer: issuer!, clientId: clientId!, privateKeyFile: privateKeyFile!, keyId: pick("key-id", "OKTA_KEY_ID"), scopes: scopes!, tokenFile });
    if (gcp) {
      const response = JSON.stringify(gcpExecutableResponse(token.accessToken, token.expiresAt));
      // The library passes GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE when the config has output_file; it reads that cache first.
      const cache = env.GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE;
      if (cache) await writeFileAtomic(cache, response);
      io.stdout(`${response}\n`);
    } else {
      io.stdout(`token written to ${token.tokenFile} (expires ${new Date(token.expiresAt * 1000).toISOString()}, in ${token.expiresIn} s)\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof TokenFetchError) return fail(1, error.code, error.message);
    if (error instanceof CredentialsError) return fail(1, "config", error.message);
    if (gcp) return fail(1, "internal", (error as Error)?.message ?? String(error));
    throw error;
  }
}
