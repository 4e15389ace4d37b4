/**
 * AWS inline policies (aws:iam/rolePolicy:RolePolicy) in every reader of a plan: the plan's lines,
 * verify's model and outputs (each policy in words, identity admin and unjudged ones marked),
 * verify --base (statements added and removed) and what pulumi up replaces or deletes.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main as verify } from "../../tools/verify";
import { main as planCli } from "../../tools/plan";
import { planStack, planToJson } from "../../tools/offline/plan";
import { extractModel, type PlanDocument } from "../../tools/verify/model";
import { verifyModel } from "../../tools/verify/verify";
import { accessDiff } from "../../tools/verify/diff";
import { lifecycleChanges } from "../../tools/verify/lifecycle";
import { runCli } from "../helpers/cli";
import { fixturePath, fixtureVariant } from "../helpers/stacks";

const ORDERS_READ = { statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bar-orders-dev/*"] }] };
const ADMIN = { allowIdentityAdmin: true, statements: [{ actions: ["iam:PutRolePolicy"], resources: ["arn:aws:iam::111111111111:role/oktafed/*"] }] };
const PASS_ROLE = { statements: [{ actions: ["iam:PassRole"], resources: ["*"] }] };
const ADMIN_WHY =
  "statement 1 allows iam:PutRolePolicy on arn:aws:iam::111111111111:role/oktafed/*: writes inline policies (any action) on the stack's roles (path /oktafed/); could take over AWS role billing-export";
const PASS_WHY =
  "allows iam:PassRole on *: passes roles to compute services (running code as them) where a role's trust policy admits it; the stack's roles admit only the Okta issuer's tokens, other roles of the account the kit cannot see (what they may do, whom they trust)";

const devPlan = async (inlinePolicies: Record<string, unknown>, change: (f: any) => void = () => {}): Promise<PlanDocument> =>
  planToJson(
    await planStack(
      fixtureVariant("dev", (f) => {
        f.services.payments.aws.inlinePolicies = inlinePolicies;
        change(f);
      }),
    ),
  ) as unknown as PlanDocument;

describe("the grants fixture's inline policy orders-read", () => {
  it("the plan states its name and its statement in words", async () => {
    const { code, stdout } = await runCli(planCli, "--stack-file", fixturePath("grants"));
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    const at = lines.findIndex((l) => l.includes("aws:iam/rolePolicy:RolePolicy  federation-payments-aws-inline-orders-read"));
    expect(lines[at]).toBe("    + aws:iam/rolePolicy:RolePolicy  federation-payments-aws-inline-orders-read");
    expect(lines[at + 1]).toBe("        name=orders-read  statement1=Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/*");
  });

  it("verify reads it as a grant of payments' role, states it, and finds nothing in it", async () => {
    const { stdout } = await runCli(verify, "--stack-file", fixturePath("grants"));
    const lines = stdout.split("\n");
    expect(lines).toContain("AWS inline policies (! = identity admin or unjudged):");
    expect(lines).toContain("    payments: inline policy orders-read: Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/*");
    const json = JSON.parse((await runCli(verify, "--stack-file", fixturePath("grants"), "--json")).stdout);
    expect(json.targets.find((t: any) => t.id === "aws-role:payments").grants).toEqual([
      // By logical name: federation-payments-aws-inline-orders-read, -s3-read, -sqs-send.
      "inline policy orders-read: Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/*",
      "AWS policy AmazonS3ReadOnlyAccess (arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess)",
      "AWS policy payments-dev-sqs-send (arn:aws:iam::111111111111:policy/payments-dev-sqs-send)",
    ]);
    expect(json.inlinePolicies).toEqual([{ service: "payments", target: "AWS role payments", text: "inline policy orders-read: Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/*" }]);
    // No finding, takeover or identity-admin grant comes from it (the fixture's own are about its GCP grants).
    expect(json.findings.filter((f: any) => f.target === "aws-role:payments" || /inline|orders-read/.test(f.message))).toEqual([]);
    expect(json.identityAdmin.map((g: any) => g.resource)).toEqual(["federation-reporting-gcp-resource-payments-sa"]);
  });

  it("--markdown states it with its action and resource escaped", async () => {
    const { stdout } = await runCli(verify, "--stack-file", fixturePath("grants"), "--markdown");
    expect(stdout.split("\n")).toContain("- `payments`: inline policy orders-read\\: Allow s3\\:GetObject on arn\\:aws\\:s3\\:\\:\\:bar-orders-dev/\\*");
  });
});

describe("inline policies in verify: passes, identity admin and unjudged", () => {
  let result: Awaited<ReturnType<typeof verifyModel>>;
  beforeAll(async () => {
    result = await verifyModel(extractModel(await devPlan({ "orders-read": ORDERS_READ, admin: ADMIN, pass: PASS_ROLE })));
  });

  it("the dev fixture with orders-read alone passes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "inline-"));
    const file = join(dir, "plan.json");
    writeFileSync(file, JSON.stringify(await devPlan({ "orders-read": ORDERS_READ })));
    const { code, stdout } = await runCli(verify, "--plan", file);
    expect(stdout).toContain("    payments: inline policy orders-read: Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/*");
    expect(stdout).toMatch(/^PASSED: /m);
    expect(code).toBe(0);
  });

  it("an identity-admin inline policy with the opt-in is reported with what it could take over; one passing roles is unjudged", () => {
    expect(result.inlinePolicies).toEqual([
      { service: "payments", target: "AWS role payments", text: "inline policy admin: Allow iam:PutRolePolicy on arn:aws:iam::111111111111:role/oktafed/*", identityAdmin: ADMIN_WHY, accepted: true },
      { service: "payments", target: "AWS role payments", text: "inline policy orders-read: Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/*" },
      { service: "payments", target: "AWS role payments", text: "inline policy pass: Allow iam:PassRole on *", unjudged: PASS_WHY },
    ]);
    expect(result.takeovers.map((c) => [c.service, c.target])).toEqual([["payments", "aws-role:billing-export"]]);
    expect(result.findings.filter((f) => f.kind === "identity-takeover").map((f) => f.message)).toEqual([
      "payments holds AWS inline policy admin, which statement 1 allows iam:PutRolePolicy on arn:aws:iam::111111111111:role/oktafed/*: writes inline policies (any action) on the stack's roles (path /oktafed/): it could take over AWS role billing-export (accepted with allowIdentityAdmin: true)",
    ]);
    expect(result.passed).toBe(true);
  });

  it("the terminal output marks them", async () => {
    const { toText } = await import("../../tools/verify/render");
    const lines = toText(result).split("\n");
    const at = lines.indexOf("AWS inline policies (! = identity admin or unjudged):");
    expect(lines.slice(at, at + 6)).toEqual([
      "AWS inline policies (! = identity admin or unjudged):",
      "  ! payments: inline policy admin: Allow iam:PutRolePolicy on arn:aws:iam::111111111111:role/oktafed/*",
      `       identity admin: ${ADMIN_WHY} (accepted with allowIdentityAdmin: true)`,
      "    payments: inline policy orders-read: Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/*",
      "  ! payments: inline policy pass: Allow iam:PassRole on *",
      `       unjudged: ${PASS_WHY}`,
    ]);
  });

  it("a role path outside the statement's ARN makes the same statement unjudged, not identity admin (the stack's reach)", async () => {
    // Config agrees (the opt-in would be refused as needless there).
    const moved = await verifyModel(extractModel(await devPlan({ admin: { statements: ADMIN.statements } }, (f) => (f.aws.rolePath = "/svc/"))));
    expect(moved.inlinePolicies).toEqual([
      {
        service: "payments",
        target: "AWS role payments",
        text: "inline policy admin: Allow iam:PutRolePolicy on arn:aws:iam::111111111111:role/oktafed/*",
        unjudged: "allows iam:PutRolePolicy on arn:aws:iam::111111111111:role/oktafed/*, a role outside the stack's path: the kit cannot see what that role may do or who it trusts",
      },
    ]);
  });
});

describe("inline policies in verify --base", () => {
  it("states a statement change, and added policies with their marks", async () => {
    const base = extractModel(await devPlan({ "orders-read": ORDERS_READ }));
    const head = extractModel(
      await devPlan({ "orders-read": { statements: [{ actions: ["s3:GetObject", "s3:PutObject"], resources: ["arn:aws:s3:::bar-orders-dev/*"] }] }, admin: ADMIN, pass: PASS_ROLE }),
    );
    const changes = accessDiff({ model: base, result: await verifyModel(base) }, { model: head, result: await verifyModel(head) });
    expect(changes.filter((c) => c.kind.startsWith("grant-"))).toEqual([
      {
        kind: "grant-added",
        service: "payments",
        target: "aws-role:payments",
        message: "payments: inline policy admin: Allow iam:PutRolePolicy on arn:aws:iam::111111111111:role/oktafed/* added to AWS role payments",
        risk: `identity admin: ${ADMIN_WHY} (accepted with allowIdentityAdmin: true)`,
      },
      {
        kind: "grant-changed",
        service: "payments",
        target: "aws-role:payments",
        message:
          "payments: AWS role payments: inline policy orders-read changes: statement added: Allow s3:GetObject, s3:PutObject on arn:aws:s3:::bar-orders-dev/*; statement removed: Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/*",
      },
      { kind: "grant-added", service: "payments", target: "aws-role:payments", message: "payments: inline policy pass: Allow iam:PassRole on * added to AWS role payments", risk: `unjudged: ${PASS_WHY}` },
    ]);
  });

  it("the CLI prints the statement change and a removed policy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "inline-base-"));
    const baseFile = join(dir, "base.json");
    writeFileSync(baseFile, JSON.stringify(await devPlan({ "orders-read": ORDERS_READ, old: { statements: [{ actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1:111111111111:orders"] }] } })));
    const headFile = join(dir, "head.json");
    writeFileSync(headFile, JSON.stringify(await devPlan({ "orders-read": { statements: [{ effect: "Deny", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bar-orders-dev/*"] }] } })));
    const { stdout } = await runCli(verify, "--plan", headFile, "--base", baseFile);
    const lines = stdout.split("\n");
    expect(lines).toContain(
      "  ~  payments: AWS role payments: inline policy orders-read changes: statement added: Deny s3:GetObject on arn:aws:s3:::bar-orders-dev/*; statement removed: Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/*",
    );
    expect(lines).toContain("  -  payments: inline policy old: Allow sqs:SendMessage on arn:aws:sqs:us-east-1:111111111111:orders removed from AWS role payments");
    expect(lines).toContain(
      "  D  AWS inline policy old on role dev-payments deleted: the head no longer registers it",
    );
    expect(lines).toContain("       impact: the inline policy is deleted (DeleteRolePolicy): the service loses its permissions at once (Allow sqs:SendMessage on arn:aws:sqs:us-east-1:111111111111:orders)");
  });
});

describe("what pulumi up does to an inline policy", () => {
  it("a new document is written in place; a replaced role replaces it, deleted first (its name is fixed)", async () => {
    const base = await devPlan({ "orders-read": ORDERS_READ });
    const rewritten = await devPlan({ "orders-read": { statements: [{ actions: ["s3:GetObject", "s3:PutObject"], resources: ["arn:aws:s3:::bar-orders-dev/*"] }] } });
    expect(lifecycleChanges(base, rewritten).changes.filter((c) => c.type === "aws:iam/rolePolicy:RolePolicy")).toEqual([]);
    const moved = await devPlan({ "orders-read": ORDERS_READ }, (f) => (f.aws.rolePath = "/svc/"));
    expect(lifecycleChanges(base, moved).changes.filter((c) => c.type === "aws:iam/rolePolicy:RolePolicy")).toEqual([
      {
        kind: "replaced",
        urn: "urn:pulumi:dev::okta-federation::oktafed:index:Federation$oktafed:aws:ServiceRole$aws:iam/rolePolicy:RolePolicy::federation-payments-aws-inline-orders-read",
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "federation-payments-aws-inline-orders-read",
        label: "AWS inline policy orders-read on role dev-payments",
        because: "role takes a new value from AWS role dev-payments, which is replaced (the provider replaces on it: hashicorp/terraform-provider-aws role_policy.go resourceRolePolicy)",
        impact:
          "the inline policy is deleted before it is written again (its name is fixed, delete-before-replace): the service is without its permissions (Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/*) until the new one is written",
        deleteFirst: true,
      },
    ]);
  });
});

describe("inline policies read from a stack export (--state)", () => {
  /** A minimal export of a plan: each resource with its inputs and, as outputs, the inputs and what the deploy learnt. */
  const toExport = (plan: PlanDocument & { project?: string }, policy: (r: any) => string | undefined) => {
    const stackUrn = `urn:pulumi:${plan.stack}::okta-federation::pulumi:pulumi:Stack::okta-federation-${plan.stack}`;
    const resources: any[] = [{ urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack", outputs: plan.outputs ?? {} }];
    for (const r of plan.resources as any[]) {
      const common = { urn: r.urn, type: r.type, parent: r.parent ?? stackUrn };
      if (!r.custom) resources.push({ ...common, custom: false, ...(r.outputs ? { outputs: r.outputs } : {}) });
      else if (r.operation === "read") resources.push({ ...common, custom: true, external: true, id: r.id, outputs: { ...r.afterDeploy, id: r.id } });
      else {
        const outputs = { ...r.inputs, ...r.afterDeploy, id: r.name };
        if (r.type === "aws:iam/rolePolicy:RolePolicy") outputs.policy = policy(r) ?? outputs.policy;
        resources.push({ ...common, custom: true, id: r.name, inputs: r.inputs, outputs });
      }
    }
    return { version: 3, deployment: { manifest: { time: "2026-01-02T03:04:05Z", magic: "", version: "v3.270.0" }, resources } };
  };

  it("reads the document as the provider records it (a single Action and Resource as strings), and a change made outside Pulumi shows against the plan", async () => {
    const dir = mkdtempSync(join(tmpdir(), "inline-state-"));
    const plan = planToJson(await planStack(fixtureVariant("grants", () => {}))) as unknown as PlanDocument;
    const planFile = join(dir, "plan.json");
    writeFileSync(planFile, JSON.stringify(plan));
    // The provider stores the document normalized (terraform-provider-aws verify.LegacyPolicyNormalize): one-element lists as strings.
    const recorded = JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bar-orders-dev/*" } });
    const same = join(dir, "state.json");
    writeFileSync(same, JSON.stringify(toExport(plan, () => recorded)));
    const { stdout } = await runCli(verify, "--state", same, "--base", planFile);
    expect(stdout.split("\n")).toContain("    payments: inline policy orders-read: Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/*");
    expect(stdout).not.toContain("inline policy orders-read changes");

    const widened = JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:*", Resource: "*" } });
    const drifted = join(dir, "drifted.json");
    writeFileSync(drifted, JSON.stringify(toExport(plan, () => widened)));
    const diff = (await runCli(verify, "--state", drifted, "--base", planFile)).stdout.split("\n");
    expect(diff).toContain(
      "  ~  payments: AWS role payments: inline policy orders-read changes: statement added: Allow s3:* on *; statement removed: Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/*",
    );
  });
});
