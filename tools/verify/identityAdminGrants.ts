/**
 * The identity-admin grants of a plan: every grant that lets a service change identities,
 * credentials or trust, with the other services' targets it reaches and whether it was accepted.
 */
import {
  ACCEPTED_IDENTITY_ADMIN_OUTPUT,
  awsIdentityAdminPolicy,
  azureIdentityAdminRole,
  azureScopeContains,
  gcpIdentityAdminRole,
  gcpResourceIdentityAdminRole,
} from "../../components/internal/identityAdmin";
import { gcpResourceText } from "../../components/internal/gcpResource";
import { DEFAULT_AWS_REACH } from "../../components/internal/awsIdentityAdmin";
import { ROLE_POLICY, ROLE_POLICY_ATTACHMENT, inlineGrant, inlineIdentityAdmin, inlinePolicyName } from "./awsInline";
import type { IdentityAdminGrant, PlanDocument, PlanResource, TargetModel } from "./modelTypes";
import { componentOf, get } from "./planLookup";
import { GCP_RESOURCE_MEMBER_TYPES, gcpResourceOf, ownImpersonation } from "./gcpResourceMembers";

/**
 * Every grant in the plan that lets a service change identities, credentials or trust (the
 * predicates of components/internal/identityAdmin.ts), with the other services' targets it reaches
 * and whether it was accepted with the opt-in (listed by its component, as the policy pack reads it).
 */
