/**
 * The schema of the federation config (`okta-federation:federation`): every key, its type, its
 * default and the wording of its errors. Rules that span several keys live in crossField.ts.
 */
import { z } from "zod";
import { AUDIENCE_MAX_LENGTH, LIMITS } from "../internal/limits";
import { OKTA_MAX_CONCURRENT_WRITES, OKTA_REQUEST_TIMEOUT } from "../internal/oktaPacing";
import { isRecord } from "./raw";
import { allowIdentityAdmin, nonEmpty, required, strictObject } from "./schemaParts";
// A service's AWS block is in schemaAws.ts.
import { awsServiceSchema, sessionDurationSchema } from "./schemaAws";

export { POLICY_ARN_PATTERN } from "./schemaAws";

/** A whole number in [min, max]; the message says what it is. */
const intRange = (min: number, max: number, what: string) => {
  const message = `must be a whole number from ${min} to ${max} (${what})`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
};

/**
 * The Okta provider's pacing when the config says nothing (see okta.provider in docs/config.md):
 * no request deadline (the provider's own default, 0), so a rate-limited call gets all its retries
 * (oktaRequestTimeoutProblem), and at most 10 Okta writes at once (OKTA_MAX_CONCURRENT_WRITES).
 */
export const OKTA_PROVIDER_DEFAULTS = {
  maxApiCapacity: 80,
  maxRetries: 10,
  minWaitSeconds: 30,
  maxWaitSeconds: 300,
  requestTimeoutSeconds: OKTA_REQUEST_TIMEOUT.default,
  maxConcurrentWrites: OKTA_MAX_CONCURRENT_WRITES.default,
} as const;


const httpsUrl = (what: string) =>
  z.string({ error: `must be a string (${what})` }).refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === "https:" && value.trim() === value;
    } catch {
      return false;
    }
  }, `must be an https:// URL (${what})`);

/** Okta: "a value containing ':' must be a valid URI"; every cloud limits its length. */
const audienceSchema = z
  .string({ error: "must be a string: the one audience every cloud trusts, e.g. api://services-dev" })
  .min(1, "must not be empty")
  .max(AUDIENCE_MAX_LENGTH, `must be at most ${AUDIENCE_MAX_LENGTH} characters (the AWS client id limit)`)
  .refine((value) => value.trim() === value && !/\s/.test(value), "must not contain whitespace")
  .refine((value) => {
    if (!value.includes(":") || /\s/.test(value)) return true;
    try {
      new URL(value);
      return /^[a-z][a-z0-9+.-]*:/i.test(value);
    } catch {
      return false;
    }
  }, "must be a valid URI (Okta requires a valid URI when the audience contains ':'), e.g. api://services-dev");

const issuerModeSchema = z.enum(["ORG_URL", "CUSTOM_URL"], {
  error: (issue) =>
    issue.input === "DYNAMIC"
      ? "DYNAMIC is refused: the issuer would follow the request's domain, so iss would vary and no cloud trust could pin it; allowed: ORG_URL, CUSTOM_URL"
      : "must be ORG_URL or CUSTOM_URL",
});

const lifetimeSchema = z
  .number({ error: "must be a whole number of minutes" })
  .int("must be a whole number of minutes")
  .min(LIMITS.okta.tokenLifetimeMinutes.min, `must be ${LIMITS.okta.tokenLifetimeMinutes.min}-${LIMITS.okta.tokenLifetimeMinutes.max} minutes (Okta's access-token lifetime range)`)
  .max(LIMITS.okta.tokenLifetimeMinutes.max, `must be ${LIMITS.okta.tokenLifetimeMinutes.min}-${LIMITS.okta.tokenLifetimeMinutes.max} minutes (Okta's access-token lifetime range)`);

/** The org's custom domain (CUSTOM_URL issuer mode): the issuer's host. */
const customDomainSchema = z
  .string()
  .regex(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, "must be a DNS name such as id.example.com (no scheme, no path)");


const createdServerSchema = strictObject({
  /** Display name of the authorization server in Okta. */
  name: nonEmpty("the authorization server's name in Okta"),
  description: z.string().optional(),
  audience: audienceSchema,
  issuerMode: issuerModeSchema.default("ORG_URL"),
  /** The org's custom domain; required with CUSTOM_URL so the issuer can be predicted offline. */
  customDomain: customDomainSchema.optional(),
  keyRotation: z.enum(["AUTO", "MANUAL"], { error: "must be AUTO or MANUAL" }).default("AUTO"),
});

