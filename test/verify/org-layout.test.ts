/**
 * verify over a platform stack and its team stacks (tools/verify/layout.ts, org.ts): a team stack
 * alone is verified with its platform's objects, the platform alone says what it holds, and the
 * organisation proves the teams against each other on the shared server, OIDC providers and pool.
 * The stacks are copies of the example organisation under test/fixtures/org, planned offline from
 * a temporary directory (a team's plan plans the platform file beside it).
 */
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { planToJson } from "../../tools/offline/plan";
import { planWithPlatform } from "../../tools/offline/orgPlan";
import { loadStackFile } from "../../tools/offline/stackFile";
import { main as verify } from "../../tools/verify";
import type { PlanDocument } from "../../tools/verify/model";
import { verifyOrganisation, type OrgInput } from "../../tools/verify/org";
import { stateToPlan } from "../../tools/verify/state";
import { runCli } from "../helpers/cli";
import { planToExport } from "../helpers/planExport";

const FIXTURES = join(__dirname, "..", "fixtures", "org");
const STACKS = ["platform-stage", "team-payments-stage", "team-data-stage"] as const;
const PLATFORM = "acme/okta-federation/platform-stage";

/** A fixture stack file's document, to modify. */
const fixture = (stack: string): any => parse(readFileSync(join(FIXTURES, `Pulumi.${stack}.yaml`), "utf8"));

/** A fresh RSA public key as a JWK of the team config (no two services share a key). */
function freshJwk(kid: string) {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = publicKey.export({ format: "jwk" });
  return { kid, kty: "RSA", e: jwk.e, n: jwk.n };
}

/** A directory of stack files: the fixtures, with the given ones replaced or added. */
function orgDir(files: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "verify-org-layout-"));
  dirs.push(dir);
  for (const stack of STACKS) copyFileSync(join(FIXTURES, `Pulumi.${stack}.yaml`), join(dir, `Pulumi.${stack}.yaml`));
  for (const [stack, doc] of Object.entries(files)) writeFileSync(join(dir, `Pulumi.${stack}.yaml`), stringify(doc));
  return dir;
}

/** One stack of a directory, loaded as `verify --stack-file` loads it: its plan, and a team's platform planned beside it. */
async function input(dir: string, stack: string): Promise<OrgInput> {
  const planned = await planWithPlatform(loadStackFile(join(dir, `Pulumi.${stack}.yaml`)));
  const plan = planToJson(planned.plan) as unknown as PlanDocument;
  return { source: `stack file ${stack}`, plan, ...(planned.platform ? { platform: planToJson(planned.platform) as unknown as PlanDocument } : {}) };
}

