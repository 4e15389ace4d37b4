/**
 * GCP attribute conditions built from a parse tree, never by pasting text. A condition from config
 * is parsed with a real CEL parser (@marcbachmann/cel-js), checked against a small grammar, and
 * printed back from its tree, fully parenthesised, so that it is one expression and nothing in it
 * can reach outside the parentheses it is composed into. The same parser reads emitted conditions
 * back for the policy pack and the verifier. No Pulumi here.
 */
import { parse, type ASTNode } from "@marcbachmann/cel-js";
import { RE2_RULE, re2Problem } from "./re2";

/** The functions a condition may call on a claim: each takes one string literal and returns a bool. */
const CLAIM_METHODS = ["startsWith", "endsWith", "contains", "matches"] as const;
const COMPARISONS = ["==", "!=", "<", "<=", ">", ">="] as const;

/** What a condition may contain, in words (for error messages and docs). */
export const CONDITION_GRAMMAR =
  "claims as assertion.<claim> or assertion['<claim>']; string, integer and boolean literals and lists of them; " +
  "==, !=, <, <=, >, >=, in (a list or a claim on the right), &&, ||, !; " +
  "<claim>.startsWith|endsWith|contains|matches('<literal>') and size(<claim>)";

/** A condition that parsed and fits the grammar. */
export interface ParsedCondition {
  /** The condition printed from its tree: one expression, every operation parenthesised. */
  readonly canonical: string;
  /** The claims it reads from `assertion`, sorted. */
  readonly claims: readonly string[];
}

export type ConditionResult = ({ readonly ok: true } & ParsedCondition) | { readonly ok: false; readonly problems: readonly string[] };

type Kind = "bool" | "value";

/**
 * Parses a condition over token claims and checks it against the grammar: a single boolean
 * expression that reads claims only as `assertion.<claim>` (no `has()`, no `in assertion`, no
 * ternary, no macros, no other variables). In that grammar a missing claim can only make the
 * condition fail or leave it to its other operands: CEL's `&&`/`||` absorb an error only when the
 * other side decides alone, every other operation propagates it, and GCP admits a token only when
 * the condition evaluates to true (iam.googleapis.com WorkloadIdentityPoolProvider.attributeCondition:
 * "must output a boolean representing whether to allow the federation"). So no token is admitted
 * because a claim is absent: a failed token hook (hooks fail open) never widens the trust.
 */
export function parseClaimCondition(text: string): ConditionResult {
  let ast: ASTNode;
  try {
    ast = parse(text).ast;
  } catch (error) {
    return { ok: false, problems: [`is not one CEL expression: ${(error as Error).message.split("\n")[0]}`] };
  }
  const problems: string[] = [];
  const claims = new Set<string>();
  const kind = check(ast, problems, claims);
  if (problems.length === 0 && kind !== "bool") problems.push(`must be a boolean expression, got ${describe(ast)}`);
  if (problems.length === 0 && claims.size === 0) problems.push("must test at least one claim (assertion.<claim>)");
  if (problems.length > 0) return { ok: false, problems: [...new Set(problems)] };
  return { ok: true, canonical: print(ast), claims: [...claims].sort() };
}

/** The claim a node reads (`assertion.x` or `assertion['x']`), or undefined. */
function claimOf(node: ASTNode): string | undefined {
  if (node.op === "." && isAssertion(node.args[0])) return node.args[1];
  if (node.op === "[]" && isAssertion(node.args[0]) && node.args[1].op === "value" && typeof node.args[1].args === "string") return node.args[1].args;
  return undefined;
}

const isAssertion = (node: ASTNode) => node.op === "id" && node.args === "assertion";

function isLiteral(node: ASTNode): boolean {
  if (node.op === "value") return typeof node.args === "string" || typeof node.args === "bigint" || typeof node.args === "boolean";
  return node.op === "list" && node.args.every((item) => item.op === "value" && isLiteral(item));
}

