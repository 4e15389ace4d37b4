import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { OidcProvider } from "../../components/aws/oidcProvider";
import { ServiceRole } from "../../components/aws/serviceRole";
import { byType, inputsOf, one } from "../helpers/recorded";
import { runWithProviders } from "../helpers/run";

const ISSUER = "https://acme.okta.com/oauth2/aus1abc";

describe("OidcProvider", () => {
  it("creates the IAM OIDC provider with url = issuer, client ids = [audience] and no thumbprints", async () => {
    const { resources } = await runWithProviders((p) =>
      new OidcProvider("oidc", { issuerUrl: ISSUER, audience: "api://services" }, { providers: p.all }),
    );
    const provider = one(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "oidc-provider");
    expect(inputsOf(provider)).toEqual({ url: ISSUER, clientIdLists: ["api://services"] });
    expect(provider.provider).toBe("urn:pulumi:test::okta-federation::pulumi:providers:aws::aws");
    expect(provider.outputs.arn).toBe("arn:aws:iam::111111111111:oidc-provider/acme.okta.com/oauth2/aus1abc");
  });

  it("adopts an existing provider ARN instead of creating a second one for the same URL", async () => {
    const arn = "arn:aws:iam::111111111111:oidc-provider/acme.okta.com/oauth2/aus1abc";
    const { resources, value } = await runWithProviders((p) =>
      new OidcProvider("oidc", { issuerUrl: ISSUER, audience: "api://services", existingProviderArn: arn }, { providers: p.all }),
    );
    expect(byType(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toEqual([]);
    expect(await new Promise((r) => value.providerArn.apply(r))).toBe(arn);
  });

  it("passes thumbprints only when given", async () => {
    const thumb = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";
    const { resources } = await runWithProviders((p) =>
      new OidcProvider("oidc", { issuerUrl: ISSUER, audience: "a", thumbprints: [thumb] }, { providers: p.all }),
    );
    expect(inputsOf(one(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "oidc-provider")).thumbprintLists).toEqual([thumb]);
  });
});

describe("ServiceRole", () => {
  it("trusts only AssumeRoleWithWebIdentity from the provider, with aud and sub pinned by StringEquals", async () => {
    const { resources } = await runWithProviders((p) =>
      new ServiceRole(
        "payments-aws",
        {
          oidcProviderArn: "arn:aws:iam::111111111111:oidc-provider/acme.okta.com/oauth2/aus1abc",
          issuerUrl: ISSUER,
          audience: "api://services",
          clientId: "0oa1payments",
          policies: { "s3-read": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "a-first": "arn:aws:iam::aws:policy/ReadOnlyAccess" },
          maxSessionDurationSeconds: 7200,
        },
        { providers: p.all },
      ),
    );
    const role = one(resources, "aws:iam/role:Role", "payments-aws-role");
    expect(JSON.parse(inputsOf(role).assumeRolePolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "OktaServiceToken",
          Effect: "Allow",
          Principal: { Federated: "arn:aws:iam::111111111111:oidc-provider/acme.okta.com/oauth2/aus1abc" },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "acme.okta.com/oauth2/aus1abc:aud": "api://services",
              "acme.okta.com/oauth2/aus1abc:sub": "0oa1payments",
            },
          },
        },
      ],
    });
    expect(inputsOf(role)).toMatchObject({ maxSessionDuration: 7200, path: "/oktafed/" });
    const attachments = byType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    expect(attachments.map((a) => [a.name, inputsOf(a).policyArn, inputsOf(a).role])).toEqual([
      ["payments-aws-a-first", "arn:aws:iam::aws:policy/ReadOnlyAccess", "<payments-aws-role.name>"],
      ["payments-aws-s3-read", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "<payments-aws-role.name>"],
    ]);
  });

  it.each([
    [3599, "maxSessionDurationSeconds must be 3600-43200, got 3599"],
    [43201, "maxSessionDurationSeconds must be 3600-43200, got 43201"],
  ])("rejects a session duration of %s", async (seconds, message) => {
    await expect(
      runWithProviders((p) =>
        new ServiceRole("r", { oidcProviderArn: "arn", issuerUrl: ISSUER, audience: "a", clientId: "c", maxSessionDurationSeconds: seconds }, { providers: p.all }),
      ),
    ).rejects.toThrow(message);
  });

  it("refuses more managed policies than IAM allows per role", async () => {
    const policies = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, `arn:aws:iam::aws:policy/P${i}`]));
    await expect(
      runWithProviders((p) => new ServiceRole("r", { oidcProviderArn: "arn", issuerUrl: ISSUER, audience: "a", clientId: "c", policies }, { providers: p.all })),
    ).rejects.toThrow("at most 10 managed policies per role, got 11");
  });
});

