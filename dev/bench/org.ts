/**
 * `npm run bench -- --org`: an organisation of 10,000 services (issue 23).
 *
 * Generates one platform stack and one team stack per team (dev/bench/orgConfig.ts) into a temp
 * dir, plans every stack in a process of its own (`node <npm run plan's flags> tools/plan.ts
 * --stack-file <file> --json`; a team's plan plans its platform first from the file beside it),
 * at most --org-parallel at once, each process's wall time and peak RSS measured; then ONE org
 * verify over all the plans in one process (`tools/verify.ts --plan ... --plan ...`, npm run
 * verify's flags), timed and measured the same way. Peak RSS: process.resourceUsage().maxRSS of
 * the process, written at its exit by the preload dev/bench/orgRss.ts. Prints a table per stack,
 * the verify result, the goals and, last, one line:
 *   bench: org_services=<n> org_stacks=<n> org_plan_rss_max_mb=<n> org_verify_s=<n> org_plan_total_s=<n> org_verify_rss_mb=<n> org_verify=PASSED|FAILED
 *
 * Options: --org-services 10000  --org-teams 25  --org-parallel 2  --org-keep (keep the temp dir: stack files, plans, verify report)
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { ORG_PLATFORM_STACK, orgLayout, writeOrgStackFiles } from "./orgConfig";
import { parsePlatformConfig } from "../../components/config/platform";

const ROOT = resolve(__dirname, "..", "..");
const RSS_PRELOAD = join(__dirname, "orgRss.ts");
/** The goals of issue 23 for this bench (printed beside the figures, never asserted). */
export const ORG_GOALS = { planRssMaxMb: 2500, verifySeconds: 60 } as const;

export interface OrgBenchOptions {
  readonly services: number;
  readonly teams: number;
  readonly parallel: number;
  readonly keep: boolean;
}

const ORG_USAGE = "usage: npm run bench -- --org [--org-services 10000] [--org-teams 25] [--org-parallel 2] [--org-keep]";

