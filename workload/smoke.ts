/**
 * `okta-federation smoke --outputs FILE|- | --stack <name> --service <key> --private-key-file FILE --key-id KID --scopes "a b"`:
 * after `pulumi up`, checks one service for real, where the workload runs: gets its Okta token with
 * its key, checks the token's shape (signed, not encrypted; RS256 with a kid; iss, aud, sub = cid =
 * the client id; lifetime), then exchanges it at AWS STS, GCP STS (and IAM Credentials) and Entra
 * ID for each cloud the service uses, with the requests the clouds' SDKs send (over fetch: the
 * workload package depends on no cloud SDK), and reports success or the cloud's error with the
 * config knob behind it. `--stack` reads the outputs with `pulumi stack output --json` (the Pulumi
 * CLI must be installed and logged in); `--outputs` takes them from a file or stdin.
 * The endpoints can be pointed elsewhere (the tests point them at the sandbox's emulators).
 * Exit codes: 0 every check passed; 1 a check or an exchange failed; 2 usage error or unreadable outputs.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CredentialsUsageError, parseStackOutputs, readStackOutputs, type StackOutputs } from "./credentials";
import { parseFlags, type Io } from "./io";
import { awsExchange, azureExchange, gcpExchange, type ExchangeOutcome } from "./smoke/exchanges";
import { knobFor } from "./smoke/knobs";
import { checkTokenShape } from "./smoke/tokenShape";
import { TokenFetchError, fetchToken } from "./token";

export const SMOKE_USAGE = `usage: okta-federation smoke --outputs FILE|- | --stack NAME --service KEY --private-key-file FILE --key-id KID --scopes "A B" [--federation NAME]
  [--aws-region REGION] [--aws-sts-endpoint URL] [--gcp-sts-endpoint URL] [--gcp-iamcredentials-endpoint URL] [--entra-endpoint URL]
  --outputs   the deployed stack's outputs (pulumi stack output --json > outputs.json), or - for stdin
  --stack     read them with the Pulumi CLI instead (pulumi stack output --json --stack NAME)
  --service, --private-key-file, --key-id, --scopes: as for okta-federation token (the service's key and scopes)`;

/** The clouds' public endpoints (AWS: the regional STS endpoint of --aws-region). */
const DEFAULTS = { entra: "https://login.microsoftonline.com" };

type Values = {
  stack?: string;
  outputs?: string;
  service?: string;
  federation?: string;
  "private-key-file"?: string;
  "key-id"?: string;
  scopes?: string;
  "aws-region"?: string;
  "aws-sts-endpoint"?: string;
  "gcp-sts-endpoint"?: string;
  "gcp-iamcredentials-endpoint"?: string;
  "entra-endpoint"?: string;
};

/** For tests: the fetch that reaches Okta and the clouds, and how `--stack` reads outputs. */
export interface SmokeDeps {
  readonly fetch?: typeof fetch;
  readonly stackOutputs?: (stack: string) => string;
}