describe("ServiceRole: identity-admin policies and names", () => {
  const role = (policies: Record<string, string | { arn: string; allowIdentityAdmin?: boolean }>, roleName?: string) =>
    runWithProviders((p) => new ServiceRole("payments-aws", { oidcProviderArn: "arn", issuerUrl: ISSUER, audience: "a", clientId: "c", policies, roleName }, { providers: p.all }));

  it("refuses a policy that can rewrite other roles' trust without the opt-in", async () => {
    await expect(role({ iam: "arn:aws:iam::aws:policy/IAMFullAccess" })).rejects.toThrow(
      "policy iam (arn:aws:iam::aws:policy/IAMFullAccess) allows iam:UpdateAssumeRolePolicy on *: rewrites the trust policy of the stack's roles (path /oktafed/): this role's holder could take over every other role of the account; refused without allowIdentityAdmin: true",
    );
  });

  it("attaches it with the opt-in and lists it as accepted in the component's outputs", async () => {
    const { resources } = await role({ iam: { arn: "arn:aws:iam::aws:policy/IAMFullAccess", allowIdentityAdmin: true }, read: "arn:aws:iam::aws:policy/ReadOnlyAccess" });
    expect(inputsOf(one(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "payments-aws-iam")).policyArn).toBe("arn:aws:iam::aws:policy/IAMFullAccess");
    // Only what exists nowhere else in state: no copies of the role's own outputs.
    expect(one(resources, "oktafed:aws:ServiceRole", "payments-aws").componentOutputs).toEqual({ acceptedIdentityAdmin: ["payments-aws-iam"] });
  });

  it("a fixed role name gives an ARN known before deploy", async () => {
    const { resources } = await role({}, "dev-payments");
    const created = one(resources, "aws:iam/role:Role", "payments-aws-role");
    expect(inputsOf(created).name).toBe("dev-payments");
    expect(created.outputs.arn).toBe("arn:aws:iam::111111111111:role/oktafed/dev-payments");
  });
});

describe("ServiceRole: inline policies", () => {
  const withInline = (inlinePolicies: Record<string, { statements: any[]; allowIdentityAdmin?: boolean }>, path?: string) =>
    runWithProviders((p) => new ServiceRole("payments-aws", { oidcProviderArn: "arn", issuerUrl: ISSUER, audience: "a", clientId: "c", inlinePolicies, path }, { providers: p.all }));
  const read = { effect: "Allow", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bar-orders-dev/*"] } as const;

  it("creates one role policy per key, named by the key, its document built from the statements", async () => {
    const { resources } = await withInline({
      "orders-read": { statements: [read, { effect: "Deny", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bar-orders-dev/private/*"], conditions: { Bool: { "aws:SecureTransport": ["false"] } } }] },
    });
    const policy = one(resources, "aws:iam/rolePolicy:RolePolicy", "payments-aws-inline-orders-read");
    expect(inputsOf(policy).name).toBe("orders-read");
    // The role's name output (the mock engine records an unresolved output by its source).
    expect(inputsOf(policy).role).toBe("<payments-aws-role.name>");
    expect(JSON.parse(inputsOf(policy).policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::bar-orders-dev/*"] },
        { Effect: "Deny", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::bar-orders-dev/private/*"], Condition: { Bool: { "aws:SecureTransport": ["false"] } } },
      ],
    });
    expect(policy.parent).toBe("urn:pulumi:test::okta-federation::oktafed:aws:ServiceRole::payments-aws");
  });

  it("refuses a statement that rewrites the stack's roles without the opt-in, and accepts it with", async () => {
    const rewrite = { effect: "Allow", actions: ["iam:UpdateAssumeRolePolicy"], resources: ["*"] };
    await expect(withInline({ admin: { statements: [read, rewrite] } })).rejects.toThrow(
      "inline policy admin: statement 2 allows iam:UpdateAssumeRolePolicy on *: rewrites the trust policy of the stack's roles (path /oktafed/): this role's holder could take over every other role of the account; refused without allowIdentityAdmin: true",
    );
    const { resources } = await withInline({ admin: { statements: [rewrite], allowIdentityAdmin: true } });
    expect(one(resources, "oktafed:aws:ServiceRole", "payments-aws").componentOutputs).toEqual({ acceptedIdentityAdmin: ["payments-aws-inline-admin"] });
  });

  it("judges the role path: rewriting roles under another path is not identity-admin for this stack", async () => {
    const other = { effect: "Allow", actions: ["iam:PutRolePolicy"], resources: ["arn:aws:iam::111111111111:role/ci/*"] };
    const { resources } = await withInline({ ci: { statements: [other] } });
    expect(byType(resources, "aws:iam/rolePolicy:RolePolicy")).toHaveLength(1);
    await expect(withInline({ ci: { statements: [other] } }, "/ci/")).rejects.toThrow("inline policy ci: statement 1 allows iam:PutRolePolicy on arn:aws:iam::111111111111:role/ci/*: writes inline policies (any action) on the stack's roles (path /ci/)");
  });

  it("refuses unknown actions and resources no action acts on, like config validation", async () => {
    await expect(withInline({ bad: { statements: [{ effect: "Allow", actions: ["s3:GetObjekt"], resources: ["arn:aws:s3:::bar-orders-dev"] }] } })).rejects.toThrow(
      "inline policy bad: statements[0].actions[0]: s3:GetObjekt is not an action of s3; did you mean s3:GetObject?",
    );
  });
});

describe("aliases", () => {
  it("a renamed component type keeps its identity and its children's through aliases", async () => {
    const { resources } = await runWithProviders((p) => {
      // Components live under a parent in a stack (the Federation, or the caller's own component).
      const parent = new pulumi.ComponentResource("test:index:Platform", "platform", {}, { providers: p.all });
      return new ServiceRole(
        "payments-aws",
        { oidcProviderArn: "arn", issuerUrl: ISSUER, audience: "a", clientId: "c", policies: { "s3-read": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" } },
        { parent, aliases: [{ type: "oktafed:aws:OidcRole" }] },
      );
    });
    const base = "urn:pulumi:test::okta-federation::test:index:Platform$oktafed:aws:OidcRole";
    expect(one(resources, "oktafed:aws:ServiceRole", "payments-aws").aliases).toEqual([`${base}::payments-aws`]);
    expect(one(resources, "aws:iam/role:Role", "payments-aws-role").aliases).toEqual([`${base}$aws:iam/role:Role::payments-aws-role`]);
    expect(one(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "payments-aws-s3-read").aliases).toEqual([
      `${base}$aws:iam/rolePolicyAttachment:RolePolicyAttachment::payments-aws-s3-read`,
    ]);
  });
});
