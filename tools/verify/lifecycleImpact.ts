/**
 * Resources of a plan in words, and what replacing or deleting each kind does to running workloads
 * (a new role ARN, a new client id, new GCP principals, permissions lost until a policy is written
 * again), with whether it is risky. lifecycle.ts decides which resources are replaced or deleted.
 */
import { azureRoleName } from "../../components/internal/azureRoles";
import { policyDocumentStatements } from "../../components/internal/awsIdentityAdmin";
import { statementWords } from "../../components/internal/awsPolicy";
import type { PlanResource } from "./model";

export type LifecycleResource = PlanResource & {
  readonly custom?: boolean;
  readonly aliases?: readonly string[];
  readonly dependsOn?: readonly string[];
  readonly replaceOnChanges?: readonly string[];
  readonly protect?: boolean;
};

type Resource = LifecycleResource;

export const POLICY = "okta:auth/serverPolicy:ServerPolicy";

/** The resource in words. */
export function resourceLabel(r: PlanResource): string {
  const i = r.inputs ?? {};
  const a = r.afterDeploy ?? {};
  switch (r.type) {
    case "okta:app/oAuth:OAuth":
      return `Okta app ${String(i.label ?? r.name)}`;
    case "okta:auth/server:Server":
      return typeof i.name === "string" ? `Okta authorization server ${i.name}` : `Okta authorization server ${String(r.id ?? r.name)}`;
    case POLICY:
      return `Okta access policy ${String(i.name ?? r.name)}`;
    case "okta:auth/serverPolicyRule:ServerPolicyRule":
      return `Okta policy rule ${r.name}`;
    case "okta:auth/serverScope:ServerScope":
      return `Okta scope ${String(i.name ?? r.name)}`;
    case "okta:auth/serverClaim:ServerClaim":
      return `Okta claim ${String(i.name ?? r.name)}`;
    case "okta:inline/hook:Hook":
      return `Okta inline hook ${String(i.name ?? r.name)}`;
    case "aws:iam/role:Role":
      return `AWS role ${String(i.name ?? r.name)}`;
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
      return `AWS policy ${String(i.policyArn).split("/").pop()} on role ${String(i.role)}`;
    case "aws:iam/rolePolicy:RolePolicy":
      return `AWS inline policy ${String(i.name ?? r.name)} on role ${String(i.role)}`;
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return `AWS OIDC provider ${String(i.url)}`;
    case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
      return `GCP workload identity pool ${String(i.workloadIdentityPoolId)} (project ${String(i.project)})`;
    case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
      return `GCP pool provider ${String(i.workloadIdentityPoolProviderId)} (pool ${String(i.workloadIdentityPoolId)})`;
    case "gcp:serviceaccount/account:Account":
      return `GCP service account ${String(a.email ?? i.accountId)}`;
    case "gcp:serviceaccount/iAMMember:IAMMember":
      return `GCP ${String(i.role)} on service account ${String(i.serviceAccountId).split("/").pop()}`;
    case "gcp:projects/iAMMember:IAMMember":
      return `GCP role ${String(i.role)} on project ${String(i.project)} (${r.name})`;
    case "azure-native:managedidentity:UserAssignedIdentity":
      return `Azure identity ${String(i.resourceName)}`;
    case "azure-native:managedidentity:FederatedIdentityCredential":
      return `Azure federated credential ${String(i.federatedIdentityCredentialResourceName)} of ${String(i.resourceName)}`;
    case "azure-native:authorization:RoleAssignment": {
      const guid = String(i.roleDefinitionId).split("/").pop() ?? "";
      return `Azure role ${azureRoleName(guid) ?? guid} at ${String(i.scope)} (${r.name})`;
    }
    case "gcp:storage/bucketIAMMember:BucketIAMMember":
      return `GCP role ${String(i.role)} on bucket ${String(i.bucket)} (${r.name})`;
    case "gcp:pubsub/topicIAMMember:TopicIAMMember":
      return `GCP role ${String(i.role)} on Pub/Sub topic ${String(i.topic)} (project ${String(i.project)}) (${r.name})`;
    case "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember":
      return `GCP role ${String(i.role)} on Pub/Sub subscription ${String(i.subscription)} (project ${String(i.project)}) (${r.name})`;
    case "gcp:secretmanager/secretIamMember:SecretIamMember":
      return `GCP role ${String(i.role)} on secret ${String(i.secretId)} (project ${String(i.project)}) (${r.name})`;
    case "gcp:bigquery/datasetIamMember:DatasetIamMember":
      return `GCP role ${String(i.role)} on BigQuery dataset ${String(i.datasetId)} (project ${String(i.project)}) (${r.name})`;
    case "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember":
      return `GCP role ${String(i.role)} on Artifact Registry repository ${String(i.repository)} (project ${String(i.project)}, ${String(i.location)}) (${r.name})`;
    default:
      return `${r.type} ${r.name}`;
  }
}

