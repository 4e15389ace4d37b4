/**
 * The review as a PR comment (Markdown), a JSON document or terminal text. The Markdown is exactly
 * what the comment carries: every value from config or from a tree is escaped (verify/markdown.ts),
 * and a comment holds at most 65,536 characters (GitHub's limit for an issue comment body), so it is
 * cut from the end, after the verdict, the code changes and the risky changes.
 */
import { changeSign, type AccessChange } from "../verify/diff";
import { htmlCode, mdCode, mdText } from "../verify/markdown";
import { lifecycleText, markdownBody, markdownChanges, toJson, toText } from "../verify/render";
import { lifecycleCount, lifecycleRiskyCount } from "../verify/lifecycle";
import { roleDataDates } from "../../components/internal/roleData";
import { AWS_CATALOGUE } from "../../components/internal/awsCatalogue";
import type { FileChange } from "./changes";
import type { CodeOf, PrCodeStack, Review, StackReview } from "./review";
import { newCrossStackFindings, newCrossStackRisks, type OrgReview } from "./org";
import { effectWords, moveWords, type Words } from "./orgWords";

/** GitHub refuses a comment body over 65,536 characters; the cut leaves room for its own note. */
export const COMMENT_MAX_CHARS = 65_536;

const short = (commit: string | undefined) => (commit ? ` (${commit.slice(0, 12)})` : "");
const at = (judged: Review["judgedByCommit"]) => (judged ? ` (${judged.dirty ? "uncommitted changes on " : ""}${judged.commit.slice(0, 12)})` : "");
const codeOf = (who: CodeOf) => (who === "base" ? "the base's code" : who === "head" ? "the head's code (this checkout is the head: the PR judges itself)" : "this checkout's code (neither the base's nor the head's)");

const STATUS: Record<StackReview["status"], string> = {
  passed: "✅ passed",
  failed: "❌ failed",
  invalid: "❌ does not plan",
  refused: "❌ refused",
  removed: "🗑️ removed",
  unreviewable: "⚠️ cannot be reviewed offline",
};

const MD_WORDS: Words = { code: mdCode, text: mdText };
const TEXT_WORDS: Words = { code: (v) => v, text: (v) => v };

/** An organisation's section: its stacks, what the platform's changes do to each team stack, and the PR's effects on other stacks. */
export function organisationLines(org: OrgReview, w: Words, md: boolean): string[] {
  const bullet = md ? "- " : "  ";
  const sub = md ? "  - " : "    ";
  const lines: string[] = [];
  lines.push(
    md ? `### Organisation: platform ${w.code(org.platform)} and its team stacks` : `=== organisation: platform ${org.platform} and its team stacks`,
    ...(md ? [""] : []),
    `Platform stack ${w.code(org.platform)}${org.platformFound ? "" : ` (${w.text(org.platformName)}): not found in this repository`}; team stacks reading it: ${org.teams.length ? org.teams.map(w.code).join(", ") : "none"}.`,
  );
  if (!org.platformFound) {
    lines.push(...(md ? [""] : []));
    for (const t of org.teams) lines.push(`${bullet}Team stack ${w.code(t)}: cannot be reviewed offline: platform ${w.text(org.platformName)} not found`);
    return lines;
  }
  if (org.contractChanges || org.teamEffects.length) {
    lines.push(...(md ? [""] : []), md ? "**The platform changes: what changes for each team stack** (each planned with the base's and with the head's platform)" : "the platform changes: what changes for each team stack (each planned with the base's and with the head's platform)", ...(md ? [""] : []));
    if (org.contractChanges?.length) lines.push(`${bullet}Platform contract: ${org.contractChanges.map(w.text).join("; ")}`);
    else if (org.contractChanges) lines.push(`${bullet}Platform contract: unchanged`);
    for (const t of org.teamEffects) {
      lines.push(`${bullet}Team stack ${w.code(t.stack)}${t.team ? ` (team ${w.code(t.team)})` : ""}:`);
      for (const e of t.effects) lines.push(`${sub}${effectWords(e, t.team ?? t.stack, w)}`);
    }
  }
  if (org.crossStack) {
    const cs = org.crossStack;
    const over =
      cs.stacks.length < 2
        ? "the organisation proof cannot run: fewer than two of its stacks plan in the head"
        : `the organisation proof over the head's ${cs.stacks.map(w.code).join(", ")}; only what the base does not have`;
    lines.push(...(md ? [""] : []), md ? `**Effects on other stacks** (${over})` : `effects on other stacks (${over})`, ...(md ? [""] : []));
    for (const s of cs.perStack) {
      if (s.findings.length === 0 && s.takeovers.length === 0 && s.quotas.length === 0) lines.push(`${bullet}${w.code(s.stack)}: no effect on other stacks`);
      if (s.findings.length) {
        lines.push(`${bullet}${w.code(s.stack)}: ❌ ${s.findings.length} new cross-stack finding${s.findings.length === 1 ? "" : "s"}:`);
        for (const f of s.findings) lines.push(`${sub}${w.text(f.message)}`);
      }
      if (s.takeovers.length) {
        lines.push(`${bullet}${w.code(s.stack)}: ⚠️ ${s.takeovers.length} new identity-admin grant${s.takeovers.length === 1 ? "" : "s"} reaching other stacks' identities:`);
        for (const t of s.takeovers) lines.push(`${sub}${w.text(t)}`);
      }
      if (s.quotas.length) {
        lines.push(`${bullet}${w.code(s.stack)}: ${s.quotas.length} quota${s.quotas.length === 1 ? "" : "s"} shared with other stacks now near or past ${s.quotas.length === 1 ? "its" : "their"} limit (advisories: raise a default quota before deploying):`);
        for (const q of s.quotas) lines.push(`${sub}${w.text(q)}`);
      }
    }
    for (const s of cs.leftOut) lines.push(`${bullet}${w.code(s)}: does not plan in the head, left out of the organisation proof`);
    if (cs.known) lines.push(`${bullet}${cs.known} cross-stack finding${cs.known === 1 ? "" : "s"} the base has too (not this PR's): npm run verify over these stacks lists them`);
    if (cs.moves.length) {
      const heading = `moves between stacks (${cs.moves.length}, risky: pulumi up moves no identity from one stack to another; deploy in the order given)`;
      lines.push(...(md ? [""] : []), md ? `**⚠️ Moves between stacks** (${cs.moves.length}: \`pulumi up\` moves no identity from one stack to another; deploy in the order given)` : heading, ...(md ? [""] : []));
      for (const m of cs.moves) lines.push(`${bullet}${moveWords(m, w)}`);
    }
  }
  return lines;
}

