/**
 * The programs the kit's offline plan is compared with (dev/bench/worker.ts). Each registers,
 * under the same offline engine and mocks, exactly the custom resources a kit run recorded:
 *
 * - {@link baselineProgram} (the issue's baseline): every custom resource through its provider SDK
 *   class (`new aws.iam.Role(name, inputs, { provider })`), with no components, wired as a
 *   hand-written program would wire them: an input that came from another resource is that
 *   resource's Output again, so types, names, providers, input values and the dependency graph are
 *   the kit's (checked after each run by `differences` in dev/bench/checks.ts).
 *   It returns the kit's stack outputs, built from its resources' Outputs as the kit builds them
 *   (one Output per service and per top-level field; see {@link prepareStackOutputs}), so that
 *   both programs end with the same serialized contract; with `{ stackOutputs: false }` it returns
 *   none (the "bare" program: the issue's baseline read literally, resources only).
 * - the same with `{ components: true }`: the kit's component tree replayed around them (same
 *   component types, names and parents, so the same URNs), each component registering empty
 *   outputs. This is Pulumi's own cost for the kit's registrations; the kit's time above it is
 *   what its own code costs.
 * - either with `{ steps: true }`: registered in steps as the kit's program builds
 *   (components/internal/steps.ts), a turn of the event loop whenever the next resource belongs
 *   to another service than the last, so that the kit is also compared with a program that
 *   builds as it does.
 * - {@link rawProgram} (a floor for reference): plain `pulumi.CustomResource`s with the recorded
 *   values as literals, stack outputs included: no SDK classes, no references, a flat graph.
 */
import * as pulumi from "@pulumi/pulumi";
import { isSecretValue } from "../../tools/offline/engine";
import { customDependencies, isProvider, serviceOwner, type BenchPlan, type BenchResource } from "./graph";
import { runAll, runPaced, type Steps } from "../../components/internal/steps";

/** Recorded inputs back to program inputs: secret-wrapped values become `pulumi.secret(value)`. */
export function rewrap(value: unknown): any {
  if (isSecretValue(value)) return pulumi.secret(rewrap(value.value));
  if (Array.isArray(value)) return value.map(rewrap);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrap(v)]));
  }
  return value;
}

/** `ProviderResource` and `CustomResource` are abstract in the typings only; these are the plain classes. */
class RawProvider extends pulumi.ProviderResource {}
class RawResource extends pulumi.CustomResource {}

type ResourceClass = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/**
 * The provider SDK class for a type token: `aws:iam/role:Role` is `require("@pulumi/aws").iam.Role`,
 * checked against the class's own `__pulumiType`.
 */
export function sdkClass(type: string): ResourceClass {
  const [pkg, module, name] = type.split(":");
  const namespace = module!.split("/")[0]!;
  const sdk = require(`@pulumi/${pkg}`) as Record<string, any>;
  const cls = namespace === "index" ? sdk[name!] : sdk[namespace]?.[name!];
  if (typeof cls !== "function" || cls.__pulumiType !== type) throw new Error(`no provider SDK class for ${type}`);
  return cls as ResourceClass;
}

