/**
 * The workload credential artifacts are accepted by the real client libraries, without network:
 * google-auth-library (external_account: file and executable sources), the AWS SDK's web identity
 * providers (environment and shared-config profile) and @azure/identity's WorkloadIdentityCredential.
 * Every place a library would call a cloud is replaced through the library's own injection point.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ExternalAccountClient, GoogleAuth, IdentityPoolClient, PluggableAuthClient } from "google-auth-library";
import { fromIni, fromTokenFile } from "@aws-sdk/credential-providers";
import { WorkloadIdentityCredential, type WorkloadIdentityCredentialOptions } from "@azure/identity";
import { pipelineHeaders } from "../../tools/sandbox/azure";
import {
  CLIENT_ASSERTION_TYPE,
  CredentialsError,
  DEFAULT_TOKEN_FILE,
  GCP_ALLOW_EXECUTABLES_ENV,
  awsEnvironment,
  awsProfile,
  azureEnvironment,
  clientAssertionClaims,
  formatEnv,
  gcpExecutableResponse,
  gcpExternalAccount,
  normalizeScopes,
  oktaTokenEndpoint,
  shellQuote,
  tokenRequestBody,
} from "../../components/credentials";

const PROVIDER = "projects/123456789012/locations/global/workloadIdentityPools/okta-dev/providers/okta";
const EMAIL = "dev-payments@acme-dev-example.iam.gserviceaccount.com";
const ROLE_ARN = "arn:aws:iam::111111111111:role/oktafed/payments-dev";
const TENANT = "00000000-0000-0000-0000-0000000000aa";
const AZURE_CLIENT = "11111111-2222-3333-4444-555555555555";
// A JWT-shaped token (the libraries treat the subject token as opaque text).
const TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.eyJzdWIiOiIwb2FwYXltZW50cyJ9.c2lnbmF0dXJl";

let dir: string;
let tokenFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "okta-cred-"));
  tokenFile = join(dir, "token");
  writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sets environment variables for one test; restored afterwards. */
const saved = new Map<string, string | undefined>();
function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (!saved.has(k)) saved.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
afterEach(() => {
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  saved.clear();
});