function verdictLine(review: Review): string {
  const crossStack = review.organisations.reduce((n, o) => n + newCrossStackFindings(o), 0);
  const risky = review.stacks.reduce((n, s) => n + stackRisky(s), 0) + review.organisations.reduce((n, o) => n + newCrossStackRisks(o), 0);
  const verdict = review.verdict === "passed" ? "✅ passed" : review.verdict === "failed" ? `❌ failed${review.needsCodeReview ? " · needs code review" : ""}` : "⚠️ needs code review";
  return `${verdict}${crossStack ? ` · ❌ ${crossStack} new cross-stack finding${crossStack === 1 ? "" : "s"}` : ""}${risky ? ` · ⚠️ ${risky} risky change${risky === 1 ? "" : "s"} to read` : ""}`;
}

function riskyCount(changes: readonly AccessChange[]): number {
  return changes.filter((c) => c.risk).length;
}

/** A stack's risky access changes, and the identities pulumi up would replace or delete, listed with them. */
const stackRisky = (s: StackReview) => riskyCount(s.changes) + lifecycleRiskyCount(s.lifecycle);

function codeChangeLines(changes: readonly FileChange[]): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    lines.push(`- ${mdCode(c.path)} (${c.change === "kind-changed" ? "changed kind" : c.change}): ${mdText(c.meaning)}`);
    for (const d of c.details ?? []) lines.push(`  - ${mdText(d)}`);
  }
  return lines;
}

function prCodeSection(review: Review): string[] {
  const pr = review.prCode;
  if (!pr) return [];
  const lines = ["", "#### Access diff as computed by the PR's own code", "", `_${mdText(pr.note)}. Against the base's code over the base's stack files: what the PR would change once deployed._`];
  for (const s of pr.stacks) {
    lines.push("", `##### ${mdCode(s.stack)}: ${prStatus(s)}`, "");
    if (s.status !== "invalid" && s.status !== "unreviewable") lines.push(...markdownChanges(s.changes, "Access changes as the PR's code plans them", "The PR's code changes nothing in this stack's access.", s.lifecycle));
    if (s.errors.length) {
      if (s.status === "failed") lines.push("", "**Findings**", "");
      for (const e of s.errors) lines.push(`- ${mdText(e)}`);
    }
  }
  return lines;
}

const prStatus = (s: PrCodeStack) =>
  s.status === "invalid" ? "❌ does not plan" : s.status === "unreviewable" ? STATUS.unreviewable : s.status === "removed" ? "🗑️ removed" : s.status === "passed" ? "✅ passed" : "❌ failed";

