import * as pulumi from "@pulumi/pulumi";
// Submodules, not the package root: the root pulls every Azure service's types into the compile (pulumi/pulumi-azure-native#1997).
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { typeToken } from "../internal/tokens";
import { LIMITS } from "../internal/limits";
import {
  azureFederatedCredential,
  azureIdentityResourceId,
  azureRoleAssignmentName,
  azureRoleDefinitionId,
} from "../internal/trust";
import { azureRoleGuid } from "../internal/azureRoles";
import { IDENTITY_ADMIN_OPT_IN, serviceComponentOutputs, azureIdentityAdminRole, azureScopeContains } from "../internal/identityAdmin";

/** One federated identity credential: the exact token it accepts. */
export interface FederatedCredentialSpec {
  /** The Okta issuer, matched exactly and case-sensitively (AADSTS7002138). */
  readonly issuerUrl: pulumi.Input<string>;
  /** The token's `sub`: the service app's client id. */
  readonly subject: pulumi.Input<string>;
  /** The token's `aud`: the authorization server's audience. */
  readonly audience: pulumi.Input<string>;
}

export interface RoleAssignmentSpec {
  /** A built-in role name (see AZURE_BUILTIN_ROLES) or a role definition GUID. */
  readonly role: string;
  /** The resource id the role applies to. */
  readonly scope: string;
  /**
   * Accept a role that can write or assign managed identities (Owner, Contributor, User Access
   * Administrator, Managed Identity Contributor/Operator, …) at a scope that holds identities.
   * Refused without it when the scope holds this identity; the Federation also checks the others.
   */
  readonly allowIdentityAdmin?: boolean;
}

export interface ServiceIdentityArgs {
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** The identity's name: 3-128 of letters, digits, `-` and `_`. Fixed, so role assignment ids are stable. */
  readonly identityName: string;
  /**
   * Federated credentials keyed by credential name (3-120 characters, immutable). Written one after
   * another: Azure rejects concurrent credential writes on one identity
   * (ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity, pulumi/pulumi-azure-native#4343).
   */
  readonly credentials: Readonly<Record<string, FederatedCredentialSpec>>;
  /** Role assignments keyed by a stable name. */
  readonly roleAssignments?: Readonly<Record<string, RoleAssignmentSpec>>;
  readonly protect?: boolean;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * One service's Azure identity: a user-assigned managed identity that trusts exactly the service's
 * Okta tokens through federated identity credentials, and its role assignments.
 * See https://learn.microsoft.com/entra/workload-id/workload-identity-federation-create-trust-user-assigned-managed-identity.
 */
export class ServiceIdentity extends pulumi.ComponentResource {
  /** The identity's client id: AZURE_CLIENT_ID of the workload. */
  public readonly clientId: pulumi.Output<string>;
  public readonly principalId: pulumi.Output<string>;
  /** The identity's tenant: AZURE_TENANT_ID of the workload. */
  public readonly tenantId: pulumi.Output<string>;
  public readonly identityId: pulumi.Output<string>;

  constructor(name: string, args: ServiceIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("azure", "ServiceIdentity"), name, {}, opts);
    const credentialNames = Object.keys(args.credentials).sort();
    const limit = LIMITS.azure;
    if (credentialNames.length === 0) throw new pulumi.ResourceError("an identity needs at least one federated credential", this);
    if (credentialNames.length > limit.credentialsPerIdentity) {
      throw new pulumi.ResourceError(`at most ${limit.credentialsPerIdentity} federated credentials per identity, got ${credentialNames.length}`, this);
    }
    for (const credentialName of credentialNames) {
      const { min, max } = limit.credentialNameLength;
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(credentialName) || credentialName.length < min || credentialName.length > max) {
        throw new pulumi.ResourceError(`credential name "${credentialName}" must be ${min}-${max} of letters, digits, '-' and '_', alphanumeric first`, this);
      }
    }

    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      {
        resourceGroupName: args.resourceGroupName,
        resourceName: args.identityName,
        location: args.location,
        tags: { "managed-by": "okta-federation", ...args.tags },
      },
      { parent: this, protect: args.protect },
    );

    let previous: pulumi.Resource | undefined;
    for (const credentialName of credentialNames) {
      const spec = args.credentials[credentialName]!;
      const fields = azureFederatedCredential(spec);
      previous = new managedidentity.FederatedIdentityCredential(
        `${name}-${credentialName}`,
        {
          resourceGroupName: args.resourceGroupName,
          resourceName: identity.name,
          federatedIdentityCredentialResourceName: credentialName,
          issuer: fields.issuer,
          subject: fields.subject,
          audiences: fields.audiences,
        },
        { parent: this, dependsOn: previous ? [previous] : [] },
      );
    }

    const identityResourceId = azureIdentityResourceId(args.subscriptionId, args.resourceGroupName, args.identityName);
    const accepted: string[] = [];
    for (const key of Object.keys(args.roleAssignments ?? {}).sort()) {
      const assignment = args.roleAssignments![key]!;
      const admin = azureIdentityAdminRole(assignment.role);
      if (admin && azureScopeContains(assignment.scope, identityResourceId)) {
        if (!assignment.allowIdentityAdmin) {
          throw new pulumi.ResourceError(`role assignment ${key}: ${admin.name} at ${assignment.scope} ${admin.why}, this identity included; refused without ${IDENTITY_ADMIN_OPT_IN}`, this);
        }
      }
      if (admin && assignment.allowIdentityAdmin) accepted.push(`${name}-${key}`);
      const roleDefinitionId = azureRoleDefinitionId(assignment.scope, args.subscriptionId, azureRoleGuid(assignment.role));
      new authorization.RoleAssignment(
        `${name}-${key}`,
        {
          roleAssignmentName: azureRoleAssignmentName(assignment.scope, identityResourceId, roleDefinitionId),
          scope: assignment.scope,
          roleDefinitionId,
          principalId: identity.principalId,
          // Skips the directory lookup that fails while a new identity is still replicating.
          principalType: "ServicePrincipal",
          description: `${name}: ${assignment.role} (okta-federation)`,
        },
        { parent: this },
      );
    }

    this.clientId = identity.clientId;
    this.principalId = identity.principalId;
    this.tenantId = identity.tenantId;
    this.identityId = identity.id;
    this.registerOutputs(serviceComponentOutputs(accepted));
  }
}