/** An inline policy's statements in words, from its `policy` input. */
function inlineWords(r: Resource): string {
  const statements = policyDocumentStatements(r.inputs.policy);
  return statements.length ? statements.map(statementWords).join("; ") : "no statement";
}

/** What replacing a resource does to running workloads, and whether it is risky. */
export function replacementImpact(base: Resource, head: Resource, deleteFirst: boolean): { impact: string; risk?: string } {
  const outage = deleteFirst ? "; the old one is deleted before the new one exists (delete-before-replace): an outage until it is created" : "";
  switch (head.type) {
    case "okta:app/oAuth:OAuth":
      return {
        impact: "new client id: every workload of the service must use it, and every trust (AWS role, GCP provider condition, Azure credential) is rewritten for it; tokens of the old client stop working",
        risk: "identity replaced: new client id",
      };
    case "aws:iam/role:Role": {
      const before = String(base.afterDeploy?.arn ?? "");
      const after = String(head.afterDeploy?.arn ?? "");
      const arn = before !== after && after ? `new role ARN ${after} (was ${before}): workloads' AWS_ROLE_ARN must change` : "the role is recreated under the same ARN";
      const named = deleteFirst ? "; the role has a fixed name, so the old role is deleted first: workloads cannot assume it until the new one exists (an outage), and resource policies that name it stop matching (they hold the deleted role's unique id)" : "";
      return { impact: `${arn}${named}`, risk: "identity replaced: new AWS role" };
    }
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return {
        impact: "new OIDC provider ARN: every role's trust policy is rewritten for it (IAM holds one provider per URL and account: if the account already has one for the new issuer, adopt it with aws.existingOidcProviderArn)",
        risk: "identity provider replaced",
      };
    case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
      return {
        impact: `every service's GCP principal (principal://…/workloadIdentityPools/${String(head.inputs.workloadIdentityPoolId)}/subject/…) is new: grants made outside the stack to the old principals are lost, and workloads' credential configs must name the new provider; the old pool id ${String(base.inputs.workloadIdentityPoolId)} stays reserved for 30 days`,
        risk: "identity pool replaced: new GCP principals",
      };
    case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
      return {
        impact: `workloads' credential configs (audience: the provider's name) must name the new provider; the old provider id ${String(base.inputs.workloadIdentityPoolProviderId)} stays reserved for 30 days`,
        risk: "identity provider replaced",
      };
    case "gcp:serviceaccount/account:Account":
      return { impact: "new GCP service account (new unique id): grants made to it outside the stack are lost", risk: "identity replaced: new GCP service account" };
    case "azure-native:managedidentity:UserAssignedIdentity":
      return {
        impact: "Azure identity recreated: new client id and principal id (workloads' AZURE_CLIENT_ID must change); it is deleted before it is recreated (an outage), and role assignments made on it outside the stack are lost",
        risk: "identity replaced: new Azure client and principal id",
      };
    case "okta:auth/server:Server":
      return { impact: "new authorization server: new issuer for every token; every trust is rewritten for it", risk: "issuer replaced" };
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
      return { impact: "the policy is detached and attached again: the role is briefly without it" };
    case "aws:iam/rolePolicy:RolePolicy":
      return {
        impact: `the inline policy is deleted before it is written again (its name is fixed, delete-before-replace): the service is without its permissions (${inlineWords(base)}) until the new one is written`,
      };
    case "gcp:serviceaccount/iAMMember:IAMMember":
    case "gcp:projects/iAMMember:IAMMember":
    case "gcp:storage/bucketIAMMember:BucketIAMMember":
    case "gcp:pubsub/topicIAMMember:TopicIAMMember":
    case "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember":
    case "gcp:secretmanager/secretIamMember:SecretIamMember":
    case "gcp:bigquery/datasetIamMember:DatasetIamMember":
    case "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember":
      return { impact: "the role is revoked and granted again: briefly without it" };
    case "azure-native:authorization:RoleAssignment":
      return { impact: "the assignment is deleted before it is created again: briefly without the role" };
    case "azure-native:managedidentity:FederatedIdentityCredential":
      return { impact: "the credential is deleted before it is created again: token exchanges for the identity fail until it exists and has propagated" };
    case "okta:auth/serverPolicy:ServerPolicy":
    case "okta:auth/serverPolicyRule:ServerPolicyRule":
    case "okta:auth/serverScope:ServerScope":
    case "okta:auth/serverClaim:ServerClaim":
      return { impact: "created again where it now belongs, then the old one is deleted" };
    default:
      return { impact: `recreated${outage}` };
  }
}

