/**
 * `npm run credentials -- --stack <name> | --stack-file <path> --service <key> --cloud aws|gcp|azure …`:
 * the workload credential artifact for one service and cloud, from the stack's offline plan (its
 * resolved stack outputs), before anything is deployed. The artifact is built by the workload
 * package's own code (workload/credentials.ts); `okta-federation credentials --outputs` builds the
 * same from a deployed stack's outputs.
 *
 * Values known only after deploy are placeholders such as `<federation-payments-app.clientId>`; a
 * note on stderr says so. Exit codes: 0 printed; 1 invalid config or program error; 2 usage error,
 * unknown stack, service or cloud, or a service that does not use the cloud.
 */
import { CredentialsError } from "../components/credentials";
import { CONFIG_KEY, CONFIG_KEY_MULTI, CONFIG_NAMESPACE } from "../components/config";
import { CredentialsUsageError, REQUEST_FLAGS, REQUEST_USAGE, credentialArtifact, missingFlags, printArtifact, requestFrom, type RequestFlagValues, type StackOutputs } from "../workload/credentials";
import { redact } from "./offline/engine";
import { planStack } from "./offline/plan";
import { parseFlags, reportUserError, runCommand, type Io } from "./cli";
import { loadStack, loadStackFile, type StackConfig } from "./offline/stackFile";

const USAGE = `usage: npm run credentials -- --stack <name> | --stack-file <path> ${REQUEST_USAGE}`;

/** The AWS region each federation's config names (the outputs do not carry it). */
function awsRegions(config: Readonly<Record<string, string>>): (federation: string | undefined) => string | undefined {
  const parse = (key: string): unknown => {
    try {
      return config[key] === undefined ? undefined : JSON.parse(config[key]!);
    } catch {
      return undefined;
    }
  };
  const single = parse(`${CONFIG_NAMESPACE}:${CONFIG_KEY}`);
  const multi = parse(`${CONFIG_NAMESPACE}:${CONFIG_KEY_MULTI}`) as Record<string, unknown> | undefined;
  return (federation) => {
    const raw = federation === undefined ? single : multi?.[federation];
    const region = (raw as { aws?: { region?: unknown } } | undefined)?.aws?.region;
    return typeof region === "string" ? region : undefined;
  };
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags<RequestFlagValues & { stack?: string; "stack-file"?: string }>(
    argv,
    { stack: { type: "string", short: "s" }, "stack-file": { type: "string" }, ...REQUEST_FLAGS },
    USAGE,
    io,
  );
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
  const missing = missingFlags(values.stack === undefined && values["stack-file"] === undefined ? { ...values, stack: undefined } : { ...values, stack: "given" }, ["stack", "service", "cloud"]);
  if (missing || (values.stack !== undefined && values["stack-file"] !== undefined)) {
    io.stderr(`error: ${missing ?? "use either --stack or --stack-file, not both"}\n${USAGE}\n`);
    return 2;
  }
  let loaded: StackConfig | undefined;
  try {
    loaded = values["stack-file"] !== undefined ? loadStackFile(values["stack-file"]) : loadStack(values.stack!);
    const plan = await planStack(loaded);
    const source = { label: `stack ${plan.stack}`, stack: plan.stack, offline: true, awsRegion: awsRegions(loaded.config) };
    printArtifact(credentialArtifact(redact(plan.outputs) as StackOutputs, source, requestFrom(values)), source, io);
    return 0;
  } catch (error) {
    if (error instanceof CredentialsUsageError || error instanceof CredentialsError) {
      io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    const code = reportUserError(error, loaded?.stack ?? values.stack, io);
    if (code === undefined) throw error;
    return code;
  }
}

// Run only as a program (tsx tools/credentials.ts), not when imported (tests run main in-process).
if (require.main === module) runCommand(main);
