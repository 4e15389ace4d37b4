/**
 * The one stack config of okta-federation (`okta-federation:federation`), its schema, and the
 * validation that runs before any resource is registered. Every problem is collected and reported
 * at once, each with its key path, what is wrong and what is allowed.
 *
 * messages.ts       config keys, ConfigProblem, FederationConfigError and the shared message texts
 * schema.ts         the zod schema, the parsed types and serverSettings (a service's AWS block in
 *                   schemaAws.ts; the shared pieces in schemaParts.ts)
 * raw.ts            reading the raw, unvalidated input the cross-field rules run on
 * crossField.ts     rules that span several keys of one federation (crossFieldGcp.ts: GCP's,
 *                   crossFieldAws.ts: a service's managed and inline policies)
 * parse.ts          parseFederationConfig: schema, cross-field and trust rules in one pass
 * federations.ts    parseFederations: several federations in one stack, and their clashes
 */
export {
  CONFIG_KEY,
  CONFIG_KEY_MULTI,
  CONFIG_NAMESPACE,
  FederationConfigError,
  HOOK_SECRET_KEY,
  SECURE_INSIDE_MESSAGE,
  formatPath,
  formatProblems,
  type ConfigProblem,
} from "./messages";
export { OKTA_PROVIDER_DEFAULTS, serverSettings, type ClaimConfig, type FederationConfig, type ServiceConfig } from "./schema";
export { isValidScopeName } from "./crossField";
export { parseFederationConfig } from "./parse";
export { parseFederations } from "./federations";
