import * as pulumi from "@pulumi/pulumi";
import * as okta from "@pulumi/okta";
import { typeToken } from "../internal/tokens";
import { LIMITS } from "../internal/limits";

/** A public key of the service (JWK). Only public members: the private key never leaves the service. */
export interface ServiceJwk {
  readonly kid: string;
  readonly kty: "RSA" | "EC";
  readonly n?: string;
  readonly e?: string;
  readonly x?: string;
  readonly y?: string;
}

/**
 * How the service authenticates to Okta's token endpoint. `private_key_jwt` (recommended) keeps no secret anywhere but with the service; `client_secret_basic` makes Okta
 * generate a secret.
 */
export type ServiceAuth =
  | { readonly method: "private_key_jwt"; readonly jwks?: readonly ServiceJwk[]; readonly jwksUri?: string }
  | {
      readonly method: "client_secret_basic";
      /**
       * Keep the generated secret in Pulumi state, where it is encrypted and exported only as a
       * secret. Defaults to false: the provider's `omitSecret` keeps it out of state entirely and the
       * secret is read once from the Okta console. Changing true -> false keeps the app; changing
       * false -> true makes the provider replace the app (new client id).
       */
      readonly keepSecretInState?: boolean;
    };

export interface ServiceAppArgs {
  /** Id of the authorization server whose tokens the service requests. */
  readonly authServerId: pulumi.Input<string>;
  /** App label shown in Okta. */
  readonly label: string;
  /** Scope names the service may request: the rule's scope whitelist (never `*`). */
  readonly scopes: readonly pulumi.Input<string>[];
  /** Access-token lifetime in minutes, 5-1440. */
  readonly tokenLifetimeMinutes: number;
  /**
   * The access policy's priority. Policies of different services whitelist disjoint clients, so
   * their order has no effect on which rule matches; see {@link ServiceApp}.
   */
  readonly policyPriority: number;
  readonly auth: ServiceAuth;
  /** Token inline hook to run for this service's tokens. */
  readonly inlineHookId?: pulumi.Input<string>;
  readonly description?: string;
}

/**
 * One service's Okta identity: an OAuth *service* app (client_credentials only), an access policy
 * that whitelists exactly that app, and one rule granting exactly its scopes and token lifetime.
 *
 * Priorities: each policy holds one rule at priority 1, which Okta never renumbers. Policy
 * priorities are derived from the sorted service keys and then ignored after creation
 * (`ignoreChanges`): Okta renumbers priorities as policies come and go
 * (okta/terraform-provider-okta#2140, #2305), and because every policy whitelists a different
 * single client, their relative order cannot change any token decision. So there is no drift, no
 * update to other services when one is added, and no dependency chain between services.
 */
export class ServiceApp extends pulumi.ComponentResource {
  /** The app's client id: `sub` and `cid` of its client-credentials tokens. */
  public readonly clientId: pulumi.Output<string>;
  /** The generated client secret, as a Pulumi secret; undefined unless kept in state. */
  public readonly clientSecret: pulumi.Output<string> | undefined;
  public readonly policyId: pulumi.Output<string>;

  constructor(name: string, args: ServiceAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("okta", "ServiceApp"), name, {}, opts);
    const { min, max } = LIMITS.okta.tokenLifetimeMinutes;
    if (!Number.isInteger(args.tokenLifetimeMinutes) || args.tokenLifetimeMinutes < min || args.tokenLifetimeMinutes > max) {
      throw new pulumi.ResourceError(`tokenLifetimeMinutes must be ${min}-${max}, got ${args.tokenLifetimeMinutes}`, this);
    }
    if (args.scopes.length === 0) throw new pulumi.ResourceError("a service needs at least one scope", this);

    const auth = args.auth;
    const app = new okta.app.OAuth(
      `${name}-app`,
      {
        label: args.label,
        type: "service",
        grantTypes: ["client_credentials"],
        responseTypes: ["token"],
        tokenEndpointAuthMethod: auth.method,
        ...(auth.method === "private_key_jwt"
          ? { jwks: auth.jwks?.map((k) => ({ ...k })), jwksUri: auth.jwksUri, omitSecret: true }
          : { omitSecret: !auth.keepSecretInState }),
        pkceRequired: false,
        adminNote: args.description,
      },
      { parent: this, additionalSecretOutputs: ["clientSecret"] },
    );

    const policy = new okta.auth.ServerPolicy(
      `${name}-policy`,
      {
        authServerId: args.authServerId,
        name: args.label,
        description: args.description ?? `Client credentials for ${args.label} (okta-federation)`,
        priority: args.policyPriority,
        clientWhitelists: [app.clientId],
        status: "ACTIVE",
      },
      { parent: this, ignoreChanges: ["priority"] },
    );

    // client_credentials rules need no user or group whitelist (okta/terraform-provider-okta#347).
    new okta.auth.ServerPolicyRule(
      `${name}-rule`,
      {
        authServerId: args.authServerId,
        policyId: policy.id,
        name: "client-credentials",
        priority: 1,
        grantTypeWhitelists: ["client_credentials"],
        scopeWhitelists: [...args.scopes],
        accessTokenLifetimeMinutes: args.tokenLifetimeMinutes,
        inlineHookId: args.inlineHookId,
        status: "ACTIVE",
      },
      { parent: this },
    );

    this.clientId = app.clientId;
    this.clientSecret = auth.method === "client_secret_basic" && auth.keepSecretInState ? pulumi.secret(app.clientSecret) : undefined;
    this.policyId = policy.id;
    this.registerOutputs({ clientId: this.clientId, policyId: this.policyId });
  }
}
