import * as pulumi from "@pulumi/pulumi";
import * as auth from "@pulumi/okta/auth";
import { typeToken } from "../internal/tokens";
import { OKTA_SERVER_BOUND_INPUTS } from "../internal/replacements";

/** A custom access-token claim: a fixed value or an Okta Expression Language expression. */
export type ClaimSpec =
  | { readonly value: string; readonly scopes?: readonly string[] }
  | { readonly expression: string; readonly scopes?: readonly string[] };

export interface AuthorizationServerArgs {
  /**
   * Adopt an existing authorization server by id (e.g. `default`) instead of creating one.
   * Its audience must equal {@link audience}.
   */
  readonly existingServerId?: string;
  /**
   * The adopted server's issuer as the config predicts it (from its issuer mode and the org's
   * domain or custom domain). Every trust is built from this value, so the offline plan and
   * verify show the real issuer; at deploy the server Okta returns must have exactly this issuer
   * and list {@link audience}, or the deployment stops before any trust is written.
   */
  readonly existingIssuer?: string;
  /** What to do when the adopted server differs from `existingIssuer` or `audience` (default: fix the adopt form's config). */
  readonly mismatchRemedy?: string;
  /** Display name of the created server in Okta. Required unless adopting. */
  readonly serverName?: string;
  readonly description?: string;
  /**
   * The single audience (`aud`) of every access token. Okta honours one audience per server
   * (developer.okta.com/docs/reference/api/authorization-servers), so every cloud trusts this value.
   */
  readonly audience: string;
  /** `ORG_URL` (default) or `CUSTOM_URL`. `DYNAMIC` is not offered: `iss` would vary per request. */
  readonly issuerMode?: "ORG_URL" | "CUSTOM_URL";
  /** Signing key rotation, `AUTO` (default) or `MANUAL`. */
  readonly keyRotation?: "AUTO" | "MANUAL";
  /** Custom scopes, keyed by scope name. */
  readonly scopes?: Readonly<Record<string, { readonly description?: string }>>;
  /** Custom access-token claims, keyed by claim name. */
  readonly claims?: Readonly<Record<string, ClaimSpec>>;
  /** Protect the server from deletion (it is an identity root: its issuer is trusted by every cloud). */
  readonly protect?: boolean;
  /**
   * An Okta write that must finish before this server's first write (the token hook, in a
   * Federation). The server, each scope and each claim are then written one at a time, in key
   * order: lane 0 of oktaWriteOrder (internal/oktaPacing.ts), ending with {@link AuthorizationServer.lastOrderedWrite}.
   */
  readonly writeAfter?: pulumi.Resource;
}

/** The expression Okta evaluates for a claim; a fixed value becomes a quoted EL string literal. */
export function claimExpression(claim: ClaimSpec): string {
  return "value" in claim ? JSON.stringify(claim.value) : claim.expression;
}

/**
 * The issuer of an adopted server, after checking what Okta returns against the config: a server
 * whose issuer or audiences differ would make every trust built on it wrong.
 */
function checkedIssuer(server: auth.Server, id: string, expected: string, audience: string, parent: pulumi.Resource, remedy?: string): pulumi.Output<string> {
  return pulumi.all([server.issuer, server.audiences]).apply(([actual, audiences]) => {
    if (actual !== expected) {
      throw new pulumi.ResourceError(
        `the adopted authorization server ${id} has issuer ${actual}, but the config predicts ${expected}; ${remedy ?? "set okta.authorizationServer.existing.issuerMode (and customDomain) to match the server"}`,
        parent,
      );
    }
    if (!(audiences ?? []).includes(audience)) {
      throw new pulumi.ResourceError(
        `the adopted authorization server ${id} has audiences ${(audiences ?? []).join(", ") || "(none)"}, not ${audience}; ${remedy ?? "set okta.authorizationServer.existing.audience to the server's audience"}`,
        parent,
      );
    }
    return expected;
  });
}

/**
 * An Okta custom authorization server with its scopes and access-token claims: the token issuer
 * that AWS, GCP and Azure trust.
 * See https://developer.okta.com/docs/concepts/auth-servers/.
 */
