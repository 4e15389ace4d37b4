/**
 * npm run review on pull requests of the organisation layout (dev/review/scenarios.ts ORG_SCENARIOS
 * and a few more): a base of the fixture stage organisation (platform-stage, team-payments-stage,
 * team-data-stage, both teams in the AWS account workloads) and heads changed as pull requests
 * change them. A platform's change is followed into each team stack that reads it; a team's change
 * is judged against the other stacks by the organisation proof (new findings only).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildHead, buildOrgBase, editConfig, ORG_SCENARIOS, type Scenario } from "../../dev/review/scenarios";
import { main as review } from "../../tools/review";
import { runCli } from "../helpers/cli";

let root: string;
let base: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "review-org-test-"));
  base = buildOrgBase(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const scenario = (name: string): Scenario => ORG_SCENARIOS.find((s) => s.name === name)!;
/** A head changed by `change`, a copy of `from` (the base by default). */
function headWith(name: string, change: (head: string) => void, from = base): string {
  const head = join(root, `custom-${name}`);
  cpSync(from, head, { recursive: true });
  change(head);
  return head;
}

/** The review as JSON: its verdict, the organisation sections in text lines, and each stack. */
async function reviewOf(head: string, from = base) {
  const { code, stdout, stderr } = await runCli(review, "--base", from, "--head", head, "--json");
  expect(stderr).toBe("");
  const doc = JSON.parse(stdout);
  return {
    code,
    verdict: doc.verdict as string,
    org: doc.organisations.map((o: { lines: string[] }) => o.lines) as string[][],
    stacks: doc.stacks as Array<{ stack: string; status: string; notes: string[]; errors: string[]; changes: unknown[] }>,
  };
}

const HEADER = ["=== organisation: platform platform-stage and its team stacks", "Platform stack platform-stage; team stacks reading it: team-data-stage, team-payments-stage."];
const PLATFORM_CHANGES = "the platform changes: what changes for each team stack (each planned with the base's and with the head's platform)";
const proofOver = (stacks: string) => `effects on other stacks (the organisation proof over the head's ${stacks}; only what the base does not have)`;
const replanned = (changes: string, lifecycle: string) => `re-planned with the head's platform: ${changes}, ${lifecycle} replaced or deleted on its next \`pulumi up\` (its section below)`;
const UNCHANGED_NOTE = "its stack file is unchanged: what changes here comes from its platform platform-stage";

describe("npm run review: the organisation's synthetic pull requests", () => {
  for (const s of ORG_SCENARIOS) {
    it(`${s.name}: ${s.description}`, async () => {
      const { code, stdout, stderr } = await runCli(review, "--base", base, "--head", buildHead(base, s), "--markdown");
      expect(stderr).toBe("");
      for (const text of s.contains) expect(stdout).toContain(text);
      for (const text of s.lacks) expect(stdout).not.toContain(text);
      expect(code).toBe(s.exit);
    });
  }
});

