/**
 * The simulation of the first `pulumi up` over a plan's own dependency graph: event-driven, request
 * by request, each operation's steps (operations.ts) run against Okta (okta.ts), the rates
 * (rates.ts), the providers' locks and GCP's batches.
 *
 * - Pulumi starts every resource as soon as its dependencies are done, at most `--parallel` at once:
 *   `pulumi up` defaults to 4 × the CPU cores it runs on, unless PULUMI_PARALLEL says otherwise
 *   (pulumi/pulumi pkg/cmd/pulumi/operations/up.go defaultParallel; the Automation API passes
 *   --parallel only when asked, sdk/go/auto/stack.go). `parallel` is that bound (default here:
 *   unbounded). After a failure Pulumi lets the operations in flight finish and starts no new one
 *   (its default; `continueOnError` for --continue-on-error).
 */
import { scaleFigures, type ScaleFigure } from "../../../tools/offline/scale";
import { customDependencies, isProvider, type BenchResource } from "../graph";
import { Events, type Clock } from "./events";
import { floorsOf } from "./floors";
import { oktaOrgs, oktaPacingOf, type OktaAuth, type OktaTier } from "./okta";
import { OperationBuilder } from "./operations";
import { Bucket, type Endpoint } from "./rates";
import type { OktaPacing, Operation, Step } from "./steps";

export interface DeployOptions {
  readonly tier?: OktaTier;
  /** Default "oauth" (the README's recommended API service app). */
  readonly oktaAuth?: OktaAuth;
  /**
   * `pulumi up --parallel`: resource operations in flight at most. Default here unbounded (as with
   * a PULUMI_PARALLEL above the operations); the CLI's own default is 4 × the cores it runs on.
   */
  readonly parallel?: number;
  /**
   * Okta operations (resources whose creation calls Okta) in flight at most, the others unbounded:
   * what a bound on concurrent Okta writes in the program does. Default unbounded. (A bound the
   * program builds as dependencies is in the plan's graph already.)
   */
  readonly oktaConcurrency?: number;
  /** `pulumi up --continue-on-error`. Default false: after a failure no new operation starts. */
  readonly continueOnError?: boolean;
  /** Pacing to use instead of the plan's Okta provider inputs (to compare settings). */
  readonly oktaPacing?: Partial<OktaPacing>;
}

export interface DeployEstimate {
  /** Minutes until the last operation ended (the deploy's end, or the failed deploy's). */
  readonly minutes: number;
  /** Operations that failed (their errors are Pulumi's), and those never started after a failure. */
  readonly failed: number;
  readonly notStarted: number;
  /** The first failures: resource name and reason. */
  readonly failures: ReadonlyArray<{ name: string; type: string; reason: string; atMinutes: number }>;
  /** The floor (minutes): no schedule is faster (Okta's windows, the rates, the locks, the longest chain). */
  readonly floorMinutes: number;
  /** What sets the floor. */
  readonly bottleneck: string;
  /** Every endpoint, bucket, lock and the longest chain: calls and the minutes they need at least. */
  readonly endpoints: ReadonlyArray<{ name: string; calls: number; minutes: number }>;
  readonly operations: number;
  readonly okta: {
    /** Okta requests sent (429s and retries included). */
    readonly requests: number;
    readonly rejectedConcurrency: number;
    readonly rejectedRate: number;
    readonly retries: number;
    readonly governorPauses: number;
    readonly maxInFlight: number;
  };
  /** GCP project IAM batches sent (each one read-modify-write of a project's policy). */
  readonly gcpProjectPolicyWrites: number;
  /**
   * Quotas and limits the plan passes (tools/offline/scale.ts): the simulation does not fail on
   * them, so its times assume every default quota among them was raised first.
   */
  readonly quotasOver: readonly ScaleFigure[];
  /** What the run assumed. */
  readonly assumes: { tier: OktaTier; oktaAuth: OktaAuth; parallel: number; oktaConcurrency: number; pacing: OktaPacing | undefined };
}

/** One resource operation being run, or a provider-internal sender of a GCP batch. */
interface Run {
  readonly op: Operation | undefined;
  readonly steps: readonly Step[];
  index: number;
  readonly held: Set<string>;
  readonly onDone: (ok: boolean, reason?: string) => void;
}

/**
 * Simulates the first `pulumi up` of a plan. See the module comments (here, okta.ts, gcp.ts,
 * aws.ts, azure.ts) for what is modelled.
 */
