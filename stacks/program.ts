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

// isConfigSecret is exported by the SDK's runtime but marked internal in its typings.
const isConfigSecret = (key: string): boolean => (pulumi.runtime as unknown as { isConfigSecret(k: string): boolean }).isConfigSecret(key);

/** The validated config: one federation (the usual case) or several, keyed by name. */
export type ReadConfig =
  | { readonly mode: "single"; readonly config: FederationConfig; readonly hookAuthorization?: pulumi.Output<string> }
  | { readonly mode: "multi"; readonly configs: Readonly<Record<string, FederationConfig>>; readonly hookAuthorization?: pulumi.Output<string> };

/** Reads and validates the federation config; every problem is reported at once. */
export function readFederationConfig(): ReadConfig {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const single = config.getObject<unknown>(CONFIG_KEY);
  const multi = config.getObject<unknown>(CONFIG_KEY_MULTI);
  if (single !== undefined && multi !== undefined) {
    throw new FederationConfigError([
      { path: "(root)", message: `set ${CONFIG_NAMESPACE}:${CONFIG_KEY} (one federation) or ${CONFIG_NAMESPACE}:${CONFIG_KEY_MULTI} (several), not both` },
    ]);
  }
  if (single === undefined && multi === undefined) {
    throw new FederationConfigError([{ path: "(root)", message: `config key ${CONFIG_NAMESPACE}:${CONFIG_KEY} is not set; see docs/config.md` }]);
  }
  // A `secure:` value inside the structured key makes the Pulumi CLI mark the whole key secret and
  // hand it over decrypted; getObject does not say so (pulumi/pulumi#7127), so the program asks.
  const secretKey = [CONFIG_KEY, CONFIG_KEY_MULTI].find((key) => isConfigSecret(`${CONFIG_NAMESPACE}:${key}`));
  if (secretKey) {
    throw new FederationConfigError([{ path: `${CONFIG_NAMESPACE}:${secretKey}`, message: SECURE_INSIDE_MESSAGE }], secretKey);
  }
  const hookAuthorization = config.getSecret(HOOK_SECRET_KEY);
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
  const providers: Record<string, pulumi.ProviderResource> = {
    okta: new okta.Provider(`${prefix}okta`, {
      orgName: config.okta.orgName,
      baseUrl: config.okta.baseUrl,
      // Pacing for large deploys; backoff is the provider's default and cannot be switched off
      // (it reads settings with GetOk, which skips false). requestTimeout is 0 unless the config
      // sets a deadline that covers every retry: the deadline bounds the whole call, retries and the
      // governor's pauses included (terraform-provider-okta sdk/v2_requestExecutor.go doWithRetries,
      // context.WithTimeout; oktaRequestTimeoutProblem). okta.provider.maxConcurrentWrites is no
      // provider setting: the Federation orders its Okta writes in that many lanes. See okta.provider
      // in docs/config.md.
      maxApiCapacity: config.okta.provider.maxApiCapacity,
      maxRetries: config.okta.provider.maxRetries,
      minWaitSeconds: config.okta.provider.minWaitSeconds,
      maxWaitSeconds: config.okta.provider.maxWaitSeconds,
      requestTimeout: config.okta.provider.requestTimeoutSeconds,
    }),
  };
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
export function federationProgram(): FederationStackOutputs | { contractVersion: 1; federations: Record<string, unknown>; clientSecrets?: pulumi.Input<unknown> } {
  let read: ReadConfig;
  try {
    read = readFederationConfig();
  } catch (error) {
    // RunError ends the program with the message alone, without a stack trace.
    if (error instanceof FederationConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }

  if (read.mode === "single") {
    const federation = new Federation(
      "federation",
      { config: read.config, tokenHookAuthorization: read.hookAuthorization },
      { providers: providersFor(read.config, "") },
    );
    return toStackOutputs(federation, read.config.environment);
  }

  const federations: Record<string, unknown> = {};
  const clientSecrets: Record<string, pulumi.Input<unknown>> = {};
  // Federations of one Okta org get app labels that tell their apps apart (internal/names.ts).
  const labels = uniqueOktaAppLabels(
    Object.fromEntries(
      Object.entries(read.configs).map(([name, c]) => [
        name,
        { org: oktaOrgHost(c.okta.orgName, c.okta.baseUrl), environment: c.environment, services: Object.fromEntries(Object.entries(c.services).map(([k, s]) => [k, s.renamedFrom ?? k])) },
      ]),
    ),
  );
  for (const name of Object.keys(read.configs).sort()) {
    const config = read.configs[name]!;
    const federation = new Federation(name, { config, tokenHookAuthorization: read.hookAuthorization, appLabels: labels[name] }, { providers: providersFor(config, `${name}-`) });
    // Secrets stay in their own top-level output, so the rest of the contract stays readable.
    const { contractVersion: _version, clientSecrets: secrets, ...outputs } = toStackOutputs(federation, config.environment);
    federations[name] = outputs;
    if (secrets) clientSecrets[name] = secrets;
  }
  return { contractVersion: 1, federations, ...(Object.keys(clientSecrets).length ? { clientSecrets: pulumi.secret(clientSecrets) } : {}) };
}