/** What deleting a resource does to running workloads, and whether it is risky. */
export function deletionImpact(r: Resource): { impact: string; risk?: string } {
  switch (r.type) {
    case "okta:app/oAuth:OAuth":
      return { impact: "the service's Okta client is deleted: it gets no more tokens", risk: "identity deleted" };
    case "okta:auth/server:Server":
      return { impact: "the authorization server is deleted: tokens it issued stop verifying and every trust names a missing issuer", risk: "issuer deleted" };
    case "aws:iam/role:Role":
      return { impact: `the role ${String(r.afterDeploy?.arn ?? r.inputs.name)} is deleted: workloads using it lose AWS access`, risk: "identity deleted" };
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return { impact: "the OIDC provider is deleted: no role can be assumed with the issuer's tokens", risk: "identity provider deleted" };
    case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": {
      const id = String(r.inputs.workloadIdentityPoolId);
      return {
        impact: `GCP keeps the deleted pool id ${id} reserved for 30 days (soft delete): adding a GCP service back within that time fails with ALREADY_EXISTS; undelete the pool and import it, or set gcp.idSuffix, which gives every service a new principal`,
        risk: "GCP pool deleted: its id stays reserved for 30 days",
      };
    }
    case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": {
      const id = String(r.inputs.workloadIdentityPoolProviderId);
      return {
        impact: `GCP keeps the deleted provider id ${id} reserved for 30 days (soft delete): re-adding it (a service in its shard, a higher gcp.providerShards) within that time fails with ALREADY_EXISTS; undelete it and import it, or set gcp.idSuffix, which gives every service a new principal`,
        risk: "GCP pool provider deleted: its id stays reserved for 30 days",
      };
    }
    case "gcp:serviceaccount/account:Account":
      return { impact: "the service account is deleted: workloads impersonating it lose GCP access, and grants made to it outside the stack are lost", risk: "identity deleted" };
    case "azure-native:managedidentity:UserAssignedIdentity":
      return { impact: "the Azure identity is deleted with every role assignment on it, in the stack or outside it", risk: "identity deleted" };
    case "aws:iam/rolePolicy:RolePolicy":
      return { impact: `the inline policy is deleted (DeleteRolePolicy): the service loses its permissions at once (${inlineWords(r)})` };
    default:
      // Nothing a workload notices beyond the access diff (a grant, a policy or a rule of a removed service).
      return { impact: "" };
  }
}