function stackSection(review: Review, s: StackReview, maxServiceRows: number): string[] {
  const lines = ["", `### Stack ${mdCode(s.stack)}: ${s.isNew && s.status !== "removed" ? "🆕 new stack · " : ""}${STATUS[s.status]}`, ""];
  if (s.isNew && s.status !== "removed") lines.push("A new stack, reviewed against an empty base: every service and grant is shown as added.", "");
  for (const n of s.notes) lines.push(`_Note: ${mdText(n)}._`, "");
  if (s.status === "invalid" || s.status === "refused" || s.status === "unreviewable") {
    lines.push(
      s.status === "invalid" ? "The head's stack file does not plan: `pulumi up` would stop with these errors." : s.status === "refused" ? "The head's stack file was not read:" : "A team stack is planned with its platform's stack file, which this repository does not hold:",
      "",
    );
    for (const e of s.errors) lines.push(`- ${mdText(e)}`);
    return lines;
  }
  if (s.status === "removed") {
    lines.push(
      "The head has no stack file for this stack: it can no longer be updated from this repository, and its resources stay deployed until `pulumi destroy` runs on it, which deletes what it holds:",
      "",
      ...markdownChanges(s.changes, "What the stack holds (lost on pulumi destroy)"),
    );
    return lines;
  }
  // With code changes, "no access changes" would be untrue: only the stack file is unchanged.
  const none = review.needsCodeReview ? "The stack file changes nothing here; the code changes above are not covered by this verdict." : "No access changes in this PR.";
  const body = markdownBody(s.result!, s.changes, { maxServiceRows, none, ...(s.lifecycle ? { lifecycle: s.lifecycle } : {}) });
  // A stack the PR leaves as it was, and that passes, folds away: the reviewer reads what changes.
  if (s.status === "passed" && s.changes.length === 0 && lifecycleCount(s.lifecycle) === 0 && !s.isNew && s.notes.length === 0) {
    const unchanged = review.needsCodeReview ? "stack file unchanged (the code changes above are not covered)" : "no access changes";
    return ["", `<details><summary>Stack ${htmlCode(s.stack)}: ${STATUS[s.status]}, ${unchanged}</summary>`, "", body, "", "</details>"];
  }
  lines.push(body);
  return lines;
}

export function reviewMarkdown(review: Review, maxServiceRows = 100): string {
  const lines: string[] = [];
  lines.push(`## Okta federation access review: ${verdictLine(review)}`, "");
  lines.push(`Base ${mdCode(review.base.label)}${short(review.base.commit)} → head ${mdCode(review.head.label)}${short(review.head.commit)}. The stack files were read as data and judged by ${codeOf(review.judgedBy)}${at(review.judgedByCommit)}.`);
  if (review.verdict === "needs code review" || (review.verdict === "failed" && review.needsCodeReview)) {
    lines.push("", "**This PR changes code outside its stack files.** The verdict on the stack files does not cover it: a maintainer must review the code itself before it is merged or deployed.");
  }
  for (const p of review.problems) lines.push("", `❌ ${mdText(p)}`);
  const deploy = review.codeChanges.filter((c) => c.affectsDeploy);
  const other = review.codeChanges.filter((c) => !c.affectsDeploy);
  if (deploy.length) {
    lines.push("", `### ⚠️ Code changes outside stack files (${deploy.length})`, "");
    lines.push(...codeChangeLines(deploy));
    lines.push(...prCodeSection(review));
  }
  if (other.length) lines.push("", `Also changed, not run by \`pulumi up\` (${other.length}): ${other.map((c) => `${mdCode(c.path)} (${mdText(c.meaning)})`).join(", ")}.`);
  lines.push("", `**Every stack of the base and the head**, judged by ${review.judgedBy === "base" ? "the base's code" : "this checkout's code"}:`, "", "| Stack | Status | Access changes | Risky |", "|---|---|---|---|");
  // The organisation proof's new findings, per stack (the stack may pass on its own).
  const crossStack = new Map<string, number>();
  for (const o of review.organisations) for (const p of o.crossStack?.perStack ?? []) if (p.findings.length) crossStack.set(p.stack, (crossStack.get(p.stack) ?? 0) + p.findings.length);
  for (const s of review.stacks) {
    const cross = crossStack.get(s.stack);
    const status = `${s.isNew && s.status !== "removed" ? "🆕 new · " : ""}${STATUS[s.status]}${cross ? ` · ❌ ${cross} new cross-stack finding${cross === 1 ? "" : "s"}` : ""}`;
    const counted = s.status === "invalid" || s.status === "refused" || s.status === "unreviewable" ? "—" : String(s.changes.length);
    lines.push(`| ${mdCode(s.stack)} | ${status} | ${counted} | ${stackRisky(s) ? `⚠️ ${stackRisky(s)}` : "0"} |`);
  }
  if (review.stacks.length === 0) lines.push("| (none) | no stack files in the base or the head | | |");
  for (const org of review.organisations) lines.push("", ...organisationLines(org, MD_WORDS, true));
  for (const s of review.stacks) lines.push(...stackSection(review, s, maxServiceRows));
  lines.push("", "---", "_Generated by `npm run review`. Run it before you push: `npm run review -- --base origin/main --head .`_");
  // The dates of the role data the names were checked against (components/internal/data/README.md),
  // and of the IAM action catalogue inline policies' actions were checked against (awsCatalogue.ts).
  lines.push(`_role data: ${roleDataDates()}; IAM action catalogue ${AWS_CATALOGUE.date}_`);
  return lines.join("\n");
}

