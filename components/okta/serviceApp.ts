import * as pulumi from "@pulumi/pulumi";
import * as oktaApp from "@pulumi/okta/app";
import * as oktaAuth from "@pulumi/okta/auth";
import { typeToken } from "../internal/tokens";
import { LIMITS } from "../internal/limits";
import { OKTA_SERVER_BOUND_INPUTS } from "../internal/replacements";
import { serviceComponentOutputs } from "../internal/identityAdmin";

/** A public key of the service (JWK). Only public members: the private key never leaves the service. */
export interface ServiceJwk {
  readonly kid: string;
  readonly kty: "RSA" | "EC";
  readonly n?: string;
  readonly e?: string;
  readonly x?: string;
  readonly y?: string;
  /**
   * The curve of an EC key (P-256, P-384, P-521); config requires it. Not sent to Okta: the
   * provider's app JWKS has no crv (@pulumi/okta 7.0.0 OAuthJwk: kid, kty, e, n, x, y;
   * terraform-provider-okta resource_okta_app_oauth.go buildAppOAuthV6 builds EC keys from kty, x, y,
   * kid), and it refuses a key it does not know (terraform-plugin-sdk schemaMap validateObject:
   * "Invalid or unknown key").
   */
  readonly crv?: "P-256" | "P-384" | "P-521";
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
   * The access policy's priority at creation, distinct among one server's policies; defaults to 1
   * (the top). A Federation gives each policy its own (oktaPolicyPriority in
   * internal/oktaPriorities.ts): beyond the count on a server it creates, so each new policy goes to
   * the bottom and none is renumbered. See {@link ServiceApp}.
   */
  readonly policyPriority?: number;
  /**
   * An Okta write of this server that must finish before this service's policy is written (the
   * previous service's {@link ServiceApp.lastOrderedWrite}): Okta fails parallel policy writes of one
   * server (HTTP 500, or 423 E0000239 "priorities are being reconciled").
   */
  readonly writeAfter?: pulumi.Resource;
  /** An Okta write that must finish before this service's app is created: the previous app of its lane (oktaWriteOrder). */
  readonly appAfter?: pulumi.Resource;
  readonly auth: ServiceAuth;
  /** Token inline hook to run for this service's tokens. */
  readonly inlineHookId?: pulumi.Input<string>;
  readonly description?: string;
}

/**
 * One service's Okta identity: an OAuth *service* app (client_credentials only), an access policy
 * that whitelists exactly that app, and one rule granting exactly its scopes and token lifetime.
 *
 * Priorities: each policy holds one rule at priority 1, which Okta never renumbers. The policy is
 * created at {@link ServiceAppArgs.policyPriority} and its priority is then ignored
 * (`ignoreChanges`): Okta keeps a server's priorities contiguous, so it stores another number than
 * a priority beyond the count (okta/terraform-provider-okta#2140), and an update re-sends the
 * priority last read into state (resource_okta_auth_server_policy.go buildAuthServerPolicy sends
 * `d.Get("priority")`; pulumi-terraform-bridge drops an ignored attribute from the diff, so that is
 * the state's value). Every policy whitelists a different single client, so the kit's policies'
 * order among themselves cannot change a token decision.
 *
 * Ordering: the policy is written after {@link ServiceAppArgs.writeAfter} and the rule after the
 * policy, so a Federation writes one server's policies and rules one at a time, in service-key
 * order (Okta answers parallel policy writes with 500 or 423 E0000239, which the provider does not
 * retry: okta/api/api.go checkRetry; okta/terraform-provider-okta#1198, #2151). The provider locks
 * rule writes among themselves (resource_okta_auth_server_policy_rule.go, oktaMutexKV) but not
 * against policy writes, so the rule is in the chain too: {@link ServiceApp.lastOrderedWrite}.
 */
export class ServiceApp extends pulumi.ComponentResource {
  /** The app's client id: `sub` and `cid` of its client-credentials tokens. */
  public readonly clientId: pulumi.Output<string>;
  /** The generated client secret, as a Pulumi secret; undefined unless kept in state. */
  public readonly clientSecret: pulumi.Output<string> | undefined;
  public readonly policyId: pulumi.Output<string>;
  /** This service's rule, written after its policy: the next service's policy waits for it (one server's policies and rules are written one at a time). */
  public readonly lastOrderedWrite: pulumi.Resource;
  /** This service's app: the next app of its lane waits for it. */
  public readonly appWrite: pulumi.Resource;

