/**
 * Azure built-in role definition GUIDs, so config can name a role instead of pasting its GUID.
 * Built-in role ids are the same in every tenant
 * (learn.microsoft.com/azure/role-based-access-control/built-in-roles). Any other role is given
 * by its GUID. No Pulumi here.
 */
export const AZURE_BUILTIN_ROLES: Readonly<Record<string, string>> = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  "Role Based Access Control Administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
  "Managed Identity Contributor": "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
  "Managed Identity Operator": "f1a07417-d97a-45cb-824c-7a7467783830",
  AcrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
  "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  "Azure Service Bus Data Sender": "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
  "Azure Service Bus Data Receiver": "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
};

/** The role GUID (lower case) for a built-in role name, a GUID, or a full role definition id. */
export function azureRoleGuid(role: string): string {
  const builtin = Object.hasOwn(AZURE_BUILTIN_ROLES, role) ? AZURE_BUILTIN_ROLES[role] : undefined;
  return (builtin ?? role.split("/").pop() ?? role).toLowerCase();
}

/** The built-in role name for a GUID or role definition id, when it is one the kit knows. */
export function azureRoleName(roleOrDefinitionId: string): string | undefined {
  const guid = azureRoleGuid(roleOrDefinitionId);
  return Object.keys(AZURE_BUILTIN_ROLES).find((name) => AZURE_BUILTIN_ROLES[name] === guid);
}
