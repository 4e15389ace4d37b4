/**
 * The okta-federation guardrails as CrossGuard policies. Mandatory policies stop a
 * `pulumi preview --policy-pack policy`; advisory ones warn. The checks themselves are the shared
 * predicates in components/internal/guardrails.ts.
 */
// Submodules, not the package roots: a root import pulls every service's types into the compile (pulumi/pulumi-azure-native#1997).
import * as awsIam from "@pulumi/aws/iam";
import * as azureManagedIdentity from "@pulumi/azure-native/managedidentity";
import * as gcpIam from "@pulumi/gcp/iam";
import * as oktaApp from "@pulumi/okta/app";
import * as oktaAuth from "@pulumi/okta/auth";
import {
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import {
  PRODUCTION_MAX_TOKEN_MINUTES,
  awsBroadPolicy,
  awsOidcTrustProblems,
  azureBroadAssignment,
  azureIssuerProblems,
  gcpConditionProblems,
  gcpWholePoolMember,
  identityAdminViolation,
  oktaServiceAppProblems,
} from "../components/internal/guardrails";
import { LIMITS } from "../components/internal/limits";
import { ACCEPTED_IDENTITY_ADMIN_OUTPUT, IDENTITY_ADMIN_OPT_IN, gcpResourceIdentityAdminRole } from "../components/internal/identityAdmin";
import { gcpResourceText, parseGcpResource } from "../components/internal/gcpResource";
import { AZURE_ROLE_ASSIGNMENT, AZURE_ROLE_ASSIGNMENT_TYPES, GCP_IAM_TYPES, gcpMembersOf } from "./grantTypes";
import { azureIdentityResourceId } from "../components/internal/trust";
import { customerManagedPolicyArns, type AwsIdentityReach } from "../components/internal/awsIdentityAdmin";

/** Stack tag that marks a production stack: `pulumi stack tag set okta-federation:production true`. */
export const PRODUCTION_TAG = "okta-federation:production";

export const awsOidcTrustPinned: ResourceValidationPolicy = {
  name: "aws-oidc-trust-pinned",
  description: "IAM roles that trust an OIDC provider pin aud and sub with StringEquals, without wildcards.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(awsIam.Role, (role, _args, report) => {
    for (const problem of awsOidcTrustProblems(role.assumeRolePolicy)) report(problem);
  }),
};

export const gcpProviderHasCondition: ResourceValidationPolicy = {
  name: "gcp-provider-has-condition",
  description: "Workload identity pool providers have an attribute condition that pins the subject (assertion.sub in [...], ANDed at the top level) and whose matches() patterns are RE2, as GCP evaluates them.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(gcpIam.WorkloadIdentityPoolProvider, (provider, _args, report) => {
    for (const problem of gcpConditionProblems(provider.attributeCondition)) report(problem);
  }),
};

/** The types whose resources can be identity-admin grants (Azure role assignments under any of their tokens). */
const GRANT_TYPES = new Set([
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/rolePolicy:RolePolicy",
  "gcp:projects/iAMMember:IAMMember",
  "gcp:projects/iAMBinding:IAMBinding",
  ...AZURE_ROLE_ASSIGNMENT_TYPES,
]);

/** Service account IAM resources: a role on one account (gcp.resourceRoles), an identity-admin grant when it acts as it. */
const SERVICE_ACCOUNT_GRANT_TYPES = new Set(["gcp:serviceaccount/iAMMember:IAMMember", "gcp:serviceaccount/iAMBinding:IAMBinding"]);

/**
 * Why a role on a service account lets its holders act as that account, or undefined: its
 * serviceAccountId names the account (`projects/<p>/serviceAccounts/<email>`, as gcp.resourceRoles
 * grants it), the role holds a service-account permission of the shared predicates, and the account
 * is not one its own component created (that is the component's impersonation grant, its trust).
 */
function serviceAccountAdminGrant(r: PolicyResource, resources: readonly PolicyResource[]): string | undefined {
  const id = /^projects\/([^/]+)\/serviceAccounts\/([^/]+)$/.exec(String(r.props.serviceAccountId ?? ""));
  const parsed = id ? parseGcpResource(`//iam.googleapis.com/projects/${id[1]}/serviceAccounts/${id[2]}`) : undefined;
  if (!parsed?.ok || parsed.resource.kind !== "service-account") return undefined;
  const email = parsed.resource.email;
  const own = resources.some(
    (a) => a.type === "gcp:serviceaccount/account:Account" && a.parent?.urn === r.parent?.urn && (a.props.email ?? `${String(a.props.accountId)}@${String(a.props.project)}.iam.gserviceaccount.com`) === email,
  );
  if (own) return undefined;
  const admin = gcpResourceIdentityAdminRole(r.props.role, parsed.resource);
  return admin ? `${String(r.props.role)} on ${gcpResourceText(parsed.resource)} ${admin.why}: its holder could take over that service account` : undefined;
}

