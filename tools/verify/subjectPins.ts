/**
 * The subjects a GCP provider's attribute condition can admit at all, read from its parse tree: a
 * superset, so that a provider need be evaluated (decisions.ts gcpProviderAdmits) only with the
 * tokens of those subjects. `assertion.sub in [<string literals>]` and `assertion.sub == <literal>`
 * pin the subject; `a && b` admits no more than either side pins; `a || b` no more than both sides
 * together. Anything else pins nothing (undefined): then every token is evaluated. The kit writes
 * `assertion.sub in [...]`, optionally `&& (<additional condition>)` (components/internal/condition.ts).
 */
import { parse, type ASTNode } from "@marcbachmann/cel-js";

const cache = new Map<string, readonly string[] | undefined>();

/** The subjects the condition can admit (a superset), or undefined when it does not pin them. */
export function conditionSubjects(condition: string | undefined): readonly string[] | undefined {
  if (condition === undefined || condition === "") return undefined;
  if (cache.has(condition)) return cache.get(condition);
  let pinned: readonly string[] | undefined;
  try {
    pinned = pins(parse(condition).ast);
  } catch {
    pinned = undefined;
  }
  cache.set(condition, pinned);
  return pinned;
}

const isSub = (node: ASTNode): boolean =>
  (node.op === "." && isAssertion(node.args[0]) && node.args[1] === "sub") ||
  (node.op === "[]" && isAssertion(node.args[0]) && node.args[1]?.op === "value" && node.args[1].args === "sub");
const isAssertion = (node: ASTNode | undefined): boolean => node?.op === "id" && node.args === "assertion";
const stringValue = (node: ASTNode): string | undefined => (node.op === "value" && typeof node.args === "string" ? node.args : undefined);

function pins(node: ASTNode): readonly string[] | undefined {
  switch (node.op) {
    case "&&": {
      const [a, b] = (node.args as ASTNode[]).map(pins);
      if (a === undefined) return b;
      if (b === undefined) return a;
      return a.length <= b.length ? a : b;
    }
    case "||": {
      const [a, b] = (node.args as ASTNode[]).map(pins);
      return a === undefined || b === undefined ? undefined : [...a, ...b];
    }
    case "in": {
      const [left, right] = node.args as [ASTNode, ASTNode];
      if (!isSub(left) || right.op !== "list") return undefined;
      const values = (right.args as ASTNode[]).map(stringValue);
      return values.every((v): v is string => v !== undefined) ? values : undefined;
    }
    case "==": {
      const [left, right] = node.args as [ASTNode, ASTNode];
      const value = isSub(left) ? stringValue(right) : isSub(right) ? stringValue(left) : undefined;
      return value === undefined ? undefined : [value];
    }
    default:
      return undefined;
  }
}
