import * as pulumi from "@pulumi/pulumi";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import * as pubsub from "@pulumi/gcp/pubsub";
import * as secretmanager from "@pulumi/gcp/secretmanager";
import * as bigquery from "@pulumi/gcp/bigquery";
import * as artifactregistry from "@pulumi/gcp/artifactregistry";
import { type GcpResource, gcpResourceText, parseGcpResource } from "../internal/gcpResource";
import { typeToken } from "../internal/tokens";
import { gcpSubjectPrincipal } from "../internal/trust";
import { IDENTITY_ADMIN_OPT_IN, serviceComponentOutputs, gcpIdentityAdminRole, gcpResourceIdentityAdminRole } from "../internal/identityAdmin";

/** A project-level role, with the opt-in an identity-admin role needs. */
export interface ProjectRoleGrant {
  readonly role: string;
  /**
   * Accept a role that lets the holder act as or change identities in the project
   * (roles/iam.serviceAccountTokenCreator, roles/owner, …). Refused without it.
   */
  readonly allowIdentityAdmin?: boolean;
}

/** A role on one resource, named by its full resource name (internal/gcpResource.ts lists the kinds). */
export interface ResourceRoleGrant {
  /** A full resource name, e.g. `//storage.googleapis.com/projects/_/buckets/orders-dev`. */
  readonly resource: string;
  readonly role: string;
  /** Accept a role that lets the holder act as the service account it is granted on. Refused without it. */
  readonly allowIdentityAdmin?: boolean;
}

export interface ServiceAccessArgs {
  /** Project the roles are granted in (and the service account lives in). */
  readonly project: string;
  /** The pool's resource name (`projects/<number>/locations/global/workloadIdentityPools/<id>`). */
  readonly poolName: pulumi.Input<string>;
  /** The service app's client id: the token's `sub`, mapped to `google.subject`. */
  readonly clientId: pulumi.Input<string>;
  /**
   * Service account id to create and let the service impersonate. Omit for direct grants to the
   * federated principal (Google's preferred model; use impersonation for APIs that reject
   * federated tokens: cloud.google.com/iam/docs/workload-identity-federation#impersonation).
   */
  readonly serviceAccountId?: string;
  /** Project-level roles, granted to the service account or directly to the principal. */
  readonly roles?: readonly (string | ProjectRoleGrant)[];
  /** Roles on single resources, by grant key (the logical name of the IAM member resource). */
  readonly resourceRoles?: Readonly<Record<string, ResourceRoleGrant>>;
  readonly description?: string;
}

/**
 * One service's access in GCP through its exact federated principal
 * (`principal://…/subject/<client id>`), never a whole-pool principalSet.
 */
export class ServiceAccess extends pulumi.ComponentResource {
  /** The federated principal of the service. */
  public readonly principal: pulumi.Output<string>;
  /** The impersonated service account's email, when impersonating. */
  public readonly serviceAccountEmail: pulumi.Output<string> | undefined;

  constructor(name: string, args: ServiceAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("gcp", "ServiceAccess"), name, {}, opts);
    const principal = pulumi.all([args.poolName, args.clientId]).apply(([pool, sub]) => gcpSubjectPrincipal(pool, sub));
    const grants = new Map<string, boolean>();
    for (const grant of args.roles ?? []) {
      const { role, allowIdentityAdmin } = typeof grant === "string" ? { role: grant, allowIdentityAdmin: false } : grant;
      grants.set(role, Boolean(grants.get(role)) || Boolean(allowIdentityAdmin));
    }
    const roles = [...grants.keys()].sort();
    for (const role of roles) {
      const admin = gcpIdentityAdminRole(role);
      if (admin && !grants.get(role)) {
        throw new pulumi.ResourceError(`${role} on project ${args.project} ${admin.why}: its holder could take over other identities there; refused without ${IDENTITY_ADMIN_OPT_IN}`, this);
      }
    }
    const resourceGrants = Object.entries(args.resourceRoles ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, grant]) => {
        const parsed = parseGcpResource(grant.resource);
        if (!parsed.ok) throw new pulumi.ResourceError(`resourceRoles.${key}: ${parsed.message}`, this);
        const admin = gcpResourceIdentityAdminRole(grant.role, parsed.resource);
        if (admin && !grant.allowIdentityAdmin) {
          throw new pulumi.ResourceError(`${grant.role} on ${gcpResourceText(parsed.resource)} ${admin.why}; refused without ${IDENTITY_ADMIN_OPT_IN}`, this);
        }
        return { key, role: grant.role, resource: parsed.resource, admin: Boolean(admin) };
      });

    let member: pulumi.Input<string> = principal;
    let email: pulumi.Output<string> | undefined;
    if (args.serviceAccountId !== undefined) {
      const account = new serviceaccount.Account(
        `${name}-sa`,
        {
          project: args.project,
          accountId: args.serviceAccountId,
          displayName: args.serviceAccountId,
          description: args.description ?? "Impersonated by an Okta service (okta-federation)",
        },
        { parent: this },
      );
      new serviceaccount.IAMMember(
        `${name}-impersonation`,
        { serviceAccountId: account.name, role: "roles/iam.workloadIdentityUser", member: principal },
        { parent: this },
      );
      email = account.email;
      member = pulumi.interpolate`serviceAccount:${account.email}`;
    }
    const accepted: string[] = [];
    for (const role of roles) {
      new projects.IAMMember(`${name}-${role}`, { project: args.project, role, member }, { parent: this });
      if (gcpIdentityAdminRole(role)) accepted.push(`${name}-${role}`);
    }
    for (const grant of resourceGrants) {
      const grantName = `${name}-resource-${grant.key}`;
      resourceMember(grantName, grant.resource, grant.role, member, { parent: this });
      if (grant.admin) accepted.push(grantName);
    }

    this.principal = principal;
    this.serviceAccountEmail = email;
    this.registerOutputs(serviceComponentOutputs(accepted));
  }
}

/** The provider's IAM member resource for a role on one resource, its identifying inputs from the parsed name. */
function resourceMember(name: string, resource: GcpResource, role: string, member: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  switch (resource.kind) {
    case "bucket":
      return new storage.BucketIAMMember(name, { bucket: resource.bucket, role, member }, opts);
    case "topic":
      return new pubsub.TopicIAMMember(name, { project: resource.project, topic: resource.topic, role, member }, opts);
    case "subscription":
      return new pubsub.SubscriptionIAMMember(name, { project: resource.project, subscription: resource.subscription, role, member }, opts);
    case "secret":
      return new secretmanager.SecretIamMember(name, { project: resource.project, secretId: resource.secret, role, member }, opts);
    case "dataset":
      return new bigquery.DatasetIamMember(name, { project: resource.project, datasetId: resource.dataset, role, member }, opts);
    case "repository":
      return new artifactregistry.RepositoryIamMember(name, { project: resource.project, location: resource.location, repository: resource.repository, role, member }, opts);
    case "service-account":
      return new serviceaccount.IAMMember(name, { serviceAccountId: `projects/${resource.project}/serviceAccounts/${resource.email}`, role, member }, opts);
  }
}