describe("a pull request that changes a platform stack: what changes for each team stack that reads it", () => {
  it("a scope removed that a team's service requests: that team's next pulumi up FAILS validation, naming the service", async () => {
    const r = await reviewOf(buildHead(base, scenario("org-platform-removes-scope")));
    expect(r.code).toBe(1);
    expect(r.org).toEqual([
      [
        ...HEADER,
        PLATFORM_CHANGES,
        "  Platform contract: scope api.write removed",
        "  Team stack team-data-stage (team data):",
        `    ${replanned("0 access changes", "0 resources")}`,
        "  Team stack team-payments-stage (team payments):",
        "    scope api.write removed: the next `pulumi up` of team payments FAILS validation: service checkout requests it",
        '    does not plan with the head\'s platform: its next `pulumi up` FAILS: invalid config okta-federation:team: 1 problem; services.checkout.scopes[1]: unknown scope "api.write"; allowed: api.read, events.publish (declared by the platform under okta.scopes)',
        proofOver("platform-stage, team-data-stage"),
        "  platform-stage: no effect on other stacks",
        "  team-payments-stage: does not plan in the head, left out of the organisation proof",
      ],
    ]);
    expect(r.stacks.map((s) => [s.stack, s.status])).toEqual([
      ["platform-stage", "passed"],
      ["team-data-stage", "passed"],
      ["team-payments-stage", "invalid"],
    ]);
    expect(r.stacks[2]!.notes).toEqual([UNCHANGED_NOTE]);
  });

  it("the audience changes: every trust of every team changes, counted per team", async () => {
    const r = await reviewOf(headWith("audience", (h) => editConfig(h, "platform-stage", "platform", (p) => (p.okta.authorizationServer.audience = "api://services-stage-2"))));
    expect(r.code).toBe(0);
    const after = "its services' tokens carry the new audience as soon as the platform is deployed, and its trusts accept it only once this team stack is deployed too";
    expect(r.org).toEqual([
      [
        ...HEADER,
        PLATFORM_CHANGES,
        "  Platform contract: okta.audience api://services-stage → api://services-stage-2",
        "  Team stack team-data-stage (team data):",
        `    audience api://services-stage → api://services-stage-2: every trust of team data changes (1 AWS role, 1 GCP provider); ${after}`,
        `    ${replanned("3 access changes", "0 resources")}`,
        "  Team stack team-payments-stage (team payments):",
        `    audience api://services-stage → api://services-stage-2: every trust of team payments changes (2 AWS roles, 1 GCP provider, 1 Azure credential); ${after}`,
        `    ${replanned("5 access changes", "0 resources")}`,
        proofOver("platform-stage, team-data-stage, team-payments-stage"),
        "  platform-stage: no effect on other stacks",
      ],
    ]);
    expect(r.stacks.find((s) => s.stack === "team-payments-stage")!.notes).toEqual([UNCHANGED_NOTE]);
  });

  it("a team's Okta priority band changes: nothing replaced, new policies only", async () => {
    const r = await reviewOf(headWith("band", (h) => editConfig(h, "platform-stage", "platform", (p) => (p.teams.payments.oktaPriorityBand = 5))));
    expect(r.code).toBe(0);
    expect(r.org[0]!.slice(2, 9)).toEqual([
      PLATFORM_CHANGES,
      "  Platform contract: teams.payments.oktaPriorityBand 1 → 5",
      "  Team stack team-data-stage (team data):",
      `    ${replanned("0 access changes", "0 resources")}`,
      "  Team stack team-payments-stage (team payments):",
      "    Okta priority band 1 → 5: nothing is replaced; only policies created from now on get the new band's priorities (a policy's priority is ignored after create)",
      `    ${replanned("0 access changes", "0 resources")}`,
    ]);
  });

  it("a team's GCP provider id changes: its provider REPLACED, its workloads' credential configs get a new audience", async () => {
    const r = await reviewOf(headWith("provider", (h) => editConfig(h, "platform-stage", "platform", (p) => (p.teams.data.gcp.providerId = "data-2"))));
    expect(r.code).toBe(0);
    expect(r.org[0]!.slice(3, 7)).toEqual([
      "  Platform contract: teams.data.gcp.providerId data-team → data-2",
      "  Team stack team-data-stage (team data):",
      "    GCP provider id data-team → data-2: the team's provider in the pool is REPLACED (new provider id data-2), and its workloads' credential configs change: the audience of the external_account is now //iam.googleapis.com/projects/<acme-stage-example.projectNumber>/locations/global/workloadIdentityPools/okta-stage/providers/data-2 (services ingest, warehouse)",
      `    ${replanned("0 access changes", "1 resource")}`,
    ]);
  });

  it("a team removed from the platform's teams: its stack fails", async () => {
    const r = await reviewOf(headWith("team-removed", (h) => editConfig(h, "platform-stage", "platform", (p) => delete p.teams.data)));
    expect(r.code).toBe(1);
    expect(r.org[0]!.slice(3, 7)).toEqual([
      "  Platform contract: team data removed from teams",
      "  Team stack team-data-stage (team data):",
      "    team data removed from the platform's teams: this stack's next `pulumi up` FAILS (the platform has no place for it)",
      '    does not plan with the head\'s platform: its next `pulumi up` FAILS: invalid config okta-federation:team: 1 problem; team: "data" is not a team of platform stack acme/okta-federation/platform-stage (teams: payments); add it under platform.teams in the platform\'s config',
    ]);
  });

  it("the platform's stack file removed: every team stack is named as one the review cannot plan, and the review fails", async () => {
    const r = await reviewOf(headWith("platform-removed", (h) => rmSync(join(h, "stacks", "Pulumi.platform-stage.yaml"))));
    expect(r.code).toBe(1);
    expect(r.org[0]!.slice(2)).toEqual([
      PLATFORM_CHANGES,
      "  Team stack team-data-stage (team data):",
      "    the head removes the platform's stack file: this team stack cannot read its platform, so its next `pulumi up` FAILS",
      "  Team stack team-payments-stage (team payments):",
      "    the head removes the platform's stack file: this team stack cannot read its platform, so its next `pulumi up` FAILS",
    ]);
    expect(r.stacks.map((s) => [s.stack, s.status])).toEqual([
      ["platform-stage", "removed"],
      ["team-data-stage", "unreviewable"],
      ["team-payments-stage", "unreviewable"],
    ]);
    expect(r.stacks[1]!.errors).toEqual([
      "cannot be reviewed offline: platform acme/okta-federation/platform-stage not found (a team stack is planned with its platform's stack file beside its own, stacks/Pulumi.platform-stage.yaml, and there is no such regular file)",
    ]);
  });

  it("a head platform that does not plan (two teams in one band, refused by the platform's rules): every team stack fails, no proof runs", async () => {
    const r = await reviewOf(headWith("band-clash", (h) => editConfig(h, "platform-stage", "platform", (p) => (p.teams.payments.oktaPriorityBand = 2))));
    expect(r.code).toBe(1);
    const gone = "    the head's platform does not plan (its errors are in its own section): this team stack cannot read its platform, so its next `pulumi up` FAILS";
    expect(r.org).toEqual([
      [
        ...HEADER,
        PLATFORM_CHANGES,
        "  Team stack team-data-stage (team data):",
        gone,
        "  Team stack team-payments-stage (team payments):",
        gone,
        "effects on other stacks (the organisation proof cannot run: fewer than two of its stacks plan in the head)",
        "  platform-stage: does not plan in the head, left out of the organisation proof",
        "  team-data-stage: does not plan in the head, left out of the organisation proof",
        "  team-payments-stage: does not plan in the head, left out of the organisation proof",
      ],
    ]);
    expect(r.stacks[0]!.errors).toEqual([
      "invalid config okta-federation:platform: 1 problem",
      "teams.payments.oktaPriorityBand: is 2, already the band of team data: each team needs its own band, so that teams deploying at once never create Okta policies at one priority",
    ]);
  });

  it("a platform file changed without changing its contract: nothing changes for its team stacks", async () => {
    const r = await reviewOf(headWith("platform-comment", (h) => writeFileSync(join(h, "stacks", "Pulumi.platform-stage.yaml"), `# a comment\n${readFileSync(join(h, "stacks", "Pulumi.platform-stage.yaml"), "utf8")}`)));
    expect(r.code).toBe(0);
    expect(r.org).toEqual([[...HEADER, proofOver("platform-stage, team-data-stage, team-payments-stage"), "  platform-stage: no effect on other stacks"]]);
  });
});

