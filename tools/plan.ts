/**
 * `npm run plan -- --stack <name> [--json]`: what `pulumi up` would create for a stack, computed
 * offline by running the real stack program in-process. Exit codes: 0 planned, 1 invalid config or
 * program error, 2 usage error or unknown stack.
 */
import { parseArgs } from "node:util";
import { reportUserError, runCommand } from "./cli";
import { planStack, planToJson, planToText } from "./offline/plan";

const USAGE = "usage: npm run plan -- --stack <name> [--json]";

async function main(): Promise<number> {
  let values: { stack?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { stack: { type: "string", short: "s" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.stack) {
    process.stderr.write(`error: --stack is required\n${USAGE}\n`);
    return 2;
  }
  try {
    const plan = await planStack(values.stack);
    process.stdout.write(values.json ? `${JSON.stringify(planToJson(plan), null, 2)}\n` : `${planToText(plan)}\n`);
    return 0;
  } catch (error) {
    const code = reportUserError(error, values.stack);
    if (code === undefined) throw error;
    return code;
  }
}

runCommand(main);
