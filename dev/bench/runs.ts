/**
 * The runs of `npm run bench` (dev/bench.ts): each program in a fresh worker process
 * (dev/bench/worker.ts) under `npm run plan`'s Node flags, the suite's and the type-check's wall
 * time, a CPU profile of the kit, and the plans the verify and deploy figures are taken over.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { serviceKey, shardsFor } from "./config";
import { summarise, type BenchPlan, type GraphSummary } from "./graph";
import { formatProfileSummary, summariseProfile } from "./profile";
import { DEPLOY_SCENARIOS, simulateDeploy, type DeployEstimate } from "./deploy";
import type { Options } from "./options";
import { RESULT_MARK, type WorkerResult } from "./protocol";
import { HEADLINE, mb } from "./report";

const ROOT = resolve(__dirname, "..", "..");
const WORKER = join(__dirname, "worker.ts");

/** Progress goes to stderr; stdout holds only the report. */
export const log = (line: string) => process.stderr.write(`${line}\n`);

interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Spawned> {
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr, wallMs: performance.now() - start }));
  });
}

export interface Measured extends WorkerResult {
  /** Wall time of the whole worker process, as the parent saw it. */
  readonly processMs: number;
}

/**
 * The Node flags `npm run plan` runs with (package.json: `tsx <flags> tools/plan.ts`), so that every
 * program is measured under the same engine settings as the plan users run. The plan raises V8's
 * young generation (`--max-semi-space-size`): a plan allocates many short-lived promises in one
 * long task, and a larger nursery lets far fewer of them be promoted and collected by full GCs.
 */
function planNodeFlags(): string[] {
  const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const words = (scripts.plan ?? "").split(/\s+/);
  return words.slice(words.indexOf("tsx") + 1).filter((w) => w.startsWith("--"));
}
export const PLAN_NODE_FLAGS = planNodeFlags();

async function worker(args: readonly string[], nodeFlags: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  const result = await run(process.execPath, [...PLAN_NODE_FLAGS, ...nodeFlags, "--import", "tsx", WORKER, ...args], env);
  const line = result.stdout.split("\n").find((l) => l.startsWith(RESULT_MARK));
  if (result.code !== 0 || !line) {
    throw new Error(`worker ${args.join(" ")} exited with ${result.code}:\n${result.stderr.trim() || result.stdout.trim()}`);
  }
  return { ...(JSON.parse(line.slice(RESULT_MARK.length)) as WorkerResult), processMs: result.wallMs };
}

export type Compared = "baseline" | "bare" | "paced" | "tree" | "raw";

export interface SizeResult {
  readonly n: number;
  readonly shards: number | undefined;
  readonly error?: string;
  readonly kit: Measured[];
  readonly baseline: Measured[];
  readonly bare: Measured[];
  readonly paced: Measured[];
  readonly tree: Measured[];
  readonly raw: Measured[];
  readonly graph?: GraphSummary;
  /** Promises created by one counted run of the kit and of the baseline (async_hooks). */
  readonly promises?: { kit: number; baseline: number };
}

export async function measureSize(n: number, options: Options, shardsSupported: boolean, dir: string): Promise<SizeResult> {
  const shards = shardsSupported ? shardsFor(n) : undefined;
  const dump = join(dir, `resources-${n}.json`);
  const kitArgs = [String(n), shards === undefined ? "-" : String(shards)];
  const result: SizeResult = { n, shards, kit: [], baseline: [], bare: [], paced: [], tree: [], raw: [] };
  const compared: Compared[] = [
    "baseline",
    "paced",
    ...(options.bare ? (["bare"] as const) : []),
    ...(options.tree ? (["tree"] as const) : []),
    ...(options.raw ? (["raw"] as const) : []),
  ];
  const programs = ["kit", ...compared] as const;
  for (let i = 0; i < options.runs; i++) {
    // Each round starts with the next program (the first with the kit, whose run also writes what
    // it registered, after its timing, for the others): no program always runs first or right after
    // the same one, so what position in a round costs is spread over all of them alike.
    const order = [...programs.slice(i % programs.length), ...programs.slice(0, i % programs.length)];
    const round = new Map<string, Measured>();
    for (const mode of order) {
      if (mode === "kit") {
        const k = await worker(["kit", ...kitArgs, ...(i === 0 ? [dump] : [])]);
        if (!k.ok) {
          log(`  N=${n}: the kit's program failed: ${k.error}`);
          return { ...result, error: k.error ?? "unknown error", kit: [k] };
        }
        result.kit.push(k);
        round.set(mode, k);
        continue;
      }
      const m = await worker([mode, dump]);
      if (!m.ok) throw new Error(`N=${n}: the ${mode} program failed: ${m.error}`);
      if (m.mismatches) {
        throw new Error(`N=${n}: the ${mode} program did not register the kit's resources or return its outputs: ${m.mismatches} differ, e.g. ${m.mismatchSample?.join("; ")}`);
      }
      result[mode].push(m);
      round.set(mode, m);
    }
    const ran = (mode: string) => {
      const m = round.get(mode)!;
      return `${mode} ${m.runMs.toFixed(0)} ms (cpu ${m.cpuMs.toFixed(0)} ms, ${mb(m.maxRssKiB).toFixed(0)} MB)`;
    };
    log(`  N=${n} run ${i + 1}/${options.runs} (in order ${order.join(", ")}): ${programs.map(ran).join(", ")}`);
  }
  // A count that does not move with the machine's load: the promises each program creates, in a
  // separate run (the hook slows the run, so it is not timed).
  const countEnv = { ...process.env, BENCH_COUNT_PROMISES: "1" };
  const kitCount = await worker(["kit", ...kitArgs], [], countEnv);
  const baselineCount = await worker(["baseline", dump], [], countEnv);
  const promises = kitCount.promises !== undefined && baselineCount.promises !== undefined ? { kit: kitCount.promises, baseline: baselineCount.promises } : undefined;
  const { resources } = JSON.parse(readFileSync(dump, "utf8")) as BenchPlan;
  return { ...result, graph: summarise(resources, Array.from({ length: n }, (_, i) => serviceKey(i))), ...(promises ? { promises } : {}) };
}

