/**
 * The component package's input and output types, in the shapes Pulumi's schema can describe
 * (strings, numbers, booleans, lists, maps of plain objects, Input<>): the analyzer of
 * `@pulumi/pulumi/provider/experimental` turns each interface here into an object type
 * `okta-federation:index:<Name>` and each TSDoc comment into its description.
 *
 * The Federation's settings mirror the stack config `okta-federation:federation` key for key
 * (docs/config.md), with the config's unions spelled as one object each: a policy is always
 * `{ arn, allowIdentityAdmin? }`, a GCP role always `{ role, allowIdentityAdmin? }`, a claim
 * `{ value }` or `{ expression }` in one type, the service's auth one type whose `method` says
 * which fields apply. The config's own validation (parseFederationConfig) then judges them, with the
 * same messages as for a stack file.
 *
 * Interfaces only, and mutable arrays: the analyzer reads `T[]` but not `readonly T[]`.
 */
import type * as pulumi from "@pulumi/pulumi";

/** A custom scope of the authorization server. */
export interface ScopeSettings {
  /** Shown on Okta's consent screen and in the admin console. */
  description?: string;
}

/** A custom access-token claim: give exactly one of `value` and `expression`. */
export interface ClaimSettings {
  /** A fixed string value; the kit writes it as a quoted Okta Expression Language literal. */
  value?: string;
  /** An Okta Expression Language expression, e.g. app.profile.tenant; evaluated by Okta per token. */
  expression?: string;
  /** Include the claim only in tokens granted one of these scopes; all tokens when omitted. */
  scopes?: string[];
}

/** Adopt an existing Okta authorization server instead of creating one. */
export interface ExistingServerSettings {
  /** The authorization server id, e.g. `default` or `aus1a2b3c4d5e6f7g8h9`. */
  id: string;
  /** The adopted server's audience, exactly as configured in Okta. */
  audience: string;
  /** ORG_URL (default) or CUSTOM_URL, as configured in Okta. DYNAMIC is refused. */
  issuerMode?: string;
  /** The org's custom domain (the issuer's host); required with CUSTOM_URL. */
  customDomain?: string;
}

/** The Okta custom authorization server: created (name, audience, …) or adopted (`existing`), not both. */
export interface AuthorizationServerSettings {
  /** Display name of the created authorization server in Okta. */
  name?: string;
  /** Description of the created server. */
  description?: string;
  /** The one audience (`aud`) of every access token, which every cloud trusts, e.g. api://services-dev. */
  audience?: string;
  /** ORG_URL (default) or CUSTOM_URL. DYNAMIC is refused: `iss` would vary and no cloud trust could pin it. */
  issuerMode?: string;
  /** The org's custom domain (the issuer's host, e.g. id.example.com); required with CUSTOM_URL. */
  customDomain?: string;
  /** Signing key rotation: AUTO (default) or MANUAL. */
  keyRotation?: string;
  /** Adopt this existing server instead of creating one; then give no other field. */
  existing?: ExistingServerSettings;
}

/** How the Okta provider paces its calls (docs/config.md, okta.provider); the defaults suit a large first deploy. */
export interface OktaProviderSettings {
  /** Percent of each Okta rate limit the provider may use (1-100, default 80). */
  maxApiCapacity?: number;
  /** Retries of a rate-limited call (1-100, default 10). */
  maxRetries?: number;
  /** Seconds to wait before the first retry (1-300, default 30). */
  minWaitSeconds?: number;
  /** Longest wait between retries, seconds (1-3600, default 300). */
  maxWaitSeconds?: number;
  /** Seconds one call may take, retries included; 0 (default): no deadline. */
  requestTimeoutSeconds?: number;
  /** The most Okta writes of this federation at once (default 10). */
  maxConcurrentWrites?: number;
}

/** The token inline hook (com.okta.oauth2.tokens.transform); its header value is the Federation's `tokenHookAuthorization`. */
export interface TokenHookSettings {
  /** The hook's name in Okta; defaults to okta-federation-<environment>. */
  name?: string;
  /** The https:// endpoint Okta calls. */
  url: string;
  /** The header Okta sends (default Authorization). */
  authHeader?: string;
}

/** The Okta side: org, authorization server, scopes, claims, token lifetime, provider pacing, token hook. */
export interface OktaSettings {
  /** The Okta org, as in https://<orgName>.<baseUrl>, e.g. acme. */
  orgName: string;
  /** okta.com (default), oktapreview.com, okta-emea.com, okta-gov.com, okta.mil or trexcloud.com. */
  baseUrl?: string;
  /** The custom authorization server that issues every service's tokens. */
  authorizationServer: AuthorizationServerSettings;
  /** Custom scopes, keyed by scope name. */
  scopes?: Record<string, ScopeSettings>;
  /** Custom access-token claims, keyed by claim name. */
  claims?: Record<string, ClaimSettings>;
  /** Default access-token lifetime for every service, minutes (5-1440, default 60). */
  tokenLifetimeMinutes?: number;
  /** How the Okta provider paces its calls. */
  provider?: OktaProviderSettings;
  /** A token inline hook for the services with `tokenHook: true`. */
  tokenHook?: TokenHookSettings;
}

