import { describe, expect, it } from "vitest";
import { ServiceIdentity, type FederatedCredentialSpec } from "../../components/azure/serviceIdentity";
import { azureRoleAssignmentName } from "../../components/internal/trust";
import { byType, inputsOf, one } from "../helpers/recorded";
import { runWithProviders } from "../helpers/run";

const SUB = "00000000-0000-0000-0000-000000000001";
const ISSUER = "https://acme.okta.com/oauth2/aus1abc";
const cred = (subject: string): FederatedCredentialSpec => ({ issuerUrl: ISSUER, subject, audience: "api://services" });

/** Runs one ServiceIdentity "svc" (identity id-svc in rg) with the given credentials and assignments. */
function identity(credentials: Record<string, FederatedCredentialSpec>, roleAssignments?: Record<string, { role: string; scope: string; allowIdentityAdmin?: boolean }>) {
  return runWithProviders((p) =>
    new ServiceIdentity(
      "svc",
      { subscriptionId: SUB, resourceGroupName: "rg", location: "westeurope", identityName: "id-svc", credentials, roleAssignments },
      { providers: p.all },
    ),
  );
}

describe("ServiceIdentity", () => {
  it("creates an identity whose credential pins issuer, subject and audience exactly, and deterministic role assignments", async () => {
    const scope = `/subscriptions/${SUB}/resourceGroups/payments-test`;
    const { resources } = await runWithProviders((p) =>
      new ServiceIdentity(
        "payments-azure",
        {
          subscriptionId: SUB,
          resourceGroupName: "identities-test",
          location: "westeurope",
          identityName: "id-test-payments",
          credentials: { "okta-test": cred("0oa1payments") },
          roleAssignments: { "blob-reader": { role: "Storage Blob Data Reader", scope } },
        },
        { providers: p.all },
      ),
    );
    const identity = one(resources, "azure-native:managedidentity:UserAssignedIdentity", "payments-azure-identity");
    expect(inputsOf(identity)).toMatchObject({ resourceGroupName: "identities-test", resourceName: "id-test-payments", location: "westeurope" });
    const fic = one(resources, "azure-native:managedidentity:FederatedIdentityCredential", "payments-azure-okta-test");
    expect(inputsOf(fic)).toEqual({
      resourceGroupName: "identities-test",
      resourceName: "id-test-payments",
      federatedIdentityCredentialResourceName: "okta-test",
      issuer: ISSUER,
      subject: "0oa1payments",
      audiences: ["api://services"],
    });
    const assignment = one(resources, "azure-native:authorization:RoleAssignment", "payments-azure-blob-reader");
    const roleDefinitionId = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1`;
    expect(inputsOf(assignment)).toMatchObject({
      scope,
      roleDefinitionId,
      principalId: "<payments-azure-identity.principalId>",
      principalType: "ServicePrincipal",
      roleAssignmentName: azureRoleAssignmentName(
        scope,
        `/subscriptions/${SUB}/resourceGroups/identities-test/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-test-payments`,
        roleDefinitionId,
      ),
    });
    expect(inputsOf(assignment).roleAssignmentName).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("writes several credentials on one identity one after another (Azure rejects concurrent writes)", async () => {
    const { resources } = await identity({ "okta-c": cred("c"), "okta-a": cred("a"), "okta-b": cred("b") });
    const fics = byType(resources, "azure-native:managedidentity:FederatedIdentityCredential");
    const urn = (name: string) => fics.find((f) => f.name === name)!.urn;
    expect(fics.map((f) => f.name).sort()).toEqual(["svc-okta-a", "svc-okta-b", "svc-okta-c"]);
    expect(fics.find((f) => f.name === "svc-okta-a")!.dependencies).not.toContain(urn("svc-okta-b"));
    expect(fics.find((f) => f.name === "svc-okta-b")!.dependencies).toContain(urn("svc-okta-a"));
    expect(fics.find((f) => f.name === "svc-okta-c")!.dependencies).toContain(urn("svc-okta-b"));
  });

  it("refuses more than 20 credentials on one identity", async () => {
    const credentials = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`okta-${String(i).padStart(2, "0")}`, cred(`c${i}`)]));
    await expect(identity(credentials)).rejects.toThrow("at most 20 federated credentials per identity, got 21");
  });
});

describe("role definitions follow the assignment's scope", () => {
  it("uses the scope's subscription for the role definition id", async () => {
    const other = "00000000-0000-0000-0000-000000000009";
    const { resources } = await identity({ "okta-x": cred("c") }, { elsewhere: { role: "Reader", scope: `/subscriptions/${other}/resourceGroups/data` } });
    expect(inputsOf(one(resources, "azure-native:authorization:RoleAssignment", "svc-elsewhere")).roleDefinitionId).toBe(
      `/subscriptions/${other}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
    );
  });

  it.each(["Contributor", "Managed Identity Operator", "User Access Administrator"])(
    "refuses %s at a scope that holds its own identity without the opt-in",
    async (role) => {
      const scope = `/subscriptions/${SUB}/resourceGroups/RG`;
      await expect(identity({ okta: cred("0oa1") }, { admin: { role, scope } })).rejects.toThrow(`role assignment admin: ${role} at ${scope} `);
      const { resources } = await identity({ okta: cred("0oa1") }, { admin: { role, scope, allowIdentityAdmin: true } });
      expect(byType(resources, "azure-native:authorization:RoleAssignment")).toHaveLength(1);
      expect(one(resources, "oktafed:azure:ServiceIdentity", "svc").componentOutputs).toEqual({ acceptedIdentityAdmin: ["svc-admin"] });
    },
  );

  it("Contributor on another resource group is not an identity-admin grant for this identity", async () => {
    const { resources } = await identity({ okta: cred("0oa1") }, { data: { role: "Contributor", scope: `/subscriptions/${SUB}/resourceGroups/data` } });
    expect(byType(resources, "azure-native:authorization:RoleAssignment")).toHaveLength(1);
    expect(one(resources, "oktafed:azure:ServiceIdentity", "svc").componentOutputs).toBeUndefined(); // registered empty: no copies of the identity's outputs
  });
});
