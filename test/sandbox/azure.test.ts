/**
 * The Azure part of the sandbox, end to end: Okta tokens fetched over HTTP by the workload's token
 * fetcher, exchanged by the real @azure/identity WorkloadIdentityCredential (MSAL inside) at the
 * sandbox's Entra ID, which decides from the plan's managed identities and federated credentials.
 * dev: payments and billing-export use Azure (tenant …aa); multi: billing in the globex federation
 * (another Okta org, tenant …bb).
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { planStack, planToJson } from "../../tools/offline/plan";
import { azureWorkload, startEntra } from "../../tools/sandbox/azure";
import { materialize } from "../../tools/sandbox/materialize";
import { SandboxNetwork } from "../../tools/sandbox/network";
import { peek } from "../../tools/sandbox/oidc";
import { startOkta, type SandboxClient, type SandboxIssuer } from "../../tools/sandbox/okta";
import type { Emulator } from "../../tools/sandbox/types";
import type { PlanDocument, PlanResource } from "../../tools/verify/model";
import { fetchToken } from "../../workload/token";
import { fixtureStack } from "../helpers/stacks";

const FIC = "azure-native:managedidentity:FederatedIdentityCredential";

/** What a service needs to run the Azure exchange: its Okta client and its planned identity. */
interface AzureService {
  readonly key: string;
  readonly issuer: SandboxIssuer;
  readonly client: SandboxClient;
  readonly clientId: string;
  readonly tenantId: string;
  readonly tokenFile: string;
}

let dir: string;
let network: SandboxNetwork;
let devPlan: PlanDocument;
let multiPlan: PlanDocument;
let devEntra: Emulator;
let multiEntra: Emulator;
const services = new Map<string, AzureService>();

async function materialized(stack: string): Promise<PlanDocument> {
  return materialize(planToJson(await planStack(fixtureStack(stack))) as unknown as PlanDocument);
}

/** The services of a stack's outputs (or of its federations') that have an Azure identity. */
function azureServices(plan: PlanDocument): Array<{ key: string; oktaClientId: string; clientId: string; tenantId: string }> {
  const groups: Array<[string, Record<string, any>]> = plan.outputs?.federations
    ? Object.entries(plan.outputs.federations as Record<string, any>).map(([name, f]) => [`${name}/`, f.services ?? {}])
    : [["", plan.outputs?.services ?? {}]];
  return groups.flatMap(([prefix, byKey]) =>
    Object.entries(byKey)
      .filter(([, s]) => s.azure)
      .map(([key, s]) => ({ key: `${prefix}${key}`, oktaClientId: String(s.clientId), clientId: String(s.azure.clientId), tenantId: String(s.azure.tenantId) })),
  );
}

/** Fetches every Azure service's token with the workload's fetcher and writes its token file. */
async function prepare(plan: PlanDocument, issuers: readonly SandboxIssuer[]): Promise<void> {
  for (const s of azureServices(plan)) {
    const issuer = issuers.find((i) => i.clients.some((c) => c.clientId === s.oktaClientId));
    const client = issuer?.clients.find((c) => c.clientId === s.oktaClientId);
    if (!issuer || !client) throw new Error(`no sandbox issuer has client ${s.oktaClientId} (${s.key})`);
    const tokenFile = join(dir, `${s.key.replace("/", "-")}.token`);
    await fetchToken({ issuer: issuer.issuer, clientId: client.clientId, privateKeyFile: client.privateKeyFile, keyId: client.kid, scopes: [...client.scopes], tokenFile, fetch: network.fetch });
    services.set(s.key, { key: s.key, issuer, client, clientId: s.clientId, tenantId: s.tenantId, tokenFile });
  }
}

function service(key: string): AzureService {
  const found = services.get(key);
  if (!found) throw new Error(`no Azure service ${key}; have ${[...services.keys()].join(", ")}`);
  return found;
}

/** Writes `token` to a fresh token file. */
function tokenFile(name: string, token: string): string {
  const file = join(dir, `${name}.token`);
  writeFileSync(file, token, { mode: 0o600 });
  return file;
}

/** The claims the issuer's token for `s` carries, for probes that change one of them. */
function oktaClaims(s: AzureService, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { aud: s.issuer.audience, sub: s.client.clientId, cid: s.client.clientId, scp: [...s.client.scopes], ...overrides };
}

