import { describe, expect, it } from "vitest";
import { WorkloadIdentityPool } from "../../components/gcp/workloadIdentityPool";
import { ServiceAccess } from "../../components/gcp/serviceAccess";
import { byType, inputsOf, one } from "../helpers/recorded";
import { runWithProviders } from "../helpers/run";

const ISSUER = "https://acme.okta.com/oauth2/aus1abc";
const POOL = "projects/123456789012/locations/global/workloadIdentityPools/okta-test";

describe("WorkloadIdentityPool", () => {
  it("creates a pool and an OIDC provider with exact issuer, one audience, subject mapping and a condition on the kit's client ids", async () => {
    const { resources } = await runWithProviders((p) =>
      new WorkloadIdentityPool(
        "wif",
        { project: "acme-test-example", poolId: "okta-test", issuerUrl: ISSUER, audience: "api://services", providers: { okta: ["0oa1", "0oa2"] }, mappedClaims: ["tenant_id"] },
        { providers: p.all },
      ),
    );
    const pool = one(resources, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "wif-pool");
    expect(inputsOf(pool)).toMatchObject({ project: "acme-test-example", workloadIdentityPoolId: "okta-test", disabled: false });
    const provider = one(resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "wif-provider-okta");
    expect(inputsOf(provider)).toMatchObject({
      workloadIdentityPoolId: "okta-test",
      workloadIdentityPoolProviderId: "okta",
      oidc: { issuerUri: ISSUER, allowedAudiences: ["api://services"] },
      attributeMapping: { "google.subject": "assertion.sub", "attribute.client_id": "assertion.cid", "attribute.tenant_id": "assertion.tenant_id" },
      attributeCondition: "assertion.sub in ['0oa1', '0oa2']",
    });
    expect(provider.provider).toBe("urn:pulumi:test::okta-federation::pulumi:providers:gcp::gcp");
  });

  it.each([
    ["gcp-okta", "okta", 'pool id "gcp-okta" must be 4-32 characters of a-z, 0-9 and \'-\', not starting with \'gcp-\''],
    ["abc", "okta", 'pool id "abc" must be 4-32 characters of a-z, 0-9 and \'-\', not starting with \'gcp-\''],
    ["okta-test", "Okta", 'provider id "Okta" must be 4-32 characters of a-z, 0-9 and \'-\', not starting with \'gcp-\''],
  ])("rejects pool %s / provider %s", async (poolId, providerId, message) => {
    await expect(
      runWithProviders((p) =>
        new WorkloadIdentityPool("wif", { project: "p-test-1", poolId, issuerUrl: ISSUER, audience: "a", providers: { [providerId]: ["c"] } }, { providers: p.all }),
      ),
    ).rejects.toThrow(message);
  });

  it("builds the provider condition from the additional condition's parse tree, and refuses one that is not a single expression", async () => {
    const pool = (additionalCondition: string) =>
      runWithProviders((p) =>
        new WorkloadIdentityPool(
          "gcp-pool",
          { project: "acme-test-example", poolId: "okta-test", issuerUrl: "https://acme.okta.com/oauth2/aus1abc", audience: "api://services", providers: { okta: ["0oa1"] }, additionalCondition },
          { providers: p.all },
        ),
      );
    const { resources } = await pool("assertion.tenant_id == 'acme' || assertion.tenant_id == 'globex'");
    expect(inputsOf(one(resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "gcp-pool-provider-okta")).attributeCondition).toBe(
      "assertion.sub in ['0oa1'] && ((assertion.tenant_id == 'acme') || (assertion.tenant_id == 'globex'))",
    );
    await expect(pool("true) || (true")).rejects.toThrow("the additional condition is not one CEL expression: Unexpected character: ')'");
  });

  it("refuses a provider without any client id to admit (no open condition)", async () => {
    await expect(
      runWithProviders((p) =>
        new WorkloadIdentityPool("wif", { project: "p-test-1", poolId: "okta-test", issuerUrl: ISSUER, audience: "a", providers: { okta: [] } }, { providers: p.all }),
      ),
    ).rejects.toThrow("provider okta needs at least one client id to admit");
  });

  it("several providers in one pool each admit only their own client ids", async () => {
    const { resources } = await runWithProviders((p) =>
      new WorkloadIdentityPool("wif", { project: "p-test-1", poolId: "okta-test", issuerUrl: ISSUER, audience: "a", providers: { "okta-2": ["0oa3"], okta: ["0oa1", "0oa2"] } }, { providers: p.all }),
    );
    const providers = byType(resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider").sort((a, b) => a.name.localeCompare(b.name));
    expect(providers.map((r) => [r.name, inputsOf(r).workloadIdentityPoolProviderId, inputsOf(r).attributeCondition])).toEqual([
      ["wif-provider-okta", "okta", "assertion.sub in ['0oa1', '0oa2']"],
      ["wif-provider-okta-2", "okta-2", "assertion.sub in ['0oa3']"],
    ]);
  });
});

describe("ServiceAccess", () => {
  it("impersonation: a service account, workloadIdentityUser for exactly the service's principal, roles to the account", async () => {
    const { resources } = await runWithProviders((p) =>
      new ServiceAccess(
        "payments-gcp",
        { project: "acme-test-example", poolName: POOL, clientId: "0oa1payments", serviceAccountId: "test-payments", roles: ["roles/storage.objectViewer"] },
        { providers: p.all },
      ),
    );
    const principal = `principal://iam.googleapis.com/${POOL}/subject/0oa1payments`;
    expect(inputsOf(one(resources, "gcp:serviceaccount/account:Account", "payments-gcp-sa"))).toMatchObject({ accountId: "test-payments", project: "acme-test-example" });
    expect(inputsOf(one(resources, "gcp:serviceaccount/iAMMember:IAMMember", "payments-gcp-impersonation"))).toEqual({
      serviceAccountId: "projects/acme-test-example/serviceAccounts/test-payments@acme-test-example.iam.gserviceaccount.com",
      role: "roles/iam.workloadIdentityUser",
      member: principal,
    });
    expect(inputsOf(one(resources, "gcp:projects/iAMMember:IAMMember", "payments-gcp-roles/storage.objectViewer"))).toEqual({
      project: "acme-test-example",
      role: "roles/storage.objectViewer",
      member: "serviceAccount:test-payments@acme-test-example.iam.gserviceaccount.com",
    });
  });

  it("direct grants go to the exact principal, never a whole-pool principalSet", async () => {
    const { resources } = await runWithProviders((p) =>
      new ServiceAccess("reporting-gcp", { project: "acme-test-example", poolName: POOL, clientId: "0oa2", roles: ["roles/bigquery.jobUser", "roles/bigquery.dataViewer"] }, { providers: p.all }),
    );
    expect(byType(resources, "gcp:serviceaccount/account:Account")).toEqual([]);
    const grants = byType(resources, "gcp:projects/iAMMember:IAMMember");
    expect(grants.map((g) => [g.name, inputsOf(g).member])).toEqual([
      ["reporting-gcp-roles/bigquery.dataViewer", `principal://iam.googleapis.com/${POOL}/subject/0oa2`],
      ["reporting-gcp-roles/bigquery.jobUser", `principal://iam.googleapis.com/${POOL}/subject/0oa2`],
    ]);
    expect(JSON.stringify(grants.map((g) => g.inputs))).not.toContain("principalSet://");
  });

  it.each(["roles/iam.serviceAccountTokenCreator", "roles/iam.workloadIdentityUser", "roles/owner", "roles/iam.workloadIdentityPoolAdmin"])(
    "refuses the identity-admin role %s on the project without the opt-in, and grants it with it",
    async (role) => {
      const access = (roles: Array<string | { role: string; allowIdentityAdmin: boolean }>) =>
        runWithProviders((p) => new ServiceAccess("reporting-gcp", { project: "acme-test-example", poolName: POOL, clientId: "0oa2", roles }, { providers: p.all }));
      await expect(access([role])).rejects.toThrow(`${role} on project acme-test-example `);
      await expect(access([role])).rejects.toThrow("its holder could take over other identities there; refused without allowIdentityAdmin: true");
      const { resources } = await access([{ role, allowIdentityAdmin: true }]);
      expect(inputsOf(one(resources, "gcp:projects/iAMMember:IAMMember", `reporting-gcp-${role}`)).role).toBe(role);
      expect(one(resources, "oktafed:gcp:ServiceAccess", "reporting-gcp").componentOutputs).toEqual({ acceptedIdentityAdmin: [`reporting-gcp-${role}`] });
    },
  );
});

describe("ServiceAccess: roles on single resources (resourceRoles)", () => {
  const PRINCIPAL = `principal://iam.googleapis.com/${POOL}/subject/0oa2`;
  const ALL = {
    orders: { resource: "//storage.googleapis.com/projects/_/buckets/bar-orders-dev", role: "roles/storage.objectViewer" },
    events: { resource: "//pubsub.googleapis.com/projects/acme-test-example/topics/orders", role: "roles/pubsub.publisher" },
    intake: { resource: "//pubsub.googleapis.com/projects/acme-test-example/subscriptions/orders-in", role: "roles/pubsub.subscriber" },
    db: { resource: "//secretmanager.googleapis.com/projects/acme-test-example/secrets/db-password", role: "roles/secretmanager.secretAccessor" },
    sales: { resource: "//bigquery.googleapis.com/projects/acme-test-example/datasets/sales", role: "roles/bigquery.dataViewer" },
    images: { resource: "//artifactregistry.googleapis.com/projects/acme-test-example/locations/europe-west1/repositories/images", role: "roles/artifactregistry.reader" },
    runner: { resource: "//iam.googleapis.com/projects/acme-test-example/serviceAccounts/runner@acme-test-example.iam.gserviceaccount.com", role: "roles/iam.serviceAccountViewer" },
  };

  it("each kind registers its provider's IAM member resource, named by the grant key, for the federated principal", async () => {
    const { resources } = await runWithProviders((p) =>
      new ServiceAccess("reporting-gcp", { project: "acme-test-example", poolName: POOL, clientId: "0oa2", resourceRoles: ALL }, { providers: p.all }),
    );
    const registered = resources
      .filter((r) => r.type.startsWith("gcp:"))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((r) => [r.type, r.name, inputsOf(r)]);
    expect(registered).toEqual([
      ["gcp:secretmanager/secretIamMember:SecretIamMember", "reporting-gcp-resource-db", { project: "acme-test-example", secretId: "db-password", role: "roles/secretmanager.secretAccessor", member: PRINCIPAL }],
      ["gcp:pubsub/topicIAMMember:TopicIAMMember", "reporting-gcp-resource-events", { project: "acme-test-example", topic: "orders", role: "roles/pubsub.publisher", member: PRINCIPAL }],
      ["gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "reporting-gcp-resource-images", { project: "acme-test-example", location: "europe-west1", repository: "images", role: "roles/artifactregistry.reader", member: PRINCIPAL }],
      ["gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember", "reporting-gcp-resource-intake", { project: "acme-test-example", subscription: "orders-in", role: "roles/pubsub.subscriber", member: PRINCIPAL }],
      ["gcp:storage/bucketIAMMember:BucketIAMMember", "reporting-gcp-resource-orders", { bucket: "bar-orders-dev", role: "roles/storage.objectViewer", member: PRINCIPAL }],
      [
        "gcp:serviceaccount/iAMMember:IAMMember",
        "reporting-gcp-resource-runner",
        { serviceAccountId: "projects/acme-test-example/serviceAccounts/runner@acme-test-example.iam.gserviceaccount.com", role: "roles/iam.serviceAccountViewer", member: PRINCIPAL },
      ],
      ["gcp:bigquery/datasetIamMember:DatasetIamMember", "reporting-gcp-resource-sales", { project: "acme-test-example", datasetId: "sales", role: "roles/bigquery.dataViewer", member: PRINCIPAL }],
    ]);
  });

  it("with impersonation, the resource role goes to the service account, as project roles do", async () => {
    const { resources } = await runWithProviders((p) =>
      new ServiceAccess(
        "payments-gcp",
        { project: "acme-test-example", poolName: POOL, clientId: "0oa1", serviceAccountId: "test-payments", resourceRoles: { orders: ALL.orders } },
        { providers: p.all },
      ),
    );
    expect(inputsOf(one(resources, "gcp:storage/bucketIAMMember:BucketIAMMember", "payments-gcp-resource-orders"))).toEqual({
      bucket: "bar-orders-dev",
      role: "roles/storage.objectViewer",
      member: "serviceAccount:test-payments@acme-test-example.iam.gserviceaccount.com",
    });
  });

  it("refuses another kind with the supported list, and a role that acts as the service account it is granted on without the opt-in", async () => {
    const access = (resourceRoles: Record<string, { resource: string; role: string; allowIdentityAdmin?: boolean }>) =>
      runWithProviders((p) => new ServiceAccess("reporting-gcp", { project: "acme-test-example", poolName: POOL, clientId: "0oa2", resourceRoles }, { providers: p.all }));
    await expect(access({ vm: { resource: "//compute.googleapis.com/projects/acme-test-example/zones/europe-west1-b/instances/vm-1", role: "roles/compute.viewer" } })).rejects.toThrow(
      'resourceRoles.vm: "//compute.googleapis.com/projects/acme-test-example/zones/europe-west1-b/instances/vm-1" is not a full resource name of a supported kind; supported: //storage.googleapis.com/projects/_/buckets/<bucket>, ',
    );
    const tokenCreator = { resource: ALL.runner.resource, role: "roles/iam.serviceAccountTokenCreator" };
    await expect(access({ runner: tokenCreator })).rejects.toThrow(
      "roles/iam.serviceAccountTokenCreator on service account runner@acme-test-example.iam.gserviceaccount.com holds iam.serviceAccounts.getAccessToken (its holder can act as that service account); refused without allowIdentityAdmin: true",
    );
    const { resources } = await access({ runner: { ...tokenCreator, allowIdentityAdmin: true } });
    expect(byType(resources, "gcp:serviceaccount/iAMMember:IAMMember").map((r) => [r.name, inputsOf(r).role])).toEqual([["reporting-gcp-resource-runner", "roles/iam.serviceAccountTokenCreator"]]);
  });
});
