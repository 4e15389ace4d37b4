/**
 * The policy pack's no-identity-admin-grant on AWS inline policies (aws:iam/rolePolicy:RolePolicy):
 * the document judged by identityAdminViolation against the stack's reach (the role's path, the
 * customer managed policies attached), accepted through the component's acceptedIdentityAdmin.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import * as p from "../../policy/policies";
import { unwrapSecrets, type RecordedResource } from "../../tools/offline/engine";
import { planStack } from "../../tools/offline/plan";
import { fixtureVariant } from "../helpers/stacks";

/** Runs a stack policy as the analyzer does, the resources linked to their parents (whose properties are a component's outputs). */
async function stackViolations(policy: StackValidationPolicy, recorded: readonly RecordedResource[], change: (r: any) => void = () => {}): Promise<string[]> {
  const found: string[] = [];
  const resources = recorded.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: unwrapSecrets(r.custom ? r.inputs : (r.componentOutputs ?? {})) as Record<string, any>,
    parentUrn: r.parent,
    isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === r.type,
    asType: () => ({}),
    dependencies: [],
    propertyDependencies: {},
  })) as any[];
  for (const r of resources) r.parent = resources.find((x) => x.urn === r.parentUrn);
  resources.forEach(change);
  await policy.validateStack({ resources, stackTags: new Map(), getConfig: () => ({}) as any, notApplicable: () => {} } as any, (message: string) => found.push(message));
  return found;
}

const ADMIN = { allowIdentityAdmin: true, statements: [{ actions: ["iam:PutRolePolicy"], resources: ["arn:aws:iam::111111111111:role/oktafed/*"] }] };
const NAME = "federation-payments-aws-inline-admin";

describe("no-identity-admin-grant on inline policies", () => {
  it("passes an identity-admin inline policy its component accepted, and refuses it without the opt-in, naming the statement", async () => {
    const plan = (await planStack(fixtureVariant("dev", (f) => (f.services.payments.aws.inlinePolicies = { admin: ADMIN })))).resources;
    expect(await stackViolations(p.noIdentityAdminGrant, plan)).toEqual([]);
    const dropOptIn = (r: any) => {
      if (Array.isArray(r.props.acceptedIdentityAdmin)) r.props.acceptedIdentityAdmin = r.props.acceptedIdentityAdmin.filter((n: string) => n !== NAME);
    };
    expect(await stackViolations(p.noIdentityAdminGrant, plan, dropOptIn)).toEqual([
      `${NAME}: inline policy admin of role dev-payments: statement 1 allows iam:PutRolePolicy on arn:aws:iam::111111111111:role/oktafed/*: writes inline policies (any action) on the stack's roles (path /oktafed/): the role's holder could take over the stack's identities; grants like this are refused unless accepted with allowIdentityAdmin: true`,
    ]);
  });

  it("judges against the stack's role path and attached customer managed policies", async () => {
    const moved = (await planStack(fixtureVariant("dev", (f) => {
      f.aws.rolePath = "/svc/";
      f.services.payments.aws.inlinePolicies = { admin: { statements: ADMIN.statements } };
    }))).resources;
    expect(await stackViolations(p.noIdentityAdminGrant, moved)).toEqual([]);
    // grants: payments attaches the customer managed policy payments-dev-sqs-send; rewriting it is identity admin.
    const rewrite = { allowIdentityAdmin: true, statements: [{ actions: ["iam:CreatePolicyVersion"], resources: ["arn:aws:iam::111111111111:policy/payments-dev-sqs-send"] }] };
    const grants = (await planStack(fixtureVariant("grants", (f) => (f.services.payments.aws.inlinePolicies.rewrite = rewrite)))).resources;
    expect(await stackViolations(p.noIdentityAdminGrant, grants)).toEqual([]);
    const dropOptIn = (r: any) => {
      if (Array.isArray(r.props.acceptedIdentityAdmin)) r.props.acceptedIdentityAdmin = r.props.acceptedIdentityAdmin.filter((n: string) => !n.endsWith("-inline-rewrite"));
    };
    expect(await stackViolations(p.noIdentityAdminGrant, grants, dropOptIn)).toEqual([
      "federation-payments-aws-inline-rewrite: inline policy rewrite of role dev-payments: statement 1 allows iam:CreatePolicyVersion on arn:aws:iam::111111111111:policy/payments-dev-sqs-send: rewrites (a new default version) the customer managed policies attached to the stack's roles: the role's holder could take over the stack's identities; grants like this are refused unless accepted with allowIdentityAdmin: true",
    ]);
  });
});
