/**
 * GCP roles on single resources (gcp.resourceRoles): the IAM member types of the supported resource
 * kinds, each read back to its resource, and the members that are a service's own impersonation.
 */
import type { GcpResource } from "../../components/internal/gcpResource";
import type { PlanDocument, PlanResource } from "./modelTypes";
import { get } from "./planLookup";

/**
 * The IAM member types of the resource kinds a service may be granted roles on (gcp.resourceRoles),
 * each with its resource read back from its identifying inputs. A service account member is one on
 * a `projects/<p>/serviceAccounts/<email>` id; the kit's own impersonation grants name the account
 * by its placeholder and are read as impersonation, not as resource grants.
 */
export const GCP_RESOURCE_MEMBER_TYPES: Readonly<Record<string, (r: PlanResource) => GcpResource | undefined>> = {
  "gcp:storage/bucketIAMMember:BucketIAMMember": (r) => ({ kind: "bucket", bucket: String(get(r, "bucket")) }),
  "gcp:pubsub/topicIAMMember:TopicIAMMember": (r) => ({ kind: "topic", project: String(get(r, "project")), topic: String(get(r, "topic")) }),
  "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember": (r) => ({ kind: "subscription", project: String(get(r, "project")), subscription: String(get(r, "subscription")) }),
  "gcp:secretmanager/secretIamMember:SecretIamMember": (r) => ({ kind: "secret", project: String(get(r, "project")), secret: String(get(r, "secretId")) }),
  "gcp:bigquery/datasetIamMember:DatasetIamMember": (r) => ({ kind: "dataset", project: String(get(r, "project")), dataset: String(get(r, "datasetId")) }),
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": (r) => ({
    kind: "repository",
    project: String(get(r, "project")),
    location: String(get(r, "location")),
    repository: String(get(r, "repository")),
  }),
  "gcp:serviceaccount/iAMMember:IAMMember": (r) => {
    const id = /^projects\/([^/]+)\/serviceAccounts\/([^/]+@[^/]+)$/.exec(String(get(r, "serviceAccountId")));
    return id ? { kind: "service-account", project: id[1]!, email: id[2]! } : undefined;
  },
};
/**
 * The members that let a service impersonate its own service account (roles/iam.workloadIdentityUser
 * on the account its own component created): its trust, not a resource grant.
 */
export function ownImpersonation(plan: PlanDocument, ownerOf: (resource: PlanResource, suffix: string) => string): Set<string> {
  const accounts = plan.resources.filter((a) => a.type === "gcp:serviceaccount/account:Account");
  return new Set(
    plan.resources
      .filter((m) => m.type === "gcp:serviceaccount/iAMMember:IAMMember" && get(m, "role") === "roles/iam.workloadIdentityUser")
      .filter((m) => accounts.some((a) => String(get(a, "name")) === String(get(m, "serviceAccountId")) && ownerOf(a, "-gcp") === ownerOf(m, "-gcp")))
      .map((m) => m.urn),
  );
}

export const gcpResourceOf = (r: PlanResource): GcpResource | undefined => GCP_RESOURCE_MEMBER_TYPES[r.type]?.(r);
