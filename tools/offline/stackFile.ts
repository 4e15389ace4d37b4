/**
 * Loads a stack's config the way the Pulumi CLI hands it to a program: `stacks/Pulumi.<stack>.yaml`
 * (per Pulumi.yaml's stackConfigDir), every key namespaced, objects as JSON, `secure:` values
 * marked secret. Secure values are never decrypted: the offline plan shows them as "[secret]".
 */
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readFileSync, type Stats } from "node:fs";
import { basename, join, resolve } from "node:path";
import { Lexer, LineCounter, Parser, parseDocument, type CST } from "yaml";
import { CONFIG_KEY, CONFIG_KEY_MULTI, CONFIG_NAMESPACE, SECURE_INSIDE_MESSAGE, type ConfigProblem } from "../../components/config";
import { depthWithin, InputLimitError, STACK_FILE_LIMITS, tooLargeMessage } from "../../components/internal/inputLimits";
import { readFileLimited, readOpenFileLimited } from "../../workload/limitedRead";
import { SECRET_MARK } from "./engine";

export const PROJECT_ROOT = resolve(__dirname, "..", "..");

export interface StackConfig {
  readonly project: string;
  readonly stack: string;
  readonly file: string;
  /** `namespace:key` -> value, as the SDK receives config. */
  readonly config: Record<string, string>;
  readonly secretKeys: string[];
  /** The raw federation configs (for hints): the one federation, or each of several. */
  readonly federations: readonly unknown[];
}

/** A stack file that cannot be used: unknown stack, unreadable YAML, or secrets in the wrong place. */
export class StackFileError extends Error {
  constructor(message: string, readonly problems: readonly ConfigProblem[] = []) {
    super(message);
    this.name = "StackFileError";
  }
}

function readProject(root: string): { name: string; stackConfigDir: string } {
  const doc = parseDocument(readFileSync(join(root, "Pulumi.yaml"), "utf8")).toJS() as Record<string, unknown>;
  return { name: String(doc.name), stackConfigDir: typeof doc.stackConfigDir === "string" ? doc.stackConfigDir : "." };
}

/** Names of the stacks that have a config file. */
export function listStacks(root = PROJECT_ROOT): string[] {
  const dir = join(root, readProject(root).stackConfigDir);
  return readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** Reads a stack file from disk. */
export function loadStack(stack: string, root = PROJECT_ROOT): StackConfig {
  const project = readProject(root);
  const file = join(root, project.stackConfigDir, `Pulumi.${stack}.yaml`);
  if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !existsSync(file)) {
    const known = listStacks(root);
    throw new StackFileError(`unknown stack "${stack}": there is no ${project.stackConfigDir}/Pulumi.${stack}.yaml; stacks: ${known.join(", ") || "(none)"}`);
  }
  let text: string;
  try {
    text = readFileLimited(file, file, NOT_A_STACK_FILE, STACK_FILE_LIMITS.maxBytes);
  } catch (error) {
    if (error instanceof InputLimitError) throw new StackFileError(error.message);
    throw error;
  }
  return parseStackYaml(text, { project: project.name, stack, file });
}

/**
 * Reads a stack file from any path (`Pulumi.<stack>.yaml`), for this project: e.g. the head's stack
 * files in a pull request, checked by the base branch's code.
 */
export function loadStackFile(path: string, root = PROJECT_ROOT): StackConfig {
  const stack = /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(basename(path))?.[1];
  if (!stack) throw new StackFileError(`${path} is not a stack file: its name must be Pulumi.<stack>.yaml`);
  return parseStackYaml(readStackFileText(path), { project: readProject(root).name, stack, file: path });
}

const NOT_A_STACK_FILE = "a stack file";
const NOT_FOLLOWED = "refused (stack files are read as data, never followed)";

/** A kind of file in words, from lstat: never the link's target, never the content. */
function kindOf(stat: Stats): string {
  if (stat.isSymbolicLink()) return "a symbolic link";
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  return "not a regular file";
}

/**
 * A stack file's text, from a regular file only: lstat first, so a symbolic link is refused as a
 * link (its target is neither followed nor named), and a FIFO, a socket, a device or a directory is
 * refused without opening it. The file is then opened without following links and without
 * blocking, and must still be the regular file lstat saw; it is read within
 * STACK_FILE_LIMITS.maxBytes.
 */
function readStackFileText(path: string): string {
  const cannotRead = (error: unknown) => new StackFileError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  let seen: Stats;
  try {
    seen = lstatSync(path);
  } catch (error) {
    throw cannotRead(error);
  }
  if (!seen.isFile()) throw new StackFileError(`${path} is ${kindOf(seen)}, not a regular file: ${NOT_FOLLOWED}`);
  if (seen.size > STACK_FILE_LIMITS.maxBytes) throw new StackFileError(tooLargeMessage(path, seen.size, STACK_FILE_LIMITS.maxBytes, NOT_A_STACK_FILE));
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    // ELOOP: a link was put in the file's place since lstat.
    if ((error as NodeJS.ErrnoException).code === "ELOOP") throw new StackFileError(`${path} is a symbolic link, not a regular file: ${NOT_FOLLOWED}`);
    throw cannotRead(error);
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile() || opened.ino !== seen.ino || opened.dev !== seen.dev) {
      throw new StackFileError(`${path} was replaced while it was opened (now ${opened.isFile() ? "another file" : kindOf(opened)}): ${NOT_FOLLOWED}`);
    }
    const read = readOpenFileLimited(fd, STACK_FILE_LIMITS.maxBytes);
    if ("tooLarge" in read) throw new StackFileError(tooLargeMessage(path, read.tooLarge, STACK_FILE_LIMITS.maxBytes, NOT_A_STACK_FILE));
    return read.bytes.toString("utf8");
  } catch (error) {
    if (error instanceof StackFileError) throw error;
    throw cannotRead(error);
  } finally {
    closeSync(fd);
  }
}