/** The recorded resource options that are not wiring: as the kit set them. */
function recordedOptions(r: BenchResource): pulumi.CustomResourceOptions {
  return {
    ...(r.protect ? { protect: true } : {}),
    ...(r.ignoreChanges.length ? { ignoreChanges: [...r.ignoreChanges] } : {}),
    ...(r.replaceOnChanges?.length ? { replaceOnChanges: [...r.replaceOnChanges] } : {}),
    ...(r.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
    ...(r.additionalSecretOutputs.length ? { additionalSecretOutputs: [...r.additionalSecretOutputs] } : {}),
    ...(r.read ? { id: String(r.outputs.id) } : {}),
  };
}

function registerProviders(resources: readonly BenchResource[]): Map<string, pulumi.ProviderResource> {
  const providers = new Map<string, pulumi.ProviderResource>();
  for (const r of resources) {
    if (r.custom && isProvider(r)) providers.set(r.urn, new RawProvider(r.type.slice("pulumi:providers:".length), r.name, rewrap(r.inputs)));
  }
  return providers;
}

function providerOf(r: BenchResource, providers: ReadonlyMap<string, pulumi.ProviderResource>): pulumi.ProviderResource | undefined {
  if (!r.provider) return undefined;
  const provider = providers.get(r.provider);
  if (!provider) throw new Error(`no provider ${r.provider} for ${r.type} ${r.name}`);
  return provider;
}

/** Every custom resource of a recorded plan as a raw `CustomResource` with literal inputs; the stack outputs as literals. */
export function rawProgram(plan: BenchPlan): () => Record<string, unknown> {
  const { resources } = plan;
  return () => {
    const providers = registerProviders(resources);
    for (const r of resources) {
      if (!r.custom || isProvider(r)) continue;
      new RawResource(r.type, r.name, rewrap(r.inputs), { provider: providerOf(r, providers), ...recordedOptions(r) });
    }
    return rewrap(plan.outputs);
  };
}

/** A value a program can only take from another resource: one of that resource's after-deploy outputs. */
export interface Reference {
  /** The value as recorded. */
  readonly value: string;
  readonly resource: pulumi.CustomResource;
  readonly property: string;
}

/**
 * A recorded input back to a program input in which every value that came from a dependency is
 * taken from that dependency's Output again: a string equal to a reference becomes the resource's
 * output property; a string that contains references (a trust policy, a principal) becomes
 * `pulumi.all(outputs).apply(join)`. `references` must be sorted longest value first, so a value
 * is never split inside a longer one that contains it. `used` collects the referenced resources.
 */
export function wire(value: unknown, references: readonly Reference[], used: Set<pulumi.CustomResource>): any {
  if (isSecretValue(value)) return pulumi.secret(wire(value.value, references, used));
  if (Array.isArray(value)) return value.map((v) => wire(v, references, used));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wire(v, references, used)]));
  }
  if (typeof value !== "string") return value;
  const exact = references.find((r) => r.value === value);
  if (exact) {
    used.add(exact.resource);
    return outputOf(exact.resource, exact.property);
  }
  const parts = splitByReferences(value, references);
  const refs = parts.filter((p): p is Reference => typeof p !== "string");
  if (refs.length === 0) return value;
  for (const r of refs) used.add(r.resource);
  return pulumi.all(refs.map((r) => outputOf(r.resource, r.property))).apply((values) => {
    let next = 0;
    return parts.map((p) => (typeof p === "string" ? p : values[next++])).join("");
  });
}

const outputOf = (resource: pulumi.CustomResource, property: string) => (resource as unknown as Record<string, pulumi.Output<unknown>>)[property]!;

/**
 * `value` split into literal text and the references found in it, longest reference first (so a
 * value is never split inside a longer one that contains it): `"role/<r.name>"` with a reference
 * `<r.name>` is `["role/", ref, ""]`.
 */
export function splitByReferences<R extends { readonly value: string }>(value: string, references: readonly R[]): (string | R)[] {
  const parts: (string | R)[] = [value];
  for (const ref of references) {
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (typeof part !== "string" || !part.includes(ref.value)) continue;
      const pieces = part.split(ref.value).flatMap((piece, j) => (j === 0 ? [piece] : [ref, piece]));
      parts.splice(i, 1, ...pieces);
      i += pieces.length - 1;
    }
  }
  return parts.filter((p) => p !== "");
}

/** Where a value comes from: one after-deploy output of a recorded resource. */
interface Source {
  readonly value: string;
  readonly urn: string;
  readonly property: string;
}

/** A string of a recorded value that holds references: literal text and indexes into `sources`. */
class Joined {
  constructor(readonly pieces: readonly (string | number)[]) {}
}

/** A top-level stack output: rebuilt as one value, or (an object) entry by entry. */
export type PreparedTopLevel = { readonly whole: PreparedOutput } | { readonly entries: Readonly<Record<string, PreparedOutput>> };