/** The AWS account the services get roles in. */
export interface AwsSettings {
  /** The 12-digit AWS account id. */
  accountId: string;
  /** AWS region (default us-east-1). */
  region?: string;
  /** Adopt the account's existing IAM OIDC provider for the issuer (AWS allows one per URL per account). */
  existingOidcProviderArn?: string;
  /** Server certificate thumbprints; normally omitted (IAM uses its own trusted CAs). */
  thumbprints?: string[];
  /** IAM role path (default /oktafed/). */
  rolePath?: string;
  /** The issuer sends AWS session tags: every role also allows sts:TagSession. */
  sessionTags?: boolean;
  /** A permissions boundary for every role. */
  permissionsBoundaryArn?: string;
  /** Default max session duration of the roles, seconds (3600-43200, default 3600). */
  maxSessionDurationSeconds?: number;
}

/** The GCP project that holds the workload identity pool. */
export interface GcpSettings {
  /** The GCP project id. */
  project: string;
  /** Pool id; defaults to okta-<environment>. */
  poolId?: string;
  /** OIDC provider id in the pool (default okta). */
  providerId?: string;
  /** Spread the services over this many OIDC providers (1-20, default 1) when one condition cannot list every client id. */
  providerShards?: number;
  /** Appended to pool and provider ids (deleted ids stay reserved for 30 days). */
  idSuffix?: string;
  /** Token claims mapped to attribute.<claim>. */
  mappedClaims?: string[];
  /** A CEL condition ANDed to the kit's client-id condition, e.g. assertion.tenant_id == 'acme'. */
  additionalCondition?: string;
}

/** The Azure subscription and resource group that hold the managed identities. */
export interface AzureSettings {
  /** Subscription GUID. */
  subscriptionId: string;
  /** Tenant GUID. */
  tenantId: string;
  /** An existing resource group for the identities. */
  resourceGroup: string;
  /** Azure region of the identities, e.g. westeurope. */
  location: string;
  /** Prefix of each identity's name; defaults to id-<environment>-. */
  identityNamePrefix?: string;
}

/** A public key of a service (private_key_jwt); the private key stays with the service. */
export interface JwkSettings {
  /** Key id. */
  kid: string;
  /** RSA or EC. */
  kty: string;
  /** RSA modulus (base64url). */
  n?: string;
  /** RSA exponent (base64url). */
  e?: string;
  /** EC x coordinate (base64url). */
  x?: string;
  /** EC y coordinate (base64url). */
  y?: string;
  /** EC curve: P-256, P-384 or P-521; required for an EC key. */
  crv?: string;
  /** Algorithm, informational. */
  alg?: string;
  /** Key use, informational. */
  use?: string;
}

/** How the service authenticates to Okta's token endpoint. */
export interface ServiceAuthSettings {
  /** private_key_jwt (recommended: the private key stays with the service) or client_secret_basic. */
  method: string;
  /** private_key_jwt: the service's public keys (at most two, for a rotation). */
  jwks?: JwkSettings[];
  /** private_key_jwt: or a https:// URL where Okta fetches them. */
  jwksUri?: string;
  /** client_secret_basic: keep the generated secret in Pulumi state (encrypted). Default false. */
  keepSecretInState?: boolean;
}

/** A managed IAM policy attached to the service's role. */
export interface ManagedPolicySettings {
  /** The policy ARN, e.g. arn:aws:iam::aws:policy/ReadOnlyAccess. */
  arn: string;
  /** Accept a policy that lets the service take over other identities (IAMFullAccess, …); refused without it. */
  allowIdentityAdmin?: boolean;
}

/** One statement of an inline IAM policy. */
export interface InlineStatementSettings {
  /** Allow (default) or Deny. */
  effect?: string;
  /** IAM actions such as s3:GetObject. */
  actions: string[];
  /** Resource ARNs, or * for every resource. */
  resources: string[];
  /** IAM's Condition element: { <operator>: { <condition key>: [values] } }. */
  conditions?: Record<string, Record<string, string[]>>;
}

/** An inline IAM policy of the service's role (an IAM role policy named by its key). */
export interface InlinePolicySettings {
  /** The policy's statements. */
  statements: InlineStatementSettings[];
  /** Accept statements that rewrite the stack's roles, their trust or the OIDC provider; refused without it. */
  allowIdentityAdmin?: boolean;
}

