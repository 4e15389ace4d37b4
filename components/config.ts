/**
 * The one stack config of okta-federation (`okta-federation:federation`), its schema, and the
 * validation that runs before any resource is registered. Every problem is collected and reported
 * at once, each with its key path, what is wrong and what is allowed.
 */
import { z } from "zod";
import { AUDIENCE_MAX_LENGTH, LIMITS } from "./internal/limits";
import { OKTA_ACCESS_TOKEN_CLAIMS, gcpAttributeConditionLength } from "./internal/trust";
import { awsRoleName, azureIdentityName, gcpId, gcpProviderShard, gcpServiceAccountId, gcpShardProviderId } from "./internal/names";
import { AZURE_BUILTIN_ROLES } from "./internal/azureRoles";
import { parseClaimCondition } from "./internal/condition";
import { clientKeyUses, identityAdminProblems, identityLocations, sharedKeyProblems, trustRuleProblems } from "./trustRules";

/** The config key (namespace and name) that holds the whole federation config. */
export const CONFIG_NAMESPACE = "okta-federation";
export const CONFIG_KEY = "federation";
/** The alternative key for several federations (issuers) in one stack, keyed by federation name. */
export const CONFIG_KEY_MULTI = "federations";
/** The config key that holds the token hook's Authorization header value (a `secure:` value). */
export const HOOK_SECRET_KEY = "tokenHookAuthorization";
/** Why a `secure:` value may not sit inside the structured federation key (offline plan and real runs alike). */
export const SECURE_INSIDE_MESSAGE =
  "holds a secure value inside a structured key; keep secrets in their own key (e.g. okta-federation:tokenHookAuthorization) so the rest of the config stays readable";

/** Attributes the kit maps itself (see gcpAttributeMapping). */
const KIT_ATTRIBUTES = ["client_id"];
/** A required string's error: "is required" when absent, "must be a string" when mistyped. */
const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? `is required: ${what}` : `must be a string: ${what}`;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const KEY_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const KEY_RULE = (min: number, max: number) =>
  `${min}-${max} characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'`;

/** A strict object whose unknown-key error lists the keys that are allowed. */
function strictObject<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")}; allowed: ${allowed}`
        : undefined,
  });
}

/** A whole number in [min, max]; the message says what it is. */
const intRange = (min: number, max: number, what: string) => {
  const message = `must be a whole number from ${min} to ${max} (${what})`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
};

/** The Okta provider's pacing when the config says nothing (see okta.provider in docs/config.md). */
export const OKTA_PROVIDER_DEFAULTS = { maxApiCapacity: 80, maxRetries: 10, minWaitSeconds: 30, maxWaitSeconds: 300, requestTimeoutSeconds: 60 } as const;

const nonEmpty = (what: string) => z.string({ error: `must be a string (${what})` }).min(1, `must not be empty (${what})`);

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

const sessionRange = `must be ${LIMITS.aws.maxSessionDurationSeconds.min}-${LIMITS.aws.maxSessionDurationSeconds.max} seconds (IAM role max session duration)`;
const sessionDurationSchema = z.number().int(sessionRange).min(LIMITS.aws.maxSessionDurationSeconds.min, sessionRange).max(LIMITS.aws.maxSessionDurationSeconds.max, sessionRange);

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
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return "is required";
    const got = Array.isArray(issue.input) ? "a list" : issue.input === null ? "null" : typeof issue.input;
    return `must be ${issue.expected === "object" ? "a map" : issue.expected === "array" ? "a list" : `a ${issue.expected}`}, got ${got}`;
  }
  return undefined;
}

const scopeNameRule =
  "printable ASCII without spaces, '\"' or '\\', not starting with 'okta.' or 'okta:', not 'okta' or '*', and not one of Okta's reserved scopes";

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

