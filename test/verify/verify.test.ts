import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROJECT_ROOT, parseStackYaml } from "../../tools/offline/stackFile";
import { planStack, planToJson } from "../../tools/offline/plan";
import { accessDiff } from "../../tools/verify/diff";
import { extractModel, type PlanDocument, type PlanResource } from "../../tools/verify/model";
import { toJson, toMarkdown, toText } from "../../tools/verify/render";
import { jwtAuth, rsaModulus } from "../helpers/fixtures";
import { verifyModel, type VerifyResult } from "../../tools/verify/verify";
import { fixtureStack, fixtureVariant } from "../helpers/stacks";

const ISSUER = "https://acme-dev-example.oktapreview.com/oauth2/<federation-authz-server.id>";
const HOST = "acme-dev-example.oktapreview.com/oauth2/<federation-authz-server.id>";
const POOL = "projects/<acme-dev-example.projectNumber>/locations/global/workloadIdentityPools/okta-dev";
const clientId = (service: string) => `<federation-${service}-app.clientId>`;

let devPlan: PlanDocument;
let prodPlan: PlanDocument;
beforeAll(async () => {
  devPlan = planToJson(await planStack(fixtureStack("dev"))) as unknown as PlanDocument;
  prodPlan = planToJson(await planStack(fixtureStack("prod"))) as unknown as PlanDocument;
});

/** A copy of the dev plan with one resource's inputs changed: a wiring bug, as the program would register it. */
function broken(name: string, change: (inputs: Record<string, any>, resource: PlanResource) => void): PlanDocument {
  const copy = structuredClone(devPlan) as { resources: PlanResource[] } & PlanDocument;
  const resource = copy.resources.find((r) => r.name === name);
  if (!resource) throw new Error(`no resource ${name} in the dev plan`);
  change(resource.inputs, resource);
  return copy;
}

async function verify(plan: PlanDocument): Promise<VerifyResult> {
  return verifyModel(extractModel(plan));
}

/** The dev stack's plan with its config changed first (a config change, not a wiring bug). */
async function devWith(change: (federation: any) => void): Promise<PlanDocument> {
  return planToJson(await planStack(fixtureVariant("dev", change))) as unknown as PlanDocument;
}

const allowed = (result: VerifyResult) =>
  Object.fromEntries(result.services.map((s) => [s.key, result.allowed.filter((c) => c.service === s.key).map((c) => c.target)]));

describe("the example stacks", () => {
  it("dev: each service reaches exactly its own targets and every probe is denied", async () => {
    const result = await verify(devPlan);
    expect(result.findings).toEqual([]);
    expect(result.passed).toBe(true);
    expect(allowed(result)).toEqual({
      "billing-export": ["aws-role:billing-export", "azure-identity:billing-export"],
      payments: ["aws-role:payments", "azure-identity:payments", "gcp-sa:payments"],
      reporting: ["gcp-direct:reporting"],
    });
    expect(result.targets.map((t) => t.id)).toEqual([
      "aws-role:billing-export",
      "aws-role:payments",
      "azure-identity:billing-export",
      "azure-identity:payments",
      "gcp-direct:reporting",
      "gcp-sa:payments",
    ]);
    expect(result.allowed).toHaveLength(6);
    // Every trust on its own: 2 AWS roles, 2 Azure credentials, 1 GCP provider, 3 probes each.
    expect([...new Set(result.probes.map((p) => p.trust))]).toEqual([
      "AWS role billing-export",
      "AWS role payments",
      "Azure credential billing-export/okta-dev",
      "Azure credential payments/okta-dev",
      "GCP provider okta (pool okta-dev)",
    ]);
    expect(result.probes).toHaveLength(5 * 3);
    expect(result.probes.every((p) => p.decision === "deny")).toBe(true);
    expect(result.identityAdmin).toEqual([]);
  });

  it("dev: the simulated token carries Okta's client-credentials claims", async () => {
    const result = await verify(devPlan);
    const payments = result.services.find((s) => s.key === "payments")!;
    expect(payments.claims).toMatchObject({
      iss: ISSUER,
      aud: "api://services-dev",
      sub: clientId("payments"),
      cid: clientId("payments"),
      scp: ["api.read", "api.write"],
      tenant_id: "acme",
      deployment: "dev",
      ver: 1,
    });
  });

  it("prod: each service reaches exactly its own targets", async () => {
    const result = await verify(prodPlan);
    expect(result.findings).toEqual([]);
    expect(allowed(result)).toEqual({
      ledger: ["aws-role:ledger", "azure-identity:ledger"],
      payments: ["aws-role:payments", "azure-identity:payments", "gcp-sa:payments"],
    });
  });
});