/**
 * The stack's reach an AWS grant is judged against (awsIdentityAdmin.ts), looked up per grant from
 * the stack's resources read once: the path of the role it is on (the stack's role of that name;
 * IAM's default `/` when unset) and the customer managed policies the stack attaches. A role outside
 * the stack: the kit's defaults.
 */
function awsReaches(resources: readonly PolicyResource[]): (r: PolicyResource) => AwsIdentityReach | undefined {
  const roles = new Map(resources.filter((x) => x.type === "aws:iam/role:Role" && x.props.name !== undefined).map((x) => [String(x.props.name), x]));
  const attachedPolicyArns = customerManagedPolicyArns(resources.filter((x) => x.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((x) => String(x.props.policyArn)));
  return (r) => {
    const role = roles.get(String(r.props.role));
    return role ? { rolePath: String(role.props.path ?? "/"), attachedPolicyArns } : undefined;
  };
}

export const noIdentityAdminGrant: StackValidationPolicy = {
  name: "no-identity-admin-grant",
  description:
    "No grant lets a workload take over other identities (rewrite role trust, impersonate service accounts, write federated credentials) unless its component accepted it with allowIdentityAdmin: true.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    // Managed identities of the stack. Their subscription comes from the provider's config; when it
    // is not visible, the grant's own subscription is assumed (the stricter reading).
    const identities = args.resources
      .filter((r) => r.isType(azureManagedIdentity.UserAssignedIdentity))
      .map((r) => ({ subscription: r.provider?.props.subscriptionId as string | undefined, group: String(r.props.resourceGroupName), name: String(r.props.resourceName ?? r.name) }));
    const awsReachOf = awsReaches(args.resources);
    for (const r of args.resources) {
      // The opt-in travels as the parent component's registered outputs (which the engine stores as its properties).
      const acceptedList = r.parent?.props[ACCEPTED_IDENTITY_ADMIN_OUTPUT];
      const accepted = Array.isArray(acceptedList) ? acceptedList.map(String) : [];
      if (SERVICE_ACCOUNT_GRANT_TYPES.has(r.type)) {
        const problem = accepted.includes(r.name) ? undefined : serviceAccountAdminGrant(r, args.resources);
        if (problem) report(`${r.name}: ${problem}; grants like this are refused unless accepted with ${IDENTITY_ADMIN_OPT_IN}`, r.urn);
        continue;
      }
      if (!GRANT_TYPES.has(r.type)) continue;
      const scopeSubscription = /^\/subscriptions\/([^/]+)/i.exec(String(r.props.scope ?? ""))?.[1] ?? "";
      const identityIds = identities.map((i) => azureIdentityResourceId(i.subscription ?? scopeSubscription, i.group, i.name));
      // A versioned role assignment token is judged as the current one.
      const type = AZURE_ROLE_ASSIGNMENT_TYPES.has(r.type) ? AZURE_ROLE_ASSIGNMENT : r.type;
      const awsReach = type.startsWith("aws:") ? awsReachOf(r) : undefined;
      const problem = identityAdminViolation({ type, name: r.name, props: r.props, accepted, ...(awsReach ? { awsReach } : {}) }, identityIds);
      if (problem) report(`${r.name}: ${problem}`, r.urn);
    }
  },
};

const wholePool = (member: unknown, report: (message: string) => void) => {
  if (gcpWholePoolMember(member)) report(`grants to a whole workload identity pool (${String(member)}); grant to principal://…/subject/<client id>`);
};

export const gcpNoWholePoolGrant: ResourceValidationPolicy = {
  name: "gcp-no-whole-pool-grant",
  description:
    "No IAM grant to a whole workload identity pool (principalSet://…/*): IAM members, bindings and policies of projects, service accounts, buckets, Pub/Sub topics and subscriptions, secrets, BigQuery datasets and Artifact Registry repositories.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (!GCP_IAM_TYPES.has(args.type)) return;
    for (const member of gcpMembersOf(args.type, args.props)) wholePool(member, report);
  },
};

export const azureCredentialIssuer: ResourceValidationPolicy = {
  name: "azure-credential-issuer",
  description: "Federated identity credentials use an https issuer with no surrounding whitespace.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(azureManagedIdentity.FederatedIdentityCredential, (credential, _args, report) => {
    for (const problem of azureIssuerProblems(credential.issuer)) report(problem);
  }),
};