const existingServerSchema = strictObject({
  existing: strictObject({
    /** The authorization server id, e.g. `default` or `aus1a2b3c4d5e6f7g8h9`. */
    id: z.string().regex(/^[A-Za-z0-9]+$/, "must be an Okta authorization server id such as default or aus1a2b3c4d5e6f7g8h9"),
    /** The adopted server's audience, exactly as configured in Okta. */
    audience: audienceSchema,
    issuerMode: issuerModeSchema.default("ORG_URL"),
    customDomain: customDomainSchema.optional(),
  }),
});

/** Create form or adopt form, chosen by the presence of `existing`, so errors speak of the form the user wrote. */
const authorizationServerSchema = z.unknown().transform((value, ctx) => {
  const schema = isRecord(value) && "existing" in value ? existingServerSchema : createdServerSchema;
  const result = schema.safeParse(value, { error: describeIssue });
  if (result.success) return result.data as z.output<typeof existingServerSchema> | z.output<typeof createdServerSchema>;
  for (const issue of result.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path as PropertyKey[] });
  return z.NEVER;
});

/** Plainer wording than zod's defaults for missing and mistyped values. */
export function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return "is required";
    const got = Array.isArray(issue.input) ? "a list" : issue.input === null ? "null" : typeof issue.input;
    return `must be ${issue.expected === "object" ? "a map" : issue.expected === "array" ? "a list" : `a ${issue.expected}`}, got ${got}`;
  }
  return undefined;
}

const claimSchema = z.union(
  [
    strictObject({
      /** A fixed string value; the kit writes it as a quoted Okta Expression Language literal. */
      value: z.string({ error: "must be a string" }),
      scopes: z.array(z.string()).optional(),
    }),
    strictObject({
      /** An Okta Expression Language expression, e.g. app.profile.tenant; evaluated by Okta per token. */
      expression: nonEmpty("an Okta Expression Language expression"),
      scopes: z.array(z.string()).optional(),
    }),
  ],
  { error: "must be { value: <string> } or { expression: <Okta EL> }, optionally with scopes" },
);

/** The curves of EC keys for private_key_jwt (ES256, ES384, ES512) and the length of x and y on each (RFC 7518 §6.2.1.2). */
export const EC_CURVES = ["P-256", "P-384", "P-521"] as const;
const EC_COORDINATE_BYTES: Record<(typeof EC_CURVES)[number], number> = { "P-256": 32, "P-384": 48, "P-521": 66 };

const jwkSchema = strictObject({
  kid: nonEmpty("the key id"),
  kty: z.enum(["RSA", "EC"], { error: "must be RSA or EC (Okta private_key_jwt keys)" }),
  e: z.string().optional(),
  n: z.string().optional(),
  x: z.string().optional(),
  y: z.string().optional(),
  alg: z.string().optional(),
  use: z.string().optional(),
  crv: z.enum(EC_CURVES, { error: "must be P-256, P-384 or P-521 (the curves of EC signing keys: ES256, ES384, ES512)" }).optional(),
}).superRefine((jwk, ctx) => {
  if (jwk.kty === "RSA" && (!jwk.n || !jwk.e)) ctx.addIssue({ code: "custom", message: "an RSA key needs n and e" });
  if (jwk.kty === "EC" && (!jwk.x || !jwk.y)) ctx.addIssue({ code: "custom", message: "an EC key needs x and y" });
  // The curve is part of an EC key: without it x and y name no point. terraform-provider-okta sends
  // EC keys to Okta without crv (resource_okta_app_oauth.go buildAppOAuthV6: kty, x, y, kid), so the
  // kit asks for it here, where it checks x and y against it (ServiceJwk carries it).
  if (jwk.kty === "EC" && jwk.crv === undefined) ctx.addIssue({ code: "custom", path: ["crv"], message: "is required for an EC key: P-256, P-384 or P-521, the curve of x and y" });
  if (jwk.kty === "EC" && jwk.crv !== undefined) {
    const bytes = EC_COORDINATE_BYTES[jwk.crv];
    for (const c of ["x", "y"] as const) {
      const value = jwk[c];
      if (value && Buffer.from(value, "base64url").length !== bytes) ctx.addIssue({ code: "custom", path: [c], message: `must be ${bytes} bytes (base64url) for ${jwk.crv}, got ${Buffer.from(value, "base64url").length}` });
    }
  }
  if (jwk.n && /[+/=]/.test(jwk.n)) ctx.addIssue({ code: "custom", path: ["n"], message: "must be base64url without padding (a public JWK)" });
});