describe("a pull request that changes a team stack: its effects on other stacks", () => {
  it("a service that duplicates another team's role name and app label: the new cross-stack findings, and the review fails", async () => {
    const r = await reviewOf(buildHead(base, scenario("org-team-duplicate-role")));
    expect(r.code).toBe(1);
    expect(r.verdict).toBe("failed");
    expect(r.org).toEqual([
      [
        ...HEADER,
        proofOver("platform-stage, team-data-stage, team-payments-stage"),
        "  team-data-stage: ❌ 2 new cross-stack findings:",
        "    Okta app label stage-checkout in Okta org acme-stage-example.oktapreview.com is in stack team-payments-stage (federation-checkout-app) and in stack team-data-stage (federation-checkout-app): two apps with one label in one Okta org cannot be told apart in the admin console or the System Log",
        "    AWS role name stage-checkout in AWS account 222222222222 is in stack team-payments-stage (federation-checkout-aws-role) and in stack team-data-stage (federation-checkout-aws-role): IAM holds one role per name in an account (names are case-insensitive): one stack cannot create it, or both manage one role and each overwrites the other's trust",
      ],
    ]);
    // The team stack passes on its own: only the organisation proof sees the collision.
    expect(r.stacks.map((s) => [s.stack, s.status])).toEqual([
      ["platform-stage", "passed"],
      ["team-data-stage", "passed"],
      ["team-payments-stage", "passed"],
    ]);
  });

  it("an identity-admin grant (accepted in its own stack) reaching another team's identities: named as an effect on that stack, risky", async () => {
    const r = await reviewOf(buildHead(base, scenario("org-team-identity-admin")));
    expect(r.code).toBe(0);
    expect(r.org).toEqual([
      [
        ...HEADER,
        proofOver("platform-stage, team-data-stage, team-payments-stage"),
        "  team-data-stage: ⚠️ 1 new identity-admin grant reaching other stacks' identities:",
        "    team-data-stage/ingest holds GCP role roles/iam.workloadIdentityPoolAdmin on project acme-stage-example, which holds iam.googleapis.com/workloadIdentityPoolProviders.update (rewrites the workload identity pool's providers, their issuer and attribute condition): it could take over identities of stacks team-payments-stage, platform-stage: team-payments-stage: GCP direct grants checkout; platform-stage: GCP pool okta-stage (its providers decide every principal of the pool) (accepted in its own stack with allowIdentityAdmin: true; the other stacks' owners must agree)",
      ],
    ]);
  });

  it("services that take a quota two stacks share past 80 % of its default: an advisory under the stacks that changed it, not a finding", async () => {
    const head = headWith("shared-quota", (h) => {
      // 79 more service accounts in team data, and payments' checkout gets one: 81 in the project.
      editConfig(h, "team-data-stage", "team", (t) => {
        for (let i = 1; i <= 79; i++) {
          t.services[`batch-${String(i).padStart(2, "0")}`] = {
            description: `Batch job ${i}`,
            scopes: ["api.read"],
            auth: { method: "client_secret_basic" },
            gcp: { serviceAccount: true, roles: ["roles/bigquery.dataViewer"] },
          };
        }
      });
      editConfig(h, "team-payments-stage", "team", (t) => (t.services.checkout.gcp.serviceAccount = true));
    });
    const r = await reviewOf(head);
    expect(r.code).toBe(0);
    const quota =
      "    GCP project acme-stage-example: service accounts: 81 of 100 (default quota) (team-data-stage 80, team-payments-stage 1) " +
      '(advisory: the project\'s other service accounts count too: request a higher "Number of service accounts" quota for acme-stage-example in the Google Cloud console ' +
      "(IAM & Admin > Quotas; cloud.google.com/iam/quotas), use direct grants (serviceAccount: false), or split the services over projects)";
    const heading = (stack: string) => `  ${stack}: 1 quota shared with other stacks now near or past its limit (advisories: raise a default quota before deploying):`;
    expect(r.org).toEqual([
      [...HEADER, proofOver("platform-stage, team-data-stage, team-payments-stage"), heading("team-data-stage"), quota, heading("team-payments-stage"), quota],
    ]);
    expect(r.verdict).not.toContain("cross-stack finding");
  });

  it("a service with names of its own: no effect on other stacks", async () => {
    const r = await reviewOf(buildHead(base, scenario("org-team-harmless")));
    expect(r.code).toBe(0);
    expect(r.org).toEqual([[...HEADER, proofOver("platform-stage, team-data-stage, team-payments-stage"), "  team-data-stage: no effect on other stacks"]]);
  });

  it("a service handed to another team in one AWS account: the move and the role name it takes along, with the order to deploy in; risky, not a finding", async () => {
    const r = await reviewOf(buildHead(base, scenario("org-team-moves-service")));
    expect(r.code).toBe(0);
    expect(r.verdict).toBe("passed");
    expect(r.org).toEqual([
      [
        ...HEADER,
        proofOver("platform-stage, team-data-stage, team-payments-stage"),
        "  team-data-stage: no effect on other stacks",
        "  team-payments-stage: no effect on other stacks",
        "moves between stacks (2, risky: pulumi up moves no identity from one stack to another; deploy in the order given)",
        "  service ledger: team-payments-stage → team-data-stage: team-data-stage creates a new Okta app for it (a new client id) and new cloud identities, team-payments-stage deletes the old ones, " +
          "and its workloads must take the new client id and credential settings from team-data-stage's outputs; names held once go from team-payments-stage to team-data-stage in this pull request (below), " +
          "and team-payments-stage holds them until its pulumi up deletes them, so deploy team-payments-stage first: the service has no access from then until team-data-stage is deployed and its workloads have switched (or give the service a new key in team-data-stage, and move without an outage)",
        "  AWS role name stage-ledger in AWS account 222222222222: team-payments-stage → team-data-stage: IAM holds one role per name in an account: the create in team-data-stage fails (EntityAlreadyExists) " +
          "until team-payments-stage's pulumi up has deleted the role; the new role has a new unique id, so resource policies that named the old one (bucket, key or queue policies) must be saved again",
      ],
    ]);
  });

  it("a team split off into a new team stack, in another AWS account: the service moves, no name is held by both, so the new stack deploys first", async () => {
    const head = headWith("team-split", (h) => {
      editConfig(h, "platform-stage", "platform", (p) => (p.teams.ledger = { oktaPriorityBand: 3, aws: { account: "data" } }));
      let ledger: unknown;
      editConfig(h, "team-payments-stage", "team", (t) => {
        ledger = t.services.ledger;
        delete t.services.ledger;
      });
      const file = join(h, "stacks", "Pulumi.team-ledger-stage.yaml");
      writeFileSync(file, readFileSync(join(h, "stacks", "Pulumi.team-payments-stage.yaml"), "utf8"));
      editConfig(h, "team-ledger-stage", "team", (t) => {
        t.team = "ledger";
        t.services = { ledger };
      });
    });
    const r = await reviewOf(head);
    expect(r.code).toBe(0);
    const org = r.org[0]!;
    expect(org.slice(org.indexOf("moves between stacks (1, risky: pulumi up moves no identity from one stack to another; deploy in the order given)"))).toEqual([
      "moves between stacks (1, risky: pulumi up moves no identity from one stack to another; deploy in the order given)",
      "  service ledger: team-payments-stage → team-ledger-stage: team-ledger-stage creates a new Okta app for it (a new client id) and new cloud identities, team-payments-stage deletes the old ones, " +
        "and its workloads must take the new client id and credential settings from team-ledger-stage's outputs; without an outage: deploy team-ledger-stage first, switch the workloads, then deploy team-payments-stage",
    ]);
  });

  it("the text form carries the same organisation section", async () => {
    const { stdout } = await runCli(review, "--base", base, "--head", buildHead(base, scenario("org-team-harmless")));
    expect(stdout).toContain([...HEADER, proofOver("platform-stage, team-data-stage, team-payments-stage"), "  team-data-stage: no effect on other stacks"].join("\n"));
  });
});

