/**
 * verify over several stacks at once (tools/verify/org.ts): each stack as verify proves it, the
 * cross-stack matrix, client keys and names unique across the organisation, and the CLI.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack, planToJson } from "../../tools/offline/plan";
import { main as verify } from "../../tools/verify";
import { extractModel, type PlanDocument } from "../../tools/verify/model";
import { decide, tokenFor } from "../../tools/verify/verify";
import { qualifyPlaceholders, verifyOrganisation } from "../../tools/verify/org";
import { stateToPlan } from "../../tools/verify/state";
import { runCli } from "../helpers/cli";
import { fixturePath, fixtureStack, fixtureVariant } from "../helpers/stacks";
import type { StackConfig } from "../../tools/offline/stackFile";
import { planToExport } from "../helpers/planExport";

const planOf = async (stack: string | StackConfig) => planToJson(await planStack(typeof stack === "string" ? fixtureStack(stack) : stack)) as unknown as PlanDocument;

const DEV_PAYMENTS_N =
  "lBS5WYnx7W0Qe6qY4dv1XSeeyXygg9njJGUdypR5rNEVrzbryly7dce5_7rv6khO0lixB7n6Mb8qAoSPRwr7jvge3UxElQKo3SlZut_OMXP1SnvAb5i1tlTGR761KahEeyQ-BaNLfsO7fkXog5wzbZuS7Bs-A4DH9YWQJvuc3UE8FQKa5FVVXr9Ol2mpxqNKcPdmKfCDcGIoKtaQk1w1nde-IpPY26D4RT4zWVkoZW7yziMMzhs7bQ7Aexs0EqefHZqYWs89GUsgF2SjdeHqnkB-K6mHeiwKjHPBNm76qq1cbdA26NY_BPKZAyFiLxFdGpli4xlcaWwC-vfAo5e5-w";
const SHARED_SERVER = "aus1sharedexample001";
const SHARED_ISSUER = `https://acme-dev-example.oktapreview.com/oauth2/${SHARED_SERVER}`;

/** dev's Okta org for a prod variant. */
const inDevOrg = (f: any) => {
  f.okta.orgName = "acme-dev-example";
  f.okta.baseUrl = "oktapreview.com";
};
/** Both stacks adopt one authorization server (one issuer, one audience). */
const adoptShared = (f: any) => {
  f.okta.authorizationServer = { existing: { id: SHARED_SERVER, audience: "api://services-dev" } };
};

