/** For the tests of npm run new-env (test/tools/new-env*.test.ts): a project folder and the command run in it. */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../tools/offline/stackFile";
import { main } from "../../tools/new-env";
import { fixtureText } from "./stacks";

/** A temporary project: this repository's Pulumi.yaml and the given fixture stacks in stacks/. */
export function projectWith(stacks: readonly string[]): string {
  const root = mkdtempSync(join(tmpdir(), "oktafed-new-env-"));
  copyFileSync(join(PROJECT_ROOT, "Pulumi.yaml"), join(root, "Pulumi.yaml"));
  mkdirSync(join(root, "stacks"));
  for (const stack of stacks) writeFileSync(join(root, "stacks", `Pulumi.${stack}.yaml`), fixtureText(stack));
  return root;
}

/** npm run new-env in `root`, with what it wrote. */
export async function runNewEnv(root: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, root);
  return { code, stdout, stderr };
}

/** Every string in a value. */
export const strings = (value: unknown): string[] =>
  typeof value === "string" ? [value] : Array.isArray(value) ? value.flatMap(strings) : value && typeof value === "object" ? Object.values(value).flatMap(strings) : [];