export const azureCredentialsPerIdentity: StackValidationPolicy = {
  name: "azure-credentials-per-identity",
  description: `At most ${LIMITS.azure.credentialsPerIdentity} federated identity credentials per identity.`,
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const counts = new Map<string, PolicyResource[]>();
    for (const r of args.resources.filter((r) => r.isType(azureManagedIdentity.FederatedIdentityCredential))) {
      const key = `${String(r.props.resourceGroupName)}/${String(r.props.resourceName)}`;
      counts.set(key, [...(counts.get(key) ?? []), r]);
    }
    for (const [identity, credentials] of counts) {
      if (credentials.length > LIMITS.azure.credentialsPerIdentity) {
        report(`identity ${identity} has ${credentials.length} federated credentials; Azure allows ${LIMITS.azure.credentialsPerIdentity}`);
      }
    }
  },
};

export const oktaServiceAppClientCredentialsOnly: ResourceValidationPolicy = {
  name: "okta-service-app-client-credentials-only",
  description: "Okta service apps allow the client_credentials grant only.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(oktaApp.OAuth, (app, _args, report) => {
    for (const problem of oktaServiceAppProblems(app)) report(problem);
  }),
};

export const oktaNoDynamicIssuer: ResourceValidationPolicy = {
  name: "okta-no-dynamic-issuer",
  description: "Authorization servers do not use the DYNAMIC issuer mode (iss would vary with the request's domain).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(oktaAuth.Server, (server, _args, report) => {
    if (server.issuerMode === "DYNAMIC") report("issuerMode is DYNAMIC: iss would follow the request's domain, so no cloud trust can pin it; use ORG_URL or CUSTOM_URL");
  }),
};

export const oktaNoWildcardScope: ResourceValidationPolicy = {
  name: "okta-no-wildcard-scope",
  description: "No access policy rule whitelists every scope (*).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(oktaAuth.ServerPolicyRule, (rule, _args, report) => {
    if ((rule.scopeWhitelists ?? []).includes("*")) report("the rule whitelists every scope (*); list the scopes the client needs");
  }),
};

export const azureNoBroadRole: ResourceValidationPolicy = {
  name: "azure-no-broad-role",
  description: "Advisory: no Owner, Contributor, User Access Administrator or Role Based Access Control Administrator for a workload identity, at any scope (role assignments under the current or a versioned type token).",
  enforcementLevel: "advisory",
  validateResource: (args, report) => {
    if (!AZURE_ROLE_ASSIGNMENT_TYPES.has(args.type)) return;
    const problem = azureBroadAssignment(args.props);
    if (problem) report(`${problem}: grant a narrower (data-plane) role at a narrower scope`);
  },
};

export const awsNoBroadPolicy: ResourceValidationPolicy = {
  name: "aws-no-broad-policy",
  description: "Advisory: no AdministratorAccess, PowerUserAccess or identity-admin managed policy on a workload role.",
  enforcementLevel: "advisory",
  validateResource: validateResourceOfType(awsIam.RolePolicyAttachment, (attachment, _args, report) => {
    const why = awsBroadPolicy(attachment.policyArn);
    if (why) report(`${String(attachment.policyArn)} is attached, which ${why}: attach only what the workload needs`);
  }),
};

export const oktaProductionTokenLifetime: ResourceValidationPolicy = {
  name: "okta-production-token-lifetime",
  description: `Advisory: in a stack tagged ${PRODUCTION_TAG}=true, access tokens live at most ${PRODUCTION_MAX_TOKEN_MINUTES} minutes.`,
  enforcementLevel: "advisory",
  validateResource: validateResourceOfType(oktaAuth.ServerPolicyRule, (rule, args, report) => {
    if (args.stackTags.get(PRODUCTION_TAG) !== "true") return;
    const minutes = rule.accessTokenLifetimeMinutes ?? 60;
    if (minutes > PRODUCTION_MAX_TOKEN_MINUTES) report(`access tokens live ${minutes} minutes; keep production tokens at ${PRODUCTION_MAX_TOKEN_MINUTES} minutes or less`);
  }),
};

export const policies = [
  awsOidcTrustPinned,
  gcpProviderHasCondition,
  noIdentityAdminGrant,
  gcpNoWholePoolGrant,
  azureCredentialIssuer,
  azureCredentialsPerIdentity,
  oktaServiceAppClientCredentialsOnly,
  oktaNoDynamicIssuer,
  oktaNoWildcardScope,
  azureNoBroadRole,
  awsNoBroadPolicy,
  oktaProductionTokenLifetime,
];