/** The service's AWS role. */
export interface AwsServiceSettings {
  /** Managed policies to attach, keyed by a stable name. */
  policies?: Record<string, ManagedPolicySettings>;
  /** Inline policies, keyed by their name. */
  inlinePolicies?: Record<string, InlinePolicySettings>;
  /** Max session duration of this role, seconds (3600-43200). */
  maxSessionDurationSeconds?: number;
}

/** A project-level GCP IAM role. */
export interface GcpRoleSettings {
  /** The role, e.g. roles/storage.objectViewer, or a custom role. */
  role: string;
  /** Accept a role that lets the holder act as or change identities in the project; refused without it. */
  allowIdentityAdmin?: boolean;
}

/** A GCP IAM role on one resource. */
export interface GcpResourceRoleSettings {
  /** A full resource name, e.g. //storage.googleapis.com/projects/_/buckets/orders-dev. */
  resource: string;
  /** The role, e.g. roles/storage.objectViewer. */
  role: string;
  /** Accept a role that lets the holder act as the service account it is granted on; refused without it. */
  allowIdentityAdmin?: boolean;
}

/** The service's GCP access. */
export interface GcpServiceSettings {
  /** true: the service impersonates a service account that gets the roles; false (default): the roles go to the federated principal. */
  serviceAccount?: boolean;
  /** Project-level IAM roles. */
  roles?: GcpRoleSettings[];
  /** Roles on single resources, keyed by a stable grant name. */
  resourceRoles?: Record<string, GcpResourceRoleSettings>;
}

/** An Azure role assignment of the service's managed identity. */
export interface AzureRoleAssignmentSettings {
  /** A built-in role name (e.g. Reader, Key Vault Crypto User) or a role definition GUID. */
  role: string;
  /** The resource id the role applies to, starting with /subscriptions/<subscription GUID>. */
  scope: string;
  /** Accept a role that can write or assign managed identities at a scope that holds identities; refused without it. */
  allowIdentityAdmin?: boolean;
}

/** The service's Azure managed identity. */
export interface AzureServiceSettings {
  /** Role assignments, keyed by a stable name. */
  roleAssignments?: Record<string, AzureRoleAssignmentSettings>;
}

/** One service: its Okta app, scopes and what it may reach in each cloud. */
export interface ServiceSettings {
  /** Description of the service's Okta app. */
  description?: string;
  /** The service's former key: a rename keeps every resource of the service. */
  renamedFrom?: string;
  /** Custom scopes the service may request; each must be declared under okta.scopes. */
  scopes: string[];
  /** The service's access-token lifetime, minutes (5-1440); defaults to okta.tokenLifetimeMinutes. */
  tokenLifetimeMinutes?: number;
  /** Attach the token inline hook to this service's tokens. */
  tokenHook?: boolean;
  /** How the service authenticates to Okta. */
  auth?: ServiceAuthSettings;
  /** An AWS role for the service. */
  aws?: AwsServiceSettings;
  /** GCP access for the service. */
  gcp?: GcpServiceSettings;
  /** An Azure managed identity for the service. */
  azure?: AzureServiceSettings;
}

/** What a workload needs on AWS. */
export interface AwsServiceOutputs {
  /** AWS_ROLE_ARN for the workload. */
  roleArn: string;
}

/** What a workload needs on GCP. */
export interface GcpServiceOutputs {
  /** The provider's full resource name: the `audience` of an external_account credential config. */
  workloadIdentityProvider: string;
  /** The federated principal (principal://…/subject/<client id>). */
  principal: string;
  /** The impersonated service account, when used. */
  serviceAccountEmail?: string;
}

/** What a workload needs on Azure. */
export interface AzureServiceOutputs {
  /** AZURE_CLIENT_ID for the workload. */
  clientId: string;
  /** AZURE_TENANT_ID for the workload. */
  tenantId: string;
  /** The identity's principal id (for role assignments made elsewhere). */
  principalId: string;
}

/** A service's credentials, per cloud it uses. */
export interface FederationServiceOutputs {
  /** The service's Okta client id (`sub` = `cid` of its tokens). */
  clientId: string;
  /** Present when the service uses AWS. */
  aws?: AwsServiceOutputs;
  /** Present when the service uses GCP. */
  gcp?: GcpServiceOutputs;
  /** Present when the service uses Azure. */
  azure?: AzureServiceOutputs;
}

/** A federated credential of a managed identity: the exact issuer, subject and audience it trusts. */
export interface FederatedCredentialSettings {
  /** The Okta issuer, matched exactly and case-sensitively. */
  issuerUrl: pulumi.Input<string>;
  /** The token's `sub`: the service app's client id. */
  subject: pulumi.Input<string>;
  /** The token's `aud`: the authorization server's audience. */
  audience: pulumi.Input<string>;
}
