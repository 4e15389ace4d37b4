/**
 * The stack program: read and validate the config, build explicit providers, compose the
 * federation(s) and return the stack outputs. Exported as a function so tests and the offline plan
 * run exactly what `pulumi up` runs.
 */
import * as pulumi from "@pulumi/pulumi";
// Submodules, not the package roots: a root import pulls every service's types into the compile (pulumi/pulumi-azure-native#1997).
import * as okta from "@pulumi/okta/provider";
import * as aws from "@pulumi/aws/provider";
import * as gcp from "@pulumi/gcp/provider";
import * as azure from "@pulumi/azure-native/provider";
import {
  CONFIG_KEY,
  CONFIG_KEY_MULTI,
  CONFIG_NAMESPACE,
  FederationConfigError,
  HOOK_SECRET_KEY,
  SECURE_INSIDE_MESSAGE,
  parseFederationConfig,
  parseFederations,
  type FederationConfig,
} from "../components/config";
import { Federation } from "../components/federation";
import { uniqueOktaAppLabels } from "../components/internal/names";
import { oktaOrgHost } from "../components/internal/canonical";
import { FederationStackOutputs, toStackOutputs } from "../components/outputs";
import { PLATFORM_CONFIG_KEY } from "../components/config/platform";
import { TEAM_CONFIG_KEY } from "../components/config/team";
import { oktaProvider, platformProgram, teamProgram } from "./organisation";

// isConfigSecret is exported by the SDK's runtime but marked internal in its typings.
const isConfigSecret = (key: string): boolean => (pulumi.runtime as unknown as { isConfigSecret(k: string): boolean }).isConfigSecret(key);

/** The validated config: one federation (the usual case) or several, keyed by name. */
export type ReadConfig =
  | { readonly mode: "single"; readonly config: FederationConfig; readonly hookAuthorization?: pulumi.Output<string> }
  | { readonly mode: "multi"; readonly configs: Readonly<Record<string, FederationConfig>>; readonly hookAuthorization?: pulumi.Output<string> }
  /** A platform or team stack (stacks/organisation.ts): its raw config, validated there. */
  | { readonly mode: "platform"; readonly raw: unknown; readonly hookAuthorization?: pulumi.Output<string> }
  | { readonly mode: "team"; readonly raw: unknown; readonly hookAuthorization?: pulumi.Output<string> };

/** The config keys a stack sets exactly one of, and what each holds. */
const STACK_KEYS = [
  [CONFIG_KEY, "one federation"],
  [CONFIG_KEY_MULTI, "several"],
  [PLATFORM_CONFIG_KEY, "an organisation's platform stack"],
  [TEAM_CONFIG_KEY, "a team stack"],
] as const;

/** Reads and validates the federation config; every problem is reported at once. */
export function readFederationConfig(): ReadConfig {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const set = STACK_KEYS.filter(([key]) => config.getObject<unknown>(key) !== undefined);
  if (set.length > 1) {
    throw new FederationConfigError([
      { path: "(root)", message: `set one of ${STACK_KEYS.map(([key, what]) => `${CONFIG_NAMESPACE}:${key} (${what})`).join(", ")}; this stack sets ${set.map(([key]) => key).join(" and ")}` },
    ]);
  }
  if (set.length === 0) {
    throw new FederationConfigError([{ path: "(root)", message: `config key ${CONFIG_NAMESPACE}:${CONFIG_KEY} is not set; see docs/config.md` }]);
  }
  // A `secure:` value inside the structured key makes the Pulumi CLI mark the whole key secret and
  // hand it over decrypted; getObject does not say so (pulumi/pulumi#7127), so the program asks.
  const secretKey = STACK_KEYS.map(([key]) => key).find((key) => isConfigSecret(`${CONFIG_NAMESPACE}:${key}`));
  if (secretKey) {
    throw new FederationConfigError([{ path: `${CONFIG_NAMESPACE}:${secretKey}`, message: SECURE_INSIDE_MESSAGE }], secretKey);
  }
  const hookAuthorization = config.getSecret(HOOK_SECRET_KEY);
  const layered = set[0]![0];
  if (layered === PLATFORM_CONFIG_KEY || layered === TEAM_CONFIG_KEY) {
    const raw = config.getObject<unknown>(layered);
    // The platform's token hook needs its auth value; a team's services use the platform's hook.
    const hooked = layered === PLATFORM_CONFIG_KEY && typeof raw === "object" && raw !== null && typeof (raw as { okta?: { tokenHook?: unknown } }).okta?.tokenHook === "object";
    if (hooked && hookAuthorization === undefined) {
      throw new FederationConfigError(
        [{ path: `${CONFIG_NAMESPACE}:${HOOK_SECRET_KEY}`, message: `is required when okta.tokenHook is set: the value of the hook's auth header (pulumi config set --secret ${CONFIG_NAMESPACE}:${HOOK_SECRET_KEY} ...)` }],
        layered,
      );
    }
    return layered === PLATFORM_CONFIG_KEY ? { mode: "platform", raw, hookAuthorization } : { mode: "team", raw, hookAuthorization };
  }
  const single = config.getObject<unknown>(CONFIG_KEY);
  const multi = config.getObject<unknown>(CONFIG_KEY_MULTI);
  const configs = multi !== undefined ? parseFederations(multi) : { [CONFIG_KEY]: parseFederationConfig(single) };
  const hooked = Object.entries(configs).find(([, c]) => c.okta.tokenHook);
  if (hooked && hookAuthorization === undefined) {
    throw new FederationConfigError([
      {
        path: `${CONFIG_NAMESPACE}:${HOOK_SECRET_KEY}`,
        message: `is required when okta.tokenHook is set: the value of the hook's ${hooked[1].okta.tokenHook!.authHeader} header (pulumi config set --secret ${CONFIG_NAMESPACE}:${HOOK_SECRET_KEY} ...)`,
      },
    ]);
  }
  return multi !== undefined ? { mode: "multi", configs, hookAuthorization } : { mode: "single", config: configs[CONFIG_KEY]!, hookAuthorization };
}

