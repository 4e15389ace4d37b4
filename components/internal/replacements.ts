/**
 * Which input changes make `pulumi up` replace (delete and recreate) a resource the kit registers,
 * and in which order the provider does it: the providers' own rules, stated once, each with the
 * source it was read from. No Pulumi here: the components cite these rules where they add
 * `replaceOnChanges`, and the access review (tools/verify/lifecycle.ts) applies them to a base and a
 * head plan.
 *
 * Versions. The installed SDKs bridge these upstream releases (read from each SDK's package.json and
 * the pulumi-* repositories' release records):
 * - @pulumi/okta 7.0.0: okta/terraform-provider-okta v7.0.0 ("Based on terraform-provider-okta:
 *   version v7.0.0" in the SDK's package.json). The source read here is v6.12.0 (e59c130b, the newest
 *   tag available offline); the rules below are confirmed against the 7.0.0 SDK's own types
 *   (node_modules/@pulumi/okta/types/input.d.ts OAuthJwk, app/oAuth.d.ts, auth/*.d.ts), whose
 *   schema is generated from v7.0.0.
 * - @pulumi/gcp 9.37.0: hashicorp/terraform-provider-google-beta v7.46.1 (pulumi/pulumi-gcp#4019,
 *   "Release v9.37.0"). The source read here is v7.45.0 (3dc173a3); the files below did not change
 *   their ForceNew fields between 7.x minor releases that were read.
 * - @pulumi/aws 7.48.0: hashicorp/terraform-provider-aws v6.x (pulumi-aws 7 bridges the provider's
 *   major version 6, pulumi/pulumi-aws#5665); the exact minor could not be pinned offline, so the
 *   newest stored source of each file was read.
 * - @pulumi/azure-native 3.28.0: pulumi/pulumi-azure-native (a native provider, no upstream); its
 *   replacement rules are provider/pkg/provider/diff.go calculateDetailedDiff (every path parameter
 *   and every ForceNew body property replaces) and provider/pkg/gen/replacement.go forceNewMap.
 *
 * How the engine applies them: a changed input listed here (or in the resource's own
 * `replaceOnChanges`, pulumi/pulumi pkg/resource/deploy/step_generator.go) plans a replacement; an
 * input that depends on a replaced resource is unknown during the preview and counts as changed.
 * Replacement creates the new resource first unless the provider asks for delete-before-replace
 * (see {@link ReplacementRule.deleteFirst}).
 */

/** When the old resource is deleted before its replacement is created. */
export type DeleteFirst =
  /** Never: the new resource is created first (Pulumi's default). */
  | "never"
  /**
   * When the resource has a fixed name (an input `name` the program set, not Pulumi's auto-name):
   * pulumi-terraform-bridge pkg/tfbridge/provider.go Diff, nameRequiresDeleteBeforeReplace
   * (pkg/tfbridge/schema.go). Two objects cannot hold one name, so the old one goes first.
   */
  | "when-named"
  /** Always: pulumi-azure-native provider/pkg/provider/provider.go Diff, `deleteBeforeReplace := len(replaces) > 0`. */
  | "always";

/** A conditional replacement: a change of `property` replaces only when `when` holds. */
export interface ConditionalReplacement {
  readonly property: string;
  /** The condition in words, e.g. "changes from true to false". */
  readonly condition: string;
  readonly when: (before: unknown, after: unknown) => boolean;
}

export interface ReplacementRule {
  /** Top-level inputs (Pulumi names) whose change replaces the resource. */
  readonly replaceOn: readonly string[];
  readonly conditional?: readonly ConditionalReplacement[];
  readonly deleteFirst: DeleteFirst;
  /** Inputs one might expect to replace that the provider updates in place (the kit adds replaceOnChanges where that sends stale ids). */
  readonly inPlace?: readonly string[];
  /** Where each fact was read: repository, version, file, schema field or function. */
  readonly source: string;
}

