/** Runs component programs under the offline engine with explicit providers, as a caller would. */
import * as pulumi from "@pulumi/pulumi";
// Submodules, not the package roots: a root import pulls every service's types into the compile (pulumi/pulumi-azure-native#1997).
import * as okta from "@pulumi/okta/provider";
import * as aws from "@pulumi/aws/provider";
import * as gcp from "@pulumi/gcp/provider";
import * as azure from "@pulumi/azure-native/provider";
import { runOffline, type OfflineRunResult } from "../../tools/offline/engine";

export interface TestProviders {
  readonly okta: okta.Provider;
  readonly aws: aws.Provider;
  readonly gcp: gcp.Provider;
  readonly azure: azure.Provider;
  /** For `opts.providers`. */
  readonly all: Record<string, pulumi.ProviderResource>;
}

export function makeProviders(): TestProviders {
  const o = new okta.Provider("okta", { orgName: "acme-test-example", baseUrl: "okta.com" });
  const a = new aws.Provider("aws", { region: "us-east-1", allowedAccountIds: ["111111111111"] });
  const g = new gcp.Provider("gcp", { project: "acme-test-example" });
  const z = new azure.Provider("azure-native", {
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    tenantId: "00000000-0000-0000-0000-0000000000aa",
  });
  return { okta: o, aws: a, gcp: g, azure: z, all: { okta: o, aws: a, gcp: g, "azure-native": z } };
}

/** Runs `body` with fresh providers; returns what was recorded and what body returned. */
export async function runWithProviders<T>(
  body: (providers: TestProviders) => T,
  config: Record<string, string> = {},
): Promise<OfflineRunResult & { value: T }> {
  let value!: T;
  const result = await runOffline(
    () => {
      value = body(makeProviders());
      return {};
    },
    { project: "okta-federation", stack: "test", config },
  );
  return { ...result, value };
}
