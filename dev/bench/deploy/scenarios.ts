import type { DeployOptions } from "./simulator";

/** The settings the benchmark reports at each N (docs/benchmarks.md#deploy-time-model). */
export const DEPLOY_SCENARIOS: ReadonlyArray<{ key: string; label: string; options: DeployOptions }> = [
  { key: "cli16", label: "pulumi up on 4 cores (default --parallel 16), OAuth 2.0", options: { parallel: 16 } },
  { key: "cli16ApiToken", label: "the same, Okta provider on an API token", options: { parallel: 16, oktaAuth: "apiToken" } },
  { key: "cli8", label: "pulumi up on 2 cores (default --parallel 8)", options: { parallel: 8 } },
  { key: "parallel64", label: "pulumi up --parallel 64", options: { parallel: 64 } },
  { key: "unbounded", label: "unbounded (PULUMI_PARALLEL above the operations)", options: {} },
  { key: "unboundedTimeout60", label: "unbounded, Okta request timeout 60 s", options: { oktaPacing: { requestTimeoutSeconds: 60 } } },
  { key: "free", label: "Integrator Free org, --parallel 16", options: { tier: "integratorFree", parallel: 16 } },
];
