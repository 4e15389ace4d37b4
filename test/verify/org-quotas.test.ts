/**
 * The quotas stacks share, summed by the organisation proof (tools/verify/orgQuotas.ts, counted by
 * tools/offline/scale.ts): a GCP project's IAM policy principals and service accounts, an AWS
 * account's roles and OIDC providers. Over a hard limit is a finding; over a default quota an
 * advisory that does not fail; a platform's objects count once however many teams read it; an
 * export counts as its plan does.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planWithPlatform } from "../../tools/offline/orgPlan";
import { planStack, planToJson } from "../../tools/offline/plan";
import { loadStackFile, type StackConfig } from "../../tools/offline/stackFile";
import { main as verify } from "../../tools/verify";
import type { PlanDocument, PlanResource } from "../../tools/verify/model";
import { verifyOrganisation, type OrgInput } from "../../tools/verify/org";
import { sharedQuotas } from "../../tools/verify/orgQuotas";
import { stateToPlan } from "../../tools/verify/state";
import { runCli } from "../helpers/cli";
import { fixtureStack, fixtureVariant } from "../helpers/stacks";
import { planToExport } from "../helpers/planExport";

const planOf = async (stack: string | StackConfig) => planToJson(await planStack(typeof stack === "string" ? fixtureStack(stack) : stack)) as unknown as PlanDocument;

/** prod's services in dev's AWS account and GCP project (its own names, Okta org and pool). */
const prodBesideDev = () =>
  planOf(
    fixtureVariant("prod", (f) => {
      f.aws.accountId = "111111111111";
      delete f.aws.permissionsBoundaryArn;
      f.gcp.project = "acme-dev-example";
    }),
  );

/** A plan with `count` more copies of its resource `name`, each with `change(i)` applied to its inputs and afterDeploy. */
function padded(plan: PlanDocument, name: string, count: number, change: (i: number) => { inputs?: Record<string, unknown>; afterDeploy?: Record<string, unknown> }): PlanDocument {
  const original = plan.resources.find((r) => r.name === name)!;
  const copies: PlanResource[] = Array.from({ length: count }, (_, i) => {
    const { inputs, afterDeploy } = change(i);
    return { ...original, urn: `${original.urn}-pad-${i}`, name: `${original.name}-pad-${i}`, inputs: { ...original.inputs, ...inputs }, afterDeploy: { ...original.afterDeploy, ...afterDeploy } };
  });
  return { ...plan, resources: [...plan.resources, ...copies] };
}

/** More project-level grants to a service's own service account (one role each). */
const moreGrants = (plan: PlanDocument, count: number) => padded(plan, "federation-payments-gcp-roles/storage.objectViewer", count, (i) => ({ inputs: { role: `roles/custom.reader${i}` } }));

/** More service accounts in the plan's project. */
const moreServiceAccounts = (plan: PlanDocument, count: number) =>
  padded(plan, "federation-payments-gcp-sa", count, (i) => ({ inputs: { accountId: `${plan.stack}-extra-${i}`, displayName: `${plan.stack}-extra-${i}` } }));

/** dev and prod in one project and account, unpadded: every shared quota, each stack's share. */
const BESIDE = [
  { quota: "gcpPolicyPrincipals", scope: "acme-dev-example", what: "GCP project acme-dev-example: principals the kit adds to its IAM policy", total: 5, stacks: [{ stack: "dev", count: 4 }, { stack: "prod", count: 1 }], limit: 1500, kind: "limit" },
  { quota: "gcpServiceAccounts", scope: "acme-dev-example", what: "GCP project acme-dev-example: service accounts", total: 2, stacks: [{ stack: "dev", count: 1 }, { stack: "prod", count: 1 }], limit: 100, kind: "quota" },
  { quota: "awsRoles", scope: "111111111111", what: "AWS account 111111111111: roles", total: 4, stacks: [{ stack: "dev", count: 2 }, { stack: "prod", count: 2 }], limit: 1000, kind: "quota" },
  { quota: "awsOidcProviders", scope: "111111111111", what: "AWS account 111111111111: OIDC providers", total: 2, stacks: [{ stack: "dev", count: 1 }, { stack: "prod", count: 1 }], limit: 100, kind: "limit" },
];

