/**
 * The component package's name and type tokens.
 *
 * Pulumi's component provider for TypeScript (`@pulumi/pulumi/provider/experimental`) names the
 * package after provider/package.json (`okta-federation`) and accepts one module only, `index`
 * (ComponentProvider.validateResourceType). So the package's tokens are
 * `okta-federation:index:<Type>`, while the kit's own components keep their frozen tokens
 * `oktafed:<module>:<Type>` (components/internal/tokens.ts): each package component is a thin
 * wrapper that registers under the package token and creates the kit's component as its only child.
 */
import * as pulumi from "@pulumi/pulumi";

/** The package name: provider/package.json's `name`, which the plugin runner derives it from. */
export const PACKAGE_NAME = "okta-federation";

/** `okta-federation:index:<type>`. */
export function packageToken(type: string): string {
  return `${PACKAGE_NAME}:index:${type}`;
}

/** One of `allowed`, or a ResourceError naming the input, what was given and what is allowed. */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], input: string, resource: pulumi.Resource): T | undefined {
  if (value === undefined || value === null) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new pulumi.ResourceError(`${input}: "${value}" is not allowed; allowed: ${allowed.join(", ")}`, resource, true);
}

/**
 * The value without null or undefined members, recursively: the shape a stack file's config has.
 * Language SDKs may send an unset optional input as null.
 */
export function withoutUnset(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUnset);
  if (typeof value === "object" && value !== null && !pulumi.Output.isInstance(value) && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, withoutUnset(v)]));
  }
  return value;
}
