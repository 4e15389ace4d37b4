/**
 * `npm run credentials -- --stack <name> --service <key> --cloud aws|gcp|azure [--token-file PATH]
 * [--format env|profile|json] [--executable CMD] [--profile NAME] [--federation NAME]`: the workload
 * credential artifact for one service and cloud, from the stack's offline plan (its resolved stack
 * outputs). In a stack with several federations (`okta-federation:federations`) the federation whose
 * service uses the cloud is found; `--federation` picks one when several do.
 *
 * stdout holds only the artifact (GCP: the external_account JSON; AWS: `AWS_ROLE_ARN=…` lines or a
 * shared-config profile; Azure: `AZURE_CLIENT_ID=…` lines). Values known only after deploy are
 * placeholders such as `<federation-payments-app.clientId>`; a note on stderr says so.
 * Exit codes: 0 printed; 1 invalid config or program error; 2 usage error, unknown stack, service or
 * cloud, or a service that does not use the cloud.
 */
import {
  CredentialsError,
  DEFAULT_TOKEN_FILE,
  GCP_ALLOW_EXECUTABLES_ENV,
  awsEnvironment,
  awsProfile,
  azureEnvironment,
  formatEnv,
  formatJson,
  gcpExternalAccount,
} from "../components/credentials";
import { CONFIG_KEY, CONFIG_KEY_MULTI, CONFIG_NAMESPACE } from "../components/config";
import type { FederationOutputsV1 } from "../components/outputs";
import { redact } from "./offline/engine";
import { placeholdersIn, planStack } from "./offline/plan";
import { parseFlags, reportUserError, runCommand, type Io } from "./cli";
import { loadStack } from "./offline/stackFile";

const USAGE =
  "usage: npm run credentials -- --stack <name> --service <key> --cloud aws|gcp|azure [--token-file PATH] [--format env|profile|json] [--executable CMD] [--profile NAME] [--federation NAME]";
const CLOUDS = ["aws", "gcp", "azure"] as const;
type Cloud = (typeof CLOUDS)[number];
const FORMATS: Record<Cloud, readonly string[]> = { aws: ["env", "profile", "json"], gcp: ["json"], azure: ["env", "json"] };

class UsageError extends Error {}

type FederationOutputs = Omit<FederationOutputsV1, "contractVersion">;
type ServiceOutputs = FederationOutputsV1["services"][string];
/** The stack outputs: one federation (contract v1), or several under `federations`. */
type StackOutputs = Partial<FederationOutputsV1> & { readonly federations?: Readonly<Record<string, FederationOutputs>> };
interface FederationChoice {
  /** Undefined for a stack with the single federation. */
  readonly name: string | undefined;
  readonly outputs: FederationOutputs;
  /** Its raw config, for values the outputs do not carry (the AWS region). */
  readonly raw: unknown;
}

/** The raw federation configs of a stack file: the single one, or several by name. */
function rawFederations(config: Readonly<Record<string, string>>): { single?: unknown; multi?: Record<string, unknown> } {
  const parse = (key: string) => {
    try {
      return config[key] === undefined ? undefined : (JSON.parse(config[key]!) as unknown);
    } catch {
      return undefined;
    }
  };
  return { single: parse(`${CONFIG_NAMESPACE}:${CONFIG_KEY}`), multi: parse(`${CONFIG_NAMESPACE}:${CONFIG_KEY_MULTI}`) as Record<string, unknown> | undefined };
}

