/**
 * What every command of the kit does with its arguments, output and errors: a user's mistake
 * (unknown stack, invalid config, usage) is one clear message on stderr and a documented exit code,
 * never a stack trace; only a bug in the kit prints a trace, marked as such. Commands take their
 * arguments and output streams as parameters, so tests run them in-process.
 */
import { parseArgs } from "node:util";
import { ProgramError } from "./offline/engine";
import { StackFileError } from "./offline/stackFile";
import { exitAfterFlush } from "./exit";

/** Where a command writes. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The process's own streams. */
export const processIo: Io = { stdout: (text) => void process.stdout.write(text), stderr: (text) => void process.stderr.write(text) };

/** A command: arguments in, exit code out. */
export type Command = (argv: readonly string[], io: Io) => Promise<number>;

/** Exit code of an error a user can fix, or undefined for one the command does not know. */
export function reportUserError(error: unknown, stack: string | undefined, io: Io): number | undefined {
  if (error instanceof StackFileError) {
    const details = error.problems.map((p) => `\n  - ${p.path}: ${p.message}`).join("");
    io.stderr(`error: ${error.message}${details}\n`);
    return error.problems.length > 0 ? 1 : 2;
  }
  if (error instanceof ProgramError) {
    io.stderr(`error: stack ${stack}: ${error.message}\n`);
    return 1;
  }
  return undefined;
}

/** Runs a command as the program (with the process's arguments and streams) and exits with its code. */
export function runCommand(main: Command): void {
  main(process.argv.slice(2), processIo).then(
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
export function parseFlags<V extends Record<string, string | boolean | undefined>>(
  argv: readonly string[],
  flags: Flags,
  usage: string,
  io: Io,
): { values: V } | { exit: number } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: { ...flags, help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n${usage}\n`);
    return { exit: 2 };
  }
  if (values.help) {
    io.stdout(`${usage}\n`);
    return { exit: 0 };
  }
  return { values: values as V };
}
