/**
 * The token fetcher against a real OAuth server on 127.0.0.1: oidc-provider with client credentials,
 * private_key_jwt client authentication and JWT access tokens carrying Okta-style claims (cid, scp).
 * The client is registered with the test's public key only; the fetcher signs with the private key.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, exportPKCS8, generateKeyPair, jwtVerify } from "jose";
import { ExternalAccountClient, PluggableAuthClient } from "google-auth-library";
import { gcpExternalAccount } from "../../components/credentials";
import { PROJECT_ROOT } from "../../tools/offline/stackFile";
import { fetchToken, tokenCommand, TokenFetchError } from "../../workload/token";

const AUDIENCE = "api://services-test";
const CLIENT_ID = "0oapaymentstest12345";
const KID = "payments-test-1";
const SCOPES = "api.read api.write";

let server: Server;
let issuer: string;
let dir: string;
let pemFile: string;
let jwkFile: string;
let otherKeyFile: string;

/** oidc-provider is ESM without bundled types; only its constructor and callback are used here. */
type ProviderCtor = new (issuer: string, config: Record<string, unknown>) => { callback(): (req: IncomingMessage, res: ServerResponse) => void };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "okta-token-"));
  const client = await generateKeyPair("RS256", { extractable: true });
  const other = await generateKeyPair("RS256", { extractable: true });
  const serverKey = await generateKeyPair("RS256", { extractable: true });
  pemFile = join(dir, "key.pem");
  writeFileSync(pemFile, await exportPKCS8(client.privateKey), { mode: 0o600 });
  jwkFile = join(dir, "key.jwk.json");
  writeFileSync(jwkFile, JSON.stringify({ ...(await exportJWK(client.privateKey)), kid: KID }), { mode: 0o600 });
  otherKeyFile = join(dir, "other.pem");
  writeFileSync(otherKeyFile, await exportPKCS8(other.privateKey), { mode: 0o600 });

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  server = createServer((req, res) => handler(req, res));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/aus-test`;

  const specifier = "oidc-provider";
  const { default: Provider } = (await import(specifier)) as { default: ProviderCtor };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: "private_key_jwt",
        token_endpoint_auth_signing_alg: "RS256",
        jwks: { keys: [{ ...(await exportJWK(client.publicKey)), kid: KID, use: "sig", alg: "RS256" }] },
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
        scope: SCOPES,
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(serverKey.privateKey)), kid: "server-1", use: "sig", alg: "RS256" }] },
    // Okta's paths under the issuer.
    routes: { token: "/v1/token", jwks: "/v1/keys" },
    scopes: ["api.read", "api.write"],
    ttl: { ClientCredentials: 3600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => ({
          scope: SCOPES,
          audience: resource,
          accessTokenTTL: 3600,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
    // Okta-style claims.
    extraTokenClaims: (_ctx: unknown, token: { clientId: string; scope?: string }) => ({ cid: token.clientId, scp: (token.scope ?? "").split(" ") }),
  });
  // Mounted at the issuer's path, as Express would do it (oidc-provider derives its URLs from originalUrl).
  const callback = provider.callback();
  const prefix = new URL(issuer).pathname;
  handler = (req, res) => {
    if (!req.url?.startsWith(prefix)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
    req.url = req.url.slice(prefix.length) || "/";
    callback(req, res);
  };
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

async function verify(token: string) {
  return jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/v1/keys`)), { issuer, audience: AUDIENCE });
}