export class AuthorizationServer extends pulumi.ComponentResource {
  /** The server id (`aus…`, or `default`). */
  public readonly serverId: pulumi.Output<string>;
  /** The issuer (`iss`) exactly as Okta writes it into tokens. */
  public readonly issuerUrl: pulumi.Output<string>;
  /** The one audience (`aud`). */
  public readonly audience: pulumi.Output<string>;
  /** Scope names as Outputs of the scope resources, keyed like the config, so rules wait for their scopes. */
  public readonly scopeNames: Readonly<Record<string, pulumi.Output<string>>>;
  /** The last of this server's writes (server, scopes, claims, in that order); `writeAfter` when it writes nothing. */
  public readonly lastOrderedWrite: pulumi.Resource | undefined;

  constructor(name: string, args: AuthorizationServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(typeToken("okta", "AuthorizationServer"), name, {}, opts);

    let server: auth.Server;
    // Each write waits for the previous one (lane 0 of oktaWriteOrder): at most one of them at a time.
    let previous = args.writeAfter;
    const after = () => ({ dependsOn: previous ? [previous] : [] });
    if (args.existingServerId !== undefined) {
      server = auth.Server.get(`${name}-server`, args.existingServerId, undefined, { parent: this });
    } else {
      if (!args.serverName) throw new pulumi.ResourceError("serverName is required when not adopting an existing server", this);
      server = new auth.Server(
        `${name}-server`,
        {
          name: args.serverName,
          description: args.description ?? `Issues service tokens trusted by cloud providers (okta-federation)`,
          audiences: [args.audience],
          issuerMode: args.issuerMode ?? "ORG_URL",
          credentialsRotationMode: args.keyRotation ?? "AUTO",
          status: "ACTIVE",
        },
        { parent: this, protect: args.protect, ...after() },
      );
      previous = server;
    }

    const scopeNames: Record<string, pulumi.Output<string>> = {};
    for (const scopeName of Object.keys(args.scopes ?? {}).sort()) {
      const scope = new auth.ServerScope(
        `${name}-scope-${scopeName}`,
        {
          authServerId: server.id,
          name: scopeName,
          description: args.scopes?.[scopeName]?.description ?? scopeName,
          // IMPLICIT: a REQUIRED-consent scope fails in client_credentials (no user to consent).
          consent: "IMPLICIT",
          metadataPublish: "NO_CLIENTS",
        },
        // A scope moved to another server (an adopted one, another existing.id) is replaced, not updated
        // in place with its old id (the provider's auth_server_id is not ForceNew: replacements.ts).
        { parent: this, replaceOnChanges: [...OKTA_SERVER_BOUND_INPUTS.scope], ...after() },
      );
      previous = scope;
      scopeNames[scopeName] = scope.name;
    }

    for (const claimName of Object.keys(args.claims ?? {}).sort()) {
      const claim = args.claims![claimName]!;
      previous = new auth.ServerClaim(
        `${name}-claim-${claimName}`,
        {
          authServerId: server.id,
          name: claimName,
          claimType: "RESOURCE",
          valueType: "EXPRESSION",
          value: claimExpression(claim),
          alwaysIncludeInToken: true,
          // Through the scope resources' outputs, so each claim waits for the scopes it names.
          scopes: claim.scopes?.map((s) => scopeNames[s] ?? s),
          status: "ACTIVE",
        },
        { parent: this, replaceOnChanges: [...OKTA_SERVER_BOUND_INPUTS.claim], ...after() },
      );
    }

    this.serverId = server.id;
    this.issuerUrl = args.existingServerId !== undefined && args.existingIssuer !== undefined ? checkedIssuer(server, args.existingServerId, args.existingIssuer, args.audience, this, args.mismatchRemedy) : server.issuer;
    // A created server's audience is read back from Okta; an adopted one is taken as configured
    // (its audiences list is not ours to change).
    this.audience = args.existingServerId === undefined ? server.audiences.apply((a) => a[0] ?? args.audience) : pulumi.output(args.audience);
    this.scopeNames = scopeNames;
    this.lastOrderedWrite = previous;
    this.registerOutputs({ serverId: this.serverId, issuerUrl: this.issuerUrl, audience: this.audience });
  }
}