/** The Markdown, made to fit one PR comment: fewer service rows first, then cut from the end. */
export function reviewComment(review: Review): string {
  let text = reviewMarkdown(review);
  if (text.length > COMMENT_MAX_CHARS) text = reviewMarkdown(review, 10);
  if (text.length <= COMMENT_MAX_CHARS) return text;
  const note = "\n\n_… cut here: a PR comment holds at most 65,536 characters. The job summary and `npm run review -- --json` have the whole review._";
  const cut = text.lastIndexOf("\n", COMMENT_MAX_CHARS - note.length);
  return `${text.slice(0, cut)}${note}`;
}

export function reviewJson(review: Review): Record<string, unknown> {
  return {
    kind: "okta-federation/review",
    version: 1,
    verdict: review.verdict,
    base: review.base,
    head: review.head,
    judgedBy: review.judgedBy,
    ...(review.judgedByCommit ? { judgedByCommit: review.judgedByCommit } : {}),
    needsCodeReview: review.needsCodeReview,
    codeChanges: review.codeChanges,
    problems: review.problems,
    stacks: review.stacks.map((s) => ({
      stack: s.stack,
      status: s.status,
      isNew: s.isNew,
      notes: s.notes,
      errors: s.errors,
      changes: s.changes,
      ...(s.lifecycle ? { lifecycle: toJson(s.result!, undefined, s.lifecycle).lifecycle } : {}),
      ...(s.result ? { verify: toJson(s.result) } : {}),
    })),
    organisations: review.organisations.map((o) => ({ ...o, lines: organisationLines(o, TEXT_WORDS, false) })),
    ...(review.prCode ? { prCode: { source: review.prCode.source, note: review.prCode.note, stacks: review.prCode.stacks } } : {}),
  };
}

export function reviewText(review: Review): string {
  const lines: string[] = [];
  lines.push(`ACCESS REVIEW  base ${review.base.label}${short(review.base.commit)} -> head ${review.head.label}${short(review.head.commit)}: ${review.verdict.toUpperCase()}`);
  lines.push(`stack files judged by ${codeOf(review.judgedBy)}${at(review.judgedByCommit)}`);
  for (const p of review.problems) lines.push(`problem: ${p}`);
  const deploy = review.codeChanges.filter((c) => c.affectsDeploy);
  if (deploy.length) {
    lines.push("", `CODE CHANGES OUTSIDE STACK FILES (${deploy.length}): not covered by the verdict; review the code`);
    for (const c of deploy) {
      lines.push(`  ${c.path} (${c.change}): ${c.meaning}`);
      for (const d of c.details ?? []) lines.push(`    ${d}`);
    }
    if (review.prCode) {
      lines.push("", `Access diff as computed by the PR's own code: ${review.prCode.note}`);
      for (const s of review.prCode.stacks) {
        lines.push(`  stack ${s.stack}: ${s.status}`);
        for (const e of s.errors) lines.push(`    - ${e}`);
        for (const c of sortRisky(s.changes)) lines.push(`    ${changeSign(c)}${c.risk ? "!" : " "} ${c.message}${c.risk ? `\n         risky: ${c.risk}` : ""}`);
        lines.push(...lifecycleText(s.lifecycle, "    "));
      }
    }
  }
  for (const org of review.organisations) lines.push("", ...organisationLines(org, TEXT_WORDS, false));
  for (const s of review.stacks) {
    lines.push("", `=== stack ${s.stack}: ${s.isNew && s.status !== "removed" ? "new, " : ""}${s.status}`);
    for (const n of s.notes) lines.push(`note: ${n}`);
    for (const e of s.errors) lines.push(`  - ${e}`);
    if (s.status === "removed") for (const c of s.changes) lines.push(`  ${changeSign(c)}  ${c.message}`);
    if (s.result) lines.push(toText(s.result, s.changes, {}, s.lifecycle));
  }
  return lines.join("\n");
}

const sortRisky = (changes: readonly AccessChange[]) => [...changes.filter((c) => c.risk), ...changes.filter((c) => !c.risk)];
