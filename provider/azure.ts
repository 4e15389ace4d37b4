import * as pulumi from "@pulumi/pulumi";
import { ServiceIdentity as KitServiceIdentity } from "../components/azure/serviceIdentity";
import { packageToken } from "./tokens";
import type { AzureRoleAssignmentSettings, FederatedCredentialSettings } from "./types";

/** The ServiceIdentity's inputs. */
export interface ServiceIdentityArgs {
  /** The subscription GUID. */
  subscriptionId: string;
  /** An existing resource group for the identity. */
  resourceGroupName: string;
  /** Azure region of the identity, e.g. westeurope. */
  location: string;
  /** The identity's name: 3-128 of letters, digits, '-' and '_'. */
  identityName: string;
  /** Federated credentials keyed by credential name (3-120 characters, immutable), written one after another. */
  credentials: Record<string, FederatedCredentialSettings>;
  /** Role assignments keyed by a stable name. */
  roleAssignments?: Record<string, AzureRoleAssignmentSettings>;
  /** Protect the identity from deletion (an identity root). */
  protect?: boolean;
  /** Tags of the identity. */
  tags?: Record<string, string>;
}

/** A user-assigned managed identity whose federated credentials pin the exact issuer, subject and audience, with its role assignments. */
export class ServiceIdentity extends pulumi.ComponentResource {
  /** AZURE_CLIENT_ID for the workload. */
  public readonly clientId: pulumi.Output<string>;
  /** The identity's principal id. */
  public readonly principalId: pulumi.Output<string>;
  /** AZURE_TENANT_ID for the workload. */
  public readonly tenantId: pulumi.Output<string>;
  /** The identity's resource id. */
  public readonly identityId: pulumi.Output<string>;

  constructor(name: string, args: ServiceIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super(packageToken("ServiceIdentity"), name, {}, opts);
    const identity = new KitServiceIdentity(
      name,
      {
        subscriptionId: args.subscriptionId,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        identityName: args.identityName,
        credentials: args.credentials,
        roleAssignments: Object.fromEntries(
          Object.entries(args.roleAssignments ?? {}).map(([k, r]) => [k, { role: r.role, scope: r.scope, allowIdentityAdmin: r.allowIdentityAdmin ?? undefined }]),
        ),
        protect: args.protect ?? undefined,
        tags: args.tags ?? undefined,
      },
      { parent: this },
    );
    this.clientId = identity.clientId;
    this.principalId = identity.principalId;
    this.tenantId = identity.tenantId;
    this.identityId = identity.identityId;
    this.registerOutputs({ clientId: this.clientId, principalId: this.principalId, tenantId: this.tenantId, identityId: this.identityId });
  }
}