/** Checks a node against the grammar, recording problems and claims; returns what it yields. */
function check(node: ASTNode, problems: string[], claims: Set<string>): Kind | undefined {
  const claim = claimOf(node);
  if (claim !== undefined) {
    claims.add(claim);
    return "value";
  }
  switch (node.op) {
    case "&&":
    case "||": {
      for (const side of node.args) if (check(side, problems, claims) !== "bool" && problems.length === 0) problems.push(`${node.op} needs boolean operands, got ${describe(side)}`);
      return "bool";
    }
    case "!_":
      if (check(node.args, problems, claims) !== "bool" && problems.length === 0) problems.push(`! needs a boolean operand, got ${describe(node.args)}`);
      return "bool";
    case "in": {
      const [left, right] = node.args;
      if (isAssertion(right)) {
        problems.push("tests whether a claim is present ('…' in assertion); a condition may only compare claim values, so that a missing claim never admits a token");
        return "bool";
      }
      operand(left, problems, claims);
      if (claimOf(right) !== undefined) claims.add(claimOf(right)!);
      else if (!(right.op === "list" && isLiteral(right))) problems.push(`the right side of 'in' must be a list literal or a claim, got ${describe(right)}`);
      return "bool";
    }
    case "rcall": {
      const [method, target, args] = node.args;
      if (!(CLAIM_METHODS as readonly string[]).includes(method)) {
        problems.push(`calls ${method}(); allowed: ${CLAIM_METHODS.join(", ")} on a claim, and size(<claim>)`);
        return "bool";
      }
      if (claimOf(target) === undefined) problems.push(`${method}() must be called on a claim, got ${describe(target)}`);
      else claims.add(claimOf(target)!);
      if (args.length !== 1 || args[0]!.op !== "value" || typeof args[0]!.args !== "string") problems.push(`${method}() takes one string literal`);
      else if (method === "matches") {
        const problem = patternProblem(args[0]!.args);
        if (problem) problems.push(problem);
      }
      return "bool";
    }
    case "call": {
      const [fn, args] = node.args;
      if (fn === "size" && args.length === 1 && claimOf(args[0]!) !== undefined) {
        claims.add(claimOf(args[0]!)!);
        return "value";
      }
      if (fn === "has") {
        problems.push("uses has(); a condition may only compare claim values, so that a missing claim never admits a token");
        return "bool";
      }
      problems.push(`calls ${fn}(); allowed: size(<claim>), and ${CLAIM_METHODS.join(", ")} on a claim`);
      return "bool";
    }
    case ".":
    case "[]":
      problems.push(`reads ${describe(node)}; a condition may read only a claim itself, as assertion.<claim> or assertion['<claim>']`);
      return undefined;
    default:
      if ((COMPARISONS as readonly string[]).includes(node.op)) {
        for (const side of node.args as [ASTNode, ASTNode]) operand(side, problems, claims);
        return "bool";
      }
      if (node.op === "value" && typeof node.args === "boolean") return "bool";
      if (isLiteral(node)) return "value";
  }
  problems.push(`uses ${describe(node)}; allowed: ${CONDITION_GRAMMAR}`);
  return undefined;
}

/** A comparison operand: a claim, size(<claim>) or a literal. */
function operand(node: ASTNode, problems: string[], claims: Set<string>): void {
  if (isLiteral(node)) return;
  if (check(node, problems, claims) !== "value" && problems.length === 0) {
    problems.push(`compares ${describe(node)}; compare a claim, size(<claim>) or a literal`);
  }
}

/** A short description of a node for messages: its source text when it has one. */
function describe(node: ASTNode): string {
  const source = typeof node.input === "string" && node.range ? node.input.slice(node.range.start, node.range.end) : "";
  if (node.op === "id") return node.args === "assertion" ? "assertion as a whole" : `the variable ${node.args} (only assertion.<claim> may be read)`;
  if (node.op === "?:") return `a conditional (${source})`;
  if (node.op === "rcall" || node.op === "call") return `${node.args[0]}() (${source})`;
  if (node.op === "value") return `the literal ${source || String(node.args)}`;
  return source ? `'${source}'` : `the operator ${node.op}`;
}

/** Why GCP would refuse `matches(<pattern>)`, in words, or undefined when RE2 compiles the pattern. */
function patternProblem(pattern: string): string | undefined {
  const problem = re2Problem(pattern);
  return problem === undefined ? undefined : `matches(${celString(pattern)}): GCP evaluates matches() with RE2, which refuses this pattern (${problem}); allowed: ${RE2_RULE}`;
}

/**
 * Every `matches()` pattern written as a literal in an expression (any expression, the kit's or
 * not) that RE2 refuses, in words; [] when there is none or the expression does not parse. GCP
 * evaluates attribute conditions as CEL, whose matches() is RE2 (see re2.ts).
 */
export function refusedPatterns(expression: string): string[] {
  let ast: ASTNode;
  try {
    ast = parse(expression).ast;
  } catch {
    return [];
  }
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (typeof value !== "object" || value === null || !("op" in value)) return;
    const node = value as ASTNode;
    // text.matches(<pattern>), or the function form matches(text, <pattern>).
    const pattern = node.op === "rcall" && node.args[0] === "matches" ? node.args[2][0] : node.op === "call" && node.args[0] === "matches" ? node.args[1][1] : undefined;
    if (pattern?.op === "value" && typeof pattern.args === "string") {
      const problem = patternProblem(pattern.args);
      if (problem) found.push(problem);
    }
    walk(node.args);
  };
  walk(ast);
  return [...new Set(found)];
}

