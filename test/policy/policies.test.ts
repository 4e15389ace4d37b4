import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { beforeAll, describe, expect, it } from "vitest";
import * as p from "../../policy/policies";
import { AZURE_ROLE_ASSIGNMENT_TYPES, GCP_IAM_TYPES } from "../../policy/grantTypes";
import { unwrapSecrets, type RecordedResource } from "../../tools/offline/engine";
import { planStack } from "../../tools/offline/plan";
import { fixtureStack } from "../helpers/stacks";

interface Fake {
  readonly type: string;
  readonly name?: string;
  readonly props: Record<string, any>;
  /** For stack policies: the parent's and the provider's names among the given resources. */
  readonly parent?: string;
  readonly provider?: string;
}

const isType = (type: string) => (cls: { __pulumiType?: string }) => cls.__pulumiType === type;

/** Runs a resource policy the way the analyzer does (without the CLI), returning its violations. */
async function violations(policy: ResourceValidationPolicy, resource: Fake, stackTags: Record<string, string> = {}): Promise<string[]> {
  const found: string[] = [];
  const args = {
    type: resource.type,
    props: resource.props,
    urn: `urn:pulumi:test::okta-federation::${resource.type}::${resource.name ?? "r"}`,
    name: resource.name ?? "r",
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: {}, additionalSecretOutputs: [] },
    stackTags: new Map(Object.entries(stackTags)),
    isType: isType(resource.type),
    asType: () => resource.props,
    getConfig: () => ({}),
    notApplicable: () => {
      throw new Error("not applicable");
    },
  };
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  for (const validate of validations) {
    try {
      await validate!(args as any, (message: string) => found.push(message));
    } catch (error) {
      if ((error as Error).message !== "not applicable") throw error;
    }
  }
  return found;
}

async function stackViolations(policy: StackValidationPolicy, resources: readonly Fake[]): Promise<string[]> {
  const found: string[] = [];
  // As the analyzer hands them over: parents and providers linked as resource objects.
  const policyResources = resources.map((r) => ({ ...r, urn: r.name ?? "r", name: r.name ?? "r", isType: isType(r.type), asType: () => r.props, dependencies: [], propertyDependencies: {} })) as any[];
  const byName = new Map(policyResources.map((r) => [r.name, r]));
  for (const r of policyResources) {
    r.parent = r.parent ? byName.get(r.parent) : undefined;
    r.provider = r.provider ? byName.get(r.provider) : undefined;
  }
  await policy.validateStack(
    {
      resources: policyResources,
      stackTags: new Map(),
      getConfig: () => ({}) as any,
      notApplicable: () => {
        throw new Error("not applicable");
      },
    },
    (message: string) => found.push(message),
  );
  return found;
}

/** A recorded resource as a policy sees it: a component's properties are its registered outputs. */
function asFake(r: RecordedResource, all: readonly RecordedResource[] = []): Fake {
  const name = (urn: string | null) => all.find((x) => x.urn === urn)?.name;
  return {
    type: r.type,
    name: r.name,
    props: unwrapSecrets(r.custom ? r.inputs : (r.componentOutputs ?? {})) as Record<string, any>,
    ...(name(r.parent) ? { parent: name(r.parent) } : {}),
    ...(name(r.provider) ? { provider: name(r.provider) } : {}),
  };
}

describe("every policy passes the example stacks", () => {
  let resources: RecordedResource[] = [];
  beforeAll(async () => {
    // grants: roles on single resources (gcp.resourceRoles), an identity-admin one accepted.
    resources = [...(await planStack(fixtureStack("dev"))).resources, ...(await planStack(fixtureStack("prod"))).resources, ...(await planStack(fixtureStack("grants"))).resources];
  });

  it.each(p.policies.filter((x): x is ResourceValidationPolicy => "validateResource" in x).map((x) => [x.name, x] as const))("%s", async (_name, policy) => {
    let checked = 0;
    for (const r of resources) {
      expect(await violations(policy, asFake(r), { [p.PRODUCTION_TAG]: "true" }), `${policy.name} on ${r.urn}`).toEqual([]);
      checked++;
    }
    expect(checked).toBe(resources.length);
    expect(checked).toBeGreaterThan(90);
  });

  it.each(p.policies.filter((x): x is StackValidationPolicy => "validateStack" in x).map((x) => [x.name, x] as const))("%s (stack policy)", async (_name, policy) => {
    for (const stack of ["dev", "prod", "multi", "grants"]) {
      const plan = (await planStack(fixtureStack(stack))).resources;
      expect(await stackViolations(policy, plan.map((r) => asFake(r, plan))), stack).toEqual([]);
    }
  });
});