const COLLECTIONS: ReadonlySet<string> = new Set(["block-map", "block-seq", "flow-collection"]);

/**
 * Refuses stack-file text beyond STACK_FILE_LIMITS before it is composed (the `yaml` composer
 * recurses): its size, then, in one pass of the `yaml` package's own lexer and CST parser (both
 * iterative), its tokens and its nesting. The parser's stack holds the document, the collections
 * open at this point, then the scalar being read.
 */
function checkYamlLimits(text: string, file: string): void {
  const { maxBytes, maxDepth, maxTokens } = STACK_FILE_LIMITS;
  if (text.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > maxBytes) throw new StackFileError(tooLargeMessage(file, bytes, maxBytes, NOT_A_STACK_FILE));
  }
  const lines = new LineCounter();
  lines.addNewLine(0); // line 1, as Parser.parse() does before its first token
  const parser = new Parser(lines.addNewLine);
  let tokens = 0;
  for (const token of new Lexer().lex(text)) {
    if (++tokens > maxTokens) throw new StackFileError(`${file} holds more than ${maxTokens} YAML tokens (at most ${maxTokens}): not ${NOT_A_STACK_FILE}`);
    // Completed documents are dropped: parseDocument composes the text once it is known to be within the limits.
    for (const _document of parser.next(token)) void _document;
    if (parser.stack.length > maxDepth) {
      const depth = parser.stack.filter((t: CST.Token) => COLLECTIONS.has(t.type)).length;
      if (depth > maxDepth) {
        throw new StackFileError(`${file} is nested more than ${maxDepth} levels deep, at line ${lines.linePos(parser.offset).line} (at most ${maxDepth}): not ${NOT_A_STACK_FILE}`);
      }
    }
  }
}

/** Parses stack-file YAML text into the config map the SDK sees. */
export function parseStackYaml(text: string, where: { project: string; stack: string; file: string }): StackConfig {
  checkYamlLimits(text, where.file);
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const line = e.linePos?.[0];
      const duplicate = /unique/i.test(e.message);
      return {
        path: line ? `${where.file}:${line.line}` : where.file,
        message: duplicate ? `duplicate key: ${keyAt(text, e.pos[0])} is defined more than once (services and other maps need unique keys)` : e.message.split("\n")[0]!,
      };
    });
    throw new StackFileError(`cannot read ${where.file}`, problems);
  }
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: STACK_FILE_LIMITS.maxAliasCount });
  } catch (error) {
    // yaml's guard (nodes/Alias.ts): an anchor repeated through aliases beyond maxAliasCount.
    if (error instanceof ReferenceError && /alias count/i.test(error.message)) {
      throw new StackFileError(
        `${where.file} repeats YAML anchors through aliases beyond the limit (maxAliasCount ${STACK_FILE_LIMITS.maxAliasCount}): refused, as a billion-laughs document would expand to billions of nodes`,
      );
    }
    throw error;
  }
  // Aliases can nest an anchored collection inside another: the composed value is checked too.
  if (depthWithin(js, STACK_FILE_LIMITS.maxDepth) > STACK_FILE_LIMITS.maxDepth) {
    throw new StackFileError(`${where.file} is nested more than ${STACK_FILE_LIMITS.maxDepth} levels deep once its aliases are expanded (at most ${STACK_FILE_LIMITS.maxDepth}): not ${NOT_A_STACK_FILE}`);
  }
  const body = (js ?? {}) as Record<string, unknown>;
  const entries = (body.config ?? {}) as Record<string, unknown>;
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const problems: ConfigProblem[] = [];
  for (const [rawKey, value] of Object.entries(entries)) {
    const key = rawKey.includes(":") ? rawKey : `${where.project}:${rawKey}`;
    if (isSecure(value)) {
      config[key] = SECRET_MARK;
      secretKeys.push(key);
      continue;
    }
    if (containsSecure(value)) {
      problems.push({
        path: key,
        message: SECURE_INSIDE_MESSAGE,
      });
    }
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  if (problems.length > 0) throw new StackFileError(`cannot use ${where.file}`, problems);
  const multi = entries[`${CONFIG_NAMESPACE}:${CONFIG_KEY_MULTI}`];
  // A platform stack's config has a federation's okta block (its custom domain is a hint too).
  const federations = [entries[`${CONFIG_NAMESPACE}:${CONFIG_KEY}`], entries[`${CONFIG_NAMESPACE}:platform`], ...(multi && typeof multi === "object" ? Object.values(multi) : [])].filter((f) => f !== undefined);
  return { ...where, config, secretKeys, federations };
}

function isSecure(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

function containsSecure(value: unknown): boolean {
  if (isSecure(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecure);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsSecure);
  return false;
}

function keyAt(text: string, offset: number): string {
  const match = /^[^:\n]+/.exec(text.slice(offset));
  return match ? `"${match[0].trim()}"` : "a key";
}
