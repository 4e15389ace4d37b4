import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/gcp/iam";
import { typeToken } from "../internal/tokens";
import { LIMITS } from "../internal/limits";
import { gcpAttributeCondition, gcpAttributeMapping } from "../internal/trust";

export interface WorkloadIdentityPoolArgs {
  /** Project id that holds the pool. */
  readonly project: string;
  /**
   * Pool id: 4-32 of [a-z0-9-], not starting with `gcp-`, immutable. A deleted pool keeps its id
   * reserved for about 30 days (cloud.google.com/iam/docs/manage-workload-identity-pools-providers),
   * so recreate under a new id (config `idSuffix`) or undelete the old pool and import it.
   */
  readonly poolId: string;
  /** The Okta issuer URL: the provider's `issuerUri`. */
  readonly issuerUrl: pulumi.Input<string>;
  /** The Okta audience: the provider's only allowed audience. */
  readonly audience: pulumi.Input<string>;
  /**
   * OIDC providers keyed by provider id (same rules as the pool id), each with the client ids its
   * attribute condition admits, in a stable order. The condition is mandatory: without it every
   * client of the authorization server could exchange tokens in the pool. Several providers share
   * one pool when one condition cannot list every client id (4096 characters); principals are
   * pool-wide, so grants do not depend on the provider.
   */
  readonly providers: Readonly<Record<string, readonly pulumi.Input<string>[]>>;
  /** Token claims also mapped to `attribute.<claim>`. */
  readonly mappedClaims?: readonly string[];
  /** A CEL condition ANDed to the client-id condition (e.g. on a tenant claim). */
  readonly additionalCondition?: string;
  readonly displayName?: string;
  readonly protect?: boolean;
  /**
   * The pool exists already and another stack owns it (a team stack in its platform's pool): its
   * full name, `projects/<number>/locations/global/workloadIdentityPools/<poolId>`. Only the
   * providers are created. Principals are pool-wide, and each provider's condition admits only this
   * stack's client ids, so no stack's provider maps another stack's tokens.
   */
  readonly existingPoolName?: pulumi.Input<string>;
  /**
   * A pool with no provider yet (the platform stack's: each team stack adds its own). Without it a
   * pool needs at least one provider.
   */
  readonly providersAddedElsewhere?: boolean;
}

function checkId(kind: string, id: string): string | undefined {
  const { min, max } = LIMITS.gcp.idLength;
  if (!/^[a-z0-9-]+$/.test(id) || id.length < min || id.length > max || id.startsWith("gcp-")) {
    return `${kind} id "${id}" must be ${min}-${max} characters of a-z, 0-9 and '-', not starting with 'gcp-'`;
  }
  return undefined;
}

/**
 * A GCP workload identity pool with an OIDC provider for the Okta issuer: exact issuer, one
 * allowed audience, `google.subject = assertion.sub`, and an attribute condition that admits only
 * the kit's client ids. See https://cloud.google.com/iam/docs/workload-identity-federation-with-other-providers.
 */
export class WorkloadIdentityPool extends pulumi.ComponentResource {
  /** `projects/<number>/locations/global/workloadIdentityPools/<id>`: the base of every principal. */
  public readonly poolName: pulumi.Output<string>;
  /** Each provider's full resource name, by provider id: the `audience` of a workload's external_account config. */
  public readonly providerNames: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: WorkloadIdentityPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("gcp", "WorkloadIdentityPool"), name, {}, opts);
    const providerIds = Object.keys(args.providers).sort();
    for (const problem of [checkId("pool", args.poolId), ...providerIds.map((id) => checkId("provider", id))]) {
      if (problem) throw new pulumi.ResourceError(problem, this);
    }
    if (providerIds.length === 0 && !args.providersAddedElsewhere) throw new pulumi.ResourceError("a pool needs at least one provider", this);
    for (const id of providerIds) {
      if (args.providers[id]!.length === 0) throw new pulumi.ResourceError(`provider ${id} needs at least one client id to admit`, this);
    }

    const pool =
      args.existingPoolName === undefined
        ? new iam.WorkloadIdentityPool(
            `${name}-pool`,
            {
              project: args.project,
              workloadIdentityPoolId: args.poolId,
              displayName: (args.displayName ?? args.poolId).slice(0, 32),
              description: "Okta service tokens (okta-federation)",
              disabled: false,
            },
            { parent: this, protect: args.protect },
          )
        : { workloadIdentityPoolId: pulumi.output(args.poolId), name: pulumi.output(args.existingPoolName) };

    const providerNames: Record<string, pulumi.Output<string>> = {};
    for (const providerId of providerIds) {
      const provider = new iam.WorkloadIdentityPoolProvider(
        `${name}-provider-${providerId}`,
        {
          project: args.project,
          workloadIdentityPoolId: pool.workloadIdentityPoolId,
          workloadIdentityPoolProviderId: providerId,
          displayName: providerId.slice(0, 32),
          description: "Okta authorization server (okta-federation)",
          attributeMapping: gcpAttributeMapping(args.mappedClaims),
          attributeCondition: pulumi.all([...args.providers[providerId]!]).apply((ids) => gcpAttributeCondition(ids, args.additionalCondition)),
          oidc: { issuerUri: args.issuerUrl, allowedAudiences: [args.audience] },
        },
        { parent: this, protect: args.protect },
      );
      providerNames[providerId] = provider.name;
    }

    this.poolName = pool.name;
    this.providerNames = providerNames;
    this.registerOutputs({ poolName: this.poolName, providerNames: this.providerNames });
  }
}
