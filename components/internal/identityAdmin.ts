/**
 * Grants that let their holder change identities, credentials or trust: with one, a service could
 * take over other services' identities (rewrite a role's trust policy, mint tokens as a service
 * account, add a federated credential to a managed identity). Stated once, per cloud; config
 * validation, the components, the policy pack and verify all decide with these predicates.
 * A grant on the list is refused unless it carries the explicit opt-in `allowIdentityAdmin: true`.
 * No Pulumi here.
 */
import { AZURE_BUILTIN_ROLES, azureRoleGuid, azureRoleIdentityOperations, azureRoleName } from "./azureRoles";
import { ROLE_DATA } from "./roleData";
import { azureScopeKey } from "./azureScope";

/**
 * AWS managed policies that can change any role of the account (trust policy, attached policies)
 * or the OIDC provider. Customer managed policies are not visible offline and are not judged.
 */
export const AWS_IDENTITY_ADMIN_POLICIES: Readonly<Record<string, string>> = {
  AdministratorAccess: "allows every action, including iam:UpdateAssumeRolePolicy on every role of the account",
  IAMFullAccess: "allows iam:*, including rewriting any role's trust policy and the account's OIDC providers",
  // AWS managed policy reference: "Grants account administrative permissions"; it includes
  // iam:AttachRolePolicy, iam:PutRolePolicy and iam:CreateRole.
  "AdministratorAccess-Amplify": "grants account administrative permissions, including attaching policies to roles",
};

/** What a GCP identity-admin role reaches: every service account of the project, or the whole project (its IAM policy, the pool). */
export type GcpAdminReach = "service-accounts" | "project";

/**
 * GCP roles that, granted on a project, let the holder act as or take over identities in it
 * (cloud.google.com/iam/docs/service-account-permissions; basic and IAM admin roles).
 */
export const GCP_IDENTITY_ADMIN_ROLES: Readonly<Record<string, { readonly reach: GcpAdminReach; readonly why: string }>> = {
  "roles/owner": { reach: "project", why: "changes the project's IAM policy and every identity in it" },
  "roles/editor": { reach: "project", why: "changes most resources of the project, the workload identity pool and service accounts included" },
  "roles/iam.securityAdmin": { reach: "project", why: "sets the project's IAM policy" },
  "roles/resourcemanager.projectIamAdmin": { reach: "project", why: "sets the project's IAM policy" },
  "roles/iam.workloadIdentityPoolAdmin": { reach: "project", why: "rewrites the pool's providers, their issuer and attribute condition" },
  "roles/iam.serviceAccountAdmin": { reach: "service-accounts", why: "sets the IAM policy of every service account in the project" },
  "roles/iam.serviceAccountKeyAdmin": { reach: "service-accounts", why: "creates keys for every service account in the project" },
  "roles/iam.serviceAccountTokenCreator": { reach: "service-accounts", why: "mints access and ID tokens as every service account in the project" },
  "roles/iam.serviceAccountOpenIdTokenCreator": { reach: "service-accounts", why: "mints ID tokens as every service account in the project" },
  "roles/iam.serviceAccountUser": { reach: "service-accounts", why: "attaches every service account of the project to resources it runs code on" },
  "roles/iam.workloadIdentityUser": { reach: "service-accounts", why: "impersonates every service account in the project" },
};

/**
 * Azure built-in roles that, at a scope containing a managed identity, let the holder write its
 * federated credentials, assign it to a resource it controls, or grant itself such a role
 * (learn.microsoft.com/azure/role-based-access-control/built-in-roles: Contributor's `*` actions
 * include Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write).
 */
export const AZURE_IDENTITY_ADMIN_ROLES: Readonly<Record<string, string>> = {
  Owner: "manages every resource and role assignment in its scope",
  Contributor: "writes federated credentials on every managed identity in its scope",
  "User Access Administrator": "assigns any role in its scope, to itself too",
  "Role Based Access Control Administrator": "assigns roles in its scope, to itself too",
  "Managed Identity Contributor": "writes the managed identities in its scope and their federated credentials",
  "Managed Identity Operator": "assigns the managed identities in its scope to resources it runs code on",
};

const AZURE_ADMIN_GUIDS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.keys(AZURE_IDENTITY_ADMIN_ROLES).map((name) => [AZURE_BUILTIN_ROLES[name]!, name]),
);