const HOST = "acme.okta.com/oauth2/aus1";
const trust = (condition: Record<string, unknown>) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "Okta", Effect: "Allow", Principal: { Federated: `arn:aws:iam::111111111111:oidc-provider/${HOST}` }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition }],
  });

describe("each policy fails a bad resource with its message", () => {
  it.each([
    ["no sub pin", { StringEquals: { [`${HOST}:aud`]: "api://x" } }, [`Okta: does not pin ${HOST}:sub with StringEquals`]],
    ["StringLike on sub", { StringEquals: { [`${HOST}:aud`]: "api://x" }, StringLike: { [`${HOST}:sub`]: "0oa*" } }, ["Okta: uses StringLike; pin the token with StringEquals", `Okta: does not pin ${HOST}:sub with StringEquals`]],
    ["wildcard in sub", { StringEquals: { [`${HOST}:aud`]: "api://x", [`${HOST}:sub`]: "0oa*" } }, [`Okta: ${HOST}:sub contains a wildcard`]],
    ["no conditions", {}, [`Okta: does not pin ${HOST}:aud with StringEquals`, `Okta: does not pin ${HOST}:sub with StringEquals`]],
  ])("aws-oidc-trust-pinned: %s", async (_label, condition, expected) => {
    expect(await violations(p.awsOidcTrustPinned, { type: "aws:iam/role:Role", props: { assumeRolePolicy: trust(condition) } })).toEqual(expected);
  });

  it("gcp-provider-has-condition", async () => {
    expect(await violations(p.gcpProviderHasCondition, { type: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", props: { oidc: { issuerUri: "https://x" } } })).toEqual([
      "the provider has no attribute condition: every client of the issuer could exchange tokens in the pool",
    ]);
  });

  it.each([
    ["a pasted disjunction", "assertion.sub in ['0oa1'] && (true) || (true)"],
    ["a condition on a claim only", "assertion.tenant_id == 'acme'"],
    ["the subject pinned only inside an or", "(assertion.sub in ['0oa1'] || assertion.tenant_id == 'acme')"],
  ])("gcp-provider-has-condition: %s does not pin the subject", async (_label, attributeCondition) => {
    expect(await violations(p.gcpProviderHasCondition, { type: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", props: { attributeCondition } })).toEqual([
      "the attribute condition does not pin the subject: its top level must be a conjunction (&&) with assertion.sub in [<client ids>]: another client of the issuer could exchange tokens in the pool",
    ]);
  });

  it("gcp-provider-has-condition: a condition that does not parse", async () => {
    expect(await violations(p.gcpProviderHasCondition, { type: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", props: { attributeCondition: "assertion.sub in ['0oa1'] && (true) || (true" } })).toEqual([
      "the attribute condition is not one CEL expression (Expected RPAREN, got EOF): another client of the issuer could exchange tokens in the pool",
    ]);
  });

  it("gcp-provider-has-condition: a matches() pattern GCP's RE2 refuses", async () => {
    const attributeCondition = "assertion.sub in ['0oa1'] && assertion.tenant_id.matches('^(?=a)acme$')";
    expect(await violations(p.gcpProviderHasCondition, { type: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", props: { attributeCondition } })).toEqual([
      "the attribute condition's matches('^(?=a)acme$'): GCP evaluates matches() with RE2, which refuses this pattern (invalid or unsupported Perl syntax: `(?=`); allowed: RE2 syntax; no look-around or backreferences",
    ]);
    const re2Only = "assertion.sub in ['0oa1'] && assertion.tenant_id.matches('(?i)^acme$')";
    expect(await violations(p.gcpProviderHasCondition, { type: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", props: { attributeCondition: re2Only } })).toEqual([]);
  });

  describe("no-identity-admin-grant", () => {
    const component = (name: string, accepted: string[] = []): Fake => ({ type: "oktafed:gcp:ServiceAccess", name, props: accepted.length ? { acceptedIdentityAdmin: accepted } : {} });
    const grant = (type: string, name: string, props: Record<string, unknown>, parent = "svc"): Fake => ({ type, name, props, parent });
    const identity: Fake = { type: "azure-native:managedidentity:UserAssignedIdentity", name: "id", props: { resourceGroupName: "identities", resourceName: "id-dev-billing" }, provider: "azure" };
    const azureProvider: Fake = { type: "pulumi:providers:azure-native", name: "azure", props: { subscriptionId: "00000000-0000-0000-0000-000000000001" } };
    const contributor = "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c";

    it.each([
      [
        "AWS IAMFullAccess",
        grant("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "svc-iam", { role: "r", policyArn: "arn:aws:iam::aws:policy/IAMFullAccess" }),
        "svc-iam: arn:aws:iam::aws:policy/IAMFullAccess allows iam:UpdateAssumeRolePolicy on *: rewrites the trust policy of the stack's roles (path /oktafed/): the role's holder could take over every other role of the account; grants like this are refused unless accepted with allowIdentityAdmin: true",
      ],
      [
        "GCP token creator on the project",
        grant("gcp:projects/iAMMember:IAMMember", "svc-roles/iam.serviceAccountTokenCreator", { project: "p", role: "roles/iam.serviceAccountTokenCreator", member: "principal://x" }),
        "svc-roles/iam.serviceAccountTokenCreator: roles/iam.serviceAccountTokenCreator on project p holds iam.serviceAccounts.getAccessToken (mints access tokens as every service account in the project): its holder could take over identities there; grants like this are refused unless accepted with allowIdentityAdmin: true",
      ],
      [
        "Azure Contributor on the identities' resource group",
        grant("azure-native:authorization:RoleAssignment", "svc-rg", { roleDefinitionId: contributor, scope: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/IDENTITIES" }),
        "svc-rg: Contributor at /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/IDENTITIES holds Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write by its action * (writes federated credentials on every managed identity in its scope), and that scope holds 1 managed identity of the stack; grants like this are refused unless accepted with allowIdentityAdmin: true",
      ],
    ])("refuses %s unless its component accepted it", async (_label, bad, message) => {
      expect(await stackViolations(p.noIdentityAdminGrant, [component("svc"), bad, identity, azureProvider])).toEqual([message]);
      expect(await stackViolations(p.noIdentityAdminGrant, [component("svc", [bad.name!]), bad, identity, azureProvider])).toEqual([]);
    });

    it("an identity whose provider is not visible is taken to be in the grant's subscription", async () => {
      const bad = grant("azure-native:authorization:RoleAssignment", "svc-rg", { roleDefinitionId: contributor, scope: "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/identities" });
      const { provider: _provider, ...withoutProvider } = identity;
      expect(await stackViolations(p.noIdentityAdminGrant, [component("svc"), bad, withoutProvider])).toHaveLength(1);
    });

    it.each([
      ["an empty segment", "/subscriptions/00000000-0000-0000-0000-000000000001//resourceGroups/identities"],
      ["a /./ segment", "/subscriptions/00000000-0000-0000-0000-000000000001/./resourceGroups/identities"],
      ["a percent-escape", "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/%69dentities"],
      ["a trailing slash and letter case", "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/resourcegroups/Identities/"],
    ])("a scope spelled with %s still holds the identities it names", async (_label, scope) => {
      const bad = grant("azure-native:authorization:RoleAssignment", "svc-rg", { roleDefinitionId: contributor, scope });
      expect(await stackViolations(p.noIdentityAdminGrant, [component("svc"), bad, identity, azureProvider])).toEqual([
        `svc-rg: Contributor at ${scope} holds Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write by its action * (writes federated credentials on every managed identity in its scope), and that scope holds 1 managed identity of the stack; grants like this are refused unless accepted with allowIdentityAdmin: true`,
      ]);
    });

    describe("a role on a service account (gcp.resourceRoles)", () => {
      const onAccount = (role: string, email = "dev-payments@acme-dev.iam.gserviceaccount.com") =>
        grant("gcp:serviceaccount/iAMMember:IAMMember", "svc-resource-payments-sa", { serviceAccountId: `projects/acme-dev/serviceAccounts/${email}`, role, member: "principal://x" });

      it("roles/iam.workloadIdentityUser on another service's account is refused unless its component accepted it", async () => {
        const bad = onAccount("roles/iam.workloadIdentityUser");
        expect(await stackViolations(p.noIdentityAdminGrant, [component("svc"), bad])).toEqual([
          "svc-resource-payments-sa: roles/iam.workloadIdentityUser on service account dev-payments@acme-dev.iam.gserviceaccount.com holds iam.serviceAccounts.getAccessToken (its holder can act as that service account): its holder could take over that service account; grants like this are refused unless accepted with allowIdentityAdmin: true",
        ]);
        expect(await stackViolations(p.noIdentityAdminGrant, [component("svc", [bad.name!]), bad])).toEqual([]);
        const binding = { ...bad, type: "gcp:serviceaccount/iAMBinding:IAMBinding", props: { ...bad.props, member: undefined, members: ["principal://x"] } };
        expect(await stackViolations(p.noIdentityAdminGrant, [component("svc"), binding])).toHaveLength(1);
      });

      it("a role that does not act as the account (roles/iam.serviceAccountViewer) is not one", async () => {
        expect(await stackViolations(p.noIdentityAdminGrant, [component("svc"), onAccount("roles/iam.serviceAccountViewer")])).toEqual([]);
      });

      it("the component's own impersonation grant on the account it created is its trust, not a takeover", async () => {
        const account: Fake = { type: "gcp:serviceaccount/account:Account", name: "svc-sa", props: { accountId: "dev-payments", project: "acme-dev" }, parent: "svc" };
        expect(await stackViolations(p.noIdentityAdminGrant, [component("svc"), account, onAccount("roles/iam.workloadIdentityUser")])).toEqual([]);
      });

      it("a role on a bucket reaches no identity", async () => {
        const bucket = grant("gcp:storage/bucketIAMMember:BucketIAMMember", "svc-resource-orders", { bucket: "orders", role: "roles/storage.admin", member: "principal://x" });
        expect(await stackViolations(p.noIdentityAdminGrant, [component("svc"), bucket])).toEqual([]);
      });
    });

    it.each([...AZURE_ROLE_ASSIGNMENT_TYPES].map((t) => [t]))("Contributor on the identities' resource group as %s", async (type) => {
      const bad = grant(type, "svc-rg", { roleDefinitionId: contributor, scope: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/identities" });
      expect(await stackViolations(p.noIdentityAdminGrant, [component("svc"), bad, identity, azureProvider])).toEqual([
        "svc-rg: Contributor at /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/identities holds Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write by its action * (writes federated credentials on every managed identity in its scope), and that scope holds 1 managed identity of the stack; grants like this are refused unless accepted with allowIdentityAdmin: true",
      ]);
    });

    it("Contributor where no managed identity lives is not an identity-admin grant", async () => {
      const elsewhere = grant("azure-native:authorization:RoleAssignment", "svc-data", { roleDefinitionId: contributor, scope: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/data" });
      expect(await stackViolations(p.noIdentityAdminGrant, [component("svc"), elsewhere, identity, azureProvider])).toEqual([]);
    });
  });

  describe("gcp-no-whole-pool-grant", () => {
    const pool = "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/okta-dev/*";
    const one = "principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/okta-dev/subject/0oa1";
    const message = `grants to a whole workload identity pool (${pool}); grant to principal://…/subject/<client id>`;
    // Every IAM resource of projects, service accounts and the resource kinds of gcp.resourceRoles, by its shape.
    const members = ["gcp:projects/iAMMember:IAMMember", "gcp:serviceaccount/iAMMember:IAMMember", "gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:pubsub/topicIAMMember:TopicIAMMember", "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember", "gcp:secretmanager/secretIamMember:SecretIamMember", "gcp:bigquery/datasetIamMember:DatasetIamMember", "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"];
    const bindings = members.map((t) => t.replace(/Member:(\w+)Member$/, "Binding:$1Binding").replace("/iAMMember:", "/iAMBinding:").replace("IAMMember:", "IAMBinding:").replace("IamMember:", "IamBinding:"));
    const policies = members.map((t) => t.replace(/Member:(\w+)Member$/, "Policy:$1Policy").replace("/iAMMember:", "/iAMPolicy:").replace("IAMMember:", "IAMPolicy:").replace("IamMember:", "IamPolicy:"));

    it("checks exactly these 24 types", () => {
      expect(bindings).toContain("gcp:storage/bucketIAMBinding:BucketIAMBinding");
      expect(policies).toContain("gcp:artifactregistry/repositoryIamPolicy:RepositoryIamPolicy");
      expect([...GCP_IAM_TYPES.keys()].sort()).toEqual([...members, ...bindings, ...policies].sort());
    });

    it.each(members)("%s: a member naming the whole pool", async (type) => {
      expect(await violations(p.gcpNoWholePoolGrant, { type, props: { role: "roles/viewer", member: pool } })).toEqual([message]);
      expect(await violations(p.gcpNoWholePoolGrant, { type, props: { role: "roles/viewer", member: one } })).toEqual([]);
    });

    it.each(bindings)("%s: a binding listing the whole pool", async (type) => {
      expect(await violations(p.gcpNoWholePoolGrant, { type, props: { role: "roles/viewer", members: [one, pool] } })).toEqual([message]);
    });

    it.each(policies)("%s: a policy whose binding lists the whole pool", async (type) => {
      const policyData = JSON.stringify({ bindings: [{ role: "roles/viewer", members: [one] }, { role: "roles/editor", members: [pool] }] });
      expect(await violations(p.gcpNoWholePoolGrant, { type, props: { policyData } })).toEqual([message]);
      expect(await violations(p.gcpNoWholePoolGrant, { type, props: { policyData: "not json" } })).toEqual([]);
    });
  });

  it.each([
    [" https://acme.okta.com/oauth2/aus1", ["issuer has surrounding whitespace (Entra ID matches it exactly)"]],
    ["http://acme.okta.com/oauth2/aus1", ['issuer "http://acme.okta.com/oauth2/aus1" is not an https URL']],
  ])("azure-credential-issuer: %j", async (issuer, expected) => {
    expect(await violations(p.azureCredentialIssuer, { type: "azure-native:managedidentity:FederatedIdentityCredential", props: { issuer, subject: "s", audiences: ["a"] } })).toEqual(expected);
  });

  it("azure-credentials-per-identity", async () => {
    const credentials = Array.from({ length: 21 }, (_, i) => ({
      type: "azure-native:managedidentity:FederatedIdentityCredential",
      name: `c${i}`,
      props: { resourceGroupName: "rg", resourceName: "id-payments", issuer: "https://x", subject: `s${i}`, audiences: ["a"] },
    }));
    expect(await stackViolations(p.azureCredentialsPerIdentity, credentials)).toEqual(["identity rg/id-payments has 21 federated credentials; Azure allows 20"]);
    expect(await stackViolations(p.azureCredentialsPerIdentity, credentials.slice(1))).toEqual([]);
  });

  it("okta-service-app-client-credentials-only", async () => {
    expect(await violations(p.oktaServiceAppClientCredentialsOnly, { type: "okta:app/oAuth:OAuth", props: { type: "service", grantTypes: ["client_credentials", "implicit"] } })).toEqual([
      "a service app allows implicit; only client_credentials is allowed",
    ]);
  });

  it("okta-no-dynamic-issuer", async () => {
    expect(await violations(p.oktaNoDynamicIssuer, { type: "okta:auth/server:Server", props: { issuerMode: "DYNAMIC", audiences: ["a"] } })).toEqual([
      "issuerMode is DYNAMIC: iss would follow the request's domain, so no cloud trust can pin it; use ORG_URL or CUSTOM_URL",
    ]);
  });

  it("okta-no-wildcard-scope", async () => {
    expect(await violations(p.oktaNoWildcardScope, { type: "okta:auth/serverPolicyRule:ServerPolicyRule", props: { scopeWhitelists: ["*"] } })).toEqual([
      "the rule whitelists every scope (*); list the scopes the client needs",
    ]);
  });

  it("azure-no-broad-role (advisory)", async () => {
    const props = { roleDefinitionId: "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635", scope: "/subscriptions/00000000-0000-0000-0000-000000000001" };
    expect(p.azureNoBroadRole.enforcementLevel).toBe("advisory");
    const check = (extra: Record<string, unknown>) => violations(p.azureNoBroadRole, { type: "azure-native:authorization:RoleAssignment", props: { ...props, ...extra } });
    expect(await check({})).toEqual(["Owner at subscription 00000000-0000-0000-0000-000000000001: grant a narrower (data-plane) role at a narrower scope"]);
    expect(await check({ scope: `${props.scope}/resourceGroups/rg` })).toEqual(["Owner at resource group rg: grant a narrower (data-plane) role at a narrower scope"]);
    expect(await check({ roleDefinitionId: "b24988ac-6180-42a0-ab88-20f7382dd24c", scope: `${props.scope}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acme` })).toEqual([
      "Contributor at storageAccount acme: grant a narrower (data-plane) role at a narrower scope",
    ]);
    expect(await check({ roleDefinitionId: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1" })).toEqual([]);
  });

  it("Azure role assignments: the current token and every versioned one azure-native knows (its aliases), each checked", async () => {
    const source = readFileSync(join(__dirname, "..", "..", "node_modules", "@pulumi", "azure-native", "authorization", "roleAssignment.js"), "utf8");
    const aliases = [...source.matchAll(/type: "(azure-native:authorization\/v\w+:RoleAssignment)"/g)].map((m) => m[1]!);
    expect(aliases).toHaveLength(9);
    expect([...AZURE_ROLE_ASSIGNMENT_TYPES].sort()).toEqual(["azure-native:authorization:RoleAssignment", ...aliases].sort());
    const owner = { roleDefinitionId: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", scope: "/subscriptions/00000000-0000-0000-0000-000000000001" };
    for (const type of AZURE_ROLE_ASSIGNMENT_TYPES) {
      expect(await violations(p.azureNoBroadRole, { type, props: owner }), type).toEqual(["Owner at subscription 00000000-0000-0000-0000-000000000001: grant a narrower (data-plane) role at a narrower scope"]);
    }
    // Another service's RoleAssignment (Customer Insights) is not an Azure RBAC assignment.
    expect(await violations(p.azureNoBroadRole, { type: "azure-native:customerinsights:RoleAssignment", props: owner })).toEqual([]);
  });

  it("aws-no-broad-policy (advisory)", async () => {
    const attach = (policyArn: string) => violations(p.awsNoBroadPolicy, { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", props: { role: "r", policyArn } });
    expect(await attach("arn:aws:iam::aws:policy/AdministratorAccess")).toEqual([
      "arn:aws:iam::aws:policy/AdministratorAccess is attached, which allows every action on every resource of the account: attach only what the workload needs",
    ]);
    expect(await attach("arn:aws:iam::aws:policy/PowerUserAccess")).toEqual([
      "arn:aws:iam::aws:policy/PowerUserAccess is attached, which allows every action except IAM and Organizations management: attach only what the workload needs",
    ]);
    expect(await attach("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")).toEqual([]);
  });

  it("okta-production-token-lifetime (advisory) applies only to stacks tagged production", async () => {
    const rule = { type: "okta:auth/serverPolicyRule:ServerPolicyRule", props: { accessTokenLifetimeMinutes: 120, scopeWhitelists: ["a"] } };
    expect(await violations(p.oktaProductionTokenLifetime, rule, { [p.PRODUCTION_TAG]: "true" })).toEqual([
      "access tokens live 120 minutes; keep production tokens at 60 minutes or less",
    ]);
    expect(await violations(p.oktaProductionTokenLifetime, rule)).toEqual([]);
  });

  it("the mandatory and advisory split is as documented", () => {
    expect(Object.fromEntries(p.policies.map((x) => [x.name, x.enforcementLevel]))).toEqual({
      "aws-oidc-trust-pinned": "mandatory",
      "gcp-provider-has-condition": "mandatory",
      "no-identity-admin-grant": "mandatory",
      "gcp-no-whole-pool-grant": "mandatory",
      "azure-credential-issuer": "mandatory",
      "azure-credentials-per-identity": "mandatory",
      "okta-service-app-client-credentials-only": "mandatory",
      "okta-no-dynamic-issuer": "mandatory",
      "okta-no-wildcard-scope": "mandatory",
      "azure-no-broad-role": "advisory",
      "aws-no-broad-policy": "advisory",
      "okta-production-token-lifetime": "advisory",
    });
  });
});
