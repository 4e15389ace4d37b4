import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import { typeToken } from "../internal/tokens";
import { LIMITS } from "../internal/limits";
import { awsTrustPolicy } from "../internal/trust";
import { ACCEPTED_IDENTITY_ADMIN_OUTPUT, IDENTITY_ADMIN_OPT_IN, awsIdentityAdminPolicy } from "../internal/identityAdmin";

/** A managed policy to attach, with the opt-in an identity-admin policy needs. */
export interface ManagedPolicyGrant {
  readonly arn: string;
  /**
   * Accept a policy that can change other roles' trust (AdministratorAccess, IAMFullAccess, …):
   * the service could take over every other role of the account. Refused without it.
   */
  readonly allowIdentityAdmin?: boolean;
}

export interface ServiceRoleArgs {
  /** ARN of the IAM OIDC provider for the Okta issuer. */
  readonly oidcProviderArn: pulumi.Input<string>;
  /** The Okta issuer URL; condition keys are `<issuer without https://>:aud|sub`. */
  readonly issuerUrl: pulumi.Input<string>;
  /** Required `aud` (StringEquals). */
  readonly audience: pulumi.Input<string>;
  /** Required `sub` (StringEquals): the service app's client id. */
  readonly clientId: pulumi.Input<string>;
  /** Also allow `sts:TagSession`: required once the issuer sends session tags. */
  readonly allowSessionTags?: boolean;
  /** Managed policies to attach, keyed by a stable name: an ARN, or an ARN with the identity-admin opt-in. */
  readonly policies?: Readonly<Record<string, string | ManagedPolicyGrant>>;
  /** Max session duration, seconds (3600-43200). Defaults to 3600. */
  readonly maxSessionDurationSeconds?: number;
  /** Role path; defaults to `/oktafed/`. */
  readonly path?: string;
  /**
   * The role's name (at most 64 of [\w+=,.@-]). Fixed, so the ARN is known before deploy; when
   * omitted, Pulumi auto-names the role with a random suffix.
   */
  readonly roleName?: string;
  readonly permissionsBoundaryArn?: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An IAM role that exactly one Okta service app can assume with its access token
 * (AssumeRoleWithWebIdentity, `aud` and `sub` pinned with StringEquals), plus its policies.
 */
export class ServiceRole extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;
  public readonly roleName: pulumi.Output<string>;

  constructor(name: string, args: ServiceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("aws", "ServiceRole"), name, {}, opts);
    const { min, max, default: fallback } = LIMITS.aws.maxSessionDurationSeconds;
    const duration = args.maxSessionDurationSeconds ?? fallback;
    if (!Number.isInteger(duration) || duration < min || duration > max) {
      throw new pulumi.ResourceError(`maxSessionDurationSeconds must be ${min}-${max}, got ${duration}`, this);
    }
    const policyKeys = Object.keys(args.policies ?? {}).sort();
    if (policyKeys.length > LIMITS.aws.managedPoliciesPerRole) {
      throw new pulumi.ResourceError(`at most ${LIMITS.aws.managedPoliciesPerRole} managed policies per role, got ${policyKeys.length}`, this);
    }
    const grants = Object.fromEntries(policyKeys.map((key) => {
      const value = args.policies![key]!;
      return [key, typeof value === "string" ? { arn: value, allowIdentityAdmin: false } : value];
    }));
    for (const key of policyKeys) {
      const why = awsIdentityAdminPolicy(grants[key]!.arn);
      if (why && !grants[key]!.allowIdentityAdmin) {
        throw new pulumi.ResourceError(`policy ${key} (${grants[key]!.arn}) ${why}: this role's holder could take over every other role of the account; refused without ${IDENTITY_ADMIN_OPT_IN}`, this);
      }
    }

    const role = new iam.Role(
      `${name}-role`,
      {
        name: args.roleName,
        description: args.description,
        path: args.path ?? "/oktafed/",
        maxSessionDuration: duration,
        permissionsBoundary: args.permissionsBoundaryArn,
        assumeRolePolicy: pulumi
          .all([args.oidcProviderArn, args.issuerUrl, args.audience, args.clientId])
          .apply(([oidcProviderArn, issuerUrl, audience, subject]) =>
            JSON.stringify(awsTrustPolicy({ oidcProviderArn, issuerUrl, audience, subject, allowSessionTags: args.allowSessionTags })),
          ),
        tags: args.tags ? { ...args.tags } : undefined,
      },
      { parent: this },
    );

    const accepted: string[] = [];
    for (const key of policyKeys) {
      new iam.RolePolicyAttachment(`${name}-${key}`, { role: role.name, policyArn: grants[key]!.arn }, { parent: this });
      if (awsIdentityAdminPolicy(grants[key]!.arn)) accepted.push(`${name}-${key}`);
    }

    this.roleArn = role.arn;
    this.roleName = role.name;
    // The accepted identity-admin grants, by logical name: verify and the policy pack read them here.
    this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName, ...(accepted.length ? { [ACCEPTED_IDENTITY_ADMIN_OUTPUT]: accepted } : {}) });
  }
}
