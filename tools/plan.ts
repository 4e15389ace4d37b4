/**
 * `npm run plan -- --stack <name> [--json]`: what `pulumi up` would create for a stack, computed
 * offline by running the real stack program in-process. Exit codes: 0 planned, 1 invalid config or
 * program error, 2 usage error or unknown stack.
 */
import { parseFlags, reportUserError, runCommand, type Io } from "./cli";
import { planStack, planToJson, planToText } from "./offline/plan";
import { loadStackFile } from "./offline/stackFile";

const USAGE = "usage: npm run plan -- --stack <name> | --stack-file <path> [--json]";

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags<{ stack?: string; "stack-file"?: string; json?: boolean }>(
    argv,
    { stack: { type: "string", short: "s" }, "stack-file": { type: "string" }, json: { type: "boolean" } },
    USAGE,
    io,
  );
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
  if (!values.stack === !values["stack-file"]) {
    io.stderr(`error: ${values.stack ? "choose one of --stack and --stack-file" : "--stack is required"}\n${USAGE}\n`);
    return 2;
  }
  try {
    const plan = await planStack(values["stack-file"] !== undefined ? loadStackFile(values["stack-file"]) : values.stack!);
    io.stdout(values.json ? `${JSON.stringify(planToJson(plan), null, 2)}\n` : `${planToText(plan)}\n`);
    return 0;
  } catch (error) {
    const code = reportUserError(error, values.stack ?? values["stack-file"], io);
    if (code === undefined) throw error;
    return code;
  }
}

// Run only as a program (tsx tools/plan.ts), not when imported (tests run main in-process).
if (require.main === module) runCommand(main);
