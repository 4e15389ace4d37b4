/**
 * Every limit the kit enforces, stated once. Config validation, the components' own checks and
 * the docs all read from here. Sources are the providers' API references (see docs/config.md).
 */
export const LIMITS = {
  okta: {
    /** Access-token lifetime of a policy rule, minutes (Okta authorization-server API). */
    tokenLifetimeMinutes: { min: 5, max: 1440, default: 60 },
    /** Okta reserves these claim names in access tokens (token inline hook reference). */
    reservedClaims: [
      "acr", "as_uri", "auth_time", "authorization_details", "cid", "cnf", "exp", "groups", "iat", "iss",
      "jti", "rpt", "rsi", "scp", "sid", "token_type", "uid", "username", "ver", "aud", "sub",
    ],
    /** Okta's own scope names; a custom scope may not reuse them. */
    reservedScopes: ["openid", "profile", "email", "address", "phone", "offline_access", "groups", "device_sso"],
    /** Keys of a service app's JWKS: RSA needs n and e, EC needs x and y (private_key_jwt). */
    jwkTypes: ["RSA", "EC"],
    /** Public keys one app may hold: room for a rotation, not a key store (Okta developer docs, key management guide). */
    keysPerApp: 50,
    /** The request `scope` parameter is at most 1024 characters. */
    scopeParameterMaxLength: 1024,
    /** The inline hook contract version for token hooks. */
    tokenHookType: "com.okta.oauth2.tokens.transform",
    tokenHookVersion: "1.0.0",
    /** An Okta client id is "0oa" plus 17 characters. Used to size the GCP attribute condition. */
    clientIdLength: 20,
    /**
     * Rate limits per minute (Okta rate-limit reference, removed from the docs in Dec 2025; the org's
     * rate-limit dashboard is authoritative): app writes, and other management endpoints
     * (authorization servers, inline hooks) on Enterprise and Integrator Free orgs.
     */
    appsPerMinute: { enterprise: 100, integratorFree: 20 },
    managementPerMinute: { enterprise: 600, integratorFree: 100 },
    /** GET /api/v1/apps/{id} per minute, its own bucket (Enterprise; none published for Integrator Free). */
    appReadsPerMinute: { enterprise: 600 },
    /**
     * Simultaneous requests per org (Enterprise; 15 on Integrator Free in the same reference, 35 in
     * Okta's newer concurrency page). Requests past it are answered 429 (rl-best-practices).
     */
    concurrentRequests: { enterprise: 75, integratorFree: 15 },
  },
  aws: {
    /** IAM role max session duration, seconds (1 h to 12 h). */
    maxSessionDurationSeconds: { min: 3600, max: 43200, default: 3600 },
    /** Managed policies attached to one role (default IAM quota). */
    managedPoliciesPerRole: 10,
    /**
     * Inline policies of one role together: at most this many characters, white space not counted
     * (docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html, "Role policy size"; a
     * hard quota). terraform-provider-aws validates each document against it too
     * (internal/service/iam/role_policy.go at 02f97af8: verify.ValidIAMPolicyJSON(10240)).
     */
    inlinePolicyCharactersPerRole: 10240,
    /** Client ids (audiences) on an IAM OIDC provider, each at most 255 characters. */
    clientIdMaxLength: 255,
    /** Thumbprints on an IAM OIDC provider: at most 5, each 40 hex characters. */
    thumbprintsMax: 5,
    /**
     * Roles per account: the default quota, raisable to rolesPerAccountMax at most (Service Quotas
     * console, Region US East (N. Virginia), service "AWS Identity and Access Management (IAM)",
     * quota "Roles per account"; awsdocs/iam-user-guide doc_source/reference_iam-quotas.md).
     */
    rolesPerAccount: 1000,
    rolesPerAccountMax: 5000,
    /** OpenID Connect identity providers per account: a quota that cannot be raised (same source). */
    oidcProvidersPerAccount: 100,
    /** Role path: at most 512 characters, starting and ending with "/". */
    rolePathMaxLength: 512,
    /** Role name: at most 64 of [\w+=,.@-] (IAM quotas). */
    roleNameMaxLength: 64,
  },
  gcp: {
    /** Workload identity pool and provider ids: 4-32 of [a-z0-9-], no "gcp-" prefix. */
    idLength: { min: 4, max: 32 },
    /** Custom attribute mappings (`attribute.*`) per provider. */
    customAttributesMax: 50,
    /** An attribute name after `attribute.`: at most 100 of [a-z0-9_]. */
    attributeNameMaxLength: 100,
    /** The CEL attribute condition, characters. */
    attributeConditionMaxLength: 4096,
    /** Allowed audiences per provider, each at most 256 characters. */
    audienceMaxLength: 256,
    /** `google.subject` after mapping, bytes. */
    subjectMaxBytes: 127,
    /** Service account ids: 6-30 characters, a letter first, [a-z0-9-], no trailing hyphen. */
    serviceAccountIdLength: { min: 6, max: 30 },
    /** Principal occurrences in one allow policy (a project's IAM policy): googleapis google/iam/v1/policy.proto. */
    policyPrincipalsMax: 1500,
    /**
     * Service accounts per project: the default quota ("Number of service accounts",
     * cloud.google.com/iam/quotas); raised on request in the Google Cloud console (IAM & Admin,
     * Quotas), or by Google Cloud support.
     */
    serviceAccountsPerProject: 100,
    /** IAM API requests per project per minute (cloud.google.com/iam/quotas): reads (getIamPolicy of a service account), writes (setIamPolicy, a service account's create). */
    iamApiReadsPerMinute: 6000,
    iamApiWritesPerMinute: 600,
    /** Workload identity pool and provider writes per project per minute (same page). */
    workloadIdentityPoolWritesPerMinute: 60,
    /**
     * OIDC providers in one workload identity pool, as the kit caps them (team stacks each add theirs
     * to the platform's pool). Google documents no figure for workload identity pools: its IAM
     * "Quotas and limits" page (cloud.google.com/iam/quotas) lists, under Workforce Identity
     * Federation, "Workforce identity pool providers per pool: 200", and nothing for workload pools.
     * The kit holds workload pools to that documented figure rather than assume more.
     */
    providersPerPool: 200,
  },
  azure: {
    /** Federated identity credentials on one user-assigned identity. */
    credentialsPerIdentity: 20,
    /** Issuer, subject and audience of a federated identity credential, characters. */
    credentialFieldMaxLength: 600,
    /** Federated identity credential names: 3-120 of letters, digits, "-" and "_", alphanumeric first. */
    credentialNameLength: { min: 3, max: 120 },
    /** User-assigned identity names: 3-128 of letters, digits, "-" and "_", alphanumeric first. */
    identityNameLength: { min: 3, max: 128 },
    /** Resource group names: 1-90 characters. */
    resourceGroupMaxLength: 90,
    /**
     * Regions where user-assigned identities do not support federated identity credentials
     * (Entra workload identity federation considerations: "not supported in Malaysia South and
     * New Zealand North").
     */
    locationsWithoutFederatedCredentials: ["malaysiasouth", "newzealandnorth"],
    /**
     * Writes of user-assigned identities and their federated credentials: per subscription, and per
     * identity (Entra workload identity federation considerations).
     */
    identityWritesPerSecond: 2,
    writesPerResourcePerSecond: 0.25,
  },
  kit: {
    /** Service keys name Pulumi resources and cloud objects: 2-30 of [a-z0-9-], a letter first. */
    serviceKeyLength: { min: 2, max: 30 },
    /** Environment names: 2-16 of [a-z0-9-], a letter first. */
    environmentLength: { min: 2, max: 16 },
  },
} as const;

/** The audience must fit every cloud at once: AWS client ids are the shortest (255). */
export const AUDIENCE_MAX_LENGTH = Math.min(
  LIMITS.aws.clientIdMaxLength,
  LIMITS.gcp.audienceMaxLength,
  LIMITS.azure.credentialFieldMaxLength,
);
