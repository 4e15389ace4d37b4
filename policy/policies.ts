/**
 * The okta-federation guardrails as CrossGuard policies. Mandatory policies stop a
 * `pulumi preview --policy-pack policy`; advisory ones warn. The checks themselves are the shared
 * predicates in components/internal/guardrails.ts.
 */
// Submodules, not the package roots: a root import pulls every service's types into the compile (pulumi/pulumi-azure-native#1997).
import * as awsIam from "@pulumi/aws/iam";
import * as azureAuthorization from "@pulumi/azure-native/authorization";
import * as azureManagedIdentity from "@pulumi/azure-native/managedidentity";
import * as gcpIam from "@pulumi/gcp/iam";
import * as gcpProjects from "@pulumi/gcp/projects";
import * as gcpServiceAccount from "@pulumi/gcp/serviceaccount";
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
import { ACCEPTED_IDENTITY_ADMIN_OUTPUT } from "../components/internal/identityAdmin";
import { azureIdentityResourceId } from "../components/internal/trust";

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

/** The types whose resources can be identity-admin grants. */
const GRANT_TYPES = new Set([
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "gcp:projects/iAMMember:IAMMember",
  "gcp:projects/iAMBinding:IAMBinding",
  "azure-native:authorization:RoleAssignment",
]);

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
    for (const r of args.resources) {
      if (!GRANT_TYPES.has(r.type)) continue;
      const scopeSubscription = /^\/subscriptions\/([^/]+)/i.exec(String(r.props.scope ?? ""))?.[1] ?? "";
      const identityIds = identities.map((i) => azureIdentityResourceId(i.subscription ?? scopeSubscription, i.group, i.name));
      // The opt-in travels as the parent component's registered outputs (which the engine stores as its properties).
      const accepted = r.parent?.props[ACCEPTED_IDENTITY_ADMIN_OUTPUT];
      const problem = identityAdminViolation({ type: r.type, name: r.name, props: r.props, accepted: Array.isArray(accepted) ? accepted.map(String) : [] }, identityIds);
      if (problem) report(`${r.name}: ${problem}`, r.urn);
    }
  },
};

const wholePool = (member: unknown, report: (message: string) => void) => {
  if (gcpWholePoolMember(member)) report(`grants to a whole workload identity pool (${String(member)}); grant to principal://…/subject/<client id>`);
};

export const gcpNoWholePoolGrant: ResourceValidationPolicy = {
  name: "gcp-no-whole-pool-grant",
  description: "No IAM grant to a whole workload identity pool (principalSet://…/*).",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(gcpServiceAccount.IAMMember, (m, _a, report) => wholePool(m.member, report)),
    validateResourceOfType(gcpProjects.IAMMember, (m, _a, report) => wholePool(m.member, report)),
    validateResourceOfType(gcpServiceAccount.IAMBinding, (b, _a, report) => (b.members ?? []).forEach((m) => wholePool(m, report))),
    validateResourceOfType(gcpProjects.IAMBinding, (b, _a, report) => (b.members ?? []).forEach((m) => wholePool(m, report))),
  ],
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
  description: "Advisory: no Owner, Contributor, User Access Administrator or Role Based Access Control Administrator for a workload identity, at any scope.",
  enforcementLevel: "advisory",
  validateResource: validateResourceOfType(azureAuthorization.RoleAssignment, (assignment, _args, report) => {
    const problem = azureBroadAssignment(assignment);
    if (problem) report(`${problem}: grant a narrower (data-plane) role at a narrower scope`);
  }),
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
