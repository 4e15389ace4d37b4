/**
 * `npm run plan -- --stack <name> [--json]`: what `pulumi up` would create for a stack, computed
 * offline by running the real stack program in-process. Exit codes: 0 planned, 1 invalid config or
 * program error, 2 usage error or unknown stack.
 */
import { parseFlags, reportUserError, runCommand } from "./cli";
import { planStack, planToJson, planToText } from "./offline/plan";

const USAGE = "usage: npm run plan -- --stack <name> [--json]";

async function main(): Promise<number> {
  const parsed = parseFlags<{ stack?: string; json?: boolean }>({ stack: { type: "string", short: "s" }, json: { type: "boolean" } }, USAGE);
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
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
