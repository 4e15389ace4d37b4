/**
 * What every command of the kit does with errors: a user's mistake (unknown stack, invalid config,
 * usage) is one clear message on stderr and a documented exit code, never a stack trace; only a
 * bug in the kit prints a trace, marked as such.
 */
import { parseArgs } from "node:util";
import { ProgramError } from "./offline/engine";
import { StackFileError } from "./offline/stackFile";
import { exitAfterFlush } from "./exit";

/** Exit code of an error a user can fix, or undefined for one the command does not know. */
export function reportUserError(error: unknown, stack: string | undefined): number | undefined {
  if (error instanceof StackFileError) {
    const details = error.problems.map((p) => `\n  - ${p.path}: ${p.message}`).join("");
    process.stderr.write(`error: ${error.message}${details}\n`);
    return error.problems.length > 0 ? 1 : 2;
  }
  if (error instanceof ProgramError) {
    process.stderr.write(`error: stack ${stack}: ${error.message}\n`);
    return 1;
  }
  return undefined;
}

/** Runs a command's main function and exits with its code. */
export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => exitAfterFlush(code),
    (error) => {
      // Only a bug in the kit gets here; say so, with the trace that helps fix it.
      process.stderr.write(`internal error (please report): ${(error as Error)?.stack ?? String(error)}\n`);
      return exitAfterFlush(3);
    },
  );
}

type Flags = Record<string, { type: "string" | "boolean"; short?: string }>;

/**
 * Parses a command's flags (plus --help). Returns the values, or the exit code when the command
 * should stop: 0 after printing the usage for --help, 2 after a usage error.
 */
export function parseFlags<V extends Record<string, string | boolean | undefined>>(flags: Flags, usage: string): { values: V } | { exit: number } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ options: { ...flags, help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n${usage}\n`);
    return { exit: 2 };
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return { exit: 0 };
  }
  return { values: values as V };
}
