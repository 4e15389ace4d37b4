/** What a benchmark worker (dev/bench/worker.ts) reports to dev/bench.ts. */

export const BENCH_PROJECT = "okta-federation";
export const BENCH_STACK = "bench";

/** Prefix of the one result line a worker prints on stdout. */
export const RESULT_MARK = "BENCH_RESULT ";

/**
 * kit: the real program. baseline: the same custom resources through the provider SDK classes,
 * wired by reference, no components, returning the kit's stack outputs. bare: the baseline
 * without stack outputs. paced: the baseline registered in steps, as the kit builds. tree: the
 * paced baseline with the kit's component tree replayed. raw: plain CustomResources with literal
 * inputs and outputs (a floor). See dev/bench/baselines.ts.
 */
export type WorkerMode = "kit" | "baseline" | "bare" | "paced" | "tree" | "raw" | "verify";

export interface WorkerResult {
  readonly mode: WorkerMode;
  readonly ok: boolean;
  /** The program's error (e.g. invalid config), when not ok. */
  readonly error?: string;
  /** Process start until the run could begin: node, tsx, module loading, input preparation. */
  readonly startupMs: number;
  /** runOffline only: the program, every registration and the drain, as the offline plan does it. */
  readonly runMs: number;
  /**
   * CPU time of the process over the same window (process.cpuUsage: user + system, every thread,
   * GC helpers included), ms. Unlike runMs it does not grow while other processes hold the cores.
   */
  readonly cpuMs: number;
  /** Registrations recorded by the engine (components included). */
  readonly registered: number;
  /** RSS just before runOffline, bytes. */
  readonly rssBefore: number;
  /** RSS right after runOffline, bytes (process.memoryUsage().rss). */
  readonly rssAfter: number;
  /** Peak RSS of the process, KiB (process.resourceUsage().maxRSS). */
  readonly maxRssKiB: number;
  /** The run's start and end on the monotonic clock, microseconds: the window of a --cpu-prof profile to look at. */
  readonly runWindowUs: readonly [number, number];
  /**
   * Baselines: how many registrations differ from the recorded kit plan in type, name, provider or
   * inputs (and for baseline, bare, paced and tree in dependencies, for tree in URN), plus stack outputs
   * that differ from the kit's (bare: any stack output at all); 0 = identical.
   */
  readonly mismatches?: number;
  readonly mismatchSample?: readonly string[];
  /** With BENCH_COUNT_PROMISES=1: promises created during the run (async_hooks), a count that does not depend on the machine's load. */
  readonly promises?: number;
  /** verify: whether the proof passed, and the trusts it probed. */
  readonly passed?: boolean;
}
