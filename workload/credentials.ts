/**
 * `okta-federation credentials`: the credential artifact a workload needs for one service and cloud,
 * from the stack's outputs — a deployed stack's (`pulumi stack output --json`, as a file or on
 * stdin) or an offline plan's (`npm run -s plan -- --stack <env> --json`). No Pulumi here.
 *
 * stdout holds only the artifact (GCP: the external_account JSON; AWS: `AWS_ROLE_ARN=…` lines or a
 * shared-config profile; Azure: `AZURE_CLIENT_ID=…` lines); notes go to stderr. Exit codes: 0
 * printed; 2 usage error, unreadable outputs, unknown service or cloud, or a service that does not
 * use the cloud.
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
import type { FederationOutputsV1 } from "../components/contract";
import { placeholderNames } from "../components/internal/placeholder";
import { InputLimitError, readFileLimited, readJsonLimited, readStreamLimited } from "./limitedRead";
import { parseFlags, type Io } from "./io";

export const CLOUDS = ["aws", "gcp", "azure"] as const;
export type Cloud = (typeof CLOUDS)[number];
/** Output formats per cloud; the first is the default. */
export const FORMATS: Readonly<Record<Cloud, readonly string[]>> = { aws: ["env", "profile", "json"], gcp: ["json"], azure: ["env", "json"] };

/** A request the user can fix (unknown service, wrong flag, unreadable outputs): exit code 2. */
export class CredentialsUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CredentialsUsageError";
  }
}

type FederationOutputs = Omit<FederationOutputsV1, "contractVersion">;
type ServiceOutputs = FederationOutputsV1["services"][string];
/** A stack's outputs: one federation (contract v1), or several under `federations`. */
export type StackOutputs = Partial<FederationOutputsV1> & { readonly federations?: Readonly<Record<string, FederationOutputs>> };

/** Where the outputs came from, for messages and defaults. */
export interface OutputsSource {
  /** E.g. `stack dev` or `outputs prod.json`: the subject of every message. */
  readonly label: string;
  /** The stack's name when known (the default AWS profile name is `<service>-<stack>`). */
  readonly stack?: string;
  /** True for an offline plan, whose values known only after deploy are placeholders. */
  readonly offline?: boolean;
  /** The AWS region a federation's config names, when the config is at hand (offline). */
  readonly awsRegion?: (federation: string | undefined) => string | undefined;
}

export interface CredentialRequest {
  readonly service: string;
  readonly cloud: string;
  readonly federation?: string;
  readonly format?: string;
  readonly tokenFile?: string;
  /** GCP: an executable credential source instead of the token file. */
  readonly executable?: string;
  /** AWS profile name (with format `profile`). */
  readonly profile?: string;
  /** AWS region for the profile; else the config's, when known. */
  readonly region?: string;
}

export interface CredentialArtifact {
  /** What goes to stdout. */
  readonly text: string;
  /** The same as data. */
  readonly artifact: unknown;
  /** What to do with it. */
  readonly hint: string;
  /** `<resource.property>` values known only after deploy (offline plans). */
  readonly placeholders: readonly string[];
}

/**
 * Reads stack outputs from JSON text: `pulumi stack output --json` of a stack running this kit, or
 * an offline plan (`npm run -s plan -- --json`), whose `outputs` are the same contract.
 */
export function parseStackOutputs(text: string, where: string): { outputs: StackOutputs; stack?: string; offline: boolean } {
  let doc: unknown;
  try {
    doc = readJsonLimited(text, where, OUTPUTS_EXPECTED);
  } catch (error) {
    if (error instanceof InputLimitError) throw new CredentialsUsageError(error.message);
    throw new CredentialsUsageError(`${where} is not JSON: expected the output of pulumi stack output --json (or an offline plan, npm run -s plan -- --stack <env> --json)`);
  }
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  let outputs: unknown = doc;
  let stack: string | undefined;
  let offline = false;
  if (isRecord(doc) && doc.kind === "okta-federation/offline-plan") {
    outputs = doc.outputs;
    stack = typeof doc.stack === "string" ? doc.stack : undefined;
    offline = true;
  }
  if (!isRecord(outputs) || (!isRecord(outputs.services) && !isRecord(outputs.federations))) {
    throw new CredentialsUsageError(`${where} holds no okta-federation outputs (services, or federations): expected the output of pulumi stack output --json for a stack of this kit`);
  }
  const versions = [outputs.contractVersion, ...(isRecord(outputs.federations) ? Object.values(outputs.federations).map((f) => (isRecord(f) ? f.contractVersion : undefined)) : [])];
  const unknown = versions.filter((v) => v !== undefined && v !== 1);
  if (unknown.length > 0) throw new CredentialsUsageError(`${where} has output contract version ${unknown[0]}; this version of okta-federation reads version 1`);
  return { outputs: outputs as StackOutputs, ...(stack !== undefined ? { stack } : {}), offline };
}

