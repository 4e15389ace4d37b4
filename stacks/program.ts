/**
 * The stack program: read and validate the one config, build explicit providers, compose the
 * federation and return the stack outputs. Exported as a function so tests and the offline plan
 * run exactly what `pulumi up` runs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as okta from "@pulumi/okta";
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as azure from "@pulumi/azure-native";
import {
  CONFIG_KEY,
  CONFIG_NAMESPACE,
  FederationConfigError,
  HOOK_SECRET_KEY,
  parseFederationConfig,
} from "../components/config";
import { Federation } from "../components/federation";
import { FederationStackOutputs, toStackOutputs } from "../components/outputs";

/** Reads and validates the federation config; every problem is reported at once. */
export function readFederationConfig() {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const raw = config.getObject<unknown>(CONFIG_KEY);
  if (raw === undefined) {
    throw new FederationConfigError([{ path: "(root)", message: `config key ${CONFIG_NAMESPACE}:${CONFIG_KEY} is not set; see docs/config.md` }]);
  }
  const parsed = parseFederationConfig(raw);
  const hookAuthorization = config.getSecret(HOOK_SECRET_KEY);
  if (parsed.okta.tokenHook && hookAuthorization === undefined) {
    throw new FederationConfigError([
      {
        path: `${CONFIG_NAMESPACE}:${HOOK_SECRET_KEY}`,
        message: `is required when okta.tokenHook is set: the value of the hook's ${parsed.okta.tokenHook.authHeader} header (pulumi config set --secret ${CONFIG_NAMESPACE}:${HOOK_SECRET_KEY} ...)`,
      },
    ]);
  }
  return { config: parsed, hookAuthorization };
}

/** Runs the program and returns the stack outputs. */
export function federationProgram(): FederationStackOutputs {
  let read: ReturnType<typeof readFederationConfig>;
  try {
    read = readFederationConfig();
  } catch (error) {
    // RunError ends the program with the message alone, without a stack trace.
    if (error instanceof FederationConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
  const { config, hookAuthorization } = read;

  // One explicit provider per org/account/project/subscription; credentials come from each
  // provider's usual environment variables (see README). Default providers are disabled in the
  // stack files, so nothing can reach an ambient account by mistake.
  const providers: Record<string, pulumi.ProviderResource> = {
    okta: new okta.Provider("okta", { orgName: config.okta.orgName, baseUrl: config.okta.baseUrl }),
  };
  const uses = (cloud: "aws" | "gcp" | "azure") => Object.values(config.services).some((s) => s[cloud] !== undefined);
  if (config.aws && uses("aws")) {
    providers.aws = new aws.Provider("aws", { region: config.aws.region as aws.Region, allowedAccountIds: [config.aws.accountId] });
  }
  if (config.gcp && uses("gcp")) {
    providers.gcp = new gcp.Provider("gcp", { project: config.gcp.project });
  }
  if (config.azure && uses("azure")) {
    providers["azure-native"] = new azure.Provider("azure-native", {
      subscriptionId: config.azure.subscriptionId,
      tenantId: config.azure.tenantId,
      location: config.azure.location,
    });
  }

  const federation = new Federation("federation", { config, tokenHookAuthorization: hookAuthorization }, { providers });
  return toStackOutputs(federation, config.environment);
}