const OKTA = "okta/terraform-provider-okta v6.12.0 (bridged by @pulumi/okta 7.0.0 as v7.0.0), okta/services/idaas/";
const GOOGLE = "hashicorp/terraform-provider-google-beta v7.45.0 (bridged by @pulumi/gcp 9.37.0 as v7.46.1), google-beta/";
const AWS = "hashicorp/terraform-provider-aws v6 (bridged by @pulumi/aws 7.48.0), internal/service/iam/";
const AZURE = "pulumi/pulumi-azure-native (@pulumi/azure-native 3.28.0), provider/pkg/provider/diff.go calculateDetailedDiff";

/**
 * The rule of a google IAM member resource: the base schema's role, member and condition, plus the
 * fields that name what it is granted on, all ForceNew (each file cited by `schema`).
 */
function iamMemberRule(resourceFields: readonly string[], schema: string): ReplacementRule {
  return {
    replaceOn: [...resourceFields, "role", "member", "condition"],
    deleteFirst: "never",
    source: `${GOOGLE}tpgiamresource/resource_iam_member.go IamMemberBaseSchema: "role", "member", "condition" ForceNew; ${schema}`,
  };
}

/**
 * The replacement rules of every resource type the kit registers, keyed by Pulumi type token.
 * Only the inputs the kit sets are listed; a type missing here has no rules the kit knows.
 */