const jwkSchema = strictObject({
  kid: nonEmpty("the key id"),
  kty: z.enum(["RSA", "EC"], { error: "must be RSA or EC (Okta private_key_jwt keys)" }),
  e: z.string().optional(),
  n: z.string().optional(),
  x: z.string().optional(),
  y: z.string().optional(),
  alg: z.string().optional(),
  use: z.string().optional(),
  crv: z.string().optional(),
}).superRefine((jwk, ctx) => {
  if (jwk.kty === "RSA" && (!jwk.n || !jwk.e)) ctx.addIssue({ code: "custom", message: "an RSA key needs n and e" });
  if (jwk.kty === "EC" && (!jwk.x || !jwk.y)) ctx.addIssue({ code: "custom", message: "an EC key needs x and y" });
  if (jwk.n && /[+/=]/.test(jwk.n)) ctx.addIssue({ code: "custom", path: ["n"], message: "must be base64url without padding (a public JWK)" });
});

const privateKeyFields = ["d", "p", "q", "dp", "dq", "qi"] as const;

const serviceAuthSchema = z.discriminatedUnion(
  "method",
  [
    strictObject({
      method: z.literal("private_key_jwt"),
      /** Public keys of the service; the private key stays with the service. */
      jwks: z.array(jwkSchema).min(1, "must list at least one public key").optional(),
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

const policyArnSchema = z.string({ error: "must be an IAM policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess" }).regex(/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/, "must be an IAM policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess");

/**
 * The explicit, per-grant opt-in for a grant that lets the service change identities, credentials
 * or trust (components/internal/identityAdmin.ts). verify then reports which other services'
 * identities the service could take over.
 */
const allowIdentityAdmin = z.boolean({ error: "must be true or false: true accepts a grant that lets this service take over other identities" }).default(false);

const awsServiceSchema = strictObject({
  /**
   * Managed policies to attach, keyed by a stable name: { s3-read: arn:aws:iam::aws:policy/... },
   * or { admin: { arn: ..., allowIdentityAdmin: true } } for an identity-admin policy.
   */
  policies: z
    .record(
      z.string(),
      z.union([policyArnSchema, strictObject({ arn: policyArnSchema, allowIdentityAdmin })], {
        error: "must be an IAM policy ARN, or { arn: <policy ARN>, allowIdentityAdmin: true }",
      }).transform((value) => (typeof value === "string" ? { arn: value, allowIdentityAdmin: false } : value)),
    )
    .default({}),
  maxSessionDurationSeconds: sessionDurationSchema.optional(),
});

const gcpRoleSchema = z.string().regex(/^(roles|projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/roles|organizations\/\d+\/roles)\/[A-Za-z0-9_.]+$/, "must be an IAM role such as roles/storage.objectViewer");

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
});

const azureServiceSchema = strictObject({
  roleAssignments: z
    .record(
      z.string(),
      strictObject({
        role: nonEmpty(`a built-in role name (${Object.keys(AZURE_BUILTIN_ROLES).join(", ")}) or a role definition GUID`),
        scope: z
          .string({ error: required("the resource id the role applies to, e.g. /subscriptions/<id>/resourceGroups/<rg>") })
          .regex(/^\/subscriptions\/[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}(\/.*)?$/, "must be an Azure resource id starting with /subscriptions/<subscription GUID>"),
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

const federationSchema = strictObject({
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
     * each rate limit it may use before it waits for the next minute, retries with backoff, and a
     * request timeout. Defaults suit a large first deploy in an org other clients use too.
     */
    provider: strictObject({
      maxApiCapacity: intRange(1, 100, "percent of each Okta rate limit the provider may use").default(OKTA_PROVIDER_DEFAULTS.maxApiCapacity),
      maxRetries: intRange(1, 100, "retries of a rate-limited call").default(OKTA_PROVIDER_DEFAULTS.maxRetries),
      minWaitSeconds: intRange(1, 300, "seconds to wait before the first retry").default(OKTA_PROVIDER_DEFAULTS.minWaitSeconds),
      maxWaitSeconds: intRange(1, 3600, "longest wait between retries, seconds").default(OKTA_PROVIDER_DEFAULTS.maxWaitSeconds),
      requestTimeoutSeconds: intRange(1, 300, "seconds a request may take").default(OKTA_PROVIDER_DEFAULTS.requestTimeoutSeconds),
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

/** One config problem: where it is and what is wrong (and what is allowed). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** Thrown when the config is invalid; carries every problem at once. */
export class FederationConfigError extends Error {
  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly key: string = CONFIG_KEY,
  ) {
    super(formatProblems(problems, key));
    this.name = "FederationConfigError";
  }
}

export function formatProblems(problems: readonly ConfigProblem[], key: string = CONFIG_KEY): string {
  const head = `invalid config ${CONFIG_NAMESPACE}:${key}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`;
  return [head, ...problems.map((p) => `  - ${p.path}: ${p.message}`)].join("\n");
}

/** `services.payments.scopes[1]` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(root)" : out;
}

/**
 * Parses and validates the raw config (as `requireObject` returns it). Returns the typed config or
 * throws a {@link FederationConfigError} listing every problem.
 */
export function parseFederationConfig(raw: unknown): FederationConfig {
  const result = federationSchema.safeParse(raw, { error: describeIssue });
  const problems: ConfigProblem[] = [];
  if (!result.success) problems.push(...result.error.issues.flatMap((issue) => toProblems(issue, [])));
  // Cross-field rules run on whatever parsed shape there is, so one pass reports everything.
  problems.push(...crossFieldProblems(raw), ...trustRuleProblems(raw));
  const unique = dedupe(problems);
  if (unique.length > 0 || !result.success) throw new FederationConfigError(unique);
  return result.data;
}

/**
 * One zod issue as config problems. For a union that matched no branch, the branch that came
 * closest (fewest issues) explains the problem better than "matched none"; on a tie the union's
 * own message (which lists the accepted forms) is kept.
 */
function toProblems(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]): ConfigProblem[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const sizes = issue.errors.map((branch) => branch.length);
    const best = Math.min(...sizes);
    if (sizes.filter((n) => n === best).length === 1) {
      return issue.errors[sizes.indexOf(best)]!.flatMap((inner) => toProblems(inner, path));
    }
  }
  return [{ path: formatPath(path), message: issue.message }];
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const asRecord = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});
const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** Rules that span several keys, checked on the raw input so they run even when the shape has errors elsewhere. */
function crossFieldProblems(raw: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (!isRecord(raw)) {
    return [{ path: "(root)", message: "must be an object with environment, okta and services" }];
  }
  const env = raw.environment;
  const { min: envMin, max: envMax } = LIMITS.kit.environmentLength;
  if (typeof env === "string" && !(KEY_PATTERN.test(env) && env.length >= envMin && env.length <= envMax)) {
    add("environment", `invalid environment "${env}"; allowed: ${KEY_RULE(envMin, envMax)}`);
  }
  const environment = typeof env === "string" ? env : "env";
  const okta = asRecord(raw.okta);
  const server = asRecord(okta.authorizationServer);
  const serverPath = isRecord(server.existing) ? "okta.authorizationServer.existing" : "okta.authorizationServer";
  const serverFields = isRecord(server.existing) ? server.existing : server;
  if (serverFields.issuerMode === "CUSTOM_URL" && typeof serverFields.customDomain !== "string") {
    add(`${serverPath}.customDomain`, "is required with issuerMode CUSTOM_URL: the org's custom domain (e.g. id.example.com), which becomes the issuer's host");
  }
  const pacing = asRecord(okta.provider);
  if (typeof pacing.minWaitSeconds === "number" && typeof pacing.maxWaitSeconds === "number" && pacing.maxWaitSeconds < pacing.minWaitSeconds) {
    add("okta.provider.maxWaitSeconds", `must be at least minWaitSeconds (${pacing.minWaitSeconds})`);
  }
  if (serverFields.issuerMode !== "CUSTOM_URL" && serverFields.customDomain !== undefined) {
    add(`${serverPath}.customDomain`, "is only used with issuerMode CUSTOM_URL; remove it or set issuerMode: CUSTOM_URL");
  }

  const scopes = asRecord(okta.scopes);
  const scopeNames = Object.keys(scopes);
  for (const name of scopeNames) {
    if (name === "__proto__") add(`okta.scopes.${name}`, PROTO_KEY);
    else if (!isValidScopeName(name)) add(`okta.scopes.${name}`, `invalid scope name "${name}"; allowed: ${scopeNameRule}`);
  }
  const declared = scopeNames.length ? scopeNames.join(", ") : "(none declared)";

  const claims = asRecord(okta.claims);
  for (const [name, claim] of Object.entries(claims)) {
    if (name === "__proto__") {
      add(`okta.claims.${name}`, PROTO_KEY);
    } else if ((LIMITS.okta.reservedClaims as readonly string[]).includes(name)) {
      add(`okta.claims.${name}`, `"${name}" is a reserved claim name in Okta access tokens; reserved: ${LIMITS.okta.reservedClaims.join(", ")}`);
    } else if (!/^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(name)) {
      add(`okta.claims.${name}`, `invalid claim name "${name}"; allowed: letters, digits and '_', a letter or '_' first, at most 100 characters`);
    }
    asStrings(asRecord(claim).scopes).forEach((s, i) => {
      if (!scopeNames.includes(s)) add(`okta.claims.${name}.scopes[${i}]`, `unknown scope "${s}"; allowed: ${declared} (declared under okta.scopes)`);
    });
  }

  const hookConfigured = isRecord(okta.tokenHook);
  const aws = raw.aws;
  const gcp = raw.gcp;
  const azure = raw.azure;
  const gcpRecord = asRecord(gcp);

  const services = asRecord(raw.services);
  const serviceKeys = Object.keys(services);
  if (isRecord(raw.services) && serviceKeys.length === 0) add("services", "must define at least one service");
  const { min: keyMin, max: keyMax } = LIMITS.kit.serviceKeyLength;
  const gcpAccountIds = new Map<string, string>();
  const gcpServiceKeys: string[] = [];
  const azurePrefix = typeof asRecord(azure).identityNamePrefix === "string" ? String(asRecord(azure).identityNamePrefix) : `id-${environment}-`;

  for (const key of serviceKeys) {
    const path = `services.${key}`;
    if (!(KEY_PATTERN.test(key) && key.length >= keyMin && key.length <= keyMax)) {
      add(path, `invalid service key "${key}"; allowed: ${KEY_RULE(keyMin, keyMax)}`);
    }
    const service = asRecord(services[key]);
    if (service.renamedFrom !== undefined) {
      const from = service.renamedFrom;
      if (typeof from !== "string" || !KEY_PATTERN.test(from) || from.length < keyMin || from.length > keyMax) {
        add(`${path}.renamedFrom`, `invalid former key ${JSON.stringify(from)}; allowed: ${KEY_RULE(keyMin, keyMax)}`);
      } else if (from === key || serviceKeys.includes(from)) {
        add(`${path}.renamedFrom`, `"${from}" is ${from === key ? "this service's own key" : "the key of another service"}; name the key this service had before`);
      } else if (serviceKeys.some((k) => k !== key && asRecord(services[k]).renamedFrom === from)) {
        add(`${path}.renamedFrom`, `"${from}" is claimed by more than one service`);
      }
    }
    const physicalKey = typeof service.renamedFrom === "string" ? service.renamedFrom : key;
    const granted = asStrings(service.scopes);
    granted.forEach((scope, i) => {
      if (!scopeNames.includes(scope)) add(`${path}.scopes[${i}]`, `unknown scope "${scope}"; allowed: ${declared} (declared under okta.scopes)`);
    });
    const dupes = granted.filter((s, i) => granted.indexOf(s) !== i);
    for (const d of new Set(dupes)) add(`${path}.scopes`, `scope "${d}" is listed more than once`);
    if (granted.join(" ").length > LIMITS.okta.scopeParameterMaxLength) {
      add(`${path}.scopes`, `the scopes together exceed Okta's ${LIMITS.okta.scopeParameterMaxLength}-character scope parameter`);
    }
    const clouds = (["aws", "gcp", "azure"] as const).filter((c) => service[c] !== undefined);
    if (clouds.length === 0) add(path, "has no cloud: add at least one of aws, gcp or azure");
    if (service.aws !== undefined && aws === undefined) add(`${path}.aws`, "needs the top-level aws block (accountId) to be configured");
    if (service.gcp !== undefined && gcp === undefined) add(`${path}.gcp`, "needs the top-level gcp block (project) to be configured");
    if (service.azure !== undefined && azure === undefined) add(`${path}.azure`, "needs the top-level azure block (subscriptionId, tenantId, resourceGroup, location) to be configured");
    if (service.tokenHook === true && !hookConfigured) add(`${path}.tokenHook`, "asks for the token hook, but okta.tokenHook is not configured");

    const auth = asRecord(service.auth);
    if (auth.method === "private_key_jwt") {
      const hasJwks = Array.isArray(auth.jwks);
      const hasUri = typeof auth.jwksUri === "string";
      if (hasJwks === hasUri) add(`${path}.auth`, "private_key_jwt needs exactly one of jwks (public keys) or jwksUri");
      if (Array.isArray(auth.jwks)) {
        const kids = auth.jwks.map((k) => asRecord(k).kid);
        auth.jwks.forEach((jwk, i) => {
          for (const field of privateKeyFields) {
            if (field in asRecord(jwk)) add(`${path}.auth.jwks[${i}].${field}`, "is private key material: give Okta only the public key (kty, kid, n, e or x, y)");
          }
          if (kids.indexOf(asRecord(jwk).kid) !== i) add(`${path}.auth.jwks[${i}].kid`, `duplicate key id "${String(asRecord(jwk).kid)}"`);
        });
      }
    }
    if (service.auth === undefined) {
      add(`${path}.auth`, "is required: { method: private_key_jwt, jwks: [...] } (recommended) or { method: client_secret_basic }");
    }

    const awsService = asRecord(service.aws);
    const policies = Object.keys(asRecord(awsService.policies));
    if (policies.length > LIMITS.aws.managedPoliciesPerRole) {
      add(`${path}.aws.policies`, `${policies.length} policies; IAM allows ${LIMITS.aws.managedPoliciesPerRole} managed policies per role by default`);
    }
    for (const p of policies) if (!KEY_PATTERN.test(p) || p.length > 64) add(`${path}.aws.policies.${p}`, `invalid policy key "${p}"; allowed: ${KEY_RULE(2, 64)}`);

    if (service.gcp !== undefined) {
      gcpServiceKeys.push(physicalKey);
      const g = asRecord(service.gcp);
      if (g.serviceAccount === true) {
        const accountId = gcpServiceAccountId(environment, physicalKey);
        const other = gcpAccountIds.get(accountId);
        if (other) add(`${path}.gcp`, `derived service account id "${accountId}" collides with service ${other}; rename one of the services`);
        gcpAccountIds.set(accountId, key);
      }
      const roles = (Array.isArray(g.roles) ? g.roles : []).map((r) => (isRecord(r) ? r.role : r)).filter((r): r is string => typeof r === "string");
      for (const r of new Set(roles.filter((r, i) => roles.indexOf(r) !== i))) add(`${path}.gcp.roles`, `role "${r}" is listed more than once`);
      if (g.serviceAccount !== true && roles.length === 0) add(`${path}.gcp`, "grants nothing: list roles, or set serviceAccount: true to impersonate a service account");
    }

    const assignments = asRecord(asRecord(service.azure).roleAssignments);
    for (const [aKey, a] of Object.entries(assignments)) {
      const aPath = `${path}.azure.roleAssignments.${aKey}`;
      if (!KEY_PATTERN.test(aKey) || aKey.length > 64) add(aPath, `invalid assignment key "${aKey}"; allowed: ${KEY_RULE(2, 64)}`);
      const role = asRecord(a).role;
      if (typeof role === "string" && !isAzureRole(role)) {
        add(`${aPath}.role`, `unknown role "${role}"; allowed: a role definition GUID or one of ${Object.keys(AZURE_BUILTIN_ROLES).join(", ")}`);
      }
      if (asRecord(a).scope === undefined) add(`${aPath}.scope`, "is required: the resource id the role applies to, e.g. /subscriptions/<id>/resourceGroups/<rg>");
    }
    if (service.azure !== undefined) {
      const name = azureIdentityName(azurePrefix, physicalKey);
      const { min, max } = LIMITS.azure.identityNameLength;
      if (name.length < min || name.length > max) add(`${path}.azure`, `derived identity name "${name}" must be ${min}-${max} characters`);
    }
  }

  if (gcp !== undefined) {
    const poolId = typeof gcpRecord.poolId === "string" ? gcpRecord.poolId : `okta-${environment}`;
    const providerId = typeof gcpRecord.providerId === "string" ? gcpRecord.providerId : "okta";
    const suffix = typeof gcpRecord.idSuffix === "string" ? gcpRecord.idSuffix : undefined;
    const shards = typeof gcpRecord.providerShards === "number" && Number.isInteger(gcpRecord.providerShards) && gcpRecord.providerShards >= 1 ? Math.min(gcpRecord.providerShards, 20) : 1;
    const ids: Array<readonly [string, string]> = [["poolId", gcpId(poolId, suffix)]];
    for (let shard = 0; shard < shards; shard++) ids.push(["providerId", gcpShardProviderId(providerId, shard, suffix)]);
    for (const [field, id] of ids) {
      const { min, max } = LIMITS.gcp.idLength;
      if (!/^[a-z0-9-]+$/.test(id) || id.length < min || id.length > max || id.startsWith("gcp-")) {
        const derived = [suffix ? "idSuffix" : "", field === "providerId" && shards > 1 ? "providerShards" : ""].filter(Boolean).join(" and ");
        add(`gcp.${field}`, `invalid id "${id}"${derived ? ` (as derived with ${derived})` : ""}; allowed: ${min}-${max} characters of a-z, 0-9 and '-', not starting with 'gcp-'`);
      }
    }
    let additional = typeof gcpRecord.additionalCondition === "string" ? gcpRecord.additionalCondition : undefined;
    if (additional !== undefined) {
      const parsed = parseClaimCondition(additional);
      if (!parsed.ok) {
        for (const problem of parsed.problems) add("gcp.additionalCondition", problem);
        additional = undefined;
      } else {
        for (const problem of conditionClaimProblems(parsed.claims, claims, services)) add(problem.path, problem.message);
      }
    }
    const perShard = new Map<number, number>();
    for (const key of gcpServiceKeys) perShard.set(gcpProviderShard(key, shards), (perShard.get(gcpProviderShard(key, shards)) ?? 0) + 1);
    for (const [shard, count] of [...perShard.entries()].sort(([a], [b]) => a - b)) {
      const conditionLength = gcpAttributeConditionLength(count, LIMITS.okta.clientIdLength, additional);
      if (conditionLength <= LIMITS.gcp.attributeConditionMaxLength) continue;
      const over = `its attribute condition would be ${conditionLength} characters, over GCP's ${LIMITS.gcp.attributeConditionMaxLength}`;
      if (count === 1 || gcpAttributeConditionLength(1, LIMITS.okta.clientIdLength, additional) > LIMITS.gcp.attributeConditionMaxLength) {
        // Sharding cannot help: even one client id does not fit beside the additional condition.
        add("gcp.additionalCondition", `is too long: with one client id ${over.replace(/^its /, "the provider's ")}; shorten it`);
        break;
      }
      add("gcp.providerShards", `provider ${gcpShardProviderId(providerId, shard, suffix)} would admit ${count} services: ${over}; raise providerShards (now ${shards})`);
    }
    const grants = projectGrantCount(services);
    if (grants > LIMITS.gcp.policyPrincipalsMax) {
      add("gcp.project", projectPolicyMessage(String(gcpRecord.project), grants));
    }
    const mapped = asStrings(gcpRecord.mappedClaims);
    if (mapped.length > LIMITS.gcp.customAttributesMax - 1) {
      add("gcp.mappedClaims", `at most ${LIMITS.gcp.customAttributesMax - 1} claims (GCP allows ${LIMITS.gcp.customAttributesMax} custom attributes; the kit maps client_id itself)`);
    }
    mapped.forEach((claim, i) => {
      if (!/^[a-z0-9_]{1,100}$/.test(claim)) add(`gcp.mappedClaims[${i}]`, `invalid attribute name "${claim}"; allowed: 1-100 characters of a-z, 0-9 and '_'`);
      else if (KIT_ATTRIBUTES.includes(claim)) add(`gcp.mappedClaims[${i}]`, `attribute.${claim} is mapped by the kit itself (from assertion.cid); choose another claim`);
      else if (!Object.hasOwn(claims, claim)) add(`gcp.mappedClaims[${i}]`, `claim "${claim}" is not emitted by the authorization server; declare it under okta.claims (declared: ${Object.keys(claims).join(", ") || "none"})`);
    });
  }
  return problems;
}

/**
 * Parses several federations (`okta-federation:federations`), each a full federation config keyed
 * by a federation name: one authorization server (issuer) each, e.g. one per tenant, or a dedicated
 * issuer per cloud so that a token for one cloud is useless at another. Problems are reported with
 * the federation name as the first path segment, together with clashes between federations.
 */
export function parseFederations(raw: unknown): Record<string, FederationConfig> {
  const problems: ConfigProblem[] = [];
  if (!isRecord(raw) || Object.keys(raw).length === 0) {
    throw new FederationConfigError([{ path: "(root)", message: "must be a map of federations keyed by name, with at least one" }], CONFIG_KEY_MULTI);
  }
  const parsed: Record<string, FederationConfig> = {};
  const { min, max } = LIMITS.kit.serviceKeyLength;
  for (const name of Object.keys(raw).sort()) {
    if (!(KEY_PATTERN.test(name) && name.length >= min && name.length <= max)) {
      problems.push({ path: name, message: `invalid federation name "${name}"; allowed: ${KEY_RULE(min, max)}` });
    }
    try {
      parsed[name] = parseFederationConfig(raw[name]);
    } catch (error) {
      if (!(error instanceof FederationConfigError)) throw error;
      for (const p of error.problems) problems.push({ path: p.path === "(root)" ? name : `${name}.${p.path}`, message: p.message });
    }
  }
  // Clashes between federations: the same physical objects would be claimed twice. Azure names
  // are case-insensitive, so they are compared in lower case.
  const seen = new Map<string, string>();
  const claim = (what: string, id: string, path: string, caseInsensitive = false) => {
    const key = `${what}|${caseInsensitive ? id.toLowerCase() : id}`;
    const other = seen.get(key);
    if (other) problems.push({ path, message: `${what} ${id} is also used by ${other}; give each federation its own` });
    else seen.set(key, path);
  };
  for (const [name, config] of Object.entries(parsed)) {
    const server = serverSettings(config);
    if (server.name) claim("Okta authorization server", `${config.okta.orgName}.${config.okta.baseUrl}/${server.name}`, `${name}.okta.authorizationServer.name`);
    else if (server.existingId) claim("Okta authorization server", `${config.okta.orgName}.${config.okta.baseUrl}/${server.existingId}`, `${name}.okta.authorizationServer.existing.id`);
    if (config.gcp && Object.values(config.services).some((s) => s.gcp)) {
      claim("GCP pool", `${config.gcp.project}/${gcpId(config.gcp.poolId ?? `okta-${config.environment}`, config.gcp.idSuffix)}`, `${name}.gcp.poolId`);
    }
    for (const [key, service] of Object.entries(config.services)) {
      const physical = service.renamedFrom ?? key;
      if (config.aws && service.aws) claim("AWS role", `${config.aws.accountId}/${awsRoleName(config.environment, physical)}`, `${name}.services.${key}.aws`);
      if (config.gcp && service.gcp?.serviceAccount) {
        claim("GCP service account", `${config.gcp.project}/${gcpServiceAccountId(config.environment, physical)}`, `${name}.services.${key}.gcp`);
      }
      if (config.azure && service.azure) {
        const identity = azureIdentityName(config.azure.identityNamePrefix ?? `id-${config.environment}-`, physical);
        claim("Azure identity", `${config.azure.subscriptionId}/${config.azure.resourceGroup}/${identity}`, `${name}.services.${key}.azure`, true);
      }
    }
  }
  // Federations that share a GCP project share its IAM policy.
  const perProject = new Map<string, { grants: number; last: string }>();
  for (const [name, config] of Object.entries(parsed)) {
    if (!config.gcp) continue;
    const entry = perProject.get(config.gcp.project) ?? { grants: 0, last: name };
    perProject.set(config.gcp.project, { grants: entry.grants + projectGrantCount(config.services), last: name });
  }
  for (const [project, { grants, last }] of perProject) {
    const path = `${last}.gcp.project`;
    if (grants > LIMITS.gcp.policyPrincipalsMax && !problems.some((p) => p.path === path)) problems.push({ path, message: projectPolicyMessage(project, grants) });
  }
  // A grant in one federation may reach another federation's identities (one subscription, say).
  const reach = Object.keys(raw).sort().map((name) => identityLocations(raw[name], name));
  for (const name of Object.keys(raw).sort()) {
    const known = new Set(problems.map((p) => p.path));
    for (const p of identityAdminProblems(raw[name], reach, `${name}.`)) if (!known.has(p.path)) problems.push(p);
  }
  // One key, one service, also across the federations that share an Okta org.
  const byOrg = new Map<string, ReturnType<typeof clientKeyUses>>();
  for (const name of Object.keys(raw).sort()) {
    const okta = isRecord(raw[name]) && isRecord((raw[name] as Record<string, unknown>).okta) ? ((raw[name] as Record<string, unknown>).okta as Record<string, unknown>) : {};
    const org = `${String(okta.orgName)}.${String(okta.baseUrl ?? "okta.com")}`;
    byOrg.set(org, [...(byOrg.get(org) ?? []), ...clientKeyUses(raw[name], name)]);
  }
  for (const uses of byOrg.values()) problems.push(...sharedKeyProblems(uses, { acrossFederationsOnly: true }));
  if (problems.length > 0) throw new FederationConfigError(problems, CONFIG_KEY_MULTI);
  return parsed;
}

/** Project-level GCP grants of a federation's services: each is a principal occurrence in the project's IAM policy. */
function projectGrantCount(services: Record<string, unknown>): number {
  return Object.values(services).reduce<number>((sum, service) => {
    const roles = asRecord(asRecord(service).gcp).roles;
    return sum + (Array.isArray(roles) ? roles.length : 0);
  }, 0);
}

function projectPolicyMessage(project: string, grants: number): string {
  return `the services grant ${grants} project-level roles in ${project}, each a principal occurrence in the project's IAM policy, which holds at most ${LIMITS.gcp.policyPrincipalsMax} (google.iam.v1.Policy); grant on resources instead (docs/config.md#large-stacks), or split the services over projects`;
}

/** A map key that JavaScript objects cannot hold as data: it would silently vanish. */
const PROTO_KEY = `"__proto__" cannot be used as a name: it would vanish from the config; choose another name`;

/**
 * Claims a GCP condition reads must be ones the authorization server emits (the standard
 * access-token claims and okta.claims). A claim limited to some scopes is absent from the tokens of
 * a service that requests none of them, and GCP would then refuse that service's tokens.
 * Claims added by a token hook are not accepted: hooks fail open, so the kit cannot show they are
 * there (the grammar keeps a missing claim from admitting a token, but the service would lose access).
 */
function conditionClaimProblems(read: readonly string[], claims: Record<string, unknown>, services: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const emitted = [...OKTA_ACCESS_TOKEN_CLAIMS, ...Object.keys(claims).filter((c) => c !== "__proto__")];
  for (const claim of read) {
    if (!emitted.includes(claim)) {
      problems.push({ path: "gcp.additionalCondition", message: `references assertion.${claim}, which the issuer does not emit; tokens carry ${emitted.join(", ")} (claims added by a token hook are not accepted: hooks fail open)` });
      continue;
    }
    const limitedTo = asStrings(asRecord(claims[claim]).scopes);
    if (limitedTo.length === 0) continue;
    for (const [key, service] of Object.entries(services)) {
      if (asRecord(service).gcp === undefined) continue;
      if (asStrings(asRecord(service).scopes).some((s) => limitedTo.includes(s))) continue;
      problems.push({
        path: `services.${key}.scopes`,
        message: `requests none of ${limitedTo.join(", ")}, so ${key}'s tokens lack claim ${claim}, which gcp.additionalCondition reads, and GCP would refuse them; grant one of those scopes or drop the scope limit on okta.claims.${claim}`,
      });
    }
  }
  return problems;
}

/** Okta's scope-name rules (authorization server API). */
export function isValidScopeName(name: string): boolean {
  if (!/^[\x21-\x7e]+$/.test(name) || /["\\]/.test(name)) return false;
  if (name === "okta" || name === "*" || name.startsWith("okta.") || name.startsWith("okta:")) return false;
  if (name.includes("<") && name.includes(">")) return false;
  return !(LIMITS.okta.reservedScopes as readonly string[]).includes(name);
}

function isAzureRole(role: string): boolean {
  return Object.hasOwn(AZURE_BUILTIN_ROLES, role) || /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/.test(role);
}

/** The authorization server settings, whichever form the config used. */
export function serverSettings(config: FederationConfig): {
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
