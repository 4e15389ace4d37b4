/**
 * The pieces the config schema is built from (schema.ts, schemaAws.ts): strict objects that list
 * their allowed keys, required strings, non-empty strings and the identity-admin opt-in.
 */
import { z } from "zod";

/** A required string's error: "is required" when absent, "must be a string" when mistyped. */
export const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? `is required: ${what}` : `must be a string: ${what}`;

/** A strict object whose unknown-key error lists the keys that are allowed. */
export function strictObject<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")}; allowed: ${allowed}`
        : undefined,
  });
}

export const nonEmpty = (what: string) => z.string({ error: `must be a string (${what})` }).min(1, `must not be empty (${what})`);

/**
 * The explicit, per-grant opt-in for a grant that lets the service change identities, credentials
 * or trust (components/internal/identityAdmin.ts). verify then reports which other services'
 * identities the service could take over.
 */
export const allowIdentityAdmin = z.boolean({ error: "must be true or false: true accepts a grant that lets this service take over other identities" }).default(false);
