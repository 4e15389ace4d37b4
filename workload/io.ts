/**
 * What every command does with its arguments, output and exit: commands take their arguments and
 * output streams as parameters (so tests run them in-process), a user's mistake is one clear line
 * on stderr and a documented exit code, and only a bug in the kit prints a trace. No Pulumi here:
 * the workload's commands use it as much as the repository's.
 */
import { parseArgs } from "node:util";
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

/** Runs a command as the program (with the process's arguments and streams) and exits with its code. */
export function runCommand(main: Command, argv: readonly string[] = process.argv.slice(2)): void {
  main(argv, processIo).then(
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
  options: { readonly positionals?: boolean } = {},
): { values: V; positionals: string[] } | { exit: number } {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options: { ...flags, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: options.positionals ?? false }));
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n${usage}\n`);
    return { exit: 2 };
  }
  if (values.help) {
    io.stdout(`${usage}\n`);
    return { exit: 0 };
  }
  return { values: values as V, positionals };
}
