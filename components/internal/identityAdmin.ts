/**
 * Grants that let their holder change identities, credentials or trust: with one, a service could
 * take over other services' identities (rewrite a role's trust policy, mint tokens as a service
 * account, add a federated credential to a managed identity). Stated once, per cloud; config
 * validation, the components, the policy pack and verify all decide with these predicates. GCP
 * predefined roles are decided by their permissions and Azure built-in roles by their actions, both
 * from the vendored role data (roleData.ts); AWS managed policies and inline policies by their
 * statements (awsIdentityAdmin.ts).
 * An identity-admin grant is refused unless it carries the explicit opt-in `allowIdentityAdmin: true`.
 * No Pulumi here.
 */
import { type AzureIdentityOperation, azureRoleGuid, azureRoleIdentityOperations, azureRoleName } from "./azureRoles";
import { ROLE_DATA, awsManagedIdentityStatements, gcpRolePermissions, isGcpPredefinedRole } from "./roleData";
import { azureScopeKey } from "./azureScope";
import type { GcpResource } from "./gcpResource";
import { DEFAULT_AWS_REACH, awsIdentityFindings, identityAdminWhy, unjudgedWhy, type AwsIdentityReach, type JudgedStatement } from "./awsIdentityAdmin";
import type { InlineStatement } from "./awsPolicy";

/** What a GCP identity-admin role reaches: every service account of the project, or the whole project (its IAM policy, custom roles, the pool). */
export type GcpAdminReach = "service-accounts" | "project";

/**
 * GCP permissions that, in a role granted on a project, let the holder act as or take over
 * identities there, in the order a verdict names them (the project-wide ones first), with their
 * reach and effect. A predefined role holding any of them (by the vendored data set of roles and
 * their permissions, roleData.ts) is identity-admin. Pool and provider permissions are matched under both spellings, `iam.…` and
 * `iam.googleapis.com/…` (the data set's). Sources:
 * - cloud.google.com/iam/docs/service-account-permissions (roles for service account
 *   authentication: getAccessToken, getOpenIdToken, signBlob, signJwt and implicitDelegation create
 *   short-lived credentials; actAs attaches a service account to a resource; keys are long-lived
 *   credentials; a service account's IAM policy decides who may do all of this);
 * - cloud.google.com/iam/docs/service-accounts-actas and the "Avoid privilege escalation" advice of
 *   cloud.google.com/iam/docs/best-practices-service-accounts (a principal that can act as, sign as
 *   or create keys for a service account holds that account's access);
 * - cloud.google.com/iam/docs/creating-custom-roles (iam.roles.create / iam.roles.update write a
 *   custom role's permissions, so a role already granted can gain any permission);
 * - cloud.google.com/iam/docs/manage-workload-identity-pools-providers (the pool's providers decide
 *   which external tokens may act in the project: their issuer and attribute condition).
 */
export const GCP_IDENTITY_ADMIN_PERMISSIONS: readonly { readonly permission: string; readonly reach: GcpAdminReach; readonly effect: string }[] = [
  { permission: "resourcemanager.projects.setIamPolicy", reach: "project", effect: "sets the project's IAM policy, granting any role to anyone, itself included" },
  { permission: "iam.roles.update", reach: "project", effect: "rewrites the project's custom roles, adding any permission to roles already granted" },
  { permission: "iam.roles.create", reach: "project", effect: "creates custom roles with any permission in the project" },
  { permission: "iam.workloadIdentityPoolProviders.update", reach: "project", effect: "rewrites the workload identity pool's providers, their issuer and attribute condition" },
  { permission: "iam.workloadIdentityPoolProviders.create", reach: "project", effect: "adds providers to the workload identity pool, trusting any issuer" },
  { permission: "iam.workloadIdentityPoolProviders.delete", reach: "project", effect: "deletes the workload identity pool's providers (and can undelete them as they were)" },
  { permission: "iam.workloadIdentityPools.update", reach: "project", effect: "rewrites the project's workload identity pools" },
  { permission: "iam.serviceAccounts.setIamPolicy", reach: "service-accounts", effect: "sets the IAM policy of every service account in the project, granting itself their use" },
  { permission: "iam.serviceAccountKeys.create", reach: "service-accounts", effect: "creates keys for every service account in the project" },
  { permission: "iam.serviceAccounts.getAccessToken", reach: "service-accounts", effect: "mints access tokens as every service account in the project" },
  { permission: "iam.serviceAccounts.getOpenIdToken", reach: "service-accounts", effect: "mints ID tokens as every service account in the project" },
  { permission: "iam.serviceAccounts.signJwt", reach: "service-accounts", effect: "signs JWTs as every service account in the project" },
  { permission: "iam.serviceAccounts.signBlob", reach: "service-accounts", effect: "signs blobs as every service account in the project" },
  { permission: "iam.serviceAccounts.implicitDelegation", reach: "service-accounts", effect: "mints credentials through every service account in the project as a delegate" },
  { permission: "iam.serviceAccounts.actAs", reach: "service-accounts", effect: "attaches every service account of the project to resources it runs code on" },
];

