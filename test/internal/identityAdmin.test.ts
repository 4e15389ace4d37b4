import { describe, expect, it } from "vitest";
import { azureIdentityAdminRole, gcpIdentityAdminRole, unjudgedGrant } from "../../components/internal/identityAdmin";
import { AZURE_BUILTIN_ROLES, azureActionMatches, azureRoleIdentityOperations } from "../../components/internal/azureRoles";

describe("GCP identity-admin, decided by the role's permissions", () => {
  it.each([
    ["roles/owner", "project", "holds resourcemanager.projects.setIamPolicy (sets the project's IAM policy, granting any role to anyone, itself included)"],
    ["roles/iam.securityAdmin", "project", "holds resourcemanager.projects.setIamPolicy (sets the project's IAM policy, granting any role to anyone, itself included)"],
    ["roles/resourcemanager.projectIamAdmin", "project", "holds resourcemanager.projects.setIamPolicy (sets the project's IAM policy, granting any role to anyone, itself included)"],
    ["roles/iam.roleAdmin", "project", "holds iam.roles.update (rewrites the project's custom roles, adding any permission to roles already granted)"],
    ["roles/iam.workloadIdentityPoolAdmin", "project", "holds iam.googleapis.com/workloadIdentityPoolProviders.update (rewrites the workload identity pool's providers, their issuer and attribute condition)"],
    ["roles/editor", "service-accounts", "holds iam.serviceAccountKeys.create (creates keys for every service account in the project)"],
    ["roles/iam.serviceAccountAdmin", "service-accounts", "holds iam.serviceAccounts.setIamPolicy (sets the IAM policy of every service account in the project, granting itself their use)"],
    ["roles/iam.serviceAccountKeyAdmin", "service-accounts", "holds iam.serviceAccountKeys.create (creates keys for every service account in the project)"],
    ["roles/iam.serviceAccountTokenCreator", "service-accounts", "holds iam.serviceAccounts.getAccessToken (mints access tokens as every service account in the project)"],
    ["roles/iam.serviceAccountOpenIdTokenCreator", "service-accounts", "holds iam.serviceAccounts.getOpenIdToken (mints ID tokens as every service account in the project)"],
    ["roles/iam.serviceAccountUser", "service-accounts", "holds iam.serviceAccounts.actAs (attaches every service account of the project to resources it runs code on)"],
    ["roles/iam.workloadIdentityUser", "service-accounts", "holds iam.serviceAccounts.getAccessToken (mints access tokens as every service account in the project)"],
  ])("%s is identity-admin, reaching %s: %s", (role, reach, why) => {
    expect(gcpIdentityAdminRole(role)).toEqual({ reach, why });
    expect(unjudgedGrant({ cloud: "gcp", role })).toBeUndefined();
  });

  it.each(["roles/storage.objectViewer", "roles/pubsub.publisher", "roles/bigquery.dataViewer", "roles/bigquery.jobUser", "roles/viewer", "roles/iam.roleViewer"])(
    "%s is judged: no permission that acts as or takes over identities",
    (role) => {
      expect(gcpIdentityAdminRole(role)).toBeUndefined();
      expect(unjudgedGrant({ cloud: "gcp", role })).toBeUndefined();
    },
  );

  it("custom roles and roles missing from the data set are not judged", () => {
    expect(gcpIdentityAdminRole("projects/acme-dev-example/roles/tokenMinter")).toBeUndefined();
    expect(unjudgedGrant({ cloud: "gcp", role: "projects/acme-dev-example/roles/tokenMinter" })).toMatch(/^a custom role: /);
    expect(gcpIdentityAdminRole("roles/iam.tokenMinter")).toBeUndefined();
    expect(unjudgedGrant({ cloud: "gcp", role: "roles/iam.tokenMinter" })).toMatch(/^roles\/iam\.tokenMinter is not a GCP predefined role of the kit's list of /);
    expect(gcpIdentityAdminRole(42)).toBeUndefined();
  });
});

describe("Azure identity-admin, decided by the role's actions less its notActions", () => {
  it.each([
    ["Owner", "holds Microsoft.Authorization/roleAssignments/write by its action * (assigns any role in its scope, to itself too)"],
    ["User Access Administrator", "holds Microsoft.Authorization/roleAssignments/write by its action Microsoft.Authorization/* (assigns any role in its scope, to itself too)"],
    ["Role Based Access Control Administrator", "holds Microsoft.Authorization/roleAssignments/write (assigns any role in its scope, to itself too)"],
    ["Managed Identity Contributor", "holds Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write (writes federated credentials on every managed identity in its scope)"],
    ["Managed Identity Federated Identity Credential Contributor", "holds Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write (writes federated credentials on every managed identity in its scope)"],
    [
      "Managed Identity Operator",
      "holds Microsoft.ManagedIdentity/userAssignedIdentities/assign/action by its action Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action (assigns the managed identities in its scope to resources it runs code on)",
    ],
  ])("%s is identity-admin: %s", (name, why) => {
    expect(azureIdentityAdminRole(name)).toEqual({ name, why });
    expect(azureIdentityAdminRole(AZURE_BUILTIN_ROLES[name])).toEqual({ name, why });
    expect(unjudgedGrant({ cloud: "azure", role: name })).toBeUndefined();
  });

  it("honours notActions: Contributor's Microsoft.Authorization/*/Write takes role assignments and definitions out of its `*`", () => {
    expect(azureRoleIdentityOperations("Contributor").map((o) => o.operation)).toEqual([
      "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
      "Microsoft.ManagedIdentity/userAssignedIdentities/write",
      "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
    ]);
    expect(azureIdentityAdminRole("Contributor")?.why).toBe(
      "holds Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write by its action * (writes federated credentials on every managed identity in its scope)",
    );
    expect(azureRoleIdentityOperations("Owner").map((o) => o.operation)).toContain("Microsoft.Authorization/roleAssignments/write");
  });

  it.each(["Reader", "Storage Blob Data Reader", "Storage Queue Data Contributor", "Key Vault Secrets User", "Key Vault Crypto User"])("%s is judged: no identity action", (name) => {
    expect(azureIdentityAdminRole(name)).toBeUndefined();
    expect(unjudgedGrant({ cloud: "azure", role: name })).toBeUndefined();
  });

  it("a GUID that is not built in stays unjudged", () => {
    expect(azureIdentityAdminRole("11111111-2222-3333-4444-555555555555")).toBeUndefined();
    expect(unjudgedGrant({ cloud: "azure", role: "11111111-2222-3333-4444-555555555555" })).toMatch(/^role definition 11111111-2222-3333-4444-555555555555 is not an Azure built-in role/);
  });

  it.each([
    ["*", "Microsoft.Authorization/roleAssignments/write", true],
    ["Microsoft.ManagedIdentity/*", "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write", true],
    ["microsoft.managedidentity/userassignedidentities/*/write", "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write", true],
    ["Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action", "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action", true],
    ["*/read", "Microsoft.Authorization/roleAssignments/write", false],
    ["Microsoft.ManagedIdentity/userAssignedIdentities/read", "Microsoft.ManagedIdentity/userAssignedIdentities/write", false],
    ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/write", true],
  ] as const)("action %s matches %s: %s", (pattern, operation, matches) => expect(azureActionMatches(pattern, operation)).toBe(matches));
});