describe("broken wiring is named for humans", () => {
  it("Azure credential issuer with a trailing slash", async () => {
    const result = await verify(broken("federation-payments-azure-okta-dev", (i) => (i.issuer = `${ISSUER}/`)));
    expect(result.findings).toEqual([
      {
        kind: "intended-deny",
        service: "payments",
        target: "azure-identity:payments",
        message: `payments cannot reach Azure identity id-dev-payments: issuer mismatch (trailing slash) between Okta issuer and Azure credential payments/okta-dev: it has "${ISSUER}/", the token "${ISSUER}"`,
      },
    ]);
  });

  it("Azure credential subject that differs in letter case", async () => {
    const result = await verify(broken("federation-payments-azure-okta-dev", (i) => (i.subject = clientId("payments").toUpperCase())));
    expect(result.findings.map((f) => f.message)).toEqual([
      `payments cannot reach Azure identity id-dev-payments: subject mismatch (letter case) between the token and Azure credential payments/okta-dev: it has "${clientId("payments").toUpperCase()}", the token "${clientId("payments")}"`,
    ]);
  });

  it("Azure credential with another audience", async () => {
    const result = await verify(broken("federation-billing-export-azure-okta-dev", (i) => (i.audiences = ["api://AzureADTokenExchange"])));
    expect(result.findings.map((f) => f.message)).toEqual([
      "billing-export cannot reach Azure identity id-dev-billing-export: audience mismatch between the token and Azure credential billing-export/okta-dev: it has api://AzureADTokenExchange, the token api://services-dev",
    ]);
  });

  it("AWS OIDC provider URL with a trailing slash breaks every role", async () => {
    const result = await verify(broken("federation-aws-oidc-provider", (i) => (i.url = `${ISSUER}/`)));
    const reason = `issuer mismatch (trailing slash) between the token issuer ${ISSUER} and the AWS OIDC provider ${ISSUER}/`;
    expect(result.findings.map((f) => f.message)).toEqual([
      `billing-export cannot reach AWS role billing-export: ${reason}`,
      `payments cannot reach AWS role payments: ${reason}`,
    ]);
  });

  it("AWS OIDC provider that does not list the audience", async () => {
    const result = await verify(broken("federation-aws-oidc-provider", (i) => (i.clientIdLists = ["sts.amazonaws.com"])));
    expect(result.findings.map((f) => f.message)).toContain(
      "payments cannot reach AWS role payments: audience api://services-dev is not a client id of the AWS OIDC provider (it lists sts.amazonaws.com)",
    );
  });

  it("AWS condition keys whose host/path differs from the provider URL", async () => {
    const result = await verify(
      broken("federation-payments-aws-role", (i) => (i.assumeRolePolicy = i.assumeRolePolicy.replaceAll(`${HOST}:`, "acme-dev-example.oktapreview.com:"))),
    );
    expect(result.findings.map((f) => f.message)).toEqual([
      `payments cannot reach AWS role payments: AWS role payments trust: condition key acme-dev-example.oktapreview.com:aud does not match the provider URL host/path ${HOST} (IAM never sets it)`,
    ]);
  });

  it("an AWS role pinned to another service's client id: one intended deny, one unintended allow", async () => {
    const result = await verify(broken("federation-payments-aws-role", (i) => (i.assumeRolePolicy = i.assumeRolePolicy.replace(clientId("payments"), clientId("reporting")))));
    expect(result.findings.map((f) => [f.kind, f.service, f.target])).toEqual([
      ["intended-deny", "payments", "aws-role:payments"],
      ["unintended-allow", "reporting", "aws-role:payments"],
    ]);
    expect(result.findings[1]!.message).toBe(
      "reporting can reach AWS role payments, which belongs to payments: AWS role payments trust allows it (allowed by OktaServiceToken)",
    );
  });

  it("an AWS trust without a sub condition lets every client of the server in", async () => {
    const result = await verify(
      broken("federation-payments-aws-role", (i) => {
        const policy = JSON.parse(i.assumeRolePolicy);
        delete policy.Statement[0].Condition.StringEquals[`${HOST}:sub`];
        i.assumeRolePolicy = JSON.stringify(policy);
      }),
    );
    expect(result.findings.filter((f) => f.kind === "unintended-allow").map((f) => f.service)).toEqual(["billing-export", "reporting"]);
    expect(result.findings.filter((f) => f.kind === "probe-allowed").map((f) => f.message)).toEqual([
      "AWS role payments accepts a token with another client id of the same issuer by itself: AWS role payments trust allows it (allowed by OktaServiceToken)",
    ]);
  });

  it("a GCP condition that reads a claim the issuer never emits", async () => {
    const result = await verify(broken("federation-gcp-pool-provider-okta", (i) => (i.attributeCondition = "assertion.tenant == 'acme'")));
    expect(result.findings.map((f) => f.message)).toEqual([
      "payments cannot reach GCP service account dev-payments@acme-dev-example.iam.gserviceaccount.com: GCP condition references assertion.tenant, which the token does not carry",
      "reporting cannot reach GCP direct grants reporting: GCP condition references assertion.tenant, which the token does not carry",
    ]);
  });

  it("a GCP provider with a trailing-slash issuer or another audience", async () => {
    const slash = await verify(broken("federation-gcp-pool-provider-okta", (i) => (i.oidc = { ...i.oidc, issuerUri: `${ISSUER}/` })));
    expect(slash.findings[0]!.message).toBe(
      `payments cannot reach GCP service account dev-payments@acme-dev-example.iam.gserviceaccount.com: issuer mismatch (trailing slash) between the token issuer ${ISSUER} and GCP provider okta (${ISSUER}/)`,
    );
    const audience = await verify(broken("federation-gcp-pool-provider-okta", (i) => (i.oidc = { ...i.oidc, allowedAudiences: ["api://other"] })));
    expect(audience.findings[0]!.message).toBe(
      "payments cannot reach GCP service account dev-payments@acme-dev-example.iam.gserviceaccount.com: audience api://services-dev is not allowed by GCP provider okta (allowed: api://other)",
    );
  });

  it("a whole-pool grant on a service account lets every admitted service impersonate it", async () => {
    const result = await verify(broken("federation-payments-gcp-impersonation", (i) => (i.member = `principalSet://iam.googleapis.com/${POOL}/*`)));
    expect(result.findings.map((f) => f.message)).toEqual([
      `reporting can reach GCP service account dev-payments@acme-dev-example.iam.gserviceaccount.com, which belongs to payments: GCP provider okta admits it as principal://iam.googleapis.com/${POOL}/subject/${clientId("reporting")}, which GCP service account dev-payments@acme-dev-example.iam.gserviceaccount.com grants (principalSet://iam.googleapis.com/${POOL}/*)`,
    ]);
  });

  it("a GCP provider without a condition admits clients outside the kit (caught by the other-client probe)", async () => {
    const result = await verify(broken("federation-payments-gcp-impersonation", (i) => (i.member = `principalSet://iam.googleapis.com/${POOL}/attribute.tenant_id/acme`)));
    // With the condition in place, only kit clients get in: the tenant-wide grant still over-reaches to reporting.
    expect(result.findings.map((f) => f.kind)).toEqual(["unintended-allow"]);
    const open = structuredClone(
      broken("federation-payments-gcp-impersonation", (i) => (i.member = `principalSet://iam.googleapis.com/${POOL}/attribute.tenant_id/acme`)),
    ) as { resources: PlanResource[] } & PlanDocument;
    delete open.resources.find((r) => r.name === "federation-gcp-pool-provider-okta")!.inputs.attributeCondition;
    const withoutCondition = await verify(open);
    expect(withoutCondition.findings.filter((f) => f.kind === "probe-allowed").map((f) => f.message)).toEqual([
      "GCP provider okta (pool okta-dev) accepts a token with another client id of the same issuer by itself: the provider admits it as subject 0oaOTHERCLIENT000000",
    ]);
  });

  it("a condition widened by a pasted disjunction is caught at the provider itself, whatever the grants say", async () => {
    // As the kit used to emit `<client-id check> && (<additional>)` with additional = "true) || (true".
    const result = await verify(
      broken("federation-gcp-pool-provider-okta", (i) => (i.attributeCondition = `${i.attributeCondition} && (true) || (true)`)),
    );
    expect(result.findings.map((f) => f.message)).toEqual([
      "GCP provider okta (pool okta-dev) accepts a token with another client id of the same issuer by itself: the provider admits it as subject 0oaOTHERCLIENT000000",
    ]);
  });

  it("two services that register the same public key can each act as the other", async () => {
    const payments = devPlan.resources.find((r) => r.name === "federation-payments-app")!;
    const result = await verify(broken("federation-reporting-app", (i) => (i.jwks = structuredClone(payments.inputs.jwks))));
    expect(result.findings).toEqual([
      {
        kind: "shared-client-key",
        service: "reporting",
        message: "reporting registers the same public key (key payments-dev-2026-11) as payments (key payments-dev-2026-11): each can authenticate to Okta as the other and obtain its tokens",
      },
    ]);
    expect(result.services.find((s) => s.key === "payments")!.auth).toEqual({ method: "private_key_jwt", keys: ["key payments-dev-2026-11"] });
  });

  it("an Okta policy that whitelists the wrong app: the service gets no token", async () => {
    const result = await verify(broken("federation-reporting-policy", (i) => (i.clientWhitelists = [clientId("payments")])));
    expect(result.findings).toEqual([
      {
        kind: "no-token",
        service: "reporting",
        message: `reporting gets no token: no Okta access policy lets reporting (${clientId("reporting")}) use client_credentials (so it cannot reach GCP direct grants reporting)`,
      },
    ]);
  });
});

