/**
 * `npm run review -- --base <git ref | dir> --head <git ref | dir> [--markdown | --json]
 * [--pr-code-plans <dir> | --no-pr-code] [--save-pr-code-plans <dir>] [--repo <dir>]`: the access review of a pull
 * request, exactly as its PR comment carries it (--markdown). Every stack of the base and the head is
 * judged by this checkout's code over the stack files (read as data; only regular files); changes
 * outside stack files are named first, with the access diff the PR's own code computes (run here,
 * or read from plans it wrote). Exit codes: 0 passed, 1 findings or needs code review, 2 usage error
 * or a tree that cannot be opened.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseFlags, runCommand, type Io } from "./cli";
import { PLAN_ERROR_KIND } from "./review/plans";
import { reviewComment, reviewJson, reviewText } from "./review/render";
import { reviewTrees, type ReviewOptions } from "./review/review";
import { openTree, TreeError } from "./review/tree";

const USAGE =
  "usage: npm run review -- --base <git ref | dir> --head <git ref | dir> [--markdown | --json] [--pr-code-plans <dir> | --no-pr-code] [--save-pr-code-plans <dir>] [--repo <git repository for refs>]";

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags<{ base?: string; head?: string; markdown?: boolean; json?: boolean; "pr-code-plans"?: string; "no-pr-code"?: boolean; "save-pr-code-plans"?: string; repo?: string }>(
    argv,
    {
      base: { type: "string" },
      head: { type: "string" },
      markdown: { type: "boolean" },
      json: { type: "boolean" },
      "pr-code-plans": { type: "string" },
      "no-pr-code": { type: "boolean" },
      "save-pr-code-plans": { type: "string" },
      repo: { type: "string" },
    },
    USAGE,
    io,
  );
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
  const problem =
    !values.base || !values.head
      ? "--base and --head are required"
      : values.markdown && values.json
        ? "choose one of --markdown and --json"
        : values["pr-code-plans"] && values["no-pr-code"]
          ? "choose one of --pr-code-plans and --no-pr-code"
          : values["save-pr-code-plans"] && (values["pr-code-plans"] || values["no-pr-code"])
            ? "--save-pr-code-plans saves the plans the PR's code computes here: not with --pr-code-plans or --no-pr-code"
            : undefined;
  if (problem) {
    io.stderr(`error: ${problem}\n${USAGE}\n`);
    return 2;
  }
  const prCode: ReviewOptions["prCode"] = values["pr-code-plans"] ? { plansDir: values["pr-code-plans"] } : values["no-pr-code"] ? "skip" : "run";
  let review;
  try {
    // Refs are read from this repository (the current folder's by default); folders are read as they are.
    const repo = values.repo ?? process.cwd();
    review = await reviewTrees(openTree(values.base!, repo), openTree(values.head!, repo), { prCode });
  } catch (error) {
    if (error instanceof TreeError) {
      io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const save = values["save-pr-code-plans"];
  if (save) {
    // The head's plans as its code wrote them, for the privileged job to read as untrusted data.
    mkdirSync(save, { recursive: true });
    for (const [stack, outcome] of review.prCode?.plans ?? []) {
      writeFileSync(join(save, `${stack}.json`), JSON.stringify(outcome.kind === "planned" ? outcome.plan : { kind: PLAN_ERROR_KIND, stack, errors: outcome.errors }));
    }
  }
  const out = values.json ? JSON.stringify(reviewJson(review), null, 2) : values.markdown ? reviewComment(review) : reviewText(review);
  io.stdout(`${out}\n`);
  return review.verdict === "passed" ? 0 : 1;
}

// Run only as a program (tsx tools/review.ts), not when imported (tests run main in-process).
if (require.main === module) runCommand(main);
