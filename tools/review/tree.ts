/**
 * A tree of the repository as the review reads it: a git ref (read from the object database) or a
 * folder (a checkout, the working tree). Every file is listed with its mode and git blob id, so two
 * trees compare file by file without reading them twice, and nothing is followed: a symbolic link
 * is listed as a link (its blob is the target text, as git stores it), never read through. Only
 * regular files can be read. The trees are data: nothing in them is run here.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { tooLargeMessage } from "../../components/internal/inputLimits";

/** What a path is, in git's terms: a regular file, an executable, a symbolic link, a submodule. */
export type EntryKind = "file" | "executable" | "symlink" | "submodule" | "other";

export interface TreeEntry {
  readonly path: string;
  readonly kind: EntryKind;
  /** The git blob id of the content (a link's target text for a symlink), comparable across trees. */
  readonly blob: string;
}

export interface Tree {
  /** How the user named it: the ref or the folder. */
  readonly label: string;
  /** The commit of a ref, or of a folder's HEAD when it is a git checkout. */
  readonly commit?: string;
  /** A git checkout whose files differ from its commit (uncommitted or untracked changes). */
  readonly dirty?: boolean;
  /** A folder on disk holding the tree, when it is one. */
  readonly dir?: string;
  readonly entries: ReadonlyMap<string, TreeEntry>;
  /** A regular file's bytes; refuses anything else, and a file over `maxBytes` before reading it (see TreeReadError). */
  read(path: string, maxBytes?: number): Buffer;
}

/** A path that is not a regular file of the tree, or that cannot be read. */
export class TreeReadError extends Error {}

/** A tree that cannot be opened: neither a folder nor a ref git knows. One line, exit 2. */
export class TreeError extends Error {}

/** Folders never part of a tree read from disk (installed or built, not source). */
const SKIPPED_DIRS = new Set([".git", "node_modules", "dist"]);

const kindOfMode = (mode: string): EntryKind =>
  mode === "100644" ? "file" : mode === "100755" ? "executable" : mode === "120000" ? "symlink" : mode === "160000" ? "submodule" : "other";

/** git's blob id of some bytes: sha1("blob <length>\0" + bytes). */
export function blobId(bytes: Buffer): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

function git(args: readonly string[], cwd: string, input?: Buffer): Buffer {
  return execFileSync("git", args, { cwd, input, maxBuffer: 1024 * 1024 * 1024, stdio: ["pipe", "pipe", "pipe"] });
}

/** Opens `spec` as a folder when one exists at that path, else as a git ref of the repository at `repo`. */
export function openTree(spec: string, repo: string): Tree {
  let isDir = false;
  try {
    isDir = lstatSync(resolve(spec)).isDirectory();
  } catch {
    isDir = false;
  }
  return isDir ? folderTree(resolve(spec), spec) : refTree(spec, repo);
}

/** A git ref (branch, tag, commit) of the repository at `repo`, read from git's objects. */
export function refTree(ref: string, repo: string): Tree {
  let commit: string;
  try {
    commit = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], repo).toString().trim();
  } catch {
    throw new TreeError(`${ref} is neither a folder nor a git ref of ${repo}`);
  }
  const entries = new Map<string, TreeEntry>();
  // -z: paths are NUL-terminated and never quoted. Each record: "<mode> <type> <blob>\t<path>".
  for (const record of git(["ls-tree", "-r", "-z", "--full-tree", commit], repo).toString("utf8").split("\0")) {
    const match = /^(\d{6}) \w+ ([0-9a-f]{40,64})\t(.+)$/s.exec(record);
    if (match) entries.set(match[3]!, { path: match[3]!, kind: kindOfMode(match[1]!), blob: match[2]! });
  }
  return {
    label: ref,
    commit,
    entries,
    read(path, maxBytes) {
      const entry = regularEntry(entries, path, ref);
      if (maxBytes !== undefined) refuseLarger(path, Number(git(["cat-file", "-s", entry.blob], repo).toString().trim()), maxBytes);
      return git(["cat-file", "blob", entry.blob], repo);
    },
  };
}

