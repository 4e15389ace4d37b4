/**
 * The access review of a pull request: every stack of the base and the head, judged by this
 * checkout's code over the stack files (read as data), and the changes outside stack files, with
 * the access diff the pull request's own code computes. What `npm run review` prints and the PR
 * comment carries is rendered from this (render.ts).
 */
import { accessDiff, emptySide, type AccessChange, type Side } from "../verify/diff";
import { extractModel, type PlanDocument } from "../verify/model";
import { followRenames } from "../verify/renames";
import { teamLink, withPlatform } from "../verify/layout";
import { lifecycleChanges, lifecycleCount, type LifecycleReport } from "../verify/lifecycle";
import { newCrossStackFindings, reviewOrganisations, type OrgReview } from "./org";
import { stackRenameNotes, stackRenames } from "./orgMoves";
import { verifyModel, type VerifyResult } from "../verify/verify";
import { codeChanges, codeFingerprint, type FileChange } from "./changes";
import { newQuotaAdvisories, planWithThisCode, planWithTreeCode, readPlanOutcome, type PlanOutcome } from "./plans";
import { readProject, stackFiles, type ProjectFile, type StackFileEntry } from "./project";
import { folderTree, type Tree } from "./tree";
import { STACK_FILE_LIMITS } from "../../components/internal/inputLimits";
import { PROJECT_ROOT } from "../offline/stackFile";
import { join } from "node:path";
import { existsSync } from "node:fs";

/** Whose code a result was computed with. */
export type CodeOf = "base" | "head" | "this checkout";

/** One stack, judged by this checkout's code. */
export interface StackReview {
  readonly stack: string;
  /**
   * passed/failed: verify's verdict on the head; invalid: the head does not plan; refused: its file
   * was not read; removed: only the base has it; unreviewable: a team stack whose platform's stack
   * file is not in the head (it cannot be planned offline).
   */
  readonly status: "passed" | "failed" | "invalid" | "refused" | "removed" | "unreviewable";
  /** The stack file differs between the base and the head (or is on one side only). */
  readonly fileChanged?: boolean;
  /** The base has no stack file for it (or one that does not plan): the review is against an empty base. */
  readonly isNew: boolean;
  readonly notes: readonly string[];
  /** Why the head does not plan or was not read. */
  readonly errors: readonly string[];
  readonly result?: VerifyResult;
  /** Base → head (a removed stack: base → nothing). */
  readonly changes: readonly AccessChange[];
  /** What pulumi up will replace or delete, when the base and the head both plan. */
  readonly lifecycle?: LifecycleReport;
}

/** One stack as the pull request's own code plans it, against the base's code and stack file. */
export interface PrCodeStack {
  readonly stack: string;
  readonly status: "passed" | "failed" | "invalid" | "removed" | "unreviewable";
  /** Why it does not plan, or verify's findings when it fails. */
  readonly errors: readonly string[];
  readonly changes: readonly AccessChange[];
  readonly lifecycle?: LifecycleReport;
}

export interface PrCodeReview {
  /** How the pull request's code was run: here (locally or in the unprivileged job), read from plans it wrote, or not at all. */
  readonly source: "ran here" | "this checkout is the head" | "plans read from a file" | "not run";
  readonly note: string;
  readonly stacks: readonly PrCodeStack[];
  /** The head's plans as its code wrote them (for --save-pr-code-plans); not part of the rendered review. */
  readonly plans?: ReadonlyMap<string, PlanOutcome>;
}

export interface Review {
  readonly base: { readonly label: string; readonly commit?: string };
  readonly head: { readonly label: string; readonly commit?: string };
  /** Whose code judged the stack files. */
  readonly judgedBy: CodeOf;
  /** The commit of the judging checkout, and whether its files differ from it. */
  readonly judgedByCommit?: { readonly commit: string; readonly dirty: boolean };
  /** Files outside stack files that differ. */
  readonly codeChanges: readonly FileChange[];
  /** Some change outside stack files can alter what pulumi up does: the verdict does not cover it. */
  readonly needsCodeReview: boolean;
  /** Problems with the trees themselves (a project file that cannot be used). */
  readonly problems: readonly string[];
  readonly stacks: readonly StackReview[];
  /** The organisation layout: each platform stack, the team stacks that read it, and the PR's effects across them. */
  readonly organisations: readonly OrgReview[];
  readonly prCode?: PrCodeReview;
  readonly verdict: "passed" | "failed" | "needs code review";
}

export interface ReviewOptions {
  /** "run": run the head's code when it changed (default); "skip": never; a folder: read the plans the head's code wrote there (untrusted). */
  readonly prCode: "run" | "skip" | { readonly plansDir: string };
}