let dir: string;
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
};
let dev: PlanDocument;
let prod: PlanDocument;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "verify-org-"));
  dev = await planOf("dev");
  prod = await planOf("prod");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("verify over several stacks: one proof over the organisation", () => {
  it("the fixture stacks dev and prod together pass: different issuers, no name or key shared", async () => {
    const org = await verifyOrganisation([
      { source: "stack dev", plan: dev },
      { source: "stack prod", plan: prod },
    ]);
    expect(org.stacks.map((s) => [s.result.stack, s.result.passed, s.result.findings])).toEqual([
      ["dev", true, []],
      ["prod", true, []],
    ]);
    expect(org.findings).toEqual([]);
    expect(org.sharedIssuers).toEqual([]);
    // dev's 3 services x prod's 5 targets, prod's 2 services x dev's 6 targets; each pins its own subjects.
    expect(org.crossStack).toEqual({ cells: 3 * 5 + 2 * 6, evaluated: 0, allowed: [], probes: { tried: 3 + 2, evaluated: 0, accepted: 0 }, takeovers: [] });
    expect(org.uniqueness).toEqual({
      "AWS OIDC provider": 2,
      "AWS role name": 4,
      "Azure identity name": 4,
      "GCP pool": 2,
      "GCP pool provider": 2,
      "GCP principal": 4,
      "GCP service account": 2,
      "Okta app label": 5,
      "Okta authorization server name": 2,
    });
    expect(org.passed).toBe(true);
  });

  it("placeholders are qualified by their stack, except those naming no resource (a GCP project number)", () => {
    const role = qualifyPlaceholders(dev).resources.find((r) => r.name === "federation-payments-aws-role")!;
    expect(role.inputs.assumeRolePolicy).toContain('"acme-dev-example.oktapreview.com/oauth2/<dev:federation-authz-server.id>:sub":"<dev:federation-payments-app.clientId>"');
    const pool = qualifyPlaceholders(dev).resources.find((r) => r.type === "gcp:iam/workloadIdentityPool:WorkloadIdentityPool")!;
    expect(pool.afterDeploy?.name).toBe("projects/<acme-dev-example.projectNumber>/locations/global/workloadIdentityPools/okta-dev");
  });

  it("a prod that reuses dev's Okta org, server and a service's public key: the shared key and the server name, each naming both stacks", async () => {
    const variant = await planOf(
      fixtureVariant("prod", (f) => {
        inDevOrg(f);
        f.okta.authorizationServer = { name: "services-dev", description: "Service tokens for the dev environment", audience: "api://services-dev", issuerMode: "ORG_URL" };
        f.services.payments.auth.jwks[0].n = DEV_PAYMENTS_N;
      }),
    );
    const org = await verifyOrganisation([
      { source: "stack dev", plan: dev },
      { source: "stack prod", plan: variant },
    ]);
    // Each stack on its own still passes: the key is shared across stacks only.
    expect(org.stacks.map((s) => s.result.passed)).toEqual([true, true]);
    expect(org.findings).toEqual([
      {
        kind: "shared-client-key",
        stacks: ["prod", "dev"],
        message:
          "prod/payments registers the same public key (key payments-prod-2026-11) as dev/payments (key payments-dev-2026-11): each can authenticate to Okta as the other and obtain its tokens",
      },
      {
        kind: "duplicate-name",
        stacks: ["prod", "dev"],
        message:
          "Okta authorization server name services-dev in Okta org acme-dev-example.oktapreview.com is in stack prod (federation-authz-server) and in stack dev (federation-authz-server): two authorization servers with one name in one Okta org cannot be told apart in the admin console, nor their issuers by a reviewer",
      },
    ]);
    // Two servers created in one org are two issuers: no cell to evaluate across stacks.
    expect(org.sharedIssuers).toEqual([]);
    expect(org.crossStack.allowed).toEqual([]);
    expect(org.passed).toBe(false);
  });

  it("a prod in dev's AWS account and Azure resource group under dev's environment name: the role and identity names, each naming both stacks", async () => {
    const variant = await planOf(
      fixtureVariant("prod", (f) => {
        f.environment = "dev";
        f.aws.accountId = "111111111111";
        delete f.aws.permissionsBoundaryArn;
        f.azure.subscriptionId = "00000000-0000-0000-0000-000000000001";
        f.azure.resourceGroup = "identities-dev";
        f.services.payments.azure.roleAssignments["blob-reader"].scope = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/payments-prod";
        f.services.ledger.azure.roleAssignments["secrets-user"].scope = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/ledger-prod";
      }),
    );
    const org = await verifyOrganisation([
      { source: "stack dev", plan: dev },
      { source: "stack prod", plan: variant },
    ]);
    expect(org.stacks.map((s) => s.result.passed)).toEqual([true, true]);
    expect(org.findings.map((f) => [f.kind, f.stacks, f.message])).toEqual([
      [
        "duplicate-name",
        ["prod", "dev"],
        "AWS role name dev-payments in AWS account 111111111111 is in stack prod (federation-payments-aws-role) and in stack dev (federation-payments-aws-role): IAM holds one role per name in an account (names are case-insensitive): one stack cannot create it, or both manage one role and each overwrites the other's trust",
      ],
      [
        "duplicate-name",
        ["prod", "dev"],
        "Azure identity name id-dev-payments in Azure resource group /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/identities-dev is in stack prod (federation-payments-azure-identity) and in stack dev (federation-payments-azure-identity): Azure holds one identity per name in a resource group (case-insensitive): one stack cannot create it, or both manage one identity and its federated credentials",
      ],
    ]);
    expect(org.crossStack.allowed).toEqual([]);
  });

  it("a state export and a plan sharing one server: a prod role pinned to dev's client id admits dev's service (cross-stack cell), a prod GCP provider admitting a dev client (cross-stack probe)", async () => {
    const devState = planToExport(await planOf(fixtureVariant("dev", adoptShared)));
    const devPayments = (devState as any).deployment.resources.find((r: any) => r.type === "okta:app/oAuth:OAuth" && r.urn.endsWith("::federation-payments-app")).outputs.clientId as string;
    const prodPlan = structuredClone(
      await planOf(
        fixtureVariant("prod", (f) => {
          inDevOrg(f);
          adoptShared(f);
        }),
      ),
    ) as any;
    const role = prodPlan.resources.find((r: any) => r.name === "federation-payments-aws-role");
    role.inputs.assumeRolePolicy = role.inputs.assumeRolePolicy.replace("<federation-payments-app.clientId>", devPayments);
    // prod's GCP provider also admits dev's reporting client (no grant names it: a probe finding only).
    const devReporting = (devState as any).deployment.resources.find((r: any) => r.type === "okta:app/oAuth:OAuth" && r.urn.endsWith("::federation-reporting-app")).outputs.clientId as string;
    const provider = prodPlan.resources.find((r: any) => r.type === "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
    provider.inputs.attributeCondition = provider.inputs.attributeCondition.replace(/\]$/, `, '${devReporting}']`);

    const org = await verifyOrganisation([
      { source: "state dev-state.json", plan: stateToPlan(devState, "state dev-state.json"), state: true },
      { source: "plan prod-plan.json", plan: prodPlan },
    ]);
    expect(org.sharedIssuers).toEqual([{ issuer: SHARED_ISSUER, audiences: ["api://services-dev"], stacks: ["dev", "prod"] }]);
    expect(org.stacks[0]!.result.findings).toEqual([]);
    expect(org.stacks[1]!.result.findings.map((f) => f.message)).toEqual([
      `payments cannot reach AWS role payments: AWS role payments trust: OktaServiceToken: StringEquals acme-dev-example.oktapreview.com/oauth2/${SHARED_SERVER}:sub = ${devPayments} does not hold for <federation-payments-app.clientId>`,
    ]);
    expect(org.crossStack.allowed.map((c) => [c.stack, c.service, c.targetStack, c.target])).toEqual([["dev", "payments", "prod", "aws-role:payments"]]);
    // Only the cell the prod role's pin names is evaluated: every other trust pins its own stack's clients.
    expect(org.crossStack.evaluated).toBe(1);
    // The same allowed cells as evaluating every cross-stack cell the straightforward way.
    const models = [stateToPlan(devState, "state"), prodPlan].map((plan) => extractModel(qualifyPlaceholders(plan)));
    const every: string[][] = [];
    for (const b of models) {
      for (const target of b.targets) {
        for (const a of models.filter((m) => m !== b)) {
          for (const service of a.services.filter((x) => x.scopes && !x.tokenProblem)) {
            if (decide(b, target, tokenFor(service)).decision === "allow") every.push([a.stack, service.key, b.stack, target.id]);
          }
        }
      }
    }
    expect(every).toEqual([["dev", "payments", "prod", "aws-role:payments"]]);
    expect(org.findings).toEqual([
      { kind: "cross-stack-allow", stacks: ["dev", "prod"], message: "dev/payments can reach AWS role payments of stack prod, which belongs to prod/payments: AWS role payments trust allows it (allowed by OktaServiceToken)" },
      { kind: "cross-stack-probe", stacks: ["dev", "prod"], message: `GCP provider okta-v2 (pool okta-prod-v2) of stack prod admits the token of dev/reporting by itself, as subject ${devReporting}` },
    ]);
    // dev's 3 tokens at prod's provider, prod's 2 at dev's.
    // Only the dev token the prod provider's condition names is evaluated.
    expect(org.crossStack.probes).toEqual({ tried: 5, evaluated: 1, accepted: 1 });
    expect(org.passed).toBe(false);

    // The same through the CLI: --state and --plan together, exit 1, the organisation in each form.
    const args = ["--state", file("dev-state.json", devState), "--plan", file("prod-plan.json", prodPlan)];
    const text = await runCli(verify, ...args);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`shared: issuer ${SHARED_ISSUER} (audience api://services-dev) is used by stacks dev, prod`);
    expect(text.stdout).toContain("FAILED: 1 stack failed (prod); 2 cross-stack findings\n  - dev/payments can reach AWS role payments of stack prod, which belongs to prod/payments: AWS role payments trust allows it (allowed by OktaServiceToken)");
    const json = JSON.parse((await runCli(verify, ...args, "--json")).stdout);
    expect(json.kind).toBe("okta-federation/verify-organisation");
    expect(json.stacks.map((s: any) => [s.source, s.stack, s.passed])).toEqual([
      [`state ${join(dir, "dev-state.json")}`, "dev", true],
      [`plan ${join(dir, "prod-plan.json")}`, "prod", false],
    ]);
    expect(json.organisation.findings).toEqual(org.findings);
    const markdown = (await runCli(verify, ...args, "--markdown")).stdout;
    expect(markdown).toMatch(/^### Okta federation access review: organisation of 2 stacks ❌ failed\n/);
    expect(markdown).toContain("**Cross-stack findings**\n\n- dev/payments can reach AWS role payments of stack prod");
  });
});