/**
 * A folder: the files git would see (tracked and untracked, not ignored) when it is a git
 * checkout, every file otherwise; installed and built folders (node_modules, dist) and .git never.
 * Read with lstat: links are listed as links, never followed.
 */
export function folderTree(dir: string, label = dir): Tree {
  let paths: string[];
  let commit: string | undefined;
  let dirty = false;
  try {
    const top = git(["rev-parse", "--show-toplevel"], dir).toString().trim();
    if (resolve(top) !== resolve(dir)) throw new Error("not the top of its repository");
    paths = git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], dir).toString("utf8").split("\0").filter(Boolean);
    try {
      commit = git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], dir).toString().trim();
      dirty = git(["status", "--porcelain", "--untracked-files=normal"], dir).length > 0;
    } catch {
      commit = undefined;
    }
  } catch {
    paths = walk(dir);
  }
  const entries = new Map<string, TreeEntry>();
  for (const path of [...new Set(paths)].sort()) {
    if (path.split("/").some((part) => SKIPPED_DIRS.has(part))) continue;
    const entry = folderEntry(dir, path);
    if (entry) entries.set(path, entry);
  }
  return {
    label,
    ...(commit ? { commit, dirty } : {}),
    dir,
    entries,
    read(path, maxBytes) {
      regularEntry(entries, path, label);
      const full = join(dir, path);
      // The file was a regular one when listed; lstat again, so that a link put in its place since is not followed.
      const stat = lstatSync(full);
      if (!stat.isFile()) throw new TreeReadError(`${path} is no longer a regular file`);
      if (maxBytes !== undefined) refuseLarger(path, stat.size, maxBytes);
      return readFileSync(full);
    },
  };
}

function refuseLarger(path: string, bytes: number, maxBytes: number): void {
  if (bytes > maxBytes) throw new TreeReadError(tooLargeMessage(path, bytes, maxBytes, "a stack file"));
}

/** The entry of a regular file of a tree; refuses a path that is missing or anything else. */
function regularEntry(entries: ReadonlyMap<string, TreeEntry>, path: string, label: string): TreeEntry {
  const entry = entries.get(path);
  if (!entry) throw new TreeReadError(`${path} is not in ${label}`);
  if (entry.kind !== "file" && entry.kind !== "executable") throw new TreeReadError(`${path} is ${describeKind(entry.kind)}, not a regular file`);
  return entry;
}

function folderEntry(dir: string, path: string): TreeEntry | undefined {
  const full = join(dir, path);
  let stat;
  try {
    stat = lstatSync(full);
  } catch {
    return undefined; // tracked but deleted in the working tree
  }
  if (stat.isSymbolicLink()) {
    // git stores a link as a blob of its target text; the target is hashed, never opened or printed.
    return { path, kind: "symlink", blob: blobId(readlinkSync(full, { encoding: "buffer" })) };
  }
  if (stat.isDirectory()) return { path, kind: "submodule", blob: "" };
  if (!stat.isFile()) return { path, kind: "other", blob: "" };
  return { path, kind: stat.mode & 0o111 ? "executable" : "file", blob: blobId(readFileSync(full)) };
}

/** Every file under a folder that is not a git checkout, skipping installed and built folders; lstat only. */
function walk(root: string): string[] {
  const found: string[] = [];
  const pending = [root];
  while (pending.length) {
    const dir = pending.pop()!;
    for (const name of readdirSync(dir)) {
      if (SKIPPED_DIRS.has(name)) continue;
      const full = join(dir, name);
      const stat = lstatSync(full);
      if (stat.isDirectory()) pending.push(full);
      else found.push(relative(root, full).split(sep).join("/"));
    }
  }
  return found;
}

/** A kind in words, for messages. */
export function describeKind(kind: EntryKind): string {
  return kind === "symlink" ? "a symbolic link" : kind === "submodule" ? "a submodule or folder" : kind === "other" ? "not a regular file (a FIFO, socket or device)" : "a regular file";
}
