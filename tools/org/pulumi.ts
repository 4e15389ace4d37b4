/**
 * Pulumi's engine for `npm run org`, through the Automation API: each stack selected in the
 * project's directory (LocalWorkspace.selectStack, the program is the project's `main`), then
 * `stack.preview` or `stack.up` with the engine's events counted as resource steps. Only what an
 * event says about a step is used (operation, type, URN): inputs, outputs and diagnostics may carry
 * secrets and are never printed. The CLI's own display is not printed either; when a stack fails,
 * the last lines of the CLI's error output are.
 */
import type { EngineEvent, OpMap, PulumiCommand } from "@pulumi/pulumi/automation";
import { PROJECT_ROOT } from "../offline/stackFile";
import type { OrderedStack } from "./order";
import type { Engine, EngineResult, Operation, Step } from "./run";

/** How many lines of a failure's output are printed. */
export const ERROR_LINES = 6;

/** The Pulumi CLI cannot be used: not installed, or a version the Automation API refuses. */
export class PulumiCliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PulumiCliError";
  }
}

export const NO_CLI_MESSAGE =
  "the Pulumi CLI (pulumi) is not installed or not on PATH: install it (https://www.pulumi.com/docs/install/) to preview or update the stacks, or run `npm run org -- preview --offline` for the offline plan of every stack (nothing deployed, no CLI)";

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** The non-empty lines of a text, without terminal colours. */
function linesOf(text: string | undefined): string[] {
  return (text ?? "")
    .replace(ANSI, "")
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "");
}

interface ResultLike {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly err?: unknown;
}

/**
 * The last lines of what the CLI wrote to stderr (else to stdout) when a command failed. The
 * Automation API wraps the CLI's result twice (a CommandError whose `err` is the process error or
 * another CommandError); the innermost result with output is the CLI's own.
 */
export function errorLines(error: unknown, max = ERROR_LINES): string[] {
  const results: ResultLike[] = [];
  let at: unknown = error;
  for (let depth = 0; depth < 4 && at !== null && typeof at === "object"; depth++) {
    const result = (at as { commandResult?: ResultLike }).commandResult ?? (at as ResultLike);
    results.push(result);
    at = result.err;
  }
  for (const result of results.reverse()) {
    const lines = linesOf(result.stderr);
    if (lines.length > 0) return lines.slice(-max);
  }
  for (const result of results) {
    const lines = linesOf(result.stdout);
    if (lines.length > 0) return lines.slice(-max);
  }
  return linesOf((error as Error)?.message).slice(-max);
}

/** True when the error says the `pulumi` executable was not found. */
function isMissingCli(error: unknown): boolean {
  let at: unknown = error;
  for (let depth = 0; depth < 4 && at !== null && typeof at === "object"; depth++) {
    if ((at as { code?: unknown }).code === "ENOENT" || /\bENOENT\b/.test(String((at as Error).message))) return true;
    at = (at as { commandResult?: { err?: unknown } }).commandResult?.err ?? (at as { err?: unknown }).err;
  }
  return false;
}

/**
 * The Pulumi CLI, found as the Automation API finds it: `pulumi` on PATH, or `<root>/bin/pulumi`.
 * Throws PulumiCliError when there is none or its version is refused.
 */
export async function findPulumi(root?: string): Promise<PulumiCommand> {
  const { PulumiCommand } = await import("@pulumi/pulumi/automation");
  try {
    return await PulumiCommand.get(root !== undefined ? { root } : undefined);
  } catch (error) {
    if (isMissingCli(error)) throw new PulumiCliError(NO_CLI_MESSAGE);
    throw new PulumiCliError(`the Pulumi CLI cannot be used: ${errorLines(error, 3).join(" / ")}`);
  }
}

/** A step of an engine event: its operation, type and URN, nothing else. */
function stepOf(event: EngineEvent): Step | undefined {
  const metadata = event.resourcePreEvent?.metadata;
  if (metadata === undefined) return undefined;
  return { op: String(metadata.op), type: String(metadata.type), urn: String(metadata.urn) };
}

/** Pulumi's engine over the project at `workDir` (the repository root). */
export function pulumiEngine(cli: PulumiCommand, workDir = PROJECT_ROOT): Engine {
  return {
    name: "pulumi",
    description: `Pulumi engine, pulumi ${cli.version?.toString() ?? "(version unknown)"}, project directory ${workDir}`,
    maxParallel: Number.MAX_SAFE_INTEGER,
    async run(stack: OrderedStack, operation: Operation, onStep): Promise<EngineResult> {
      const { LocalWorkspace, StackNotFoundError } = await import("@pulumi/pulumi/automation");
      let summary: OpMap | undefined;
      const onEvent = (event: EngineEvent) => {
        const step = stepOf(event);
        if (step !== undefined) onStep(step);
        if (event.summaryEvent) summary = event.summaryEvent.resourceChanges;
      };
      // The CLI's display is not printed (the progress lines are); a failure prints its error output.
      const onOutput = () => undefined;
      try {
        // Selected, never created: a new stack is created with its secrets provider first
        // (pulumi stack init, docs/production.md), not with a default one by this command.
        const selected = await LocalWorkspace.selectStack({ stackName: stack.engineName, workDir }, { pulumiCommand: cli });
        if (operation === "preview") {
          const result = await selected.preview({ onOutput, onEvent });
          return { ok: true, changes: summary ?? result.changeSummary ?? {} };
        }
        // showSecrets false: the update's summary is read from the history without secrets. (The
        // Automation API also reads the stack's outputs with --show-secrets; they are not printed.)
        const result = await selected.up({ onOutput, onEvent, showSecrets: false });
        return { ok: true, changes: summary ?? result.summary?.resourceChanges ?? {} };
      } catch (error) {
        if (error instanceof StackNotFoundError) {
          return {
            ok: false,
            changes: summary ?? {},
            errorLines: [`there is no stack ${stack.engineName} in the current backend: create it first (pulumi stack init ${stack.engineName} --secrets-provider …; docs/production.md#state-and-secrets)`],
          };
        }
        return { ok: false, changes: summary ?? {}, errorLines: errorLines(error) };
      }
    },
  };
}