export interface Timed {
  readonly label: string;
  readonly wallMs: number;
  readonly code: number | null;
  readonly note: string;
}

export async function timeCommand(label: string, command: string, args: string[]): Promise<Timed> {
  log(`  ${label} ...`);
  const result = await run(command, args, { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" });
  const text = `${result.stdout}\n${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
  let note = "";
  if (label.startsWith("npx vitest")) {
    const files = /Test Files\s+(.+)/.exec(text)?.[1]?.trim();
    const tests = /Tests\s+(.+)/.exec(text)?.[1]?.trim();
    note = [files && `files: ${files}`, tests && `tests: ${tests}`].filter(Boolean).join("; ");
  } else {
    const errors = text.split("\n").filter((l) => /error TS\d+/.test(l)).length;
    note = result.code === 0 ? "no type errors" : `${errors} type error${errors === 1 ? "" : "s"}`;
  }
  return { label, wallMs: result.wallMs, code: result.code, note };
}

export async function profileKit(n: number, shards: number | undefined): Promise<string> {
  const dir = join(tmpdir(), `okta-fed-bench-profile-${Date.now()}`);
  log(`  CPU profile of the kit at N=${n} -> ${dir}`);
  const result = await worker(["kit", String(n), shards === undefined ? "-" : String(shards)], ["--cpu-prof", "--cpu-prof-dir", dir]);
  // tsx's loader thread writes a profile of its own; the program's is the largest.
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (!files[0]) return "no profile was written";
  const summary = summariseProfile(JSON.parse(readFileSync(files[0], "utf8")), result.runWindowUs, 25);
  return `${files[0]}  (run ${result.runMs.toFixed(0)} ms under the profiler)\n${formatProfileSummary(summary)}`;
}

/** The verify and deploy figures at each of --scale-sizes. */
export interface ScaleResult {
  /** Per N, per scenario key (DEPLOY_SCENARIOS). */
  readonly deploy: Map<number, Map<string, DeployEstimate>>;
  readonly verify: Map<number, Measured[]>;
}

/**
 * At each size: one kit plan (a fresh process) written to a file, then the trust proof over it in
 * fresh processes (median of runs) and the deploy-time model.
 */
export async function measureScale(options: Options, shardsSupported: boolean): Promise<ScaleResult> {
  const dir = mkdtempSync(join(tmpdir(), "okta-fed-scale-"));
  const deploy = new Map<number, Map<string, DeployEstimate>>();
  const verify = new Map<number, Measured[]>();
  try {
    for (const n of options.scaleSizes) {
      const dump = join(dir, `resources-${n}.json`);
      const k = await worker(["kit", String(n), shardsSupported ? String(shardsFor(n)) : "-", dump]);
      if (!k.ok) throw new Error(`N=${n}: the kit's program failed: ${k.error}`);
      if (options.verify) {
        const runs: Measured[] = [];
        for (let i = 0; i < options.runs; i++) {
          const v = await worker(["verify", dump]);
          if (!v.passed) throw new Error(`N=${n}: the proof of the generated stack did not pass`);
          runs.push(v);
        }
        verify.set(n, runs);
        log(`  verify N=${n}: ${runs.map((r) => (r.runMs / 1000).toFixed(1)).join(", ")} s`);
      }
      if (options.deploy) {
        const { resources } = JSON.parse(readFileSync(dump, "utf8")) as BenchPlan;
        deploy.set(n, new Map(DEPLOY_SCENARIOS.map((s) => [s.key, simulateDeploy(resources, s.options)])));
        const planned = deploy.get(n)!.get(HEADLINE)!;
        log(`  deploy model N=${n}: ${planned.minutes.toFixed(1)} min${planned.failed ? ` (fails: ${planned.failed} failed)` : ""}, floor ${planned.floorMinutes.toFixed(1)}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { deploy, verify };
}
