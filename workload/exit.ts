/**
 * Exiting a command without losing output. Its own module, without Pulumi, so that the lean
 * workload commands (`okta-federation token`) use it too.
 */

/**
 * Exits with `code` once stdout and stderr have taken everything written to them. When stdout is a
 * pipe (`npm run plan -- --json | jq`), Node may still be writing the output asynchronously, and a
 * bare `process.exit` cut it off at the pipe's 64 KiB buffer.
 */
export async function exitAfterFlush(code: number): Promise<never> {
  // A write's callback runs after everything written before it has been handed to the OS.
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write("", () => resolve()))));
  process.exit(code);
}
