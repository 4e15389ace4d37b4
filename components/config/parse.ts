/**
 * Parsing one federation config: the schema, then every cross-field and trust rule on the raw
 * input, so a config with several mistakes reports them all at once, each with its key path.
 */
import type { z } from "zod";
import { FILL_IN_MARK, fillInPaths } from "../internal/fillIn";
import { trustRuleProblems } from "../trustRules";
import { crossFieldProblems } from "./crossField";
import { quotaProblems } from "./crossFieldQuotas";
import { FederationConfigError, formatPath, type ConfigProblem } from "./messages";
import { isRecord, readRawFederation } from "./raw";
import { describeIssue, federationSchema, type FederationConfig } from "./schema";

/**
 * Parses and validates the raw config (as `requireObject` returns it). Returns the typed config or
 * throws a {@link FederationConfigError} listing every problem.
 */
export function parseFederationConfig(raw: unknown): FederationConfig {
  const result = federationSchema.safeParse(raw, { error: describeIssue });
  const problems: ConfigProblem[] = [];
  if (!result.success) problems.push(...result.error.issues.flatMap((issue) => toProblems(issue, [])));
  // Cross-field rules run on whatever parsed shape there is, so one pass reports everything.
  problems.push(...crossFieldProblems(raw), ...(isRecord(raw) ? quotaProblems(readRawFederation(raw)) : []), ...trustRuleProblems(raw));
  const unique = withFillIns(raw, dedupe(problems));
  if (unique.length > 0 || !result.success) throw new FederationConfigError(unique);
  return result.data;
}

/**
 * One zod issue as config problems. For a union that matched no branch, the branch that came
 * closest (fewest issues) explains the problem better than "matched none"; on a tie the union's
 * own message (which lists the accepted forms) is kept.
 */
function toProblems(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]): ConfigProblem[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const sizes = issue.errors.map((branch) => branch.length);
    const best = Math.min(...sizes);
    if (sizes.filter((n) => n === best).length === 1) {
      return issue.errors[sizes.indexOf(best)]!.flatMap((inner) => toProblems(inner, path));
    }
  }
  return [{ path: formatPath(path), message: issue.message }];
}

/** The same problem found by two rules is reported once. */
/** The problems without repeats (same path and message), in order. */
export function dedupe(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Values `npm run new-env` marked to fill in are reported as such, and the problems they cause
 * elsewhere (a marked text is not an account id, nor a key) are left out: they are not the user's
 * mistakes, and the rules run again once the values are filled in.
 */
export function withFillIns(raw: unknown, problems: ConfigProblem[]): ConfigProblem[] {
  const fillIns = fillInPaths(raw).map(({ path, text }) => ({ path: formatPath(path), message: `still to fill in: ${text}; written by npm run new-env` }));
  if (fillIns.length === 0) return problems;
  // A marked value, what lies under it, and its parent object itself (e.g. auth, when its jwks is marked).
  const paths = fillInPaths(raw).map(({ path }) => path);
  const parents = new Set(paths.map((path) => formatPath(path.slice(0, -1))));
  const marked = paths.map((path) => formatPath(path));
  const caused = (p: ConfigProblem) =>
    p.message.includes(FILL_IN_MARK) || parents.has(p.path) || marked.some((path) => p.path === path || p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`));
  return [...fillIns, ...problems.filter((p) => !caused(p))];
}