/**
 * What an Azure identity operation lets the holder of a role do at its scope
 * (learn.microsoft.com/azure/role-based-access-control/built-in-roles; managed identities:
 * learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-manage-user-assigned-managed-identities
 * and …/workload-identity-federation-create-trust-user-assigned-managed-identity).
 */
const AZURE_OPERATION_EFFECTS: Readonly<Record<AzureIdentityOperation, string>> = {
  "Microsoft.Authorization/roleAssignments/write": "assigns any role in its scope, to itself too",
  "Microsoft.Authorization/roleDefinitions/write": "rewrites the custom roles assignable in its scope, adding any action to roles already assigned",
  "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write": "writes federated credentials on every managed identity in its scope",
  "Microsoft.ManagedIdentity/userAssignedIdentities/write": "writes the managed identities in its scope",
  "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action": "assigns the managed identities in its scope to resources it runs code on",
};

/**
 * Why an AWS managed policy is an identity-admin grant for the stack, or undefined: its latest
 * document (reduced by `npm run data:refresh`) judged by awsIdentityFindings, the same simulation
 * as inline policies. Customer managed policies and ARNs missing from the data are not judged here
 * (unjudgedGrant).
 */
export function awsIdentityAdminPolicy(policyArn: unknown, reach: AwsIdentityReach = DEFAULT_AWS_REACH): string | undefined {
  const statements = typeof policyArn === "string" ? awsManagedIdentityStatements(policyArn) : undefined;
  if (statements === undefined) return undefined;
  // A managed policy's verdict depends only on its (vendored) document and the reach, which is the
  // same for every service of a stack: judged once per policy and reach, not once per grant.
  const key = `${reach.rolePath}\u0000${reach.attachedPolicyArns.join("\u0000")}\u0000\u0000${policyArn as string}`;
  if (MANAGED_POLICY_VERDICTS.has(key)) return MANAGED_POLICY_VERDICTS.get(key);
  const why = identityAdminWhy(awsIdentityFindings(statements, reach));
  MANAGED_POLICY_VERDICTS.set(key, why);
  return why;
}

/** awsIdentityAdminPolicy by reach and policy ARN (a managed policy's document is fixed data). */
const MANAGED_POLICY_VERDICTS = new Map<string, string | undefined>();

/**
 * The statements of an inline policy as the judge reads them: config's statements (a statement with
 * conditions is conditional), or a deployed document's as policyDocumentStatements read them (as they are).
 */
export function inlineJudgedStatements(statements: readonly (InlineStatement | JudgedStatement)[]): JudgedStatement[] {
  return statements.map((s) =>
    "conditional" in s ? s : { effect: s.effect, actions: s.actions, resources: s.resources, conditional: Object.keys(s.conditions ?? {}).length > 0 },
  );
}

/** Why an inline policy is an identity-admin grant for the stack (naming the statement), or undefined. */
export function awsIdentityAdminInline(statements: readonly (InlineStatement | JudgedStatement)[], reach: AwsIdentityReach = DEFAULT_AWS_REACH): string | undefined {
  const finding = awsIdentityFindings(inlineJudgedStatements(statements), reach).find((f) => f.verdict === "identity-admin");
  return finding && `statement ${finding.statement + 1} ${finding.why}`;
}

