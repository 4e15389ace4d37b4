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

/** The quotas of a GCP project or an AWS account that the kit's objects count against: every stack deploying into the project or account shares them. */
export type SharedQuotaId = "gcpPolicyPrincipals" | "gcpServiceAccounts" | "awsRoles" | "awsOidcProviders";

/** How many objects of a plan count against one shared quota of one project or account. */
export interface QuotaCount {
  readonly quota: SharedQuotaId;
  /** The GCP project or AWS account id; undefined when the resource leaves it to its provider's default. */
  readonly scope: string | undefined;
  readonly count: number;
}

const projectOf = (r: ScaleResource) => (r.inputs.project === undefined || r.inputs.project === null ? undefined : String(r.inputs.project));
const accountOf = (r: ScaleResource) => /^arn:aws[a-z-]*:iam::([^:]+):/.exec(String(r.outputs.arn ?? ""))?.[1];

interface QuotaRule {
  readonly type: string;
  readonly scopeOf: (r: ScaleResource) => string | undefined;
  /** How the figures name the scope when the resource leaves it to its provider's default. */
  readonly unnamed: string;
  readonly what: (scope: string) => string;
  readonly limit: number;
  readonly kind: "quota" | "limit";
  readonly advice: (scope: string) => string;
  readonly overAdvice?: (scope: string) => string;
  /** A plan's figure is shown from this count (a platform's one OIDC provider per account is no news). */
  readonly shownFrom: number;
}

/** Each shared quota: what it counts, in which scope, against which limit, and what to do near or past it. */
const QUOTAS: Readonly<Record<SharedQuotaId, QuotaRule>> = {
  gcpPolicyPrincipals: {
    type: "gcp:projects/iAMMember:IAMMember",
    scopeOf: projectOf,
    unnamed: "(provider's project)",
    what: (p) => `GCP project ${p}: principals the kit adds to its IAM policy`,
    limit: LIMITS.gcp.policyPrincipalsMax,
    kind: "limit",
    advice: () =>
      "the project's other grants count too, and every grant is a read-modify-write of that one policy: grant on the services' own service accounts or on resources, or split the services over projects",
    shownFrom: 1,
  },
  gcpServiceAccounts: {
    type: "gcp:serviceaccount/account:Account",
    scopeOf: projectOf,
    unnamed: "(provider's project)",
    what: (p) => `GCP project ${p}: service accounts`,
    limit: LIMITS.gcp.serviceAccountsPerProject,
    kind: "quota",
    advice: (p) => `the project's other service accounts count too: ${QUOTA_INCREASE.gcpServiceAccounts(p)}`,
    overAdvice: (p) =>
      `over the default quota of ${LIMITS.gcp.serviceAccountsPerProject}: creating service account ${LIMITS.gcp.serviceAccountsPerProject + 1} fails unless the quota was raised; ${QUOTA_INCREASE.gcpServiceAccounts(p)}`,
    shownFrom: 1,
  },
  awsRoles: {
    type: "aws:iam/role:Role",
    scopeOf: accountOf,
    unnamed: "(provider's account)",
    what: (a) => `AWS account ${a}: roles`,
    limit: LIMITS.aws.rolesPerAccount,
    kind: "quota",
    advice: (a) => `the account's other roles count too (service-linked roles included): ${QUOTA_INCREASE.awsRoles(a)}`,
    overAdvice: (a) =>
      `over the default quota of ${LIMITS.aws.rolesPerAccount.toLocaleString("en-US")}: creating role ${(LIMITS.aws.rolesPerAccount + 1).toLocaleString("en-US")} fails unless the quota was raised; ${QUOTA_INCREASE.awsRoles(a)}`,
    shownFrom: 1,
  },
  awsOidcProviders: {
    type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    scopeOf: accountOf,
    unnamed: "(provider's account)",
    what: (a) => `AWS account ${a}: OIDC providers`,
    limit: LIMITS.aws.oidcProvidersPerAccount,
    kind: "limit",
    advice: () =>
      "the account's other OIDC providers count too, and this quota cannot be raised: adopt an existing provider (aws.existingOidcProviderArn) or split the federations over accounts",
    shownFrom: 2,
  },
};

/** The shared quotas in the order the figures list them. */
export const SHARED_QUOTA_IDS = Object.keys(QUOTAS) as readonly SharedQuotaId[];

/** The objects a plan creates against each shared quota, per project or account (read, i.e. adopted, objects are not created). */
export function quotaCounts(resources: readonly ScaleResource[]): QuotaCount[] {
  const counts: QuotaCount[] = [];
  for (const quota of SHARED_QUOTA_IDS) {
    const rule = QUOTAS[quota];
    const by = new Map<string | undefined, number>();
    for (const r of resources) {
      if (r.type !== rule.type || r.read) continue;
      const scope = rule.scopeOf(r);
      by.set(scope, (by.get(scope) ?? 0) + 1);
    }
    for (const [scope, count] of by) counts.push({ quota, scope, count });
  }
  return counts;
}

/** The figure of a count against its quota or limit, with an advisory over 80 % of it and when over. */
export function quotaFigure({ quota, scope, count }: QuotaCount): ScaleFigure {
  const rule = QUOTAS[quota];
  const named = scope ?? rule.unnamed;
  const advisory = count > rule.limit ? (rule.overAdvice ?? rule.advice)(named) : count > ADVISE_AT * rule.limit ? rule.advice(named) : undefined;
  return { what: rule.what(named), count, limit: rule.limit, kind: rule.kind, ...(count > rule.limit ? { over: true } : {}), ...(advisory ? { advisory } : {}) };
}

/**
 * A plan document's or a stack export's resources (tools/verify/model.ts PlanResource) as the
 * figures read them: adopted when `operation` is "read", the values known after deploy (`afterDeploy`:
 * a role's arn, whose account the roles are counted in) as outputs.
 */
export function documentScaleResources(resources: ReadonlyArray<{ type: string; operation?: string; inputs: Record<string, unknown>; afterDeploy?: Record<string, unknown> }>): ScaleResource[] {
  return resources.map((r) => ({ type: r.type, read: r.operation === "read", inputs: r.inputs, outputs: r.afterDeploy ?? {} }));
}

/** Every scale figure of a plan, with advisories where a limit is near or a quota is passed. */
export function scaleFigures(resources: readonly ScaleResource[]): ScaleFigure[] {
  const figures = quotaCounts(resources)
    .filter((c) => c.count >= QUOTAS[c.quota].shownFrom)
    .map(quotaFigure);
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
