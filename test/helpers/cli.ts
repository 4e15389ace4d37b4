/** Runs a kit command in-process, as its program would, capturing what it writes. */
import type { Command } from "../../tools/cli";

export async function runCli(main: Command, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) });
  return { code, stdout, stderr };
}