/** Finds the one federation whose service `key` uses `cloud`, or explains why there is none. */
function selectService(
  stack: string,
  outputs: StackOutputs,
  raw: ReturnType<typeof rawFederations>,
  key: string,
  cloud: Cloud,
  only: string | undefined,
): { federation: FederationChoice; service: ServiceOutputs } {
  let choices: FederationChoice[];
  if (outputs.federations) {
    choices = Object.keys(outputs.federations)
      .sort()
      .map((name) => ({ name, outputs: outputs.federations![name]!, raw: raw.multi?.[name] }));
    if (only !== undefined) {
      choices = choices.filter((c) => c.name === only);
      if (choices.length === 0) throw new UsageError(`stack ${stack} has no federation "${only}"; federations: ${Object.keys(outputs.federations).sort().join(", ")}`);
    }
  } else {
    if (only !== undefined) throw new UsageError(`stack ${stack} has a single federation; --federation applies to stacks with ${CONFIG_NAMESPACE}:${CONFIG_KEY_MULTI}`);
    choices = [{ name: undefined, outputs: outputs as FederationOutputs, raw: raw.single }];
  }
  const withService = choices.filter((c) => Object.hasOwn(c.outputs.services ?? {}, key));
  if (withService.length === 0) {
    const keys = [...new Set(choices.flatMap((c) => Object.keys(c.outputs.services ?? {})))].sort();
    throw new UsageError(`stack ${stack} has no service "${key}"; services: ${keys.join(", ") || "(none)"}`);
  }
  const withCloud = withService.filter((c) => c.outputs.services[key]![cloud]);
  if (withCloud.length === 0) {
    const uses = CLOUDS.filter((c) => withService.some((f) => f.outputs.services[key]![c]));
    throw new UsageError(`service ${key} in stack ${stack} does not use ${cloud}; it uses: ${uses.join(", ") || "no cloud"}`);
  }
  if (withCloud.length > 1) {
    throw new UsageError(`service ${key} uses ${cloud} in several federations of stack ${stack}: ${withCloud.map((c) => c.name).join(", ")}; pick one with --federation`);
  }
  const federation = withCloud[0]!;
  return { federation, service: federation.outputs.services[key]! };
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags<{
    stack?: string;
    service?: string;
    cloud?: string;
    "token-file"?: string;
    format?: string;
    executable?: string;
    profile?: string;
    federation?: string;
  }>(
    argv,
    {
      stack: { type: "string", short: "s" },
      service: { type: "string" },
      cloud: { type: "string" },
      "token-file": { type: "string" },
      format: { type: "string" },
      executable: { type: "string" },
      profile: { type: "string" },
      federation: { type: "string" },
    },
    USAGE,
    io,
  );
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
  const missing = (["stack", "service", "cloud"] as const).filter((k) => !values[k]).map((k) => `--${k}`);
  if (missing.length > 0) {
    io.stderr(`error: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} required\n${USAGE}\n`);
    return 2;
  }
  try {
    const cloud = values.cloud as Cloud;
    if (!CLOUDS.includes(cloud)) throw new UsageError(`unknown cloud "${values.cloud}"; allowed: ${CLOUDS.join(", ")}`);
    const format = values.format ?? FORMATS[cloud][0]!;
    if (!FORMATS[cloud].includes(format)) throw new UsageError(`--format ${format} is not available for ${cloud}; allowed: ${FORMATS[cloud].join(", ")}`);
    if (values.executable !== undefined && cloud !== "gcp") throw new UsageError("--executable applies to --cloud gcp only");
    if (values.executable !== undefined && values["token-file"] !== undefined) throw new UsageError("use either --token-file or --executable, not both");
    if (values.profile !== undefined && format !== "profile") throw new UsageError("--profile applies to --format profile only");

    const loaded = loadStack(values.stack!);
    const plan = await planStack(loaded);
    const { federation, service } = selectService(plan.stack, redact(plan.outputs) as StackOutputs, rawFederations(loaded.config), values.service!, cloud, values.federation);
    const tokenFile = values["token-file"];
    let artifact: unknown;
    let text: string;
    let hint: string;
    if (cloud === "gcp") {
      const gcp = service.gcp!;
      artifact = gcpExternalAccount({
        workloadIdentityProvider: gcp.workloadIdentityProvider,
        serviceAccountEmail: gcp.serviceAccountEmail,
        ...(values.executable !== undefined ? { executable: { command: values.executable } } : { tokenFile }),
      });
      text = formatJson(artifact);
      hint =
        values.executable !== undefined
          ? `save as a file, point GOOGLE_APPLICATION_CREDENTIALS at it and set ${GCP_ALLOW_EXECUTABLES_ENV}=1 (the library runs the command only then)`
          : `save as a file and point GOOGLE_APPLICATION_CREDENTIALS at it; keep ${tokenFile ?? DEFAULT_TOKEN_FILE} fresh with the token fetcher`;
    } else if (cloud === "aws") {
      const env = awsEnvironment({ roleArn: service.aws!.roleArn, tokenFile });
      artifact = env;
      if (format === "profile") {
        const region = (federation.raw as { aws?: { region?: unknown } } | undefined)?.aws?.region;
        const profile = values.profile ?? `${values.service}-${plan.stack}`;
        text = awsProfile({ profile, roleArn: env.AWS_ROLE_ARN, tokenFile, ...(typeof region === "string" ? { region } : {}) });
        hint = `append to ~/.aws/config and set AWS_PROFILE=${profile}`;
      } else {
        text = format === "json" ? formatJson(env) : formatEnv({ ...env });
        hint = "set these in the workload's environment; the SDK assumes the role with the token in the file";
      }
    } else {
      const az = service.azure!;
      const env = azureEnvironment({ clientId: az.clientId, tenantId: az.tenantId, tokenFile });
      artifact = env;
      text = format === "json" ? formatJson(env) : formatEnv({ ...env });
      hint = "set these in the workload's environment; WorkloadIdentityCredential (or DefaultAzureCredential) reads them";
    }
    io.stdout(text);
    // The <resource.property> parts of every value that holds a placeholder (same pattern as placeholders.ts).
    const placeholders = [...new Set(placeholdersIn(artifact).flatMap((v) => v.match(/<[^<>]+\.[A-Za-z]+>/g) ?? []))];
    if (placeholders.length > 0) {
      io.stderr(
        `note: offline plan of stack ${plan.stack}: ${placeholders.join(", ")} ${placeholders.length === 1 ? "is a placeholder" : "are placeholders"} for values known only after deploy; use the deployed stack's outputs (pulumi stack output --json) for the real values\n`,
      );
    }
    io.stderr(`hint: ${hint}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof CredentialsError) {
      io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    const code = reportUserError(error, values.stack, io);
    if (code === undefined) throw error;
    return code;
  }
}

// Run only as a program (tsx tools/credentials.ts), not when imported (tests run main in-process).
if (require.main === module) runCommand(main);