describe("fetchToken against a local OAuth server", () => {
  it("gets a JWT access token with private_key_jwt and writes it atomically, mode 0600, without a newline", async () => {
    const tokenFile = join(dir, "nested", "okta", "token");
    const sent: string[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      sent.push(String(init?.body));
      return fetch(input, init);
    };
    const result = await fetchToken({ issuer, clientId: CLIENT_ID, privateKeyFile: pemFile, keyId: KID, scopes: SCOPES, tokenFile, fetch: recordingFetch, timeoutMs: 10_000 });
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const written = readFileSync(tokenFile, "utf8");
    expect(written).toBe(result.accessToken);
    expect(written).not.toMatch(/\s/);

    const { payload, protectedHeader } = await verify(written);
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload.cid).toBe(CLIENT_ID);
    expect(payload.scp).toEqual(["api.read", "api.write"]);
    expect(result.expiresAt).toBe(payload.exp);
    expect(result.expiresIn).toBe(3600);

    // The client assertion the fetcher sent.
    const body = new URLSearchParams(sent[0]);
    expect(body.get("grant_type")).toBe("client_credentials");
    expect(body.get("scope")).toBe(SCOPES);
    expect(body.get("client_assertion_type")).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    const assertion = body.get("client_assertion")!;
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: "RS256", kid: KID, typ: "JWT" });
    const claims = decodeJwt(assertion);
    expect(claims).toMatchObject({ iss: CLIENT_ID, sub: CLIENT_ID, aud: `${issuer}/v1/token` });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(300);
    expect(claims.exp!).toBeGreaterThan(Date.now() / 1000);
    expect(typeof claims.jti).toBe("string");
  });

  it("uses a new jti every time (a replayed assertion would be refused) and reads JWK keys", async () => {
    const jtis: string[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      jtis.push(decodeJwt(new URLSearchParams(String(init?.body)).get("client_assertion")!).jti!);
      return fetch(input, init);
    };
    for (let i = 0; i < 2; i++) {
      const { accessToken } = await fetchToken({ issuer, clientId: CLIENT_ID, privateKeyFile: jwkFile, scopes: ["api.read"], fetch: recordingFetch });
      expect((await verify(accessToken)).payload.scp).toEqual(["api.read"]);
    }
    expect(new Set(jtis).size).toBe(2);
  });

  it("a key the app does not know is refused by the server with a clear error", async () => {
    const attempt = fetchToken({ issuer, clientId: CLIENT_ID, privateKeyFile: otherKeyFile, keyId: KID, scopes: SCOPES, tokenFile: join(dir, "never") });
    await expect(attempt).rejects.toThrow(TokenFetchError);
    await expect(attempt).rejects.toThrow(/answered HTTP 401: invalid_client/);
    expect(() => statSync(join(dir, "never"))).toThrow();
  });

  it("a PEM key needs a key id", async () => {
    await expect(fetchToken({ issuer, clientId: CLIENT_ID, privateKeyFile: pemFile, scopes: SCOPES })).rejects.toThrow(/no key id: pass --key-id/);
  });
  it.each([
    ["truncated JWK", '{"kty":"RSA","kid":"k","d":"SECRETKEYMATERIAL0123","n":"x"', "cannot read the private key: the file starts with '{' but is not valid JSON (expected a private JWK or a JWKS)"],
    ["JWK without its primes", '{"kty":"RSA","kid":"k","d":"SECRETKEYMATERIAL0123","n":"AQAB","e":"AQAB"}', "cannot read the private key (ERR_INVALID_ARG_TYPE): expected an RSA private key as PEM (PKCS#8 or PKCS#1) or as a private JWK"],
    ["corrupt PEM", "-----BEGIN PRIVATE KEY-----\nMIISECRETKEYMATERIAL0123\n-----END PRIVATE KEY-----\n", "cannot read the private key (ERR_OSSL_UNSUPPORTED): expected an RSA private key as PEM (PKCS#8 or PKCS#1) or as a private JWK"],
  ])("a malformed key file (%s) is reported without any of its content", async (_label, content, message) => {
    const file = join(dir, "malformed-key");
    writeFileSync(file, content, { mode: 0o600 });
    const attempt = fetchToken({ issuer, clientId: CLIENT_ID, privateKeyFile: file, keyId: "k", scopes: SCOPES });
    await expect(attempt).rejects.toThrow(message);
    const error = await attempt.catch((e: Error) => e);
    expect(String((error as Error).message)).not.toMatch(/SECRET|KEYMATERIAL/);
  });
});

