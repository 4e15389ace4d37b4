import * as pulumi from "@pulumi/pulumi";
import { OidcProvider as KitOidcProvider } from "../components/aws/oidcProvider";
import { ServiceRole as KitServiceRole, type InlinePolicyGrant } from "../components/aws/serviceRole";
import { oneOf, packageToken } from "./tokens";
import type { InlinePolicySettings, ManagedPolicySettings } from "./types";

/** The OidcProvider's inputs. */
export interface OidcProviderArgs {
  /** The Okta issuer URL (`iss`); it becomes the provider URL. */
  issuerUrl: pulumi.Input<string>;
  /** The authorization server's audience: the provider's only client id. */
  audience: pulumi.Input<string>;
  /** ARN of the account's existing provider for this issuer, to adopt it (IAM allows one provider per URL per account). */
  existingProviderArn?: string;
  /** Server certificate thumbprints; normally omitted (IAM then uses its own trusted CAs). */
  thumbprints?: string[];
  /** Protect the provider from deletion (an identity root). */
  protect?: boolean;
  /** Tags of the provider. */
  tags?: Record<string, string>;
}

/** The IAM OIDC provider for the Okta issuer (or an adopted one): what every service role trusts. */
export class OidcProvider extends pulumi.ComponentResource {
  /** The provider's ARN: the federated principal of every service role. */
  public readonly providerArn: pulumi.Output<string>;
  /** The issuer URL the provider was created for. */
  public readonly issuerUrl: pulumi.Output<string>;

  constructor(name: string, args: OidcProviderArgs, opts?: pulumi.ComponentResourceOptions) {
    super(packageToken("OidcProvider"), name, {}, opts);
    const provider = new KitOidcProvider(
      name,
      {
        issuerUrl: args.issuerUrl,
        audience: args.audience,
        existingProviderArn: args.existingProviderArn ?? undefined,
        thumbprints: args.thumbprints ?? undefined,
        protect: args.protect ?? undefined,
        tags: args.tags ?? undefined,
      },
      { parent: this },
    );
    this.providerArn = provider.providerArn;
    this.issuerUrl = provider.issuerUrl;
    this.registerOutputs({ providerArn: this.providerArn, issuerUrl: this.issuerUrl });
  }
}

/** The ServiceRole's inputs. */
export interface ServiceRoleArgs {
  /** ARN of the IAM OIDC provider for the Okta issuer (an OidcProvider's providerArn). */
  oidcProviderArn: pulumi.Input<string>;
  /** The Okta issuer URL; the trust's condition keys are `<issuer without https://>:aud` and `:sub`. */
  issuerUrl: pulumi.Input<string>;
  /** The required `aud` (StringEquals). */
  audience: pulumi.Input<string>;
  /** The required `sub` (StringEquals): the service app's client id. */
  clientId: pulumi.Input<string>;
  /** Also allow sts:TagSession: required once the issuer sends session tags. */
  allowSessionTags?: boolean;
  /** Managed policies to attach, keyed by a stable name. */
  policies?: Record<string, ManagedPolicySettings>;
  /** Inline policies, keyed by their name (one IAM role policy each), checked against the IAM action catalogue. */
  inlinePolicies?: Record<string, InlinePolicySettings>;
  /** Max session duration, seconds (3600-43200). Defaults to 3600. */
  maxSessionDurationSeconds?: number;
  /** Role path; defaults to /oktafed/. */
  path?: string;
  /** The role's name (at most 64 of [\w+=,.@-]); auto-named when omitted. */
  roleName?: string;
  /** A permissions boundary for the role. */
  permissionsBoundaryArn?: string;
  /** The role's description. */
  description?: string;
  /** Tags of the role. */
  tags?: Record<string, string>;
}

/** An IAM role that trusts exactly one Okta client id (aud and sub pinned by StringEquals), with its policies. */
export class ServiceRole extends pulumi.ComponentResource {
  /** AWS_ROLE_ARN for the workload. */
  public readonly roleArn: pulumi.Output<string>;
  /** The role's name. */
  public readonly roleName: pulumi.Output<string>;

  constructor(name: string, args: ServiceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super(packageToken("ServiceRole"), name, {}, opts);
    const inlinePolicies: Record<string, InlinePolicyGrant> = {};
    for (const [key, policy] of Object.entries(args.inlinePolicies ?? {})) {
      inlinePolicies[key] = {
        allowIdentityAdmin: policy.allowIdentityAdmin ?? undefined,
        statements: policy.statements.map((s, i) => ({
          effect: oneOf(s.effect ?? undefined, ["Allow", "Deny"], `inlinePolicies.${key}.statements[${i}].effect`, this) ?? "Allow",
          actions: s.actions,
          resources: s.resources,
          ...(s.conditions ? { conditions: s.conditions } : {}),
        })),
      };
    }
    const role = new KitServiceRole(
      name,
      {
        oidcProviderArn: args.oidcProviderArn,
        issuerUrl: args.issuerUrl,
        audience: args.audience,
        clientId: args.clientId,
        allowSessionTags: args.allowSessionTags ?? undefined,
        policies: Object.fromEntries(Object.entries(args.policies ?? {}).map(([k, p]) => [k, { arn: p.arn, allowIdentityAdmin: p.allowIdentityAdmin ?? undefined }])),
        inlinePolicies,
        maxSessionDurationSeconds: args.maxSessionDurationSeconds ?? undefined,
        path: args.path ?? undefined,
        roleName: args.roleName ?? undefined,
        permissionsBoundaryArn: args.permissionsBoundaryArn ?? undefined,
        description: args.description ?? undefined,
        tags: args.tags ?? undefined,
      },
      { parent: this },
    );
    this.roleArn = role.roleArn;
    this.roleName = role.roleName;
    this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName });
  }
}
