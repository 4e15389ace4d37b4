/**
 * Reading the raw config as `requireObject` returns it, before (and whether or not) the schema
 * accepts it: the cross-field rules run on the raw input so one pass reports every problem. Every
 * read tolerates a missing or mistyped value; reporting it is the schema's job.
 */

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** The value as a map, or an empty map when it is not one. */
export const asRecord = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});
/** The strings of a list, or none when it is not a list. */
export const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** The parts of the raw config that rules of several concerns read. */
export interface RawFederation {
  /** The environment name, or "env" when it is missing or mistyped (so derived names can still be checked). */
  readonly environment: string;
  readonly okta: Record<string, unknown>;
  /** The custom scopes declared under okta.scopes. */
  readonly scopeNames: readonly string[];
  /** The declared scopes as listed in messages. */
  readonly declaredScopes: string;
  /** okta.claims, keyed by claim name. */
  readonly claims: Record<string, unknown>;
  /** Whether `services` is a map at all (its absence or type is the schema's to report). */
  readonly servicesIsMap: boolean;
  readonly services: Record<string, unknown>;
  readonly serviceKeys: readonly string[];
  /** The top-level cloud blocks, exactly as given (undefined when absent). */
  readonly aws: unknown;
  readonly gcp: unknown;
  readonly azure: unknown;
}

/** The parts several rules read, each in the shape they need it. */
export function readRawFederation(raw: Record<string, unknown>): RawFederation {
  const okta = asRecord(raw.okta);
  const scopeNames = Object.keys(asRecord(okta.scopes));
  const services = asRecord(raw.services);
  return {
    environment: typeof raw.environment === "string" ? raw.environment : "env",
    okta,
    scopeNames,
    declaredScopes: scopeNames.length ? scopeNames.join(", ") : "(none declared)",
    claims: asRecord(okta.claims),
    servicesIsMap: isRecord(raw.services),
    services,
    serviceKeys: Object.keys(services),
    aws: raw.aws,
    gcp: raw.gcp,
    azure: raw.azure,
  };
}

/** The key a renamed service keeps in its physical names: its former key. */
export function physicalKeyOf(key: string, service: Record<string, unknown>): string {
  return typeof service.renamedFrom === "string" ? service.renamedFrom : key;
}
