/**
 * The checks run after every comparison program of the bench (dev/bench/worker.ts): did it
 * register exactly the kit's custom resources (and, as asked, its dependency graph and URNs), and
 * return the kit's stack outputs? Split from dev/bench/baselines.ts, which holds the programs.
 */
import { isSecretValue, type RecordedResource } from "../../tools/offline/engine";
import { customDependencies, type BenchResource } from "./graph";

/** Canonical JSON (sorted keys) for comparing inputs. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/**
 * How a run differs from the recorded plan: custom resources missing, extra, or with other inputs
 * or provider; with `dependencies`, custom resources whose dependencies (as custom resources)
 * differ; with `urns`, registrations (components included) whose URN is not the recorded one.
 */
export function differences(
  expected: readonly BenchResource[],
  actual: readonly RecordedResource[],
  check: { readonly dependencies?: boolean; readonly urns?: boolean } = {},
): string[] {
  const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
  // The options that change what pulumi up does with a resource, as the kit set them
  // (additionalSecretOutputs not: each SDK class adds its own, so a replayed list holds them twice).
  const options = (r: BenchResource | RecordedResource) =>
    canonical({ protect: r.protect, ignoreChanges: r.ignoreChanges, replaceOnChanges: r.replaceOnChanges ?? [], deleteBeforeReplace: r.deleteBeforeReplace ?? false });
  const describe = (r: BenchResource | RecordedResource) => `${r.provider ?? ""} ${canonical(r.inputs)} ${options(r)}`;
  const want = new Map(expected.filter((r) => r.custom).map((r) => [key(r), describe(r)]));
  const got = new Map(actual.filter((r) => r.custom).map((r) => [key(r), describe(r)]));
  const out: string[] = [];
  for (const [k, v] of want) if (got.get(k) !== v) out.push(got.has(k) ? `${k}: different inputs, provider or options` : `${k}: missing`);
  for (const k of got.keys()) if (!want.has(k)) out.push(`${k}: extra`);
  if (check.dependencies) {
    const named = (resources: readonly BenchResource[]) => {
      const names = new Map(resources.map((r) => [r.urn, key(r)]));
      return new Map([...customDependencies(resources)].map(([urn, deps]) => [names.get(urn)!, deps.map((d) => names.get(d)!).sort().join(",")]));
    };
    const wantDeps = named(expected);
    const gotDeps = named(actual);
    for (const [k, v] of wantDeps) if (gotDeps.has(k) && gotDeps.get(k) !== v) out.push(`${k}: different dependencies`);
  }
  if (check.urns) {
    const urns = new Set(actual.map((r) => r.urn));
    for (const r of expected) if (!urns.has(r.urn)) out.push(`${r.urn}: URN not registered`);
  }
  return out;
}

/**
 * Stack outputs that differ from the kit's, by path: each top-level value, and each entry of a
 * top-level object (`services.svc-0001`), compared as canonical JSON.
 */
export function outputDifferences(expected: Readonly<Record<string, unknown>>, actual: Readonly<Record<string, unknown>>): string[] {
  const entries = (outputs: Readonly<Record<string, unknown>>) => {
    const flat = new Map<string, string>();
    for (const [key, value] of Object.entries(outputs)) {
      if (typeof value === "object" && value !== null && !Array.isArray(value) && !isSecretValue(value)) {
        for (const [inner, v] of Object.entries(value)) flat.set(`${key}.${inner}`, canonical(v));
      } else {
        flat.set(key, canonical(value));
      }
    }
    return flat;
  };
  const want = entries(expected);
  const got = entries(actual);
  const out: string[] = [];
  for (const [path, v] of want) if (got.get(path) !== v) out.push(got.has(path) ? `stack output ${path}: different value` : `stack output ${path}: missing`);
  for (const path of got.keys()) if (!want.has(path)) out.push(`stack output ${path}: extra`);
  return out;
}
