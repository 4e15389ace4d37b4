/**
 * The GCP part of the sandbox, end to end: Okta tokens fetched over HTTP by the workload's token
 * fetcher, exchanged by google-auth-library's ExternalAccountClient (the real SDK) at the STS and
 * IAM Credentials emulators, with the trust as the fixture stacks plan it. dev: payments impersonates
 * a service account, reporting has direct project grants; prod: payments impersonates; multi: a
 * dedicated GCP issuer with a direct grant, next to an AWS-only issuer of the same Okta org; grants:
 * dev with roles on single resources (gcp.resourceRoles), a bucket each and reporting's accepted
 * identity-admin grant on payments' service account.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack, planToJson } from "../../tools/offline/plan";
import { gcpResourceWorkload, gcpWorkload, otherResourceOf, resourceGrantsOf, startGcp, type GcpEmulators, type ResourceGrant } from "../../tools/sandbox/gcp";
import { exchangeLine, runSandbox } from "../../tools/sandbox/run";
import { materialize } from "../../tools/sandbox/materialize";
import { SandboxNetwork } from "../../tools/sandbox/network";
import { startOkta, type SandboxClient, type SandboxIssuer } from "../../tools/sandbox/okta";
import type { Emulator, ExchangeOutcome } from "../../tools/sandbox/types";
import type { PlanDocument, PlanResource } from "../../tools/verify/model";
import { fetchToken } from "../../workload/token";
import { fixtureStack } from "../helpers/stacks";

type Gcp = GcpEmulators;

interface Stack {
  readonly plan: PlanDocument;
  readonly issuers: readonly SandboxIssuer[];
  readonly gcp: Gcp;
}

const DENIED = "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).";
const CONDITION = "The given credential is rejected by the attribute condition.";
const INVALID_TARGET =
  'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.';
const PROVIDER_TYPE = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider";

const network = new SandboxNetwork();
const dir = mkdtempSync(join(tmpdir(), "sandbox-gcp-"));
let files = 0;
const stacks: Record<string, Stack> = {};

async function planOf(name: string): Promise<PlanDocument> {
  return materialize(planToJson(await planStack(fixtureStack(name))) as unknown as PlanDocument);
}

async function startStack(name: string): Promise<Stack> {
  const plan = await planOf(name);
  const keyDir = join(dir, name);
  mkdirSync(keyDir);
  const issuers = await startOkta(plan, network, keyDir);
  return { plan, issuers, gcp: await startGcp(plan, network) };
}

/** The issuer and client of an Okta app (`federation-payments-app`). */
function appOf(stack: Stack, app: string): { issuer: SandboxIssuer; client: SandboxClient } {
  for (const issuer of stack.issuers) {
    const client = issuer.clients.find((c) => c.app === app);
    if (client) return { issuer, client };
  }
  throw new Error(`no Okta app ${app} in the plan`);
}

/** The service's token, fetched from its Okta server as the workload does, in a new token file. */
async function tokenFileOf(stack: Stack, app: string): Promise<string> {
  const { issuer, client } = appOf(stack, app);
  const tokenFile = join(dir, `token-${++files}`);
  await fetchToken({ issuer: issuer.issuer, clientId: client.clientId, privateKeyFile: client.privateKeyFile, keyId: client.kid, scopes: client.scopes, tokenFile, fetch: network.fetch });
  return tokenFile;
}

function writeTokenFile(token: string): string {
  const tokenFile = join(dir, `token-${++files}`);
  writeFileSync(tokenFile, token, { mode: 0o600 });
  return tokenFile;
}

/** A service's GCP stack outputs (`services.<key>.gcp`, or under `federations.<name>`). */
function gcpOutputs(plan: PlanDocument, service: string, federation?: string): { credentialConfig: Record<string, any>; principal: string; serviceAccountEmail?: string } {
  const services = federation ? plan.outputs?.federations?.[federation]?.services : plan.outputs?.services;
  const gcp = services?.[service]?.gcp;
  if (!gcp) throw new Error(`no GCP outputs for service ${service}`);
  return gcp;
}

