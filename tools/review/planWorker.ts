/**
 * Child process of the review: plans stack files with another tree's program (its Pulumi.yaml
 * main), under this checkout's offline engine, and writes one document per stack into --out:
 * `<stack>.json`, an offline plan or a plan-error document with the stack's errors.
 * A team stack's platform stack file is read from beside the team's (planWithTreeCode writes it there).
 *   tsx tools/review/planWorker.ts --program <main> --project <name> --out <dir> <Pulumi.<stack>.yaml>...
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { loadProgram } from "../offline/plan";
import { PLAN_ERROR_KIND, planText } from "./plans";

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { program: { type: "string" }, project: { type: "string" }, out: { type: "string" } }, allowPositionals: true });
  const program = loadProgram(values.program!);
  for (const file of positionals) {
    const stack = /Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(basename(file))![1]!;
    // Planned from its own path, so a team stack finds its platform's stack file beside it; errors name the file alone.
    const outcome = await planText(readFileSync(file, "utf8"), { project: values.project!, stack, file }, program).catch((error: unknown) => ({
      kind: "invalid" as const,
      errors: [`the program failed: ${String((error as Error)?.message ?? error).split("\n")[0]}`],
    }));
    const doc = outcome.kind === "planned" ? outcome.plan : { kind: PLAN_ERROR_KIND, stack, errors: outcome.errors.map((e) => e.split(`${dirname(file)}/`).join("")) };
    writeFileSync(join(values.out!, `${stack}.json`), JSON.stringify(doc));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error)?.message ?? error)}\n`);
    process.exit(1);
  },
);
