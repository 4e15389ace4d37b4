/**
 * okta-federation/aws: the AWS side on its own (IAM OIDC provider, roles that trust one Okta
 * client). Loads @pulumi/pulumi and @pulumi/aws only: a project that installs just those two can use
 * it, e.g. a team's stack that adds a role for a service of the federation stack (readFederation).
 */
export { OidcProvider, type OidcProviderArgs } from "./oidcProvider";
export { ServiceRole, type ServiceRoleArgs } from "./serviceRole";
export { readFederation, type FederationOutputsV1, type FederationReference } from "../outputs";
