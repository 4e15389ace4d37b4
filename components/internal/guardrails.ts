/**
 * Guardrail predicates, shared by the policy pack (policy/) and anything else that reviews
 * resources: each returns the problems it finds, in words, for plain resource inputs. No Pulumi here.
 */
import { LIMITS } from "./limits";
import { azureRoleName } from "./azureRoles";
import type { AwsPolicyDocument } from "./trust";
import { conditionPinsSubjects, refusedPatterns } from "./condition";
import { canonicalAzureScope } from "./azureScope";
import { IDENTITY_ADMIN_OPT_IN, awsIdentityAdminInline, awsIdentityAdminPolicy, azureIdentityAdminRole, azureScopeContains, gcpIdentityAdminRole } from "./identityAdmin";
import { DEFAULT_AWS_REACH, policyDocumentStatements, type AwsIdentityReach } from "./awsIdentityAdmin";

/** AWS: a role that trusts an OIDC provider must pin `aud` and `sub` with StringEquals, no wildcards. */
export function awsOidcTrustProblems(assumeRolePolicy: unknown): string[] {
  let policy: AwsPolicyDocument;
  try {
    policy = (typeof assumeRolePolicy === "string" ? JSON.parse(assumeRolePolicy) : assumeRolePolicy) as AwsPolicyDocument;
  } catch {
    return ["the trust policy is not valid JSON"];
  }
  const problems: string[] = [];
  for (const [index, statement] of (policy?.Statement ?? []).entries()) {
    if (statement.Effect !== "Allow") continue;
    const federated = statement.Principal?.Federated;
    const principals = (Array.isArray(federated) ? federated : [federated]).filter((p): p is string => typeof p === "string");
    const oidc = principals.filter((p) => p.includes(":oidc-provider/"));
    if (oidc.length === 0) continue;
    const label = statement.Sid ?? `statement ${index + 1}`;
    const conditions = statement.Condition ?? {};
    for (const operator of Object.keys(conditions)) {
      if (/Like/.test(operator)) problems.push(`${label}: uses ${operator}; pin the token with StringEquals`);
    }
    const equals = conditions.StringEquals ?? {};
    for (const provider of oidc) {
      const prefix = provider.split(":oidc-provider/")[1] ?? "";
      for (const claim of ["aud", "sub"]) {
        const value = Object.entries(equals).find(([k]) => k.toLowerCase() === `${prefix}:${claim}`.toLowerCase())?.[1];
        if (value === undefined) problems.push(`${label}: does not pin ${prefix}:${claim} with StringEquals`);
        else if ((Array.isArray(value) ? value : [value]).some((v) => /[*?]/.test(String(v)))) {
          problems.push(`${label}: ${prefix}:${claim} contains a wildcard`);
        }
      }
    }
  }
  return problems;
}

/** GCP: an IAM member that names a whole workload identity pool. */
export function gcpWholePoolMember(member: unknown): boolean {
  return typeof member === "string" && /^principalSet:\/\/iam\.googleapis\.com\/.*\/workloadIdentityPools\/[^/]+\/\*$/.test(member);
}

/** Azure: a federated credential issuer must be https with no surrounding whitespace. */
export function azureIssuerProblems(issuer: unknown): string[] {
  if (typeof issuer !== "string") return ["issuer is missing"];
  const problems: string[] = [];
  if (issuer.trim() !== issuer) problems.push("issuer has surrounding whitespace (Entra ID matches it exactly)");
  if (!issuer.trim().startsWith("https://")) problems.push(`issuer ${JSON.stringify(issuer)} is not an https URL`);
  return problems;
}

/** Okta: a service app may use client_credentials and nothing else. */
export function oktaServiceAppProblems(props: { type?: unknown; grantTypes?: unknown }): string[] {
  if (props.type !== "service") return [];
  const grants = Array.isArray(props.grantTypes) ? props.grantTypes : [];
  const extra = grants.filter((g) => g !== "client_credentials");
  if (grants.length === 0) return ["a service app must list grant type client_credentials"];
  return extra.length ? [`a service app allows ${extra.join(", ")}; only client_credentials is allowed`] : [];
}

/**
 * AWS managed policies too broad to hand a workload (advisory, and "risky" in an access review):
 * the identity-admin ones and these.
 */
export const AWS_BROAD_POLICIES: Readonly<Record<string, string>> = {
  AdministratorAccess: "allows every action on every resource of the account",
  PowerUserAccess: "allows every action except IAM and Organizations management",
};

/** Why an AWS managed policy is too broad for a workload, or undefined. */
export function awsBroadPolicy(policyArn: unknown): string | undefined {
  const name = typeof policyArn === "string" ? /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(policyArn)?.[1] : undefined;
  if (!name) return undefined;
  return Object.hasOwn(AWS_BROAD_POLICIES, name) ? AWS_BROAD_POLICIES[name] : awsIdentityAdminPolicy(policyArn);
}

/** Azure built-in roles that manage everything in their scope (control plane or access). */
export const AZURE_BROAD_ROLES: readonly string[] = ["Owner", "Contributor", "User Access Administrator", "Role Based Access Control Administrator"];

