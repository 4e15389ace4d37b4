import { describe, expect, it } from "vitest";
import { LIMITS } from "../components/internal/limits";
import { parsed, problemsOf } from "./helpers/configs";

const payments = (c: any) => c.services.payments;
const OPT_IN = "refused unless the grant carries the explicit opt-in allowIdentityAdmin: true (docs/guardrails.md#identity-admin-grants)";
const ordersRead = { statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bar-orders-dev/*"] }] };

describe("aws.inlinePolicies", () => {
  it("s3:GetObject on a bucket's objects parses, with effect Allow and no opt-in by default", () => {
    const config = parsed((c) => (payments(c).aws.inlinePolicies = { "orders-read": ordersRead }));
    expect(config.services.payments!.aws!.inlinePolicies).toEqual({
      "orders-read": { statements: [{ effect: "Allow", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bar-orders-dev/*"] }], allowIdentityAdmin: false },
    });
  });

  it("condition values from YAML (true, 443) are written as IAM writes them; a single value becomes a list", () => {
    const conditions = { Bool: { "aws:SecureTransport": true }, NumericLessThanEquals: { "s3:max-keys": 443 }, StringEquals: { "aws:ResourceTag/team": ["orders", "billing"] } };
    const config = parsed((c) => (payments(c).aws.inlinePolicies = { "orders-read": { statements: [{ ...ordersRead.statements[0], conditions }] } }));
    expect(config.services.payments!.aws!.inlinePolicies["orders-read"]!.statements[0]!.conditions).toEqual({
      Bool: { "aws:SecureTransport": ["true"] },
      NumericLessThanEquals: { "s3:max-keys": ["443"] },
      StringEquals: { "aws:ResourceTag/team": ["orders", "billing"] },
    });
  });

  it("a misspelt action is refused with the closest one", () => {
    expect(problemsOf((c) => (payments(c).aws.inlinePolicies = { "orders-read": { statements: [{ actions: ["s3:GetObjekt"], resources: ["arn:aws:s3:::bar-orders-dev/*"] }] } }))).toEqual([
      { path: "services.payments.aws.inlinePolicies.orders-read.statements[0].actions[0]", message: "s3:GetObjekt is not an action of s3; did you mean s3:GetObject?" },
    ]);
  });

  it("iam:UpdateAssumeRolePolicy on * is refused naming allowIdentityAdmin, and accepted with it", () => {
    const rewrite = { statements: [{ actions: ["iam:UpdateAssumeRolePolicy"], resources: ["*"] }] };
    expect(problemsOf((c) => (payments(c).aws.inlinePolicies = { trust: rewrite }))).toEqual([
      {
        path: "services.payments.aws.inlinePolicies.trust",
        message: `inline policy trust: statement 1 allows iam:UpdateAssumeRolePolicy on *: rewrites the trust policy of the stack's roles (path /oktafed/): payments could take over every other service's AWS role (account 111111111111); ${OPT_IN}`,
      },
    ]);
    expect(parsed((c) => (payments(c).aws.inlinePolicies = { trust: { ...rewrite, allowIdentityAdmin: true } })).services.payments!.aws!.inlinePolicies.trust!.allowIdentityAdmin).toBe(true);
  });

  it("the opt-in on a policy that needs none is refused", () => {
    expect(problemsOf((c) => (payments(c).aws.inlinePolicies = { "orders-read": { ...ordersRead, allowIdentityAdmin: true } }))).toEqual([
      { path: "services.payments.aws.inlinePolicies.orders-read.allowIdentityAdmin", message: "inline policy orders-read is not an identity-admin policy; remove the opt-in" },
    ]);
  });

  it("the role path decides what the stack's roles are", () => {
    const ci = { statements: [{ actions: ["iam:PutRolePolicy"], resources: ["arn:aws:iam::111111111111:role/ci/*"] }] };
    expect(parsed((c) => (payments(c).aws.inlinePolicies = { ci })).services.payments!.aws!.inlinePolicies.ci).toBeDefined();
    expect(problemsOf((c) => ((c.aws.rolePath = "/ci/"), (payments(c).aws.inlinePolicies = { ci })))[0]?.message).toMatch(
      /^inline policy ci: statement 1 allows iam:PutRolePolicy on arn:aws:iam::111111111111:role\/ci\/\*: writes inline policies \(any action\) on the stack's roles \(path \/ci\/\)/,
    );
  });

  it("reports every problem of every statement at once, with the schema's own", () => {
    expect(
      problemsOf(
        (c) =>
          (payments(c).aws.inlinePolicies = {
            Bad_Key: { statements: [{ effect: "allow", actions: [], resources: ["arn:aws:s3:::x"] }] },
            empty: { statements: [] },
            resources: { statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bar-orders-dev"], conditions: { StringEqual: { "aws:SourceIp": "10.0.0.0/8" } } }] },
          }),
      ),
    ).toEqual([
      { path: "services.payments.aws.inlinePolicies.Bad_Key.statements[0].effect", message: "must be Allow or Deny" },
      { path: "services.payments.aws.inlinePolicies.Bad_Key.statements[0].actions", message: "must list at least one action" },
      { path: "services.payments.aws.inlinePolicies.empty.statements", message: "must hold at least one statement" },
      { path: "services.payments.aws.inlinePolicies.Bad_Key", message: "invalid inline policy key \"Bad_Key\"; allowed: 2-64 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'" },
      { path: "services.payments.aws.inlinePolicies.Bad_Key.statements[0].resources[0]", message: "arn:aws:s3:::x grants nothing: the statement's actions act only on resource *" },
      {
        path: "services.payments.aws.inlinePolicies.resources.statements[0].resources[0]",
        message:
          "arn:aws:s3:::bar-orders-dev grants nothing: none of the statement's actions acts on it; they act on s3:accesspointobject arn:<Partition>:s3:<Region>:<Account>:accesspoint/<AccessPointName>/object/<ObjectName>, s3:object arn:<Partition>:s3:::<BucketName>/<ObjectName>",
      },
      {
        path: "services.payments.aws.inlinePolicies.resources.statements[0].conditions.StringEqual",
        message: expect.stringMatching(/^"StringEqual" is not an IAM condition operator \(did you mean StringEquals\?\); allowed: StringEquals, /),
      },
    ]);
  });

  it("the role's inline policies together stay within IAM's 10,240 characters", () => {
    const resources = Array.from({ length: 400 }, (_, i) => `arn:aws:s3:::bar-orders-dev/prefix-${i}/*`);
    expect(problemsOf((c) => (payments(c).aws.inlinePolicies = { big: { statements: [{ actions: ["s3:GetObject"], resources }] } }))).toEqual([
      {
        path: "services.payments.aws.inlinePolicies",
        message: expect.stringMatching(
          new RegExp(`^the inline policies come to \\d+ characters without white space; IAM allows ${LIMITS.aws.inlinePolicyCharactersPerRole} per role \\(a hard quota\\): move statements to a customer managed policy or merge them$`),
        ),
      },
    ]);
  });
});