/** One stack output value to rebuild: literal when `sources` is empty, else one `all` over them and one `apply`. */
export interface PreparedOutput {
  readonly template: unknown;
  readonly sources: readonly Source[];
  readonly secret: boolean;
}

/**
 * The kit's recorded stack outputs, prepared (before timing) to be rebuilt from the baseline's
 * resources with the kit's granularity: one Output per top-level value, and one per entry of a
 * top-level object (`okta.issuerUrl`, `services.<key>`, ...), as `components/outputs.ts` builds
 * them. A string that equals or contains an after-deploy output of a resource is taken from that
 * resource's Output. The candidates for `services.<key>` are that service's resources and the
 * shared ones; for anything else the shared ones (service keys are the keys of `services`).
 */
export function prepareStackOutputs(plan: BenchPlan): Record<string, PreparedTopLevel> {
  const serviceKeys = Object.keys((plan.outputs.services as Record<string, unknown> | undefined) ?? {});
  const shared: Source[] = [];
  const owned = new Map<string, Source[]>();
  for (const r of plan.resources) {
    if (!r.custom || isProvider(r)) continue;
    const sources = r.afterDeploy
      .filter((property) => typeof r.outputs[property] === "string" && r.outputs[property] !== "")
      .map((property) => ({ value: r.outputs[property] as string, urn: r.urn, property }));
    const owner = serviceOwner(r.name, serviceKeys);
    if (owner === undefined) shared.push(...sources);
    else owned.set(owner, [...(owned.get(owner) ?? []), ...sources]);
  }
  const longestFirst = (sources: Source[]) => sources.sort((a, b) => b.value.length - a.value.length);
  longestFirst(shared);
  const prepared: Record<string, PreparedTopLevel> = {};
  for (const [key, value] of Object.entries(plan.outputs)) {
    if (typeof value === "object" && value !== null && !Array.isArray(value) && !isSecretValue(value)) {
      prepared[key] = {
        entries: Object.fromEntries(
          Object.entries(value).map(([inner, v]) => [inner, prepareOutput(v, key === "services" ? longestFirst([...(owned.get(inner) ?? []), ...shared]) : shared)]),
        ),
      };
    } else {
      prepared[key] = { whole: prepareOutput(value, shared) };
    }
  }
  return prepared;
}

