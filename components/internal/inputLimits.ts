/**
 * Limits on what the kit's commands parse from users: plans, stack exports and stack outputs (JSON),
 * and stack files (YAML, checked in tools/offline/stackFile.ts with the `yaml` package's own lexer).
 * Hostile or broken input gets one line naming the file, never a stack overflow in a recursive walk
 * or an out-of-memory crash. Stated once here; docs/verify.md ("Input limits") and docs/config.md
 * quote them.
 *
 * Pure: text in, value or InputLimitError out. Reading files within the byte limit is
 * workload/limitedRead.ts.
 */

const MiB = 1024 * 1024;

/**
 * JSON documents: offline plans (`plan --json`), `pulumi stack export` documents, `pulumi stack
 * output --json`. The largest legitimate one is a plan or an export of 1,000 services (15,021
 * resources, as dev/bench/config.ts generates them), measured:
 * - plan: 27,709,992 bytes (26.4 MiB), nested 8 levels deep, 395,575 JSON values; the example
 *   stacks' plans are 60-83 kB, 8 levels (multi: 10);
 * - export of that plan, as test/verify/state.test.ts builds exports (inputs, outputs, secrets as
 *   `{"4dabf…": …, "ciphertext": …}`, 4-space indentation as `pulumi stack export` writes it):
 *   31,308,853 bytes (29.9 MiB), 11 levels (the example stacks: 11, multi 13), 387,624 values.
 *   A real export carries more provider outputs per resource, so it is larger, not deeper.
 * Each limit leaves ample room above that, and stays below what breaks:
 * - maxBytes 128 MiB: 4.8 times the 1,000-service plan. Checked before the file is read.
 * - maxDepth 256: 20 times the deepest export (a stack export of any program may hold other
 *   resources, e.g. Kubernetes schemas, nested a few dozen levels). The recursive walks of a document
 *   (tools/verify/state.ts redactState and the model) overflow the stack between 2,000 and 4,000
 *   levels; JSON.parse itself does not recurse.
 * - maxValues 4,000,000: 10 times the 1,000-service plan. Memory grows with values, not bytes: a
 *   document of 64 MiB made of `{}` parses into 22 million objects, 1.4 GiB of heap (and 128 MiB
 *   into 2.9 GiB, past Node's default heap on a machine with 8 GiB), while the 1,000-service plan
 *   takes 57 MiB. At 4 million values the worst case (4 million `{}`) parses into 244 MiB.
 */
export const JSON_INPUT_LIMITS = Object.freeze({ maxBytes: 128 * MiB, maxDepth: 256, maxValues: 4_000_000 });

/**
 * Stack files (`Pulumi.<stack>.yaml`), the input a pull request controls. Measured: a 1,000-service
 * stack file (dev/bench/config.ts, one RSA key per service) is 1,013,526 bytes, nested 8 levels
 * deep, 149,161 YAML tokens (every scalar, indicator, space and line break the `yaml` lexer yields),
 * and parses in about 1 s into 35 MiB of heap; the example stacks are 3-5 kB, 8 levels (multi: 9).
 * - maxBytes 4 MiB: 4 times the 1,000-service file.
 * - maxTokens 500,000: 3.4 times the 1,000-service file. YAML costs far more memory per byte than
 *   JSON: 1 MiB of `{}, ` is a million tokens, 300 MiB of syntax tree and 370 MiB once
 *   composed, and 16 MiB of it exhausts a 4 GiB heap. The tokens are counted as the lexer yields
 *   them, so a document is refused before its tree grows past the limit.
 * - maxDepth 64: 7 times the deepest stack file. The `yaml` composer recurses and overflows the
 *   stack at about 800 nested flow collections or 900 nested block maps; the nesting is read from
 *   the (iterative) CST parser as it goes, before anything is composed, and again after aliases are
 *   expanded.
 * - maxAliasCount 100: the `yaml` package's own guard against billion-laughs documents (an alias
 *   of an alias of …, each repeated: a few hundred bytes that expand to billions of nodes), stated
 *   here rather than left to its default. The kit's stack files use no aliases.
 */
export const STACK_FILE_LIMITS = Object.freeze({ maxBytes: 4 * MiB, maxDepth: 64, maxTokens: 500_000, maxAliasCount: 100 });

/** Input beyond a limit: the message is the whole line for the user (exit code 2, a usage error). */
export class InputLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputLimitError";
  }
}

