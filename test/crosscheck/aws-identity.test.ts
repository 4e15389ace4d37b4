/**
 * Cross-check of the kit's AWS identity-admin judgement (`awsIdentityFindings`,
 * components/internal/awsIdentityAdmin.ts) against an independent implementation of IAM's policy
 * evaluation, @cloud-copilot/iam-simulate: for each action of AWS_IDENTITY_ACTIONS, on a concrete
 * resource of the stack (its role arn:aws:iam::111111111111:role/oktafed/dev-orders, its OIDC
 * provider, a customer managed policy attached to its roles),
 *
 * - a rewrite action (target role, oidc-provider or policy) iam-simulate allows on the stack's
 *   resource is reported identity-admin by the kit;
 * - an identity-admin finding is allowed by iam-simulate on at least one concrete resource of the
 *   stack (the kit does not flag what IAM would refuse);
 * - passing or assuming a role (act-as) iam-simulate allows is reported, as unjudged.
 *
 * Over a battery of statement sets, and over every AWS managed policy of the data set
 * (components/internal/data/aws-managed-policies.json, `identityStatements`). The data records a
 * Condition only as `conditional: true`, so a policy with a conditional statement is simulated as
 * the kit reads it, a conditional Allow as if its condition held and a conditional Deny as if it did
 * not, and only the first direction is checked for it (iam-simulate allows without the condition ⇒
 * the kit flags).
 *
 * iam-simulate and iam-policy are AGPL: devDependencies used only by the tests and the sandbox
 * (tools/), neither of which is in the package (`files`), so never shipped.
 */
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { createValidatedPolicy, validateIdentityPolicy } from "@cloud-copilot/iam-policy";
import { describe, expect, it } from "vitest";
import { AWS_IDENTITY_ACTIONS, awsIdentityFindings, type AwsIdentityReach, type JudgedStatement } from "../../components/internal/awsIdentityAdmin";
import { AWS_MANAGED_POLICIES, awsManagedIdentityStatements } from "../../components/internal/roleData";

const ACCOUNT = "111111111111";
const STACK_ROLE = `arn:aws:iam::${ACCOUNT}:role/oktafed/dev-orders`;
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/acme.okta.com/oauth2/aus1abc`;
const ATTACHED_POLICY = `arn:aws:iam::${ACCOUNT}:policy/oktafed/dev-orders-extra`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/dev-payments/okta-federation-sandbox`;
const REACH: AwsIdentityReach = { rolePath: "/oktafed/", attachedPolicyArns: [ATTACHED_POLICY] };

/** The stack's concrete resources per target type: the first is the one of the first direction. */
const STACK_RESOURCES: Readonly<Record<(typeof AWS_IDENTITY_ACTIONS)[number]["target"], readonly string[]>> = {
  role: [STACK_ROLE, `arn:aws:iam::${ACCOUNT}:role/oktafed/dev-payments`, "arn:aws:iam::222222222222:role/oktafed/prod-orders"],
  "act-as": [STACK_ROLE, `arn:aws:iam::${ACCOUNT}:role/other/x`],
  "oidc-provider": [PROVIDER, "arn:aws:iam::222222222222:oidc-provider/id.acme.example/oauth2/default"],
  policy: [ATTACHED_POLICY],
};

const REWRITES = AWS_IDENTITY_ACTIONS.filter((a) => a.target !== "act-as");

/** A policy document as the kit reads the statements: a conditional Allow as if it held, a conditional Deny as if it did not. */
function documentOf(statements: readonly JudgedStatement[]): object {
  return {
    Version: "2012-10-17",
    Statement: statements
      .filter((s) => !(s.effect === "Deny" && s.conditional))
      .map((s) => ({
        Effect: s.effect,
        ...(s.actions !== undefined ? { Action: [...s.actions] } : { NotAction: [...(s.notActions ?? [])] }),
        ...(s.resources !== undefined ? { Resource: [...s.resources] } : { NotResource: [...(s.notResources ?? [])] }),
      })),
  };
}

