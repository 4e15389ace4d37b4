/**
 * Quotas and rate limits a real first deploy meets, counted on the plan: how full each GCP
 * project's IAM policy, each project's service-account quota and each AWS account's role and OIDC
 * provider quotas would be, and how long the Okta app writes take at least. Shown in the plan
 * summary; figures over 80 % of a limit are advisories, and a count over a default quota says how
 * to raise it (the deploy fails at the first object past it otherwise). Hard limits that the
 * config alone decides are refused by validation (components/config/crossFieldQuotas.ts); the
 * limits are stated once, in components/internal/limits.ts.
 */
import { LIMITS } from "../../components/internal/limits";
import type { RecordedResource } from "./engine";

export interface ScaleFigure {
  /** What is counted, e.g. "GCP project acme-dev: principals in its IAM policy". */
  readonly what: string;
  readonly count: number;
  /** The quota or limit the count is held against, when there is one. */
  readonly limit?: number;
  /** "quota": a default quota that can be raised (`raise` says how); "limit": it cannot be raised. */
  readonly kind?: "quota" | "limit";
  /** What the count means for the deploy, when it is a rate rather than a quota. */
  readonly note?: string;
  /** Set when the count is over 80 % of the limit: what to do. */
  readonly advisory?: string;
  /** Set when the count is over the limit. */
  readonly over?: boolean;
}

/** The fields of a planned resource the figures read (a plan's or the benchmark's). */
export type ScaleResource = Pick<RecordedResource, "type" | "read" | "inputs" | "outputs">;

const ADVISE_AT = 0.8;

/** How to raise the quotas the kit's stacks meet first (each restated from its source). */
export const QUOTA_INCREASE = {
  gcpServiceAccounts: (project: string) =>
    `request a higher "Number of service accounts" quota for ${project} in the Google Cloud console (IAM & Admin > Quotas; cloud.google.com/iam/quotas), use direct grants (serviceAccount: false), or split the services over projects`,
  awsRoles: (account: string) =>
    `request a higher "Roles per account" quota for ${account} in the Service Quotas console (Region US East (N. Virginia), service AWS Identity and Access Management (IAM)), up to ${LIMITS.aws.rolesPerAccountMax.toLocaleString("en-US")}, approved automatically up to that maximum; or split the services over accounts`,
} as const;

function grouped(resources: readonly ScaleResource[], type: string, key: (r: ScaleResource) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of resources.filter((r) => r.type === type && !r.read)) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  return counts;
}

/** Every scale figure of a plan, with advisories where a limit is near or a quota is passed. */
export function scaleFigures(resources: readonly ScaleResource[]): ScaleFigure[] {
  const figures: ScaleFigure[] = [];
  const push = (what: string, count: number, limit: number, kind: "quota" | "limit", advice: string, overAdvice = advice) =>
    figures.push({
      what,
      count,
      limit,
      kind,
      ...(count > limit ? { over: true, advisory: overAdvice } : count > ADVISE_AT * limit ? { advisory: advice } : {}),
    });
  const project = (r: ScaleResource) => String(r.inputs.project ?? "(provider's project)");
  for (const [p, n] of grouped(resources, "gcp:projects/iAMMember:IAMMember", project)) {
    push(
      `GCP project ${p}: principals the kit adds to its IAM policy`,
      n,
      LIMITS.gcp.policyPrincipalsMax,
      "limit",
      "the project's other grants count too, and every grant is a read-modify-write of that one policy: grant on the services' own service accounts or on resources, or split the services over projects",
    );
  }
  for (const [p, n] of grouped(resources, "gcp:serviceaccount/account:Account", project)) {
    const raise = QUOTA_INCREASE.gcpServiceAccounts(p);
    push(
      `GCP project ${p}: service accounts`,
      n,
      LIMITS.gcp.serviceAccountsPerProject,
      "quota",
      `the project's other service accounts count too: ${raise}`,
      `over the default quota of ${LIMITS.gcp.serviceAccountsPerProject}: creating service account ${LIMITS.gcp.serviceAccountsPerProject + 1} fails unless the quota was raised; ${raise}`,
    );
  }
  const account = (r: ScaleResource) => /^arn:aws[a-z-]*:iam::([^:]+):/.exec(String(r.outputs.arn ?? ""))?.[1] ?? "(provider's account)";
  for (const [a, n] of grouped(resources, "aws:iam/role:Role", account)) {
    const raise = QUOTA_INCREASE.awsRoles(a);
    push(
      `AWS account ${a}: roles`,
      n,
      LIMITS.aws.rolesPerAccount,
      "quota",
      `the account's other roles count too (service-linked roles included): ${raise}`,
      `over the default quota of ${LIMITS.aws.rolesPerAccount.toLocaleString("en-US")}: creating role ${(LIMITS.aws.rolesPerAccount + 1).toLocaleString("en-US")} fails unless the quota was raised; ${raise}`,
    );
  }
  for (const [a, n] of grouped(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", account)) {
    if (n > 1) {
      push(
        `AWS account ${a}: OIDC providers`,
        n,
        LIMITS.aws.oidcProvidersPerAccount,
        "limit",
        "the account's other OIDC providers count too, and this quota cannot be raised: adopt an existing provider (aws.existingOidcProviderArn) or split the federations over accounts",
      );
    }
  }
  const apps = resources.filter((r) => r.type === "okta:app/oAuth:OAuth" && !r.read).length;
  if (apps > 0) {
    const { enterprise, integratorFree } = LIMITS.okta.appsPerMinute;
    figures.push({
      what: "Okta apps created",
      count: apps,
      note: `their writes alone take at least ${Math.ceil(apps / enterprise)} min at ${enterprise}/min, ${Math.ceil(apps / integratorFree)} min on Integrator Free (${integratorFree}/min)`,
      ...(apps > enterprise ? { advisory: "the first deploy waits for Okta's app rate limit: keep okta.provider.maxApiCapacity below 100 so other clients of the org keep some of it" } : {}),
    });
  }
  return figures;
}

/** The figures as lines for the plan's summary. */
export function scaleLines(figures: readonly ScaleFigure[]): string[] {
  return figures.map((f) => {
    const limit = f.limit === undefined ? "" : ` of ${f.limit}${f.kind === "quota" ? " (default quota)" : ""}`;
    return `  ${f.advisory ? "! " : "  "}${f.what}: ${f.count}${limit}${f.note ? ` (${f.note})` : ""}${f.advisory ? ` (${f.over ? "over" : "advisory"}: ${f.advisory})` : ""}`;
  });
}
