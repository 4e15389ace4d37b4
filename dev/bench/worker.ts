/**
 * One benchmark run in a fresh process (spawned by dev/bench.ts):
 *
 *   node --import tsx dev/bench/worker.ts kit <n> <providerShards|-> [<dump.json>]
 *   node --import tsx dev/bench/worker.ts baseline|bare|paced|tree|raw <dump.json>
 *   node --import tsx dev/bench/worker.ts verify <dump.json>
 *
 * `kit` runs the real stack program (stacks/program.ts) under the offline engine with a generated
 * config of n services; with a dump path it also writes what was registered and the stack outputs
 * (after timing). `baseline`, `bare`, `paced`, `tree` and `raw` re-register the custom resources of such a
 * dump under the same engine and mocks (dev/bench/baselines.ts) and check (dev/bench/checks.ts) that they registered
 * the same thing and (all but `bare`) returned the same stack outputs. `verify` runs the trust
 * proof (tools/verify) over a dump's plan, as `npm run verify` does after planning.
 * With BENCH_COUNT_PROMISES=1 a run also counts the promises it creates (slower: a separate run).
 * Every mode prints one line `BENCH_RESULT <json>` (see WorkerResult).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { errorMessage, runOffline, type RecordedResource } from "../../tools/offline/engine";
import { baselineProgram, rawProgram } from "./baselines";
import { differences, outputDifferences } from "./checks";
import type { BenchPlan, BenchResource } from "./graph";
import { BENCH_PROJECT, BENCH_STACK, RESULT_MARK, type WorkerMode, type WorkerResult } from "./protocol";

/** The registrations of a kit run, as the other programs need them (aliases play no part). */
function toBench(resources: readonly RecordedResource[]): BenchResource[] {
  return resources.map(({ aliases: _aliases, ...resource }) => resource);
}

/** The trust proof of a dump, timed like the other modes. */
async function verifyDump(path: string): Promise<WorkerResult> {
  const { planToJson } = await import("../../tools/offline/plan");
  const { extractModel } = await import("../../tools/verify/model");
  const { verifyModel } = await import("../../tools/verify/verify");
  const dumped = JSON.parse(readFileSync(path, "utf8")) as BenchPlan;
  const startupMs = performance.now();
  const rssBefore = process.memoryUsage().rss;
  const windowStart = Number(process.hrtime.bigint() / 1000n);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const doc = planToJson({ resources: dumped.resources.map((r) => ({ ...r, aliases: [] })), outputs: dumped.outputs as Record<string, unknown>, project: BENCH_PROJECT, stack: BENCH_STACK });
  const result = await verifyModel(extractModel(doc as never));
  const runMs = performance.now() - t0;
  return {
    mode: "verify",
    ok: true,
    passed: result.passed,
    startupMs,
    runMs,
    cpuMs: cpuMsSince(cpu0),
    registered: result.targets.length,
    rssBefore,
    rssAfter: process.memoryUsage().rss,
    maxRssKiB: process.resourceUsage().maxRSS,
    runWindowUs: [windowStart, Number(process.hrtime.bigint() / 1000n)],
  };
}

/** CPU time (user + system, all threads) since `start`, ms. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

/** Counts the promises created while `run` runs (async_hooks), when BENCH_COUNT_PROMISES=1. */
async function counted<T>(run: () => Promise<T>): Promise<{ value: T; promises?: number }> {
  if (process.env.BENCH_COUNT_PROMISES !== "1") return { value: await run() };
  const { createHook } = await import("node:async_hooks");
  let promises = 0;
  const hook = createHook({ init: (_id, type) => void (type === "PROMISE" && promises++) }).enable();
  try {
    return { value: await run(), promises };
  } finally {
    hook.disable();
  }
}

async function main(argv: string[]): Promise<WorkerResult> {
  const [mode, ...rest] = argv as [WorkerMode | undefined, ...string[]];
  if (mode === "verify") {
    if (!rest[0]) throw new Error("usage: worker.ts verify <dump.json>");
    return verifyDump(rest[0]);
  }
  let program: () => unknown;
  let config: Record<string, string> = {};
  let dump: string | undefined;
  let expected: BenchPlan | undefined;
  if (mode === "kit") {
    const n = Number(rest[0]);
    const shards = rest[1] === undefined || rest[1] === "-" ? undefined : Number(rest[1]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`usage: worker.ts kit <n> <providerShards|-> [<dump.json>]`);
    // Loaded here, not at the top: the raw baseline's process must not load the kit or the provider SDKs.
    const { federationProgram } = await import("../../stacks/program");
    const { benchConfigMap } = await import("./config");
    program = federationProgram;
    config = benchConfigMap(n, shards);
    dump = rest[2];
  } else if (mode === "baseline" || mode === "bare" || mode === "paced" || mode === "tree" || mode === "raw") {
    if (!rest[0]) throw new Error(`usage: worker.ts ${mode} <dump.json>`);
    expected = JSON.parse(readFileSync(rest[0], "utf8")) as BenchPlan;
    // The kit builds in steps (Federation.create), so its component tree is compared in steps too.
    program =
      mode === "raw" ? rawProgram(expected) : baselineProgram(expected, { components: mode === "tree", stackOutputs: mode !== "bare", steps: mode === "paced" || mode === "tree" });
  } else {
    throw new Error(`unknown mode ${String(mode)}; use kit, baseline, bare, paced, tree or raw`);
  }

  const startupMs = performance.now();
  const rssBefore = process.memoryUsage().rss;
  const windowStart = Number(process.hrtime.bigint() / 1000n);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let ok = true;
  let error: string | undefined;
  let recorded: readonly RecordedResource[] = [];
  let outputs: Record<string, unknown> = {};
  let promises: number | undefined;
  try {
    const run = await counted(() => runOffline(program, { project: BENCH_PROJECT, stack: BENCH_STACK, config }));
    ({ resources: recorded, outputs } = run.value);
    promises = run.promises;
  } catch (e) {
    ok = false;
    error = errorMessage(e);
  }
  const runMs = performance.now() - t0;
  const cpuMs = cpuMsSince(cpu0);
  const windowEnd = Number(process.hrtime.bigint() / 1000n);
  const rssAfter = process.memoryUsage().rss;
  const maxRssKiB = process.resourceUsage().maxRSS;

  if (dump && ok) writeFileSync(dump, JSON.stringify({ resources: toBench(recorded), outputs } satisfies BenchPlan));
  // The raw floor passes literals, so only its resources and inputs are compared; the baseline's
  // dependency graph and the tree's URNs must be the kit's too; bare returns no stack outputs.
  const diff =
    expected && ok
      ? [
          ...differences(expected.resources, recorded, { dependencies: mode !== "raw", urns: mode === "tree" }),
          ...outputDifferences(mode === "bare" ? {} : expected.outputs, outputs),
        ]
      : [];
  return {
    mode,
    ok,
    ...(error !== undefined ? { error } : {}),
    startupMs,
    runMs,
    cpuMs,
    registered: recorded.length,
    rssBefore,
    rssAfter,
    maxRssKiB,
    runWindowUs: [windowStart, windowEnd],
    ...(expected ? { mismatches: diff.length, mismatchSample: diff.slice(0, 3) } : {}),
    ...(promises !== undefined ? { promises } : {}),
  };
}

main(process.argv.slice(2)).then(
  (result) => {
    process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(2);
  },
);