/** A CEL string literal in single quotes, escaped so it reads back as exactly `value`. */
export function celString(value: string): string {
  const escaped = value.replace(/[\\'\u0000-\u001f\u007f]/g, (c) => {
    switch (c) {
      case "\\":
        return "\\\\";
      case "'":
        return "\\'";
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    }
  });
  return `'${escaped}'`;
}

/** Prints a checked tree: literals re-quoted, every operation in parentheses. */
function print(node: ASTNode): string {
  const claim = claimOf(node);
  if (claim !== undefined) return /^[A-Za-z_][A-Za-z0-9_]*$/.test(claim) ? `assertion.${claim}` : `assertion[${celString(claim)}]`;
  switch (node.op) {
    case "value":
      return typeof node.args === "string" ? celString(node.args) : String(node.args);
    case "list":
      return `[${node.args.map(print).join(", ")}]`;
    case "!_":
      return `!(${print(node.args)})`;
    case "rcall":
      return `${print(node.args[1])}.${node.args[0]}(${node.args[2].map(print).join(", ")})`;
    case "call":
      return `${node.args[0]}(${node.args[1].map(print).join(", ")})`;
    default: {
      const [left, right] = node.args as [ASTNode, ASTNode];
      return `(${print(left)} ${node.op} ${print(right)})`;
    }
  }
}

/** The client-id check every kit condition starts with: `assertion.sub in ['<id>', …]`. */
export function subjectCheck(clientIds: readonly string[]): string {
  return `assertion.sub in [${clientIds.map(celString).join(", ")}]`;
}

/**
 * The attribute condition of a GCP provider: the client-id check, and the additional condition
 * ANDed to it from its parse tree. Throws on an additional condition outside the grammar (config
 * validation reports it with its key path first).
 */
export function composeCondition(clientIds: readonly string[], additional?: string): string {
  if (clientIds.length === 0) throw new Error("a GCP attribute condition needs at least one client id");
  const subjects = subjectCheck(clientIds);
  if (additional === undefined) return subjects;
  const parsed = parseClaimCondition(additional);
  if (!parsed.ok) throw new Error(`the additional condition ${parsed.problems.join("; ")}`);
  return `${subjects} && ${parsed.canonical}`;
}

/** Every claim an expression reads from `assertion`, from its parse tree (any expression; [] if it does not parse). */
export function claimsReadBy(expression: string): string[] {
  let ast: ASTNode;
  try {
    ast = parse(expression).ast;
  } catch {
    return [];
  }
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (typeof value !== "object" || value === null || !("op" in value)) return;
    const claim = claimOf(value as ASTNode);
    if (claim !== undefined) found.add(claim);
    walk((value as ASTNode).args);
  };
  walk(ast);
  return [...found].sort();
}

/** The top-level conjuncts of a tree (`a && b && c` -> a, b, c). */
function conjuncts(node: ASTNode): ASTNode[] {
  return node.op === "&&" ? node.args.flatMap(conjuncts) : [node];
}

/** The subjects a conjunct pins: `assertion.sub|cid in [<strings>]` or `== '<string>'`. */
function pinnedSubjects(node: ASTNode): string[] | undefined {
  const claim = (n: ASTNode) => claimOf(n);
  if (node.op === "in" && ["sub", "cid"].includes(claim(node.args[0]) ?? "") && node.args[1].op === "list") {
    const items = node.args[1].args;
    return items.every((i) => i.op === "value" && typeof i.args === "string") ? items.map((i) => i.args as string) : undefined;
  }
  if (node.op === "==") {
    const [left, right] = node.args;
    if (["sub", "cid"].includes(claim(left) ?? "") && right.op === "value" && typeof right.args === "string") return [right.args];
    if (["sub", "cid"].includes(claim(right) ?? "") && left.op === "value" && typeof left.args === "string") return [left.args];
  }
  return undefined;
}

/**
 * Does a condition pin the token's subject to a fixed list, whatever else it says? True when its
 * top level is a conjunction one of whose operands is `assertion.sub` (or `cid`) `in [<strings>]`
 * or `== '<string>'`: then no other part can admit another client. Returns the pinned subjects, or
 * why it does not pin them.
 */
export function conditionPinsSubjects(condition: string): { readonly subjects: readonly string[] } | { readonly problem: string } {
  let ast: ASTNode;
  try {
    ast = parse(condition).ast;
  } catch (error) {
    return { problem: `the attribute condition is not one CEL expression (${(error as Error).message.split("\n")[0]})` };
  }
  for (const conjunct of conjuncts(ast)) {
    const subjects = pinnedSubjects(conjunct);
    if (subjects) return { subjects };
  }
  return { problem: "the attribute condition does not pin the subject: its top level must be a conjunction (&&) with assertion.sub in [<client ids>]" };
}
