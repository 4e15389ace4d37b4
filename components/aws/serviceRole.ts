import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import { typeToken } from "../internal/tokens";
import { LIMITS } from "../internal/limits";
import { awsTrustPolicy } from "../internal/trust";
import { IDENTITY_ADMIN_OPT_IN, serviceComponentOutputs, awsIdentityAdminInline, awsIdentityAdminPolicy } from "../internal/identityAdmin";
import { inlinePolicyDocument, inlineStatementProblems, policySize, type InlineStatement } from "../internal/awsPolicy";
import { customerManagedPolicyArns, type AwsIdentityReach } from "../internal/awsIdentityAdmin";

/** A managed policy to attach, with the opt-in an identity-admin policy needs. */
export interface ManagedPolicyGrant {
  readonly arn: string;
  /**
   * Accept a policy that can change other roles' trust (AdministratorAccess, IAMFullAccess, …):
   * the service could take over every other role of the account. Refused without it.
   */
  readonly allowIdentityAdmin?: boolean;
}

/** An inline policy: its statements, with the opt-in an identity-admin policy needs. */
export interface InlinePolicyGrant {
  /** Statements in IAM's terms: effect (Allow or Deny), actions, resources and optional conditions. */
  readonly statements: readonly InlineStatement[];
  /**
   * Accept statements that rewrite the stack's roles, their trust or policies, or the OIDC provider
   * (iam:UpdateAssumeRolePolicy, iam:PutRolePolicy, …): refused without it.
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
  /**
   * Inline policies, keyed by their name (an IAM role policy each): actions are checked against the
   * IAM action catalogue, resources against ARN formats and the actions' resource types, the
   * policies together against IAM's per-role size quota.
   */
  readonly inlinePolicies?: Readonly<Record<string, InlinePolicyGrant>>;
  /**
   * The customer managed policies attached to any role of the stack: a statement that can rewrite
   * one of them is identity-admin. Defaults to those in `policies`.
   */
  readonly stackPolicyArns?: readonly string[];
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
    const path = args.path ?? "/oktafed/";
    const reach: AwsIdentityReach = {
      rolePath: path,
      attachedPolicyArns: args.stackPolicyArns ?? customerManagedPolicyArns(policyKeys.map((key) => grants[key]!.arn)),
    };
    // Each grant judged once: refused without the opt-in, or listed as accepted by its logical name.
    const accepted: string[] = [];
    for (const key of policyKeys) {
      const why = awsIdentityAdminPolicy(grants[key]!.arn, reach);
      if (why && !grants[key]!.allowIdentityAdmin) {
        throw new pulumi.ResourceError(`policy ${key} (${grants[key]!.arn}) ${why}: this role's holder could take over every other role of the account; refused without ${IDENTITY_ADMIN_OPT_IN}`, this);
      }
      if (why) accepted.push(`${name}-${key}`);
    }

    const inlineKeys = Object.keys(args.inlinePolicies ?? {}).sort();
    const documents = new Map<string, string>();
    let inlineSize = 0;
    for (const key of inlineKeys) {
      const { statements, allowIdentityAdmin } = args.inlinePolicies![key]!;
      const problems = statements.flatMap((s, i) => inlineStatementProblems(s).map((p) => `statements[${i}].${p.field}: ${p.message}`));
      if (statements.length === 0) problems.push("has no statement");
      if (problems.length) throw new pulumi.ResourceError(`inline policy ${key}: ${problems.join("; ")}`, this);
      const document = inlinePolicyDocument(statements);
      inlineSize += policySize(document);
      documents.set(key, JSON.stringify(document));
      const why = awsIdentityAdminInline(statements, reach);
      if (why && !allowIdentityAdmin) {
        throw new pulumi.ResourceError(`inline policy ${key}: ${why}: this role's holder could take over every other role of the account; refused without ${IDENTITY_ADMIN_OPT_IN}`, this);
      }
      if (why) accepted.push(`${name}-inline-${key}`);
    }
    if (inlineSize > LIMITS.aws.inlinePolicyCharactersPerRole) {
      throw new pulumi.ResourceError(`the inline policies come to ${inlineSize} characters without white space; IAM allows ${LIMITS.aws.inlinePolicyCharactersPerRole} per role`, this);
    }

    const role = new iam.Role(
      `${name}-role`,
      {
        name: args.roleName,
        description: args.description,
        path,
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

    for (const key of policyKeys) {
      new iam.RolePolicyAttachment(`${name}-${key}`, { role: role.name, policyArn: grants[key]!.arn }, { parent: this });
    }
    // One role policy per key, named by the key. A new name or role replaces it; a new document is
    // written in place with PutRolePolicy (terraform-provider-aws internal/service/iam/role_policy.go
    // at 02f97af8: "name" and "role" ForceNew, "policy" updated by the same Put).
    for (const key of inlineKeys) {
      new iam.RolePolicy(`${name}-inline-${key}`, { name: key, role: role.name, policy: documents.get(key)! }, { parent: this });
    }

    this.roleArn = role.arn;
    this.roleName = role.name;
    // The accepted identity-admin grants, by logical name: verify and the policy pack read them here.
    this.registerOutputs(serviceComponentOutputs(accepted));
  }
}