/** A deep copy of the plan with one FIC's inputs changed (the identity's own resource stays). */
function withCredential(plan: PlanDocument, identityName: string, change: (inputs: Record<string, any>) => Record<string, any> | undefined): PlanDocument {
  const copy = structuredClone(plan) as { resources: PlanResource[] } & PlanDocument;
  const index = copy.resources.findIndex((r) => r.type === FIC && r.inputs.resourceName === identityName);
  if (index < 0) throw new Error(`no federated credential on ${identityName}`);
  const changed = change({ ...copy.resources[index]!.inputs });
  if (changed) copy.resources[index] = { ...copy.resources[index]!, inputs: changed };
  else copy.resources.splice(index, 1);
  return copy;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sandbox-azure-"));
  network = new SandboxNetwork();
  // One offline run at a time: the Pulumi runtime the planner drives is process-global.
  devPlan = await materialized("dev");
  multiPlan = await materialized("multi");
  mkdirSync(join(dir, "dev"));
  mkdirSync(join(dir, "multi"));
  const devIssuers = await startOkta(devPlan, network, join(dir, "dev"));
  const multiIssuers = await startOkta(multiPlan, network, join(dir, "multi"));
  devEntra = await startEntra(devPlan, network);
  multiEntra = await startEntra(multiPlan, network);
  await prepare(devPlan, devIssuers);
  await prepare(multiPlan, multiIssuers);
});

