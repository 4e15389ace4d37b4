/**
 * The offline engine for `npm run org -- --offline`: each stack planned by the offline plan
 * (tools/offline/plan.ts), which plans a team's platform itself and hands the team its outputs. No
 * Pulumi CLI, no credentials, nothing deployed: `up` plans as `preview` does. One stack at a time:
 * an offline run resets the Pulumi runtime's process-global state.
 */
import { ProgramError } from "../offline/engine";
import { planStack } from "../offline/plan";
import { loadStackFile, PROJECT_ROOT, StackFileError } from "../offline/stackFile";
import type { DiscoveredStack } from "./discover";
import type { OrderedStack } from "./order";
import type { Engine, EngineResult } from "./run";

/** The error's lines: its message, then each config problem (paths and messages, never values). */
export function offlineErrorLines(error: unknown): string[] {
  if (error instanceof StackFileError) return [error.message, ...error.problems.map((p) => `- ${p.path}: ${p.message}`)];
  if (error instanceof ProgramError) return error.message.split("\n").filter((l) => l.trim() !== "");
  return [`${(error as Error)?.name ?? "Error"}: ${(error as Error)?.message ?? String(error)}`];
}

/** The offline engine over the discovered stacks' files, for the project at `root`. */
export function offlineEngine(stacks: readonly DiscoveredStack[], root = PROJECT_ROOT): Engine {
  const fileOf = new Map(stacks.map((s) => [s.name, s.file] as const));
  return {
    name: "offline",
    description: "offline plan: the stack program in-process against a mock engine; nothing is deployed, no Pulumi CLI",
    maxParallel: 1,
    async run(stack: OrderedStack, _operation, onStep): Promise<EngineResult> {
      const file = fileOf.get(stack.name);
      try {
        if (file === undefined) throw new StackFileError(`no stack file for stack ${stack.name}`);
        const plan = await planStack(loadStackFile(file, root));
        const changes: Record<string, number> = {};
        for (const r of plan.resources) {
          const op = r.read ? "read" : "create";
          changes[op] = (changes[op] ?? 0) + 1;
          onStep({ op, type: r.type, urn: r.urn });
        }
        return { ok: true, changes };
      } catch (error) {
        return { ok: false, changes: {}, errorLines: offlineErrorLines(error) };
      }
    },
  };
}
