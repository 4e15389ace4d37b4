import * as pulumi from "@pulumi/pulumi";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import { typeToken } from "../internal/tokens";
import { gcpSubjectPrincipal } from "../internal/trust";
import { ACCEPTED_IDENTITY_ADMIN_OUTPUT, IDENTITY_ADMIN_OPT_IN, gcpIdentityAdminRole } from "../internal/identityAdmin";

/** A project-level role, with the opt-in an identity-admin role needs. */
export interface ProjectRoleGrant {
  readonly role: string;
  /**
   * Accept a role that lets the holder act as or change identities in the project
   * (roles/iam.serviceAccountTokenCreator, roles/owner, …). Refused without it.
   */
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

    this.principal = principal;
    this.serviceAccountEmail = email;
    this.registerOutputs({
      principal: this.principal,
      serviceAccountEmail: this.serviceAccountEmail,
      ...(accepted.length ? { [ACCEPTED_IDENTITY_ADMIN_OUTPUT]: accepted } : {}),
    });
  }
}