/** Why an AWS managed policy is an identity-admin grant, or undefined. Only AWS managed policies (`…:iam::aws:policy/…`) are judged. */
export function awsIdentityAdminPolicy(policyArn: unknown): string | undefined {
  const match = typeof policyArn === "string" ? /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(policyArn) : null;
  return match ? AWS_IDENTITY_ADMIN_POLICIES[match[1]!] : undefined;
}

/** The reach and reason of a GCP identity-admin role, or undefined. */
export function gcpIdentityAdminRole(role: unknown): { readonly reach: GcpAdminReach; readonly why: string } | undefined {
  return typeof role === "string" && Object.hasOwn(GCP_IDENTITY_ADMIN_ROLES, role) ? GCP_IDENTITY_ADMIN_ROLES[role] : undefined;
}

/** The name and reason of an Azure identity-admin role (by name, GUID or role definition id), or undefined. */
export function azureIdentityAdminRole(role: unknown): { readonly name: string; readonly why: string } | undefined {
  if (typeof role !== "string") return undefined;
  const name = AZURE_ADMIN_GUIDS[azureRoleGuid(role)];
  return name ? { name, why: AZURE_IDENTITY_ADMIN_ROLES[name]! } : undefined;
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

/** A grant as the kit judges it: the cloud, and the policy ARN, GCP role or Azure role (name, GUID or definition id). */
export interface JudgedGrant {
  readonly cloud: "aws" | "gcp" | "azure";
  readonly role: string;
}

/**
 * Why the kit cannot judge whether a grant lets its holder take over identities, or undefined when
 * it can (a grant on its identity-admin or broad lists, or one of another service than identity).
 * It cannot judge what it cannot see (a customer-managed AWS policy, a custom GCP role, an Azure
 * role GUID that is not a built-in role) nor a grant of an identity service that is not on its
 * lists (an AWS managed policy for IAM, STS, Organizations or IAM Identity Center; a GCP role of
 * IAM, IAM Credentials or Resource Manager; an Azure built-in role whose actions reach identities
 * or role assignments, by the vendored list of built-in roles' actions). The review lists every such grant as "unjudged".
 */
export function unjudgedGrant(grant: JudgedGrant): string | undefined {
  switch (grant.cloud) {
    case "aws": {
      if (awsIdentityAdminPolicy(grant.role)) return undefined;
      const managed = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(grant.role)?.[1];
      if (managed === undefined) return "a customer-managed policy: its document is not in the stack, so the kit cannot tell what it allows (rewriting trust policies or passing roles included)";
      if (/IAM|STS|Organizations|SSO|IdentityCenter/i.test(managed) && !/ReadOnly/i.test(managed)) {
        return `an AWS managed policy of an identity service (${managed}) the kit has no permission list for: it may change roles, their trust or their policies`;
      }
      return undefined;
    }
    case "gcp": {
      if (gcpIdentityAdminRole(grant.role)) return undefined;
      if (!grant.role.startsWith("roles/")) return "a custom role: its permissions are defined outside the stack, so the kit cannot tell what it allows (minting tokens or setting IAM policies included)";
      if (/^roles\/(iam|iamcredentials|resourcemanager)\./.test(grant.role) && !/viewer$|browser$/i.test(grant.role)) {
        return `a role of an identity service (${grant.role}) the kit has no permission list for: it may change service accounts, roles, pools or IAM policies`;
      }
      return undefined;
    }
    case "azure": {
      if (azureIdentityAdminRole(grant.role)) return undefined;
      const name = azureRoleName(grant.role);
      if (name === undefined) {
        return `role definition ${azureRoleGuid(grant.role)} is not an Azure built-in role (a custom role, or one newer than the kit's list of ${ROLE_DATA.azure.date}): the kit cannot tell what it allows (writing federated credentials or role assignments included)`;
      }
      // A built-in role off the identity-admin list whose actions still reach identities or role assignments.
      const operations = azureRoleIdentityOperations(grant.role);
      if (operations.length > 0) return `built-in role ${name} allows ${operations.join(", ")}, and the kit has no verdict for it: it may change identities, their federated credentials or role assignments`;
      return undefined;
    }
  }
}