function pulumiStackOutputs(stack: string): string {
  return execFileSync("pulumi", ["stack", "output", "--json", "--stack", stack], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
}

type ServiceOutputs = Record<string, any>;

/** The service's outputs and its federation's issuer and audience. */
function findService(outputs: StackOutputs, label: string, key: string, only: string | undefined) {
  const federations: Array<[string | undefined, any]> = outputs.federations ? Object.entries(outputs.federations) : [[undefined, outputs]];
  const found = federations.filter(([name, f]) => (only === undefined || name === only) && f.services && Object.hasOwn(f.services, key));
  if (found.length === 0) throw new CredentialsUsageError(`${label} has no service "${key}"${only ? ` in federation ${only}` : ""}`);
  if (found.length > 1) throw new CredentialsUsageError(`service ${key} is in several federations of ${label}: ${found.map(([n]) => n).join(", ")}; pick one with --federation`);
  const [, federation] = found[0]!;
  return { okta: federation.okta as { issuerUrl: string; audience: string }, service: federation.services[key] as ServiceOutputs };
}

/** The smoke check of one deployed service; returns the exit code. */
export async function smokeCommand(argv: readonly string[], io: Io, deps: SmokeDeps = {}): Promise<number> {
  const flags = Object.fromEntries(
    ["stack", "outputs", "service", "federation", "private-key-file", "key-id", "scopes", "aws-region", "aws-sts-endpoint", "gcp-sts-endpoint", "gcp-iamcredentials-endpoint", "entra-endpoint"].map((f) => [f, { type: "string" as const }]),
  );
  const parsed = parseFlags<Values>(argv, flags, SMOKE_USAGE, io);
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
  const missing = (["service", "private-key-file", "key-id", "scopes"] as const).filter((k) => !values[k]).map((k) => `--${k}`);
  const sources = [values.stack, values.outputs].filter((v) => v !== undefined).length;
  const problem = sources !== 1 ? "give one of --stack and --outputs" : missing.length ? `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} required` : undefined;
  if (problem) {
    io.stderr(`error: ${problem}\n${SMOKE_USAGE}\n`);
    return 2;
  }
  const key = values.service!;
  let target: ReturnType<typeof findService>;
  try {
    const label = values.stack !== undefined ? `stack ${values.stack}` : `outputs ${values.outputs}`;
    const read = values.stack !== undefined ? parseStackOutputs((deps.stackOutputs ?? pulumiStackOutputs)(values.stack), label) : await readStackOutputs(values.outputs!);
    if (read.offline) throw new CredentialsUsageError(`${label} is an offline plan: its values are placeholders; the smoke check needs a deployed stack's outputs (pulumi stack output --json)`);
    target = findService(read.outputs, label, key, values.federation);
  } catch (error) {
    if (error instanceof CredentialsUsageError) {
      io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    io.stderr(`error: cannot read the stack's outputs: ${(error as Error).message.split("\n")[0]}\n`);
    return 2;
  }

  const fetchFn = deps.fetch ?? fetch;
  const dir = mkdtempSync(join(tmpdir(), "oktafed-smoke-"));
  const tokenFile = join(dir, "token");
  let failures = 0;
  const line = (ok: boolean, text: string) => {
    if (!ok) failures++;
    io.stdout(`${ok ? "ok  " : "FAIL"}  ${text}\n`);
  };
  try {
    io.stdout(`SMOKE  service ${key}: a real token from ${target.okta.issuerUrl}, exchanged at each cloud it uses\n`);
    try {
      await fetchToken({
        issuer: target.okta.issuerUrl,
        clientId: String(target.service.clientId),
        privateKeyFile: values["private-key-file"]!,
        keyId: values["key-id"]!,
        scopes: values.scopes!,
        tokenFile,
        fetch: fetchFn,
      });
    } catch (error) {
      if (!(error instanceof TokenFetchError)) throw error;
      line(false, `Okta token: ${error.message}  [knob: services.${key}.auth (the key registered with the app) and services.${key}.scopes]`);
      return 1;
    }
    line(true, "Okta token: issued for the service's client id");
    const token = readFileSync(tokenFile, "utf8");
    for (const check of checkTokenShape(token, { issuer: target.okta.issuerUrl, audience: target.okta.audience, clientId: String(target.service.clientId) })) {
      line(check.ok, `token: ${check.check}: ${check.detail}${check.ok ? "" : `  [knob: ${check.knob}]`}`);
    }
    const report = (cloud: "aws" | "gcp" | "azure", what: string, outcome: ExchangeOutcome) =>
      line(outcome.ok, outcome.ok ? `${what}: ${outcome.detail}` : `${what}: ${outcome.code}: ${outcome.message}  [knob: ${knobFor(cloud, outcome.code, outcome.message, key)}]`);
    const { service } = target;
    if (service.aws) {
      const region = values["aws-region"] ?? "us-east-1";
      const stsUrl = values["aws-sts-endpoint"] ?? `https://sts.${region}.amazonaws.com`;
      report("aws", `AWS STS AssumeRoleWithWebIdentity ${service.aws.roleArn}`, await awsExchange(fetchFn, { roleArn: String(service.aws.roleArn), token, stsUrl }));
    }
    if (service.gcp) {
      const endpoints = { gcpSts: values["gcp-sts-endpoint"], gcpIamCredentials: values["gcp-iamcredentials-endpoint"] };
      report("gcp", `GCP STS ${service.gcp.workloadIdentityProvider}`, await gcpExchange(fetchFn, { credentialConfig: service.gcp.credentialConfig as object, token, endpoints }));
    }
    if (service.azure) {
      const entraUrl = values["entra-endpoint"] ?? DEFAULTS.entra;
      report("azure", `Entra ID managed identity ${service.azure.clientId}`, await azureExchange(fetchFn, { clientId: String(service.azure.clientId), tenantId: String(service.azure.tenantId), token, entraUrl }));
    }
    io.stdout(failures === 0 ? `smoke: service ${key} passed\n` : `smoke: service ${key}: ${failures} check${failures === 1 ? "" : "s"} failed\n`);
    return failures === 0 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
