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

/** Paths (as key lists) of every marked string in a raw config value, in document order. */
export function fillInPaths(value: unknown, path: readonly PropertyKey[] = []): { path: PropertyKey[]; text: string }[] {
  // One walk over one path stack, copied only at a marked value: every config is walked on every
  // run, a large one has tens of thousands of values, and nearly none is marked.
  const found: { path: PropertyKey[]; text: string }[] = [];
  const at = [...path];
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.startsWith(FILL_IN_MARK)) found.push({ path: [...at], text: v.slice(FILL_IN_MARK.length).replace(/^:\s*/, "") });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        at.push(i);
        walk(item);
        at.pop();
      });
    } else if (typeof v === "object" && v !== null) {
      for (const [k, item] of Object.entries(v)) {
        at.push(k);
        walk(item);
        at.pop();
      }
    }
  };
  walk(value);
  return found;
}