function prepareOutput(value: unknown, candidates: readonly Source[]): PreparedOutput {
  const sources: Source[] = [];
  let secret = false;
  const indexOf = (source: Source) => {
    const at = sources.indexOf(source);
    return at >= 0 ? at : sources.push(source) - 1;
  };
  const walk = (v: unknown): unknown => {
    if (isSecretValue(v)) {
      secret = true;
      return walk(v.value);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    if (typeof v !== "string") return v;
    const pieces = splitByReferences(v, candidates);
    if (pieces.every((p) => typeof p === "string")) return v;
    return new Joined(pieces.map((p) => (typeof p === "string" ? p : indexOf(p))));
  };
  return { template: walk(value), sources, secret };
}

function fill(template: unknown, values: readonly unknown[]): unknown {
  if (Array.isArray(template)) return template.map((t) => fill(t, values));
  if (typeof template !== "object" || template === null) return template;
  if (template instanceof Joined) {
    const { pieces } = template;
    return pieces.length === 1 && typeof pieces[0] === "number" ? values[pieces[0]] : pieces.map((p) => (typeof p === "number" ? values[p] : p)).join("");
  }
  return Object.fromEntries(Object.entries(template).map(([k, t]) => [k, fill(t, values)]));
}

/** A prepared value from the created resources' Outputs: one `all` and one `apply`, as the kit does per service. */
function rebuild(prepared: PreparedOutput, created: ReadonlyMap<string, pulumi.CustomResource>): unknown {
  if (prepared.sources.length === 0) return prepared.secret ? pulumi.secret(prepared.template) : prepared.template;
  const output = pulumi.all(prepared.sources.map((s) => outputOf(created.get(s.urn)!, s.property))).apply((values) => fill(prepared.template, values));
  return prepared.secret ? pulumi.secret(output) : output;
}

/**
 * The recorded custom resources through their provider SDK classes, wired by reference (see
 * {@link wire}); a dependency that no input carries becomes a `dependsOn`. With `components`, the
 * recorded component tree is registered too and each resource gets its recorded parent.
 */
export function baselineProgram(
  plan: BenchPlan,
  options: { readonly components?: boolean; readonly stackOutputs?: boolean; readonly steps?: boolean } = {},
): () => Record<string, unknown> | Promise<Record<string, unknown>> {
  const { resources } = plan;
  // Resolved (and the SDK modules loaded) before timing, as the kit's program has its imports loaded.
  const outputs = options.stackOutputs === false ? {} : prepareStackOutputs(plan);
  const classes = new Map<string, ResourceClass>();
  for (const r of resources) if (r.custom && !isProvider(r) && !classes.has(r.type)) classes.set(r.type, sdkClass(r.type));
  const dependencies = customDependencies(resources);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const serviceKeys = Object.keys((plan.outputs.services as Record<string, unknown> | undefined) ?? {});
  const owners = new Map(resources.map((r) => [r.urn, serviceOwner(r.name, serviceKeys)]));
  function* register(): Steps<Record<string, unknown>> {
    const providers = registerProviders(resources);
    const components = new Map<string, pulumi.ComponentResource>();
    if (options.components) {
      // Recorded order registers a parent before its children.
      for (const r of resources) {
        if (r.custom) continue;
        const component = new ReplayedComponent(r.type, r.name, r.parent ? components.get(r.parent) : undefined);
        components.set(r.urn, component);
      }
    }
    const created = new Map<string, pulumi.CustomResource>();
    let service: string | undefined;
    // Recorded order is registration order: a resource's dependencies were registered before it.
    for (const r of resources) {
      if (!r.custom || isProvider(r)) continue;
      // A step ends where the next resource is another service's (no-op unless run in steps).
      const owner = owners.get(r.urn);
      if (owner !== service && service !== undefined) yield;
      service = owner;
      const deps = dependencies.get(r.urn) ?? [];
      const references: Reference[] = deps
        .flatMap((urn) => {
          const dep = byUrn.get(urn)!;
          const resource = created.get(urn);
          if (!resource) throw new Error(`${r.name} depends on ${dep.name}, which was not registered before it`);
          return dep.afterDeploy
            .filter((property) => typeof dep.outputs[property] === "string" && dep.outputs[property] !== "")
            .map((property) => ({ value: dep.outputs[property] as string, resource, property }));
        })
        .sort((a, b) => b.value.length - a.value.length);
      const used = new Set<pulumi.CustomResource>();
      const inputs = wire(r.inputs, references, used);
      const dependsOn = deps.map((urn) => created.get(urn)!).filter((d) => !used.has(d));
      const parent = options.components && r.parent ? components.get(r.parent) : undefined;
      const opts: pulumi.CustomResourceOptions = {
        provider: providerOf(r, providers),
        ...(parent ? { parent } : {}),
        ...(dependsOn.length ? { dependsOn } : {}),
        ...recordedOptions(r),
      };
      created.set(r.urn, new (classes.get(r.type)!)(r.name, inputs, opts));
    }
    return Object.fromEntries(
      Object.entries(outputs).map(([key, value]) => [
        key,
        "whole" in value ? rebuild(value.whole, created) : Object.fromEntries(Object.entries(value.entries).map(([k, v]) => [k, rebuild(v, created)])),
      ]),
    );
  }
  return options.steps ? () => runPaced(register()) : () => runAll(register());
}

/** A recorded component: same type, name and parent; registers empty outputs, as a component must. */
class ReplayedComponent extends pulumi.ComponentResource {
  constructor(type: string, name: string, parent: pulumi.Resource | undefined) {
    super(type, name, {}, parent ? { parent } : {});
    this.registerOutputs({});
  }
}