describe("okta-federation token", () => {
  function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
    const out = { stdout: "", stderr: "" };
    return tokenCommand(argv, { stdout: (s) => void (out.stdout += s), stderr: (s) => void (out.stderr += s) }, env).then((code) => ({ code, ...out }));
  }

  it("reads its inputs from the environment and writes the token file", async () => {
    const tokenFile = join(dir, "env-token");
    const { code, stdout, stderr } = await run([], {
      OKTA_ISSUER: issuer,
      OKTA_CLIENT_ID: CLIENT_ID,
      OKTA_PRIVATE_KEY_FILE: pemFile,
      OKTA_KEY_ID: KID,
      OKTA_SCOPES: "api.read,api.write",
      OKTA_TOKEN_FILE: tokenFile,
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^token written to ${tokenFile} \\(expires \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, in 3600 s\\)\\n$`));
    await verify(readFileSync(tokenFile, "utf8"));
  });

  it("--gcp-executable prints the executable-source response", async () => {
    const { code, stdout, stderr } = await run(["--gcp-executable", "--issuer", issuer, "--client-id", CLIENT_ID, "--private-key-file", jwkFile, "--scopes", SCOPES]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const response = JSON.parse(stdout);
    expect(Object.keys(response).sort()).toEqual(["expiration_time", "id_token", "success", "token_type", "version"]);
    expect(response).toMatchObject({ version: 1, success: true, token_type: "urn:ietf:params:oauth:token-type:jwt" });
    const { payload } = await verify(response.id_token);
    expect(response.expiration_time).toBe(payload.exp);
  });

  it("--gcp-executable reports failures as an executable error response on stdout only", async () => {
    const { code, stdout, stderr } = await run(["--gcp-executable", "--issuer", issuer, "--client-id", CLIENT_ID, "--private-key-file", otherKeyFile, "--key-id", KID, "--scopes", SCOPES]);
    expect(code).toBe(1);
    expect(stderr).toBe("");
    expect(JSON.parse(stdout)).toMatchObject({ version: 1, success: false, code: "token_endpoint", message: expect.stringMatching(/HTTP 401: invalid_client/) });
  });

  it("missing inputs are a usage error", async () => {
    const { code, stdout, stderr } = await run(["--issuer", issuer]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.split("\n")[0]).toBe("error: missing --client-id (OKTA_CLIENT_ID), --private-key-file (OKTA_PRIVATE_KEY_FILE), --scopes (OKTA_SCOPES)");
  });

  it(
    "google-auth-library runs it as an external_account executable and gets the token",
    async () => {
      const command = [process.execPath, "--import", "tsx", join(PROJECT_ROOT, "workload", "cli.ts"), "token", "--gcp-executable", "--issuer", issuer, "--client-id", CLIENT_ID, "--private-key-file", jwkFile, "--scopes", "api.read"];
      expect(command.every((part) => !/\s/.test(part))).toBe(true);
      const config = gcpExternalAccount({
        workloadIdentityProvider: "projects/123456789012/locations/global/workloadIdentityPools/okta-test/providers/okta",
        executable: { command: command.join(" "), timeoutMillis: 60_000 },
      });
      const client = ExternalAccountClient.fromJSON(structuredClone(config) as never) as PluggableAuthClient;
      const before = { allow: process.env.GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES, nodeOptions: process.env.NODE_OPTIONS };
      process.env.GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES = "1";
      process.env.NODE_OPTIONS = ""; // the child is a plain node process, not a vitest worker
      try {
        const token = await client.retrieveSubjectToken();
        expect((await verify(token)).payload.cid).toBe(CLIENT_ID);
      } finally {
        for (const [k, v] of [["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", before.allow], ["NODE_OPTIONS", before.nodeOptions]] as const) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    },
  );

  it("as a program, --help exits 0 with the usage", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "workload", "cli.ts"), "token", "--help"], { cwd: PROJECT_ROOT, env: { ...process.env, NODE_OPTIONS: "" } });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    const [code] = (await once(child, "close")) as [number];
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: okta-federation token --issuer URL/);
  });
});
