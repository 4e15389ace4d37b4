/**
 * Physical names the kit derives from config keys. Logical (Pulumi) names are built in the
 * components from the same keys; neither ever uses a list position, an Output or a clock.
 */
import { createHash } from "node:crypto";
import { LIMITS } from "./limits";

/** Short, stable hash of a string (hex). */
export function shortHash(value: string, length = 6): string {
  return createHash("sha1").update(value).digest("hex").slice(0, length);
}

/** Shortens `base` to `max` characters, keeping it unique with a hash of the whole. */
export function fitName(base: string, max: number): string {
  if (base.length <= max) return base;
  const hash = shortHash(base);
  return `${base.slice(0, max - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/** GCP service account id for a service: `<env>-<service>`, fitted to 6-30 characters. */
export function gcpServiceAccountId(environment: string, serviceKey: string): string {
  let base = `${environment}-${serviceKey}`;
  if (base.length < LIMITS.gcp.serviceAccountIdLength.min) base = `${base}-wif`;
  return fitName(base, LIMITS.gcp.serviceAccountIdLength.max);
}

/** A GCP pool or provider id with the optional suffix that dodges 30-day soft-delete reservations. */
export function gcpId(id: string, suffix: string | undefined): string {
  return suffix ? `${id}-${suffix}` : id;
}

/**
 * AWS role name for a service: `<env>-<service>`, fitted to IAM's 64 characters. Fixed rather than
 * auto-named, so the role ARN a workload needs is known before deploy.
 */
export function awsRoleName(environment: string, serviceKey: string): string {
  return fitName(`${environment}-${serviceKey}`, LIMITS.aws.roleNameMaxLength);
}

/** Azure user-assigned identity name for a service. */
export function azureIdentityName(prefix: string, serviceKey: string): string {
  return `${prefix}${serviceKey}`;
}

/** Okta app label for a service; labels show in the Okta admin console. */
export function oktaAppLabel(environment: string, serviceKey: string): string {
  return `${environment}-${serviceKey}`;
}

/** One federation of a stack as its app labels need it: its Okta org (host, canonical form) and environment. */
export interface LabelledFederation {
  readonly org: string;
  readonly environment: string;
  /** Service key -> physical key (its renamedFrom, or itself). */
  readonly services: Readonly<Record<string, string>>;
}

/**
 * The app labels of several federations, unique in each Okta org: `<env>-<service>` (oktaAppLabel),
 * and `<env>-<service>-<federation>` for every app whose label another federation of the same org
 * would also derive (two apps under one name in the admin console cannot be told apart). A label is
 * not an identity: a change updates the app, and the access policy named after it, in place.
 * Returns federation -> service key -> label.
 */
export function uniqueOktaAppLabels(federations: Readonly<Record<string, LabelledFederation>>): Record<string, Record<string, string>> {
  const owners = new Map<string, Set<string>>();
  for (const [name, f] of Object.entries(federations)) {
    for (const physical of Object.values(f.services)) {
      const key = `${f.org}|${oktaAppLabel(f.environment, physical)}`;
      owners.set(key, (owners.get(key) ?? new Set()).add(name));
    }
  }
  const labels: Record<string, Record<string, string>> = {};
  for (const [name, f] of Object.entries(federations)) {
    labels[name] = {};
    for (const [service, physical] of Object.entries(f.services)) {
      const label = oktaAppLabel(f.environment, physical);
      labels[name]![service] = (owners.get(`${f.org}|${label}`)?.size ?? 0) > 1 ? `${label}-${name}` : label;
    }
  }
  return labels;
}

/**
 * The GCP provider shard of a service: a stable hash of its key, so adding or removing other
 * services never moves it. Shard 0 uses the base provider id, shard i the id `<base>-<i+1>`.
 */
export function gcpProviderShard(serviceKey: string, shards: number): number {
  return shards <= 1 ? 0 : parseInt(shortHash(serviceKey, 8), 16) % shards;
}

/** The provider id of a shard, with the optional soft-delete suffix. */
export function gcpShardProviderId(baseProviderId: string, shard: number, suffix: string | undefined): string {
  return gcpId(shard === 0 ? baseProviderId : `${baseProviderId}-${shard + 1}`, suffix);
}