export function parseOrgArgs(argv: readonly string[]): OrgBenchOptions {
  const options = { services: 10_000, teams: 25, parallel: 2, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const count = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${arg} needs a positive integer\n${ORG_USAGE}`);
      return v;
    };
    if (arg === "--org") continue;
    else if (arg === "--org-services") options.services = count();
    else if (arg === "--org-teams") options.teams = count();
    else if (arg === "--org-parallel") options.parallel = count();
    else if (arg === "--org-keep") options.keep = true;
    else throw new Error(`unknown option ${arg} with --org\n${ORG_USAGE}`);
  }
  return options;
}

/** The Node flags of an npm script run through tsx (package.json), so each process runs as users run it. */
function scriptNodeFlags(script: "plan" | "verify"): string[] {
  const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const words = (scripts[script] ?? "").split(/\s+/);
  return words.slice(words.indexOf("tsx") + 1).filter((w) => w.startsWith("--"));
}

interface ProcessRun {
  readonly code: number | null;
  readonly wallMs: number;
  /** Peak RSS, KiB; undefined when the process wrote none (killed). */
  readonly maxRssKiB: number | undefined;
  /** CPU time of the process (user + system), ms; undefined like maxRssKiB. */
  readonly cpuMs: number | undefined;
  readonly stderr: string;
}

/** Runs `node <flags> --import tsx --import orgRss.ts <script> <args>` from the repository root, stdout to a file. */
function measured(flags: readonly string[], script: string, args: readonly string[], stdoutFile: string): Promise<ProcessRun> {
  const rssFile = `${stdoutFile}.rss`;
  const out = openSync(stdoutFile, "w");
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(process.execPath, [...flags, "--import", "tsx", "--import", RSS_PRELOAD, script, ...args], {
      cwd: ROOT,
      env: { ...process.env, OKTA_FED_BENCH_RSS_FILE: rssFile, FORCE_COLOR: "0", NO_COLOR: "1" },
      stdio: ["ignore", out, "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (error) => {
      closeSync(out);
      fail(error);
    });
    child.on("close", (code) => {
      const wallMs = performance.now() - start;
      closeSync(out);
      const usage = existsSync(rssFile) ? (JSON.parse(readFileSync(rssFile, "utf8")) as { maxRssKiB: number; cpuMs: number }) : undefined;
      done({ code, wallMs, maxRssKiB: usage?.maxRssKiB, cpuMs: usage?.cpuMs, stderr });
    });
  });
}

/** `fn` over `items`, at most `limit` at once, results in item order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

interface StackRun {
  readonly stack: string;
  readonly services: number;
  readonly planFile: string;
  readonly run: ProcessRun;
  /** Every registration of the plan (components, providers and the stack reference included), and the custom resources alone. */
  readonly resources?: number;
  readonly custom?: number;
}

/** What the org verify's text report (tools/verify/orgRender.ts) says: each stack's verdict, the cross-stack lines and the organisation's verdict. */
export interface VerifyReport {
  readonly perStack: ReadonlyMap<string, { passed: boolean; findings: number }>;
  readonly verdict: string;
  readonly passed: boolean;
  readonly crossStack: string;
  readonly unique: string;
  readonly crossFindings: readonly string[];
  /** The org verify's shared-quota lines (a project's or account's objects summed over the stacks), as printed. */
  readonly sharedQuotas: readonly string[];
}

export function readVerifyReport(text: string, sources: ReadonlyMap<string, string>): VerifyReport {
  const lines = text.split("\n");
  const perStack = new Map<string, { passed: boolean; findings: number }>();
  let current: string | undefined;
  let org = -1;
  lines.forEach((line, i) => {
    const head = /^=== (.+) ===$/.exec(line);
    if (head) current = sources.get(head[1]!) ?? head[1]!;
    else if (line.startsWith("ORGANISATION")) {
      org = i;
      current = undefined;
    } else if (current && !perStack.has(current) && /^(PASSED|FAILED)/.test(line)) {
      const passed = line.startsWith("PASSED");
      perStack.set(current, { passed, findings: passed ? 0 : Number(/(\d+) finding/.exec(line)?.[1] ?? NaN) });
    }
  });
  const tail = org >= 0 ? lines.slice(org) : [];
  const verdictAt = tail.findIndex((l) => /^(PASSED|FAILED)/.test(l));
  const verdict = verdictAt >= 0 ? tail[verdictAt]! : "(no verdict: see the report)";
  return {
    perStack,
    verdict,
    passed: verdict.startsWith("PASSED"),
    crossStack: tail.find((l) => l.startsWith("cross-stack matrix")) ?? "",
    unique: tail.find((l) => l.startsWith("unique across stacks")) ?? "",
    crossFindings: verdictAt >= 0 ? tail.slice(verdictAt + 1).filter((l) => l.startsWith("  - ")) : [],
    sharedQuotas: sectionAfter(tail, "Shared quotas"),
  };
}

/** The indented lines under the line starting with `heading`, up to the first line that is not indented. */
function sectionAfter(lines: readonly string[], heading: string): string[] {
  const at = lines.findIndex((l) => l.startsWith(heading));
  if (at < 0) return [];
  const end = lines.findIndex((l, i) => i > at && !l.startsWith("  "));
  return lines.slice(at + 1, end < 0 ? undefined : end);
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const mb = (kib: number | undefined) => (kib === undefined ? "NA" : (kib / 1024).toFixed(0));
const sec = (ms: number | undefined) => (ms === undefined ? "NA" : (ms / 1000).toFixed(1));

function planCounts(file: string): { resources: number; custom: number } | undefined {
  try {
    const plan = JSON.parse(readFileSync(file, "utf8")) as { resources: Array<{ type: string }> };
    return { resources: plan.resources.length, custom: plan.resources.filter((r) => !r.type.startsWith("oktafed:") && !r.type.startsWith("pulumi:")).length };
  } catch {
    return undefined;
  }
}

export async function orgMain(argv: readonly string[]): Promise<void> {
  const options = parseOrgArgs(argv);
  const started = performance.now();
  const layout = orgLayout(options.services, options.teams);
  parsePlatformConfig(layout.platform); // the generated platform must be one the kit accepts, before anything runs
  const dir = mkdtempSync(join(tmpdir(), "okta-fed-org-"));
  const files = writeOrgStackFiles(dir, layout);
  const planFlags = scriptNodeFlags("plan");
  const verifyFlags = scriptNodeFlags("verify");
  log(
    `okta-federation bench --org: ${options.services} services in ${options.teams} team stacks + 1 platform stack (${dir}); ` +
      `each stack planned in its own process (node ${planFlags.join(" ")} tools/plan.ts --stack-file ... --json), ${options.parallel} at once on ${cpus().length} cores`,
  );
  try {
    const jobs = [
      { stack: ORG_PLATFORM_STACK, services: 0, file: files.platform },
      ...layout.teams.map((team, t) => ({ stack: team.stack, services: team.services, file: files.teams[t]! })),
    ];
    const load = [loadavg()[0]!];
    const planStart = performance.now();
    let done = 0;
    const runs: StackRun[] = await pool(jobs, options.parallel, async (job) => {
      const planFile = join(dir, `${job.stack}.plan.json`);
      const run = await measured(planFlags, "tools/plan.ts", ["--stack-file", job.file, "--json"], planFile);
      const counts = run.code === 0 ? planCounts(planFile) : undefined;
      done++;
      log(
        `  [${done}/${jobs.length}] ${job.stack}: ${run.code === 0 ? "planned" : `FAILED (exit ${run.code})`} in ${sec(run.wallMs)} s (${sec(run.cpuMs)} s CPU), peak RSS ${mb(run.maxRssKiB)} MB` +
          (counts ? `, ${counts.resources} resources` : "") +
          (run.code === 0 ? "" : `\n${run.stderr.trim().split("\n").slice(0, 20).map((l) => `      ${l}`).join("\n")}`),
      );
      return { stack: job.stack, services: job.services, planFile, run, ...(counts ?? {}) };
    });
    const planWallMs = performance.now() - planStart;
    load.push(loadavg()[0]!);
    const planned = runs.filter((r) => r.run.code === 0 && r.resources !== undefined);

    log(`  org verify over ${planned.length} plans in one process (node ${verifyFlags.join(" ")} tools/verify.ts --plan ... ) ...`);
    const reportFile = join(dir, "verify.txt");
    const verifyArgs = planned.flatMap((r) => ["--plan", r.planFile]);
    const verify = await measured(verifyFlags, "tools/verify.ts", verifyArgs, reportFile);
    load.push(loadavg()[0]!);
    const sources = new Map(planned.map((r) => [`plan ${r.planFile}`, r.stack]));
    const report = readVerifyReport(readFileSync(reportFile, "utf8"), sources);
    const verifyPassed = verify.code === 0 && report.passed && planned.length === runs.length;
    log(`  org verify: exit ${verify.code} in ${sec(verify.wallMs)} s (${sec(verify.cpuMs)} s CPU), peak RSS ${mb(verify.maxRssKiB)} MB`);

    const out: string[] = [""];
    out.push(
      `An organisation of ${options.services} services: 1 platform stack and ${options.teams} team stacks (each service on AWS, GCP and Azure, as the`,
      `single-stack bench generates them), each stack planned offline in its own process, ${options.parallel} at once. plan s = the whole`,
      `process (node, tsx, imports, the team's platform planned first, the team's plan, the JSON written), wall time; CPU s = its user +`,
      `system CPU time (moves far less with the machine's load); peak RSS = the process's process.resourceUsage().maxRSS (MB = MiB).`,
      `resources = every registration of the plan; custom = without components, providers`,
      `and the stack reference. verify = that stack's verdict in the one org verify.`,
      "",
      table(
        ["stack", "services", "resources", "custom", "plan s", "CPU s", "peak RSS MB", "verify"],
        runs.map((r) => {
          const v = report.perStack.get(r.stack);
          return [
            r.stack,
            String(r.services),
            r.resources === undefined ? "-" : String(r.resources),
            r.custom === undefined ? "-" : String(r.custom),
            sec(r.run.wallMs),
            sec(r.run.cpuMs),
            mb(r.run.maxRssKiB),
            r.run.code !== 0 ? `plan FAILED (exit ${r.run.code})` : v ? (v.passed ? "passed" : `FAILED, ${v.findings} findings`) : "-",
          ];
        }),
      ),
    );
    for (const r of runs.filter((x) => x.run.code !== 0)) out.push("", `${r.stack}: the plan failed (exit ${r.run.code}):`, ...r.run.stderr.trim().split("\n").slice(0, 30).map((l) => `  ${l}`));
    const rssMax = Math.max(...runs.map((r) => r.run.maxRssKiB ?? 0));
    const processSum = runs.reduce((sum, r) => sum + r.run.wallMs, 0);
    const cpuSum = runs.reduce((sum, r) => sum + (r.run.cpuMs ?? 0), 0);
    const largest = runs.reduce((a, b) => ((b.run.maxRssKiB ?? 0) > (a.run.maxRssKiB ?? 0) ? b : a));
    out.push(
      "",
      `plans: ${planned.length} of ${runs.length} planned, ${sec(planWallMs)} s wall (${sec(processSum)} s of processes, ${sec(cpuSum)} s CPU), largest peak RSS ${mb(rssMax)} MB (${largest.stack})`,
      `verify: one process over ${planned.length} plans (tools/verify.ts --plan x${planned.length}): exit ${verify.code}, ${sec(verify.wallMs)} s (${sec(verify.cpuMs)} s CPU), peak RSS ${mb(verify.maxRssKiB)} MB`,
      `  ${report.crossStack}`,
      `  ${report.unique}`,
      ...(report.sharedQuotas.length ? ["  shared quotas (summed over the stacks):", ...report.sharedQuotas.map((l) => `  ${l}`)] : []),
      `  ${report.verdict}`,
      ...(planned.length < runs.length ? [`  FAILED overall: ${runs.length - planned.length} of ${runs.length} plans failed and were not verified`] : []),
      ...report.crossFindings.slice(0, 10).map((l) => `  ${l}`),
      ...(report.crossFindings.length > 10 ? [`    … and ${report.crossFindings.length - 10} more cross-stack findings`] : []),
      ...(verify.code !== 0 && verify.code !== 1 ? [`  the verify exited ${verify.code}: ${verify.stderr.trim().split("\n").slice(0, 10).join(" | ")}`] : []),
      ...(options.keep ? [`  stack files, plans and the verify report kept in ${dir} (verify.txt)`] : []),
      "",
      `goals: org_plan_rss_max_mb <= ${ORG_GOALS.planRssMaxMb}: ${rssMax / 1024 <= ORG_GOALS.planRssMaxMb ? "met" : "NOT met"} (${mb(rssMax)}); ` +
        `org_verify_s <= ${ORG_GOALS.verifySeconds}: ${verify.wallMs / 1000 <= ORG_GOALS.verifySeconds ? "met" : "NOT met"} (${sec(verify.wallMs)})`,
      `Total bench time: ${sec(performance.now() - started)} s; load average (1 min) before the plans, after them, after the verify: ${load.map((l) => l.toFixed(1)).join(", ")} (on ${cpus().length} cores)`,
      `bench: org_services=${options.services} org_stacks=${runs.length} org_plan_rss_max_mb=${mb(rssMax)} org_verify_s=${sec(verify.wallMs)} org_plan_total_s=${sec(planWallMs)} org_verify_rss_mb=${mb(verify.maxRssKiB)} org_verify=${verifyPassed ? "PASSED" : "FAILED"}`,
    );
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}