export function simulateDeploy(resources: readonly BenchResource[], options: DeployOptions = {}): DeployEstimate {
  const tier = options.tier ?? "enterprise";
  const oktaAuth = options.oktaAuth ?? "oauth";
  const parallel = options.parallel ?? Infinity;
  const oktaConcurrency = options.oktaConcurrency ?? Infinity;
  const deps = customDependencies(resources);
  const providers = new Map(resources.filter(isProvider).map((r) => [r.urn, r]));
  const builder = new OperationBuilder(providers, tier, oktaAuth, options.oktaPacing);
  const custom = resources.filter((r) => r.custom && !isProvider(r) && !r.read);
  const ops = new Map<string, Operation>(custom.map((r) => [r.urn, { urn: r.urn, type: r.type, steps: builder.steps(r) }]));
  const names = new Map(resources.map((r) => [r.urn, r.name]));
  const oktaProvider = resources.find((r) => isProvider(r) && r.type === "pulumi:providers:okta");
  const pacing = oktaProvider ? { ...oktaPacingOf(oktaProvider.inputs as Record<string, unknown>), ...options.oktaPacing } : undefined;

  const events = new Events();
  let now = 0;
  const at = (t: number, run: () => void) => events.push(t, run);
  const clock: Clock = {
    get now() {
      return now;
    },
    at,
  };
  const oktaApi = oktaOrgs(tier, clock);

  // ---- Locks, rate buckets and GCP batches ----
  const locks = new Map<string, Run[]>();
  const buckets = new Map<string, Bucket>();
  const bucketOf = (e: Endpoint) => buckets.get(e.name) ?? (buckets.set(e.name, new Bucket(e)), buckets.get(e.name)!);
  const batches = new Map<string, Run[]>();
  let gcpProjectPolicyWrites = 0;

  const release = (run: Run, key: string) => {
    run.held.delete(key);
    const waiters = locks.get(key)!;
    const next = waiters.shift();
    if (next) {
      next.held.add(key);
      at(now, () => advance(next));
    } else {
      locks.delete(key);
    }
  };

  const fail = (run: Run, reason: string) => {
    for (const key of [...run.held]) release(run, key);
    run.onDone(false, reason);
  };

  const advance = (run: Run): void => {
    while (run.index < run.steps.length) {
      const step = run.steps[run.index++]!;
      switch (step.kind) {
        case "sleep":
          return at(now + step.seconds, () => advance(run));
        case "lock": {
          const waiters = locks.get(step.key);
          if (waiters) {
            waiters.push(run);
            return;
          }
          locks.set(step.key, []);
          run.held.add(step.key);
          continue;
        }
        case "unlock":
          release(run, step.key);
          continue;
        case "call": {
          const start = Math.max(now, ...step.endpoints.map((e) => bucketOf(e).earliest(now)));
          for (const e of step.endpoints) bucketOf(e).take(start);
          return at(start + step.latency, () => advance(run));
        }
        case "okta":
          return oktaApi.request(step, (ok, reason) => (ok ? advance(run) : fail(run, reason!)));
        case "batch": {
          const open = batches.get(step.key);
          if (open) {
            open.push(run);
            return;
          }
          const members = [run];
          batches.set(step.key, members);
          at(now + step.sendAfter, () => {
            batches.delete(step.key);
            gcpProjectPolicyWrites++;
            const sender: Run = {
              op: undefined,
              steps: step.send,
              index: 0,
              held: new Set(),
              onDone: (ok, reason) => {
                for (const m of members) {
                  if (ok) at(now, () => advance(m));
                  else fail(m, reason!);
                }
              },
            };
            advance(sender);
          });
          return;
        }
      }
    }
    run.onDone(true);
  };

  // ---- Pulumi: start what is ready, within --parallel; after a failure start nothing new ----
  const pending = new Map([...ops.keys()].map((urn) => [urn, (deps.get(urn) ?? []).filter((d) => ops.has(d)).length]));
  const dependents = new Map<string, string[]>();
  for (const urn of ops.keys()) for (const d of deps.get(urn) ?? []) if (ops.has(d)) dependents.set(d, [...(dependents.get(d) ?? []), urn]);
  const ready: string[] = [...ops.keys()].filter((urn) => pending.get(urn) === 0);
  const callsOkta = (op: Operation) => op.steps.some((s) => s.kind === "okta");
  /** Okta operations ready but held back by oktaConcurrency, in order. */
  const oktaReady: string[] = [];
  let oktaRunning = 0;
  let running = 0;
  let stopped = false;
  let done = 0;
  let end = 0;
  const failures: Array<{ name: string; type: string; reason: string; atMinutes: number }> = [];
  const startReady = () => {
    while (!stopped && running < parallel && (ready.length > 0 || (oktaReady.length > 0 && oktaRunning < oktaConcurrency))) {
      const fromOkta = oktaReady.length > 0 && oktaRunning < oktaConcurrency;
      const op = ops.get((fromOkta ? oktaReady : ready).shift()!)!;
      const okta = callsOkta(op);
      if (okta && !fromOkta && oktaRunning >= oktaConcurrency) {
        oktaReady.push(op.urn);
        continue;
      }
      if (okta) oktaRunning++;
      running++;
      advance({
        op,
        steps: op.steps,
        index: 0,
        held: new Set(),
        onDone: (ok, reason) => {
          running--;
          if (okta) oktaRunning--;
          end = now;
          if (ok) {
            done++;
            for (const d of dependents.get(op.urn) ?? []) {
              const left = pending.get(d)! - 1;
              pending.set(d, left);
              if (left === 0) ready.push(d);
            }
          } else {
            failures.push({ name: names.get(op.urn) ?? op.urn, type: op.type, reason: reason!, atMinutes: now / 60 });
            if (!options.continueOnError) stopped = true;
          }
          // Start what became ready after the events of this instant (Pulumi's step executor is asynchronous).
          at(now, startReady);
        },
      });
    }
  };
  startReady();
  while (events.size > 0) {
    const e = events.pop();
    now = e.at;
    e.run();
  }
  if (failures.length === 0 && done < ops.size) throw new Error("deploy model: nothing can run (a dependency cycle?)");

  const floors = floorsOf([...ops.values()], deps, names, tier, parallel);
  return {
    minutes: end / 60,
    failed: failures.length,
    notStarted: ops.size - done - failures.length,
    failures: failures.slice(0, 5),
    floorMinutes: floors[0]?.minutes ?? 0,
    bottleneck: floors[0]?.name ?? "(none)",
    endpoints: floors,
    operations: ops.size,
    okta: oktaApi.stats,
    gcpProjectPolicyWrites,
    quotasOver: scaleFigures(resources).filter((f) => f.over),
    assumes: { tier, oktaAuth, parallel, oktaConcurrency, pacing },
  };
}