describe("access diff", () => {
  it("names an added service and a removed grant", async () => {
    const head = await devWith((federation) => {
      federation.services.audit = { scopes: ["api.read"], auth: { method: "client_secret_basic" }, azure: {} };
      delete federation.services.payments.gcp;
    });
    const baseModel = extractModel(devPlan);
    const headModel = extractModel(head);
    const changes = accessDiff({ model: baseModel, result: await verifyModel(baseModel) }, { model: headModel, result: await verifyModel(headModel) });
    expect(changes.map((c) => c.message)).toEqual([
      "service audit added: it can reach Azure identity id-dev-audit",
      "payments loses GCP service account dev-payments@acme-dev-example.iam.gserviceaccount.com",
      "payments: GCP role roles/pubsub.publisher on project acme-dev-example revoked from GCP service account dev-payments@acme-dev-example.iam.gserviceaccount.com",
      "payments: GCP role roles/storage.objectViewer on project acme-dev-example revoked from GCP service account dev-payments@acme-dev-example.iam.gserviceaccount.com",
      "GCP provider okta (pool okta-dev) no longer admits <federation-payments-app.clientId>",
    ]);
    const markdown = toMarkdown(await verifyModel(headModel), changes);
    expect(markdown).toContain("**Access changes in this PR**");
    // Every message is escaped for Markdown (tools/verify/markdown.ts): ':' as '\:', '@' with a word joiner (no mention).
    expect(markdown).toContain("- 🟢 + service audit added\\: it can reach Azure identity id-dev-audit");
    expect(markdown).toContain("- 🔴 − payments loses GCP service account dev-payments@&#8288;acme-dev-example.iam.gserviceaccount.com");
  });

  it("names a client key added or removed, and a switch to a client secret as risky", async () => {
    const rotated = await devWith((federation) => {
      federation.services.payments.auth.jwks.push(jwtAuth("payments-2026-12").jwks[0]);
      federation.services.reporting.auth = { method: "client_secret_basic" };
    });
    const done = await devWith((federation) => {
      federation.services.payments.auth = jwtAuth("payments-2026-12");
      federation.services.reporting.auth = { method: "client_secret_basic" };
    });
    const models = [devPlan, rotated, done].map((plan) => extractModel(plan));
    const [base, during, after] = await Promise.all(models.map(async (model) => ({ model, result: await verifyModel(model) })));
    const oldKid = (models[0]!.services.find((s) => s.key === "payments")!.auth.keys[0]!.label);
    expect(accessDiff(base!, during!).map((c) => [c.message, c.risk])).toEqual([
      [
        "payments: client key payments-2026-12 added: whoever holds its private key gets tokens as payments",
        "new client key on the existing identity: whoever holds it takes over the identity and every grant on it; check that the key is the service's own",
      ],
      ["reporting: client authentication changes from private_key_jwt to client_secret_basic", "a shared client secret replaces the key pair"],
      [`reporting: client ${models[0]!.services.find((s) => s.key === "reporting")!.auth.keys[0]!.label} removed: tokens are no longer issued for assertions signed with it`, undefined],
    ]);
    expect(accessDiff(during!, after!).map((c) => c.message)).toEqual([`payments: client ${oldKid} removed: tokens are no longer issued for assertions signed with it`]);
  });

  it("the JSON form lists every allowed cell with its reason, and the denials compactly: what each target admits", async () => {
    const json = toJson(await verify(devPlan)) as any;
    expect(json.matrix.services).toBe(3);
    expect(json.matrix.targets).toBe(6);
    expect(json.matrix.allowed.map((c: { service: string; target: string }) => `${c.service} ${c.target}`)).toEqual([
      "billing-export aws-role:billing-export",
      "billing-export azure-identity:billing-export",
      "payments aws-role:payments",
      "payments azure-identity:payments",
      "payments gcp-sa:payments",
      "reporting gcp-direct:reporting",
    ]);
    for (const cell of json.matrix.allowed) expect(cell.reason.length).toBeGreaterThan(10);
    expect(json.matrix.denied).toEqual({ count: 12, perService: { "billing-export": 4, payments: 3, reporting: 5 } });
    expect(json.targets.find((t: { id: string }) => t.id === "aws-role:payments").admits).toEqual([clientId("payments")]);
  });
});