/** What an Azure scope is, in words: "subscription <id>", "resource group <rg>", or "<type> <name>" (read in canonical form). */
export function azureScopeInWords(scope: string): string {
  const parts = canonicalAzureScope(scope).split("/");
  if (parts.length <= 3) return `subscription ${parts[2] ?? scope}`;
  if (parts.length <= 5) return `resource group ${parts[4]}`;
  const type = parts[parts.length - 2] ?? "resource";
  return `${type.replace(/s$/, "")} ${parts[parts.length - 1]}`;
}

/** Azure: a role that manages everything in its scope, in words (with the scope), or undefined. */
export function azureBroadAssignment(props: { roleDefinitionId?: unknown; scope?: unknown }): string | undefined {
  const role = azureRoleName(String(props.roleDefinitionId ?? ""));
  if (!role || !AZURE_BROAD_ROLES.includes(role)) return undefined;
  return `${role} at ${azureScopeInWords(String(props.scope ?? ""))}`;
}

/** GCP: a project-level role too broad for a workload (the identity-admin roles), in words, or undefined. */
export function gcpBroadRole(role: unknown): string | undefined {
  return gcpIdentityAdminRole(role)?.why;
}

/** A token lifetime that grows, in words, or undefined: a stolen token is good for longer. */
export function longerTokenLifetime(before: number | undefined, after: number | undefined): string | undefined {
  if (before === undefined || after === undefined || after <= before) return undefined;
  return `tokens live longer (${before} → ${after} minutes): a leaked token stays valid longer`;
}

/** Okta: a token lifetime above this is flagged in production stacks (minutes). */
export const PRODUCTION_MAX_TOKEN_MINUTES = LIMITS.okta.tokenLifetimeMinutes.default;

/**
 * GCP: a provider's attribute condition must exist, pin the subject to a list of client ids, and
 * use only matches() patterns that GCP's RE2 accepts (GCP refuses the provider otherwise).
 */
export function gcpConditionProblems(condition: unknown): string[] {
  if (typeof condition !== "string" || condition.trim() === "") {
    return ["the provider has no attribute condition: every client of the issuer could exchange tokens in the pool"];
  }
  const pinned = conditionPinsSubjects(condition);
  return [...("problem" in pinned ? [`${pinned.problem}: another client of the issuer could exchange tokens in the pool`] : []), ...refusedPatterns(condition).map((p) => `the attribute condition's ${p}`)];
}

/** A grant resource as a reviewer sees it: its type, logical name, inputs and what its component accepted. */
export interface GrantResource {
  readonly type: string;
  readonly name: string;
  readonly props: Readonly<Record<string, unknown>>;
  /** The logical names its parent component lists as accepted with allowIdentityAdmin: true. */
  readonly accepted: readonly string[];
  /** AWS: the stack's role path and attached customer managed policies (default: the kit's path, none). */
  readonly awsReach?: AwsIdentityReach;
}

/**
 * An identity-admin grant without the opt-in, in words, or undefined. Azure roles count only at a
 * scope that holds one of `identityIds` (managed identities of the stack).
 */
export function identityAdminViolation(grant: GrantResource, identityIds: readonly string[]): string | undefined {
  if (grant.accepted.includes(grant.name)) return undefined;
  const hint = `grants like this are refused unless accepted with ${IDENTITY_ADMIN_OPT_IN}`;
  switch (grant.type) {
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
      const why = awsIdentityAdminPolicy(grant.props.policyArn, grant.awsReach ?? DEFAULT_AWS_REACH);
      return why ? `${String(grant.props.policyArn)} ${why}: the role's holder could take over every other role of the account; ${hint}` : undefined;
    }
    case "aws:iam/rolePolicy:RolePolicy": {
      // The inline policy's document as IAM reads it, judged by the same simulation as config's statements.
      const why = awsIdentityAdminInline(policyDocumentStatements(grant.props.policy), grant.awsReach ?? DEFAULT_AWS_REACH);
      return why ? `inline policy ${String(grant.props.name ?? grant.name)} of role ${String(grant.props.role ?? "")}: ${why}: the role's holder could take over the stack's identities; ${hint}` : undefined;
    }
    case "gcp:projects/iAMMember:IAMMember":
    case "gcp:projects/iAMBinding:IAMBinding": {
      const admin = gcpIdentityAdminRole(grant.props.role);
      return admin ? `${String(grant.props.role)} on project ${String(grant.props.project ?? "")} ${admin.why}: its holder could take over identities there; ${hint}` : undefined;
    }
    case "azure-native:authorization:RoleAssignment": {
      const admin = azureIdentityAdminRole(grant.props.roleDefinitionId);
      const scope = String(grant.props.scope ?? "");
      const held = identityIds.filter((id) => azureScopeContains(scope, id));
      return admin && held.length ? `${admin.name} at ${scope} ${admin.why}, and that scope holds ${held.length} managed identit${held.length === 1 ? "y" : "ies"} of the stack; ${hint}` : undefined;
    }
    default:
      return undefined;
  }
}
