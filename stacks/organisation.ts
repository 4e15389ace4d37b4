/**
 * The stack program's organisation layout (docs/organisation.md): a platform stack
 * (`okta-federation:platform`) holds what every team shares and exports the platform contract; a
 * team stack (`okta-federation:team`) reads it through a StackReference and owns its services.
 */
import * as pulumi from "@pulumi/pulumi";
import * as okta from "@pulumi/okta/provider";
import * as aws from "@pulumi/aws/provider";
import * as gcp from "@pulumi/gcp/provider";
import { FederationConfigError } from "../components/config";
import { parsePlatformConfig, type PlatformConfig } from "../components/config/platform";
import { parseTeamConfig, parseTeamHeader } from "../components/config/team";
import { Federation } from "../components/federation";
import { Platform, toPlatformOutputs } from "../components/platform";
import { toStackOutputs } from "../components/outputs";
import { readPlatformContract } from "../components/team";
import type { FederationConfig } from "../components/config";

export { PLATFORM_OUTPUT } from "../components/platformContract";
import { PLATFORM_OUTPUT } from "../components/platformContract";

/** A config error ends the program with its message alone (RunError prints no stack trace). */
function validated<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof FederationConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

/** The Okta provider of a config's org, paced by its okta.provider settings. */
export function oktaProvider(name: string, config: Pick<FederationConfig, "okta">): okta.Provider {
  return new okta.Provider(name, {
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
  });
}

/** The platform stack: its shared objects, one explicit provider per org, account and project, and the contract as the output `platform`. */
export function platformProgram(raw: unknown, hookAuthorization: pulumi.Output<string> | undefined): Record<string, pulumi.Input<unknown>> {
  const config: PlatformConfig = validated(() => parsePlatformConfig(raw));
  const awsProviders = Object.fromEntries(
    Object.entries(config.aws?.accounts ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, account]) => [key, new aws.Provider(`aws-${key}`, { region: account.region, allowedAccountIds: [account.accountId] })]),
  );
  const providers: Record<string, pulumi.ProviderResource> = { okta: oktaProvider("okta", config) };
  if (config.gcp) providers.gcp = new gcp.Provider("gcp", { project: config.gcp.project });
  const platform = new Platform(
    "platform",
    { config, tokenHookAuthorization: hookAuthorization, awsProviders, formerFederation: config.formerFederation },
    { providers },
  );
  return { [PLATFORM_OUTPUT]: toPlatformOutputs(platform, config) };
}

/**
 * A team stack: reads the platform's contract, validates the team's services against it (every
 * problem at once, before any resource but the stack reference is registered), then deploys them as
 * a Federation on the platform's objects. Its outputs are a federation's (contract version 1) plus
 * the team and platform names.
 */
export async function teamProgram(
  raw: unknown,
  providersFor: (config: FederationConfig, prefix: string) => Record<string, pulumi.ProviderResource>,
): Promise<Record<string, unknown>> {
  const header = validated(() => parseTeamHeader(raw));
  // Reading another stack's outputs registers a read of it: nothing is created or changed.
  const reference = new pulumi.StackReference(PLATFORM_OUTPUT, { name: header.platform });
  const contract = await readPlatformContract(reference);
  const team = validated(() => parseTeamConfig(raw, contract));
  // Built in steps (Federation.create): same resources, about 0.4 times the time and a quarter of the memory of one go.
  const federation = await Federation.create("federation", { config: team.federation, team: team.binding }, { providers: providersFor(team.federation, "") });
  return { ...toStackOutputs(federation, team.federation.environment), team: header.team, platformStack: header.platform };
}
