/**
 * The offline plan's marker for a value known only after deploy: `<resource-name.property>`.
 * Defined once: the offline engine writes it, and pure helpers that validate values (e.g. the
 * credential builders) accept it in place of the real value.
 */
const PLACEHOLDER = /<([^<>\s]+)\.([A-Za-z]+)>/;

/** The placeholder for `property` of the resource named `name`. */
export function placeholder(name: string, property: string): string {
  return `<${name}.${property}>`;
}

/** True for a string that contains a placeholder (e.g. an ARN built from one). */
export function containsPlaceholder(value: unknown): boolean {
  return typeof value === "string" && PLACEHOLDER.test(value);
}

/** True for a string that is exactly one placeholder. */
export function isPlaceholder(value: string): boolean {
  return new RegExp(`^${PLACEHOLDER.source}$`).test(value);
}

/** Every string in a value (recursively) that holds a placeholder. */
export function placeholdersIn(value: unknown): string[] {
  if (containsPlaceholder(value)) return [value as string];
  if (Array.isArray(value)) return value.flatMap(placeholdersIn);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(placeholdersIn);
  return [];
}

/** The `<resource.property>` placeholders inside a value, each once. */
export function placeholderNames(value: unknown): string[] {
  return [...new Set(placeholdersIn(value).flatMap((v) => v.match(new RegExp(PLACEHOLDER.source, "g")) ?? []))];
}

/**
 * A copy of a value (recursively) with every placeholder replaced by what `replace` returns for its
 * resource name and property (the placeholder itself to keep it).
 */
export function mapPlaceholders(value: unknown, replace: (name: string, property: string, whole: string) => string): unknown {
  if (typeof value === "string") {
    return value.includes("<") ? value.replace(new RegExp(PLACEHOLDER.source, "g"), (whole, name: string, property: string) => replace(name, property, whole)) : value;
  }
  if (Array.isArray(value)) return value.map((v) => mapPlaceholders(v, replace));
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapPlaceholders(v, replace)]));
  return value;
}
