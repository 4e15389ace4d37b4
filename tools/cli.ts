/**
 * The repository's commands (plan, verify, credentials from a stack) share the workload's command
 * plumbing (workload/io.ts) and add what only they meet: stack files and the offline engine.
 */
import { ProgramError } from "./offline/engine";
import { StackFileError } from "./offline/stackFile";
import type { Io } from "../workload/io";

export { parseFlags, processIo, runCommand, type Command, type Io } from "../workload/io";

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