const dirs: string[] = [];
let example: OrgInput[];
beforeAll(async () => {
  const dir = orgDir();
  example = [];
  for (const stack of STACKS) example.push(await input(dir, stack));
}, 120_000);
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const plans = () => Object.fromEntries(example.map((i) => [i.plan.stack, i.plan])) as Record<(typeof STACKS)[number], PlanDocument>;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("platform and team stacks: one proof over the organisation", () => {
  it("the example organisation passes: every service at its own targets, the shared pool's providers probed across teams, distinct bands", async () => {
    const org = await verifyOrganisation(example);
    expect(org.findings).toEqual([]);
    expect(org.passed).toBe(true);
    expect(org.stacks.map((s) => [s.result.stack, s.result.passed, s.result.findings.length])).toEqual([
      ["platform-stage", true, 0],
      ["team-payments-stage", true, 0],
      ["team-data-stage", true, 0],
    ]);
    expect(org.stacks[0]!.result.layout).toEqual({ kind: "platform", objects: 8, words: "authorization server services-stage, 3 scopes, 1 claim, 2 AWS OIDC providers, 1 GCP pool" });
    expect(org.stacks[1]!.result.layout).toEqual({ kind: "team", platform: PLATFORM, from: "plan", note: "stack platform-stage, given", state: false });
    // Each team's own targets, with the platform's claims (tenant_id, mapped by the pool's providers).
    expect(org.stacks[1]!.result.allowed.map((c) => [c.service, c.target])).toEqual([
      ["checkout", "aws-role:checkout"],
      ["checkout", "azure-identity:checkout"],
      ["checkout", "gcp-direct:checkout"],
      ["ledger", "aws-role:ledger"],
    ]);
    expect(org.stacks[2]!.result.allowed.map((c) => [c.service, c.target])).toEqual([
      ["ingest", "aws-role:ingest"],
      ["ingest", "gcp-sa:ingest"],
      ["warehouse", "gcp-direct:warehouse"],
    ]);
    expect(org.layout).toEqual([
      { stack: "platform-stage", kind: "platform" },
      { stack: "team-payments-stage", kind: "team", platform: PLATFORM, platformGiven: true, bands: [1] },
      { stack: "team-data-stage", kind: "team", platform: PLATFORM, platformGiven: true, bands: [2] },
    ]);
    expect(org.bands).toEqual([
      { server: "<platform-stage:platform-authz-server.id>", stacks: [{ stack: "team-payments-stage", bands: [1] }, { stack: "team-data-stage", bands: [2] }] },
    ]);
    // payments' 2 services x data's 3 targets, data's 2 x payments' 4; each pins its own subjects.
    // Each team's provider probed with the other team's 2 tokens: none named by its condition.
    expect(org.crossStack).toEqual({ cells: 2 * 3 + 2 * 4, evaluated: 0, allowed: [], probes: { tried: 4, evaluated: 0, accepted: 0 }, takeovers: [] });
    expect(org.uniqueness).toEqual({
      "AWS OIDC provider": 2,
      "AWS role name": 3,
      "Azure identity name": 1,
      "GCP pool": 1,
      "GCP pool provider": 2,
      "GCP principal": 4,
      "GCP service account": 1,
      "Okta app label": 4,
      "Okta authorization server name": 1,
    });
  });

  it("a team stack alone passes with its platform's objects (--stack-file, --plan, --state); the platform alone says what it holds", async () => {
    const dir = orgDir();
    const team = await runCli(verify, "--stack-file", join(dir, "Pulumi.team-payments-stage.yaml"));
    expect(team.stderr).toBe("");
    expect(team.code).toBe(0);
    expect(team.stdout).toContain(`team stack of platform ${PLATFORM}: the platform's shared objects from its plan (planned from the stack file beside the team's)\n`);
    expect(team.stdout).toContain("checkout  allow  deny   allow  allow \n");
    expect(team.stdout).toContain("PASSED: every service reaches exactly its own targets; all 12 trust probes denied; no shared client keys.");

    // A plan file alone: the platform contract its StackReference read.
    const planFile = join(dir, "team-payments-stage.plan.json");
    writeFileSync(planFile, JSON.stringify(plans()["team-payments-stage"]));
    const fromPlan = await runCli(verify, "--plan", planFile);
    expect(fromPlan.code).toBe(0);
    expect(fromPlan.stdout).toContain(`team stack of platform ${PLATFORM}: the platform's shared objects from the platform contract the team's StackReference read`);

    // An export alone: the contract too; the policy order is left to the organisation.
    const stateFile = join(dir, "team-payments-stage.state.json");
    writeFileSync(stateFile, JSON.stringify(planToExport(plans()["team-payments-stage"])));
    const fromState = await runCli(verify, "--state", stateFile);
    expect(fromState.stderr).toBe("");
    expect(fromState.code).toBe(0);
    expect(fromState.stdout).toContain("note: the order of the Okta policies is judged over every stack sharing the platform's server (the organisation), never one team's alone");

    const platform = await runCli(verify, "--stack-file", join(dir, "Pulumi.platform-stage.yaml"));
    expect(platform.code).toBe(0);
    expect(platform.stdout).toContain(
      "platform: 8 shared trust objects (authorization server services-stage, 3 scopes, 1 claim, 2 AWS OIDC providers, 1 GCP pool), no services; verify it with its team stacks (npm run verify -- --stack platform-stage --stack <team stack>...)",
    );
    expect(platform.stdout).toContain("PASSED: platform stack platform-stage: 8 shared trust objects, no services; verify it with its team stacks.");
    expect(platform.stdout).not.toContain("trust probes");
  }, 120_000);

  it("the organisation on the command line: each stack, then the layout, the bands and PASSED (exit 0)", async () => {
    const dir = orgDir();
    const out = await runCli(verify, ...STACKS.flatMap((s) => ["--stack-file", join(dir, `Pulumi.${s}.yaml`)]));
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`layout: platform platform-stage; 2 team stacks reading ${PLATFORM}\n`);
    expect(out.stdout).toContain("Okta priority bands on authorization server <platform-stage:platform-authz-server.id>: team-payments-stage 1; team-data-stage 2 (distinct)\n");
    expect(out.stdout).toContain("GCP pool providers probed with the other stacks' tokens: 0 of 4 accepted (0 evaluated, the others refused by the provider's own subject condition)");
    expect(out.stdout).toContain(
      "PASSED: every stack passed; no service reaches another stack's targets; no client key or name is shared across stacks; every team stack's platform is given and the teams' Okta priority bands are distinct.",
    );

    // The same organisation from plan files (as the org bench gives it): each team with the platform's plan given beside it.
    const files = STACKS.map((stack) => {
      const path = join(dir, `${stack}.plan.json`);
      writeFileSync(path, JSON.stringify(plans()[stack]));
      return path;
    });
    const fromPlans = await runCli(verify, ...files.flatMap((f) => ["--plan", f]), "--json");
    expect(fromPlans.code).toBe(0);
    const doc = JSON.parse(fromPlans.stdout);
    expect(doc.passed).toBe(true);
    expect(doc.stacks.map((s: any) => s.layout)).toEqual([
      { kind: "platform", objects: 8, words: "authorization server services-stage, 3 scopes, 1 claim, 2 AWS OIDC providers, 1 GCP pool" },
      { kind: "team", platform: PLATFORM, from: "plan", note: "stack platform-stage, given", state: false },
      { kind: "team", platform: PLATFORM, from: "plan", note: "stack platform-stage, given", state: false },
    ]);
    expect(doc.organisation.layout.map((l: any) => [l.stack, l.kind, l.platformGiven ?? null, l.bands ?? null])).toEqual([
      ["platform-stage", "platform", null, null],
      ["team-payments-stage", "team", true, [1]],
      ["team-data-stage", "team", true, [2]],
    ]);
  }, 120_000);

  it("a second team stack of team payments: one band claimed twice on the server, and one provider id twice in the pool", async () => {
    const second = fixture("team-payments-stage");
    const team = second.config["okta-federation:team"];
    team.services = { refunds: { description: "Refunds", scopes: ["api.read"], auth: { method: "private_key_jwt", jwks: [freshJwk("refunds-stage-2026-12")] }, gcp: { roles: ["roles/pubsub.subscriber"] } } };
    const dir = orgDir({ "team-payments2-stage": second });
    const org = await verifyOrganisation([...example, await input(dir, "team-payments2-stage")]);
    expect(org.stacks.map((s) => s.result.passed)).toEqual([true, true, true, true]);
    expect(org.findings.map((f) => [f.kind, f.stacks, f.message])).toEqual([
      [
        "duplicate-name",
        ["team-payments2-stage", "team-payments-stage"],
        "GCP pool provider payments in GCP pool acme-stage-example/okta-stage is in stack team-payments2-stage (federation-gcp-pool-provider-payments) and in stack team-payments-stage (federation-gcp-pool-provider-payments): GCP holds one provider per id in a pool: one stack cannot create it, or both manage one provider and each overwrites the other's attribute condition",
      ],
      [
        "okta-band",
        ["team-payments-stage", "team-data-stage", "team-payments2-stage"],
        "authorization server <platform-stage:platform-authz-server.id>: team stacks team-payments-stage and team-payments2-stage all create their Okta policies in priority band 1: deploying at once, they create policies at one priority (which Okta answered with errors, okta/terraform-provider-okta#1198); give each team stack its own team and band in the platform config (teams.<team>.oktaPriorityBand)",
      ],
    ]);
    expect(org.passed).toBe(false);
  }, 120_000);

  it("team payments' identity-admin grants reach team data's identities: listed when accepted, a finding when not", async () => {
    // Both teams in one AWS account; checkout may rewrite the account's kit roles and administer the project's pools.
    const platform = fixture("platform-stage");
    platform.config["okta-federation:platform"].teams.data.aws.account = "workloads";
    const payments = fixture("team-payments-stage");
    const checkout = payments.config["okta-federation:team"].services.checkout;
    checkout.aws.inlinePolicies = {
      "trust-admin": { allowIdentityAdmin: true, statements: [{ actions: ["iam:UpdateAssumeRolePolicy"], resources: ["arn:aws:iam::222222222222:role/oktafed/*"] }] },
    };
    checkout.gcp.roles = ["roles/pubsub.publisher", { role: "roles/iam.workloadIdentityPoolAdmin", allowIdentityAdmin: true }];
    const dir = orgDir({ "platform-stage": platform, "team-payments-stage": payments });
    const inputs = [];
    for (const stack of STACKS) inputs.push(await input(dir, stack));

    const accepted = await verifyOrganisation(inputs);
    expect(accepted.findings).toEqual([]);
    expect(accepted.passed).toBe(true);
    expect(accepted.crossStack.takeovers.map((t) => [t.stack, t.service, t.grant, t.accepted, t.reach.map((r) => `${r.stack}:${r.target}`)])).toEqual([
      ["team-payments-stage", "checkout", "AWS inline policy trust-admin", true, ["team-data-stage:aws-role:ingest"]],
      [
        "team-payments-stage",
        "checkout",
        "GCP role roles/iam.workloadIdentityPoolAdmin on project acme-stage-example",
        true,
        ["team-data-stage:gcp-direct:warehouse", "team-data-stage:gcp-sa:ingest", "platform-stage:gcp-pool:okta-stage"],
      ],
    ]);

    // The same grants without the opt-in (program code, or an edited plan): a finding in payments, and across stacks.
    const unaccepted = clone(inputs);
    for (const r of (unaccepted[1]!.plan.resources as any[]).filter((r) => r.outputs?.acceptedIdentityAdmin)) r.outputs.acceptedIdentityAdmin = [];
    const org = await verifyOrganisation(unaccepted);
    expect(org.stacks.map((s) => s.result.passed)).toEqual([true, false, true]);
    expect(org.findings.map((f) => [f.kind, f.stacks, f.message])).toEqual([
      [
        "cross-stack-takeover",
        ["team-payments-stage", "team-data-stage"],
        expect.stringMatching(/^team-payments-stage\/checkout holds AWS inline policy trust-admin, which .*: it could take over identities of stack team-data-stage: team-data-stage: AWS role ingest \(no allowIdentityAdmin opt-in\)$/),
      ],
      [
        "cross-stack-takeover",
        ["team-payments-stage", "team-data-stage", "platform-stage"],
        expect.stringMatching(
          /^team-payments-stage\/checkout holds GCP role roles\/iam\.workloadIdentityPoolAdmin on project acme-stage-example, which .*: it could take over identities of stacks team-data-stage, platform-stage: team-data-stage: GCP direct grants warehouse, GCP service account stage-ingest@acme-stage-example\.iam\.gserviceaccount\.com; platform-stage: GCP pool okta-stage \(its providers decide every principal of the pool\) \(no allowIdentityAdmin opt-in\)$/,
        ),
      ],
    ]);
    expect(org.passed).toBe(false);
  }, 180_000);

  it("a team's provider whose condition admits another team's client: caught by the cross-stack probe of the shared pool", async () => {
    const inputs = clone(example);
    const provider = (inputs[1]!.plan.resources as any[]).find((r) => r.type === "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
    // data's ingest client id, as the organisation qualifies it.
    provider.inputs.attributeCondition = "assertion.sub in ['<federation-checkout-app.clientId>', '<team-data-stage:federation-ingest-app.clientId>']";
    const org = await verifyOrganisation(inputs);
    // payments alone passes: its probes use a client id of no service.
    expect(org.stacks.map((s) => s.result.passed)).toEqual([true, true, true]);
    expect(org.findings.map((f) => [f.kind, f.stacks, f.message])).toEqual([
      [
        "cross-stack-probe",
        ["team-data-stage", "team-payments-stage"],
        "GCP provider payments (pool okta-stage) of stack team-payments-stage admits the token of team-data-stage/ingest by itself, as subject <team-data-stage:federation-ingest-app.clientId>: the pool is shared, so that principal holds every grant made to it in the pool",
      ],
    ]);
    expect(org.crossStack.probes).toEqual({ tried: 4, evaluated: 1, accepted: 1 });
  });

  it("team stacks without their platform: each reported unverified (platform not given)", async () => {
    const org = await verifyOrganisation(example.slice(1));
    expect(org.stacks.map((s) => s.result.passed)).toEqual([true, true]);
    expect(org.findings.map((f) => [f.kind, f.stacks, f.message])).toEqual(
      ["team-payments-stage", "team-data-stage"].map((stack) => [
        "platform-not-given",
        [stack, "platform-stage"],
        `stack ${stack} reads platform stack ${PLATFORM}, which is not given: its services were verified with the platform planned beside it only, not across the organisation that shares the platform's server and pool; unverified: give the platform stack and every team stack reading it (--stack platform-stage)`,
      ]),
    );
    expect(org.passed).toBe(false);
  });

  it("exports: the deployed policy order judged over every team stack sharing the server", async () => {
    const { "platform-stage": platform, "team-payments-stage": payments, "team-data-stage": data } = plans();
    // Okta's contiguous priorities after refresh: payments' policies 1-2, data's 3-4.
    const at = (priorities: Record<string, number>) => (r: any) => {
      if (r.type === "okta:auth/serverPolicy:ServerPolicy") r.outputs.priority = priorities[r.outputs.name];
    };
    const state = (plan: PlanDocument, change?: (r: any) => void) => ({ source: `state ${plan.stack}`, state: true, plan: stateToPlan(planToExport(plan, change), `state ${plan.stack}`) });
    const all = await verifyOrganisation([
      state(platform),
      state(payments, at({ "stage-checkout": 1, "stage-ledger": 2 })),
      state(data, at({ "stage-ingest": 3, "stage-warehouse": 4 })),
    ]);
    expect(all.findings).toEqual([]);
    expect(all.passed).toBe(true);
    expect(all.bands).toEqual([{ server: expect.stringMatching(/^platform-authz-server-/), stacks: [{ stack: "team-payments-stage", bands: [1] }, { stack: "team-data-stage", bands: [2] }] }]);

    // Without payments' export, priorities 1-2 are held by no given stack: a policy from outside them may decide data's tokens.
    const partial = await verifyOrganisation([state(platform), state(data, at({ "stage-ingest": 3, "stage-warehouse": 4 }))]);
    expect(partial.findings.map((f) => [f.kind, f.stacks, f.message])).toEqual([
      [
        "policy-order",
        ["team-data-stage"],
        expect.stringMatching(
          /^authorization server platform-authz-server-[0-9a-f]+: priorities 1-2 are held by no policy of the given stacks \(team-data-stage\), so Okta evaluates policies from outside them before team-data-stage\/stage-ingest and team-data-stage\/stage-warehouse; /,
        ),
      ],
    ]);
  });
});
