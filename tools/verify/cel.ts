/**
 * GCP attribute mappings and conditions evaluated with a real CEL implementation
 * (@marcbachmann/cel-js), as Google's STS evaluates them over `assertion` (the token's claims).
 * Tests cross-check the results against a second implementation (@bufbuild/cel).
 */
import { evaluate } from "@marcbachmann/cel-js";
export { claimsReadBy } from "../../components/internal/condition";

/** The outcome of one CEL expression: a value, or the error CEL reports (e.g. a missing claim). */
export type CelResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/** Evaluates `expression` with `assertion` bound to the token claims (and `attribute` to mapped attributes). */
export function evaluateCel(expression: string, assertion: Readonly<Record<string, unknown>>, attribute: Readonly<Record<string, unknown>> = {}): CelResult {
  try {
    const value = evaluate(expression, { assertion, attribute, google: {} });
    return { ok: true, value: typeof value === "bigint" ? Number(value) : value };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split("\n")[0]! };
  }
}