/** What outputs beyond the input limits (components/internal/inputLimits.ts) are not. */
const OUTPUTS_EXPECTED = "the output of pulumi stack output --json";

/** Reads stack outputs from a file, or from stdin for `-`, within the input limits. */
export async function readStackOutputs(path: string, stdin: () => Promise<string> = readStdin) {
  let text: string;
  try {
    text = path === "-" ? await stdin() : readFileLimited(path, path, OUTPUTS_EXPECTED);
  } catch (error) {
    if (error instanceof InputLimitError) throw new CredentialsUsageError(error.message);
    throw new CredentialsUsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseStackOutputs(text, path === "-" ? "stdin" : path);
}

function readStdin(): Promise<string> {
  return readStreamLimited(process.stdin, "stdin", OUTPUTS_EXPECTED);
}

interface FederationChoice {
  /** Undefined for a stack with the single federation. */
  readonly name: string | undefined;
  readonly outputs: FederationOutputs;
}

/** Finds the one federation whose service `key` uses `cloud`, or explains why there is none. */
function selectService(label: string, outputs: StackOutputs, key: string, cloud: Cloud, only: string | undefined): { federation: FederationChoice; service: ServiceOutputs } {
  let choices: FederationChoice[];
  if (outputs.federations) {
    choices = Object.keys(outputs.federations)
      .sort()
      .map((name) => ({ name, outputs: outputs.federations![name]! }));
    if (only !== undefined) {
      choices = choices.filter((c) => c.name === only);
      if (choices.length === 0) throw new CredentialsUsageError(`${label} has no federation "${only}"; federations: ${Object.keys(outputs.federations).sort().join(", ")}`);
    }
  } else {
    if (only !== undefined) throw new CredentialsUsageError(`${label} has a single federation; --federation applies to stacks with several (okta-federation:federations)`);
    choices = [{ name: undefined, outputs: outputs as FederationOutputs }];
  }
  const withService = choices.filter((c) => Object.hasOwn(c.outputs.services ?? {}, key));
  if (withService.length === 0) {
    const keys = [...new Set(choices.flatMap((c) => Object.keys(c.outputs.services ?? {})))].sort();
    throw new CredentialsUsageError(`${label} has no service "${key}"; services: ${keys.join(", ") || "(none)"}`);
  }
  const withCloud = withService.filter((c) => c.outputs.services[key]![cloud]);
  if (withCloud.length === 0) {
    const uses = CLOUDS.filter((c) => withService.some((f) => f.outputs.services[key]![c]));
    throw new CredentialsUsageError(`service ${key} in ${label} does not use ${cloud}; it uses: ${uses.join(", ") || "no cloud"}`);
  }
  if (withCloud.length > 1) {
    throw new CredentialsUsageError(`service ${key} uses ${cloud} in several federations of ${label}: ${withCloud.map((c) => c.name).join(", ")}; pick one with --federation`);
  }
  const federation = withCloud[0]!;
  return { federation, service: federation.outputs.services[key]! };
}

/** The credential artifact for one service and cloud from a stack's outputs. */
export function credentialArtifact(outputs: StackOutputs, source: OutputsSource, request: CredentialRequest): CredentialArtifact {
  const cloud = request.cloud as Cloud;
  if (!CLOUDS.includes(cloud)) throw new CredentialsUsageError(`unknown cloud "${request.cloud}"; allowed: ${CLOUDS.join(", ")}`);
  const format = request.format ?? FORMATS[cloud][0]!;
  if (!FORMATS[cloud].includes(format)) throw new CredentialsUsageError(`--format ${format} is not available for ${cloud}; allowed: ${FORMATS[cloud].join(", ")}`);
  if (request.executable !== undefined && cloud !== "gcp") throw new CredentialsUsageError("--executable applies to --cloud gcp only");
  if (request.executable !== undefined && request.tokenFile !== undefined) throw new CredentialsUsageError("use either --token-file or --executable, not both");
  if (request.profile !== undefined && format !== "profile") throw new CredentialsUsageError("--profile applies to --format profile only");
  if (request.region !== undefined && format !== "profile") throw new CredentialsUsageError("--region applies to --format profile only");

  const { federation, service } = selectService(source.label, outputs, request.service, cloud, request.federation);
  const { tokenFile } = request;
  let artifact: unknown;
  let text: string;
  let hint: string;
  if (cloud === "gcp") {
    const gcp = service.gcp!;
    artifact = gcpExternalAccount({
      workloadIdentityProvider: gcp.workloadIdentityProvider,
      serviceAccountEmail: gcp.serviceAccountEmail,
      ...(request.executable !== undefined ? { executable: { command: request.executable } } : { tokenFile }),
    });
    text = formatJson(artifact);
    hint =
      request.executable !== undefined
        ? `save as a file, point GOOGLE_APPLICATION_CREDENTIALS at it and set ${GCP_ALLOW_EXECUTABLES_ENV}=1 (the library runs the command only then)`
        : `save as a file and point GOOGLE_APPLICATION_CREDENTIALS at it; keep ${tokenFile ?? DEFAULT_TOKEN_FILE} fresh with okta-federation token`;
  } else if (cloud === "aws") {
    const env = awsEnvironment({ roleArn: service.aws!.roleArn, tokenFile });
    artifact = env;
    if (format === "profile") {
      const region = request.region ?? source.awsRegion?.(federation.name);
      const profile = request.profile ?? `${request.service}-${source.stack ?? federation.outputs.environment}`;
      text = awsProfile({ profile, roleArn: env.AWS_ROLE_ARN, tokenFile, ...(region !== undefined ? { region } : {}) });
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
  return { text, artifact, hint, placeholders: placeholderNames(artifact) };
}

/** Writes an artifact and its notes: the artifact alone on stdout. */
export function printArtifact(result: CredentialArtifact, source: OutputsSource, io: Io): void {
  io.stdout(result.text);
  if (result.placeholders.length > 0) {
    const many = result.placeholders.length > 1;
    io.stderr(
      `note: offline plan of ${source.label}: ${result.placeholders.join(", ")} ${many ? "are placeholders" : "is a placeholder"} for values known only after deploy; use the deployed stack's outputs (pulumi stack output --json) for the real values\n`,
    );
  }
  io.stderr(`hint: ${result.hint}\n`);
}

/** The flags every credentials command takes besides where the outputs come from. */
export const REQUEST_FLAGS = {
  service: { type: "string" },
  cloud: { type: "string" },
  "token-file": { type: "string" },
  format: { type: "string" },
  executable: { type: "string" },
  profile: { type: "string" },
  region: { type: "string" },
  federation: { type: "string" },
} as const;
export type RequestFlagValues = { -readonly [K in keyof typeof REQUEST_FLAGS]?: string };
export const REQUEST_USAGE = "--service <key> --cloud aws|gcp|azure [--token-file PATH] [--format env|profile|json] [--executable CMD] [--profile NAME] [--region REGION] [--federation NAME]";

/** The request the flags describe. */
export function requestFrom(values: RequestFlagValues): CredentialRequest {
  return {
    service: values.service!,
    cloud: values.cloud!,
    ...(values.federation !== undefined ? { federation: values.federation } : {}),
    ...(values.format !== undefined ? { format: values.format } : {}),
    ...(values["token-file"] !== undefined ? { tokenFile: values["token-file"] } : {}),
    ...(values.executable !== undefined ? { executable: values.executable } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
  };
}

/** The message for missing required flags, or undefined. */
export function missingFlags(values: Record<string, unknown>, required: readonly string[]): string | undefined {
  const missing = required.filter((k) => !values[k]).map((k) => `--${k}`);
  return missing.length > 0 ? `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} required` : undefined;
}

export const CREDENTIALS_USAGE = `usage: okta-federation credentials --outputs FILE|- ${REQUEST_USAGE}
  --outputs  the stack's outputs: pulumi stack output --json > FILE (or piped in with -), or an
             offline plan (npm run -s plan -- --stack <env> --json > FILE)`;

/** `okta-federation credentials --outputs FILE|- …`. */
export async function credentialsCommand(argv: readonly string[], io: Io, stdin?: () => Promise<string>): Promise<number> {
  const parsed = parseFlags<RequestFlagValues & { outputs?: string }>(argv, { outputs: { type: "string" }, ...REQUEST_FLAGS }, CREDENTIALS_USAGE, io);
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
  const missing = missingFlags(values, ["outputs", "service", "cloud"]);
  if (missing) {
    io.stderr(`error: ${missing}\n${CREDENTIALS_USAGE}\n`);
    return 2;
  }
  try {
    const read = await readStackOutputs(values.outputs!, stdin);
    const source: OutputsSource = {
      label: read.stack !== undefined ? `stack ${read.stack}` : `outputs ${values.outputs === "-" ? "on stdin" : values.outputs}`,
      ...(read.stack !== undefined ? { stack: read.stack } : {}),
      offline: read.offline,
    };
    printArtifact(credentialArtifact(read.outputs, source, requestFrom(values)), source, io);
    return 0;
  } catch (error) {
    if (error instanceof CredentialsUsageError || error instanceof CredentialsError) {
      io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
