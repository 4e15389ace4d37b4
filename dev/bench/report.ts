/**
 * The report of `npm run bench` (dev/bench.ts) on stdout: the tables, the lines under them and,
 * last, the `bench:` summary line (its keys are listed in dev/bench.ts's header).
 */
import { performance } from "node:perf_hooks";
import { ASSUMPTIONS, DEPLOY_SCENARIOS, type DeployEstimate } from "./deploy";
import type { Options } from "./options";
import type { Compared, Measured, ScaleResult, SizeResult, Timed } from "./runs";

/** The deploy scenario of the headline figures: pulumi up's default on a 4-core machine. */
export const HEADLINE = "cli16";

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const mb = (kib: number) => kib / 1024;

/** A chain of names for one line: its first `head` and last `tail` names, and how many lie between. */
export function shortPath(path: readonly string[], head = 6, tail = 2): string {
  if (path.length <= head + tail + 1) return path.join(" -> ");
  return [...path.slice(0, head), `(${path.length - head - tail} more)`, ...path.slice(-tail)].join(" -> ");
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** The tables of the verify and deploy figures. */
export function scaleLines(scale: ScaleResult, options: Options): string[] {
  const { deploy, verify } = scale;
  const f = (x: number) => x.toFixed(1);
  const lines: string[] = [];
  if (options.verify) {
    lines.push(
      "",
      `Trust proof (npm run verify's work after the plan: model, tokens, matrix, trust probes, findings) over each N's plan, ${options.runs} fresh processes each:`,
      "",
      table(
        ["N", "median s", "min s", "peak RSS MB (median)", "targets"],
        options.scaleSizes.map((n) => {
          const runs = verify.get(n)!;
          return [String(n), f(median(runs.map((r) => r.runMs)) / 1000), f(Math.min(...runs.map((r) => r.runMs)) / 1000), (median(runs.map((r) => r.maxRssKiB)) / 1024).toFixed(0), String(runs[0]!.registered)];
        }),
      ),
    );
  }
  if (options.deploy) {
    const outcome = (e: DeployEstimate) =>
      e.failed === 0 ? "completes" : `FAILS: ${e.failed} failed, ${e.notStarted} not started (${e.failures[0]!.name}: ${e.failures[0]!.reason}, at ${f(e.failures[0]!.atMinutes)} min)`;
    lines.push(
      "",
      "Deploy-time model of the first `pulumi up` (dev/bench/deploy/), request by request: Pulumi's scheduling over the plan's",
      "dependency graph; Okta's concurrency cap and per-minute windows, answered 429 past them, and the provider's retries, deadline and",
      "governor; the providers' locks and GCP's batched project IAM writes; AWS, GCP and Azure write rates. Okta pacing from the plan's",
      "provider inputs unless a scenario says otherwise. The floor is what no schedule beats (Okta's windows, each rate, each lock, the",
      "longest chain). Assumed latencies (s): " + Object.entries(ASSUMPTIONS.latency).map(([k, v]) => `${k} ${v}`).join(", ") + ".",
      "",
      table(
        ["N", "scenario", "minutes", "outcome", "Okta 429s (concurrency/rate)", "retries", "governor pauses", "GCP project policy writes"],
        options.scaleSizes.flatMap((n) =>
          DEPLOY_SCENARIOS.map((s) => {
            const e = deploy.get(n)!.get(s.key)!;
            return [String(n), s.label, f(e.minutes), outcome(e), `${e.okta.rejectedConcurrency}/${e.okta.rejectedRate}`, String(e.okta.retries), String(e.okta.governorPauses), String(e.gcpProjectPolicyWrites)];
          }),
        ),
      ),
      "",
      table(
        ["N", "operations", "floor min, --parallel 16", "its bottleneck", "floor min, unbounded", "its bottleneck", "Integrator Free floor min", "quotas passed (times assume them raised)"],
        options.scaleSizes.map((n) => {
          const e = deploy.get(n)!.get(HEADLINE)!;
          const u = deploy.get(n)!.get("unbounded")!;
          const fr = deploy.get(n)!.get("free")!;
          return [String(n), String(e.operations), f(e.floorMinutes), e.bottleneck, f(u.floorMinutes), u.bottleneck, f(fr.floorMinutes), e.quotasOver.map((q) => `${q.what}: ${q.count} of ${q.limit}`).join("; ") || "none"];
        }),
      ),
    );
    const last = options.scaleSizes.at(-1)!;
    const largest = deploy.get(last)?.get("unbounded");
    if (largest) lines.push("", `Floors at N=${last}, unbounded (minutes each needs at least): ${largest.endpoints.slice(0, 8).map((e) => `${e.name} ${f(e.minutes)} (${e.calls} calls)`).join("; ")}`);
  }
  return lines;
}

/** The summary keys of the scale figures (NA where not measured). */
export function scaleKeys(scale: ScaleResult | undefined, options: Options): string {
  if (!scale) return "";
  const na = "NA";
  const v = (n: number) => scale.verify.get(n);
  const sec = (n: number) => (v(n) ? (median(v(n)!.map((r) => r.runMs)) / 1000).toFixed(1) : na);
  const keys: string[] = [];
  if (options.verify) {
    const growth = v(100) && v(1000) ? (median(v(1000)!.map((r) => r.runMs)) / median(v(100)!.map((r) => r.runMs))).toFixed(1) : na;
    keys.push(`verify_500_s=${sec(500)}`, `verify_1000_s=${sec(1000)}`, `verify_growth_100_1000=${growth}`);
  }
  if (options.deploy) {
    const at500 = (key: string) => scale.deploy.get(500)?.get(key);
    const d = at500(HEADLINE);
    const min = (e: DeployEstimate | undefined) => (e ? e.minutes.toFixed(1) : na);
    keys.push(
      `deploy_500_min=${min(d)}`,
      `deploy_500_failed=${d ? d.failed : na}`,
      `deploy_floor_500_min=${d ? d.floorMinutes.toFixed(1) : na}`,
      `deploy_parallel64_500_min=${min(at500("parallel64"))}`,
      `deploy_free_500_min=${min(at500("free"))}`,
    );
  }
  return keys.join(" ");
}

/** The plan benchmark's report: its tables, then the scale figures', the suite's and the profile, then the summary lines. */
export function planReport(options: Options, sizes: readonly SizeResult[], scale: ScaleResult | undefined, suite: readonly Timed[], profile: string, started: number): string {
  const ok = sizes.filter((s) => s.error === undefined);
  const largest = ok.at(-1);
  const fmt = (x: number, digits = 0) => x.toFixed(digits);
  const med = (runs: readonly Measured[], pick: (r: Measured) => number) => median(runs.map(pick));
  const ms = (s: SizeResult, mode: "kit" | Compared) => med(s[mode], (r) => r.runMs);
  const cpuMs = (s: SizeResult, mode: "kit" | Compared) => med(s[mode], (r) => r.cpuMs);
  /** kit/other per round (runs of one round are minutes apart at most, so a slow drift of the machine's load cancels). */
  const perRound = (s: SizeResult, mode: Compared) => s.kit.map((k, i) => k.runMs / s[mode][i]!.runMs);
  const minMs = (s: SizeResult, mode: "kit" | Compared) => Math.min(...s[mode].map((r) => r.runMs));
  const kitRss = (s: SizeResult) => med(s.kit, (r) => r.maxRssKiB);
  const dash = "-";
  const cell = (s: SizeResult, mode: Compared, value: () => string) => (s[mode].length > 0 ? value() : dash);

  const out: string[] = [];
  out.push("");
  out.push(`Offline plan of N services (each on AWS, GCP and Azure), median of ${options.runs} fresh processes per cell.`);
  out.push(`plan ms = runOffline only (program, registrations, drain). baseline = the kit's custom resources through the provider`);
  out.push(`SDK classes, wired by reference (same inputs and dependency graph), no components, returning the kit's stack outputs;`);
  out.push(`bare = baseline without stack outputs (resources only); paced = baseline registered in steps as the kit builds (a turn`);
  out.push(`of the event loop between services, components/internal/steps.ts); tree = paced + the kit's component tree (same URNs);`);
  out.push(`raw = plain CustomResources with literal inputs and outputs (floor). See docs/benchmarks.md.`);
  out.push("");
  out.push(
    table(
      ["N", "shards", "kit ms", "baseline ms", "kit/baseline", "min: kit/baseline", "promises/svc kit/baseline", "bare ms", "kit/bare", "paced ms", "kit/paced", "tree ms", "tree/paced", "kit/tree", "raw ms", "kit µs/res", "kit/N ms"],
      sizes.map((s) =>
        s.error !== undefined
          ? [String(s.n), String(s.shards ?? dash), "FAILED (below)", "", "", "", "", "", "", "", "", "", "", "", "", "", ""]
          : [
              String(s.n),
              String(s.shards ?? dash),
              fmt(ms(s, "kit")),
              fmt(ms(s, "baseline")),
              fmt(ms(s, "kit") / ms(s, "baseline"), 2),
              `${fmt(minMs(s, "kit"))}/${fmt(minMs(s, "baseline"))} = ${fmt(minMs(s, "kit") / minMs(s, "baseline"), 2)}`,
              s.promises ? `${fmt(s.promises.kit / s.n)}/${fmt(s.promises.baseline / s.n)} = ${fmt(s.promises.kit / s.promises.baseline, 3)}` : dash,
              cell(s, "bare", () => fmt(ms(s, "bare"))),
              cell(s, "bare", () => fmt(ms(s, "kit") / ms(s, "bare"), 2)),
              cell(s, "paced", () => fmt(ms(s, "paced"))),
              cell(s, "paced", () => fmt(ms(s, "kit") / ms(s, "paced"), 2)),
              cell(s, "tree", () => fmt(ms(s, "tree"))),
              cell(s, "tree", () => fmt(ms(s, "tree") / ms(s, "paced"), 2)),
              cell(s, "tree", () => fmt(ms(s, "kit") / ms(s, "tree"), 2)),
              cell(s, "raw", () => fmt(ms(s, "raw"))),
              fmt((ms(s, "kit") * 1000) / s.graph!.custom),
              fmt(ms(s, "kit") / s.n, 1),
            ],
      ),
    ),
  );
  for (const s of sizes) {
    if (s.error !== undefined) out.push("", `N=${s.n}: the kit's program failed (reported, not worked around):`, ...s.error.split("\n").map((l) => `  ${l}`));
  }
  out.push("");
  out.push("Memory (peak RSS = process.resourceUsage().maxRSS, MB = MiB) and whole-process wall time (node + tsx + imports + plan):");
  out.push("");
  const peakMb = (s: SizeResult, mode: Compared) => cell(s, mode, () => fmt(mb(med(s[mode], (r) => r.maxRssKiB))));
  out.push(
    table(
      ["N", "kit peak MB", "baseline peak MB", "bare peak MB", "paced peak MB", "tree peak MB", "raw peak MB", "kit RSS before plan MB", "kit process ms", "baseline process ms"],
      ok.map((s) => [
        String(s.n),
        fmt(mb(kitRss(s))),
        peakMb(s, "baseline"),
        peakMb(s, "bare"),
        peakMb(s, "paced"),
        peakMb(s, "tree"),
        peakMb(s, "raw"),
        fmt(med(s.kit, (r) => r.rssBefore) / 1048576),
        fmt(med(s.kit, (r) => r.processMs)),
        fmt(med(s.baseline, (r) => r.processMs)),
      ]),
    ),
  );
  out.push("");
  out.push("Resources (custom = custom resources without providers; all = every registration, components and providers included):");
  out.push("");
  out.push(
    table(
      ["N", "custom", "all", "components", "providers", "custom/service", "all/service", "shared custom", "depth"],
      ok.map((s) => {
        const g = s.graph!;
        const range = (r: { min: number; max: number }) => (r.min === r.max ? String(r.min) : `${r.min}-${r.max}`);
        return [String(s.n), String(g.custom), String(g.all), String(g.components), String(g.providers), range(g.customPerService), range(g.allPerService), String(g.sharedCustom), String(g.depth)];
      }),
    ),
  );
  if (largest) {
    const g = largest.graph!;
    out.push("");
    out.push(`Critical path at N=${largest.n} (depth ${g.depth}): ${shortPath(g.criticalPath)}`);
    out.push(`Registrations by type at N=${largest.n}: ${Object.entries(g.byType).map(([t, c]) => `${t} ${c}`).join(", ")}`);
    const runs = (label: string, list: readonly Measured[], pick: (r: Measured) => number = (r) => r.runMs) => (list.length ? `${label} ${list.map((r) => fmt(pick(r))).join(", ")}` : "");
    const every = (pick?: (r: Measured) => number) =>
      [runs("kit", largest.kit, pick), runs("baseline", largest.baseline, pick), runs("bare", largest.bare, pick), runs("paced", largest.paced, pick), runs("tree", largest.tree, pick), runs("raw", largest.raw, pick)]
        .filter(Boolean)
        .join("; ");
    out.push(`Each run's plan ms at N=${largest.n}: ${every()}`);
    out.push(`Each run's CPU ms (user + system, all threads) at N=${largest.n}: ${every((r) => r.cpuMs)}`);
    for (const mode of ["baseline", "paced"] as const) {
      out.push(`kit/${mode} round by round at N=${largest.n}: ${perRound(largest, mode).map((r) => fmt(r, 2)).join(", ")} (median ${fmt(median(perRound(largest, mode)), 2)})`);
    }
    out.push(
      "Checked on every run: baseline, bare, paced and tree registered the kit's custom resources (type, name, provider, inputs, options) with the kit's dependency graph, tree also the kit's URNs; raw the same resources and inputs; all but bare returned the kit's stack outputs.",
    );
  }
  if (scale) out.push(...scaleLines(scale, options));
  if (suite.length > 0) {
    out.push("");
    out.push(table(["command", "wall s", "exit", "result"], suite.map((t) => [t.label, fmt(t.wallMs / 1000, 1), String(t.code), t.note])));
  }
  if (profile) {
    out.push("");
    out.push(profile);
  }
  out.push("");
  out.push(`Total bench time: ${fmt((performance.now() - started) / 1000, 0)} s`);

  const at = (n: number) => ok.find((s) => s.n === n);
  const s10 = at(10);
  const s500 = at(500);
  const na = "NA";
  const overhead = s500 ? fmt(ms(s500, "kit") / ms(s500, "baseline"), 2) : na;
  const depth = s500 ? String(s500.graph!.depth) : na;
  const growth = s10 && s500 ? fmt(ms(s500, "kit") / ms(s10, "kit"), 2) : na;
  const rss = s500 ? fmt(mb(kitRss(s500))) : na;
  const overheadPaced = s500 ? fmt(ms(s500, "kit") / ms(s500, "paced"), 2) : na;
  if (s500) {
    // The overhead split: what building in steps saves any program, then the kit against a program that builds as it does.
    out.push(`at N=500: kit/baseline ${overhead} = building in steps (paced/baseline) ${fmt(ms(s500, "paced") / ms(s500, "baseline"), 2)} x kit/paced ${overheadPaced}`);
  }
  if (s500 && s500.tree.length > 0) {
    // kit/paced split in two: the SDK's cost of the kit's component registrations, and the kit's own code.
    const components = ms(s500, "tree") / ms(s500, "paced");
    const own = ms(s500, "kit") / ms(s500, "tree");
    out.push(`at N=500: kit/paced ${overheadPaced} = components in the SDK (tree/paced) ${fmt(components, 2)} x the kit's own code (kit/tree) ${fmt(own, 2)}`);
  }
  if (s500 && s500.bare.length > 0) {
    // The issue's baseline read literally (no stack outputs): the output contract then counts as overhead.
    const bare = ms(s500, "kit") / ms(s500, "bare");
    const contract = ms(s500, "baseline") / ms(s500, "bare");
    out.push(`at N=500 against bare (resources only, no stack outputs): kit/bare ${fmt(bare, 2)}; the stack outputs alone (baseline/bare) ${fmt(contract, 2)}`);
  }
  // The same ratio by CPU time: what the programs cost the machine, whatever else holds its cores
  // meanwhile (wall time on a shared machine also measures the other processes).
  const overheadCpu = s500 ? fmt(cpuMs(s500, "kit") / cpuMs(s500, "baseline"), 2) : na;
  if (s500) {
    const tree = s500.tree.length > 0 ? `, kit/tree ${fmt(cpuMs(s500, "kit") / cpuMs(s500, "tree"), 2)}` : "";
    out.push(
      `at N=500 by CPU time (medians: kit ${fmt(cpuMs(s500, "kit"))} ms, baseline ${fmt(cpuMs(s500, "baseline"))} ms, paced ${fmt(cpuMs(s500, "paced"))} ms): kit/baseline ${overheadCpu}, kit/paced ${fmt(cpuMs(s500, "kit") / cpuMs(s500, "paced"), 2)}${tree}`,
    );
  }
  const keys = scaleKeys(scale, options);
  out.push(`bench: overhead_500=${overhead} depth_500=${depth} growth_10_500=${growth} rss_500_mb=${rss} overhead_cpu_500=${overheadCpu} overhead_paced_500=${overheadPaced}${keys ? ` ${keys}` : ""}`);
  return `${out.join("\n")}\n`;
}
