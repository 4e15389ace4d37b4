/**
 * `npm run verify -- --stack <name> | --stack-file <path> | --plan plan.json [--json | --markdown]
 * [--base base-plan.json [--allow-other-stack]]`: proves the trust before deploy. Runs the offline
 * plan (or reads one written by `plan --json`), reads the trust from the registered resources,
 * simulates each service's token and checks every cloud target.
 * Exit codes: 0 passed, 1 findings or invalid config, 2 usage error, unknown stack or unusable base plan.
 */
import { readFileSync } from "node:fs";
import { planStack, planToJson } from "./offline/plan";
import { loadStackFile } from "./offline/stackFile";
import { accessDiff } from "./verify/diff";
import { extractModel, type PlanDocument } from "./verify/model";
import { toJson, toMarkdown, toText } from "./verify/render";
import { verifyModel } from "./verify/verify";
import { parseFlags, reportUserError, runCommand, type Io } from "./cli";

const USAGE =
  "usage: npm run verify -- --stack <name> | --stack-file <path> | --plan plan.json [--json | --markdown] [--base base-plan.json [--allow-other-stack]]";
const PLAN_KIND = "okta-federation/offline-plan";
const MAKE_BASE = (stack: string | undefined, file = "base-plan.json") => `npm run -s plan -- --stack ${stack ?? "<name>"} --json > ${file}`;

/** A base plan that cannot be used: one line for the user, exit code 2. */
export class BasePlanError extends Error {}

/**
 * Reads a base plan for the access diff, refusing anything that is not an offline plan of this
 * stack (another stack only with `allowOtherStack`, then with a warning).
 */
export function readBasePlan(path: string, stack: string | undefined, allowOtherStack: boolean, io: Io, what = "base plan"): PlanDocument {
  const make = (s: string | undefined) => MAKE_BASE(s, what === "base plan" ? "base-plan.json" : "plan.json");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new BasePlanError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const trimmed = text.trimStart();
  if (/^> /.test(trimmed)) {
    throw new BasePlanError(`${what} ${path} starts with npm's banner ("${trimmed.split("\n")[0]}"), not JSON: write it with -s, e.g. ${make(stack)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new BasePlanError(`${what} ${path} is not JSON: write it with ${make(stack)}`);
  }
  const record = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
  if (record.kind === "okta-federation/verify") {
    throw new BasePlanError(`${what} ${path} is verify's output, not a plan: write the base with ${make(stack)}`);
  }
  if (record.kind !== PLAN_KIND || !Array.isArray(record.resources) || typeof record.stack !== "string") {
    throw new BasePlanError(`${what} ${path} is not an offline plan (kind ${PLAN_KIND} with stack and resources): write it with ${make(stack)}`);
  }
  if (stack !== undefined && record.stack !== stack) {
    if (!allowOtherStack) throw new BasePlanError(`base plan ${path} is a plan of stack ${record.stack}, not ${stack}; pass --allow-other-stack to compare them anyway`);
    io.stderr(`warning: comparing stack ${stack} with a base plan of stack ${record.stack} (--allow-other-stack)\n`);
  }
  return doc as PlanDocument;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags<{ stack?: string; "stack-file"?: string; plan?: string; json?: boolean; markdown?: boolean; base?: string; "allow-other-stack"?: boolean }>(
    argv,
    {
      stack: { type: "string", short: "s" },
      "stack-file": { type: "string" },
      plan: { type: "string" },
      json: { type: "boolean" },
      markdown: { type: "boolean" },
      base: { type: "string" },
      "allow-other-stack": { type: "boolean" },
    },
    USAGE,
    io,
  );
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
  const sources = [values.stack, values["stack-file"], values.plan].filter((v) => v !== undefined).length;
  const problem =
    sources === 0
      ? "--stack is required"
      : sources > 1
        ? "choose one of --stack, --stack-file and --plan"
        : values.json && values.markdown
          ? "choose one of --json and --markdown"
          : values["allow-other-stack"] && !values.base
            ? "--allow-other-stack applies to --base only"
            : undefined;
  if (problem) {
    io.stderr(`error: ${problem}\n${USAGE}\n`);
    return 2;
  }
  let stack = values.stack;
  try {
    let plan: PlanDocument;
    if (values.plan !== undefined) {
      // A plan written earlier (plan --json): the proof alone, without planning again.
      plan = readBasePlan(values.plan, undefined, false, io, "plan");
      stack = plan.stack;
    } else {
      const loaded = values["stack-file"] !== undefined ? loadStackFile(values["stack-file"]) : values.stack!;
      stack = typeof loaded === "string" ? loaded : loaded.stack;
      plan = planToJson(await planStack(loaded)) as unknown as PlanDocument;
    }
    const model = extractModel(plan);
    const result = await verifyModel(model);
    let changes;
    if (values.base) {
      const basePlan = readBasePlan(values.base, plan.stack, Boolean(values["allow-other-stack"]), io);
      let baseModel;
      try {
        baseModel = extractModel(basePlan);
      } catch (error) {
        throw new BasePlanError(`base plan ${values.base} cannot be read as a federation: ${(error as Error).message}`);
      }
      changes = accessDiff({ model: baseModel, result: await verifyModel(baseModel) }, { model, result });
    }
    const out = values.json ? JSON.stringify(toJson(result, changes), null, 2) : values.markdown ? toMarkdown(result, changes) : toText(result, changes);
    io.stdout(`${out}\n`);
    return result.passed ? 0 : 1;
  } catch (error) {
    if (error instanceof BasePlanError) {
      io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    const code = reportUserError(error, stack, io);
    if (code === undefined) throw error;
    return code;
  }
}

// Run only as a program (tsx tools/verify.ts), not when imported (tests run main in-process).
if (require.main === module) runCommand(main);
