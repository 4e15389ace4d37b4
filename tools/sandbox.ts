/**
 * `npm run sandbox -- --stack <name> | --stack-file <path> | --plan <plan.json>`: the stack's
 * federation run for real on loopback (tools/sandbox/): Okta played by a real OAuth server, the
 * clouds' token services by emulators that decide with the planned trust, each workload by the
 * token command's code and the clouds' real SDK clients. Prints each exchange and
 * `sandbox: <a> exchanges allowed as planned, <d> denied as planned, <u> unexpected`.
 * Exit codes: 0 nothing unexpected; 1 something unexpected, invalid config or program error;
 * 2 usage error or unknown stack. Details: docs/sandbox.md.
 */
import { planToJson } from "./offline/plan";
import { planWithPlatform } from "./offline/orgPlan";
import { isPlatformPlan, withPlatform } from "./verify/layout";
import { loadStackFile } from "./offline/stackFile";
import { parseFlags, reportUserError, runCommand, type Io } from "./cli";
import { readBasePlan, BasePlanError } from "./verify";
import type { PlanDocument } from "./verify/model";
import { exchangeLine, runSandbox, stopAllSandboxes, summaryLine } from "./sandbox/run";

const USAGE = "usage: npm run sandbox -- --stack <name> | --stack-file <path> | --plan <plan.json> [--quiet]";

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags<{ stack?: string; "stack-file"?: string; plan?: string; quiet?: boolean }>(
    argv,
    { stack: { type: "string", short: "s" }, "stack-file": { type: "string" }, plan: { type: "string" }, quiet: { type: "boolean" } },
    USAGE,
    io,
  );
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
  const sources = [values.stack, values["stack-file"], values.plan].filter((v) => v !== undefined).length;
  if (sources !== 1) {
    io.stderr(`error: ${sources === 0 ? "--stack is required" : "choose one of --stack, --stack-file and --plan"}\n${USAGE}\n`);
    return 2;
  }
  let stack = values.stack;
  try {
    let plan: PlanDocument;
    if (values.plan !== undefined) {
      // A team stack's plan: its platform's shared objects from the contract its StackReference read.
      plan = withPlatform(readBasePlan(values.plan, undefined, false, io, "plan"));
    } else {
      const loaded = values["stack-file"] !== undefined ? loadStackFile(values["stack-file"]) : values.stack!;
      stack = typeof loaded === "string" ? loaded : loaded.stack;
      // A team stack with its platform's shared objects (server scopes and claims, providers, pool).
      const planned = await planWithPlatform(loaded);
      plan = withPlatform(planToJson(planned.plan) as unknown as PlanDocument, planned.platform ? (planToJson(planned.platform) as unknown as PlanDocument) : undefined);
    }
    if (isPlatformPlan(plan)) {
      // Its server, providers and pool are exercised by each team stack's run, with the team's services.
      io.stdout(`sandbox: platform stack ${plan.stack} has no services of its own; run the sandbox on its team stacks (each runs with this platform's server, providers and pool)\n`);
      return 0;
    }
    io.stdout(`SANDBOX  stack ${plan.stack}: Okta, AWS STS, GCP STS and Entra ID played on 127.0.0.1; the trust as planned\n`);
    const report = await runSandbox(plan, (exchange) => {
      if (!values.quiet || exchange.verdict === "UNEXPECTED") io.stdout(`${exchangeLine(exchange)}\n`);
    });
    io.stdout(`${summaryLine(report)}\n`);
    return report.unexpected > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof BasePlanError) {
      io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    const code = reportUserError(error, stack, io);
    if (code === undefined) throw error;
    return code;
  }
}

// Ctrl-C: stop every server and remove the temporary keys and tokens, then exit.
if (require.main === module) {
  process.once("SIGINT", () => void stopAllSandboxes().finally(() => process.exit(130)));
  runCommand(main);
}
