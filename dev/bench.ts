/**
 * `npm run bench`: how the kit scales (issue 6).
 *
 * For N generated services (each on AWS, GCP and Azure), in fresh processes (dev/bench/worker.ts),
 * median of runs, each program under the same offline engine and mocks:
 * - kit: the offline plan of the real program (stacks/program.ts under tools/offline/engine.ts);
 * - baseline: the same custom resources (types, names, providers, inputs, dependency graph)
 *   registered directly through the provider SDK classes, without components, returning the same
 *   stack outputs (dev/bench/baselines.ts); kit/baseline is the overhead figure;
 * - bare: the baseline without stack outputs (the issue's baseline read literally: resources
 *   only); baseline/bare is what the output contract costs in the SDK;
 * - paced: the baseline registered in the steps the kit builds in (components/internal/steps.ts:
 *   a turn of the event loop between services); kit/paced compares the kit with a program that
 *   builds as it does, paced/baseline is what building in steps saves any program;
 * - tree: the paced baseline plus the kit's component tree (same URNs): Pulumi's own cost for the
 *   kit's registrations, so tree/paced is what the components cost in the SDK and kit/tree what
 *   the kit's own code costs;
 * - raw: plain CustomResources with literal inputs and outputs, a floor for reference;
 * peak RSS of each, resources per service and in total, the critical-path depth of the dependency
 * graph, then the test suite's and the type-check's wall time. Prints tables and, last, one line:
 *   bench: overhead_500=<ratio> depth_500=<n> growth_10_500=<t500/t10> rss_500_mb=<n>
 *
 * The runs of each round alternate between the programs, each round starting with the next one; the
 * tables give the minimum beside the median, and a separate run per program counts the promises it
 * creates (async_hooks): a figure that does not move with the machine's load, so a change in the
 * kit's own work shows through noise. Each run's CPU time (user + system) is reported beside its
 * wall time, and the summary line gains overhead_cpu_500 (kit/baseline by CPU time): on a shared
 * machine wall time also counts the other processes' use of the cores; and overhead_paced_500
 * (kit/paced by wall time).
 *
 * Then, at N = 100, 500 and 1,000 (one kit plan each, in a fresh process):
 * - the trust proof (`npm run verify`'s work after the plan) in fresh processes: seconds and peak RSS;
 * - a deploy-time model of the first `pulumi up` (dev/bench/deploy/) under each of DEPLOY_SCENARIOS:
 *   minutes, whether it fails and why, Okta's 429s and retries; the floor and what sets it; the
 *   quotas the plan passes.
 * The summary line gains
 *   verify_500_s=<n> verify_1000_s=<n> verify_growth_100_1000=<t1000/t100>
 *   deploy_500_min=<n> deploy_500_failed=<n> deploy_floor_500_min=<n> deploy_parallel64_500_min=<n> deploy_free_500_min=<n>
 * (deploy_500: pulumi up on 4 cores, its default --parallel 16, OAuth 2.0 auth, Enterprise org;
 * parallel64: --parallel 64; free: an Integrator Free org).
 *
 * Options: --sizes 10,100,500  --runs 3  --no-bare  --no-tree  --no-raw  --no-suite (skip vitest and tsc)
 *          --profile (also CPU-profile one kit run at the largest N; the .cpuprofile goes under /tmp)
 *          --deploy (only the deploy-time model)  --verify (only the verify timing)  --no-deploy  --no-verify
 *          --scale-sizes 100,500,1000 (the sizes of the verify and deploy figures)  --org (an organisation of stacks: dev/bench/org.ts)
 *
 * By responsibility: dev/bench/options.ts parses the options; dev/bench/runs.ts runs the programs
 * and commands in fresh processes (dev/bench/baselines.ts holds the comparison programs,
 * dev/bench/checks.ts what every run is checked for); dev/bench/report.ts prints the tables and
 * the summary line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { supportsProviderShards } from "./bench/config";
import { parseArgs } from "./bench/options";
import { planReport, scaleKeys, scaleLines } from "./bench/report";
import { PLAN_NODE_FLAGS, log, measureScale, measureSize, profileKit, timeCommand, type SizeResult, type Timed } from "./bench/runs";

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  if (!options.plan) {
    const scale = await measureScale(options, supportsProviderShards());
    process.stdout.write(`${[...scaleLines(scale, options), "", `bench: ${scaleKeys(scale, options)}`].join("\n")}\n`);
    return;
  }
  const shardsSupported = supportsProviderShards();
  log(`okta-federation bench: N = ${options.sizes.join(", ")}, ${options.runs} runs each in fresh processes (node ${PLAN_NODE_FLAGS.join(" ")}, as npm run plan)`);
  log(`  gcp.providerShards ${shardsSupported ? "supported: set to ceil(N / 120)" : "not supported by the config yet: not set"}`);
  const dir = mkdtempSync(join(tmpdir(), "okta-fed-bench-"));
  const sizes: SizeResult[] = [];
  try {
    for (const n of options.sizes) sizes.push(await measureSize(n, options, shardsSupported, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const scale = options.deploy || options.verify ? await measureScale(options, shardsSupported) : undefined;

  const suite: Timed[] = [];
  if (options.suite) {
    suite.push(await timeCommand("npx vitest run", "npx", ["vitest", "run"]));
    suite.push(await timeCommand("npx tsc --noEmit -p .", "npx", ["tsc", "--noEmit", "-p", "."]));
  }

  const ok = sizes.filter((s) => s.error === undefined);
  const largest = ok.at(-1);
  let profile = "";
  if (options.profile && largest) profile = await profileKit(largest.n, largest.shards);

  process.stdout.write(planReport(options, sizes, scale, suite, profile, started));
}

(process.argv.includes("--org") ? import("./bench/org").then((org) => org.orgMain(process.argv.slice(2))) : main()).catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