function simulator(name: string, statements: readonly JudgedStatement[]): (action: string, resource: string) => boolean {
  const policy = createValidatedPolicy(documentOf(statements), validateIdentityPolicy, { name });
  expect(policy.errors, `${name} does not validate as an identity policy`).toEqual([]);
  return (action, resource) =>
    runUnsafeSimulation(
      {
        request: { principal: SESSION, action, resource: { resource, accountId: ACCOUNT }, contextVariables: {} },
        identityPolicies: [{ name, policy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    ) === "Allowed";
}

interface Disagreement {
  readonly action: string;
  readonly direction: string;
}

/** Both directions for one statement set; the disagreements, empty when the two agree. */
function crossCheck(name: string, statements: readonly JudgedStatement[]): Disagreement[] {
  const allows = simulator(name, statements);
  const findings = awsIdentityFindings(statements, REACH);
  const conditional = statements.some((s) => s.conditional);
  const found: Disagreement[] = [];
  for (const { action, target } of AWS_IDENTITY_ACTIONS) {
    const verdicts = new Set(findings.filter((f) => f.action === action).map((f) => f.verdict));
    const allowedOn = STACK_RESOURCES[target].filter((r) => allows(action, r));
    if (target === "act-as") {
      if (allowedOn.length > 0 && !verdicts.has("unjudged")) found.push({ action, direction: `iam-simulate allows it on ${allowedOn[0]}, the kit reports nothing` });
      if (verdicts.has("identity-admin")) found.push({ action, direction: "the kit calls acting as a role identity-admin" });
      continue;
    }
    if (allowedOn.includes(STACK_RESOURCES[target][0]!) && !verdicts.has("identity-admin")) {
      found.push({ action, direction: `iam-simulate allows it on ${STACK_RESOURCES[target][0]}, the kit does not flag it` });
    }
    if (!conditional && verdicts.has("identity-admin") && allowedOn.length === 0) {
      found.push({ action, direction: `the kit flags it, iam-simulate allows it on none of ${STACK_RESOURCES[target].join(", ")}` });
    }
  }
  return found;
}

const allow = (actions: string[], resources: string[], conditional = false): JudgedStatement => ({ effect: "Allow", actions, resources, conditional });
const deny = (actions: string[], resources: string[], conditional = false): JudgedStatement => ({ effect: "Deny", actions, resources, conditional });

/** Which identity actions the kit flags identity-admin for a statement set. */
const flagged = (statements: readonly JudgedStatement[]) => [...new Set(awsIdentityFindings(statements, REACH).filter((f) => f.verdict === "identity-admin").map((f) => f.action))];

const ALL_REWRITES = REWRITES.map((a) => a.action);
const ROLE_REWRITES = REWRITES.filter((a) => a.target === "role").map((a) => a.action);

describe("a battery of statement sets: the kit's findings and iam-simulate agree", () => {
  const battery: ReadonlyArray<readonly [string, readonly JudgedStatement[], readonly string[]]> = [
    ["Allow iam:UpdateAssumeRolePolicy on *", [allow(["iam:UpdateAssumeRolePolicy"], ["*"])], ["iam:UpdateAssumeRolePolicy"]],
    ["Allow iam:UpdateAssumeRolePolicy on the kit's path in any account", [allow(["iam:UpdateAssumeRolePolicy"], ["arn:aws:iam::*:role/oktafed/*"])], ["iam:UpdateAssumeRolePolicy"]],
    ["Allow iam:UpdateAssumeRolePolicy on one role outside the path", [allow(["iam:UpdateAssumeRolePolicy"], [`arn:aws:iam::${ACCOUNT}:role/other/x`])], []],
    [
      "iam:* with an unconditional Deny of iam:Update*",
      [allow(["iam:*"], ["*"]), deny(["iam:Update*"], ["*"])],
      ALL_REWRITES.filter((a) => !a.startsWith("iam:Update")),
    ],
    ["iam:* with a conditional Deny of iam:Update* (the condition may not hold)", [allow(["iam:*"], ["*"]), deny(["iam:Update*"], ["*"], true)], ALL_REWRITES],
    ["Allow NotAction iam:* on * (sts:AssumeRole is not iam:)", [{ effect: "Allow", notActions: ["iam:*"], resources: ["*"], conditional: false }], []],
    ["Allow * on * (AdministratorAccess)", [allow(["*"], ["*"])], ALL_REWRITES],
    ["s3:GetObject only", [allow(["s3:GetObject"], ["arn:aws:s3:::bar-orders-dev/*"])], []],
    [
      "iam:PutRolePolicy with NotResource another path",
      [{ effect: "Allow", actions: ["iam:PutRolePolicy"], notResources: ["arn:aws:iam::*:role/other/*"], conditional: false }],
      ["iam:PutRolePolicy"],
    ],
    ["iam:PutRolePolicy with NotResource *", [{ effect: "Allow", actions: ["iam:PutRolePolicy"], notResources: ["*"], conditional: false }], []],
    ["? in the action and the role name", [allow(["iam:Update?ssumeRolePolicy"], [`arn:aws:iam::${ACCOUNT}:role/oktafed/dev-?rders`])], ["iam:UpdateAssumeRolePolicy"]],
    ["a path that only starts like the kit's", [allow(["iam:UpdateAssumeRolePolicy"], ["arn:aws:iam::*:role/oktafedx/*"])], []],
    ["? in the account", [allow(["iam:AttachRolePolicy"], ["arn:aws:iam::11111111111?:role/oktafed/*"])], ["iam:AttachRolePolicy"]],
    ["iam:*Role* on the stack's roles", [allow(["iam:*Role*"], ["arn:aws:iam::*:role/oktafed/*"])], ROLE_REWRITES],
    ["OIDC provider writes on every provider", [allow(["iam:*OpenIDConnectProvider*"], ["arn:aws:iam::*:oidc-provider/*"])], REWRITES.filter((a) => a.target === "oidc-provider").map((a) => a.action)],
    ["a new version of the attached policy", [allow(["iam:CreatePolicyVersion"], [ATTACHED_POLICY])], ["iam:CreatePolicyVersion"]],
    ["a new version of a policy the stack does not attach", [allow(["iam:CreatePolicyVersion"], [`arn:aws:iam::${ACCOUNT}:policy/other`])], []],
    ["PassRole and AssumeRole on * (unjudged)", [allow(["iam:PassRole", "sts:AssumeRole"], ["*"])], []],
    ["a conditional Allow of iam:* (the condition may hold)", [allow(["iam:*"], ["*"], true)], ALL_REWRITES],
  ];

  it.each(battery)("%s", (name, statements, expected) => {
    expect(crossCheck(name, statements)).toEqual([]);
    expect(flagged(statements).sort()).toEqual([...expected].sort());
  });

  it("a NotResource that leaves out the stack's path in every partition is not flagged: it reaches only other roles (unjudged)", () => {
    const statements = [{ effect: "Allow" as const, actions: ["iam:PutRolePolicy"], notResources: ["arn:*:iam::*:role/oktafed/*"], conditional: false }];
    expect(flagged(statements)).toEqual([]);
    expect(crossCheck("NotResource the stack's path, any partition", statements)).toEqual([]);
  });

  it("a NotResource that leaves out the stack's path in one partition only is still flagged (the kit does not know the stack's partition): conservative, iam-simulate allows it on no resource of the stack", () => {
    const statements = [{ effect: "Allow" as const, actions: ["iam:PutRolePolicy"], notResources: ["arn:aws:iam::*:role/oktafed/*"], conditional: false }];
    expect(flagged(statements)).toEqual(["iam:PutRolePolicy"]);
    expect(crossCheck("NotResource the stack's path", statements)).toEqual([
      { action: "iam:PutRolePolicy", direction: `the kit flags it, iam-simulate allows it on none of ${STACK_RESOURCES.role.join(", ")}` },
    ]);
    // IAM does allow it elsewhere: another path.
    expect(simulator("NotResource the stack's path", statements)("iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/other/x`)).toBe(true);
  });
});

describe("every AWS managed policy of the data set: the kit's findings over its identity statements and iam-simulate agree", () => {
  const managed = [...AWS_MANAGED_POLICIES]
    .map((entry) => [entry, awsManagedIdentityStatements(`arn:aws:iam::aws:policy/${entry}`) ?? []] as const)
    .filter(([, statements]) => statements.length > 0);

  it("the data set keeps identity statements for 291 of its policies", () => {
    expect(managed).toHaveLength(291);
  });

  it("no disagreement in either direction (the second only for policies without a conditional statement)", () => {
    const disagreements = managed.flatMap(([entry, statements]) => crossCheck(entry, statements).map((d) => `${entry}: ${d.action}: ${d.direction}`));
    expect(disagreements).toEqual([]);
  });

  it("the identity-admin ones at the kit's default path", () => {
    const admin = managed.filter(([, statements]) => awsIdentityFindings(statements, { rolePath: "/oktafed/", attachedPolicyArns: [] }).some((f) => f.verdict === "identity-admin"));
    expect(admin.map(([entry]) => entry)).toEqual([
      "AWSMcpServiceActionsFullAccess",
      "AWSQuickSetupDistributorPermissionsBoundary",
      "AWSQuickSetupManagedInstanceProfileExecutionPolicy",
      "AWSQuickSetupPatchPolicyPermissionsBoundary",
      "AWSQuickSetupSSMHostMgmtPermissionsBoundary",
      "AdministratorAccess",
      "AdministratorAccess-Amplify",
      "AmazonDataZoneProjectDeploymentPermissionsBoundary",
      "IAMFullAccess",
    ]);
  });
});