export function adminGrants(
  plan: PlanDocument,
  byUrn: ReadonlyMap<string, PlanResource>,
  ownerOf: (resource: PlanResource, suffix: string) => string,
  targets: readonly TargetModel[],
  foreign: readonly TargetModel[] = [],
): IdentityAdminGrant[] {
  const found: IdentityAdminGrant[] = [];
  const foreignSet = new Set(foreign);
  const impersonation = ownImpersonation(plan, ownerOf);
  const accepted = (grant: PlanResource) => {
    const list = (componentOf(byUrn, grant)?.outputs?.[ACCEPTED_IDENTITY_ADMIN_OUTPUT] as string[] | undefined) ?? [];
    return list.includes(grant.name);
  };
  // The reach: other services' targets of this stack, and (org.ts) of the other stacks given, by one predicate.
  const others = (owner: string, where: (t: TargetModel) => boolean) => ({
    reach: targets.filter((t) => t.owner !== owner && where(t)).map((t) => t.id).sort(),
    ...(foreign.length ? { crossStackReach: foreign.filter(where).map((t) => t.id).sort() } : {}),
  });
  // The workload identity pools of each project (a team stack's plan holds its platform's pool, layout.ts):
  // whoever administers a project's pools can add a provider that maps any subject, so every principal of them.
  const poolsOf = new Map<string, string[]>();
  for (const pool of plan.resources.filter((p) => p.type === "gcp:iam/workloadIdentityPool:WorkloadIdentityPool")) {
    const project = `gcp:${String(get(pool, "project"))}`;
    poolsOf.set(project, [...(poolsOf.get(project) ?? []), String(get(pool, "name"))]);
  }
  const inPools = (t: TargetModel, pools: readonly string[]) => pools.length > 0 && (t.gcp?.members ?? []).some((m) => pools.some((p) => m.includes(`iam.googleapis.com/${p}/`)));
  // A grant belongs to the service whose identity holds it (the target listing it), whichever
  // component, or program code outside the components, registered it.
  const holder = new Map<string, TargetModel>();
  for (const t of targets) for (const g of t.grants) holder.set(g.name, t);
  const ownerOfGrant = (r: PlanResource, suffix: string) => holder.get(r.name)?.owner ?? ownerOf(r, suffix);
  for (const r of plan.resources) {
    if (r.type === ROLE_POLICY_ATTACHMENT || r.type === ROLE_POLICY) {
      // Judged against the reach of the role holding it (its grant), the default reach for a role outside the plan.
      const grant = holder.get(r.name)?.grants.find((g) => g.name === r.name);
      const why = r.type === ROLE_POLICY ? inlineIdentityAdmin(grant ?? inlineGrant(r, "", DEFAULT_AWS_REACH)) : awsIdentityAdminPolicy(get(r, "policyArn"), grant?.awsReach);
      if (!why) continue;
      const owner = ownerOfGrant(r, "-aws");
      const account = holder.get(r.name)?.location ?? targets.find((t) => t.id === `aws-role:${owner}`)?.location;
      const text = r.type === ROLE_POLICY ? `AWS inline policy ${inlinePolicyName(r)}` : `AWS policy ${String(get(r, "policyArn"))}`;
      found.push({ service: owner, resource: r.name, grant: text, why, accepted: accepted(r), ...others(owner, (t) => t.kind === "aws-role" && t.location === account) });
    } else if (r.type === "gcp:projects/iAMMember:IAMMember") {
      const admin = gcpIdentityAdminRole(get(r, "role"));
      if (!admin) continue;
      const owner = ownerOfGrant(r, "-gcp");
      const project = `gcp:${String(get(r, "project"))}`;
      const pools = admin.reach === "project" ? (poolsOf.get(project) ?? []) : [];
      const reach = others(owner, (t) => (t.location === project && (t.kind === "gcp-service-account" || admin.reach === "project")) || inPools(t, pools));
      found.push({
        service: owner,
        resource: r.name,
        grant: `GCP role ${String(get(r, "role"))} on project ${String(get(r, "project"))}`,
        why: admin.why,
        accepted: accepted(r),
        ...reach,
        ...(foreign.length && pools.length ? { administeredPools: [...pools].sort() } : {}),
      });
    } else if (GCP_RESOURCE_MEMBER_TYPES[r.type] && gcpResourceOf(r) && !impersonation.has(r.urn)) {
      const resource = gcpResourceOf(r)!;
      const admin = gcpResourceIdentityAdminRole(get(r, "role"), resource);
      if (!admin || resource.kind !== "service-account") continue;
      const owner = ownerOfGrant(r, "-gcp");
      // The kit's service account the resource names: by its email as deployed, or as derived from its account id and project.
      const named = plan.resources
        .filter((a) => a.type === "gcp:serviceaccount/account:Account")
        .filter((a) => get(a, "email") === resource.email || `${String(get(a, "accountId"))}@${String(get(a, "project"))}.iam.gserviceaccount.com` === resource.email)
        .map((a) => `gcp-sa:${ownerOf(a, "-gcp")}`);
      // Another stack's service account: by the email its target names.
      const reach = others(owner, (t) => named.includes(t.id) || (foreignSet.has(t) && t.kind === "gcp-service-account" && t.label === `GCP service account ${resource.email}`));
      found.push({ service: owner, resource: r.name, grant: `GCP role ${String(get(r, "role"))} on ${gcpResourceText(resource)}`, why: admin.why, accepted: accepted(r), ...reach });
    } else if (r.type === "azure-native:authorization:RoleAssignment") {
      const admin = azureIdentityAdminRole(get(r, "roleDefinitionId"));
      if (!admin) continue;
      const owner = ownerOfGrant(r, "-azure");
      const scope = String(get(r, "scope"));
      // An Azure role is an identity-admin grant only at a scope that holds a managed identity (its own included).
      const holds = (t: TargetModel) => t.kind === "azure-identity" && azureScopeContains(scope, t.location.replace(/^azure:/, ""));
      if (!targets.some(holds)) continue;
      found.push({ service: owner, resource: r.name, grant: `Azure role ${admin.name} at ${scope}`, why: admin.why, accepted: accepted(r), ...others(owner, holds) });
    }
  }
  return found.sort((a, b) => a.service.localeCompare(b.service) || a.resource.localeCompare(b.resource));
}