describe("tenant conditions and session tags", () => {
  it("a GCP condition on the tenant claim is ANDed to the client-id condition and holds for the issuer's tenant", async () => {
    const plan = await devWith((f) => (f.gcp.additionalCondition = "assertion.tenant_id == 'acme'"));
    const provider = plan.resources.find((r) => r.name === "federation-gcp-pool-provider-okta")!;
    expect(provider.inputs.attributeCondition).toBe(
      `assertion.sub in ['${clientId("payments")}', '${clientId("reporting")}'] && (assertion.tenant_id == 'acme')`,
    );
    expect((await verify(plan)).findings).toEqual([]);
  });

  it("a tenant condition that does not hold for the issuer's tenant denies every GCP target", async () => {
    const plan = await devWith((f) => (f.gcp.additionalCondition = "assertion.tenant_id == 'globex'"));
    expect((await verify(plan)).findings.map((f) => f.message)).toEqual([
      `payments cannot reach GCP service account dev-payments@acme-dev-example.iam.gserviceaccount.com: GCP provider okta condition is false for sub ${clientId("payments")}`,
      `reporting cannot reach GCP direct grants reporting: GCP provider okta condition is false for sub ${clientId("reporting")}`,
    ]);
  });

  it("session tags: every role also allows sts:TagSession and the trust still admits exactly its service", async () => {
    const plan = await devWith((f) => (f.aws.sessionTags = true));
    const role = plan.resources.find((r) => r.name === "federation-payments-aws-role")!;
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Action).toEqual(["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]);
    const result = await verify(plan);
    expect(result.findings).toEqual([]);
    expect(allowed(result).payments).toContain("aws-role:payments");
  });
});

describe("an adopted AWS OIDC provider (aws.existingOidcProviderArn)", () => {
  it("is found from the roles' trust, by the ARN's path, and the roles verify", async () => {
    const plan = await devWith((f) => (f.aws.existingOidcProviderArn = `arn:aws:iam::111111111111:oidc-provider/${HOST}`));
    expect(plan.resources.some((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toBe(false);
    const result = await verify(plan);
    expect(result.findings).toEqual([]);
    expect(allowed(result).payments).toContain("aws-role:payments");

    const wrongPlan = await devWith((f) => (f.aws.existingOidcProviderArn = "arn:aws:iam::111111111111:oidc-provider/acme-dev-example.oktapreview.com/oauth2/default"));
    expect((await verify(wrongPlan)).findings.map((f) => f.message)).toContain(
      `payments cannot reach AWS role payments: issuer mismatch (different value) between the token issuer ${ISSUER} and the AWS OIDC provider https://acme-dev-example.oktapreview.com/oauth2/default`,
    );
  });
});

describe("identity-admin grants", () => {
  const tokenCreator = (optIn: boolean) => (f: any) =>
    (f.services.reporting.gcp.roles = ["roles/bigquery.dataViewer", optIn ? { role: "roles/iam.serviceAccountTokenCreator", allowIdentityAdmin: true } : "roles/iam.serviceAccountTokenCreator"]);

  it("are refused by config validation without the opt-in", async () => {
    await expect(devWith(tokenCreator(false))).rejects.toThrow(
      "services.reporting.gcp.roles[1]: roles/iam.serviceAccountTokenCreator on project acme-dev-example holds iam.serviceAccounts.getAccessToken (mints access tokens as every service account in the project): reporting could take over every service account of the other services there; refused unless the grant carries the explicit opt-in allowIdentityAdmin: true (docs/guardrails.md#identity-admin-grants)",
    );
  });

  it("with the opt-in, verify names which other identities the service could take over, in the matrix and the findings, and passes", async () => {
    const result = await verify(await devWith(tokenCreator(true)));
    expect(result.identityAdmin).toEqual([
      {
        service: "reporting",
        resource: "federation-reporting-gcp-roles/iam.serviceAccountTokenCreator",
        grant: "GCP role roles/iam.serviceAccountTokenCreator on project acme-dev-example",
        why: "holds iam.serviceAccounts.getAccessToken (mints access tokens as every service account in the project)",
        accepted: true,
        reach: ["gcp-sa:payments"],
      },
    ]);
    expect(result.takeovers.map((c) => [c.service, c.target])).toEqual([["reporting", "gcp-sa:payments"]]);
    expect(result.findings).toEqual([
      {
        kind: "identity-takeover",
        service: "reporting",
        accepted: true,
        message:
          "reporting holds GCP role roles/iam.serviceAccountTokenCreator on project acme-dev-example, which holds iam.serviceAccounts.getAccessToken (mints access tokens as every service account in the project): it could take over GCP service account dev-payments@acme-dev-example.iam.gserviceaccount.com (accepted with allowIdentityAdmin: true)",
      },
    ]);
    expect(result.passed).toBe(true);
    const text = toText(result);
    expect(text).toContain("TAKE = the service holds a grant that lets it take this identity over");
    expect(text).toContain("Accepted identity-admin grants (allowIdentityAdmin: true):");
    expect(toMarkdown(result)).toContain("| `reporting` | `api.read` | GCP direct grants reporting | ⚠️ GCP service account dev-payments@&#8288;acme-dev-example.iam.gserviceaccount.com |");
  });

  it("a grant that a program registers without the component's acceptance fails verify", async () => {
    const plan = structuredClone(await devWith(tokenCreator(true))) as { resources: PlanResource[] } & PlanDocument;
    const component = plan.resources.find((r) => r.name === "federation-reporting-gcp")!;
    delete (component as any).outputs.acceptedIdentityAdmin;
    const result = await verify(plan);
    expect(result.passed).toBe(false);
    expect(result.findings.map((f) => [f.kind, f.accepted])).toEqual([["identity-takeover", false]]);
  });

  it("Azure Contributor on the identities' resource group reaches every other identity there", async () => {
    const result = await verify(
      await devWith((f) => {
        f.services.reporting.azure = {
          roleAssignments: { "rg-contributor": { role: "Contributor", scope: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/identities-dev", allowIdentityAdmin: true } },
        };
      }),
    );
    expect(result.identityAdmin.map((g) => [g.service, g.grant, g.reach])).toEqual([
      ["reporting", "Azure role Contributor at /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/identities-dev", ["azure-identity:billing-export", "azure-identity:payments"]],
    ]);
  });
});

describe("claims limited to scopes", () => {
  it("are in the simulated token only for services granted one of the scopes", async () => {
    const result = await verify(await devWith((f) => (f.okta.claims.tier = { value: "gold", scopes: ["api.write"] })));
    const claims = Object.fromEntries(result.services.map((s) => [s.key, s.claims?.tier]));
    expect(claims).toEqual({ "billing-export": undefined, payments: "gold", reporting: undefined });
  });

  it("a provider condition on such a claim denies the services whose tokens lack it", async () => {
    const plan = await devWith((f) => (f.okta.claims.tier = { value: "gold", scopes: ["api.write"] }));
    const result = await verify(
      (() => {
        const copy = structuredClone(plan) as { resources: PlanResource[] } & PlanDocument;
        const provider = copy.resources.find((r) => r.name === "federation-gcp-pool-provider-okta")!;
        provider.inputs.attributeCondition = `${provider.inputs.attributeCondition} && (assertion.tier == 'gold')`;
        return copy;
      })(),
    );
    expect(result.findings.map((f) => f.message)).toEqual([
      "reporting cannot reach GCP direct grants reporting: GCP condition references assertion.tier, which the token does not carry",
    ]);
  });
});

describe("an adopted authorization server", () => {
  it.each([
    ["the default server (ORG_URL)", { id: "default", audience: "api://default" }, "https://acme-dev-example.oktapreview.com/oauth2/default"],
    ["a server on a custom domain", { id: "aus1a2b3c4d5e6f7g8h9", audience: "api://services", issuerMode: "CUSTOM_URL", customDomain: "id.acme.example" }, "https://id.acme.example/oauth2/aus1a2b3c4d5e6f7g8h9"],
  ])("%s plans with its issuer and verifies", async (_label, existing, issuer) => {
    const plan = await devWith((f) => (f.okta.authorizationServer = { existing }));
    const result = await verify(plan);
    expect(result.findings).toEqual([]);
    expect(result.issuers).toEqual([{ federation: "federation", server: `adopted ${existing.id}`, issuer, audience: existing.audience }]);
    expect(result.services.find((s) => s.key === "payments")!.claims?.iss).toBe(issuer);
    const provider = plan.resources.find((r) => r.name === "federation-gcp-pool-provider-okta")!;
    expect(provider.inputs.oidc.issuerUri).toBe(issuer);
  });
});

describe("a risky pull request, reviewed", () => {
  /** The review's case: PowerUserAccess attached, Blob Data Reader turned into Contributor, a service added with two GCP roles, a GCP role removed. */
  const risky = (f: any) => {
    f.services["billing-export"].aws.policies["power-user"] = "arn:aws:iam::aws:policy/PowerUserAccess";
    f.services.payments.azure.roleAssignments["blob-reader"].role = "Contributor";
    f.services.audit = {
      scopes: ["api.read"],
      auth: { method: "private_key_jwt", jwks: [{ kid: "audit-dev-1", kty: "RSA", e: "AQAB", n: rsaModulus("audit-dev-1") }] },
      gcp: { roles: ["roles/logging.viewer", "roles/bigquery.dataViewer"] },
    };
    f.services.reporting.gcp.roles = ["roles/bigquery.dataViewer"];
    f.services.reporting.tokenLifetimeMinutes = 120;
  };

  it("names every access change in words, and marks the risky ones by the policy pack's predicates", async () => {
    const head = await devWith(risky);
    const baseModel = extractModel(devPlan);
    const headModel = extractModel(head);
    const result = await verifyModel(headModel);
    const changes = accessDiff({ model: baseModel, result: await verifyModel(baseModel) }, { model: headModel, result });
    const STORAGE = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/payments-dev/providers/Microsoft.Storage/storageAccounts/acmepaymentsdev";
    expect(changes.map((c) => [c.kind, c.message, c.risk])).toEqual([
      ["service-added", "service audit added: it can reach GCP direct grants audit", undefined],
      ["grant-added", "audit: GCP role roles/bigquery.dataViewer on project acme-dev-example granted to GCP direct grants audit", undefined],
      ["grant-added", "audit: GCP role roles/logging.viewer on project acme-dev-example granted to GCP direct grants audit", undefined],
      [
        "grant-added",
        "billing-export: AWS policy PowerUserAccess (arn:aws:iam::aws:policy/PowerUserAccess) attached to AWS role billing-export",
        // Broad, and judged from its document: sts:AssumeRole on * reaches roles the kit cannot see.
        "broad: allows every action except IAM and Organizations management; unjudged: allows sts:AssumeRole on *: assumes roles where a role's trust policy admits it; the stack's roles admit only the Okta issuer's tokens, other roles of the account the kit cannot see (what they may do, whom they trust)",
      ],
      ["grant-changed", `payments: Azure identity id-dev-payments: role Storage Blob Data Reader becomes Contributor at ${STORAGE}`, "broad: Contributor at storageAccount acmepaymentsdev manages everything in its scope"],
      ["grant-removed", "reporting: GCP role roles/bigquery.jobUser on project acme-dev-example revoked from GCP direct grants reporting", undefined],
      ["trust-changed", "reporting: token lifetime changes from 15 to 120 minutes", "tokens live longer (15 → 120 minutes): a leaked token stays valid longer"],
      ["trust-changed", "GCP provider okta (pool okta-dev) now also admits <federation-audit-app.clientId>", undefined],
    ]);
    const markdown = toMarkdown(result, changes);
    expect(markdown).toContain("**⚠️ Risky changes (3)**");
    expect(markdown).toContain(
      "- ⚠️ + billing-export\\: AWS policy PowerUserAccess \\(arn\\:aws\\:iam\\:\\:aws\\:policy/PowerUserAccess\\) attached to AWS role billing-export — **broad\\: allows every action except IAM and Organizations management; unjudged\\: allows sts\\:AssumeRole on \\*\\: assumes roles where a role's trust policy admits it; the stack's roles admit only the Okta issuer's tokens, other roles of the account the kit cannot see \\(what they may do, whom they trust\\)**",
    );
    expect(markdown).toContain("- 🔴 − reporting\\: GCP role roles/bigquery.jobUser on project acme-dev-example revoked from GCP direct grants reporting");
    expect(markdown).toContain("🟢 added or gained · 🔴 removed or lost · 🟡 changed · ⚠️ risky");
    const text = toText(result, changes);
    expect(text).toContain("Access changes against the base plan (3 risky, marked !):");
    expect(text).toContain("  +! billing-export: AWS policy PowerUserAccess (arn:aws:iam::aws:policy/PowerUserAccess) attached to AWS role billing-export");
    expect(text).toContain("  -  reporting: GCP role roles/bigquery.jobUser on project acme-dev-example revoked from GCP direct grants reporting");
  });

  it("an identity-admin grant is risky and names what it could take over", async () => {
    const head = await devWith((f) => (f.services.reporting.gcp.roles = ["roles/bigquery.dataViewer", "roles/bigquery.jobUser", { role: "roles/iam.serviceAccountTokenCreator", allowIdentityAdmin: true }]));
    const headModel = extractModel(head);
    const baseModel = extractModel(devPlan);
    const changes = accessDiff({ model: baseModel, result: await verifyModel(baseModel) }, { model: headModel, result: await verifyModel(headModel) });
    expect(changes.filter((c) => c.risk).map((c) => c.risk)).toEqual([
      "identity admin: holds iam.serviceAccounts.getAccessToken (mints access tokens as every service account in the project); could take over GCP service account dev-payments@acme-dev-example.iam.gserviceaccount.com (accepted with allowIdentityAdmin: true)",
    ]);
  });
});

describe("GCP roles on single resources (gcp.resourceRoles) in verify and the access diff", () => {
  const BUCKET = { resource: "//storage.googleapis.com/projects/_/buckets/bar-orders-dev", role: "roles/storage.objectViewer" };
  const PAYMENTS_SA = "//iam.googleapis.com/projects/acme-dev-example/serviceAccounts/dev-payments@acme-dev-example.iam.gserviceaccount.com";

  it("a bucket grant plans, verifies as a grant of the service's target in words, and the access diff names its role and resource", async () => {
    const base = extractModel(planToJson(await planStack(fixtureStack("dev"))) as unknown as PlanDocument);
    const plan = await devWith((f) => {
      f.services.reporting.gcp.resourceRoles = { orders: BUCKET };
      f.services.payments.gcp.resourceRoles = { events: { resource: "//pubsub.googleapis.com/projects/acme-dev-example/topics/orders", role: "roles/pubsub.publisher" } };
    });
    expect(plan.resources.filter((r) => r.type === "gcp:storage/bucketIAMMember:BucketIAMMember").map((r) => [r.name, r.inputs])).toEqual([
      [
        "federation-reporting-gcp-resource-orders",
        {
          bucket: "bar-orders-dev",
          role: "roles/storage.objectViewer",
          member: "principal://iam.googleapis.com/projects/<acme-dev-example.projectNumber>/locations/global/workloadIdentityPools/okta-dev/subject/<federation-reporting-app.clientId>",
        },
      ],
    ]);
    const model = extractModel(plan);
    expect(model.targets.find((t) => t.id === "gcp-direct:reporting")!.grants.map((g) => g.text)).toEqual([
      "GCP role roles/storage.objectViewer on bucket bar-orders-dev",
      "GCP role roles/bigquery.dataViewer on project acme-dev-example",
      "GCP role roles/bigquery.jobUser on project acme-dev-example",
    ]);
    expect(model.targets.find((t) => t.id === "gcp-sa:payments")!.grants.map((g) => g.text)).toContain("GCP role roles/pubsub.publisher on Pub/Sub topic orders (project acme-dev-example)");
    const result = await verifyModel(model);
    expect(result.findings).toEqual([]);
    expect(result.passed).toBe(true);
    const changes = accessDiff({ model: base, result: await verifyModel(base) }, { model, result });
    expect(changes.map((c) => [c.message, c.risk])).toEqual([
      ["payments: GCP role roles/pubsub.publisher on Pub/Sub topic orders (project acme-dev-example) granted to GCP service account dev-payments@acme-dev-example.iam.gserviceaccount.com", undefined],
      ["reporting: GCP role roles/storage.objectViewer on bucket bar-orders-dev granted to GCP direct grants reporting", undefined],
    ]);
    expect(toText(result, changes)).toContain("+  reporting: GCP role roles/storage.objectViewer on bucket bar-orders-dev granted to GCP direct grants reporting");
  });

  it("a token-creating role on another service's service account is identity-admin: accepted with the opt-in, the matrix names the take-over", async () => {
    const result = await verify(await devWith((f) => (f.services.reporting.gcp.resourceRoles = { takeover: { resource: PAYMENTS_SA, role: "roles/iam.serviceAccountTokenCreator", allowIdentityAdmin: true } })));
    expect(result.identityAdmin).toEqual([
      {
        service: "reporting",
        resource: "federation-reporting-gcp-resource-takeover",
        grant: "GCP role roles/iam.serviceAccountTokenCreator on service account dev-payments@acme-dev-example.iam.gserviceaccount.com",
        why: "holds iam.serviceAccounts.getAccessToken (its holder can act as that service account)",
        accepted: true,
        reach: ["gcp-sa:payments"],
      },
    ]);
    expect(result.takeovers.map((c) => [c.service, c.target])).toEqual([["reporting", "gcp-sa:payments"]]);
    expect(result.passed).toBe(true);
  });

  it("the same grant registered without the component's acceptance fails verify", async () => {
    const plan = structuredClone(await devWith((f) => (f.services.reporting.gcp.resourceRoles = { takeover: { resource: PAYMENTS_SA, role: "roles/iam.serviceAccountTokenCreator", allowIdentityAdmin: true } }))) as {
      resources: PlanResource[];
    } & PlanDocument;
    delete (plan.resources.find((r) => r.name === "federation-reporting-gcp") as any).outputs.acceptedIdentityAdmin;
    const result = await verify(plan);
    expect(result.passed).toBe(false);
    expect(result.findings.map((f) => [f.kind, f.service, f.accepted])).toEqual([["identity-takeover", "reporting", false]]);
  });
});