  constructor(name: string, args: ServiceAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("okta", "ServiceApp"), name, {}, opts);
    const { min, max } = LIMITS.okta.tokenLifetimeMinutes;
    if (!Number.isInteger(args.tokenLifetimeMinutes) || args.tokenLifetimeMinutes < min || args.tokenLifetimeMinutes > max) {
      throw new pulumi.ResourceError(`tokenLifetimeMinutes must be ${min}-${max}, got ${args.tokenLifetimeMinutes}`, this);
    }
    if (args.scopes.length === 0) throw new pulumi.ResourceError("a service needs at least one scope", this);

    const auth = args.auth;
    const app = new oktaApp.OAuth(
      `${name}-app`,
      {
        label: args.label,
        type: "service",
        grantTypes: ["client_credentials"],
        responseTypes: ["token"],
        tokenEndpointAuthMethod: auth.method,
        ...(auth.method === "private_key_jwt"
          ? { jwks: auth.jwks?.map(({ crv: _crv, ...k }) => ({ ...k })), jwksUri: auth.jwksUri, omitSecret: true }
          : { omitSecret: !auth.keepSecretInState }),
        pkceRequired: false,
        adminNote: args.description,
        // On update the provider assigns an authentication (sign-on) policy unless told not to, and Okta
        // refuses that for service apps (400), so every later change of the app, a key rotation included,
        // would fail (terraform-provider-okta resource_okta_app_oauth.go: create skips it for type
        // service, update calls createOrUpdateAuthenticationPolicy unless skip_authentication_policy;
        // okta/terraform-provider-okta#2295). A service app has no user sign-on to govern.
        skipAuthenticationPolicy: true,
      },
      { parent: this, additionalSecretOutputs: ["clientSecret"], dependsOn: args.appAfter ? [args.appAfter] : [] },
    );

    const policy = new oktaAuth.ServerPolicy(
      `${name}-policy`,
      {
        authServerId: args.authServerId,
        name: args.label,
        description: args.description ?? `Client credentials for ${args.label} (okta-federation)`,
        priority: args.policyPriority ?? 1,
        clientWhitelists: [app.clientId],
        status: "ACTIVE",
      },
      // replaceOnChanges: the provider updates auth_server_id in place, sending this policy's id to
      // another server (404); see OKTA_SERVER_BOUND_INPUTS in internal/replacements.ts.
      { parent: this, ignoreChanges: ["priority"], dependsOn: args.writeAfter ? [args.writeAfter] : [], replaceOnChanges: [...OKTA_SERVER_BOUND_INPUTS.policy] },
    );

    // A client_credentials token has no user, so the people condition decides nothing; it is set to
    // EVERYONE explicitly because the provider reads group_whitelist back from Okta into state (it is
    // neither computed nor defaulted: resource_okta_auth_server_policy_rule.go setPeopleAssignments),
    // so leaving it empty would show a diff on every preview if Okta stores its EVERYONE default.
    const rule = new oktaAuth.ServerPolicyRule(
      `${name}-rule`,
      {
        authServerId: args.authServerId,
        policyId: policy.id,
        name: "client-credentials",
        priority: 1,
        grantTypeWhitelists: ["client_credentials"],
        groupWhitelists: ["EVERYONE"],
        scopeWhitelists: [...args.scopes],
        accessTokenLifetimeMinutes: args.tokenLifetimeMinutes,
        inlineHookId: args.inlineHookId,
        status: "ACTIVE",
      },
      // A rule moved to another server or policy is replaced, not updated with its old id (replacements.ts).
      { parent: this, replaceOnChanges: [...OKTA_SERVER_BOUND_INPUTS.rule] },
    );

    this.clientId = app.clientId;
    this.clientSecret = auth.method === "client_secret_basic" && auth.keepSecretInState ? pulumi.secret(app.clientSecret) : undefined;
    this.policyId = policy.id;
    this.lastOrderedWrite = rule;
    this.appWrite = app;
    this.registerOutputs(serviceComponentOutputs([]));
  }
}