export const REPLACEMENT_RULES: Readonly<Record<string, ReplacementRule>> = {
  "okta:app/oAuth:OAuth": {
    replaceOn: ["type", "clientId"],
    // The app's client id is its identity: a replaced app gets a new one.
    conditional: [{ property: "omitSecret", condition: "changes from true to false", when: (before, after) => before === true && after === false }],
    deleteFirst: "never",
    inPlace: ["label", "jwks", "jwksUri", "tokenEndpointAuthMethod", "grantTypes"],
    source: `${OKTA}resource_okta_app_oauth.go resourceAppOAuth: "type" and "client_id" ForceNew; CustomizeDiff ForceNew("omit_secret") when it goes from true to false`,
  },
  "okta:auth/server:Server": {
    replaceOn: [],
    deleteFirst: "never",
    inPlace: ["name", "audiences", "issuerMode", "credentialsRotationMode", "description", "status"],
    source: `${OKTA}resource_okta_auth_server.go resourceAuthServer: no ForceNew field`,
  },
  "okta:auth/serverPolicy:ServerPolicy": {
    replaceOn: [],
    deleteFirst: "never",
    inPlace: ["authServerId", "name", "priority", "clientWhitelists"],
    source: `${OKTA}resource_okta_auth_server_policy.go resourceAuthServerPolicy: "auth_server_id" is Required, not ForceNew (an update sends the policy's old id to the new server)`,
  },
  "okta:auth/serverPolicyRule:ServerPolicyRule": {
    replaceOn: [],
    deleteFirst: "never",
    inPlace: ["authServerId", "policyId", "scopeWhitelists", "accessTokenLifetimeMinutes", "inlineHookId"],
    source: `${OKTA}resource_okta_auth_server_policy_rule.go resourceAuthServerPolicyRule: "auth_server_id" and "policy_id" are Required, not ForceNew`,
  },
  "okta:auth/serverScope:ServerScope": {
    replaceOn: [],
    deleteFirst: "never",
    inPlace: ["authServerId", "name"],
    source: `${OKTA}resource_okta_auth_server_scope.go resourceAuthServerScope: "auth_server_id" is Required, not ForceNew`,
  },
  "okta:auth/serverClaim:ServerClaim": {
    replaceOn: [],
    deleteFirst: "never",
    inPlace: ["authServerId", "name", "value", "scopes"],
    source: `${OKTA}resource_okta_auth_server_claim.go resourceAuthServerClaim: "auth_server_id" is Required, not ForceNew`,
  },
  "okta:inline/hook:Hook": {
    replaceOn: ["type"],
    deleteFirst: "never",
    inPlace: ["name", "channel", "auth", "version"],
    source: `${OKTA}resource_okta_inline_hook.go resourceInlineHook: "type" ForceNew`,
  },
  "aws:iam/role:Role": {
    replaceOn: ["name", "namePrefix", "path"],
    // The kit fixes every role's name (awsRoleName): a replaced role is deleted first.
    deleteFirst: "when-named",
    inPlace: ["assumeRolePolicy", "description", "maxSessionDuration", "permissionsBoundary", "tags"],
    source: `${AWS}role.go resourceRole: "name", "name_prefix" and "path" ForceNew`,
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
    replaceOn: ["role", "policyArn"],
    deleteFirst: "never",
    source: `${AWS}role_policy_attachment.go resourceRolePolicyAttachment: "role" and "policy_arn" ForceNew (no Update function)`,
  },
  "aws:iam/rolePolicy:RolePolicy": {
    replaceOn: ["name", "namePrefix", "role"],
    // The kit names each inline policy by its key: a replaced one is deleted first. It must be: the
    // provider creates with PutRolePolicy, which overwrites a policy of the same name on the same
    // role, and deletes by <role>:<name>; created first, the old one's deletion would remove the new.
    deleteFirst: "when-named",
    inPlace: ["policy"],
    source: `${AWS}role_policy.go resourceRolePolicy (at 02f97af85f89a04e8ed89f5e8b64a9a67f3cfe07): "name", "name_prefix" and "role" ForceNew; "policy" updated by resourceRolePolicyPut (PutRolePolicy, also its Create); resourceRolePolicyDelete by the id <role>:<name>`,
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
    replaceOn: ["url"],
    deleteFirst: "never",
    inPlace: ["clientIdLists", "thumbprintLists", "tags"],
    source: `${AWS}openid_connect_provider.go resourceOpenIDConnectProvider: "url" ForceNew; client_id_list and thumbprint_list updated in place (resourceOpenIDConnectProviderUpdate)`,
  },
  "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": {
    replaceOn: ["workloadIdentityPoolId", "project"],
    deleteFirst: "never",
    inPlace: ["displayName", "description", "disabled"],
    source: `${GOOGLE}services/iambeta/resource_iam_workload_identity_pool.go ResourceIAMBetaWorkloadIdentityPool: "workload_identity_pool_id" and "project" ForceNew`,
  },
  "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": {
    replaceOn: ["workloadIdentityPoolId", "workloadIdentityPoolProviderId", "project"],
    deleteFirst: "never",
    inPlace: ["attributeCondition", "attributeMapping", "oidc", "displayName", "description"],
    source: `${GOOGLE}services/iambeta/resource_iam_workload_identity_pool_provider.go ResourceIAMBetaWorkloadIdentityPoolProvider: "workload_identity_pool_id", "workload_identity_pool_provider_id" and "project" ForceNew`,
  },
  "gcp:serviceaccount/account:Account": {
    replaceOn: ["accountId", "project"],
    deleteFirst: "never",
    inPlace: ["displayName", "description"],
    source: `${GOOGLE}services/resourcemanager/resource_google_service_account.go ResourceGoogleServiceAccount: "account_id" and "project" ForceNew`,
  },
  "gcp:serviceaccount/iAMMember:IAMMember": iamMemberRule(["serviceAccountId"], `services/resourcemanager/iam_service_account.go IamServiceAccountSchema: "service_account_id" ForceNew`),
  "gcp:projects/iAMMember:IAMMember": iamMemberRule(["project"], `services/resourcemanager/iam_project.go IamProjectSchema: "project" ForceNew`),
  "gcp:storage/bucketIAMMember:BucketIAMMember": iamMemberRule(["bucket"], `services/storage/iam_storage_bucket.go StorageBucketIamSchema: "bucket" ForceNew`),
  "gcp:pubsub/topicIAMMember:TopicIAMMember": iamMemberRule(["project", "topic"], `services/pubsub/iam_pubsub_topic.go PubsubTopicIamSchema: "project" and "topic" ForceNew`),
  "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember": iamMemberRule(["project", "subscription"], `services/pubsub/iam_pubsub_subscription.go IamPubsubSubscriptionSchema: "project" and "subscription" ForceNew`),
  "gcp:secretmanager/secretIamMember:SecretIamMember": iamMemberRule(["project", "secretId"], `services/secretmanager/iam_secret_manager_secret.go SecretManagerSecretIamSchema: "project" and "secret_id" ForceNew`),
  "gcp:bigquery/datasetIamMember:DatasetIamMember": iamMemberRule(["project", "datasetId"], `services/bigquery/iam_bigquery_dataset.go IamBigqueryDatasetSchema: "project" and "dataset_id" ForceNew`),
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": iamMemberRule(["project", "location", "repository"], `services/artifactregistry/iam_artifact_registry_repository.go ArtifactRegistryRepositoryIamSchema: "project", "location" and "repository" ForceNew`),
  "azure-native:managedidentity:UserAssignedIdentity": {
    // Path parameters (subscription from the provider, resource group, name) and location
    // (x-ms-mutability read/create on TrackedResource.location).
    replaceOn: ["resourceGroupName", "resourceName", "location"],
    deleteFirst: "always",
    inPlace: ["tags"],
    source: `${AZURE} (path parameters resourceGroupName, resourceName; location is create-only); provider.go Diff: delete before replace`,
  },
  "azure-native:managedidentity:FederatedIdentityCredential": {
    replaceOn: ["resourceGroupName", "resourceName", "federatedIdentityCredentialResourceName"],
    deleteFirst: "always",
    inPlace: ["issuer", "subject", "audiences"],
    source: `${AZURE} (path parameters resourceGroupName, resourceName, federatedIdentityCredentialResourceName); provider.go Diff: delete before replace`,
  },
  "azure-native:authorization:RoleAssignment": {
    // The kit derives roleAssignmentName from scope, identity and role (trust.ts azureRoleAssignmentName),
    // so a role change is a new name: a replacement.
    replaceOn: ["scope", "roleAssignmentName", "principalId"],
    deleteFirst: "always",
    inPlace: ["description", "principalType"],
    source: `${AZURE} (path parameters scope, roleAssignmentName); provider/pkg/gen/replacement.go forceNewMap Authorization RoleAssignment: principalId, scope; provider.go Diff: delete before replace`,
  },
};