interface TreeSide {
  readonly tree: Tree;
  readonly project: ProjectFile;
  readonly stacks: readonly StackFileEntry[];
  readonly stackPaths: ReadonlySet<string>;
}

function side(tree: Tree): TreeSide {
  const project = readProject(tree);
  const stacks = project.problem?.includes("outside") ? [] : stackFiles(tree, project);
  return { tree, project, stacks, stackPaths: new Set(stacks.map((s) => s.entry.path)) };
}

const same = (a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

/**
 * A planned side's trust model and verification, with renames followed from the base. A team
 * stack's plan is judged with its platform's plan of the same side (the platform's shared objects
 * its trust rests on: verify's withPlatform).
 */
async function sideOf(plan: PlanDocument, base?: PlanDocument, platform?: PlanDocument): Promise<{ side: Side; result: VerifyResult; renamed: ReadonlyMap<string, string>; plan: PlanDocument }> {
  const followed = base ? followRenames(plan, base) : { plan, renamed: new Map<string, string>() };
  const model = extractModel(withPlatform(followed.plan, platform));
  const result = await verifyModel(model);
  return { side: { model, result }, result, renamed: followed.renamed, plan: followed.plan };
}

/** The plan of the platform a team stack's plan reads, among one side's outcomes (undefined for any other stack, or a platform that does not plan). */
function platformPlanOf(plan: PlanDocument | undefined, outcomes: ReadonlyMap<string, PlanOutcome>): PlanDocument | undefined {
  const link = plan ? teamLink(plan) : undefined;
  const outcome = link ? outcomes.get(link.platformStack) : undefined;
  return outcome?.kind === "planned" ? outcome.plan : undefined;
}

/** The diff from one outcome to another (either may be absent or not planned: then empty); each side's outcomes give a team stack its platform. */
async function diffOutcomes(
  stack: string,
  base: PlanOutcome | undefined,
  head: PlanOutcome | undefined,
  sides?: { readonly base: ReadonlyMap<string, PlanOutcome>; readonly head: ReadonlyMap<string, PlanOutcome> },
): Promise<{ readonly result?: VerifyResult; readonly changes: AccessChange[]; readonly lifecycle?: LifecycleReport }> {
  const basePlan = base?.kind === "planned" ? base.plan : undefined;
  const headPlan = head?.kind === "planned" ? head.plan : undefined;
  const baseSide = basePlan ? (await sideOf(basePlan, undefined, sides && platformPlanOf(basePlan, sides.base))).side : emptySide(stack);
  if (!headPlan) return { changes: accessDiff(baseSide, emptySide(stack)) };
  const headSide = await sideOf(headPlan, basePlan, sides && platformPlanOf(headPlan, sides.head));
  // What pulumi up replaces or deletes: only between two plans (a new stack creates, a removed one is destroyed).
  const lifecycle = basePlan ? lifecycleChanges(basePlan, headSide.plan) : undefined;
  return { result: headSide.result, changes: accessDiff(baseSide, headSide.side, headSide.renamed), ...(lifecycle ? { lifecycle } : {}) };
}

const textOf = (tree: Tree, file: StackFileEntry) => tree.read(file.entry.path, STACK_FILE_LIMITS.maxBytes).toString("utf8");

/** A stack file's text when it is a regular file within the size limit (what the organisation's roles are read from), else undefined. */
function readableText(tree: Tree, file: StackFileEntry | undefined): string | undefined {
  if (!file || (file.entry.kind !== "file" && file.entry.kind !== "executable")) return undefined;
  try {
    return textOf(tree, file);
  } catch {
    return undefined;
  }
}

export async function reviewTrees(baseTree: Tree, headTree: Tree, options: ReviewOptions): Promise<Review> {
  const base = side(baseTree);
  const head = side(headTree);
  const reviewer = side(folderTree(PROJECT_ROOT));
  const fingerprint = (s: TreeSide) => codeFingerprint(s.tree, s.project, s.stackPaths);
  const mine = fingerprint(reviewer);
  const judgedBy: CodeOf = same(mine, fingerprint(base)) ? "base" : same(mine, fingerprint(head)) ? "head" : "this checkout";
  const changes = codeChanges(base, head);
  const needsCodeReview = changes.some((c) => c.affectsDeploy);
  const problems = [base.project.problem && `base: ${base.project.problem}`, head.project.problem && `head: ${head.project.problem}`].filter((p): p is string => Boolean(p));

  const names = [...new Set([...base.stacks, ...head.stacks].map((s) => s.stack))].sort();
  const baseOutcomes = new Map<string, PlanOutcome>();
  const headOutcomes = new Map<string, PlanOutcome>();
  const stacks: StackReview[] = [];
  const texts = new Map<string, { base?: string; head?: string }>();
  // Every stack planned first: a team stack is judged with its platform's plan of the same side.
  for (const stack of names) {
    const baseFile = base.stacks.find((s) => s.stack === stack);
    const headFile = head.stacks.find((s) => s.stack === stack);
    texts.set(stack, { base: readableText(base.tree, baseFile), head: readableText(head.tree, headFile) });
    if (baseFile) baseOutcomes.set(stack, await planWithThisCode(base.tree, base.project, baseFile));
    if (headFile) headOutcomes.set(stack, await planWithThisCode(head.tree, head.project, headFile));
  }
  // A stack file removed and one added that hold the same names: a rename (pulumi stack rename keeps them) or a takeover.
  const plannedOnly = (outcomes: Map<string, PlanOutcome>, other: Map<string, PlanOutcome>) =>
    [...outcomes].flatMap(([stack, o]) => (o.kind === "planned" && !other.has(stack) ? [{ stack, plan: o.plan }] : []));
  const renameNotes = stackRenameNotes(stackRenames(plannedOnly(baseOutcomes, headOutcomes), plannedOnly(headOutcomes, baseOutcomes)));
  for (const stack of names) {
    const baseFile = base.stacks.find((s) => s.stack === stack);
    const headFile = head.stacks.find((s) => s.stack === stack);
    const fileChanged = !baseFile || !headFile || baseFile.entry.blob !== headFile.entry.blob || baseFile.entry.kind !== headFile.entry.kind;
    const baseOutcome = baseOutcomes.get(stack);
    const headOutcome = headOutcomes.get(stack);
    const notes: string[] = [...(renameNotes.get(stack) ?? [])];
    if (baseOutcome && baseOutcome.kind !== "planned" && headOutcome && headOutcome.kind !== "unreviewable") notes.push(`the base's stack file does not plan (${baseOutcome.errors[0]}): every grant is shown as added`);
    const { result, changes: stackChanges, lifecycle } = await diffOutcomes(stack, baseOutcome, headOutcome, { base: baseOutcomes, head: headOutcomes });
    const isNew = !baseOutcome || baseOutcome.kind !== "planned";
    if (!headOutcome) {
      if (baseOutcome?.kind !== "planned") notes.push("the base's stack file does not plan either: what the stack holds is not known here");
      stacks.push({ stack, status: "removed", isNew: false, fileChanged, notes, errors: [], changes: stackChanges });
    } else if (headOutcome.kind !== "planned") {
      stacks.push({ stack, status: headOutcome.kind, isNew, fileChanged, notes, errors: headOutcome.errors, changes: [] });
    } else {
      for (const advisory of newQuotaAdvisories(baseOutcome, headOutcome)) notes.push(`its next \`pulumi up\` meets a quota: ${advisory}`);
      stacks.push({ stack, status: result!.passed ? "passed" : "failed", isNew, fileChanged, notes, errors: [], result, changes: stackChanges, ...(lifecycle ? { lifecycle } : {}) });
    }
  }

  const organisations = await reviewOrganisations(
    stacks.map((s) => ({
      stack: s.stack,
      baseText: texts.get(s.stack)?.base,
      headText: texts.get(s.stack)?.head,
      base: baseOutcomes.get(s.stack),
      head: headOutcomes.get(s.stack),
      fileChanged: s.fileChanged ?? true,
      changes: s.changes.length,
      lifecycle: lifecycleCount(s.lifecycle),
    })),
    needsCodeReview,
  );
  // A team stack the PR leaves as it is, whose platform changes: its changes come from the platform.
  for (const org of organisations) {
    for (const t of org.teamEffects) {
      const i = stacks.findIndex((s) => s.stack === t.stack);
      if (i >= 0 && !stacks[i]!.fileChanged) stacks[i] = { ...stacks[i]!, notes: [...stacks[i]!.notes, `its stack file is unchanged: what changes here comes from its platform ${org.platform}`] };
    }
  }
  // A team stack whose platform is not in the repository is named; it fails the review when the PR
  // changes its file or makes it unreviewable (removes its platform), not when it was so before.
  const unreviewableFails = (s: StackReview) => s.status === "unreviewable" && (s.fileChanged || baseOutcomes.get(s.stack)?.kind !== "unreviewable");
  for (const [i, s] of stacks.entries()) {
    if (s.status === "unreviewable") {
      const why = !unreviewableFails(s)
        ? "neither its stack file nor its platform's changes in this pull request, and it could not be planned before either: named, not judged"
        : s.fileChanged
          ? "the pull request changes this stack file, which the review cannot plan: the review fails"
          : "the pull request makes this stack one the review cannot plan: the review fails";
      stacks[i] = { ...s, notes: [...s.notes, why] };
    }
  }

  const prCode = needsCodeReview ? await reviewPrCode(base, head, judgedBy, baseOutcomes, headOutcomes, options) : undefined;
  const failed =
    problems.length > 0 ||
    stacks.some((s) => s.status === "failed" || s.status === "invalid" || s.status === "refused" || unreviewableFails(s)) ||
    organisations.some((o) => newCrossStackFindings(o) > 0);
  return {
    base: { label: baseTree.label, ...(baseTree.commit ? { commit: baseTree.commit } : {}) },
    head: { label: headTree.label, ...(headTree.commit ? { commit: headTree.commit } : {}) },
    judgedBy,
    ...(reviewer.tree.commit ? { judgedByCommit: { commit: reviewer.tree.commit, dirty: reviewer.tree.dirty ?? false } } : {}),
    codeChanges: changes,
    needsCodeReview,
    problems,
    stacks,
    organisations,
    ...(prCode ? { prCode } : {}),
    verdict: failed ? "failed" : needsCodeReview ? "needs code review" : "passed",
  };
}

/**
 * The access diff as the pull request's own code computes it: the base's code over the base's
 * stack files (what main deploys) against the head's code over the head's stack files (what the
 * pull request would deploy). Untrusted: the head's code decides what it reports.
 */
async function reviewPrCode(
  base: TreeSide,
  head: TreeSide,
  judgedBy: CodeOf,
  judgedBase: ReadonlyMap<string, PlanOutcome>,
  judgedHead: ReadonlyMap<string, PlanOutcome>,
  options: ReviewOptions,
): Promise<PrCodeReview> {
  // The stack files this checkout's code read (not refused: regular, within the size limit).
  const readable = (s: TreeSide, outcomes: ReadonlyMap<string, PlanOutcome>) => s.stacks.filter((f) => outcomes.has(f.stack) && outcomes.get(f.stack)!.kind !== "refused");
  const regular = (s: TreeSide) => readable(s, s === head ? judgedHead : judgedBase);
  let headPlans: ReadonlyMap<string, PlanOutcome>;
  let source: PrCodeReview["source"];
  let note: string;
  if (judgedBy === "head") {
    headPlans = judgedHead;
    source = "this checkout is the head";
    note = "Computed by the PR's own code: this checkout's code is the head's";
  } else if (typeof options.prCode === "object") {
    const dir = options.prCode.plansDir;
    headPlans = new Map(regular(head).map((f) => [f.stack, existsSync(join(dir, `${f.stack}.json`)) ? readPlanOutcome(join(dir, `${f.stack}.json`), f.stack) : { kind: "invalid" as const, errors: [`the PR's run wrote no plan of stack ${f.stack}`] }]));
    source = "plans read from a file";
    note = "Computed by the PR's own code in the unprivileged job and read here as data (untrusted: the PR's code decides what it reports)";
  } else if (options.prCode === "run") {
    headPlans = await planWithTreeCode(head.tree, head.project, regular(head).map((f) => ({ stack: f.stack, text: textOf(head.tree, f), path: f.entry.path })));
    source = "ran here";
    note = "Computed by the PR's own code, run here with this checkout's dependencies (untrusted: the PR's code decides what it reports)";
  } else {
    return { source: "not run", note: "The PR's own code was not run here (--no-pr-code): run npm run review in the unprivileged job or locally to see the access diff it computes", stacks: [] };
  }
  const basePlans = judgedBy === "base" ? judgedBase : await planWithTreeCode(base.tree, base.project, regular(base).map((f) => ({ stack: f.stack, text: textOf(base.tree, f), path: f.entry.path })));
  const stacks: PrCodeStack[] = [];
  for (const stack of [...new Set([...basePlans.keys(), ...headPlans.keys()])].sort()) {
    const b = basePlans.get(stack);
    const h = headPlans.get(stack);
    const { result, changes, lifecycle } = await diffOutcomes(stack, b, h, { base: basePlans, head: headPlans });
    if (!h) stacks.push({ stack, status: "removed", errors: [], changes });
    else if (h.kind !== "planned") stacks.push({ stack, status: h.kind === "unreviewable" ? "unreviewable" : "invalid", errors: h.errors, changes: [] });
    else stacks.push({ stack, status: result!.passed ? "passed" : "failed", errors: result!.findings.filter((f) => !f.accepted).map((f) => f.message), changes, ...(lifecycle ? { lifecycle } : {}) });
  }
  return { source, note, stacks, plans: headPlans };
}
