/**
 * The Pulumi project file of a tree, read as data (never run): which program `pulumi up` runs
 * (`main`), where the stack files are (`stackConfigDir`) and which stack files there are. Field
 * meanings from Pulumi's project-file reference (pulumi/docs content/docs/iac/concepts/projects/
 * project-file.md): `main` defaults to the project folder, `stackConfigDir` to the folder of
 * Pulumi.yaml; stack config files are named `Pulumi.<stack>.yaml`.
 */
import { posix } from "node:path";
import { parseDocument } from "yaml";
import { describeKind, type Tree, type TreeEntry } from "./tree";

export interface ProjectFile {
  /** The project file's path in the tree (Pulumi.yaml or Pulumi.yml), or undefined when there is none. */
  readonly path?: string;
  /** Its top-level fields as parsed (empty when absent or unreadable). */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly name?: string;
  /** The program's path in the tree, normalised ("." for the project folder). */
  readonly main: string;
  /** The stack files' folder in the tree, normalised ("" for the project folder). */
  readonly stackConfigDir: string;
  /** Why the project file cannot be used as written, when it cannot. */
  readonly problem?: string;
}

/** The longest project file read: a project file is a few hundred bytes. */
const PROJECT_FILE_MAX_BYTES = 64 * 1024;

/** A path inside the tree, or undefined when it leaves it (absolute, or `..` above the top). */
function inside(path: string): string | undefined {
  if (posix.isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path)) return undefined;
  const normal = posix.normalize(path.replace(/\\/g, "/"));
  if (normal === ".." || normal.startsWith("../")) return undefined;
  return normal === "." ? "" : normal.replace(/\/$/, "");
}

export function readProject(tree: Tree): ProjectFile {
  const path = ["Pulumi.yaml", "Pulumi.yml"].find((p) => tree.entries.has(p));
  if (!path) return { fields: {}, main: ".", stackConfigDir: "", problem: "there is no Pulumi.yaml" };
  let fields: Record<string, unknown> = {};
  let problem: string | undefined;
  try {
    const bytes = tree.read(path);
    if (bytes.length > PROJECT_FILE_MAX_BYTES) throw new Error(`it is ${bytes.length} bytes (at most ${PROJECT_FILE_MAX_BYTES})`);
    const doc = parseDocument(bytes.toString("utf8"));
    if (doc.errors.length) throw new Error(doc.errors[0]!.message.split("\n")[0]);
    const value = doc.toJS({ maxAliasCount: 0 }) as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("it is not a map");
    fields = value as Record<string, unknown>;
  } catch (error) {
    problem = `${path} cannot be read: ${(error as Error).message}`;
  }
  const main = typeof fields.main === "string" ? inside(fields.main) : "";
  const stackConfigDir = typeof fields.stackConfigDir === "string" ? inside(fields.stackConfigDir) : "";
  if (main === undefined) problem ??= `${path}: main ${JSON.stringify(fields.main)} is outside the repository`;
  if (stackConfigDir === undefined) problem ??= `${path}: stackConfigDir ${JSON.stringify(fields.stackConfigDir)} is outside the repository`;
  return {
    path,
    fields,
    ...(typeof fields.name === "string" ? { name: fields.name } : {}),
    main: main || ".",
    stackConfigDir: stackConfigDir ?? "",
    ...(problem ? { problem } : {}),
  };
}

/** A stack name as Pulumi allows it in a stack file's name. */
const STACK_FILE = /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/;

export interface StackFileEntry {
  readonly stack: string;
  readonly entry: TreeEntry;
}

/** The stack files of a tree: `Pulumi.<stack>.yaml` directly in its stackConfigDir, whatever kind of file each is. */
export function stackFiles(tree: Tree, project: ProjectFile): StackFileEntry[] {
  const prefix = project.stackConfigDir ? `${project.stackConfigDir}/` : "";
  const found: StackFileEntry[] = [];
  for (const entry of tree.entries.values()) {
    if (!entry.path.startsWith(prefix)) continue;
    const name = entry.path.slice(prefix.length);
    if (name.includes("/")) continue;
    const stack = STACK_FILE.exec(name)?.[1];
    if (stack) found.push({ stack, entry });
  }
  return found.sort((a, b) => a.stack.localeCompare(b.stack));
}

/** Why a stack file is refused before it is read, or undefined for a regular file. */
export function stackFileRefusal(file: StackFileEntry): string | undefined {
  return file.entry.kind === "file" || file.entry.kind === "executable"
    ? undefined
    : `${file.entry.path} is ${describeKind(file.entry.kind)}, not a regular file: refused (stack files are read as data, never followed)`;
}