describe("the CLI over several stack files", () => {
  it("two --stack-file sources: each stack's table, then the organisation; exit 0", async () => {
    const { code, stdout } = await runCli(verify, "--stack-file", fixturePath("dev"), "--stack-file", fixturePath("prod"));
    expect(code).toBe(0);
    expect(stdout).toContain(`=== stack file ${fixturePath("dev")} ===\nTRUST MATRIX  stack dev`);
    expect(stdout).toContain(`ORGANISATION  2 stacks: dev (stack file ${fixturePath("dev")}), prod (stack file ${fixturePath("prod")})`);
    expect(stdout).toContain("PASSED: every stack passed; no service reaches another stack's targets; no client key or name is shared across stacks.");
  });

  it("refuses one stack twice, and --base with several sources (exit 2)", async () => {
    const path = file("dev-plan.json", dev);
    const twice = await runCli(verify, "--stack-file", fixturePath("dev"), "--plan", path);
    expect([twice.code, twice.stderr]).toEqual([2, `error: plan ${path} and stack file ${fixturePath("dev")} are both stack dev: an organisation holds each stack once (compare two versions of one stack with --base)\n`]);
    const base = await runCli(verify, "--plan", path, "--stack-file", fixturePath("prod"), "--base", path);
    expect(base.code).toBe(2);
    expect(base.stderr).toMatch(/^error: --base compares two versions of one stack: give one source with --base\n/);
  });
});
