/**
 * Azure built-in role definition GUIDs, so config can name a role instead of pasting its GUID.
 * Built-in role ids are the same in every tenant
 * (learn.microsoft.com/azure/role-based-access-control/built-in-roles). Any other role is given
 * by its GUID.
 */
export const AZURE_BUILTIN_ROLES: Readonly<Record<string, string>> = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  AcrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
  "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  "Azure Service Bus Data Sender": "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
  "Azure Service Bus Data Receiver": "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
};

/** The role GUID for a built-in role name or a GUID given directly. */
export function azureRoleGuid(role: string): string {
  return AZURE_BUILTIN_ROLES[role] ?? role.toLowerCase();
}
