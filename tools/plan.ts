/**
 * `npm run plan -- --stack <name> [--json] [--program <file>]`: what `pulumi up` would create for a
 * stack, computed offline by running the real stack program in-process (or, with --program, another
 * program file). Exit codes: 0 planned, 1 invalid config or program error, 2 usage error or unknown
 * stack.
 */
import { parseFlags, reportUserError, runCommand, type Io } from "./cli";
import { resolve } from "node:path";
import { loadProgram, planStack, planToJson, planToText } from "./offline/plan";
import { loadStackFile } from "./offline/stackFile";

const USAGE = "usage: npm run plan -- --stack <name> | --stack-file <path> [--json] [--program <file>]";

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags<{ stack?: string; "stack-file"?: string; json?: boolean; program?: string }>(
    argv,
    { stack: { type: "string", short: "s" }, "stack-file": { type: "string" }, json: { type: "boolean" }, program: { type: "string" } },
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
    // --program: another Pulumi program than this repository's (the review runs a pull request's own
    // code this way, in a process of its own).
    const program = values.program !== undefined ? loadProgram(resolve(values.program)) : undefined;
    const plan = await planStack(values["stack-file"] !== undefined ? loadStackFile(values["stack-file"]) : values.stack!, program);
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
