import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import { typeToken } from "../internal/tokens";

export interface OidcProviderArgs {
  /** The Okta issuer URL (`iss`); it becomes the provider URL. */
  readonly issuerUrl: pulumi.Input<string>;
  /** The authorization server's audience; the provider's only client id. */
  readonly audience: pulumi.Input<string>;
  /**
   * ARN of the account's existing provider for this issuer. IAM allows one provider per URL per
   * account, so a second stack creating it fails with EntityAlreadyExists; adopt it instead.
   * The existing provider's client id list must contain {@link audience}.
   */
  readonly existingProviderArn?: string;
  /**
   * Server certificate thumbprints. Optional and normally omitted: IAM then secures the
   * connection with its own trusted CA library (docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html).
   */
  readonly thumbprints?: readonly string[];
  readonly protect?: boolean;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The IAM OIDC identity provider for the Okta issuer, created or adopted.
 * See https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html.
 */
export class OidcProvider extends pulumi.ComponentResource {
  public readonly providerArn: pulumi.Output<string>;
  /** The issuer the roles' condition keys are derived from. */
  public readonly issuerUrl: pulumi.Output<string>;

  constructor(name: string, args: OidcProviderArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("aws", "OidcProvider"), name, {}, opts);
    if (args.existingProviderArn !== undefined) {
      this.providerArn = pulumi.output(args.existingProviderArn);
    } else {
      const provider = new iam.OpenIdConnectProvider(
        `${name}-provider`,
        {
          url: args.issuerUrl,
          clientIdLists: [args.audience],
          thumbprintLists: args.thumbprints ? [...args.thumbprints] : undefined,
          tags: args.tags ? { ...args.tags } : undefined,
        },
        { parent: this, protect: args.protect },
      );
      this.providerArn = provider.arn;
    }
    this.issuerUrl = pulumi.output(args.issuerUrl);
    this.registerOutputs({ providerArn: this.providerArn, issuerUrl: this.issuerUrl });
  }
}
