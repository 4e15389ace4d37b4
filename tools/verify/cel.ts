/**
 * GCP attribute mappings and conditions evaluated with a real CEL implementation
 * (@marcbachmann/cel-js), as Google's STS evaluates them over `assertion` (the token's claims).
 * Tests cross-check the results against a second implementation (@bufbuild/cel).
 *
 * `matches()` is RE2, as CEL defines it and GCP evaluates it (components/internal/re2.ts), not
 * cel-js's built-in, which uses JavaScript's RegExp (look-ahead accepted, `(?i)` refused). cel-js
 * does not let a built-in overload be replaced, so every `matches` call of the parsed expression
 * is pointed at an RE2 overload registered under a name no expression can spell.
 */
import { Environment, type ASTNode } from "@marcbachmann/cel-js";
import { re2Matches } from "../../components/internal/re2";
export { claimsReadBy } from "../../components/internal/condition";

/** The RE2 overloads' name: ':' cannot appear in a CEL identifier, so no expression can call it itself. */
const RE2_MATCHES = "re2:matches";

const environment = new Environment({ unlistedVariablesAreDyn: true })
  .registerFunction({ name: RE2_MATCHES, receiverType: "string", params: [{ type: "string" }], returnType: "bool", handler: (text: string, pattern: string) => re2Matches(text, pattern) })
  .registerFunction({ name: RE2_MATCHES, params: [{ type: "string" }, { type: "string" }], returnType: "bool", handler: (text: string, pattern: string) => re2Matches(text, pattern) });

/** Points every `matches` call of a parsed tree (method or function form) at the RE2 overloads. */
function useRe2(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(useRe2);
  if (typeof value !== "object" || value === null || !("op" in value)) return;
  const node = value as ASTNode;
  if ((node.op === "rcall" || node.op === "call") && node.args[0] === "matches") (node.args as unknown[])[0] = RE2_MATCHES;
  useRe2(node.args);
}

/**
 * Each expression parsed once: a provider's mapping and condition are evaluated with every token
 * put to it (a condition listing hundreds of client ids costs more to parse than to evaluate). A
 * parse error is not cached: it is thrown again, and reported, each time.
 */
const programs = new Map<string, ReturnType<typeof environment.parse>>();
const PROGRAMS_KEPT = 10_000;
function parsed(expression: string): ReturnType<typeof environment.parse> {
  let program = programs.get(expression);
  if (!program) {
    program = environment.parse(expression);
    useRe2(program.ast);
    if (programs.size >= PROGRAMS_KEPT) programs.clear();
    programs.set(expression, program);
  }
  return program;
}

/** The outcome of one CEL expression: a value, or the error CEL reports (e.g. a missing claim). */
export type CelResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/** Evaluates `expression` with `assertion` bound to the token claims (and `attribute` to mapped attributes). */
export function evaluateCel(expression: string, assertion: Readonly<Record<string, unknown>>, attribute: Readonly<Record<string, unknown>> = {}): CelResult {
  try {
    const program = parsed(expression);
    const value = program({ assertion, attribute, google: {} });
    return { ok: true, value: typeof value === "bigint" ? Number(value) : value };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split("\n")[0]!.replaceAll(RE2_MATCHES, "matches") };
  }
}