describe("GCP external_account (google-auth-library)", () => {
  it("has the documented shape: audience, subject token type, STS URL, impersonation URL, file source", () => {
    expect(gcpExternalAccount({ workloadIdentityProvider: PROVIDER, serviceAccountEmail: EMAIL, tokenFile })).toEqual({
      type: "external_account",
      audience: `//iam.googleapis.com/${PROVIDER}`,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: "https://sts.googleapis.com/v1/token",
      service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${EMAIL}:generateAccessToken`,
      credential_source: { file: tokenFile, format: { type: "text" } },
    });
    const direct = gcpExternalAccount({ workloadIdentityProvider: PROVIDER });
    expect(direct).not.toHaveProperty("service_account_impersonation_url");
    expect(direct.credential_source).toEqual({ file: DEFAULT_TOKEN_FILE, format: { type: "text" } });
  });

  it("a file source becomes an IdentityPoolClient that reads the token file back", async () => {
    const config = gcpExternalAccount({ workloadIdentityProvider: PROVIDER, serviceAccountEmail: EMAIL, tokenFile });
    const client = ExternalAccountClient.fromJSON(structuredClone(config) as never);
    expect(client).toBeInstanceOf(IdentityPoolClient);
    const pool = client as IdentityPoolClient;
    expect(await pool.retrieveSubjectToken()).toBe(TOKEN);
    // The library parses the impersonated account and the project number back out of the config.
    expect(pool.getServiceAccountEmail()).toBe(EMAIL);
    // (internal members, read to show the library parsed the audience as a workload identity pool provider)
    const internals = pool as unknown as { audience: string; getProjectNumber(audience: string): string | null };
    expect(internals.audience).toBe(config.audience);
    expect(internals.getProjectNumber(config.audience)).toBe("123456789012");
  });

  it("GoogleAuth with the config as credentials builds the same client", async () => {
    const auth = new GoogleAuth({ credentials: gcpExternalAccount({ workloadIdentityProvider: PROVIDER, tokenFile }) as never });
    const client = await auth.getClient();
    expect(client).toBeInstanceOf(IdentityPoolClient);
    expect(await (client as IdentityPoolClient).retrieveSubjectToken()).toBe(TOKEN);
  });

  it("an executable source becomes a PluggableAuthClient, which runs the command only when allowed", async () => {
    // A stand-in for the token fetcher: prints the executable response the fetcher prints.
    const script = join(dir, "fake-fetcher.mjs");
    writeFileSync(script, `process.stdout.write(${JSON.stringify(JSON.stringify(gcpExecutableResponse(TOKEN, Math.floor(Date.now() / 1000) + 3600)))});\n`);
    const config = gcpExternalAccount({ workloadIdentityProvider: PROVIDER, serviceAccountEmail: EMAIL, executable: { command: `${process.execPath} ${script}`, timeoutMillis: 10_000 } });
    expect(config.credential_source).toEqual({ executable: { command: `${process.execPath} ${script}`, timeout_millis: 10_000 } });
    setEnv({ [GCP_ALLOW_EXECUTABLES_ENV]: undefined });
    const client = ExternalAccountClient.fromJSON(structuredClone(config) as never);
    expect(client).toBeInstanceOf(PluggableAuthClient);
    await expect((client as PluggableAuthClient).retrieveSubjectToken()).rejects.toThrow(/GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES/);
    setEnv({ [GCP_ALLOW_EXECUTABLES_ENV]: "1" });
    expect(await (client as PluggableAuthClient).retrieveSubjectToken()).toBe(TOKEN);
  });

  it("an executable source defaults to the library's 30 s timeout and keeps output_file", () => {
    const config = gcpExternalAccount({ workloadIdentityProvider: PROVIDER, executable: { command: "okta-token --gcp-executable", outputFile: "/tmp/cache.json" } });
    expect(config.credential_source).toEqual({ executable: { command: "okta-token --gcp-executable", timeout_millis: 30_000, output_file: "/tmp/cache.json" } });
    expect(ExternalAccountClient.fromJSON(structuredClone(config) as never)).toBeInstanceOf(PluggableAuthClient);
  });

  it.each([
    [{ workloadIdentityProvider: "okta-dev/okta" }, /invalid workload identity provider "okta-dev\/okta"/],
    [{ workloadIdentityProvider: PROVIDER, tokenFile: "/t", executable: { command: "x" } }, /either a token file or an executable/],
    [{ workloadIdentityProvider: PROVIDER, executable: { command: "x", timeoutMillis: 1000 } }, /timeout must be 5000-120000 ms, got 1000/],
    [{ workloadIdentityProvider: PROVIDER, serviceAccountEmail: "not an email" }, /invalid service account email/],
  ])("rejects %j", (args, message) => {
    expect(() => gcpExternalAccount(args)).toThrow(message);
  });

  it("accepts the provider name with its //iam.googleapis.com/ prefix", () => {
    expect(gcpExternalAccount({ workloadIdentityProvider: `//iam.googleapis.com/${PROVIDER}` }).audience).toBe(`//iam.googleapis.com/${PROVIDER}`);
  });
});

/** A roleAssumerWithWebIdentity that records the STS request instead of calling STS. */
function fakeSts() {
  const calls: Record<string, unknown>[] = [];
  const assume = async (params: Record<string, unknown>) => {
    calls.push(params);
    return { accessKeyId: "AKIAFAKE", secretAccessKey: "fake", sessionToken: "fake", expiration: new Date(Date.now() + 3_600_000) };
  };
  return { calls, assume };
}

describe("AWS web identity (@aws-sdk/credential-providers)", () => {
  it("fromTokenFile reads AWS_ROLE_ARN and the token file from the generated environment", async () => {
    const env = awsEnvironment({ roleArn: ROLE_ARN, tokenFile, sessionName: "payments-dev" });
    expect(env).toEqual({ AWS_ROLE_ARN: ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_SESSION_NAME: "payments-dev" });
    setEnv({ ...env });
    const sts = fakeSts();
    const creds = await fromTokenFile({ roleAssumerWithWebIdentity: sts.assume as never })();
    expect(creds.accessKeyId).toBe("AKIAFAKE");
    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]).toMatchObject({ RoleArn: ROLE_ARN, WebIdentityToken: TOKEN, RoleSessionName: "payments-dev" });
  });

  it("without a session name the SDK picks one", async () => {
    const env = awsEnvironment({ roleArn: ROLE_ARN, tokenFile });
    expect(env).not.toHaveProperty("AWS_ROLE_SESSION_NAME");
    setEnv({ ...env, AWS_ROLE_SESSION_NAME: undefined });
    const sts = fakeSts();
    await fromTokenFile({ roleAssumerWithWebIdentity: sts.assume as never })();
    expect(sts.calls[0]).toMatchObject({ RoleArn: ROLE_ARN, WebIdentityToken: TOKEN });
    expect(String(sts.calls[0]!.RoleSessionName)).toMatch(/^aws-sdk-js-session-\d+$/);
  });

  it("fromIni assumes the role from the generated shared-config profile", async () => {
    const text = awsProfile({ profile: "payments-dev", roleArn: ROLE_ARN, tokenFile, region: "eu-west-1", sessionName: "payments" });
    expect(text).toBe(
      `[profile payments-dev]\nrole_arn = ${ROLE_ARN}\nweb_identity_token_file = ${tokenFile}\nrole_session_name = payments\nregion = eu-west-1\n`,
    );
    const configFile = join(dir, "aws-config");
    writeFileSync(configFile, `[default]\nregion = us-east-1\n\n${text}`);
    // Keep the SDK away from the real ~/.aws and from ambient settings.
    setEnv({ AWS_ROLE_ARN: undefined, AWS_WEB_IDENTITY_TOKEN_FILE: undefined, AWS_PROFILE: undefined });
    const sts = fakeSts();
    const creds = await fromIni({
      profile: "payments-dev",
      configFilepath: configFile,
      filepath: join(dir, "no-credentials-file"),
      ignoreCache: true,
      roleAssumerWithWebIdentity: sts.assume as never,
    })();
    expect(creds.secretAccessKey).toBe("fake");
    expect(sts.calls).toEqual([expect.objectContaining({ RoleArn: ROLE_ARN, WebIdentityToken: TOKEN, RoleSessionName: "payments" })]);
  });

  it("the default profile is written as [default]", async () => {
    const text = awsProfile({ profile: "default", roleArn: ROLE_ARN, tokenFile });
    expect(text.split("\n")[0]).toBe("[default]");
    const configFile = join(dir, "aws-config-default");
    writeFileSync(configFile, text);
    const sts = fakeSts();
    await fromIni({ profile: "default", configFilepath: configFile, filepath: join(dir, "none"), ignoreCache: true, roleAssumerWithWebIdentity: sts.assume as never })();
    expect(sts.calls[0]).toMatchObject({ RoleArn: ROLE_ARN, WebIdentityToken: TOKEN });
  });

  it.each([
    [{ profile: "bad name", roleArn: ROLE_ARN }, /invalid profile name "bad name"/],
    [{ profile: "p", roleArn: "arn:aws:iam::1:role/x" }, /invalid role ARN/],
    [{ profile: "p", roleArn: ROLE_ARN, tokenFile: "/tmp/a #b" }, /cannot be written to an AWS config file/],
    [{ profile: "p", roleArn: ROLE_ARN, sessionName: "x" }, /invalid role session name "x"/],
    [{ profile: "p", roleArn: ROLE_ARN, region: "Mars" }, /invalid AWS region "Mars"/],
  ])("rejects %j", (args, message) => {
    expect(() => awsProfile(args)).toThrow(message);
  });
});

