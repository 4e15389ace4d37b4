/**
 * The files a pull request changes outside its stack files, each with what it means for what
 * `pulumi up` does. The access review judges stack files with trusted code; a change to code is
 * not covered by that verdict, so it is named first and the pull request needs a code review.
 */
import { posix } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { ProjectFile } from "./project";
import { describeKind, type Tree, type TreeEntry } from "./tree";

export interface FileChange {
  readonly path: string;
  readonly change: "added" | "removed" | "modified" | "kind-changed";
  /** What the file is, and what changing it can do, in words. */
  readonly meaning: string;
  /** Whether the change can alter what `pulumi up` does (false: documentation, tests, developer tooling). */
  readonly affectsDeploy: boolean;
  /** Details, e.g. the project-file fields that change. */
  readonly details?: readonly string[];
}

/** What a path is, in words, and whether it can change what a deploy does. Unknown files count as code. */
export function fileMeaning(path: string, project: ProjectFile): { meaning: string; affectsDeploy: boolean } {
  if (path === "Pulumi.yaml" || path === "Pulumi.yml") return { meaning: "the Pulumi project file: which program pulumi up runs, where its stack files are, how the program is run", affectsDeploy: true };
  // The program: Pulumi.yaml's main and the code files beside it.
  const code = /\.[cm]?[jt]sx?$/;
  const mainDir = code.test(project.main) ? posix.dirname(project.main) : project.main;
  if (path === project.main || (code.test(path) && (mainDir === "." ? !path.includes("/") : path.startsWith(`${mainDir}/`)))) {
    return { meaning: "the stack program: what pulumi up creates for every stack", affectsDeploy: true };
  }
  if (path.startsWith("components/")) return { meaning: "the components: every stack's resources, trusts and grants are built by them", affectsDeploy: true };
  if (path.startsWith("policy/")) return { meaning: "the CrossGuard policy pack that guards previews and deploys", affectsDeploy: true };
  if (path.startsWith("tools/")) return { meaning: "the kit's commands, the offline plan, verify and this review among them: the judge itself", affectsDeploy: true };
  if (path.startsWith("workload/")) return { meaning: "the workload package: how services fetch tokens and build cloud credentials", affectsDeploy: true };
  if (path === "package.json" || path === "package-lock.json" || path === ".npmrc") return { meaning: "dependencies and scripts: the code pulumi up and this review run with", affectsDeploy: true };
  if (path.startsWith(".github/")) return { meaning: "GitHub workflows and scripts: what runs with credentials, previews, deploys and posts this review", affectsDeploy: true };
  if (path.startsWith(".ci/")) return { meaning: "the CI script", affectsDeploy: true };
  if (/^tsconfig(\.[\w-]+)?\.json$/.test(path)) return { meaning: "how TypeScript reads the program", affectsDeploy: true };
  if (path.startsWith("stacks/")) return { meaning: "a file beside the stack files, loaded by the program or not", affectsDeploy: true };
  if (/\.md$/i.test(path) || path.startsWith("docs/") || path === "LICENSE") return { meaning: "documentation", affectsDeploy: false };
  if (path.startsWith("test/") || path.startsWith("dev/") || path === "vitest.config.mts") return { meaning: "tests and developer tooling: not run by pulumi up", affectsDeploy: false };
  if (path.startsWith("examples/")) return { meaning: "example consumer programs: not run by this project's pulumi up", affectsDeploy: false };
  return { meaning: "a file the review does not know: counted as code", affectsDeploy: true };
}

/** What each changed project-file field means. */
function projectFieldChanges(base: ProjectFile, head: ProjectFile): string[] {
  const show = (value: unknown) => (value === undefined ? "(not set)" : JSON.stringify(value));
  const keys = [...new Set([...Object.keys(base.fields), ...Object.keys(head.fields)])].sort();
  const lines: string[] = [];
  for (const key of keys) {
    const was = base.fields[key];
    const now = head.fields[key];
    if (isDeepStrictEqual(was, now)) continue;
    const change = `${show(was)} → ${show(now)}`;
    switch (key) {
      case "main":
        lines.push(`main ${change}: pulumi up runs another program`);
        break;
      case "stackConfigDir":
        lines.push(`stackConfigDir ${change}: pulumi up reads the stack files from another folder`);
        break;
      case "name":
        lines.push(`name ${change}: every resource's URN changes, so pulumi up creates every resource anew and deletes the old ones`);
        break;
      case "runtime":
        lines.push(`runtime ${change}: how Pulumi runs the program changes (Node arguments, TypeScript loading)`);
        break;
      case "config":
        lines.push(`config ${change}: project-level config, the defaults of every stack`);
        break;
      case "backend":
        lines.push(`backend ${change}: where the stacks' state is kept`);
        break;
      default:
        lines.push(`${key} ${change}`);
    }
  }
  return lines;
}

/**
 * Every file that differs between the trees, except the stack files of either (judged on their
 * own): added, removed, modified, or turned into another kind of file (a link, a submodule).
 */
export function codeChanges(base: { tree: Tree; project: ProjectFile; stackPaths: ReadonlySet<string> }, head: { tree: Tree; project: ProjectFile; stackPaths: ReadonlySet<string> }): FileChange[] {
  const paths = [...new Set([...base.tree.entries.keys(), ...head.tree.entries.keys()])].sort();
  const changes: FileChange[] = [];
  for (const path of paths) {
    if (base.stackPaths.has(path) || head.stackPaths.has(path)) continue;
    const was: TreeEntry | undefined = base.tree.entries.get(path);
    const now: TreeEntry | undefined = head.tree.entries.get(path);
    if (was && now && was.blob === now.blob && was.kind === now.kind) continue;
    const { meaning, affectsDeploy } = fileMeaning(path, head.project);
    const change = !was ? "added" : !now ? "removed" : was.kind !== now.kind && !(isRegular(was) && isRegular(now)) ? "kind-changed" : "modified";
    const details = path === head.project.path || path === base.project.path ? projectFieldChanges(base.project, head.project) : [];
    if (change === "kind-changed") details.push(`now ${describeKind(now!.kind)} (was ${describeKind(was!.kind)})`);
    else if (now && !isRegular(now)) details.push(`it is ${describeKind(now.kind)}`);
    changes.push({ path, change, meaning, affectsDeploy, ...(details.length ? { details } : {}) });
  }
  return changes;
}

const isRegular = (entry: TreeEntry) => entry.kind === "file" || entry.kind === "executable";

/** The files of a tree that are code (everything but stack files and what cannot change a deploy), path → blob. */
export function codeFingerprint(tree: Tree, project: ProjectFile, stackPaths: ReadonlySet<string>): Map<string, string> {
  const code = new Map<string, string>();
  for (const [path, entry] of tree.entries) {
    if (stackPaths.has(path) || !fileMeaning(path, project).affectsDeploy) continue;
    code.set(path, `${entry.kind}:${entry.blob}`);
  }
  return code;
}