/** The inputs of a change that replace a resource of `type`, by its rules (and its own replaceOnChanges), with why. */
export function replacingInputs(
  type: string,
  changed: readonly string[],
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
  replaceOnChanges: readonly string[] = [],
): Array<{ readonly property: string; readonly why: "provider" | "replaceOnChanges"; readonly condition?: string }> {
  const rule = REPLACEMENT_RULES[type];
  const found: Array<{ property: string; why: "provider" | "replaceOnChanges"; condition?: string }> = [];
  for (const property of changed) {
    if (rule?.replaceOn.includes(property)) found.push({ property, why: "provider" });
    else if (replaceOnChanges.includes(property) || replaceOnChanges.includes("*")) found.push({ property, why: "replaceOnChanges" });
    else {
      const conditional = rule?.conditional?.find((c) => c.property === property && c.when(before[property], after[property]));
      if (conditional) found.push({ property, why: "provider", condition: conditional.condition });
    }
  }
  return found;
}

/** Whether replacing a resource deletes the old one first (an outage for an identity). */
export function deletesFirst(type: string, inputs: Readonly<Record<string, unknown>>): boolean {
  const rule = REPLACEMENT_RULES[type];
  if (!rule) return false;
  if (rule.deleteFirst === "always") return true;
  return rule.deleteFirst === "when-named" && typeof inputs.name === "string";
}

/**
 * The inputs of the Okta resources that point at the authorization server or the policy: the
 * provider updates them in place (see the rules above), sending the old object's id to the new
 * server, which answers 404. The components replace instead (`replaceOnChanges`).
 */
export const OKTA_SERVER_BOUND_INPUTS = {
  policy: ["authServerId"],
  rule: ["authServerId", "policyId"],
  scope: ["authServerId"],
  claim: ["authServerId"],
} as const;