const serviceAuthSchema = z.discriminatedUnion(
  "method",
  [
    strictObject({
      method: z.literal("private_key_jwt"),
      /** Public keys of the service; the private key stays with the service. */
      jwks: z
        .array(jwkSchema)
        .min(1, "must list at least one public key")
        .max(LIMITS.okta.keysPerApp, `must list at most ${LIMITS.okta.keysPerApp} public keys (Okta's limit per app; during a rotation two are enough)`)
        .optional(),
      /** Or a URL where Okta fetches the service's public keys. */
      jwksUri: httpsUrl("where Okta fetches the service's public keys").optional(),
    }),
    strictObject({
      method: z.literal("client_secret_basic"),
      /** Keep the generated secret in Pulumi state (encrypted, exported as a secret). Default false: the secret is never stored. */
      keepSecretInState: z.boolean().default(false),
    }),
  ],
  { error: "method must be private_key_jwt or client_secret_basic" },
);


/** A GCP role: predefined (`roles/…`, checked to exist in crossFieldGcp.ts) or custom (project or organization). */
export const GCP_ROLE_PATTERN = /^(roles|projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/roles|organizations\/\d+\/roles)\/[A-Za-z0-9_.]+$/;
const gcpRoleSchema = z.string().regex(GCP_ROLE_PATTERN, "must be an IAM role such as roles/storage.objectViewer");

const gcpServiceSchema = strictObject({
  /** true: a service account the workload impersonates gets the roles; false: the roles go to the federated principal itself. */
  serviceAccount: z.boolean({ error: "must be true (impersonate a service account) or false (direct grants)" }).default(false),
  /** Project-level IAM roles; { role, allowIdentityAdmin: true } for an identity-admin role. */
  roles: z
    .array(
      z.union([gcpRoleSchema, strictObject({ role: gcpRoleSchema, allowIdentityAdmin })], {
        error: "must be an IAM role such as roles/storage.objectViewer, or { role: <role>, allowIdentityAdmin: true }",
      }).transform((value) => (typeof value === "string" ? { role: value, allowIdentityAdmin: false } : value)),
    )
    .default([]),
  /**
   * Roles on single resources, by a key of its own (the grant's logical name): `resource` is a full
   * resource name of a supported kind (internal/gcpResource.ts), checked in crossFieldGcp.ts.
   */
  resourceRoles: z
    .record(
      z.string(),
      strictObject({
        resource: nonEmpty("a full resource name such as //storage.googleapis.com/projects/_/buckets/<bucket>"),
        role: gcpRoleSchema,
        allowIdentityAdmin,
      }),
    )
    .default({}),
});

/** An Azure role assignment scope: a resource id under a subscription (its canonical form is checked in crossField.ts). */
export const AZURE_SCOPE_PATTERN = /^\/subscriptions\/[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}(\/.*)?$/;

const azureServiceSchema = strictObject({
  roleAssignments: z
    .record(
      z.string(),
      strictObject({
        role: nonEmpty("an Azure built-in role name (e.g. Reader or Key Vault Crypto User) or a role definition GUID"),
        scope: z
          .string({ error: required("the resource id the role applies to, e.g. /subscriptions/<id>/resourceGroups/<rg>") })
          .regex(AZURE_SCOPE_PATTERN, "must be an Azure resource id starting with /subscriptions/<subscription GUID>"),
        allowIdentityAdmin,
      }),
    )
    .default({}),
});

const serviceSchema = strictObject({
  description: z.string().optional(),
  /**
   * The service's former key. Keeps every resource of the service (aliases for logical names, the
   * old key in physical names) so a rename changes nothing in Okta or the clouds.
   */
  renamedFrom: z.string().optional(),
  /** Custom scopes the service may request; each must be declared under okta.scopes. */
  scopes: z.array(z.string(), { error: "must be a list of scope names declared under okta.scopes" }).min(1, "must grant at least one scope (Okta's token endpoint needs a custom scope)"),
  tokenLifetimeMinutes: lifetimeSchema.optional(),
  /** Attach the stack's token inline hook to this service's rule. */
  tokenHook: z.boolean().default(false),
  auth: serviceAuthSchema.optional(),
  aws: awsServiceSchema.optional(),
  gcp: gcpServiceSchema.optional(),
  azure: azureServiceSchema.optional(),
});

