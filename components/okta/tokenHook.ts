import * as pulumi from "@pulumi/pulumi";
import * as inline from "@pulumi/okta/inline";
import { typeToken } from "../internal/tokens";
import { LIMITS } from "../internal/limits";

export interface TokenHookArgs {
  /** Hook name in Okta. */
  readonly hookName: string;
  /** The https endpoint Okta calls for each token (3 s timeout, no retries). */
  readonly url: string;
  /** Header Okta sends with each call; defaults to `Authorization`. */
  readonly authHeader?: string;
  /** The header's value. Always held as a Pulumi secret. */
  readonly authValue: pulumi.Input<string>;
}

/**
 * An Okta token inline hook (`com.okta.oauth2.tokens.transform`), attached to the rules that ask
 * for it. Hooks fail open: on a timeout or an error response Okta issues the token unmodified
 * (developer.okta.com/docs/reference/token-hook), so never rely on a hook-added claim for a grant.
 */
export class TokenHook extends pulumi.ComponentResource {
  public readonly hookId: pulumi.Output<string>;

  constructor(name: string, args: TokenHookArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("okta", "TokenHook"), name, {}, opts);
    if (!args.url.startsWith("https://")) throw new pulumi.ResourceError(`the hook url must be https, got ${args.url}`, this);
    const hook = new inline.Hook(
      `${name}-hook`,
      {
        name: args.hookName,
        type: LIMITS.okta.tokenHookType,
        version: LIMITS.okta.tokenHookVersion,
        status: "ACTIVE",
        // Channel and auth maps as in okta/terraform-provider-okta examples/okta_inline_hook/*.tf.
        channel: { type: "HTTP", version: "1.0.0", uri: args.url, method: "POST" },
        // The whole auth map is one secret: Pulumi tracks secrecy per input property.
        auth: pulumi.secret(
          pulumi.output(args.authValue).apply((value) => ({ key: args.authHeader ?? "Authorization", type: "HEADER", value })),
        ),
      },
      { parent: this, additionalSecretOutputs: ["auth"] },
    );
    this.hookId = hook.id;
    this.registerOutputs({ hookId: this.hookId });
  }
}
