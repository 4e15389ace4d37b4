/**
 * Values still to fill in: `npm run new-env` writes a new environment's stack with every value that
 * belongs to one environment (org, server, audience, accounts, projects, subscription, keys…)
 * replaced by a marked text, and validation refuses any marked value with its path, so a copied
 * environment can never be deployed with another's identifiers. Stated once for both. No Pulumi here.
 */
export const FILL_IN_MARK = "TODO(new-env)";

/** The marked text for a value to fill in: what it is, and what the source environment had. */
export function fillIn(what: string): string {
  return `${FILL_IN_MARK}: ${what}`;
}

/** Paths (as key lists) of every marked string in a raw config value. */
export function fillInPaths(value: unknown, path: readonly PropertyKey[] = []): { path: PropertyKey[]; text: string }[] {
  if (typeof value === "string") return value.startsWith(FILL_IN_MARK) ? [{ path: [...path], text: value.slice(FILL_IN_MARK.length).replace(/^:\s*/, "") }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => fillInPaths(v, [...path, i]));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => fillInPaths(v, [...path, k]));
  return [];
}