export const federationSchema = strictObject({
  /** Environment name: part of every derived name. */
  environment: z.string({ error: required("a short environment name such as dev or prod") }),
  /** Protect the identity roots (authorization server, AWS OIDC provider, GCP pool and provider, Azure identities) from deletion. */
  protect: z.boolean().default(false),
  okta: strictObject({
    /** The Okta org, as in https://<orgName>.<baseUrl>. */
    orgName: z.string({ error: required("the Okta org name, e.g. acme for https://acme.okta.com") }).regex(/^[a-z0-9][a-z0-9-]*$/i, "must be the org's subdomain, e.g. acme for https://acme.okta.com"),
    baseUrl: z.enum(["okta.com", "oktapreview.com", "okta-emea.com", "okta-gov.com", "okta.mil", "trexcloud.com"], { error: "must be one of okta.com, oktapreview.com, okta-emea.com, okta-gov.com, okta.mil, trexcloud.com" }).default("okta.com"),
    authorizationServer: authorizationServerSchema,
    scopes: z.record(z.string(), strictObject({ description: z.string().optional() }).nullable().default({})).default({}),
    claims: z.record(z.string(), claimSchema).default({}),
    /** Default access-token lifetime for every service's rule, minutes. */
    tokenLifetimeMinutes: lifetimeSchema.default(LIMITS.okta.tokenLifetimeMinutes.default),
    /**
     * How the Okta provider paces its calls (terraform-provider-okta provider settings): the share of
     * each rate limit it may use before it waits for the next minute, retries with backoff, a
     * deadline per call (0: none), and how many Okta writes the kit lets run at once. Defaults suit
     * a large first deploy in an org other clients use too.
     */
    provider: strictObject({
      maxApiCapacity: intRange(1, 100, "percent of each Okta rate limit the provider may use").default(OKTA_PROVIDER_DEFAULTS.maxApiCapacity),
      maxRetries: intRange(1, 100, "retries of a rate-limited call").default(OKTA_PROVIDER_DEFAULTS.maxRetries),
      minWaitSeconds: intRange(1, 300, "seconds to wait before the first retry").default(OKTA_PROVIDER_DEFAULTS.minWaitSeconds),
      maxWaitSeconds: intRange(1, 3600, "longest wait between retries, seconds").default(OKTA_PROVIDER_DEFAULTS.maxWaitSeconds),
      requestTimeoutSeconds: intRange(OKTA_REQUEST_TIMEOUT.min, OKTA_REQUEST_TIMEOUT.max, "seconds one call may take, retries included; 0: no deadline").default(OKTA_PROVIDER_DEFAULTS.requestTimeoutSeconds),
      /** The most Okta writes of this federation at once: the apps in K-1 lanes, everything else in one (oktaWriteOrder). */
      maxConcurrentWrites: intRange(OKTA_MAX_CONCURRENT_WRITES.min, OKTA_MAX_CONCURRENT_WRITES.max, "Okta writes at once; Okta answers more than 75 simultaneous requests with 429").default(OKTA_PROVIDER_DEFAULTS.maxConcurrentWrites),
    }).default(OKTA_PROVIDER_DEFAULTS),
    tokenHook: strictObject({
      name: z.string().optional(),
      url: httpsUrl("the hook endpoint Okta calls"),
      /** Header Okta sends; its value comes from the secret config key okta-federation:tokenHookAuthorization. */
      authHeader: z.string().regex(/^[A-Za-z0-9-]+$/, "must be an HTTP header name").default("Authorization"),
    }).optional(),
  }),
  aws: strictObject({
    accountId: z.string({ error: "must be a 12-digit AWS account id, quoted" }).regex(/^\d{12}$/, "must be a 12-digit AWS account id, quoted"),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as us-east-1").default("us-east-1"),
    /** Adopt the account's existing IAM OIDC provider for the issuer (AWS allows one per URL per account). */
    existingOidcProviderArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/, "must be an IAM OIDC provider ARN").optional(),
    thumbprints: z.array(z.string().regex(/^[0-9a-fA-F]{40}$/, "must be a 40-hex SHA-1 thumbprint")).max(LIMITS.aws.thumbprintsMax, `at most ${LIMITS.aws.thumbprintsMax} thumbprints`).optional(),
    rolePath: z.string().regex(/^\/([\x21-\x7e]*\/)?$/, "must start and end with '/'").max(LIMITS.aws.rolePathMaxLength, `must be at most ${LIMITS.aws.rolePathMaxLength} characters (IAM role path)`).default("/oktafed/"),
    /** The issuer sends AWS session tags (https://aws.amazon.com/tags claim): every role also allows sts:TagSession. */
    sessionTags: z.boolean().default(false),
    permissionsBoundaryArn: z.string().regex(/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/.+$/, "must be an IAM policy ARN").optional(),
    maxSessionDurationSeconds: sessionDurationSchema.default(LIMITS.aws.maxSessionDurationSeconds.default),
  }).optional(),
  gcp: strictObject({
    project: z.string({ error: required("the GCP project id") }).regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a GCP project id: 6-30 characters of a-z, 0-9 and '-', a letter first"),
    poolId: z.string().optional(),
    providerId: z.string().default("okta"),
    /**
     * Spread the services over this many OIDC providers in the pool (by a stable hash of the service
     * key) when one attribute condition cannot list every client id (4096 characters, about 170).
     */
    providerShards: z.number({ error: "must be a whole number from 1 to 20" }).int("must be a whole number from 1 to 20").min(1, "must be a whole number from 1 to 20").max(20, "must be a whole number from 1 to 20").default(1),
    /** Appended to pool and provider ids; deleted ids stay reserved for 30 days. */
    idSuffix: z.string().regex(/^[a-z0-9]{1,8}$/, "must be 1-8 characters of a-z and 0-9").optional(),
    /** Token claims mapped to attribute.<claim>, usable in IAM conditions and principalSets. */
    mappedClaims: z.array(z.string()).default([]),
    /** A CEL condition ANDed to the kit's client-id condition, e.g. assertion.tenant_id == 'acme'. */
    additionalCondition: z.string().min(1, "must not be empty").optional(),
  }).optional(),
  azure: strictObject({
    subscriptionId: z.string().regex(/^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/, "must be a subscription GUID"),
    tenantId: z.string().regex(/^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/, "must be a tenant GUID"),
    resourceGroup: z.string().regex(/^[-\w.()]{1,89}[-\w()]$/, `must be an existing resource group name (1-${LIMITS.azure.resourceGroupMaxLength} characters)`),
    location: z
      .string()
      .regex(/^[a-z0-9]+$/, "must be an Azure region name such as westeurope")
      .refine(
        (location) => !(LIMITS.azure.locationsWithoutFederatedCredentials as readonly string[]).includes(location),
        { error: (issue) => `${String(issue.input)} does not support federated identity credentials on user-assigned identities (unsupported: ${LIMITS.azure.locationsWithoutFederatedCredentials.join(", ")}); choose another region for the identities` },
      ),
    /** Prefix of each identity's name; defaults to id-<environment>-. */
    identityNamePrefix: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "must start with a letter or digit and use letters, digits, '-' and '_'").optional(),
  }).optional(),
  services: z.record(z.string(), serviceSchema, { error: (issue) => (issue.input === undefined ? "is required: a map of services keyed by service name" : "must be a map of services keyed by service name (not a list)") }),
});

type Parsed = z.output<typeof federationSchema>;
/** The validated federation config. */
export type FederationConfig = Parsed;
export type ServiceConfig = Parsed["services"][string];
export type ClaimConfig = Parsed["okta"]["claims"][string];

/** The authorization server settings, whichever form the config used. */
export function serverSettings(config: Pick<FederationConfig, "okta">): {
  existingId?: string;
  name?: string;
  description?: string;
  audience: string;
  issuerMode: "ORG_URL" | "CUSTOM_URL";
  customDomain?: string;
  keyRotation: "AUTO" | "MANUAL";
} {
  const s = config.okta.authorizationServer;
  if ("existing" in s) {
    return { existingId: s.existing.id, audience: s.existing.audience, issuerMode: s.existing.issuerMode, customDomain: s.existing.customDomain, keyRotation: "AUTO" };
  }
  return { name: s.name, description: s.description, audience: s.audience, issuerMode: s.issuerMode, customDomain: s.customDomain, keyRotation: s.keyRotation };
}
