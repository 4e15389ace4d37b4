/**
 * `npm run org -- preview|up [--stack <name> ...] [--offline] [--parallel <n>] [--json]`: the
 * organisation's stacks (platform stacks, then the team stacks that read them) previewed or updated
 * in dependency order, on Pulumi's engine through the Automation API, or on the offline plan.
 * Exit codes: 0 every stack succeeded; 1 a stack failed or was skipped; 2 usage error, unknown
 * stack, stacks that cannot be ordered, or no usable Pulumi CLI. See docs/org-runner.md.
 */
import { parseArgs } from "node:util";
import { reportUserError, runCommand, type Io } from "./cli";
import { PROJECT_ROOT } from "./offline/stackFile";
import { discoverStacks, DiscoveryError, type DiscoveredStack } from "./org/discover";
import { offlineEngine } from "./org/offline";
import { orderStacks, OrderError } from "./org/order";
import { findPulumi, pulumiEngine, PulumiCliError } from "./org/pulumi";
import { OKTA_ORG_CAPACITY, orderWords, pacedOktaOrgs, runOrganisation, runToJson, serialisedPlatforms, summaryLine, type Engine, type Operation } from "./org/run";

const USAGE = "usage: npm run org -- preview|up [--stack <name> ...] [--offline] [--parallel <n>] [--json]";

/**
 * What the program or a test sets: the project, where the Pulumi CLI is (`<pulumiRoot>/bin/pulumi`;
 * default: `pulumi` on PATH), and the signal of an interruption (Ctrl-C).
 */
export interface OrgOptions {
  readonly root?: string;
  readonly pulumiRoot?: string;
  readonly signal?: AbortSignal;
}

export const INTERRUPTED = "interrupted (Ctrl-C) before it started";

/**
 * Every team stack of the project, for the names they read platforms by (a platform run alone is
 * selected by that name); none when a stack file cannot be read (that is for the full run to say).
 */
function otherTeams(root: string): DiscoveredStack[] {
  try {
    return discoverStacks([], root).filter((s) => s.kind === "team");
  } catch {
    return [];
  }
}

export async function main(argv: readonly string[], io: Io, options: OrgOptions = {}): Promise<number> {
  let values: { stack?: string[]; offline?: boolean; parallel?: string; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string", short: "s", multiple: true },
        offline: { type: "boolean" },
        parallel: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const operation = positionals[0];
  if (positionals.length !== 1 || (operation !== "preview" && operation !== "up")) {
    io.stderr(`error: ${positionals.length === 0 ? "preview or up is required" : positionals.length > 1 ? `one operation, not ${positionals.join(" ")}` : `unknown operation "${operation}": preview or up`}\n${USAGE}\n`);
    return 2;
  }
  const parallel = values.parallel === undefined ? 1 : /^[1-9][0-9]{0,3}$/.test(values.parallel) ? Number(values.parallel) : NaN;
  if (Number.isNaN(parallel)) {
    io.stderr(`error: --parallel must be a whole number from 1 to 9999, not "${values.parallel}"\n${USAGE}\n`);
    return 2;
  }
  const root = options.root ?? PROJECT_ROOT;
  // With --json, stdout holds the JSON document alone; the progress lines go to stderr.
  const line = (text: string) => (values.json ? io.stderr : io.stdout)(`${text}\n`);
  try {
    const stacks = discoverStacks(values.stack ?? [], root);
    if (stacks.length === 0) {
      io.stderr("error: no platform or team stacks: no stack file holds okta-federation:platform or okta-federation:team\n");
      return 2;
    }
    const order = orderStacks(stacks, values.stack ? otherTeams(root) : []);
    const engine: Engine = values.offline ? offlineEngine(stacks, root) : pulumiEngine(await findPulumi(options.pulumiRoot), root);
    const lanes = Math.min(parallel, engine.maxParallel);
    line(`org ${operation}${values.offline ? " --offline" : ""}: ${order.length} stack${order.length === 1 ? "" : "s"}, ${lanes === 1 ? "one at a time" : `at most ${lanes} at a time`} (${engine.description})`);
    if (values.offline && parallel > 1) line("  --parallel is ignored offline: the offline plan runs one stack at a time");
    const serialised = lanes > 1 ? serialisedPlatforms(order, operation) : [];
    if (serialised.length > 0) {
      line(
        `  up runs one platform's teams one at a time, since they write access policies on its Okta authorization server and Okta fails parallel policy writes there: ${serialised.map((p) => `${p.platform} (${p.teams} teams)`).join(", ")}`,
      );
    }
    for (const o of lanes > 1 ? pacedOktaOrgs(order, operation, lanes) : []) {
      line(
        `  up keeps the stacks of Okta org ${o.org} within the ${OKTA_ORG_CAPACITY} requests at once Okta allows an org (their okta.provider.maxConcurrentWrites added up): ${o.platforms} platforms' stacks could otherwise write ${o.writes} at once`,
      );
    }
    if (values.offline && operation === "up") line("  offline, up deploys nothing: each stack is planned as for a preview");
    line(`order: ${orderWords(order)}`);
    // Ctrl-C reaches the running pulumi processes too (one process group), which cancel as under
    // `pulumi up`; here it only keeps further stacks from starting.
    options.signal?.addEventListener("abort", () => line("interrupted: no further stack starts; the running stacks finish or cancel"), { once: true });
    const reports = await runOrganisation(order, operation, engine, parallel, line, () => (options.signal?.aborted ? INTERRUPTED : undefined));
    line(summaryLine(operation as Operation, reports));
    if (values.json) io.stdout(`${JSON.stringify(runToJson(operation, engine, parallel, order, reports), null, 2)}\n`);
    return reports.every((r) => r.status === "done") ? 0 : 1;
  } catch (error) {
    if (error instanceof DiscoveryError || error instanceof OrderError) {
      io.stderr(`error: ${error.message}\n${error.problems.map((p) => `  - ${p}\n`).join("")}`);
      return 2;
    }
    if (error instanceof PulumiCliError) {
      io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    const code = reportUserError(error, undefined, io);
    if (code === undefined) throw error;
    return code;
  }
}

// Run only as a program (tsx tools/org.ts), not when imported (tests run main in-process).
// The first Ctrl-C stops further stacks from starting; a second one ends the command at once.
if (require.main === module) {
  const interrupt = new AbortController();
  process.on("SIGINT", () => (interrupt.signal.aborted ? process.exit(130) : interrupt.abort()));
  runCommand((argv, io) => main(argv, io, { signal: interrupt.signal }));
}
