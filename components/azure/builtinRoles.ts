/**
 * Azure built-in role names the config accepts (the table lives with the pure helpers in
 * internal/azureRoles.ts, which guardrails and validation read too).
 */
export { AZURE_BUILTIN_ROLES, azureRoleGuid } from "../internal/azureRoles";
