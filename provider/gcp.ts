import * as pulumi from "@pulumi/pulumi";
import { WorkloadIdentityPool as KitWorkloadIdentityPool } from "../components/gcp/workloadIdentityPool";
import { ServiceAccess as KitServiceAccess } from "../components/gcp/serviceAccess";
import { packageToken } from "./tokens";
import type { GcpResourceRoleSettings, GcpRoleSettings } from "./types";

/** The WorkloadIdentityPool's inputs. */
export interface WorkloadIdentityPoolArgs {
  /** Project id that holds the pool. */
  project: string;
  /** Pool id: 4-32 of [a-z0-9-], not starting with gcp-, immutable (a deleted id stays reserved for about 30 days). */
  poolId: string;
  /** The Okta issuer URL: each provider's issuerUri. */
  issuerUrl: pulumi.Input<string>;
  /** The Okta audience: each provider's only allowed audience. */
  audience: pulumi.Input<string>;
  /** OIDC providers keyed by provider id, each with the client ids its mandatory attribute condition admits. */
  providers: Record<string, pulumi.Input<string>[]>;
  /** Token claims also mapped to attribute.<claim>. */
  mappedClaims?: string[];
  /** A CEL condition ANDed to the client-id condition (e.g. on a tenant claim). */
  additionalCondition?: string;
  /** The pool's display name. */
  displayName?: string;
  /** Protect the pool and its providers from deletion (identity roots). */
  protect?: boolean;
}

/** A workload identity pool with OIDC providers for the Okta issuer, each admitting only the listed client ids. */
export class WorkloadIdentityPool extends pulumi.ComponentResource {
  /** The pool's resource name (projects/<number>/locations/global/workloadIdentityPools/<id>). */
  public readonly poolName: pulumi.Output<string>;
  /** Each provider's full resource name, by provider id: the audience of an external_account credential config. */
  public readonly providerNames: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: WorkloadIdentityPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super(packageToken("WorkloadIdentityPool"), name, {}, opts);
    const pool = new KitWorkloadIdentityPool(
      name,
      {
        project: args.project,
        poolId: args.poolId,
        issuerUrl: args.issuerUrl,
        audience: args.audience,
        providers: args.providers,
        mappedClaims: args.mappedClaims ?? undefined,
        additionalCondition: args.additionalCondition ?? undefined,
        displayName: args.displayName ?? undefined,
        protect: args.protect ?? undefined,
      },
      { parent: this },
    );
    this.poolName = pool.poolName;
    this.providerNames = pulumi.output(pool.providerNames) as pulumi.Output<Record<string, string>>;
    this.registerOutputs({ poolName: this.poolName, providerNames: this.providerNames });
  }
}

/** The ServiceAccess's inputs. */
export interface ServiceAccessArgs {
  /** Project the roles are granted in (and the service account lives in). */
  project: string;
  /** The pool's resource name (a WorkloadIdentityPool's poolName). */
  poolName: pulumi.Input<string>;
  /** The service app's client id: the token's `sub`, mapped to google.subject. */
  clientId: pulumi.Input<string>;
  /** Service account id to create and let the service impersonate; omit for direct grants to the federated principal. */
  serviceAccountId?: string;
  /** Project-level roles, granted to the service account or directly to the principal. */
  roles?: GcpRoleSettings[];
  /** Roles on single resources, keyed by a stable grant name. */
  resourceRoles?: Record<string, GcpResourceRoleSettings>;
  /** Description of the service account. */
  description?: string;
}

/** One service's GCP access: roles for its federated principal, or a service account it impersonates. */
export class ServiceAccess extends pulumi.ComponentResource {
  /** The federated principal (principal://…/subject/<client id>). */
  public readonly principal: pulumi.Output<string>;
  /** The impersonated service account's email, when serviceAccountId is given. */
  public readonly serviceAccountEmail?: pulumi.Output<string>;

  constructor(name: string, args: ServiceAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super(packageToken("ServiceAccess"), name, {}, opts);
    const access = new KitServiceAccess(
      name,
      {
        project: args.project,
        poolName: args.poolName,
        clientId: args.clientId,
        serviceAccountId: args.serviceAccountId ?? undefined,
        roles: (args.roles ?? []).map((r) => ({ role: r.role, allowIdentityAdmin: r.allowIdentityAdmin ?? undefined })),
        resourceRoles: Object.fromEntries(
          Object.entries(args.resourceRoles ?? {}).map(([k, r]) => [k, { resource: r.resource, role: r.role, allowIdentityAdmin: r.allowIdentityAdmin ?? undefined }]),
        ),
        description: args.description ?? undefined,
      },
      { parent: this },
    );
    this.principal = access.principal;
    this.serviceAccountEmail = access.serviceAccountEmail;
    this.registerOutputs({ principal: this.principal, serviceAccountEmail: this.serviceAccountEmail });
  }
}
