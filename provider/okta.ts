import * as pulumi from "@pulumi/pulumi";
import { AuthorizationServer as KitAuthorizationServer, type ClaimSpec } from "../components/okta/authorizationServer";
import { ServiceApp as KitServiceApp, type ServiceAuth, type ServiceJwk } from "../components/okta/serviceApp";
import { oneOf, packageToken } from "./tokens";
import type { ClaimSettings, ScopeSettings, ServiceAuthSettings } from "./types";

/** The AuthorizationServer's inputs. */
export interface AuthorizationServerArgs {
  /** Display name of the created server in Okta. Required unless adopting with existingServerId. */
  serverName?: string;
  /** Description of the created server. */
  description?: string;
  /** The single audience (`aud`) of every access token, which every cloud trusts. */
  audience: string;
  /** ORG_URL (default) or CUSTOM_URL. DYNAMIC is not offered: `iss` would vary per request. */
  issuerMode?: string;
  /** Signing key rotation: AUTO (default) or MANUAL. */
  keyRotation?: string;
  /** Adopt an existing authorization server by id (e.g. `default`) instead of creating one; its audience must equal `audience`. */
  existingServerId?: string;
  /** The adopted server's issuer, exactly; every trust is built from it and it is checked against Okta's at deploy. */
  existingIssuer?: string;
  /** Custom scopes, keyed by scope name. */
  scopes?: Record<string, ScopeSettings>;
  /** Custom access-token claims, keyed by claim name: each `{ value }` or `{ expression }`. */
  claims?: Record<string, ClaimSettings>;
  /** Protect the server from deletion (it is an identity root: every cloud trusts its issuer). */
  protect?: boolean;
}

/** An Okta custom authorization server (or an adopted one by id) with its scopes and claims: the issuer every cloud trusts. */
export class AuthorizationServer extends pulumi.ComponentResource {
  /** The authorization server's id. */
  public readonly serverId: pulumi.Output<string>;
  /** `iss` of its tokens, exactly. */
  public readonly issuerUrl: pulumi.Output<string>;
  /** `aud` of its tokens. */
  public readonly audience: pulumi.Output<string>;
  /** Scope names as created in Okta, by scope key. */
  public readonly scopeNames: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: AuthorizationServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(packageToken("AuthorizationServer"), name, {}, opts);
    const claims: Record<string, ClaimSpec> = {};
    for (const [key, claim] of Object.entries(args.claims ?? {})) {
      const scopes = claim.scopes ?? undefined;
      if ((claim.value ?? undefined) !== undefined && (claim.expression ?? undefined) === undefined) claims[key] = { value: claim.value!, scopes };
      else if ((claim.expression ?? undefined) !== undefined && (claim.value ?? undefined) === undefined) claims[key] = { expression: claim.expression!, scopes };
      else throw new pulumi.ResourceError(`claims.${key}: give exactly one of value and expression`, this, true);
    }
    const server = new KitAuthorizationServer(
      name,
      {
        serverName: args.serverName ?? undefined,
        description: args.description ?? undefined,
        audience: args.audience,
        issuerMode: oneOf(args.issuerMode, ["ORG_URL", "CUSTOM_URL"], "issuerMode", this),
        keyRotation: oneOf(args.keyRotation, ["AUTO", "MANUAL"], "keyRotation", this),
        existingServerId: args.existingServerId ?? undefined,
        existingIssuer: args.existingIssuer ?? undefined,
        scopes: Object.fromEntries(Object.entries(args.scopes ?? {}).map(([k, v]) => [k, { description: v?.description ?? undefined }])),
        claims,
        protect: args.protect ?? undefined,
      },
      { parent: this },
    );
    this.serverId = server.serverId;
    this.issuerUrl = server.issuerUrl;
    this.audience = server.audience;
    this.scopeNames = pulumi.output(server.scopeNames) as pulumi.Output<Record<string, string>>;
    this.registerOutputs({ serverId: this.serverId, issuerUrl: this.issuerUrl, audience: this.audience, scopeNames: this.scopeNames });
  }
}

/** The ServiceApp's inputs. */
export interface ServiceAppArgs {
  /** Id of the authorization server whose tokens the service requests (e.g. an AuthorizationServer's serverId). */
  authServerId: pulumi.Input<string>;
  /** App label shown in Okta. */
  label: string;
  /** Scope names the service may request: the rule's scope whitelist (never `*`). */
  scopes: pulumi.Input<string>[];
  /** Access-token lifetime in minutes, 5-1440. */
  tokenLifetimeMinutes: number;
  /** How the service authenticates to Okta's token endpoint. */
  auth: ServiceAuthSettings;
  /** The access policy's priority at creation, distinct among one server's policies (default 1). */
  policyPriority?: number;
  /** Token inline hook to run for this service's tokens. */
  inlineHookId?: pulumi.Input<string>;
  /** Description of the app. */
  description?: string;
}

/** An Okta service app (client credentials only), an access policy for exactly it, and one rule granting exactly its scopes. */
export class ServiceApp extends pulumi.ComponentResource {
  /** The service's client id (`sub` = `cid` of its tokens). */
  public readonly clientId: pulumi.Output<string>;
  /** The access policy's id. */
  public readonly policyId: pulumi.Output<string>;
  /** The client secret, for client_secret_basic with keepSecretInState (a secret). */
  public readonly clientSecret?: pulumi.Output<string>;

  constructor(name: string, args: ServiceAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super(packageToken("ServiceApp"), name, {}, opts);
    const app = new KitServiceApp(
      name,
      {
        authServerId: args.authServerId,
        label: args.label,
        scopes: args.scopes,
        tokenLifetimeMinutes: args.tokenLifetimeMinutes,
        auth: serviceAuth(args.auth, this),
        policyPriority: args.policyPriority ?? undefined,
        inlineHookId: args.inlineHookId ?? undefined,
        description: args.description ?? undefined,
      },
      { parent: this },
    );
    this.clientId = app.clientId;
    this.policyId = app.policyId;
    this.clientSecret = app.clientSecret;
    this.registerOutputs({ clientId: this.clientId, policyId: this.policyId, clientSecret: this.clientSecret });
  }
}

function serviceAuth(auth: ServiceAuthSettings, resource: pulumi.Resource): ServiceAuth {
  const method = oneOf(auth.method, ["private_key_jwt", "client_secret_basic"], "auth.method", resource)!;
  if (method === "client_secret_basic") return { method, keepSecretInState: auth.keepSecretInState ?? undefined };
  const jwks = auth.jwks?.map((jwk, i): ServiceJwk => {
    const kty = oneOf(jwk.kty, ["RSA", "EC"], `auth.jwks[${i}].kty`, resource)!;
    const crv = oneOf(jwk.crv ?? undefined, ["P-256", "P-384", "P-521"], `auth.jwks[${i}].crv`, resource);
    return { kid: jwk.kid, kty, n: jwk.n ?? undefined, e: jwk.e ?? undefined, x: jwk.x ?? undefined, y: jwk.y ?? undefined, ...(crv ? { crv } : {}) };
  });
  return { method, jwks, jwksUri: auth.jwksUri ?? undefined };
}
