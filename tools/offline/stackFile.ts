/**
 * Loads a stack's config the way the Pulumi CLI hands it to a program: `stacks/Pulumi.<stack>.yaml`
 * (per Pulumi.yaml's stackConfigDir), every key namespaced, objects as JSON, `secure:` values
 * marked secret. Secure values are never decrypted: the offline plan shows them as "[secret]".
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { CONFIG_KEY, CONFIG_KEY_MULTI, CONFIG_NAMESPACE, SECURE_INSIDE_MESSAGE, type ConfigProblem } from "../../components/config";
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
  return parseStackYaml(readFileSync(file, "utf8"), { project: project.name, stack, file });
}

/**
 * Reads a stack file from any path (`Pulumi.<stack>.yaml`), for this project: e.g. the head's stack
 * files in a pull request, checked by the base branch's code.
 */
export function loadStackFile(path: string, root = PROJECT_ROOT): StackConfig {
  const stack = /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(basename(path))?.[1];
  if (!stack) throw new StackFileError(`${path} is not a stack file: its name must be Pulumi.<stack>.yaml`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new StackFileError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseStackYaml(text, { project: readProject(root).name, stack, file: path });
}

/** Parses stack-file YAML text into the config map the SDK sees. */
export function parseStackYaml(text: string, where: { project: string; stack: string; file: string }): StackConfig {
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
  const body = (doc.toJS() ?? {}) as Record<string, unknown>;
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
  const federations = [entries[`${CONFIG_NAMESPACE}:${CONFIG_KEY}`], ...(multi && typeof multi === "object" ? Object.values(multi) : [])].filter((f) => f !== undefined);
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