function run(stack: Stack, credentialConfig: object, tokenFile: string, gcp: Gcp = stack.gcp): Promise<ExchangeOutcome> {
  return gcpWorkload({ credentialConfig, tokenFile, gcp, plan: stack.plan });
}

/** A copy of the plan with `change` applied to the resource of `type` named `name`. */
function brokenPlan(plan: PlanDocument, type: string, name: string, change: (r: PlanResource) => void): PlanDocument {
  const copy = structuredClone(plan);
  const resource = copy.resources.find((r) => r.type === type && r.name === name);
  if (!resource) throw new Error(`no ${type} ${name} in the plan`);
  change(resource);
  return copy;
}

beforeAll(async () => {
  for (const name of ["dev", "prod", "multi", "grants"]) stacks[name] = await startStack(name);
});

afterAll(async () => {
  await network.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("dev: payments impersonates a service account, reporting has direct grants", () => {
  const dev = () => stacks.dev!;

  it("payments gets its service account's token", async () => {
    const outcome = await run(dev(), gcpOutputs(dev().plan, "payments").credentialConfig, await tokenFileOf(dev(), "federation-payments-app"));
    expect(outcome).toEqual({ ok: true, detail: "impersonates dev-payments@acme-dev-example.iam.gserviceaccount.com" });
  });

  it("reporting gets a federated token for its principal, which holds its planned project roles", async () => {
    const { credentialConfig, principal } = gcpOutputs(dev().plan, "reporting");
    expect(principal).toMatch(/^principal:\/\/iam\.googleapis\.com\/projects\/\d{12}\/locations\/global\/workloadIdentityPools\/okta-dev\/subject\/0oa/);
    const outcome = await run(dev(), credentialConfig, await tokenFileOf(dev(), "federation-reporting-app"));
    expect(outcome).toEqual({ ok: true, detail: `federated token for ${principal}; planned project roles: roles/bigquery.dataViewer, roles/bigquery.jobUser` });
  });

  it("reporting's token with payments' config: the shared provider admits it, the impersonation is denied", async () => {
    const outcome = await run(dev(), gcpOutputs(dev().plan, "payments").credentialConfig, await tokenFileOf(dev(), "federation-reporting-app"));
    expect(outcome).toEqual({ ok: false, code: "PERMISSION_DENIED", message: DENIED });
  });

  it("payments' token with reporting's config stands for payments, which holds none of reporting's roles", async () => {
    const payments = gcpOutputs(dev().plan, "payments").principal;
    const outcome = await run(dev(), gcpOutputs(dev().plan, "reporting").credentialConfig, await tokenFileOf(dev(), "federation-payments-app"));
    expect(outcome).toEqual({ ok: true, detail: `federated token for ${payments}; planned project roles: none` });
  });

  it("billing-export, a client of the same issuer without GCP access, is rejected by the attribute condition", async () => {
    const outcome = await run(dev(), gcpOutputs(dev().plan, "payments").credentialConfig, await tokenFileOf(dev(), "federation-billing-export-app"));
    expect(outcome).toEqual({ ok: false, code: "unauthorized_client", message: CONDITION });
  });

  it("a token of the right issuer for another audience is refused: invalid_grant", async () => {
    const { issuer, client } = appOf(dev(), "federation-payments-app");
    const token = await issuer.sign({ aud: "api://other", sub: client.clientId, cid: client.clientId, scp: client.scopes });
    const outcome = await run(dev(), gcpOutputs(dev().plan, "payments").credentialConfig, writeTokenFile(token));
    expect(outcome).toEqual({ ok: false, code: "invalid_grant", message: "The audience in ID Token [api://other] does not match the expected audience." });
  });

  it("a token from another issuer is refused: invalid_grant naming both issuers", async () => {
    const other = appOf(stacks.multi!, "gcp-issuer-payments-app");
    const mine = appOf(dev(), "federation-payments-app");
    const outcome = await run(dev(), gcpOutputs(dev().plan, "payments").credentialConfig, await tokenFileOf(stacks.multi!, "gcp-issuer-payments-app"));
    expect(outcome).toEqual({ ok: false, code: "invalid_grant", message: `The issuer in ID Token ${other.issuer.issuer} does not match the expected ones: ${mine.issuer.issuer}` });
  });

  it("an expired token is refused: invalid_grant", async () => {
    const { issuer, client } = appOf(dev(), "federation-payments-app");
    const now = Math.floor(Date.now() / 1000);
    const token = await issuer.sign({ aud: issuer.audience, sub: client.clientId, cid: client.clientId, scp: client.scopes, iat: now - 7200, exp: now - 3600 });
    const outcome = await run(dev(), gcpOutputs(dev().plan, "payments").credentialConfig, writeTokenFile(token));
    expect(outcome).toEqual({ ok: false, code: "invalid_grant", message: `ID Token issued at ${now - 7200} is stale to sign-in.` });
  });

  it("a token valid for 48 hours or more is refused: invalid_grant", async () => {
    const { issuer, client } = appOf(dev(), "federation-payments-app");
    const token = await issuer.sign({ aud: issuer.audience, sub: client.clientId, cid: client.clientId, scp: client.scopes }, 48 * 3600);
    const outcome = await run(dev(), gcpOutputs(dev().plan, "payments").credentialConfig, writeTokenFile(token));
    expect(outcome).toMatchObject({ ok: false, code: "invalid_grant", message: expect.stringContaining("less than 48 hours after iat") });
  });

  it("a provider that is not in the plan is refused: invalid_target", async () => {
    const config = structuredClone(gcpOutputs(dev().plan, "payments").credentialConfig);
    config.audience = config.audience.replace(/\/providers\/[^/]+$/, "/providers/okta-missing");
    const outcome = await run(dev(), config, await tokenFileOf(dev(), "federation-payments-app"));
    expect(outcome).toEqual({ ok: false, code: "invalid_target", message: INVALID_TARGET });
  });
});

describe("dev with one trust broken in the plan: the service's own exchange fails", () => {
  const dev = () => stacks.dev!;
  const PROVIDER = "federation-gcp-pool-provider-okta";

  async function paymentsWith(plan: PlanDocument): Promise<ExchangeOutcome> {
    const gcp = await startGcp(plan, network);
    return run(dev(), gcpOutputs(dev().plan, "payments").credentialConfig, await tokenFileOf(dev(), "federation-payments-app"), gcp);
  }

  it("the condition pins another client id: unauthorized_client", async () => {
    const payments = appOf(dev(), "federation-payments-app").client.clientId;
    const plan = brokenPlan(dev().plan, PROVIDER_TYPE, PROVIDER, (r) => {
      r.inputs.attributeCondition = String(r.inputs.attributeCondition).replace(payments, "0oaSOMEONEELSE000000");
    });
    expect(await paymentsWith(plan)).toEqual({ ok: false, code: "unauthorized_client", message: CONDITION });
  });

  it("matches() in the condition is RE2, as Google's CEL: an RE2 flag admits, a look-ahead (RE2 refuses it) rejects", async () => {
    const withMatches = (pattern: string) =>
      brokenPlan(dev().plan, PROVIDER_TYPE, PROVIDER, (r) => {
        r.inputs.attributeCondition = `${String(r.inputs.attributeCondition)} && assertion.tenant_id.matches('${pattern}')`;
      });
    expect(await paymentsWith(withMatches("(?i)^ACME$"))).toEqual({ ok: true, detail: "impersonates dev-payments@acme-dev-example.iam.gserviceaccount.com" });
    expect(await paymentsWith(withMatches("^(?=a)acme$"))).toEqual({ ok: false, code: "unauthorized_client", message: CONDITION });
  });

  it("the impersonation grant names another subject: PERMISSION_DENIED", async () => {
    const plan = brokenPlan(dev().plan, "gcp:serviceaccount/iAMMember:IAMMember", "federation-payments-gcp-impersonation", (r) => {
      r.inputs.member = String(r.inputs.member).replace(/\/subject\/.*$/, "/subject/0oaSOMEONEELSE000000");
    });
    expect(await paymentsWith(plan)).toEqual({ ok: false, code: "PERMISSION_DENIED", message: DENIED });
  });

  it("the provider is disabled: invalid_target", async () => {
    const plan = brokenPlan(dev().plan, PROVIDER_TYPE, PROVIDER, (r) => {
      r.inputs.disabled = true;
    });
    expect(await paymentsWith(plan)).toEqual({ ok: false, code: "invalid_target", message: INVALID_TARGET });
  });

  it("google.subject maps to more than 127 bytes: invalid_request", async () => {
    const plan = brokenPlan(dev().plan, PROVIDER_TYPE, PROVIDER, (r) => {
      r.inputs.attributeMapping = { ...r.inputs.attributeMapping, "google.subject": "assertion.sub + assertion.sub + assertion.sub + assertion.sub + assertion.sub + assertion.sub + assertion.sub" };
    });
    expect(await paymentsWith(plan)).toEqual({
      ok: false,
      code: "invalid_request",
      message:
        "The size of mapped attribute google.subject exceeds the 127 bytes limit. Either modify your attribute mapping or the incoming assertion to produce a mapped attribute that is less than 127 bytes.",
    });
  });

  it("no allowed audiences: only the provider's own name is accepted, so the Okta audience is refused", async () => {
    const plan = brokenPlan(dev().plan, PROVIDER_TYPE, PROVIDER, (r) => {
      r.inputs.oidc = { ...r.inputs.oidc, allowedAudiences: [] };
    });
    expect(await paymentsWith(plan)).toEqual({ ok: false, code: "invalid_grant", message: "The audience in ID Token [api://services-dev] does not match the expected audience." });

    const gcp = await startGcp(plan, network);
    const config = gcpOutputs(dev().plan, "payments").credentialConfig;
    const { issuer, client } = appOf(dev(), "federation-payments-app");
    const ownName = `https:${config.audience}`;
    const token = await issuer.sign({ aud: ownName, sub: client.clientId, cid: client.clientId, scp: client.scopes, tenant_id: "acme" });
    expect(await run(dev(), config, writeTokenFile(token), gcp)).toEqual({ ok: true, detail: "impersonates dev-payments@acme-dev-example.iam.gserviceaccount.com" });
  });
});

describe("prod: payments impersonates through the custom-domain issuer", () => {
  it("payments gets its service account's token", async () => {
    const prod = stacks.prod!;
    const outcome = await run(prod, gcpOutputs(prod.plan, "payments").credentialConfig, await tokenFileOf(prod, "federation-payments-app"));
    expect(outcome).toEqual({ ok: true, detail: "impersonates prod-payments@acme-prod-example.iam.gserviceaccount.com" });
  });

  it("a dev token is refused by prod's provider: invalid_grant", async () => {
    const prod = stacks.prod!;
    const outcome = await run(prod, gcpOutputs(prod.plan, "payments").credentialConfig, await tokenFileOf(stacks.dev!, "federation-payments-app"));
    expect(outcome).toMatchObject({ ok: false, code: "invalid_grant", message: expect.stringMatching(/^The issuer in ID Token https:\/\/acme-dev-example\.oktapreview\.com\/.* does not match the expected ones: https:\/\/id\.acme\.example\//) });
  });
});

describe("multi: a dedicated GCP issuer", () => {
  const multi = () => stacks.multi!;

  it("payments of the GCP issuer gets a federated token with its planned project role", async () => {
    const { credentialConfig, principal } = gcpOutputs(multi().plan, "payments", "gcp-issuer");
    const outcome = await run(multi(), credentialConfig, await tokenFileOf(multi(), "gcp-issuer-payments-app"));
    expect(outcome).toEqual({ ok: true, detail: `federated token for ${principal}; planned project roles: roles/storage.objectViewer` });
  });

  it("a token of the AWS issuer (same Okta org, other server) is refused: invalid_grant", async () => {
    const aws = appOf(multi(), "aws-issuer-payments-app");
    const gcpIssuer = appOf(multi(), "gcp-issuer-payments-app");
    const outcome = await run(multi(), gcpOutputs(multi().plan, "payments", "gcp-issuer").credentialConfig, await tokenFileOf(multi(), "aws-issuer-payments-app"));
    expect(outcome).toEqual({ ok: false, code: "invalid_grant", message: `The issuer in ID Token ${aws.issuer.issuer} does not match the expected ones: ${gcpIssuer.issuer.issuer}` });
  });
});

describe("grants: roles on single resources (gcp.resourceRoles)", () => {
  const grants = () => stacks.grants!;
  const BUCKET_PERMISSIONS = "storage.folders.get, storage.folders.list, storage.managedFolders.get, storage.managedFolders.list, storage.objects.get, storage.objects.list";
  const PAYMENTS_SA = "dev-payments@acme-dev-example.iam.gserviceaccount.com";
  const ORDERS: Pick<ResourceGrant, "name" | "resource" | "role"> = {
    name: "//storage.googleapis.com/projects/_/buckets/bar-orders-dev",
    resource: { kind: "bucket", bucket: "bar-orders-dev" },
    role: "roles/storage.objectViewer",
  };
  const bucketDenied = { ok: false, code: "PERMISSION_DENIED", message: "Permission 'storage.folders.get' denied on resource (or it may not exist)." };
  const useRole = async (service: string, app: string, grant: Pick<ResourceGrant, "name" | "resource" | "role">) =>
    gcpResourceWorkload({ credentialConfig: gcpOutputs(grants().plan, service).credentialConfig, tokenFile: await tokenFileOf(grants(), app), gcp: grants().gcp, grant });

  it("the plan's grants, by holder: payments' service account a bucket; reporting's principal a bucket and payments' service account (its own impersonation aside)", () => {
    const { principal } = gcpOutputs(grants().plan, "reporting");
    expect(resourceGrantsOf(grants().plan, `serviceAccount:${PAYMENTS_SA}`, PAYMENTS_SA).map((g) => `${g.role} on ${g.name}`)).toEqual([
      "roles/storage.objectViewer on //storage.googleapis.com/projects/_/buckets/bar-invoices-dev",
    ]);
    expect(resourceGrantsOf(grants().plan, principal).map((g) => `${g.role} on ${g.name}`)).toEqual([
      `roles/iam.workloadIdentityUser on //iam.googleapis.com/projects/acme-dev-example/serviceAccounts/${PAYMENTS_SA}`,
      "roles/storage.objectViewer on //storage.googleapis.com/projects/_/buckets/bar-orders-dev",
    ]);
  });

  it("reporting (direct grants) may use roles/storage.objectViewer on bar-orders-dev", async () => {
    const { principal } = gcpOutputs(grants().plan, "reporting");
    expect(await useRole("reporting", "federation-reporting-app", ORDERS)).toEqual({ ok: true, detail: `as ${principal}: holds ${BUCKET_PERMISSIONS} on bucket bar-orders-dev` });
  });

  it("the same role on another bucket is denied", async () => {
    const other = otherResourceOf({ ...ORDERS, resource: { kind: "bucket", bucket: "bar-orders-dev" } })!;
    expect(other.name).toBe("//storage.googleapis.com/projects/_/buckets/bar-orders-dev-sandbox-other");
    expect(await useRole("reporting", "federation-reporting-app", other)).toEqual(bucketDenied);
  });

  it("payments' token on reporting's bucket (with reporting's config) stands for payments: denied", async () => {
    expect(await useRole("reporting", "federation-payments-app", ORDERS)).toEqual(bucketDenied);
  });

  it("payments uses its bucket through its service account; reporting's bucket is denied to that account", async () => {
    const invoices = { name: "//storage.googleapis.com/projects/_/buckets/bar-invoices-dev", resource: { kind: "bucket", bucket: "bar-invoices-dev" }, role: "roles/storage.objectViewer" } as const;
    expect(await useRole("payments", "federation-payments-app", invoices)).toEqual({ ok: true, detail: `as ${PAYMENTS_SA}: holds ${BUCKET_PERMISSIONS} on bucket bar-invoices-dev` });
    expect(await useRole("payments", "federation-payments-app", ORDERS)).toEqual(bucketDenied);
  });

  it("roles/iam.workloadIdentityUser on payments' service account lets reporting mint tokens as payments; in dev, without it, the same is denied", async () => {
    const payments = gcpOutputs(grants().plan, "payments").credentialConfig;
    expect(await run(grants(), payments, await tokenFileOf(grants(), "federation-reporting-app"))).toEqual({ ok: true, detail: `impersonates ${PAYMENTS_SA}` });
    expect(await run(stacks.dev!, gcpOutputs(stacks.dev!.plan, "payments").credentialConfig, await tokenFileOf(stacks.dev!, "federation-reporting-app"))).toEqual({
      ok: false,
      code: "PERMISSION_DENIED",
      message: DENIED,
    });
  });

  it("a binding or a policy on the bucket grants as a member does; a conditional binding grants nothing", async () => {
    const plan = structuredClone(grants().plan);
    const bucket = (type: string, name: string, inputs: Record<string, unknown>) =>
      (plan.resources as PlanResource[]).push({ urn: `urn:pulumi:grants::okta-federation::${type}::${name}`, type, name, parent: null, inputs: { bucket: "bar-orders-dev", ...inputs } } as PlanResource);
    const emulators = async () => startGcp(plan, network);
    const payments = gcpOutputs(grants().plan, "payments").credentialConfig;
    const use = async (gcp: Gcp) => gcpResourceWorkload({ credentialConfig: payments, tokenFile: await tokenFileOf(grants(), "federation-payments-app"), gcp, grant: ORDERS });
    bucket("gcp:storage/bucketIAMBinding:BucketIAMBinding", "conditional", { role: "roles/storage.objectViewer", members: [`serviceAccount:${PAYMENTS_SA}`], condition: { title: "t", expression: "true" } });
    expect(await use(await emulators())).toEqual(bucketDenied);
    bucket("gcp:storage/bucketIAMPolicy:BucketIAMPolicy", "policy", { policyData: JSON.stringify({ bindings: [{ role: "roles/storage.objectViewer", members: [`serviceAccount:${PAYMENTS_SA}`] }] }) });
    expect(await use(await emulators())).toEqual({ ok: true, detail: `as ${PAYMENTS_SA}: holds ${BUCKET_PERMISSIONS} on bucket bar-orders-dev` });
    (plan.resources as PlanResource[]).pop();
    bucket("gcp:storage/bucketIAMBinding:BucketIAMBinding", "binding", { role: "roles/storage.objectViewer", members: [`serviceAccount:${PAYMENTS_SA}`] });
    expect(await use(await emulators())).toEqual({ ok: true, detail: `as ${PAYMENTS_SA}: holds ${BUCKET_PERMISSIONS} on bucket bar-orders-dev` });
  });

  it("npm run sandbox: each grant used as planned, the same role elsewhere denied, and reporting's takeover of payments an accepted takeover, as verify reports it", async () => {
    const report = await runSandbox(planToJson(await planStack(fixtureStack("grants"))) as unknown as PlanDocument);
    // With payments' AWS inline policy probes and the AWS trust-rewrite probes (test/sandbox/aws.test.ts): 1 allowed, 7 denied.
    expect([report.allowed, report.denied, report.unexpected, report.acceptedTakeovers]).toEqual([10, 43, 0, 2]);
    const onResources = report.exchanges.filter((e) => / on (bucket|service account) /.test(e.target));
    const { principal } = gcpOutputs(grants().plan, "reporting");
    const short = (line: string) => line.replaceAll(principal, "<reporting>");
    const takeover = `identity-admin takeover: reporting holds GCP role roles/iam.workloadIdentityUser on service account ${PAYMENTS_SA}, which holds iam.serviceAccounts.getAccessToken (its holder can act as that service account) (accepted with allowIdentityAdmin: true)`;
    expect(onResources.filter((e) => e.verdict !== "denied as planned" || e.target.endsWith("(not granted)")).map((e) => short(exchangeLine(e)))).toEqual([
      `allowed as planned  payments -> GCP roles/storage.objectViewer on bucket bar-invoices-dev: as ${PAYMENTS_SA}: holds ${BUCKET_PERMISSIONS} on bucket bar-invoices-dev`,
      `allowed as planned  reporting -> GCP roles/iam.workloadIdentityUser on service account ${PAYMENTS_SA}: as <reporting>: holds iam.serviceAccounts.get, iam.serviceAccounts.getAccessToken, iam.serviceAccounts.getOpenIdToken, iam.serviceAccounts.list on service account ${PAYMENTS_SA}; ${takeover}`,
      `allowed as planned  reporting -> GCP roles/storage.objectViewer on bucket bar-orders-dev: as <reporting>: holds ${BUCKET_PERMISSIONS} on bucket bar-orders-dev`,
      "denied as planned   payments -> GCP roles/storage.objectViewer on bucket bar-invoices-dev-sandbox-other (not granted): PERMISSION_DENIED: Permission 'storage.folders.get' denied on resource (or it may not exist).",
      "denied as planned   reporting -> GCP roles/iam.workloadIdentityUser on service account sandbox-other@acme-dev-example.iam.gserviceaccount.com (not granted): PERMISSION_DENIED: Permission 'iam.serviceAccounts.get' denied on resource (or it may not exist).",
      "denied as planned   reporting -> GCP roles/storage.objectViewer on bucket bar-orders-dev-sandbox-other (not granted): PERMISSION_DENIED: Permission 'storage.folders.get' denied on resource (or it may not exist).",
      `accepted takeover   token of reporting -> GCP roles/storage.objectViewer on bucket bar-invoices-dev: as ${PAYMENTS_SA}: holds ${BUCKET_PERMISSIONS} on bucket bar-invoices-dev; ${takeover}`,
    ]);
    expect(report.exchanges.filter((e) => e.verdict === "UNEXPECTED")).toEqual([]);
    expect(report.exchanges.filter((e) => e.verdict === "accepted takeover").map((e) => short(exchangeLine(e)))).toEqual([
      `accepted takeover   token of reporting -> GCP service account ${PAYMENTS_SA}: impersonates ${PAYMENTS_SA}; ${takeover}`,
      `accepted takeover   token of reporting -> GCP roles/storage.objectViewer on bucket bar-invoices-dev: as ${PAYMENTS_SA}: holds ${BUCKET_PERMISSIONS} on bucket bar-invoices-dev; ${takeover}`,
    ]);
    // payments' token with reporting's config stands for payments, which holds nothing there; payments' own account is not probed with its token.
    expect(onResources.filter((e) => e.who === "token of payments").map((e) => `${e.target}: ${e.verdict}`)).toEqual(["GCP roles/storage.objectViewer on bucket bar-orders-dev: denied as planned"]);
  });
});