afterAll(async () => {
  await network?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the planned exchanges", () => {
  it("finds the Azure services the fixtures plan", () => {
    expect([...services.keys()].sort()).toEqual(["billing-export", "globex/billing", "payments"]);
    expect(service("payments").tenantId).toBe("00000000-0000-0000-0000-0000000000aa");
    expect(service("globex/billing").tenantId).toBe("00000000-0000-0000-0000-0000000000bb");
  });

  it.each(["payments", "billing-export"])("dev %s gets an Azure token for its managed identity", async (key) => {
    const s = service(key);
    const outcome = await azureWorkload({ clientId: s.clientId, tenantId: s.tenantId, tokenFile: s.tokenFile, entra: devEntra });
    expect(outcome).toEqual({ ok: true, detail: `token for managed identity ${s.clientId}` });
  });

  it("multi globex/billing gets an Azure token in the globex tenant", async () => {
    const s = service("globex/billing");
    const outcome = await azureWorkload({ clientId: s.clientId, tenantId: s.tenantId, tokenFile: s.tokenFile, entra: multiEntra });
    expect(outcome).toEqual({ ok: true, detail: `token for managed identity ${s.clientId}` });
  });

  it("answers the token request with Entra's success shape and an app token for the identity", async () => {
    const s = service("payments");
    const response = await fetch(`${devEntra.url}/${s.tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: s.clientId,
        scope: "https://management.azure.com/.default",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: await s.issuer.sign(oktaClaims(s)),
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 });
    const claims = peek(String(body.access_token)).payload;
    const identity = devPlan.resources.find((r) => r.afterDeploy?.clientId === s.clientId)!;
    expect(claims).toMatchObject({ aud: "https://management.azure.com", appid: s.clientId, tid: s.tenantId, oid: identity.afterDeploy!.principalId, idtyp: "app" });
  });
});

describe("what Entra refuses", () => {
  it("a service's token against another service's identity: AADSTS700213 (subject)", async () => {
    const payments = service("payments");
    const billing = service("billing-export");
    const outcome = await azureWorkload({ clientId: billing.clientId, tenantId: billing.tenantId, tokenFile: payments.tokenFile, entra: devEntra });
    expect(outcome).toMatchObject({ ok: false, code: "AADSTS700213" });
    if (outcome.ok) return;
    expect(outcome.message).toContain(`AADSTS700213: No matching federated identity record found for presented assertion subject '${payments.client.clientId}'.`);
    expect(outcome.message).toContain("Check your federated identity credential Subject, Audience and Issuer against the presented assertion.");
    expect(outcome.message).toMatch(/Trace ID: [0-9a-f-]{36} Correlation ID: [0-9a-f-]{36} Timestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  });

  it("a token from the right issuer for another audience: AADSTS700212 (audience)", async () => {
    const s = service("payments");
    const file = tokenFile("other-audience", await s.issuer.sign(oktaClaims(s, { aud: "api://other" })));
    const outcome = await azureWorkload({ clientId: s.clientId, tenantId: s.tenantId, tokenFile: file, entra: devEntra });
    expect(outcome).toMatchObject({ ok: false, code: "AADSTS700212" });
    if (!outcome.ok) expect(outcome.message).toContain("No matching federated identity record found for presented assertion audience 'api://other'.");
  });

  it("a token of another Okta org (globex) against a dev identity: AADSTS700211 (issuer)", async () => {
    const payments = service("payments");
    const globex = service("globex/billing");
    const outcome = await azureWorkload({ clientId: payments.clientId, tenantId: payments.tenantId, tokenFile: globex.tokenFile, entra: devEntra });
    expect(outcome).toMatchObject({ ok: false, code: "AADSTS700211" });
    if (!outcome.ok) expect(outcome.message).toContain(`No matching federated identity record found for presented assertion issuer '${globex.issuer.issuer}'.`);
  });

  it("a token whose iss is no provider at all, with the right subject and audience: AADSTS700211", async () => {
    const s = service("payments");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ ...oktaClaims(s), iss: "https://evil.example.com/oauth2/default", iat: now, exp: now + 300 }).setProtectedHeader({ alg: "RS256", kid: "evil" }).sign(privateKey);
    const outcome = await azureWorkload({ clientId: s.clientId, tenantId: s.tenantId, tokenFile: tokenFile("evil", forged), entra: devEntra });
    expect(outcome).toMatchObject({ ok: false, code: "AADSTS700211" });
    if (!outcome.ok) expect(outcome.message).toContain("presented assertion issuer 'https://evil.example.com/oauth2/default'");
  });

  it("an expired token: AADSTS700024", async () => {
    const s = service("payments");
    const file = tokenFile("expired", await s.issuer.sign(oktaClaims(s), -60));
    const outcome = await azureWorkload({ clientId: s.clientId, tenantId: s.tenantId, tokenFile: file, entra: devEntra });
    expect(outcome).toMatchObject({ ok: false, code: "AADSTS700024" });
    if (!outcome.ok) expect(outcome.message).toMatch(/^AADSTS700024: Client assertion is not within its valid time range\. Current time: .*expiry time of assertion /);
  });

  it("a token claiming the right issuer, signed by a key the issuer does not publish: AADSTS7000272", async () => {
    const s = service("payments");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ ...oktaClaims(s), iss: s.issuer.issuer, iat: now, exp: now + 300 }).setProtectedHeader({ alg: "RS256", kid: "not-published" }).sign(privateKey);
    const outcome = await azureWorkload({ clientId: s.clientId, tenantId: s.tenantId, tokenFile: tokenFile("unknown-key", forged), entra: devEntra });
    expect(outcome).toMatchObject({ ok: false, code: "AADSTS7000272" });
    if (!outcome.ok) expect(outcome.message).toContain(`The certificate with identifier not-published used to sign the federated credential could not be found in the metadata of identity provider ${s.issuer.issuer}.`);
  });

  it("a token under the issuer's own kid with a signature that does not verify: AADSTS50027", async () => {
    const s = service("payments");
    const realKid = String(peek(await s.issuer.sign(oktaClaims(s))).header.kid);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ ...oktaClaims(s), iss: s.issuer.issuer, iat: now, exp: now + 300 }).setProtectedHeader({ alg: "RS256", kid: realKid }).sign(privateKey);
    const outcome = await azureWorkload({ clientId: s.clientId, tenantId: s.tenantId, tokenFile: tokenFile("bad-signature", forged), entra: devEntra });
    expect(outcome).toMatchObject({ ok: false, code: "AADSTS50027" });
  });

  it("a token file that is not a JWT: AADSTS50027", async () => {
    const s = service("payments");
    const outcome = await azureWorkload({ clientId: s.clientId, tenantId: s.tenantId, tokenFile: tokenFile("garbage", "not-a-jwt"), entra: devEntra });
    expect(outcome).toMatchObject({ ok: false, code: "AADSTS50027", message: expect.stringContaining("JWT token is invalid or malformed.") });
  });

  it("the globex identity asked for in the acme tenant: AADSTS700016", async () => {
    const s = service("globex/billing");
    const acmeTenant = service("payments").tenantId;
    const outcome = await azureWorkload({ clientId: s.clientId, tenantId: acmeTenant, tokenFile: s.tokenFile, entra: multiEntra });
    expect(outcome).toMatchObject({ ok: false, code: "AADSTS700016" });
    if (!outcome.ok) expect(outcome.message).toContain(`Application with identifier '${s.clientId}' was not found in the directory '${acmeTenant}'.`);
  });

  it("refuses in Entra's error shape: 401 invalid_client with the codes, ids and error_uri", async () => {
    const payments = service("payments");
    const billing = service("billing-export");
    const response = await fetch(`${devEntra.url}/${billing.tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "client-request-id": "11111111-2222-4333-8444-555555555555" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: billing.clientId,
        scope: "https://management.azure.com/.default",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: await payments.issuer.sign(oktaClaims(payments)),
      }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as Record<string, any>;
    expect(Object.keys(body).sort()).toEqual(["correlation_id", "error", "error_codes", "error_description", "error_uri", "timestamp", "trace_id"]);
    expect(body).toMatchObject({
      error: "invalid_client",
      error_codes: [700213],
      correlation_id: "11111111-2222-4333-8444-555555555555",
      error_uri: "https://login.microsoftonline.com/error?code=700213",
    });
    expect(body.error_description).toContain(`Trace ID: ${body.trace_id} Correlation ID: 11111111-2222-4333-8444-555555555555 Timestamp: ${body.timestamp}`);
  });
});

describe("a trust broken on purpose in the plan", () => {
  it("the payments subject pinned in another case: the service's own exchange fails with AADSTS700213", async () => {
    const s = service("payments");
    const broken = withCredential(devPlan, "id-dev-payments", (inputs) => ({ ...inputs, subject: String(inputs.subject).toUpperCase() }));
    const entra = await startEntra(broken, network);
    const outcome = await azureWorkload({ clientId: s.clientId, tenantId: s.tenantId, tokenFile: s.tokenFile, entra });
    expect(outcome).toMatchObject({ ok: false, code: "AADSTS700213" });
    if (!outcome.ok) expect(outcome.message).toContain(`presented assertion subject '${s.client.clientId}'`);
  });

  it("the payments issuer pinned with a trailing slash: AADSTS700211", async () => {
    const s = service("payments");
    const broken = withCredential(devPlan, "id-dev-payments", (inputs) => ({ ...inputs, issuer: `${inputs.issuer}/` }));
    const outcome = await azureWorkload({ clientId: s.clientId, tenantId: s.tenantId, tokenFile: s.tokenFile, entra: await startEntra(broken, network) });
    expect(outcome).toMatchObject({ ok: false, code: "AADSTS700211" });
  });

  it("the payments audience pinned to another value: AADSTS700212", async () => {
    const s = service("payments");
    const broken = withCredential(devPlan, "id-dev-payments", (inputs) => ({ ...inputs, audiences: ["api://AzureADTokenExchange"] }));
    const outcome = await azureWorkload({ clientId: s.clientId, tenantId: s.tenantId, tokenFile: s.tokenFile, entra: await startEntra(broken, network) });
    expect(outcome).toMatchObject({ ok: false, code: "AADSTS700212" });
    if (!outcome.ok) expect(outcome.message).toContain(`presented assertion audience '${s.issuer.audience}'`);
  });

  it("the payments federated credential left out: AADSTS70021, naming issuer, subject and audience", async () => {
    const s = service("payments");
    const broken = withCredential(devPlan, "id-dev-payments", () => undefined);
    const outcome = await azureWorkload({ clientId: s.clientId, tenantId: s.tenantId, tokenFile: s.tokenFile, entra: await startEntra(broken, network) });
    expect(outcome).toMatchObject({ ok: false, code: "AADSTS70021" });
    if (!outcome.ok) {
      expect(outcome.message).toContain(
        `No matching federated identity record found for presented assertion. Assertion Issuer: '${s.issuer.issuer}'. Assertion Subject: '${s.client.clientId}'. Assertion Audience: '${s.issuer.audience}'.`,
      );
    }
    // The other service keeps its trust.
    const billing = service("billing-export");
    expect(await azureWorkload({ clientId: billing.clientId, tenantId: billing.tenantId, tokenFile: billing.tokenFile, entra: await startEntra(broken, network) })).toMatchObject({ ok: true });
  });
});
