/**
 * The plan as Google holds it, for the GCP emulator: workload identity pools and providers, service
 * accounts and IAM bindings (on service accounts, projects and the single resources of
 * gcp.resourceRoles), and who a member names.
 */
import type { GcpResource } from "../../../components/internal/gcpResource";
import type { PlanDocument, PlanResource } from "../../verify/model";
import { deployedValue } from "../materialize";

export const IAM_HOST = "iam.googleapis.com";

export interface Provider {
  /** `projects/<n>/locations/global/workloadIdentityPools/<pool>/providers/<id>` */
  readonly name: string;
  readonly poolName: string;
  /** The provider or its pool is disabled. */
  readonly disabled: boolean;
  readonly issuerUri: string;
  readonly allowedAudiences: readonly string[];
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition?: string;
}

/** One IAM binding of the plan: `role` for `members` on a service account or a project. */
export interface Binding {
  readonly on: { readonly serviceAccount: string } | { readonly project: string };
  readonly role: string;
  readonly members: readonly string[];
  readonly conditional: boolean;
}

export interface GcpPlan {
  readonly providers: readonly Provider[];
  readonly serviceAccounts: ReadonlySet<string>;
  readonly bindings: readonly Binding[];
}

export const byType = (plan: PlanDocument, type: string) => plan.resources.filter((r) => r.type === type);
export const valueOf = (r: PlanResource, key: string): any => r.afterDeploy?.[key] ?? r.inputs[key];

/** A project's number: the deployed-looking one `materialize` gives `<project.projectNumber>`. */
export function projectNumber(project: string): string {
  return /^\d+$/.test(project) ? project : deployedValue(project, "projectNumber");
}

function poolsOf(plan: PlanDocument): Map<string, { name: string; disabled: boolean }> {
  const pools = new Map<string, { name: string; disabled: boolean }>();
  for (const pool of byType(plan, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool")) {
    const project = String(pool.inputs.project);
    const id = String(pool.inputs.workloadIdentityPoolId);
    const name = String(pool.afterDeploy?.name ?? `projects/${projectNumber(project)}/locations/global/workloadIdentityPools/${id}`);
    pools.set(`${project}/${id}`, { name, disabled: pool.inputs.disabled === true });
  }
  return pools;
}

function providersOf(plan: PlanDocument): Provider[] {
  const pools = poolsOf(plan);
  return byType(plan, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider").map((r) => {
    const project = String(r.inputs.project);
    const poolId = String(r.inputs.workloadIdentityPoolId);
    const pool = pools.get(`${project}/${poolId}`);
    const poolName = pool?.name ?? `projects/${projectNumber(project)}/locations/global/workloadIdentityPools/${poolId}`;
    const oidc = (r.inputs.oidc ?? {}) as { issuerUri?: string; allowedAudiences?: string[] };
    return {
      name: String(r.afterDeploy?.name ?? `${poolName}/providers/${String(r.inputs.workloadIdentityPoolProviderId)}`),
      poolName,
      // A provider whose pool is not in the plan does not exist for Google either.
      disabled: r.inputs.disabled === true || pool === undefined || pool.disabled,
      issuerUri: String(oidc.issuerUri ?? ""),
      allowedAudiences: oidc.allowedAudiences ?? [],
      attributeMapping: (r.inputs.attributeMapping ?? {}) as Record<string, string>,
      ...(typeof r.inputs.attributeCondition === "string" && r.inputs.attributeCondition !== "" ? { attributeCondition: r.inputs.attributeCondition } : {}),
    };
  });
}

/** `projects/p/serviceAccounts/a@p.iam.gserviceaccount.com`, `projects/-/serviceAccounts/…` or the email. */
export function serviceAccountEmail(id: string): string {
  const at = id.lastIndexOf("serviceAccounts/");
  return (at >= 0 ? id.slice(at + "serviceAccounts/".length) : id).toLowerCase();
}

/** IAM policy data (`policyData`, JSON): its bindings. */
function policyBindings(policyData: unknown): Array<{ role: string; members: string[]; condition?: unknown }> {
  try {
    const policy = JSON.parse(String(policyData)) as { bindings?: Array<{ role: string; members?: string[]; condition?: unknown }> };
    return (policy.bindings ?? []).map((b) => ({ role: b.role, members: b.members ?? [], condition: b.condition }));
  } catch {
    return [];
  }
}

export function bindingsOf(plan: PlanDocument): Binding[] {
  const bindings: Binding[] = [];
  const scopes = [
    { prefix: "gcp:serviceaccount/", on: (r: PlanResource) => ({ serviceAccount: serviceAccountEmail(String(r.inputs.serviceAccountId)) }) },
    { prefix: "gcp:projects/", on: (r: PlanResource) => ({ project: String(r.inputs.project) }) },
  ];
  for (const r of plan.resources) {
    const scope = scopes.find((s) => r.type.startsWith(s.prefix));
    if (!scope) continue;
    const kind = r.type.slice(scope.prefix.length).split(":")[0];
    if (kind === "iAMMember" || kind === "iAMBinding") {
      const members = kind === "iAMMember" ? [String(r.inputs.member)] : ((r.inputs.members ?? []) as string[]);
      bindings.push({ on: scope.on(r), role: String(r.inputs.role), members, conditional: r.inputs.condition != null });
    } else if (kind === "iAMPolicy") {
      for (const b of policyBindings(r.inputs.policyData)) bindings.push({ on: scope.on(r), role: b.role, members: b.members, conditional: b.condition != null });
    }
  }
  return bindings;
}

export function gcpPlan(plan: PlanDocument): GcpPlan {
  const accounts = byType(plan, "gcp:serviceaccount/account:Account").map((r) =>
    String(valueOf(r, "email") ?? `${String(r.inputs.accountId)}@${String(r.inputs.project)}.iam.gserviceaccount.com`).toLowerCase(),
  );
  return { providers: providersOf(plan), serviceAccounts: new Set(accounts), bindings: bindingsOf(plan) };
}


/** What a federated token stands for. */
export interface FederatedToken {
  readonly principal: string;
  readonly poolName: string;
  readonly groups: readonly string[];
  /** attribute.<name> values, by name. */
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly scopes: readonly string[];
  readonly iat: number;
  readonly exp: number;
}

/** Does `member` name this federated token's identity? */
export function memberMatches(member: string, token: Pick<FederatedToken, "principal" | "poolName" | "groups" | "attributes">): boolean {
  if (member === token.principal) return true;
  const set = `principalSet://${IAM_HOST}/${token.poolName}/`;
  if (!member.startsWith(set)) return false;
  const rest = member.slice(set.length);
  if (rest === "*") return true;
  if (rest.startsWith("group/")) return token.groups.includes(rest.slice("group/".length));
  const attribute = /^attribute\.([^/]+)\/(.*)$/.exec(rest);
  if (!attribute) return false;
  const value = token.attributes[attribute[1]!];
  return Array.isArray(value) ? value.map(String).includes(attribute[2]!) : value !== undefined && String(value) === attribute[2];
}
