/**
 * okta-federation/azure: the Azure side on its own (a user-assigned managed identity with federated
 * credentials and role assignments). Loads @pulumi/pulumi and @pulumi/azure-native only: a project
 * that installs just those two can use it. Also the SDK-free reader of a federation stack's outputs.
 */
export { ServiceIdentity, type FederatedCredentialSpec, type RoleAssignmentSpec, type ServiceIdentityArgs } from "./serviceIdentity";
export { AZURE_BUILTIN_ROLES } from "./builtinRoles";
export { readFederation, type FederationOutputsV1, type FederationReference } from "../outputs";
