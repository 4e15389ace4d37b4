/**
 * Azure built-in roles, so config can name any built-in role instead of pasting its GUID. The list
 * is the vendored data set (data/azure-roles.json, from `az role definition list`; see
 * data/README.md): built-in role ids are the same in every tenant
 * (learn.microsoft.com/azure/role-based-access-control/built-in-roles). Any other role is given by
 * its GUID. No Pulumi here.
 */
import { AZURE_BUILTIN_ROLE_DATA } from "./roleData";

/** Every built-in role name with its role definition GUID (lower case). */
export const AZURE_BUILTIN_ROLES: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries([...AZURE_BUILTIN_ROLE_DATA.values()].map((role) => [role.name, role.id])),
);

const NAME_BY_GUID: ReadonlyMap<string, string> = new Map([...AZURE_BUILTIN_ROLE_DATA.values()].map((role) => [role.id, role.name]));

/** The role GUID (lower case) for a built-in role name, a GUID, or a full role definition id. */
export function azureRoleGuid(role: string): string {
  const builtin = Object.hasOwn(AZURE_BUILTIN_ROLES, role) ? AZURE_BUILTIN_ROLES[role] : undefined;
  return (builtin ?? role.split("/").pop() ?? role).toLowerCase();
}

/** The built-in role name for a name, GUID or role definition id, when it is a built-in role. */
export function azureRoleName(roleOrDefinitionId: string): string | undefined {
  return NAME_BY_GUID.get(azureRoleGuid(roleOrDefinitionId));
}

/**
 * Operations that change who can act as a managed identity or what roles anyone holds. A built-in
 * role whose actions reach one of them, and which the kit has no verdict for, is unjudged
 * (identityAdmin.ts unjudgedGrant).
 */
export const AZURE_IDENTITY_OPERATIONS = [
  "Microsoft.Authorization/roleAssignments/write",
  "Microsoft.Authorization/roleDefinitions/write",
  "Microsoft.ManagedIdentity/userAssignedIdentities/write",
  "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
  "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
] as const;

/** Does an Azure action pattern (`*` a wildcard, letter case ignored) match an operation? */
function actionMatches(pattern: string, operation: string): boolean {
  const regex = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`, "i");
  return regex.test(operation);
}

/** The identity operations (AZURE_IDENTITY_OPERATIONS) a built-in role allows: in its actions, not in its notActions. */
export function azureRoleIdentityOperations(role: string): string[] {
  const name = azureRoleName(role);
  const data = name === undefined ? undefined : AZURE_BUILTIN_ROLE_DATA.get(name);
  if (!data) return [];
  return AZURE_IDENTITY_OPERATIONS.filter(
    (op) => data.actions.some((a) => actionMatches(a, op)) && !data.notActions.some((a) => actionMatches(a, op)),
  );
}