let dir: string;
let dev: PlanDocument;
let prod: PlanDocument;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "verify-org-quotas-"));
  dev = await planOf("dev");
  prod = await prodBesideDev();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("quotas shared by stacks in one GCP project or AWS account", () => {
  it("two stacks in one project and account: each shared quota summed with each stack's share; within every limit, they pass", async () => {
    const org = await verifyOrganisation([
      { source: "stack dev", plan: dev },
      { source: "stack prod", plan: prod },
    ]);
    expect(org.sharedQuotas).toEqual(BESIDE);
    expect(org.findings).toEqual([]);
    expect(org.passed).toBe(true);
  });

  it("principals of two plans together past the project policy's hard limit of 1,500: a finding naming both stacks; the CLI fails (exit 1), in text and JSON", async () => {
    // Each fits alone (764 and 741 grants); together 1,505.
    const many = [moreGrants(dev, 760), moreGrants(prod, 740)];
    const org = await verifyOrganisation([
      { source: "plan dev", plan: many[0]! },
      { source: "plan prod", plan: many[1]! },
    ]);
    expect(org.stacks.map((s) => s.result.passed)).toEqual([true, true]);
    const advisory =
      "the project's other grants count too, and every grant is a read-modify-write of that one policy: grant on the services' own service accounts or on resources, or split the services over projects";
    const message =
      "GCP project acme-dev-example: principals the kit adds to its IAM policy: 1,505 across stacks (dev 764, prod 741), over the limit of 1,500, which cannot be raised: " +
      `the \`pulumi up\` of whichever of these stacks deploys last fails at the first object past it (the plans cannot tell which stack that is); ${advisory}`;
    expect(org.findings).toEqual([{ kind: "shared-quota", stacks: ["dev", "prod"], message }]);
    expect(org.sharedQuotas[0]).toEqual({ ...BESIDE[0], total: 1505, stacks: [{ stack: "dev", count: 764 }, { stack: "prod", count: 741 }], over: true, advisory });
    expect(org.passed).toBe(false);

    const files = many.map((plan) => {
      const path = join(dir, `${plan.stack}-plan.json`);
      writeFileSync(path, JSON.stringify(plan));
      return path;
    });
    const args = files.flatMap((f) => ["--plan", f]);
    const text = await runCli(verify, ...args);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      "Shared quotas (objects of several stacks in one GCP project or AWS account, summed):\n" +
        "  ! GCP project acme-dev-example: principals the kit adds to its IAM policy: 1505 of 1500 (dev 764, prod 741) (over: a finding)\n" +
        "    GCP project acme-dev-example: service accounts: 2 of 100 (default quota) (dev 1, prod 1)\n" +
        "    AWS account 111111111111: roles: 4 of 1000 (default quota) (dev 2, prod 2)\n" +
        "    AWS account 111111111111: OIDC providers: 2 of 100 (dev 1, prod 1)\n",
    );
    expect(text.stdout).toContain(`FAILED: 1 cross-stack finding\n  - ${message}`);
    const json = JSON.parse((await runCli(verify, ...args, "--json")).stdout);
    expect(json.organisation.sharedQuotas).toEqual(org.sharedQuotas);
    expect(json.organisation.findings).toEqual(org.findings);
    // Markdown escapes the lines (markdown.ts mdText).
    const markdown = (await runCli(verify, ...args, "--markdown")).stdout;
    expect(markdown).toContain(
      "**Shared quotas (objects of several stacks in one GCP project or AWS account, summed)**\n\n" +
        "- ⚠️ GCP project acme-dev-example\\: principals the kit adds to its IAM policy\\: 1505 of 1500 \\(dev 764, prod 741\\) \\(over\\: a finding\\)\n" +
        "- GCP project acme-dev-example\\: service accounts\\: 2 of 100 \\(default quota\\) \\(dev 1, prod 1\\)\n",
    );
  }, 60_000);

  it("OIDC providers of two documents together past the account's hard limit of 100 (adopted ones not counted): a finding", () => {
    const providers = (stack: string, created: number): { stack: string; plan: PlanDocument } => ({
      stack,
      plan: {
        stack,
        resources: [...Array.from({ length: created }, (_, i) => `${stack}-${i}`), "adopted"].map((name) => ({
          urn: `urn:pulumi:${stack}::p::aws:iam/openIdConnectProvider:OpenIdConnectProvider::${name}`,
          type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
          name,
          parent: null,
          ...(name === "adopted" ? { operation: "read", id: "adopted" } : {}),
          inputs: {},
          afterDeploy: { arn: `arn:aws:iam::111111111111:oidc-provider/${name}.example.com` },
        })),
      },
    });
    const { quotas, findings } = sharedQuotas([providers("team-a", 60), providers("team-b", 41)]);
    expect(quotas.map((q) => [q.what, q.total, q.over])).toEqual([["AWS account 111111111111: OIDC providers", 101, true]]);
    expect(findings).toEqual([
      {
        kind: "shared-quota",
        stacks: ["team-a", "team-b"],
        message:
          "AWS account 111111111111: OIDC providers: 101 across stacks (team-a 60, team-b 41), over the limit of 100, which cannot be raised: the `pulumi up` of whichever of these stacks deploys last fails at the first object past it (the plans cannot tell which stack that is); " +
          "the account's other OIDC providers count too, and this quota cannot be raised: adopt an existing provider (aws.existingOidcProviderArn) or split the federations over accounts",
      },
    ]);
    // At the limit: an advisory (over 80 % of it), no finding.
    const at = sharedQuotas([providers("team-a", 60), providers("team-b", 40)]);
    expect([at.findings, at.quotas[0]!.total, at.quotas[0]!.over, at.quotas[0]!.advisory?.startsWith("the account's other OIDC providers count too")]).toEqual([[], 100, undefined, true]);
  });

  it("service accounts of two plans together past the default quota of 100: an advisory saying how to raise it; the organisation still passes", async () => {
    // 60 and 46: each under 80 % of the quota alone, 106 together.
    const org = await verifyOrganisation([
      { source: "stack dev", plan: moreServiceAccounts(dev, 59) },
      { source: "stack prod", plan: moreServiceAccounts(prod, 45) },
    ]);
    expect(org.sharedQuotas[1]).toEqual({
      ...BESIDE[1],
      total: 106,
      stacks: [
        { stack: "dev", count: 60 },
        { stack: "prod", count: 46 },
      ],
      over: true,
      advisory:
        'over the default quota of 100: creating service account 101 fails unless the quota was raised; request a higher "Number of service accounts" quota for acme-dev-example in the Google Cloud console (IAM & Admin > Quotas; cloud.google.com/iam/quotas), use direct grants (serviceAccount: false), or split the services over projects',
    });
    expect(org.findings).toEqual([]);
    expect(org.passed).toBe(true);

    // Over 80 % of it (81 together): an advisory that the project's other service accounts count too.
    const near = await verifyOrganisation([
      { source: "stack dev", plan: moreServiceAccounts(dev, 40) },
      { source: "stack prod", plan: moreServiceAccounts(prod, 39) },
    ]);
    expect([near.sharedQuotas[1]!.total, near.sharedQuotas[1]!.over, near.sharedQuotas[1]!.advisory]).toEqual([
      81,
      undefined,
      'the project\'s other service accounts count too: request a higher "Number of service accounts" quota for acme-dev-example in the Google Cloud console (IAM & Admin > Quotas; cloud.google.com/iam/quotas), use direct grants (serviceAccount: false), or split the services over projects',
    ]);
    expect(near.passed).toBe(true);
  });

  it("an export counts as its plan does: account from its roles' deployed arn, project from the inputs", async () => {
    const state = stateToPlan(planToExport(dev), "state dev-state.json");
    const org = await verifyOrganisation([
      { source: "state dev-state.json", plan: state, state: true },
      { source: "stack prod", plan: prod },
    ]);
    expect(org.sharedQuotas).toEqual(BESIDE);
    // No cross-stack finding (the export fails on its own only: its Okta policies keep the priorities planned, which Okta renumbers).
    expect(org.findings).toEqual([]);
  });
});