/**
 * One explicit provider per org/account/project/subscription; credentials come from each
 * provider's usual environment variables (see README). Default providers are disabled in the
 * stack files, so nothing can reach an ambient account by mistake. `prefix` keeps the providers of
 * several federations apart ("" for the single federation, so its provider names stay short).
 */
function providersFor(config: FederationConfig, prefix: string): Record<string, pulumi.ProviderResource> {
  const providers: Record<string, pulumi.ProviderResource> = { okta: oktaProvider(`${prefix}okta`, config) };
  const uses = (cloud: "aws" | "gcp" | "azure") => Object.values(config.services).some((s) => s[cloud] !== undefined);
  if (config.aws && uses("aws")) {
    providers.aws = new aws.Provider(`${prefix}aws`, { region: config.aws.region, allowedAccountIds: [config.aws.accountId] });
  }
  if (config.gcp && uses("gcp")) {
    providers.gcp = new gcp.Provider(`${prefix}gcp`, { project: config.gcp.project });
  }
  if (config.azure && uses("azure")) {
    providers["azure-native"] = new azure.Provider(`${prefix}azure-native`, {
      subscriptionId: config.azure.subscriptionId,
      tenantId: config.azure.tenantId,
      location: config.azure.location,
    });
  }
  return providers;
}

/** Runs the program and returns the stack outputs. */
export function federationProgram(): Record<string, pulumi.Input<unknown>> | Promise<Record<string, unknown>> {
  let read: ReadConfig;
  try {
    read = readFederationConfig();
  } catch (error) {
    // RunError ends the program with the message alone, without a stack trace.
    if (error instanceof FederationConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }

  if (read.mode === "platform") return platformProgram(read.raw, read.hookAuthorization);
  if (read.mode === "team") return teamProgram(read.raw, providersFor);

  if (read.mode === "single") return singleFederation(read.config, read.hookAuthorization);
  return severalFederations(read.configs, read.hookAuthorization);
}

// Federations are built in steps (Federation.create): the same resources as `new Federation`, in
// about 0.4 times the time and a quarter of the memory of building every service in one go.

async function singleFederation(config: FederationConfig, hookAuthorization: pulumi.Output<string> | undefined): Promise<FederationStackOutputs> {
  const federation = await Federation.create("federation", { config, tokenHookAuthorization: hookAuthorization }, { providers: providersFor(config, "") });
  return toStackOutputs(federation, config.environment);
}

async function severalFederations(
  configs: Readonly<Record<string, FederationConfig>>,
  hookAuthorization: pulumi.Output<string> | undefined,
): Promise<{ contractVersion: 1; federations: Record<string, unknown>; clientSecrets?: pulumi.Input<unknown> }> {
  const federations: Record<string, unknown> = {};
  const clientSecrets: Record<string, pulumi.Input<unknown>> = {};
  // Federations of one Okta org get app labels that tell their apps apart (internal/names.ts).
  const labels = uniqueOktaAppLabels(
    Object.fromEntries(
      Object.entries(configs).map(([name, c]) => [
        name,
        { org: oktaOrgHost(c.okta.orgName, c.okta.baseUrl), environment: c.environment, services: Object.fromEntries(Object.entries(c.services).map(([k, s]) => [k, s.renamedFrom ?? k])) },
      ]),
    ),
  );
  for (const name of Object.keys(configs).sort()) {
    const config = configs[name]!;
    const federation = await Federation.create(name, { config, tokenHookAuthorization: hookAuthorization, appLabels: labels[name] }, { providers: providersFor(config, `${name}-`) });
    // Secrets stay in their own top-level output, so the rest of the contract stays readable.
    const { contractVersion: _version, clientSecrets: secrets, ...outputs } = toStackOutputs(federation, config.environment);
    federations[name] = outputs;
    if (secrets) clientSecrets[name] = secrets;
  }
  return { contractVersion: 1, federations, ...(Object.keys(clientSecrets).length ? { clientSecrets: pulumi.secret(clientSecrets) } : {}) };
}
