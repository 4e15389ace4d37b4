/**
 * Plans of a tree's stack files: with this checkout's code, in this process, or with another
 * tree's code (its own program, Pulumi.yaml's main) in a process of its own (planWorker.ts). A
 * stack file is read from the tree as data, only when it is a regular file. A stack that does not
 * plan is an outcome, with its errors, not a failure of the review.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { posix } from "node:path";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { InputLimitError, STACK_FILE_LIMITS } from "../../components/internal/inputLimits";
import { readJsonFileLimited } from "../../workload/limitedRead";
import { ProgramError } from "../offline/engine";
import { planStack, planToJson, teamPlatformName } from "../offline/plan";
import { documentScaleResources, scaleFigures, scaleLines } from "../offline/scale";
import { parseStackYaml, PROJECT_ROOT, StackFileError } from "../offline/stackFile";
import type { PlanDocument } from "../verify/model";
import { stackFileRefusal, type ProjectFile, type StackFileEntry } from "./project";
import type { Tree } from "./tree";

/** What planning one stack file gave: a plan, the stack's errors (it does not plan), or a refusal (it was not read). */
export type PlanOutcome =
  | { readonly kind: "planned"; readonly plan: PlanDocument }
  | { readonly kind: "invalid"; readonly errors: readonly string[] }
  | { readonly kind: "refused"; readonly errors: readonly string[] }
  /** A team stack whose platform's stack file is not in the tree: it cannot be planned offline. */
  | { readonly kind: "unreviewable"; readonly errors: readonly string[] };

/** The kind of a document that records a stack that did not plan (what planWorker writes instead of a plan). */
export const PLAN_ERROR_KIND = "okta-federation/plan-error";

/** An error of planning as the lines a reviewer reads: the message's first line, then each problem. */
export function errorLines(error: unknown): string[] {
  if (error instanceof StackFileError) return [error.message, ...error.problems.map((p) => `${p.path}: ${p.message}`)];
  const lines = String((error as Error)?.message ?? error).split("\n").map((l) => l.replace(/^\s*-\s+/, "").trimEnd()).filter(Boolean);
  return lines.length ? lines : ["the program failed"];
}

/** Plans a stack file's text with a program (this checkout's by default), in this process. */
export async function planText(text: string, where: { project: string; stack: string; file: string }, program?: () => unknown): Promise<PlanOutcome> {
  try {
    const loaded = parseStackYaml(text, where);
    return { kind: "planned", plan: planToJson(await planStack(loaded, program)) as unknown as PlanDocument };
  } catch (error) {
    if (error instanceof StackFileError || error instanceof ProgramError) return { kind: "invalid", errors: errorLines(error) };
    throw error;
  }
}

/** The platform stack a team stack file names (its full name and its stack file's name), or undefined for any other stack. */
export function platformOfText(text: string, stack: string): { readonly name: string; readonly stack: string } | undefined {
  let name: string | undefined;
  try {
    name = teamPlatformName(parseStackYaml(text, { project: "okta-federation", stack, file: `Pulumi.${stack}.yaml` }));
  } catch {
    return undefined;
  }
  return name === undefined ? undefined : { name, stack: name.split("/").pop()! };
}

/** The platform's stack file of a team stack in a tree: beside the team's, `Pulumi.<last segment>.yaml`. */
export function platformFileIn(tree: Tree, teamPath: string, platformStack: string): { path: string; regular: boolean } | undefined {
  const dir = posix.dirname(teamPath);
  const path = dir === "." ? `Pulumi.${platformStack}.yaml` : `${dir}/Pulumi.${platformStack}.yaml`;
  const entry = tree.entries.get(path);
  return entry ? { path, regular: entry.kind === "file" || entry.kind === "executable" } : undefined;
}

/** What the review says of a team stack whose platform is not in the tree. */
export const platformNotFound = (name: string, path: string) =>
  `cannot be reviewed offline: platform ${name} not found (a team stack is planned with its platform's stack file beside its own, ${path}, and there is no such regular file)`;

/**
 * Plans a tree's stack file with this checkout's code. A team stack is planned with its platform's
 * stack file from the same tree (as the offline plan plans it, from the file beside the team's):
 * both are copied into a temporary folder, so neither this checkout's stack files nor any link is read.
 */
