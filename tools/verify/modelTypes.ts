/**
 * The shape of a stack's trust model: the plan or export it is read from, and what extractModel
 * (model.ts) makes of it. Types only.
 */
import type { AwsPolicyDocument } from "../../components/internal/trust";
import type { AwsIdentityReach, PolicyStatement } from "../../components/internal/awsIdentityAdmin";

/** One resource of an offline plan document (`npm run plan -- --json`). */
export interface PlanResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly operation?: string;
  /** The id of a resource read (adopted) rather than created. */
  readonly id?: string;
  readonly inputs: Record<string, any>;
  readonly afterDeploy?: Record<string, any>;
  /** A component's registered outputs. */
  readonly outputs?: Record<string, any>;
}

export interface PlanDocument {
  readonly kind?: string;
  readonly stack: string;
  readonly resources: readonly PlanResource[];
  readonly outputs?: Record<string, any>;
  /** A team stack's plan or export combined with its platform's objects (layout.ts withPlatform). */
  readonly platformSource?: { readonly name: string; readonly from: "plan" | "state" | "contract" | "none"; readonly note?: string };
}

export interface ServiceModel {
  /** The service key; `<federation>/<key>` when the stack holds several federations. */
  readonly key: string;
  /** The logical name of its Okta app resource (how a renamed service is matched with its former key). */
  readonly app: string;
  readonly clientId: string;
  /** The issuer, audience and custom claims of the authorization server that mints its tokens. */
  readonly issuer: string;
  readonly audience: string;
  /** The custom claims its tokens carry: the server's claims without a scope limit, or limited to a scope it is granted. */
  readonly claims: Readonly<Record<string, string | null>>;
  /** How it authenticates to Okta: the method and every key or JWKS URL it registers. */
  readonly auth: { readonly method: string; readonly keys: ReadonlyArray<{ readonly fingerprint: string; readonly label: string }> };
  /** Scopes its rule grants (client_credentials), or undefined when Okta would mint no token. */
  readonly scopes?: readonly string[];
  /** Why Okta would refuse a token, when it would. */
  readonly tokenProblem?: string;
  readonly lifetimeMinutes?: number;
  readonly hook: boolean;
}

export type TargetKind = "aws-role" | "gcp-service-account" | "gcp-direct" | "azure-identity";

export interface AwsProviderModel {
  readonly arn: string;
  /** Provider URL; undefined for an adopted provider known only by ARN. */
  readonly url?: string;
  readonly clientIds?: readonly string[];
}

export interface GcpProviderModel {
  readonly id: string;
  readonly name: string;
  readonly issuerUri: string;
  readonly allowedAudiences: readonly string[];
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition?: string;
}

export interface TargetModel {
  /** Stable id, e.g. `aws-role:payments`. */
  readonly id: string;
  readonly kind: TargetKind;
  /** Human label, e.g. "AWS role payments". */
  readonly label: string;
  /** The service the config meant this target for. */
  readonly owner: string;
  readonly aws?: { readonly policy: AwsPolicyDocument | undefined; readonly policyText: string };
  /** GCP: members that may use the target (impersonation members, or the direct grants' members). */
  readonly gcp?: { readonly members: readonly string[]; readonly roles: readonly string[] };
  readonly azure?: { readonly credentials: ReadonlyArray<{ name: string; issuer: string; subject: string; audiences: readonly string[] }> };
  /** Where the identity lives, for identity-admin reach: AWS account, GCP project, Azure resource id. */
  readonly location: string;
  /** What the target grants: AWS policies (managed and inline), GCP roles, Azure role assignments. */
  readonly grants: readonly Grant[];
}

/** One permission a target holds, keyed by the grant resource's logical name (stable across plans). */
export interface Grant {
  /** The grant resource's logical name. */
  readonly name: string;
  readonly cloud: "aws" | "gcp" | "azure";
  /** The policy ARN, GCP role or Azure role definition GUID. */
  readonly role: string;
  /** The role in words: the policy's name, the GCP role, the Azure role's name (or its GUID). */
  readonly roleName: string;
  /** Where it applies: an AWS account, a GCP project, an Azure scope. */
  readonly scope: string;
  /** The grant in words, e.g. "AWS policy PowerUserAccess (arn:aws:iam::aws:policy/PowerUserAccess)". */
  readonly text: string;
  /** An AWS inline policy's statements, read from its document (role then names the policy). */
  readonly inline?: readonly PolicyStatement[];
  /** AWS: the stack's reach the grant is judged against (the role's path, the attached customer managed policies). */
  readonly awsReach?: AwsIdentityReach;
}

/** A grant that lets a service change identities, credentials or trust, and what it reaches. */
export interface IdentityAdminGrant {
  readonly service: string;
  /** The grant resource's logical name. */
  readonly resource: string;
  /** The grant in words, e.g. "AWS policy arn:aws:iam::aws:policy/IAMFullAccess". */
  readonly grant: string;
  readonly why: string;
  /** Accepted with the explicit opt-in (allowIdentityAdmin: true). */
  readonly accepted: boolean;
  /** Ids of other services' targets the holder could take over. */
  readonly reach: readonly string[];
  /** Only when other stacks' targets were given (org.ts): the ids of those it could take over too. */
  readonly crossStackReach?: readonly string[];
  /** Only when other stacks' targets were given: the workload identity pools (names) the grant administers, whichever stack holds them. */
  readonly administeredPools?: readonly string[];
}

export interface IssuerModel {
  /** The federation (Federation component) name. */
  readonly federation: string;
  /** The authorization server's name in Okta, or "adopted <id>". */
  readonly server: string;
  readonly issuer: string;
  readonly audience: string;
  /** Claims the server adds: a fixed value, or null when evaluated by Okta at run time; with the scopes they are limited to. */
  readonly claims: Readonly<Record<string, { readonly value: string | null; readonly scopes?: readonly string[] }>>;
  /** Every scope the server defines. */
  readonly scopes: readonly string[];
}

export interface TrustModel {
  readonly stack: string;
  /** One per federation (authorization server) in the stack. */
  readonly issuers: readonly IssuerModel[];
  readonly services: readonly ServiceModel[];
  readonly awsProviders: readonly AwsProviderModel[];
  readonly gcpPools: ReadonlyArray<{ readonly name: string; readonly providers: readonly GcpProviderModel[] }>;
  readonly targets: readonly TargetModel[];
  readonly identityAdminGrants: readonly IdentityAdminGrant[];
  /**
   * What a stack export says about the order of each server's policies (policyOrderFindings): one
   * message per server whose recorded priorities do not put the kit's policies at the top. Empty for
   * an offline plan, whose priorities are the ones the policies are created with, not Okta's.
   */
  readonly policyOrder?: readonly string[];
  /** A platform or team stack (layout.ts): what verify says about it beside the matrix. */
  readonly layout?: StackLayout;
}

/**
 * A stack of the platform and team layout: a platform stack (its shared trust objects, in words,
 * and how many) or a team stack (the platform it reads, and where verify took the platform's
 * objects from: its plan or export, the contract the team's StackReference read, or nowhere).
 */
export type StackLayout =
  | { readonly kind: "platform"; readonly objects: number; readonly words: string }
  | { readonly kind: "team"; readonly platform: string; readonly from: "plan" | "state" | "contract" | "none"; readonly note?: string; readonly state: boolean };
