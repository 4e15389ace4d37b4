/**
 * Quotas and rate limits a real first deploy meets, counted on the plan: how full each GCP
 * project's IAM policy, each project's service-account quota and each AWS account's role quota
 * would be, and how long the Okta app writes take at least. Shown in the plan summary; figures
 * over 80 % of a limit are advisories. The limits are stated once, in components/internal/limits.ts.
 */
import { LIMITS } from "../../components/internal/limits";
import type { RecordedResource } from "./engine";

export interface ScaleFigure {
  /** What is counted, e.g. "GCP project acme-dev: principals in its IAM policy". */
  readonly what: string;
  readonly count: number;
  /** The quota or limit the count is held against, when there is one. */
  readonly limit?: number;
  /** What the count means for the deploy, when it is a rate rather than a quota. */
  readonly note?: string;
  /** Set when the count is over 80 % of the limit: what to do. */
  readonly advisory?: string;
}

const ADVISE_AT = 0.8;

function grouped(resources: readonly RecordedResource[], type: string, key: (r: RecordedResource) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of resources.filter((r) => r.type === type && !r.read)) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  return counts;
}

/** Every scale figure of a plan, with advisories where a limit is near. */
export function scaleFigures(resources: readonly RecordedResource[]): ScaleFigure[] {
  const figures: ScaleFigure[] = [];
  const push = (what: string, count: number, limit: number, advice: string) =>
    figures.push({ what, count, limit, ...(count > ADVISE_AT * limit ? { advisory: advice } : {}) });
  const project = (r: RecordedResource) => String(r.inputs.project ?? "(provider's project)");
  for (const [p, n] of grouped(resources, "gcp:projects/iAMMember:IAMMember", project)) {
    push(
      `GCP project ${p}: principals the kit adds to its IAM policy`,
      n,
      LIMITS.gcp.policyPrincipalsMax,
      "the project's other grants count too, and every grant is a read-modify-write of that one policy: grant on the services' own service accounts or on resources, or split the services over projects",
    );
  }
  for (const [p, n] of grouped(resources, "gcp:serviceaccount/account:Account", project)) {
    push(`GCP project ${p}: service accounts`, n, LIMITS.gcp.serviceAccountsPerProject, "ask for a higher service-account quota, use direct grants (serviceAccount: false), or split the services over projects");
  }
  const account = (r: RecordedResource) => /^arn:aws[a-z-]*:iam::([^:]+):/.exec(String(r.outputs.arn ?? ""))?.[1] ?? "(provider's account)";
  for (const [a, n] of grouped(resources, "aws:iam/role:Role", account)) {
    push(`AWS account ${a}: roles`, n, LIMITS.aws.rolesPerAccount, "ask for a higher role quota (up to 5,000) or split the services over accounts");
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
  return figures.map(
    (f) => `  ${f.advisory ? "! " : "  "}${f.what}: ${f.count}${f.limit !== undefined ? ` of ${f.limit}` : ""}${f.note ? ` (${f.note})` : ""}${f.advisory ? ` (advisory: ${f.advisory})` : ""}`,
  );
}