describe("a team stack whose platform is not in the repository", () => {
  /** A base whose team stack payments reads a platform stack the repository does not hold. */
  let foreign: string;
  beforeAll(() => {
    foreign = headWith("foreign-base", (h) => {
      rmSync(join(h, "stacks", "Pulumi.team-data-stage.yaml"));
      editConfig(h, "team-payments-stage", "team", (t) => (t.platform = "acme/okta-federation/platform-elsewhere"));
    });
  });

  it("is named, cannot be reviewed offline, and does not fail a pull request that leaves it alone", async () => {
    const r = await reviewOf(headWith("foreign-untouched", (h) => writeFileSync(join(h, "README.md"), "changed\n"), foreign), foreign);
    expect(r.code).toBe(0);
    expect(r.org).toEqual([
      [
        "=== organisation: platform platform-elsewhere and its team stacks",
        "Platform stack platform-elsewhere (acme/okta-federation/platform-elsewhere): not found in this repository; team stacks reading it: team-payments-stage.",
        "  Team stack team-payments-stage: cannot be reviewed offline: platform acme/okta-federation/platform-elsewhere not found",
      ],
      [...HEADER.slice(0, 1), "Platform stack platform-stage; team stacks reading it: none."],
    ]);
    const payments = r.stacks.find((s) => s.stack === "team-payments-stage")!;
    expect(payments.status).toBe("unreviewable");
    expect(payments.errors).toEqual([
      "cannot be reviewed offline: platform acme/okta-federation/platform-elsewhere not found (a team stack is planned with its platform's stack file beside its own, stacks/Pulumi.platform-elsewhere.yaml, and there is no such regular file)",
    ]);
    expect(payments.notes).toEqual(["neither its stack file nor its platform's changes in this pull request, and it could not be planned before either: named, not judged"]);
  });

  it("fails a pull request that changes it", async () => {
    const r = await reviewOf(headWith("foreign-changed", (h) => editConfig(h, "team-payments-stage", "team", (t) => (t.services.ledger.description = "Ledger")), foreign), foreign);
    expect(r.code).toBe(1);
    const payments = r.stacks.find((s) => s.stack === "team-payments-stage")!;
    expect(payments.status).toBe("unreviewable");
    expect(payments.notes).toEqual(["the pull request changes this stack file, which the review cannot plan: the review fails"]);
  });
});

describe("the PR's own code over an organisation", () => {
  it("plans each team stack with its platform's stack file from the same tree", async () => {
    const head = headWith("code-change", (h) => {
      const file = join(h, "components", "platformContract.ts");
      writeFileSync(file, `${readFileSync(file, "utf8")}\n// a comment\n`);
      editConfig(h, "team-data-stage", "team", (t) => (t.services.warehouse.description = "Warehouse"));
    });
    const { code, stdout } = await runCli(review, "--base", base, "--head", head, "--json");
    expect(code).toBe(1);
    const doc = JSON.parse(stdout);
    expect(doc.verdict).toBe("needs code review");
    expect(doc.prCode.stacks.map((s: { stack: string; status: string }) => [s.stack, s.status])).toEqual([
      ["platform-stage", "passed"],
      ["team-data-stage", "passed"],
      ["team-payments-stage", "passed"],
    ]);
  });
});
