/**
 * Regular expressions as GCP evaluates them. A GCP attribute condition is a CEL expression
 * (iam.googleapis.com WorkloadIdentityPoolProvider.attributeCondition: "A Common Expression
 * Language expression"), and CEL's `matches()` uses RE2 and succeeds when the pattern matches a
 * substring (github.com/google/cel-spec doc/langdef.md, "Regular Expressions": "Regular expressions
 * follow the RE2 syntax. Regular expression matches succeed if they match a substring of the
 * argument"). RE2 has no look-around and no backreferences, and has flags such as `(?i)` that
 * JavaScript lacks, so a JavaScript RegExp would accept patterns GCP refuses and refuse ones it
 * accepts. @bufbuild/re2 is a port of RE2 (the engine @bufbuild/cel uses). No Pulumi here.
 */
import { RE2JS } from "@bufbuild/re2";

/** What a pattern may be, in words (for error messages and docs). */
export const RE2_RULE = "RE2 syntax; no look-around or backreferences";

/** Compiled patterns, by source: conditions are evaluated for many tokens. */
const compiled = new Map<string, RE2JS | { readonly problem: string }>();

function compile(pattern: string): RE2JS | { readonly problem: string } {
  let entry = compiled.get(pattern);
  if (entry === undefined) {
    try {
      entry = RE2JS.compile(pattern);
    } catch (error) {
      // RE2's own wording, e.g. "error parsing regexp: invalid or unsupported Perl syntax: `(?=`".
      entry = { problem: (error as Error).message.replace(/^error parsing regexp: /, "") };
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, entry);
  }
  return entry;
}

/** Why RE2 refuses a pattern (its own wording, e.g. "invalid or unsupported Perl syntax: `(?=`"), or undefined when it compiles. */
export function re2Problem(pattern: string): string | undefined {
  const entry = compile(pattern);
  return entry instanceof RE2JS ? undefined : entry.problem;
}

/** CEL's `text.matches(pattern)`: does the RE2 pattern match a substring of `text`? Throws when RE2 refuses the pattern. */
export function re2Matches(text: string, pattern: string): boolean {
  const entry = compile(pattern);
  if (!(entry instanceof RE2JS)) throw new Error(`invalid RE2 pattern ${JSON.stringify(pattern)}: ${entry.problem}`);
  return entry.test(text);
}
