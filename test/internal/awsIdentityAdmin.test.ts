import { describe, expect, it } from "vitest";
import { DEFAULT_AWS_REACH, awsIdentityFindings, type JudgedStatement } from "../../components/internal/awsIdentityAdmin";
import { awsIdentityAdminInline, awsIdentityAdminPolicy, unjudgedGrant } from "../../components/internal/identityAdmin";
import { AWS_MANAGED_POLICIES, awsManagedIdentityStatements } from "../../components/internal/roleData";

const allow = (actions: string[], resources: string[], conditional = false): JudgedStatement => ({ effect: "Allow", actions, resources, conditional });
const verdicts = (statements: JudgedStatement[], reach = DEFAULT_AWS_REACH) => awsIdentityFindings(statements, reach).map((f) => `${f.verdict}: ${f.why}`);

describe("AWS identity-admin, by evaluating the statements", () => {
  it("rewriting the stack's roles is identity-admin, each action named", () => {
    expect(verdicts([allow(["iam:UpdateAssumeRolePolicy"], ["*"])])).toEqual([
      "identity-admin: allows iam:UpdateAssumeRolePolicy on *: rewrites the trust policy of the stack's roles (path /oktafed/)",
    ]);
    expect(verdicts([allow(["iam:Put*"], ["arn:aws:iam::111111111111:role/oktafed/*"])])).toEqual([
      "identity-admin: allows iam:PutRolePolicy on arn:aws:iam::111111111111:role/oktafed/*: writes inline policies (any action) on the stack's roles (path /oktafed/)",
      "identity-admin: allows iam:PutRolePermissionsBoundary on arn:aws:iam::111111111111:role/oktafed/*: replaces the permissions boundary of the stack's roles (path /oktafed/)",
    ]);
  });

  it("roles outside the stack's path, passing and assuming roles are unjudged: the kit cannot see those roles", () => {
    expect(verdicts([allow(["iam:UpdateAssumeRolePolicy"], ["arn:aws:iam::111111111111:role/ci/*"])])).toEqual([
      "unjudged: allows iam:UpdateAssumeRolePolicy on arn:aws:iam::111111111111:role/ci/*, a role outside the stack's path: the kit cannot see what that role may do or who it trusts",
    ]);
    expect(verdicts([allow(["sts:AssumeRole"], ["*"])])).toEqual([
      "unjudged: allows sts:AssumeRole on *: assumes roles where a role's trust policy admits it; the stack's roles admit only the Okta issuer's tokens, other roles of the account the kit cannot see (what they may do, whom they trust)",
    ]);
  });

  it("the OIDC provider and the customer managed policies the stack attaches are identities too", () => {
    const reach = { rolePath: "/oktafed/", attachedPolicyArns: ["arn:aws:iam::111111111111:policy/payments-dev-sqs-send"] };
    expect(verdicts([allow(["iam:CreatePolicyVersion", "iam:AddClientIDToOpenIDConnectProvider"], ["*"])], reach)).toEqual([
      "identity-admin: allows iam:AddClientIDToOpenIDConnectProvider on *: adds audiences to the account's OIDC providers",
      "identity-admin: allows iam:CreatePolicyVersion on *: rewrites (a new default version) the customer managed policies attached to the stack's roles",
    ]);
    expect(verdicts([allow(["iam:CreatePolicyVersion"], ["arn:aws:iam::111111111111:policy/other"])], reach)).toEqual([
      "unjudged: allows iam:CreatePolicyVersion on arn:aws:iam::111111111111:policy/other, a policy the stack does not attach: the kit cannot see what that policy may do or who it trusts",
    ]);
  });

  it("an unconditional Deny covering the resources subtracts; a conditional one does not; a condition on the Allow still counts", () => {
    const all = allow(["*"], ["*"]);
    expect(verdicts([all, { effect: "Deny", actions: ["iam:*", "sts:*"], resources: ["*"], conditional: false }])).toEqual([]);
    expect(verdicts([all, { effect: "Deny", actions: ["iam:*", "sts:*"], resources: ["*"], conditional: true }])[0]).toMatch(/^identity-admin: allows iam:UpdateAssumeRolePolicy on \*:/);
    expect(verdicts([allow(["iam:UpdateAssumeRolePolicy"], ["*"], true)])).toEqual([
      "identity-admin: allows iam:UpdateAssumeRolePolicy on * (under a condition the kit does not evaluate): rewrites the trust policy of the stack's roles (path /oktafed/)",
    ]);
  });

  it("reads NotAction and NotResource as IAM does", () => {
    const powerUser: JudgedStatement = { effect: "Allow", notActions: ["iam:*", "organizations:*", "account:*"], resources: ["*"], conditional: false };
    expect(verdicts([powerUser]).map((v) => v.slice(0, 44))).toEqual(["unjudged: allows sts:AssumeRole on *: assume"]);
    expect(verdicts([{ effect: "Allow", actions: ["iam:PutRolePolicy"], notResources: ["arn:aws:iam::*:role/ci/*"], conditional: false }])).toEqual([
      "identity-admin: allows iam:PutRolePolicy on NotResource: writes inline policies (any action) on the stack's roles (path /oktafed/)",
    ]);
  });
});

