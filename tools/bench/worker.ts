/**
 * One benchmark run in a fresh process (spawned by tools/bench.ts):
 *
 *   node --import tsx tools/bench/worker.ts kit <n> <providerShards|-> [<dump.json>]
 *   node --import tsx tools/bench/worker.ts baseline <resources.json>
 *   node --import tsx tools/bench/worker.ts typed <resources.json>
 *
 * `kit` runs the real stack program (stacks/program.ts) under the offline engine with a generated
 * config of n services; with a dump path it also writes what was registered (after timing).
 * `baseline` re-registers the custom resources of such a dump directly, without components, under
 * the same engine and mocks: `new pulumi.CustomResource(type, name, inputs, { provider })`, the
 * providers first as `pulumi.ProviderResource`s. `typed` does the same through the provider SDKs'
 * own classes (`new aws.iam.Role(name, inputs, { provider })`, ...), which also declare every
 * output property: what the same resources cost in a component-free program written with the SDKs.
 * Every mode prints one line `BENCH_RESULT <json>` (see WorkerResult).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import { errorMessage, isSecretValue, runOffline, type RecordedResource } from "../offline/engine";
import { isProvider, type BenchResource } from "./graph";
import { BENCH_PROJECT, BENCH_STACK, RESULT_MARK, type WorkerMode, type WorkerResult } from "./protocol";

/** The registrations of a kit run, as the baselines need them. */
function toBench(resources: readonly BenchResource[]): BenchResource[] {
  return resources.map(({ urn, type, name, parent, provider, custom, read, inputs, outputs, dependencies }) => ({
    urn, type, name, parent, provider, custom, read, inputs, outputs, dependencies,
  }));
}

/** Recorded inputs back to program inputs: secret-wrapped values become `pulumi.secret(value)`. */
function rewrap(value: unknown): any {
  if (isSecretValue(value)) return pulumi.secret(rewrap(value.value));
  if (Array.isArray(value)) return value.map(rewrap);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrap(v)]));
  }
  return value;
}

/** `ProviderResource` and `CustomResource` are abstract in the typings only; these are the plain classes. */
class BaselineProvider extends pulumi.ProviderResource {}
class BaselineResource extends pulumi.CustomResource {}

type ResourceClass = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/**
 * The provider SDK class for a type token: `aws:iam/role:Role` is `require("@pulumi/aws").iam.Role`,
 * checked against the class's own `__pulumiType`.
 */
function sdkClass(type: string): ResourceClass {
  const [pkg, module, name] = type.split(":");
  const namespace = module!.split("/")[0]!;
  const sdk = require(`@pulumi/${pkg}`) as Record<string, any>;
  const cls = namespace === "index" ? sdk[name!] : sdk[namespace]?.[name!];
  if (typeof cls !== "function" || cls.__pulumiType !== type) throw new Error(`no provider SDK class for ${type}`);
  return cls as ResourceClass;
}

/** Every custom resource of a recorded plan, registered directly: providers first, no components. */
function baselineProgram(resources: readonly BenchResource[], typed: boolean): () => Record<string, never> {
  const classes = new Map<string, ResourceClass>();
  if (typed) {
    // Resolved (and the SDK modules loaded) before timing, as the kit's program has its imports loaded.
    for (const r of resources) if (r.custom && !isProvider(r) && !classes.has(r.type)) classes.set(r.type, sdkClass(r.type));
  }
  return () => {
    const providers = new Map<string, pulumi.ProviderResource>();
    for (const r of resources) {
      if (r.custom && isProvider(r)) {
        providers.set(r.urn, new BaselineProvider(r.type.slice("pulumi:providers:".length), r.name, rewrap(r.inputs)));
      }
    }
    for (const r of resources) {
      if (!r.custom || isProvider(r)) continue;
      const provider = r.provider ? providers.get(r.provider) : undefined;
      if (r.provider && !provider) throw new Error(`no provider ${r.provider} for ${r.type} ${r.name}`);
      const opts: pulumi.CustomResourceOptions = { provider, ...(r.read ? { id: String(r.outputs.id) } : {}) };
      const cls = classes.get(r.type);
      if (cls) new cls(r.name, rewrap(r.inputs), opts);
      else new BaselineResource(r.type, r.name, rewrap(r.inputs), opts);
    }
    return {};
  };
}

/** Canonical JSON (sorted keys) for comparing inputs. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** Custom resources whose type, name, provider or inputs differ between the recorded plan and a baseline run. */
function differences(expected: readonly BenchResource[], actual: readonly RecordedResource[]): string[] {
  const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
  const describe = (r: BenchResource | RecordedResource) => `${r.provider ?? ""} ${canonical(r.inputs)}`;
  const want = new Map(expected.filter((r) => r.custom).map((r) => [key(r), describe(r)]));
  const got = new Map(actual.filter((r) => r.custom).map((r) => [key(r), describe(r)]));
  const out: string[] = [];
  for (const [k, v] of want) if (got.get(k) !== v) out.push(got.has(k) ? `${k}: different inputs or provider` : `${k}: missing`);
  for (const k of got.keys()) if (!want.has(k)) out.push(`${k}: extra`);
  return out;
}

async function main(argv: string[]): Promise<WorkerResult> {
  const [mode, ...rest] = argv as [WorkerMode | undefined, ...string[]];
  let program: () => unknown;
  let config: Record<string, string> = {};
  let dump: string | undefined;
  let expected: BenchResource[] | undefined;
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
  } else if (mode === "baseline" || mode === "typed") {
    if (!rest[0]) throw new Error(`usage: worker.ts ${mode} <resources.json>`);
    expected = JSON.parse(readFileSync(rest[0], "utf8")) as BenchResource[];
    program = baselineProgram(expected, mode === "typed");
  } else {
    throw new Error(`unknown mode ${String(mode)}; use kit, baseline or typed`);
  }

  const startupMs = performance.now();
  const rssBefore = process.memoryUsage().rss;
  const windowStart = Number(process.hrtime.bigint() / 1000n);
  const t0 = performance.now();
  let ok = true;
  let error: string | undefined;
  let recorded: readonly RecordedResource[] = [];
  try {
    recorded = (await runOffline(program, { project: BENCH_PROJECT, stack: BENCH_STACK, config })).resources;
  } catch (e) {
    ok = false;
    error = errorMessage(e);
  }
  const runMs = performance.now() - t0;
  const windowEnd = Number(process.hrtime.bigint() / 1000n);
  const rssAfter = process.memoryUsage().rss;
  const maxRssKiB = process.resourceUsage().maxRSS;

  if (dump && ok) writeFileSync(dump, JSON.stringify(toBench(recorded)));
  const diff = expected && ok ? differences(expected, recorded) : [];
  return {
    mode,
    ok,
    ...(error !== undefined ? { error } : {}),
    startupMs,
    runMs,
    registered: recorded.length,
    rssBefore,
    rssAfter,
    maxRssKiB,
    runWindowUs: [windowStart, windowEnd],
    ...(expected ? { mismatches: diff.length, mismatchSample: diff.slice(0, 3) } : {}),
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
