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
 * Operations that change who can act as a managed identity or what roles anyone holds, in the
 * order a verdict names them: a built-in role whose actions allow one of them is identity-admin
 * (identityAdmin.ts azureIdentityAdminRole). Operation names as in
 * learn.microsoft.com/azure/role-based-access-control/permissions/identity (Microsoft.ManagedIdentity)
 * and …/permissions/management-and-governance (Microsoft.Authorization).
 */
export const AZURE_IDENTITY_OPERATIONS = [
  "Microsoft.Authorization/roleAssignments/write",
  "Microsoft.Authorization/roleDefinitions/write",
  "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
  "Microsoft.ManagedIdentity/userAssignedIdentities/write",
  "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
] as const;

export type AzureIdentityOperation = (typeof AZURE_IDENTITY_OPERATIONS)[number];

/**
 * Does an Azure action pattern match an operation? `*` matches any characters, and a `*` segment
 * between slashes also no segment at all (Managed Identity Operator's action
 * `Microsoft.ManagedIdentity/userAssignedIdentities/{star}/assign/action` covers
 * `…/userAssignedIdentities/assign/action`); letter case is ignored
 * (learn.microsoft.com/azure/role-based-access-control/role-definitions#actions: wildcard
 * permissions).
 */
export function azureActionMatches(pattern: string, operation: string): boolean {
  return actionPattern(pattern).test(operation);
}

/**
 * Compiled action patterns, each built once: every Azure grant of a stack is judged against the
 * same built-in roles' actions (config rules, then the component), so a stack of 500 services
 * would otherwise compile the same few hundred expressions for each of them.
 */
const ACTION_PATTERNS = new Map<string, RegExp>();

function actionPattern(pattern: string): RegExp {
  let compiled = ACTION_PATTERNS.get(pattern);
  if (compiled === undefined) {
    const escape = (part: string) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&");
    const body = pattern
      .split("/*/")
      .map((piece) => piece.split("*").map(escape).join(".*"))
      .join("/(?:.*/)?");
    // No `g` or `y` flag: test() keeps no state between calls, so one instance serves every caller.
    compiled = new RegExp(`^${body}$`, "i");
    ACTION_PATTERNS.set(pattern, compiled);
  }
  return compiled;
}

/** An identity operation a built-in role allows, and the action of the role that allows it. */
export interface AzureAllowedOperation {
  readonly operation: AzureIdentityOperation;
  readonly action: string;
}

/** azureRoleIdentityOperations by built-in role name. */
const OPERATIONS_BY_ROLE = new Map<string, readonly AzureAllowedOperation[]>();

/**
 * The identity operations (AZURE_IDENTITY_OPERATIONS, in that order) a built-in role allows: matched
 * by one of its actions and by none of its notActions (a role's effective control-plane permissions
 * are its Actions minus its NotActions: learn.microsoft.com/azure/role-based-access-control/role-definitions#notactions).
 * Empty for a role that is not built in.
 */
export function azureRoleIdentityOperations(role: string): AzureAllowedOperation[] {
  const name = azureRoleName(role);
  const data = name === undefined ? undefined : AZURE_BUILTIN_ROLE_DATA.get(name);
  if (name === undefined || !data) return [];
  // A built-in role's verdict depends on its name alone (the vendored data): worked out once per
  // role, not once per grant. Callers get their own array.
  let allowed = OPERATIONS_BY_ROLE.get(name);
  if (allowed === undefined) {
    allowed = AZURE_IDENTITY_OPERATIONS.flatMap((operation) => {
      if (data.notActions.some((a) => azureActionMatches(a, operation))) return [];
      const action = data.actions.find((a) => azureActionMatches(a, operation));
      return action === undefined ? [] : [Object.freeze({ operation, action })];
    });
    OPERATIONS_BY_ROLE.set(name, allowed);
  }
  return [...allowed];
}

