/**
 * okta-federation/okta: the Okta side on its own (custom authorization server, service apps, token
 * inline hook). Loads @pulumi/pulumi and @pulumi/okta only: a project that installs just those two
 * can use it. Also the SDK-free reader of a federation stack's outputs.
 */
export { AuthorizationServer, claimExpression, type AuthorizationServerArgs, type ClaimSpec } from "./authorizationServer";
export { ServiceApp, type ServiceAppArgs, type ServiceAuth, type ServiceJwk } from "./serviceApp";
export { TokenHook, type TokenHookArgs } from "./tokenHook";
export { readFederation, type FederationOutputsV1, type FederationReference } from "../outputs";
