/**
 * The plan as Google holds it, for the GCP emulator: workload identity pools and providers, service
 * accounts and IAM bindings (on service accounts, projects and the single resources of
 * gcp.resourceRoles), and who a member names.
 */
import { type GcpResource, parseGcpResource } from "../../../components/internal/gcpResource";
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

/**
 * One IAM binding of the plan: `role` for `members` on a service account, a project, or another
 * single resource (by its full resource name, `//storage.googleapis.com/projects/_/buckets/<b>`).
 */
export interface Binding {
  readonly on: { readonly serviceAccount: string } | { readonly project: string } | { readonly resource: string };
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

/** `<collection>/<id>` under a project, or the id when the provider was given it in full (`projects/<p>/…`). */
function underProject(service: string, project: unknown, collection: string, id: unknown): string {
  const text = String(id);
  return text.startsWith("projects/") ? `//${service}/${text}` : `//${service}/projects/${String(project)}/${collection}/${text}`;
}

/**
 * The provider's IAM resources on single resources (the kinds of gcp.resourceRoles, service accounts
 * aside: those are read with the other service account bindings), by type token prefix, each with
 * the full resource name (cloud.google.com/iam/docs/full-resource-names) of what it grants on; the
 * rest of the token, `Member:…`, `Binding:…` or `Policy:…`, says how it names its members.
 */
const RESOURCE_IAM_TYPES: ReadonlyArray<readonly [string, (r: PlanResource) => string]> = [
  ["gcp:storage/bucketIAM", (r) => `//storage.googleapis.com/projects/_/buckets/${String(r.inputs.bucket).replace(/^b\//, "")}`],
  ["gcp:pubsub/topicIAM", (r) => underProject("pubsub.googleapis.com", r.inputs.project, "topics", r.inputs.topic)],
  ["gcp:pubsub/subscriptionIAM", (r) => underProject("pubsub.googleapis.com", r.inputs.project, "subscriptions", r.inputs.subscription)],
  ["gcp:secretmanager/secretIam", (r) => underProject("secretmanager.googleapis.com", r.inputs.project, "secrets", r.inputs.secretId)],
  ["gcp:bigquery/datasetIam", (r) => underProject("bigquery.googleapis.com", r.inputs.project, "datasets", r.inputs.datasetId)],
  [
    "gcp:artifactregistry/repositoryIam",
    (r) => underProject("artifactregistry.googleapis.com", r.inputs.project, `locations/${String(r.inputs.location)}/repositories`, r.inputs.repository),
  ],
];

/** A resource IAM resource's full resource name and how it names members, or undefined for another type. */
function resourceIamOf(r: PlanResource): { readonly name: string; readonly shape: "Member" | "Binding" | "Policy" } | undefined {
  for (const [prefix, name] of RESOURCE_IAM_TYPES) {
    if (!r.type.startsWith(prefix)) continue;
    const shape = /^(Member|Binding|Policy):/.exec(r.type.slice(prefix.length))?.[1] as "Member" | "Binding" | "Policy" | undefined;
    return shape ? { name: name(r), shape } : undefined;
  }
  return undefined;
}

/** The full resource name of a service account: `//iam.googleapis.com/projects/<p>/serviceAccounts/<email>`. */
export function serviceAccountResource(email: string): string {
  const project = /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1] ?? "-";
  return `//${IAM_HOST}/projects/${project}/serviceAccounts/${email.toLowerCase()}`;
}

/** The full resource name a binding is on, or the project it is on. */
export function bindingTarget(b: Binding): { readonly resource: string } | { readonly project: string } {
  if ("serviceAccount" in b.on) return { resource: serviceAccountResource(b.on.serviceAccount) };
  return b.on;
}

/** A role on a single resource granted to `member` in the plan (gcp.resourceRoles, as the plan holds them). */
export interface ResourceGrant {
  /** Its full resource name. */
  readonly name: string;
  readonly resource: GcpResource;
  readonly role: string;
}

/**
 * The roles on single resources the plan grants exactly `member` (a principal, or
 * `serviceAccount:<email>`): the resource kinds of gcp.resourceRoles, service accounts included,
 * `ownAccount`'s bindings aside (the service's own impersonation grant is its trust, not a resource grant).
 */
export function resourceGrantsOf(plan: PlanDocument, member: string, ownAccount?: string): ResourceGrant[] {
  const grants: ResourceGrant[] = [];
  for (const r of plan.resources) {
    if (String(r.inputs.member) !== member) continue;
    const iam = resourceIamOf(r);
    let name = iam?.shape === "Member" ? iam.name : undefined;
    if (r.type === "gcp:serviceaccount/iAMMember:IAMMember") {
      const email = serviceAccountEmail(String(r.inputs.serviceAccountId));
      if (email === ownAccount?.toLowerCase()) continue;
      name = serviceAccountResource(email);
    }
    if (!name) continue;
    const parsed = parseGcpResource(name);
    if (parsed.ok) grants.push({ name, resource: parsed.resource, role: String(r.inputs.role) });
  }
  return grants.sort((a, b) => a.name.localeCompare(b.name) || a.role.localeCompare(b.role));
}

/**
 * Another resource of the grant's kind, which the plan grants nothing on: the grant's id with
 * `-sandbox-other` (`_sandbox_other` for a dataset), a service account `sandbox-other@` its project;
 * undefined when that is no valid name (an id at its length limit).
 */
export function otherResourceOf(grant: ResourceGrant): ResourceGrant | undefined {
  const kind = grant.resource.kind;
  const name = kind === "service-account" ? grant.name.replace(/serviceAccounts\/[^/@]+@/, "serviceAccounts/sandbox-other@") : `${grant.name}${kind === "dataset" ? "_sandbox_other" : "-sandbox-other"}`;
  const parsed = parseGcpResource(name);
  return parsed.ok ? { ...grant, name, resource: parsed.resource } : undefined;
}

export function bindingsOf(plan: PlanDocument): Binding[] {
  const bindings: Binding[] = [];
  const scopes = [
    { prefix: "gcp:serviceaccount/", on: (r: PlanResource) => ({ serviceAccount: serviceAccountEmail(String(r.inputs.serviceAccountId)) }) },
    { prefix: "gcp:projects/", on: (r: PlanResource) => ({ project: String(r.inputs.project) }) },
  ];
  for (const r of plan.resources) {
    const onResource = resourceIamOf(r);
    if (onResource) {
      const on = { resource: onResource.name };
      if (onResource.shape === "Policy") {
        for (const b of policyBindings(r.inputs.policyData)) bindings.push({ on, role: b.role, members: b.members, conditional: b.condition != null });
      } else {
        const members = onResource.shape === "Member" ? [String(r.inputs.member)] : ((r.inputs.members ?? []) as string[]);
        bindings.push({ on, role: String(r.inputs.role), members, conditional: r.inputs.condition != null });
      }
      continue;
    }
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

/** Who calls a Google API: a federated token's identity, or a service account (an access token generateAccessToken minted). */
export type Caller = { readonly federated: FederatedToken } | { readonly serviceAccount: string };

/** Does `member` name the caller? */
export function callerMatches(member: string, caller: Caller): boolean {
  return "federated" in caller ? memberMatches(member, caller.federated) : member.toLowerCase() === `serviceaccount:${caller.serviceAccount}`;
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
