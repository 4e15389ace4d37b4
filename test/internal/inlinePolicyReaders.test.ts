/**
 * Reading an inline policy's document (aws:iam/rolePolicy:RolePolicy): the one conversion of a
 * policy document's JSON to the judge's statements, the guardrail on it, and the words plans and
 * reviews state it in.
 */
import { describe, expect, it } from "vitest";
import { policyDocumentStatements } from "../../components/internal/awsIdentityAdmin";
import { inlinePolicyWords, statementWords } from "../../components/internal/awsPolicy";
import { identityAdminViolation } from "../../components/internal/guardrails";
import { identityStatements } from "../../dev/refresh-data";

const doc = (statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

describe("policyDocumentStatements", () => {
  it("reads Action or NotAction, Resource or NotResource (a string or a list) and the Condition", () => {
    expect(policyDocumentStatements({ Statement: { Effect: "Deny", NotAction: "iam:*", NotResource: "arn:aws:s3:::x", Condition: { Bool: { "aws:SecureTransport": false } } } })).toEqual([
      { effect: "Deny", notActions: ["iam:*"], notResources: ["arn:aws:s3:::x"], conditional: true, conditions: { Bool: { "aws:SecureTransport": ["false"] } } },
    ]);
    expect(policyDocumentStatements(doc([{ Effect: "Allow", Action: "s3:GetObject", Resource: ["arn:aws:s3:::b/*"] }]))).toEqual([
      { effect: "Allow", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"], conditional: false },
    ]);
  });

  it("leaves out statements without Allow or Deny, and reads nothing from a document that does not parse", () => {
    expect(policyDocumentStatements(doc([{ Effect: "allow", Action: "*", Resource: "*" }]))).toEqual([]);
    expect(policyDocumentStatements("{not json")).toEqual([]);
    expect(policyDocumentStatements(undefined)).toEqual([]);
  });

  it("is what npm run data:refresh reduces to the identity statements", () => {
    expect(identityStatements({ Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "iam:PassRole"], Resource: "*", Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } }] })).toEqual([
      { effect: "Allow", actions: ["iam:PassRole"], resources: ["*"], conditional: true },
    ]);
  });
});

describe("identityAdminViolation on an inline policy", () => {
  const grant = (policy: string, accepted: string[] = []) => ({ type: "aws:iam/rolePolicy:RolePolicy", name: "dev-payments-aws-inline-admin", props: { name: "admin", role: "dev-payments", policy }, accepted });
  const admin = doc([{ Effect: "Allow", Action: ["iam:PutRolePolicy"], Resource: ["arn:aws:iam::111111111111:role/oktafed/*"] }]);

  it("names the statement that rewrites the stack's roles", () => {
    expect(identityAdminViolation(grant(admin), [])).toBe(
      "inline policy admin of role dev-payments: statement 1 allows iam:PutRolePolicy on arn:aws:iam::111111111111:role/oktafed/*: writes inline policies (any action) on the stack's roles (path /oktafed/): the role's holder could take over the stack's identities; grants like this are refused unless accepted with allowIdentityAdmin: true",
    );
  });

  it("is judged against the stack's role path, passes when accepted, and ignores data access", () => {
    expect(identityAdminViolation({ ...grant(admin), awsReach: { rolePath: "/other/", attachedPolicyArns: [] } }, [])).toBeUndefined();
    expect(identityAdminViolation(grant(admin, ["dev-payments-aws-inline-admin"]), [])).toBeUndefined();
    expect(identityAdminViolation(grant(doc([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::bar-orders-dev/*"] }])), [])).toBeUndefined();
    // An unconditional Deny of the same action on the same roles takes it away.
    expect(identityAdminViolation(grant(doc([JSON.parse(admin).Statement[0], { Effect: "Deny", Action: "iam:*", Resource: "*" }])), [])).toBeUndefined();
  });
});

describe("statements in words", () => {
  it("state the effect, actions, resources and conditions", () => {
    expect(statementWords({ effect: "Allow", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bar-orders-dev/*"] })).toBe("Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/*");
    expect(
      statementWords({ effect: "Deny", notActions: ["sts:*"], notResources: ["arn:aws:s3:::x"], conditions: { StringEquals: { "aws:SourceAccount": ["111111111111", "222222222222"] }, Bool: { "aws:SecureTransport": ["false"] } } }),
    ).toBe("Deny every action except sts:* on every resource except arn:aws:s3:::x when StringEquals aws:SourceAccount is 111111111111 or 222222222222 and Bool aws:SecureTransport is false");
    expect(inlinePolicyWords("orders", [{ effect: "Allow", actions: ["s3:GetObject", "s3:ListBucket"], resources: ["arn:aws:s3:::a/*", "arn:aws:s3:::a"] }, { effect: "Deny", actions: ["s3:DeleteObject"], resources: ["*"] }])).toBe(
      "inline policy orders: Allow s3:GetObject, s3:ListBucket on arn:aws:s3:::a/*, arn:aws:s3:::a; Deny s3:DeleteObject on *",
    );
  });
});

describe("the bench's deploy model", () => {
  it("writes an inline policy with three IAM calls (PutRolePolicy, GetRolePolicy until found, the read's GetRolePolicy)", async () => {
    const { awsSteps } = await import("../../dev/bench/deploy/aws");
    const context = { endpoint: (e: any) => e, call: (endpoints: any[], latency: number) => ({ kind: "call" as const, endpoints, latency }), providerInputs: () => ({}) };
    const steps = awsSteps({ type: "aws:iam/rolePolicy:RolePolicy" } as any, context as any)!;
    expect(steps.map((s) => s.kind)).toEqual(["call", "call", "call"]);
    expect(new Set(steps.map((s) => JSON.stringify((s as any).endpoints))).size).toBe(1);
  });
});
