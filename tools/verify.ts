/**
 * `npm run verify -- --stack <name> [--json | --markdown] [--base base-plan.json]`: proves the trust
 * before deploy. Runs the offline plan, reads the trust from the registered resources, simulates
 * each service's token and checks every cloud target. Exit codes: 0 passed, 1 findings or invalid
 * config, 2 usage error or unknown stack.
 */
import { readFileSync } from "node:fs";
import { planStack, planToJson } from "./offline/plan";
import { accessDiff } from "./verify/diff";
import { extractModel, type PlanDocument } from "./verify/model";
import { toJson, toMarkdown, toText } from "./verify/render";
import { verifyModel } from "./verify/verify";
import { parseFlags, reportUserError, runCommand } from "./cli";

const USAGE = "usage: npm run verify -- --stack <name> [--json | --markdown] [--base base-plan.json]";

async function main(): Promise<number> {
  const parsed = parseFlags<{ stack?: string; json?: boolean; markdown?: boolean; base?: string }>(
    { stack: { type: "string", short: "s" }, json: { type: "boolean" }, markdown: { type: "boolean" }, base: { type: "string" } },
    USAGE,
  );
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
  if (!values.stack || (values.json && values.markdown)) {
    process.stderr.write(`error: ${values.stack ? "choose one of --json and --markdown" : "--stack is required"}\n${USAGE}\n`);
    return 2;
  }
  try {
    const plan = planToJson(await planStack(values.stack)) as unknown as PlanDocument;
    const model = extractModel(plan);
    const result = await verifyModel(model);
    let changes;
    if (values.base) {
      let basePlan: PlanDocument;
      try {
        basePlan = JSON.parse(readFileSync(values.base, "utf8")) as PlanDocument;
      } catch (error) {
        process.stderr.write(`error: cannot read base plan ${values.base}: ${(error as Error).message}\n`);
        return 2;
      }
      const baseModel = extractModel(basePlan);
      changes = accessDiff({ model: baseModel, result: await verifyModel(baseModel) }, { model, result });
    }
    const out = values.json ? JSON.stringify(toJson(result, changes), null, 2) : values.markdown ? toMarkdown(result, changes) : toText(result, changes);
    process.stdout.write(`${out}\n`);
    return result.passed ? 0 : 1;
  } catch (error) {
    const code = reportUserError(error, values.stack);
    if (code === undefined) throw error;
    return code;
  }
}

runCommand(main);
