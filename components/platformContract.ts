/**
 * The platform stack's output contract as types only, without Pulumi: team stacks read it through
 * a StackReference (stacks/program.ts), verify reads it from plans and exports.
 */
import type { ClaimConfig } from "./config/schema";

/** The contract name and the version this kit writes and reads. */
export const PLATFORM_CONTRACT = "okta-federation/platform";
export const PLATFORM_CONTRACT_VERSION = 1;
/** The stack output a platform stack exports its contract under, and team stacks read. */
export const PLATFORM_OUTPUT = "platform";

/**
 * The platform contract, version 1: plain JSON under the stack output `platform`. A team stack
 * takes from it everything it does not own (issuer, audience, scopes, claims, the clouds' trust in
 * the issuer, shared settings) and its own entry under `teams`, so nothing is typed twice. A new
 * field is added without changing the version; a field changed or removed means version 2, and a
 * team stack refuses a version it does not know.
 */
export interface PlatformOutputsV1 {
  readonly contract: typeof PLATFORM_CONTRACT;
  readonly contractVersion: 1;
  readonly environment: string;
  readonly protect: boolean;
  readonly okta: {
    readonly orgName: string;
    readonly baseUrl: string;
    readonly authorizationServerId: string;
    /** `iss` of every token, exactly. */
    readonly issuerUrl: string;
    readonly audience: string;
    readonly issuerMode: "ORG_URL" | "CUSTOM_URL";
    readonly customDomain?: string;
    readonly tokenEndpoint: string;
    readonly jwksUri: string;
    /** The custom scopes the server defines; a team's services request some of them. */
    readonly scopes: readonly string[];
    /** The server's claims as configured (names, values or expressions, scopes). */
    readonly claims: Readonly<Record<string, ClaimConfig>>;
    /** The default token lifetime of every rule, minutes. */
    readonly tokenLifetimeMinutes: number;
    /** The token inline hook, when the platform has one: services attach it with `tokenHook: true`. */
    readonly tokenHook?: { readonly id: string; readonly name: string; readonly url: string; readonly authHeader: string };
  };
  readonly aws?: {
    /** The IAM OIDC provider for the issuer in each account, by account name. */
    readonly accounts: Readonly<Record<string, { readonly accountId: string; readonly region: string; readonly oidcProviderArn: string }>>;
    readonly rolePath: string;
    readonly sessionTags: boolean;
    readonly permissionsBoundaryArn?: string;
    readonly maxSessionDurationSeconds: number;
  };
  readonly gcp?: {
    readonly project: string;
    /** The pool id, with the soft-delete suffix when one is set. */
    readonly poolId: string;
    /** Appended to the pool id and to every team's provider ids (platform config gcp.idSuffix). */
    readonly idSuffix?: string;
    /** `projects/<number>/locations/global/workloadIdentityPools/<id>`. */
    readonly poolName: string;
    readonly mappedClaims: readonly string[];
    readonly additionalCondition?: string;
  };
  readonly azure?: { readonly subscriptionId: string; readonly tenantId: string; readonly location: string; readonly identityNamePrefix?: string };
  /** Each team's place: its Okta priority band and, per cloud, where its identities live. */
  readonly teams: Readonly<
    Record<
      string,
      {
        readonly oktaPriorityBand: number;
        readonly aws?: { readonly account: string };
        /** The team's base provider id (shards add `-2`, `-3`, …, then the pool's idSuffix). */
        readonly gcp?: { readonly providerId: string; readonly providerShards: number };
        readonly azure?: { readonly resourceGroup: string };
      }
    >
  >;
}
