/**
 * The providers' replacement rules known to the kit (components/internal/replacements.ts), and the
 * replaceOnChanges the Okta components add where a provider would update in place with stale ids.
 */
import { describe, expect, it } from "vitest";
import { OKTA_SERVER_BOUND_INPUTS, REPLACEMENT_RULES, deletesFirst, replacingInputs } from "../../components/internal/replacements";
import { planStack, planToJson } from "../../tools/offline/plan";
import { fixtureStack } from "../helpers/stacks";

describe("replacement rules", () => {
  it("cover every custom resource type a stack registers, each with its source", async () => {
    const plan = await planStack(fixtureStack("dev"));
    const types = [...new Set(plan.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).map((r) => r.type))].sort();
    expect(types.filter((t) => !REPLACEMENT_RULES[t])).toEqual([]);
    for (const [type, rule] of Object.entries(REPLACEMENT_RULES)) {
      expect(rule.source, type).toMatch(/\.go /);
      // A property cannot both replace and update in place.
      expect(rule.replaceOn.filter((p) => rule.inPlace?.includes(p)), type).toEqual([]);
    }
  });

  it("name the inputs that replace, the conditional one and the kit's own replaceOnChanges", () => {
    expect(replacingInputs("aws:iam/role:Role", ["path", "description"], {}, {})).toEqual([{ property: "path", why: "provider" }]);
    expect(replacingInputs("okta:auth/serverPolicy:ServerPolicy", ["authServerId"], {}, {})).toEqual([]);
    expect(replacingInputs("okta:auth/serverPolicy:ServerPolicy", ["authServerId"], {}, {}, ["authServerId"])).toEqual([{ property: "authServerId", why: "replaceOnChanges" }]);
    expect(replacingInputs("okta:app/oAuth:OAuth", ["omitSecret"], { omitSecret: true }, { omitSecret: false })).toEqual([
      { property: "omitSecret", why: "provider", condition: "changes from true to false" },
    ]);
    expect(replacingInputs("okta:app/oAuth:OAuth", ["omitSecret"], { omitSecret: false }, { omitSecret: true })).toEqual([]);
  });

  it("cover the IAM member types of gcp.resourceRoles: their resource field, role and member replace, never deleted first", () => {
    const rules: Record<string, string[]> = {
      "gcp:storage/bucketIAMMember:BucketIAMMember": ["bucket", "role", "member", "condition"],
      "gcp:pubsub/topicIAMMember:TopicIAMMember": ["project", "topic", "role", "member", "condition"],
      "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember": ["project", "subscription", "role", "member", "condition"],
      "gcp:secretmanager/secretIamMember:SecretIamMember": ["project", "secretId", "role", "member", "condition"],
      "gcp:bigquery/datasetIamMember:DatasetIamMember": ["project", "datasetId", "role", "member", "condition"],
      "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": ["project", "location", "repository", "role", "member", "condition"],
      "gcp:serviceaccount/iAMMember:IAMMember": ["serviceAccountId", "role", "member", "condition"],
    };
    for (const [type, replaceOn] of Object.entries(rules)) {
      expect(REPLACEMENT_RULES[type]?.replaceOn, type).toEqual(replaceOn);
      expect(deletesFirst(type, {}), type).toBe(false);
    }
    expect(replacingInputs("gcp:storage/bucketIAMMember:BucketIAMMember", ["bucket"], { bucket: "a-orders" }, { bucket: "b-orders" })).toEqual([{ property: "bucket", why: "provider" }]);
  });

  it("an inline policy: name, namePrefix and role replace, its document is written in place, deleted first under its fixed name", () => {
    expect(REPLACEMENT_RULES["aws:iam/rolePolicy:RolePolicy"]).toMatchObject({ replaceOn: ["name", "namePrefix", "role"], inPlace: ["policy"], deleteFirst: "when-named" });
    expect(REPLACEMENT_RULES["aws:iam/rolePolicy:RolePolicy"]!.source).toMatch(/role_policy\.go resourceRolePolicy \(at 02f97af85f89a04e8ed89f5e8b64a9a67f3cfe07\)/);
    expect(replacingInputs("aws:iam/rolePolicy:RolePolicy", ["policy"], {}, {})).toEqual([]);
    expect(replacingInputs("aws:iam/rolePolicy:RolePolicy", ["role"], {}, {})).toEqual([{ property: "role", why: "provider" }]);
    // The kit names every inline policy by its key: created first, the old one's DeleteRolePolicy would remove the new.
    expect(deletesFirst("aws:iam/rolePolicy:RolePolicy", { name: "orders-read" })).toBe(true);
  });

  it("cover the grants fixture's types too (its inline policy)", async () => {
    const plan = await planStack(fixtureStack("grants"));
    const types = [...new Set(plan.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).map((r) => r.type))];
    expect(types).toContain("aws:iam/rolePolicy:RolePolicy");
    expect(types.filter((t) => !REPLACEMENT_RULES[t])).toEqual([]);
  });

  it("delete first for a named IAM role and every azure-native resource, never for a GCP pool", () => {
    expect(deletesFirst("aws:iam/role:Role", { name: "dev-payments" })).toBe(true);
    expect(deletesFirst("aws:iam/role:Role", {})).toBe(false);
    expect(deletesFirst("azure-native:managedidentity:UserAssignedIdentity", {})).toBe(true);
    expect(deletesFirst("gcp:iam/workloadIdentityPool:WorkloadIdentityPool", {})).toBe(false);
  });
});

describe("replaceOnChanges on the Okta resources bound to a server", () => {
  it("is recorded in the plan JSON for every policy, rule, scope and claim, and nowhere else", async () => {
    const doc = planToJson(await planStack(fixtureStack("dev"))) as { resources: Array<{ type: string; name: string; replaceOnChanges?: string[] }> };
    const expected: Record<string, readonly string[]> = {
      "okta:auth/serverPolicy:ServerPolicy": OKTA_SERVER_BOUND_INPUTS.policy,
      "okta:auth/serverPolicyRule:ServerPolicyRule": OKTA_SERVER_BOUND_INPUTS.rule,
      "okta:auth/serverScope:ServerScope": OKTA_SERVER_BOUND_INPUTS.scope,
      "okta:auth/serverClaim:ServerClaim": OKTA_SERVER_BOUND_INPUTS.claim,
    };
    for (const r of doc.resources) expect([r.name, r.replaceOnChanges]).toEqual([r.name, expected[r.type] ? [...expected[r.type]!] : undefined]);
    expect(OKTA_SERVER_BOUND_INPUTS.rule).toEqual(["authServerId", "policyId"]);
  });
});
