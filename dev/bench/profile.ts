/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time per function and per origin (the
 * kit's components, the kit's offline engine, the Pulumi SDK, provider SDKs, other packages,
 * Node internals, GC), optionally only inside a time window (a worker's `runWindowUs`).
 *
 *   tsx dev/bench/profile.ts <file.cpuprofile> [<startUs> <endUs>] [--top 25]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionCost {
  readonly name: string;
  readonly where: string;
  readonly origin: string;
  readonly selfMs: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** True when the window matched no sample and the whole profile was used instead. */
  readonly wholeProfile: boolean;
  readonly byOrigin: readonly { origin: string; selfMs: number; share: number }[];
  readonly top: readonly FunctionCost[];
  /**
   * Samples with the kit's program code (components/, stacks/) on the stack, ms: the program's
   * synchronous work including the SDK calls it makes (resource constructors, apply, all). The
   * engine (tools/offline/) is not counted: it is on the stack of everything it drives.
   */
  readonly kitInclusiveMs: number;
  /** Inclusive time of a few functions that matter for Pulumi programs (see {@link WATCHED}), ms. */
  readonly watched: readonly { label: string; inclusiveMs: number }[];
}

/** Functions whose inclusive time is reported: where the SDK captures and formats stack traces. */
const WATCHED: readonly { label: string; name: string; url: RegExp }[] = [
  { label: "SDK debuggablePromise (a new Error().stack per promise)", name: "debuggablePromise", url: /@pulumi\/pulumi\/runtime\/debuggable\.js$/ },
  { label: "SDK Resource.callsites (full stack per registration)", name: "callsites", url: /@pulumi\/pulumi\/resource\.js$/ },
  { label: "Node source-mapped stack formatting (any caller)", name: "prepareStackTraceWithSourceMaps", url: /source_map\/prepare_stack_trace$/ },
];

/** Where a function comes from, by its script URL. */
export function originOf(url: string, functionName: string): string {
  if (url === "") {
    if (functionName === "(garbage collector)") return "GC";
    if (functionName === "(program)" || functionName === "(idle)") return functionName;
    return "V8/native";
  }
  const path = decodeURIComponent(url.replace(/^file:\/\//, ""));
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
  if (pkg === "@pulumi/pulumi") return "Pulumi SDK (@pulumi/pulumi)";
  if (pkg?.startsWith("@pulumi/")) return "provider SDKs (@pulumi/*)";
  if (pkg === "google-protobuf" || pkg?.startsWith("@grpc/")) return "protobuf/gRPC (SDK deps)";
  if (pkg) return `other packages (${pkg})`;
  if (path.startsWith("node:") || !path.startsWith("/")) return "Node internals";
  if (/\/components\//.test(path)) return "kit: components/";
  if (/\/tools\/offline\//.test(path)) return "kit: tools/offline/";
  if (/\/stacks\//.test(path)) return "kit: stacks/";
  if (/\/tools\/bench/.test(path)) return "bench harness";
  return "other";
}

const short = (url: string) => decodeURIComponent(url.replace(/^file:\/\//, "")).replace(/^.*?node_modules\//, "").replace(/^.*\/(components|tools|stacks)\//, "$1/");

export function summariseProfile(profile: CpuProfile, window?: readonly [number, number], top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const isKit = (n: ProfileNode) => /^kit: (components|stacks)\//.test(originOf(n.callFrame.url, n.callFrame.functionName));
  const kitOnStack = new Map<number, boolean>();
  const hasKitFrame = (id: number): boolean => {
    const known = kitOnStack.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const parent = parentOf.get(id);
    const value = isKit(node) || (parent !== undefined && hasKitFrame(parent));
    kitOnStack.set(id, value);
    return value;
  };

  const watchedOnStack = new Map<number, boolean[]>();
  const watchedOf = (id: number): boolean[] => {
    const known = watchedOnStack.get(id);
    if (known) return known;
    const { functionName, url } = byId.get(id)!.callFrame;
    const parent = parentOf.get(id);
    const up = parent !== undefined ? watchedOf(parent) : WATCHED.map(() => false);
    const value = WATCHED.map((w, i) => up[i]! || (functionName === w.name && w.url.test(url)));
    watchedOnStack.set(id, value);
    return value;
  };

  const pick = (useWindow: boolean) => {
    const self = new Map<number, number>();
    const watched = WATCHED.map(() => 0);
    let t = profile.startTime;
    let total = 0;
    let kit = 0;
    profile.samples.forEach((id, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      t += delta;
      if (useWindow && window && (t < window[0] || t > window[1])) return;
      self.set(id, (self.get(id) ?? 0) + delta);
      total += delta;
      if (hasKitFrame(id)) kit += delta;
      watchedOf(id).forEach((on, i) => {
        if (on) watched[i]! += delta;
      });
    });
    return { self, total, kit, watched };
  };
  let picked = pick(true);
  const wholeProfile = window !== undefined && picked.total === 0;
  if (wholeProfile) picked = pick(false);

  const perFunction = new Map<string, FunctionCost & { selfUs: number }>();
  const perOrigin = new Map<string, number>();
  for (const [id, us] of picked.self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = functionName || "(anonymous)";
    const where = url ? `${short(url)}:${lineNumber + 1}` : "";
    const origin = originOf(url, functionName);
    const key = `${name}@${where}`;
    const entry = perFunction.get(key) ?? { name, where, origin, selfMs: 0, selfUs: 0 };
    entry.selfUs += us;
    perFunction.set(key, entry);
    perOrigin.set(origin, (perOrigin.get(origin) ?? 0) + us);
  }
  const totalMs = picked.total / 1000;
  return {
    totalMs,
    wholeProfile,
    byOrigin: [...perOrigin.entries()]
      .sort(([, a], [, b]) => b - a)
      .map(([origin, us]) => ({ origin, selfMs: us / 1000, share: picked.total ? us / picked.total : 0 })),
    top: [...perFunction.values()]
      .sort((a, b) => b.selfUs - a.selfUs)
      .slice(0, top)
      .map(({ name, where, origin, selfUs }) => ({ name, where, origin, selfMs: selfUs / 1000 })),
    kitInclusiveMs: picked.kit / 1000,
    watched: WATCHED.map((w, i) => ({ label: w.label, inclusiveMs: picked.watched[i]! / 1000 })),
  };
}

export function formatProfileSummary(s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `CPU profile: ${s.totalMs.toFixed(0)} ms sampled${s.wholeProfile ? " (whole process: the window matched no sample)" : " in the run window"}`,
    `  with kit program code (components/, stacks/) on the stack: ${s.kitInclusiveMs.toFixed(0)} ms (${pct(s.totalMs ? s.kitInclusiveMs / s.totalMs : 0)})`,
    "Inclusive time of:",
    ...s.watched.map((w) => `  ${w.label.padEnd(58)} ${w.inclusiveMs.toFixed(0).padStart(8)} ms  ${pct(s.totalMs ? w.inclusiveMs / s.totalMs : 0).padStart(6)}`),
    "Self time by origin:",
    ...s.byOrigin.map((o) => `  ${o.origin.padEnd(36)} ${o.selfMs.toFixed(0).padStart(8)} ms  ${pct(o.share).padStart(6)}`),
    "Top functions by self time:",
    ...s.top.map((f) => `  ${f.selfMs.toFixed(0).padStart(7)} ms  ${pct(s.totalMs ? f.selfMs / s.totalMs : 0).padStart(6)}  ${f.name}  ${f.where}  [${f.origin}]`),
  ];
  return lines.join("\n");
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf("--top");
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
  const [file, start, end] = args;
  if (!file) {
    process.stderr.write("usage: tsx dev/bench/profile.ts <file.cpuprofile> [<startUs> <endUs>] [--top 25]\n");
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const window = start !== undefined && end !== undefined ? ([Number(start), Number(end)] as const) : undefined;
  process.stdout.write(`${formatProfileSummary(summariseProfile(profile, window, top))}\n`);
}