/**
 * The reach and reason of a GCP identity-admin role, or undefined: a predefined role of the data set
 * holding one of GCP_IDENTITY_ADMIN_PERMISSIONS (the first in that list decides the reason, and the
 * widest reach of those it holds the reach). Custom roles and roles missing from the data set are
 * not judged here (unjudgedGrant).
 */
export function gcpIdentityAdminRole(role: unknown): { readonly reach: GcpAdminReach; readonly why: string } | undefined {
  if (typeof role !== "string") return undefined;
  const held = heldPermissions(role);
  const decisive = GCP_IDENTITY_ADMIN_PERMISSIONS.find((p) => held.has(p.permission));
  return decisive ? { reach: decisive.reach, why: `holds ${held.get(decisive.permission)!} (${decisive.effect})` } : undefined;
}

/**
 * A predefined role's permissions, by their short name, each to its spelling in the data set. Newer
 * permissions are spelt with their service's name (`iam.googleapis.com/workloadIdentityPoolProviders.update`):
 * matched under the short name, named as the data set spells them. Built once per role (a role can
 * hold thousands of permissions, and a stack grants the same roles to many services).
 */
function heldPermissions(role: string): ReadonlyMap<string, string> {
  let held = HELD_PERMISSIONS.get(role);
  if (held === undefined) {
    held = new Map((gcpRolePermissions(role) ?? []).map((p) => [p.replace(/^iam\.googleapis\.com\//, "iam."), p]));
    HELD_PERMISSIONS.set(role, held);
  }
  return held;
}

const HELD_PERMISSIONS = new Map<string, ReadonlyMap<string, string>>();

/**
 * The name and reason of an Azure identity-admin role (by name, GUID or role definition id), or
 * undefined: a built-in role of the data set whose actions, less its notActions, allow one of
 * AZURE_IDENTITY_OPERATIONS (the first decides the reason, naming the action that allows it).
 * Role GUIDs that are not built in are not judged here (unjudgedGrant).
 */
export function azureIdentityAdminRole(role: unknown): { readonly name: string; readonly why: string } | undefined {
  if (typeof role !== "string") return undefined;
  const name = azureRoleName(role);
  const decisive = name === undefined ? undefined : azureRoleIdentityOperations(role)[0];
  if (name === undefined || decisive === undefined) return undefined;
  const by = decisive.action === decisive.operation ? "" : ` by its action ${decisive.action}`;
  return { name, why: `holds ${decisive.operation}${by} (${AZURE_OPERATION_EFFECTS[decisive.operation]})` };
}

/**
 * Does an Azure scope contain a resource? Resource ids are case-insensitive; a scope contains the
 * resources under its path (a subscription, a resource group, the resource itself).
 */
export function azureScopeContains(scope: string, resourceId: string): boolean {
  // Both in canonical form (azureScope.ts): `//`, `/./`, `%2D` or a trailing slash must not hide a resource from its scope.
  const s = azureScopeKey(scope);
  const r = azureScopeKey(resourceId);
  return r === s || r.startsWith(s === "/" ? "/" : `${s}/`);
}

/** The opt-in that allows one identity-admin grant, as it is written in config. */
export const IDENTITY_ADMIN_OPT_IN = "allowIdentityAdmin: true";

/**
 * The component output that lists the grants accepted with the opt-in, by the grant resource's
 * logical name. verify and the policy pack read it from the grant's parent component.
 */
export const ACCEPTED_IDENTITY_ADMIN_OUTPUT = "acceptedIdentityAdmin";

/**
 * What a per-service component (ServiceApp, ServiceRole, ServiceAccess, ServiceIdentity) registers
 * as its outputs: the accepted identity-admin grants, which exist nowhere else in state, and
 * nothing that copies a child's outputs (client id, role ARN, principal, identity ids: each is in
 * state under its own resource and in the stack outputs). Copies would double those values in
 * every checkpoint and cost about 2.5 % of a 500-service plan (docs/benchmarks.md); the call itself
 * is what marks the component complete, so it is always made.
 */
export function serviceComponentOutputs(accepted: readonly string[]): Record<string, readonly string[]> {
  return accepted.length ? { [ACCEPTED_IDENTITY_ADMIN_OUTPUT]: accepted } : {};
}

/** A grant as the kit judges it: the cloud, and the policy ARN, GCP role or Azure role (name, GUID or definition id). */
export interface JudgedGrant {
  readonly cloud: "aws" | "gcp" | "azure";
  readonly role: string;
  /** AWS inline policy statements, from config or read from a document (role then names the policy). */
  readonly inline?: readonly (InlineStatement | JudgedStatement)[];
  /** The stack's AWS roles and attached policies, which an AWS grant is judged against. */
  readonly awsReach?: AwsIdentityReach;
}

/**
 * Why the kit cannot judge whether a grant lets its holder take over identities, or undefined when
 * it can. It judges every AWS managed policy of its data set and every inline policy by their
 * statements (awsIdentityFindings), every GCP predefined role and every Azure built-in role of its
 * data sets (by their permissions and actions: gcpIdentityAdminRole, azureIdentityAdminRole). It
 * cannot judge what it cannot see: a customer-managed AWS policy, an AWS managed policy newer than
 * its data set, a statement that passes or assumes roles or rewrites roles outside the stack's path
 * (their trust and permissions are not in the stack), a custom GCP role, a `roles/…` role or Azure
 * role GUID newer than its data sets. The review lists every such grant as "unjudged".
 */
export function unjudgedGrant(grant: JudgedGrant): string | undefined {
  switch (grant.cloud) {
    case "aws": {
      if (grant.inline) return unjudgedWhy(awsIdentityFindings(inlineJudgedStatements(grant.inline), grant.awsReach ?? DEFAULT_AWS_REACH));
      const statements = awsManagedIdentityStatements(grant.role);
      if (statements !== undefined) return unjudgedWhy(awsIdentityFindings(statements, grant.awsReach ?? DEFAULT_AWS_REACH));
      if (/^arn:aws:iam::aws:policy\//.test(grant.role)) {
        return `${grant.role} is not an AWS managed policy of the kit's list of ${ROLE_DATA.aws.date} (a newer policy, or a misspelt one): the kit cannot tell what it allows (rewriting trust policies included)`;
      }
      return "a customer-managed policy: its document is not in the stack, so the kit cannot tell what it allows (rewriting trust policies or passing roles included)";
    }
    case "gcp": {
      if (!grant.role.startsWith("roles/")) return "a custom role: its permissions are defined outside the stack, so the kit cannot tell what it allows (minting tokens or setting IAM policies included)";
      if (!isGcpPredefinedRole(grant.role)) {
        return `${grant.role} is not a GCP predefined role of the kit's list of ${ROLE_DATA.gcp.date} (a newer role, or a misspelt one): the kit cannot tell what it allows (minting tokens or setting IAM policies included)`;
      }
      return undefined;
    }
    case "azure": {
      if (azureRoleName(grant.role) === undefined) {
        return `role definition ${azureRoleGuid(grant.role)} is not an Azure built-in role (a custom role, or one newer than the kit's list of ${ROLE_DATA.azure.date}): the kit cannot tell what it allows (writing federated credentials or role assignments included)`;
      }
      return undefined;
    }
  }
}

/**
 * The reason a GCP role granted on one resource lets its holder act as an identity, or undefined.
 * Only a service account is an identity among the supported resource kinds (gcpResource.ts): a role
 * on it holding one of the service-account permissions of GCP_IDENTITY_ADMIN_PERMISSIONS (token
 * creation, signing, keys, actAs, its IAM policy) takes over that service account. A role on a
 * bucket, topic, subscription, secret, dataset or repository reaches only that resource's data.
 */
export function gcpResourceIdentityAdminRole(role: unknown, resource: GcpResource): { readonly why: string } | undefined {
  if (typeof role !== "string" || resource.kind !== "service-account") return undefined;
  const held = heldPermissions(role);
  const decisive = GCP_IDENTITY_ADMIN_PERMISSIONS.find((p) => p.reach === "service-accounts" && held.has(p.permission));
  return decisive ? { why: `holds ${held.get(decisive.permission)!} (its holder can act as that service account)` } : undefined;
}