export async function planWithThisCode(tree: Tree, project: ProjectFile, file: StackFileEntry): Promise<PlanOutcome> {
  const refusal = stackFileRefusal(file);
  if (refusal) return { kind: "refused", errors: [refusal] };
  let text: string;
  try {
    text = tree.read(file.entry.path, STACK_FILE_LIMITS.maxBytes).toString("utf8");
  } catch (error) {
    return { kind: "refused", errors: [(error as Error).message] };
  }
  const where = { project: project.name ?? "okta-federation", stack: file.stack, file: file.entry.path };
  const platform = platformOfText(text, file.stack);
  if (!platform || platform.stack === file.stack) return planText(text, where);
  const found = platformFileIn(tree, file.entry.path, platform.stack);
  if (!found?.regular) return { kind: "unreviewable", errors: [platformNotFound(platform.name, found?.path ?? posix.join(posix.dirname(file.entry.path), `Pulumi.${platform.stack}.yaml`))] };
  let platformText: string;
  try {
    platformText = tree.read(found.path, STACK_FILE_LIMITS.maxBytes).toString("utf8");
  } catch (error) {
    return { kind: "unreviewable", errors: [`cannot be reviewed offline: platform ${platform.name} cannot be read (${(error as Error).message})`] };
  }
  const dir = mkdtempSync(join(tmpdir(), "okta-federation-review-team-"));
  try {
    const teamFile = join(dir, `Pulumi.${file.stack}.yaml`);
    writeFileSync(teamFile, text);
    writeFileSync(join(dir, `Pulumi.${platform.stack}.yaml`), platformText);
    const outcome = await planText(text, { ...where, file: teamFile });
    // The temporary folder is the tree's stack folder: errors name the tree's paths.
    const stackDir = posix.dirname(file.entry.path);
    return outcome.kind === "planned" ? outcome : { ...outcome, errors: outcome.errors.map((e) => e.split(dir).join(stackDir === "." ? "" : stackDir).replace(/^\//, "")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The tree's files in a new temporary folder (git archive for a ref, a copy for a folder), for running its code. */
function materialize(tree: Tree): string {
  const dir = mkdtempSync(join(tmpdir(), "okta-federation-review-"));
  for (const entry of tree.entries.values()) {
    const target = join(dir, entry.path);
    mkdirSync(dirname(target), { recursive: true });
    if (entry.kind === "file" || entry.kind === "executable") writeFileSync(target, tree.read(entry.path), { mode: entry.kind === "executable" ? 0o755 : 0o644 });
    else if (entry.kind === "symlink" && tree.dir) {
      // The code's own links, kept as links (its program runs here anyway; nothing is read through them).
      symlinkSync(readlinkSync(join(tree.dir, entry.path), "utf8"), target);
    }
  }
  return dir;
}

const run = promisify(execFile);

/**
 * Plans stack files with a tree's own code: its program (Pulumi.yaml's main) run by this checkout's
 * offline engine in a child process, from a copy of the tree, resolving packages from this
 * checkout's node_modules. This RUNS the tree's code: never for a pull request's head in a job that
 * holds credentials.
 */
export async function planWithTreeCode(tree: Tree, project: ProjectFile, stacks: ReadonlyArray<{ stack: string; text: string; path?: string }>): Promise<Map<string, PlanOutcome>> {
  const outcomes = new Map<string, PlanOutcome>();
  if (stacks.length === 0) return outcomes;
  const work = materialize(tree);
  const out = join(work, ".okta-federation-review-plans");
  const input = join(out, "input");
  mkdirSync(input, { recursive: true });
  try {
    // The stack files, and the platform stack file of each team stack, side by side (as the offline plan finds a team's platform).
    const written = new Set<string>();
    const planned: string[] = [];
    for (const { stack, text } of stacks) {
      writeFileSync(join(input, `Pulumi.${stack}.yaml`), text);
      written.add(stack);
    }
    for (const { stack, text, path } of stacks) {
      const platform = platformOfText(text, stack);
      if (platform && platform.stack !== stack && !written.has(platform.stack)) {
        const found = path ? platformFileIn(tree, path, platform.stack) : undefined;
        if (!found?.regular) {
          outcomes.set(stack, { kind: "unreviewable", errors: [platformNotFound(platform.name, found?.path ?? `Pulumi.${platform.stack}.yaml`)] });
          continue;
        }
        writeFileSync(join(input, `Pulumi.${platform.stack}.yaml`), tree.read(found.path, STACK_FILE_LIMITS.maxBytes));
        written.add(platform.stack);
      }
      planned.push(stack);
    }
    if (planned.length === 0) return outcomes;
    const files = planned.map((stack) => join(input, `Pulumi.${stack}.yaml`));
    const tsx = require.resolve("tsx", { paths: [PROJECT_ROOT] });
    const program = join(work, project.main === "." ? "" : project.main);
    try {
      await run(process.execPath, ["--import", pathToFileURL(tsx).href, join(PROJECT_ROOT, "tools", "review", "planWorker.ts"), "--program", program, "--project", project.name ?? "okta-federation", "--out", out, ...files], {
        cwd: work,
        env: { ...process.env, NODE_PATH: join(PROJECT_ROOT, "node_modules") },
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      const message = String((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split("\n").slice(-3).join(" ");
      for (const stack of planned) outcomes.set(stack, { kind: "invalid", errors: [`the code of ${tree.label} could not run: ${message}`] });
      return outcomes;
    }
    for (const stack of planned) outcomes.set(stack, readPlanOutcome(join(out, `${stack}.json`), stack));
    return outcomes;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Reads a plan outcome that another program wrote (planWorker, or a pull request's run): untrusted
 * data. It must be an offline plan or a plan-error document of that stack; anything else is an
 * "invalid" outcome saying so.
 */
export function readPlanOutcome(path: string, stack: string): PlanOutcome {
  let doc: unknown;
  try {
    // Untrusted: size, depth and value limits before anything walks it.
    doc = readJsonFileLimited(path, `the PR code's plan of stack ${stack}`, "an offline plan");
  } catch (error) {
    if (error instanceof InputLimitError) return { kind: "invalid", errors: [error.message] };
    return { kind: "invalid", errors: [`no usable plan of stack ${stack} from the PR's code (${(error as NodeJS.ErrnoException).code ?? "not JSON"})`] };
  }
  const record = (typeof doc === "object" && doc !== null && !Array.isArray(doc) ? doc : {}) as Record<string, unknown>;
  if (record.kind === PLAN_ERROR_KIND && record.stack === stack && Array.isArray(record.errors)) {
    return { kind: "invalid", errors: record.errors.map(String).slice(0, 50) };
  }
  if (record.kind === "okta-federation/offline-plan" && record.stack === stack && Array.isArray(record.resources)) return { kind: "planned", plan: doc as PlanDocument };
  return { kind: "invalid", errors: [`the file given as the PR code's plan of stack ${stack} is not an offline plan of that stack`] };
}

/** Names of the plans in a folder written by planWorker or --save-pr-code-plans: `<stack>.json`. */
export function savedPlanStacks(dir: string): string[] {
  return readdirSync(dir).map((f) => /^([A-Za-z0-9_.-]+)\.json$/.exec(f)?.[1]).filter((s): s is string => s !== undefined);
}

/**
 * The head's quota advisories that the base does not have (tools/offline/scale.ts: a GCP project's
 * policy principals and service accounts, an AWS account's roles and OIDC providers, past 80 % of
 * a default quota or a limit, or over it), worded as the plan's summary words them: a pull request
 * that makes the next `pulumi up` meet a quota says so, whether or not access changes. Rates (Okta
 * apps a first deploy creates) are left out: they count every app, not what the change adds.
 */
export function newQuotaAdvisories(base: PlanOutcome | undefined, head: PlanOutcome | undefined): string[] {
  const advisories = (outcome: PlanOutcome | undefined) =>
    outcome?.kind === "planned"
      ? scaleLines(scaleFigures(documentScaleResources(outcome.plan.resources)).filter((f) => f.advisory !== undefined && f.limit !== undefined)).map((line) => line.replace(/^\s*! /, ""))
      : [];
  const known = new Set(advisories(base));
  return advisories(head).filter((a) => !known.has(a));
}
