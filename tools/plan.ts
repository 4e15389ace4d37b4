/**
 * `npm run plan -- --stack <name> [--json]`: what `pulumi up` would create for a stack, computed
 * offline by running the real stack program in-process. Exit codes: 0 planned, 1 invalid config or
 * program error, 2 usage error or unknown stack.
 */
import { parseArgs } from "node:util";
import { ProgramError } from "./offline/engine";
import { planStack, planToJson, planToText } from "./offline/plan";
import { StackFileError } from "./offline/stackFile";

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
    if (error instanceof StackFileError) {
      const details = error.problems.map((p) => `\n  - ${p.path}: ${p.message}`).join("");
      process.stderr.write(`error: ${error.message}${details}\n`);
      return error.problems.length > 0 ? 1 : 2;
    }
    if (error instanceof ProgramError) {
      process.stderr.write(`error: stack ${values.stack}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    // Only a bug in the kit gets here; say so, with the trace that helps fix it.
    process.stderr.write(`internal error (please report): ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(3);
  },
);