describe("AWS managed policies, judged from their documents", () => {
  it.each([
    ["AdministratorAccess", "allows iam:UpdateAssumeRolePolicy on *: rewrites the trust policy of the stack's roles (path /oktafed/)"],
    ["IAMFullAccess", "allows iam:UpdateAssumeRolePolicy on *: rewrites the trust policy of the stack's roles (path /oktafed/)"],
  ])("%s is identity-admin: %s", (name, why) => {
    expect(awsIdentityAdminPolicy(`arn:aws:iam::aws:policy/${name}`)).toBe(why);
    expect(unjudgedGrant({ cloud: "aws", role: `arn:aws:iam::aws:policy/${name}` })).toBeUndefined();
  });

  it.each(["ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "AmazonS3FullAccess", "AmazonSQSFullAccess"])("%s is judged and not identity-admin", (name) => {
    expect(awsManagedIdentityStatements(`arn:aws:iam::aws:policy/${name}`)).toBeDefined();
    expect(awsIdentityAdminPolicy(`arn:aws:iam::aws:policy/${name}`)).toBeUndefined();
    expect(unjudgedGrant({ cloud: "aws", role: `arn:aws:iam::aws:policy/${name}` })).toBeUndefined();
  });

  it("AmazonDynamoDBFullAccess passes roles (to DynamoDB Accelerator and others): unjudged, with the reason", () => {
    expect(awsIdentityAdminPolicy("arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess")).toBeUndefined();
    expect(unjudgedGrant({ cloud: "aws", role: "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess" })).toMatch(/^allows iam:PassRole on .*: passes roles to compute services \(running code as them\) where a role's trust policy admits it/);
  });

  it("PowerUserAccess assumes roles the kit cannot see: unjudged, with the reason", () => {
    expect(awsIdentityAdminPolicy("arn:aws:iam::aws:policy/PowerUserAccess")).toBeUndefined();
    expect(unjudgedGrant({ cloud: "aws", role: "arn:aws:iam::aws:policy/PowerUserAccess" })).toMatch(/^allows sts:AssumeRole on \*: assumes roles where a role's trust policy admits it/);
  });

  it("customer managed policies and names missing from the data stay unjudged", () => {
    expect(unjudgedGrant({ cloud: "aws", role: "arn:aws:iam::111111111111:policy/payments-dev-sqs-send" })).toMatch(/^a customer-managed policy: /);
    expect(unjudgedGrant({ cloud: "aws", role: "arn:aws:iam::aws:policy/AmazonNewService2027Access" })).toMatch(/^arn:aws:iam::aws:policy\/AmazonNewService2027Access is not an AWS managed policy of the kit's list of /);
  });

  it("every managed policy of the data set is judged by the same evaluator", () => {
    let identityAdmin = 0;
    for (const entry of AWS_MANAGED_POLICIES) {
      const statements = awsManagedIdentityStatements(`arn:aws:iam::aws:policy/${entry}`);
      expect(statements).toBeDefined();
      if (awsIdentityAdminPolicy(`arn:aws:iam::aws:policy/${entry}`)) identityAdmin++;
    }
    expect(identityAdmin).toBeGreaterThanOrEqual(3);
  });
});

describe("inline policies", () => {
  it("names the statement that makes a policy identity-admin", () => {
    const statements = [
      { effect: "Allow" as const, actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bar-orders-dev/*"] },
      { effect: "Allow" as const, actions: ["iam:UpdateAssumeRolePolicy"], resources: ["*"] },
    ];
    expect(awsIdentityAdminInline(statements)).toBe("statement 2 allows iam:UpdateAssumeRolePolicy on *: rewrites the trust policy of the stack's roles (path /oktafed/)");
    expect(awsIdentityAdminInline(statements.slice(0, 1))).toBeUndefined();
    expect(unjudgedGrant({ cloud: "aws", role: "orders-read", inline: statements.slice(0, 1) })).toBeUndefined();
  });
});
