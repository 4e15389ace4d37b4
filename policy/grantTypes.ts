/**
 * The resource types the policy pack reads grants from, by type token: the google provider's IAM
 * member, binding and policy resources of projects, service accounts and every resource kind of
 * gcp.resourceRoles (components/internal/gcpResource.ts), and azure-native's role assignment under
 * its current token and every versioned token the SDK still knows (the aliases of
 * `@pulumi/azure-native/authorization/roleAssignment.js`: a program on an older SDK, or one naming a
 * versioned module, registers those). Matched by token, not by class, so that a resource registered
 * under an older token is checked like the current one.
 */

/** How an IAM resource names its members: one `member`, a `members` list, or a `policyData` JSON policy. */
export type GcpIamShape = "member" | "binding" | "policy";

const gcpTypes = (module: string, resource: string, spelling: "IAM" | "Iam"): Array<[string, GcpIamShape]> => [
  [`gcp:${module}/${resource[0]!.toLowerCase()}${resource.slice(1)}${spelling}Member:${resource}${spelling}Member`, "member"],
  [`gcp:${module}/${resource[0]!.toLowerCase()}${resource.slice(1)}${spelling}Binding:${resource}${spelling}Binding`, "binding"],
  [`gcp:${module}/${resource[0]!.toLowerCase()}${resource.slice(1)}${spelling}Policy:${resource}${spelling}Policy`, "policy"],
];

/** Every GCP IAM resource whose members the pack checks, by type token, with its shape. */
export const GCP_IAM_TYPES: ReadonlyMap<string, GcpIamShape> = new Map<string, GcpIamShape>([
  ["gcp:projects/iAMMember:IAMMember", "member"],
  ["gcp:projects/iAMBinding:IAMBinding", "binding"],
  ["gcp:projects/iAMPolicy:IAMPolicy", "policy"],
  ["gcp:serviceaccount/iAMMember:IAMMember", "member"],
  ["gcp:serviceaccount/iAMBinding:IAMBinding", "binding"],
  ["gcp:serviceaccount/iAMPolicy:IAMPolicy", "policy"],
  ...gcpTypes("storage", "Bucket", "IAM"),
  ...gcpTypes("pubsub", "Topic", "IAM"),
  ...gcpTypes("pubsub", "Subscription", "IAM"),
  ...gcpTypes("secretmanager", "Secret", "Iam"),
  ...gcpTypes("bigquery", "Dataset", "Iam"),
  ...gcpTypes("artifactregistry", "Repository", "Iam"),
]);

/** The members an IAM resource of the pack's types grants to (a policy's that does not parse: none). */
export function gcpMembersOf(type: string, props: Record<string, unknown>): unknown[] {
  switch (GCP_IAM_TYPES.get(type)) {
    case "member":
      return [props.member];
    case "binding":
      return Array.isArray(props.members) ? props.members : [];
    case "policy":
      try {
        const policy = JSON.parse(String(props.policyData)) as { bindings?: Array<{ members?: unknown[] }> };
        return (policy.bindings ?? []).flatMap((b) => (Array.isArray(b.members) ? b.members : []));
      } catch {
        return [];
      }
    default:
      return [];
  }
}

/** The current type token of an Azure role assignment, which the shared predicates take. */
export const AZURE_ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";

/** An Azure role assignment under the current token or a versioned one (azure-native 3.28.0's aliases). */
export const AZURE_ROLE_ASSIGNMENT_TYPES: ReadonlySet<string> = new Set([
  AZURE_ROLE_ASSIGNMENT,
  "azure-native:authorization/v20150701:RoleAssignment",
  "azure-native:authorization/v20171001preview:RoleAssignment",
  "azure-native:authorization/v20180101preview:RoleAssignment",
  "azure-native:authorization/v20180901preview:RoleAssignment",
  "azure-native:authorization/v20200301preview:RoleAssignment",
  "azure-native:authorization/v20200401preview:RoleAssignment",
  "azure-native:authorization/v20200801preview:RoleAssignment",
  "azure-native:authorization/v20201001preview:RoleAssignment",
  "azure-native:authorization/v20220401:RoleAssignment",
]);
