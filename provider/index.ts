/**
 * The okta-federation component package: the components every Pulumi language can use, through
 * Pulumi's component provider (`@pulumi/pulumi/provider/experimental`). Pulumi's analyzer reads
 * this file's sources to derive the package schema; the plugin runner hosts every
 * ComponentResource class exported here (see index.js, PulumiPlugin.yaml and docs/languages.md).
 * Export nothing else that extends ComponentResource: it would become part of the package.
 */
export { Federation } from "./federation";
export { AuthorizationServer, ServiceApp } from "./okta";
export { OidcProvider, ServiceRole } from "./aws";
export { WorkloadIdentityPool, ServiceAccess } from "./gcp";
export { ServiceIdentity } from "./azure";
