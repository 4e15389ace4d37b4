/**
 * Quotas the stacks of an organisation share (org.ts): a GCP project's IAM policy (principals the
 * kit adds) and service accounts, an AWS account's roles and OIDC providers. Each stack's plan says
 * how full it alone makes them (tools/offline/scale.ts, where the counting and the limits live);
 * two stacks in one project or account can each fit and together pass a limit, and then the
 * `pulumi up` of whichever deploys last fails at the first object past it. Summed here over every
 * stack given (a platform's objects once, however many teams read it). Over a hard limit is a
 * finding; over a default quota, or over 80 % of either, an advisory (the quota may have been raised).
 */
import { documentScaleResources, quotaCounts, quotaFigure, SHARED_QUOTA_IDS, type SharedQuotaId } from "../offline/scale";
import type { PlanDocument } from "./model";
import type { OrgFinding } from "./org";

/** One quota of one GCP project or AWS account that objects of more than one stack count against. */
export interface SharedQuota {
  readonly quota: SharedQuotaId;
  /** The GCP project or AWS account id. */
  readonly scope: string;
  /** What is counted, as each plan's summary says it: "GCP project acme-stage-example: service accounts". */
  readonly what: string;
  readonly total: number;
  /** Each stack's share, in the order the stacks were given (a platform that is not given, counted as planned beside its teams, after them). */
  readonly stacks: ReadonlyArray<{ readonly stack: string; readonly count: number }>;
  readonly limit: number;
  /** "quota": a default quota that can be raised (the advisory says how); "limit": it cannot be raised. */
  readonly kind: "quota" | "limit";
  /** Set when the total is over the limit (a finding for a "limit", an advisory for a "quota"). */
  readonly over?: boolean;
  /** Set when the total is over 80 % of the limit: what to do. */
  readonly advisory?: string;
}

/** The shares as words: "team-payments-stage 3, team-data-stage 3". */
export const quotaSplit = (quota: SharedQuota): string => quota.stacks.map((s) => `${s.stack} ${s.count}`).join(", ");

/** A shared quota in words, as a plan's summary prints a figure (scale.ts scaleLines), with each stack's share and what to do. */
export const quotaWords = (q: SharedQuota): string =>
  `${q.what}: ${q.total} of ${q.limit}${q.kind === "quota" ? " (default quota)" : ""} (${quotaSplit(q)})` +
  (q.over && q.kind === "limit" ? " (over: a finding)" : q.advisory ? ` (${q.over ? "over" : "advisory"}: ${q.advisory})` : "");

/**
 * The shared quotas over `documents`, each stack's own resources once (a plan or an export): only
 * projects and accounts counted in more than one stack (one stack's figures are its plan's), and
 * only where the resources name them (a provider's default project or account is not known to be
 * another stack's).
 */
export function sharedQuotas(documents: ReadonlyArray<{ readonly stack: string; readonly plan: PlanDocument }>): { quotas: SharedQuota[]; findings: OrgFinding[] } {
  const by = new Map<string, { quota: SharedQuotaId; scope: string; stacks: Array<{ stack: string; count: number }> }>();
  for (const { stack, plan } of documents) {
    for (const { quota, scope, count } of quotaCounts(documentScaleResources(plan.resources))) {
      if (scope === undefined) continue;
      const key = `${quota}|${scope}`;
      const entry = by.get(key) ?? { quota, scope, stacks: [] };
      entry.stacks.push({ stack, count });
      by.set(key, entry);
    }
  }
  const quotas: SharedQuota[] = [];
  const findings: OrgFinding[] = [];
  // In the plans' order of quotas (principals, service accounts, roles, OIDC providers), each by the scope first counted.
  const entries = [...by.values()].sort((a, b) => SHARED_QUOTA_IDS.indexOf(a.quota) - SHARED_QUOTA_IDS.indexOf(b.quota));
  for (const { quota, scope, stacks } of entries) {
    if (stacks.length < 2) continue;
    const total = stacks.reduce((n, s) => n + s.count, 0);
    const figure = quotaFigure({ quota, scope, count: total });
    const shared: SharedQuota = {
      quota,
      scope,
      what: figure.what,
      total,
      stacks,
      limit: figure.limit!,
      kind: figure.kind!,
      ...(figure.over ? { over: true } : {}),
      ...(figure.advisory ? { advisory: figure.advisory } : {}),
    };
    quotas.push(shared);
    if (shared.over && shared.kind === "limit") {
      findings.push({
        kind: "shared-quota",
        stacks: stacks.map((s) => s.stack),
        message:
          `${shared.what}: ${total.toLocaleString("en-US")} across stacks (${quotaSplit(shared)}), over the limit of ${shared.limit.toLocaleString("en-US")}, which cannot be raised: ` +
          `the \`pulumi up\` of whichever of these stacks deploys last fails at the first object past it (the plans cannot tell which stack that is); ${shared.advisory}`,
      });
    }
  }
  return { quotas, findings };
}