/** "134217728 bytes, 128 MiB". */
function bytesLimit(maxBytes: number): string {
  const mib = maxBytes / MiB;
  return `${maxBytes} bytes${Number.isInteger(mib) ? `, ${mib} MiB` : ""}`;
}

/**
 * The line for input larger than `maxBytes`: `bytes` when known (a regular file's size, a text's
 * length), undefined when reading stopped at the limit (a pipe). `expected` is what the input
 * should have been, e.g. "a Pulumi stack export".
 */
export function tooLargeMessage(what: string, bytes: number | undefined, maxBytes: number, expected: string): string {
  return `${what} is ${bytes === undefined ? `more than ${maxBytes}` : bytes} bytes (at most ${bytesLimit(maxBytes)}): not ${expected}`;
}

/** The nesting depth and number of values of JSON text. */
export interface JsonMeasure {
  /** The deepest nesting of objects and arrays: `1` is 0 levels deep, `[]` and `{"a": 1}` are 1, `[[]]` is 2. */
  readonly depth: number;
  /** Objects, arrays, strings, numbers, true, false and null, not counting object keys. */
  readonly values: number;
}

/**
 * Measures JSON text in one pass over its characters, without recursion and without parsing: the
 * brackets outside strings give the depth; containers, strings and literals less the keys (one per
 * `:`) give the values. Exact for valid JSON; for anything else an estimate (JSON.parse then refuses
 * it).
 */
export function measureJson(text: string): JsonMeasure {
  let depth = 0;
  let deepest = 0;
  let containers = 0;
  let strings = 0;
  let literals = 0;
  let keys = 0;
  let inString = false;
  let inLiteral = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    switch (c) {
      case 0x7b: // {
      case 0x5b: // [
        containers++;
        if (++depth > deepest) deepest = depth;
        inLiteral = false;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        depth--;
        inLiteral = false;
        break;
      case 0x22: // "
        strings++;
        inString = true;
        inLiteral = false;
        break;
      case 0x3a: // :
        keys++;
        inLiteral = false;
        break;
      case 0x2c: // ,
      case 0x20:
      case 0x09:
      case 0x0a:
      case 0x0d:
        inLiteral = false;
        break;
      default:
        // A number, true, false or null (or garbage): counted once, at its first character.
        if (!inLiteral) literals++;
        inLiteral = true;
    }
  }
  return { depth: deepest, values: Math.max(0, containers + strings + literals - keys) };
}

/**
 * Refuses JSON text beyond `limits`, each with one line: `<what> is nested 200000 levels deep (at
 * most 256): not <expected>`. Size first (UTF-8 bytes), then depth, then values.
 */
export function checkJsonLimits(text: string, what: string, expected: string, limits: typeof JSON_INPUT_LIMITS = JSON_INPUT_LIMITS): void {
  // Each UTF-16 unit is at most 3 UTF-8 bytes: count the bytes only when they could exceed the limit.
  if (text.length * 3 > limits.maxBytes) {
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > limits.maxBytes) throw new InputLimitError(tooLargeMessage(what, bytes, limits.maxBytes, expected));
  }
  const { depth, values } = measureJson(text);
  if (depth > limits.maxDepth) throw new InputLimitError(`${what} is nested ${depth} levels deep (at most ${limits.maxDepth}): not ${expected}`);
  if (values > limits.maxValues) throw new InputLimitError(`${what} holds ${values} JSON values (at most ${limits.maxValues}): not ${expected}`);
}

/**
 * JSON.parse within the limits: an InputLimitError (one line naming `what`, e.g. "plan plan.json",
 * and saying it is not `expected`, e.g. "an offline plan") for input beyond them, checked before
 * parsing; JSON.parse's SyntaxError for text that is not JSON, for the caller to word.
 */
export function readJsonLimited(text: string, what: string, expected: string, limits: typeof JSON_INPUT_LIMITS = JSON_INPUT_LIMITS): unknown {
  checkJsonLimits(text, what, expected, limits);
  return JSON.parse(text);
}

/**
 * The nesting depth of a parsed value, counted without recursion and at most to `limit + 1` (a value
 * deeper than the limit is not walked further). For values that share objects (YAML aliases): each
 * object is walked again only when reached deeper than before.
 */
export function depthWithin(value: unknown, limit: number): number {
  let deepest = 0;
  const seen = new Map<object, number>();
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [node, above] = pending.pop()!;
    if (typeof node !== "object" || node === null) continue;
    const depth = above + 1;
    if ((seen.get(node) ?? 0) >= depth) continue;
    seen.set(node, depth);
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) pending.push([child, depth]);
  }
  return deepest;
}