type AzureHttpClient = NonNullable<WorkloadIdentityCredentialOptions["httpClient"]>;
type AzureResponse = Awaited<ReturnType<AzureHttpClient["sendRequest"]>>;

/** Minimal HttpHeaders for fake responses (the sandbox's, over the SDK's interface). */
const headers = (values: Record<string, string>): AzureResponse["headers"] => pipelineHeaders(Object.entries(values));

/**
 * An HttpClient standing in for Entra ID: answers the authority metadata MSAL asks for and the
 * token request, and records every request. Anything else fails the test.
 */
function fakeEntra(tenant: string) {
  const requests: { method: string; url: URL; body: URLSearchParams }[] = [];
  const base = `https://login.microsoftonline.com/${tenant}`;
  const client: AzureHttpClient = {
    async sendRequest(request) {
      const url = new URL(request.url);
      requests.push({ method: request.method, url, body: new URLSearchParams(typeof request.body === "string" ? request.body : "") });
      const json = (status: number, body: unknown): AzureResponse => ({
        request,
        status,
        headers: headers({ "content-type": "application/json" }),
        bodyAsText: JSON.stringify(body),
      });
      if (url.host !== "login.microsoftonline.com") return json(500, { error: `unexpected host ${url.host}` });
      if (url.pathname.endsWith("/discovery/instance")) {
        return json(200, {
          tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
          "api-version": "1.1",
          metadata: [{ preferred_network: "login.microsoftonline.com", preferred_cache: "login.windows.net", aliases: ["login.microsoftonline.com", "login.windows.net"] }],
        });
      }
      if (url.pathname.endsWith("/.well-known/openid-configuration")) {
        return json(200, {
          token_endpoint: `${base}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
          jwks_uri: `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`,
          token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
          response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
          scopes_supported: ["openid", "profile", "email", "offline_access"],
          tenant_region_scope: "EU",
        });
      }
      if (request.method === "POST" && url.pathname === `/${tenant}/oauth2/v2.0/token`) {
        return json(200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: "fake-azure-access-token" });
      }
      return json(404, { error: `unexpected request ${request.method} ${url}` });
    },
  };
  return { client, requests };
}

describe("Azure workload identity (@azure/identity)", () => {
  it("WorkloadIdentityCredential sends the token file as the client assertion for AZURE_CLIENT_ID in AZURE_TENANT_ID", async () => {
    const env = azureEnvironment({ clientId: AZURE_CLIENT, tenantId: TENANT, tokenFile });
    expect(env).toEqual({ AZURE_CLIENT_ID: AZURE_CLIENT, AZURE_TENANT_ID: TENANT, AZURE_FEDERATED_TOKEN_FILE: tokenFile });
    setEnv({ ...env });
    const entra = fakeEntra(TENANT);
    const credential = new WorkloadIdentityCredential({ httpClient: entra.client });
    const token = await credential.getToken("https://management.azure.com/.default");
    expect(token.token).toBe("fake-azure-access-token");
    expect(entra.requests.every((r) => r.url.host === "login.microsoftonline.com")).toBe(true);
    const tokenRequests = entra.requests.filter((r) => r.method === "POST");
    expect(tokenRequests).toHaveLength(1);
    const { url, body } = tokenRequests[0]!;
    expect(url.pathname).toBe(`/${TENANT}/oauth2/v2.0/token`);
    expect(body.get("grant_type")).toBe("client_credentials");
    expect(body.get("client_id")).toBe(AZURE_CLIENT);
    expect(body.get("client_assertion_type")).toBe(CLIENT_ASSERTION_TYPE);
    expect(body.get("client_assertion")).toBe(TOKEN);
    expect(body.get("scope")).toContain("https://management.azure.com/.default");
  });

  it("the library trims the file, so a trailing newline would be tolerated there (but not by AWS)", async () => {
    const withNewline = join(dir, "token-nl");
    writeFileSync(withNewline, `${TOKEN}\n`);
    chmodSync(withNewline, 0o600);
    setEnv({ ...azureEnvironment({ clientId: AZURE_CLIENT, tenantId: TENANT, tokenFile: withNewline }) });
    const entra = fakeEntra(TENANT);
    await new WorkloadIdentityCredential({ httpClient: entra.client }).getToken("https://management.azure.com/.default");
    expect(entra.requests.find((r) => r.method === "POST")!.body.get("client_assertion")).toBe(TOKEN);
  });

  it("rejects an invalid tenant id", () => {
    expect(() => azureEnvironment({ clientId: AZURE_CLIENT, tenantId: "a/b", tokenFile })).toThrow(CredentialsError);
  });
});

describe("formatting and the Okta request parts", () => {
  it("formats env lines with shell-safe quoting", () => {
    expect(formatEnv({ A: "plain/value-1.2", B: "<placeholder.x>", C: "it's", D: undefined })).toBe("A=plain/value-1.2\nB='<placeholder.x>'\nC='it'\\''s'\n");
    expect(formatEnv({ A: "x" }, { export: true })).toBe("export A=x\n");
    expect(shellQuote("")).toBe("''");
    expect(() => formatEnv({ "1A": "x" })).toThrow(/invalid environment variable name/);
    expect(() => formatEnv({ A: "x\ny" })).toThrow(/newline/);
  });

  it("builds the token endpoint, assertion claims and request body", () => {
    expect(oktaTokenEndpoint("https://acme.okta.com/oauth2/aus1")).toBe("https://acme.okta.com/oauth2/aus1/v1/token");
    expect(oktaTokenEndpoint("http://127.0.0.1:8080/oauth2/x/")).toBe("http://127.0.0.1:8080/oauth2/x/v1/token");
    expect(() => oktaTokenEndpoint("http://acme.okta.com/oauth2/aus1")).toThrow(/must be https/);
    const claims = clientAssertionClaims({ clientId: "0oa1", tokenEndpoint: "https://t/v1/token", nowSeconds: 1000.7, jti: "j1" });
    expect(claims).toEqual({ iss: "0oa1", sub: "0oa1", aud: "https://t/v1/token", iat: 1000, exp: 1300, jti: "j1" });
    expect(() => clientAssertionClaims({ clientId: "0oa1", tokenEndpoint: "t", nowSeconds: 0, jti: "j", lifetimeSeconds: 3600 })).toThrow(/1-300 seconds/);
    const body = new URLSearchParams(tokenRequestBody({ scopes: ["api.read", "api.write"], clientAssertion: "a.b.c" }));
    expect(Object.fromEntries(body)).toEqual({
      grant_type: "client_credentials",
      scope: "api.read api.write",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: "a.b.c",
    });
    expect(normalizeScopes("api.read, api.write api.read")).toEqual(["api.read", "api.write"]);
    expect(() => normalizeScopes(" ")).toThrow(/at least one custom scope/);
  });
});