describe("a platform's objects count once, however many team stacks read it", () => {
  const FIXTURES = join(__dirname, "..", "fixtures", "org");
  /** A stack of the example organisation as `verify --stack-file` loads it (a team with its platform planned beside it). */
  const input = async (stack: string): Promise<OrgInput> => {
    const planned = await planWithPlatform(loadStackFile(join(FIXTURES, `Pulumi.${stack}.yaml`)));
    return { source: `stack file ${stack}`, plan: planToJson(planned.plan) as unknown as PlanDocument, ...(planned.platform ? { platform: planToJson(planned.platform) as unknown as PlanDocument } : {}) };
  };
  /** prod is in the payments team's AWS account (222222222222): its OIDC provider beside the platform's, its roles beside the team's. */
  const expected = [
    { quota: "awsRoles", scope: "222222222222", what: "AWS account 222222222222: roles", total: 4, stacks: [{ stack: "team-payments-stage", count: 2 }, { stack: "prod", count: 2 }], limit: 1000, kind: "quota" },
    { quota: "awsOidcProviders", scope: "222222222222", what: "AWS account 222222222222: OIDC providers", total: 2, stacks: [{ stack: "platform-stage", count: 1 }, { stack: "prod", count: 1 }], limit: 100, kind: "limit" },
  ];

  it("the platform given with its two teams: its OIDC provider counted once, not with each team's", async () => {
    const inputs = [await input("platform-stage"), await input("team-payments-stage"), await input("team-data-stage"), { source: "stack prod", plan: await planOf("prod") }];
    const org = await verifyOrganisation(inputs);
    expect(org.sharedQuotas.filter((q) => q.scope === "222222222222")).toEqual(expected);
    // The two teams' grants in the platform's GCP project (the platform grants none there).
    expect(org.sharedQuotas.filter((q) => q.scope === "acme-stage-example")).toEqual([
      {
        quota: "gcpPolicyPrincipals",
        scope: "acme-stage-example",
        what: "GCP project acme-stage-example: principals the kit adds to its IAM policy",
        total: 4,
        stacks: [
          { stack: "team-payments-stage", count: 1 },
          { stack: "team-data-stage", count: 3 },
        ],
        limit: 1500,
        kind: "limit",
      },
    ]);
  }, 60_000);

  it("the platform not given: planned beside each of its two teams, counted once all the same", async () => {
    const org = await verifyOrganisation([await input("team-payments-stage"), await input("team-data-stage"), { source: "stack prod", plan: await planOf("prod") }]);
    expect(org.findings.map((f) => f.kind)).toEqual(["platform-not-given", "platform-not-given"]);
    // Counted after the stacks given.
    expect(org.sharedQuotas.filter((q) => q.scope === "222222222222")).toEqual([expected[0], { ...expected[1], stacks: [{ stack: "prod", count: 1 }, { stack: "platform-stage", count: 1 }] }]);
  }, 60_000);
});
