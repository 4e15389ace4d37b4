import { describe, expect, it } from "vitest";
import {
  FederationConfigError,
  formatProblems,
  isValidScopeName,
  parseFederationConfig,
  serverSettings,
  type ConfigProblem,
  type FederationConfig,
} from "../components/config";
import { LIMITS } from "../components/internal/limits";
import { gcpProviderShard, gcpServiceAccountId, gcpShardProviderId } from "../components/internal/names";
import { gcpAttributeConditionLength } from "../components/internal/trust";
import { baseConfig, jwtAuth } from "./helpers/fixtures";
import { parsed, problemsOf, type Mutation } from "./helpers/configs";
import { AWS_MANAGED_POLICIES, ROLE_DATA } from "../components/internal/roleData";
import { AZURE_BUILTIN_ROLES } from "../components/internal/azureRoles";
import gcpRoleData from "../components/internal/data/gcp-roles.json";

const payments = (c: any) => c.services.payments;
const server = (c: any) => c.okta.authorizationServer;
const policyArn = "arn:aws:iam::aws:policy/ReadOnlyAccess";

const SERVICE_KEY_RULE = "2-30 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'";
const SCOPE_RULE =
  "printable ASCII without spaces, '\"' or '\\', not starting with 'okta.' or 'okta:', not 'okta' or '*', and not one of Okta's reserved scopes";
const RESERVED_CLAIMS =
  "acr, as_uri, auth_time, authorization_details, cid, cnf, exp, groups, iat, iss, jti, rpt, rsi, scp, sid, token_type, uid, username, ver, aud, sub";
const GCP_ID_RULE = "4-32 characters of a-z, 0-9 and '-', not starting with 'gcp-'";
const LIFETIME_RANGE = "must be 5-1440 minutes (Okta's access-token lifetime range)";
const SESSION_RANGE = "must be 3600-43200 seconds (IAM role max session duration)";
const DYNAMIC_REFUSED =
  "DYNAMIC is refused: the issuer would follow the request's domain, so iss would vary and no cloud trust could pin it; allowed: ORG_URL, CUSTOM_URL";
const CUSTOM_DOMAIN_REQUIRED =
  "is required with issuerMode CUSTOM_URL: the org's custom domain (e.g. id.example.com), which becomes the issuer's host";
const CUSTOM_DOMAIN_UNUSED = "is only used with issuerMode CUSTOM_URL; remove it or set issuerMode: CUSTOM_URL";
const INVALID_URI = "must be a valid URI (Okta requires a valid URI when the audience contains ':'), e.g. api://services-dev";
const EXACTLY_ONE_KEY_SOURCE = "private_key_jwt needs exactly one of jwks (public keys) or jwksUri";

interface Case {
  readonly name: string;
  readonly mutate: Mutation;
  /** Every problem the parse must report, in order. */
  readonly problems: readonly ConfigProblem[];
}

/** Each case breaks exactly one rule of the base config and must report exactly these problems. */
const cases: readonly Case[] = [
  // Services and scopes
  {
    name: "unknown scope granted to a service",
    mutate: (c) => (payments(c).scopes = ["api.admin"]),
    problems: [{ path: "services.payments.scopes[0]", message: 'unknown scope "api.admin"; allowed: api.read, api.write (declared under okta.scopes)' }],
  },
  {
    name: "invalid service key",
    mutate: (c) => (c.services = { "Bad_Name!": payments(c) }),
    problems: [{ path: "services.Bad_Name!", message: `invalid service key "Bad_Name!"; allowed: ${SERVICE_KEY_RULE}` }],
  },
  {
    name: "service key ending in '-'",
    mutate: (c) => (c.services = { "pay-": payments(c) }),
    problems: [{ path: "services.pay-", message: `invalid service key "pay-"; allowed: ${SERVICE_KEY_RULE}` }],
  },
  {
    name: "duplicate scope in a service",
    mutate: (c) => (payments(c).scopes = ["api.read", "api.read"]),
    problems: [{ path: "services.payments.scopes", message: 'scope "api.read" is listed more than once' }],
  },
  {
    name: "service that grants no scope",
    mutate: (c) => (payments(c).scopes = []),
    problems: [{ path: "services.payments.scopes", message: "must grant at least one scope (Okta's token endpoint needs a custom scope)" }],
  },
  {
    name: "service with no cloud",
    mutate: (c) => {
      delete payments(c).aws;
      delete payments(c).gcp;
      delete payments(c).azure;
    },
    problems: [{ path: "services.payments", message: "has no cloud: add at least one of aws, gcp or azure" }],
  },
  {
    name: "service aws block without a top-level aws block",
    mutate: (c) => delete c.aws,
    problems: [{ path: "services.payments.aws", message: "needs the top-level aws block (accountId) to be configured" }],
  },
  {
    name: "service gcp block without a top-level gcp block",
    mutate: (c) => delete c.gcp,
    problems: [{ path: "services.payments.gcp", message: "needs the top-level gcp block (project) to be configured" }],
  },
  {
    name: "service azure block without a top-level azure block",
    mutate: (c) => delete c.azure,
    problems: [{ path: "services.payments.azure", message: "needs the top-level azure block (subscriptionId, tenantId, resourceGroup, location) to be configured" }],
  },
  {
    name: "service asks for the token hook that is not configured",
    mutate: (c) => (payments(c).tokenHook = true),
    problems: [{ path: "services.payments.tokenHook", message: "asks for the token hook, but okta.tokenHook is not configured" }],
  },
  {
    name: "services as a list instead of a map",
    mutate: (c) => (c.services = [payments(c)]),
    problems: [{ path: "services", message: "must be a map of services keyed by service name (not a list)" }],
  },
  {
    name: "empty services map",
    mutate: (c) => (c.services = {}),
    problems: [{ path: "services", message: "must define at least one service" }],
  },

  // Audience
  {
    name: "audience with a space inside a URI (whitespace wins over the URI rule)",
    mutate: (c) => (server(c).audience = "api:// bad"),
    problems: [{ path: "okta.authorizationServer.audience", message: "must not contain whitespace" }],
  },
  {
    name: "audience 'a:b c' (whitespace wins over the URI rule)",
    mutate: (c) => (server(c).audience = "a:b c"),
    problems: [{ path: "okta.authorizationServer.audience", message: "must not contain whitespace" }],
  },
  {
    name: "audience with a trailing space",
    mutate: (c) => (server(c).audience = "api://services-test "),
    problems: [{ path: "okta.authorizationServer.audience", message: "must not contain whitespace" }],
  },
  {
    name: "audience with ':' and no scheme",
    mutate: (c) => (server(c).audience = ":nope"),
    problems: [{ path: "okta.authorizationServer.audience", message: INVALID_URI }],
  },
  {
    name: "audience with ':' and a scheme starting with a digit",
    mutate: (c) => (server(c).audience = "1abc:def"),
    problems: [{ path: "okta.authorizationServer.audience", message: INVALID_URI }],
  },
  {
    name: "audience that is an unparsable URL",
    mutate: (c) => (server(c).audience = "http://[::1"),
    problems: [{ path: "okta.authorizationServer.audience", message: INVALID_URI }],
  },
  {
    name: "audience of 256 characters",
    mutate: (c) => (server(c).audience = `api://${"x".repeat(250)}`),
    problems: [{ path: "okta.authorizationServer.audience", message: "must be at most 255 characters (the AWS client id limit)" }],
  },
  {
    name: "empty audience",
    mutate: (c) => (server(c).audience = ""),
    problems: [{ path: "okta.authorizationServer.audience", message: "must not be empty" }],
  },

  // Token lifetime
  {
    name: "top-level token lifetime 4",
    mutate: (c) => (c.okta.tokenLifetimeMinutes = 4),
    problems: [{ path: "okta.tokenLifetimeMinutes", message: LIFETIME_RANGE }],
  },
  {
    name: "top-level token lifetime 1441",
    mutate: (c) => (c.okta.tokenLifetimeMinutes = 1441),
    problems: [{ path: "okta.tokenLifetimeMinutes", message: LIFETIME_RANGE }],
  },
  {
    name: "service token lifetime 4",
    mutate: (c) => (payments(c).tokenLifetimeMinutes = 4),
    problems: [{ path: "services.payments.tokenLifetimeMinutes", message: LIFETIME_RANGE }],
  },
  {
    name: "service token lifetime 1441",
    mutate: (c) => (payments(c).tokenLifetimeMinutes = 1441),
    problems: [{ path: "services.payments.tokenLifetimeMinutes", message: LIFETIME_RANGE }],
  },
  {
    name: "fractional token lifetime",
    mutate: (c) => (c.okta.tokenLifetimeMinutes = 60.5),
    problems: [{ path: "okta.tokenLifetimeMinutes", message: "must be a whole number of minutes" }],
  },

  // Authorization server
  {
    name: "DYNAMIC issuer mode",
    mutate: (c) => (server(c).issuerMode = "DYNAMIC"),
    problems: [{ path: "okta.authorizationServer.issuerMode", message: DYNAMIC_REFUSED }],
  },
  {
    name: "unknown issuer mode",
    mutate: (c) => (server(c).issuerMode = "BOGUS"),
    problems: [{ path: "okta.authorizationServer.issuerMode", message: "must be ORG_URL or CUSTOM_URL" }],
  },
  {
    name: "CUSTOM_URL without customDomain",
    mutate: (c) => (server(c).issuerMode = "CUSTOM_URL"),
    problems: [{ path: "okta.authorizationServer.customDomain", message: CUSTOM_DOMAIN_REQUIRED }],
  },
  {
    name: "customDomain with explicit ORG_URL",
    mutate: (c) => {
      server(c).issuerMode = "ORG_URL";
      server(c).customDomain = "id.example.com";
    },
    problems: [{ path: "okta.authorizationServer.customDomain", message: CUSTOM_DOMAIN_UNUSED }],
  },
  {
    name: "customDomain with the default issuer mode",
    mutate: (c) => (server(c).customDomain = "id.example.com"),
    problems: [{ path: "okta.authorizationServer.customDomain", message: CUSTOM_DOMAIN_UNUSED }],
  },
  {
    name: "missing authorization server",
    mutate: (c) => delete c.okta.authorizationServer,
    problems: [{ path: "okta.authorizationServer", message: "is required" }],
  },

  // GCP ids
  {
    name: "GCP pool id too short",
    mutate: (c) => (c.gcp.poolId = "abc"),
    problems: [{ path: "gcp.poolId", message: `invalid id "abc"; allowed: ${GCP_ID_RULE}` }],
  },
  {
    name: "GCP pool id with uppercase",
    mutate: (c) => (c.gcp.poolId = "Okta-Test"),
    problems: [{ path: "gcp.poolId", message: `invalid id "Okta-Test"; allowed: ${GCP_ID_RULE}` }],
  },
  {
    name: "GCP pool id with the reserved gcp- prefix",
    mutate: (c) => (c.gcp.poolId = "gcp-pool"),
    problems: [{ path: "gcp.poolId", message: `invalid id "gcp-pool"; allowed: ${GCP_ID_RULE}` }],
  },
  {
    name: "GCP pool id of 33 characters",
    mutate: (c) => (c.gcp.poolId = "a".repeat(33)),
    problems: [{ path: "gcp.poolId", message: `invalid id "${"a".repeat(33)}"; allowed: ${GCP_ID_RULE}` }],
  },
  {
    name: "GCP pool id too long after idSuffix",
    mutate: (c) => {
      c.gcp.poolId = "a".repeat(25);
      c.gcp.idSuffix = "abcdefgh";
    },
    problems: [{ path: "gcp.poolId", message: `invalid id "${"a".repeat(25)}-abcdefgh" (as derived with idSuffix); allowed: ${GCP_ID_RULE}` }],
  },
  {
    name: "GCP provider id of a shard too long",
    mutate: (c) => {
      c.gcp.providerId = "p".repeat(30);
      c.gcp.providerShards = 10;
    },
    problems: [{ path: "gcp.providerId", message: `invalid id "${"p".repeat(30)}-10" (as derived with providerShards); allowed: ${GCP_ID_RULE}` }],
  },
  ...[0, 21, 1.5, "2"].map(
    (shards): Case => ({
      name: `GCP providerShards ${JSON.stringify(shards)}`,
      mutate: (c) => (c.gcp.providerShards = shards),
      problems: [{ path: "gcp.providerShards", message: "must be a whole number from 1 to 20" }],
    }),
  ),
  {
    name: "GCP provider id too short",
    mutate: (c) => (c.gcp.providerId = "ok"),
    problems: [{ path: "gcp.providerId", message: `invalid id "ok"; allowed: ${GCP_ID_RULE}` }],
  },

  // GCP service and claims
  {
    name: "gcp mappedClaims naming a claim not under okta.claims",
    mutate: (c) => (c.gcp.mappedClaims = ["team"]),
    problems: [{ path: "gcp.mappedClaims[0]", message: 'claim "team" is not emitted by the authorization server; declare it under okta.claims (declared: tenant_id)' }],
  },
  {
    name: "gcp mappedClaims with no claims declared",
    mutate: (c) => {
      c.okta.claims = {};
      c.gcp.mappedClaims = ["team"];
    },
    problems: [{ path: "gcp.mappedClaims[0]", message: 'claim "team" is not emitted by the authorization server; declare it under okta.claims (declared: none)' }],
  },
  {
    name: "gcp mappedClaims with an invalid attribute name",
    mutate: (c) => (c.gcp.mappedClaims = ["Team"]),
    problems: [{ path: "gcp.mappedClaims[0]", message: "invalid attribute name \"Team\"; allowed: 1-100 characters of a-z, 0-9 and '_'" }],
  },
  {
    name: "gcp mappedClaims over the custom attribute limit (50)",
    mutate: (c) => {
      const names = Array.from({ length: 50 }, (_, i) => `c${i}`);
      c.okta.claims = Object.fromEntries(names.map((n) => [n, { value: "x" }]));
      c.gcp.mappedClaims = names;
    },
    problems: [{ path: "gcp.mappedClaims", message: "at most 49 claims (GCP allows 50 custom attributes; the kit maps client_id itself)" }],
  },
  {
    name: "gcp service that grants nothing",
    mutate: (c) => (payments(c).gcp = {}),
    problems: [{ path: "services.payments.gcp", message: "grants nothing: list roles or resourceRoles, or set serviceAccount: true to impersonate a service account" }],
  },
  {
    name: "gcp role listed twice",
    mutate: (c) => (payments(c).gcp.roles = ["roles/storage.objectViewer", "roles/storage.objectViewer"]),
    problems: [{ path: "services.payments.gcp.roles", message: 'role "roles/storage.objectViewer" is listed more than once' }],
  },

  // Azure
  {
    name: "role assignment without a scope",
    mutate: (c) => delete payments(c).azure.roleAssignments["blob-reader"].scope,
    problems: [
      {
        path: "services.payments.azure.roleAssignments.blob-reader.scope",
        message: "is required: the resource id the role applies to, e.g. /subscriptions/<id>/resourceGroups/<rg>",
      },
    ],
  },
  {
    name: "misspelt Azure role name",
    mutate: (c) => (payments(c).azure.roleAssignments["blob-reader"].role = "Key Vault Crypto Usr"),
    problems: [
      {
        path: "services.payments.azure.roleAssignments.blob-reader.role",
        message: `unknown role "Key Vault Crypto Usr"; did you mean Key Vault Crypto User? allowed: an Azure built-in role name (the ${Object.keys(AZURE_BUILTIN_ROLES).length} of ${ROLE_DATA.azure.date}, e.g. Reader or Key Vault Crypto User) or a role definition GUID`,
      },
    ],
  },
  {
    name: "Azure role name close to no built-in role",
    mutate: (c) => (payments(c).azure.roleAssignments["blob-reader"].role = "Qqqqqqqqqqqq"),
    problems: [
      {
        path: "services.payments.azure.roleAssignments.blob-reader.role",
        message: `unknown role "Qqqqqqqqqqqq"; allowed: an Azure built-in role name (the ${Object.keys(AZURE_BUILTIN_ROLES).length} of ${ROLE_DATA.azure.date}, e.g. Reader or Key Vault Crypto User) or a role definition GUID`,
      },
    ],
  },

  // Claims
  ...["sub", "cid", "scp"].map(
    (claim): Case => ({
      name: `reserved claim name ${claim}`,
      mutate: (c) => (c.okta.claims[claim] = { value: "x" }),
      problems: [{ path: `okta.claims.${claim}`, message: `"${claim}" is a reserved claim name in Okta access tokens; reserved: ${RESERVED_CLAIMS}` }],
    }),
  ),
  {
    name: "invalid claim name",
    mutate: (c) => (c.okta.claims["has-dash"] = { value: "x" }),
    problems: [
      { path: "okta.claims.has-dash", message: "invalid claim name \"has-dash\"; allowed: letters, digits and '_', a letter or '_' first, at most 100 characters" },
    ],
  },
  {
    name: "claim with both value and expression",
    mutate: (c) => (c.okta.claims.tenant_id = { value: "a", expression: "app.profile.tenant" }),
    problems: [{ path: "okta.claims.tenant_id", message: "must be { value: <string> } or { expression: <Okta EL> }, optionally with scopes" }],
  },
  {
    name: "claim limited to an unknown scope",
    mutate: (c) => (c.okta.claims.tenant_id = { value: "a", scopes: ["nope"] }),
    problems: [{ path: "okta.claims.tenant_id.scopes[0]", message: 'unknown scope "nope"; allowed: api.read, api.write (declared under okta.scopes)' }],
  },

  // Scope names
  ...["okta.users", "openid", "*", "has space"].map(
    (scope): Case => ({
      name: `invalid scope name ${JSON.stringify(scope)}`,
      mutate: (c) => (c.okta.scopes[scope] = {}),
      problems: [{ path: `okta.scopes.${scope}`, message: `invalid scope name "${scope}"; allowed: ${SCOPE_RULE}` }],
    }),
  ),

  // Service auth
  {
    name: "private_key_jwt with both jwks and jwksUri",
    mutate: (c) => (payments(c).auth.jwksUri = "https://keys.example.com/jwks"),
    problems: [{ path: "services.payments.auth", message: EXACTLY_ONE_KEY_SOURCE }],
  },
  {
    name: "private_key_jwt with neither jwks nor jwksUri",
    mutate: (c) => (payments(c).auth = { method: "private_key_jwt" }),
    problems: [{ path: "services.payments.auth", message: EXACTLY_ONE_KEY_SOURCE }],
  },
  {
    name: "JWK with the private member d",
    mutate: (c) => (payments(c).auth.jwks[0].d = "private"),
    problems: [
      { path: "services.payments.auth.jwks[0]", message: "unknown key 'd'; allowed: kid, kty, e, n, x, y, alg, use, crv" },
      { path: "services.payments.auth.jwks[0].d", message: "is private key material: give Okta only the public key (kty, kid, n, e or x, y)" },
    ],
  },
  {
    name: "duplicate kid",
    mutate: (c) => payments(c).auth.jwks.push({ ...payments(c).auth.jwks[0] }),
    problems: [{ path: "services.payments.auth.jwks[1].kid", message: 'duplicate key id "payments-1"' }],
  },
  {
    name: "RSA JWK missing n",
    mutate: (c) => delete payments(c).auth.jwks[0].n,
    problems: [{ path: "services.payments.auth.jwks[0]", message: "an RSA key needs n and e" }],
  },
  {
    name: "EC JWK missing y",
    mutate: (c) => (payments(c).auth.jwks = [{ kid: "ec-1", kty: "EC", crv: "P-256", x: Buffer.alloc(32, 1).toString("base64url") }]),
    problems: [{ path: "services.payments.auth.jwks[0]", message: "an EC key needs x and y" }],
  },
  {
    name: "JWK n with base64 padding",
    mutate: (c) => (payments(c).auth.jwks[0].n = "abc="),
    problems: [{ path: "services.payments.auth.jwks[0].n", message: "must be base64url without padding (a public JWK)" }],
  },
  {
    name: "empty jwks",
    mutate: (c) => (payments(c).auth.jwks = []),
    problems: [{ path: "services.payments.auth.jwks", message: "must list at least one public key" }],
  },
  {
    name: "more keys than an Okta app holds",
    mutate: (c) => (payments(c).auth.jwks = Array.from({ length: 51 }, (_, i) => jwtAuth(`payments-${i}`).jwks[0])),
    problems: [{ path: "services.payments.auth.jwks", message: "must list at most 50 public keys (Okta's limit per app; during a rotation two are enough)" }],
  },
  {
    name: "unknown auth method",
    mutate: (c) => (payments(c).auth = { method: "none" }),
    problems: [{ path: "services.payments.auth.method", message: "method must be private_key_jwt or client_secret_basic" }],
  },
  {
    name: "missing auth",
    mutate: (c) => delete payments(c).auth,
    problems: [
      { path: "services.payments.auth", message: "is required: { method: private_key_jwt, jwks: [...] } (recommended) or { method: client_secret_basic }" },
    ],
  },

  // Shape: unknown keys, types, required fields
  {
    name: "unknown key at top level",
    mutate: (c) => (c.extra = 1),
    problems: [{ path: "(root)", message: "unknown key 'extra'; allowed: environment, protect, okta, aws, gcp, azure, services" }],
  },
  {
    name: "two unknown keys at top level",
    mutate: (c) => {
      c.extra = 1;
      c.production = true;
    },
    problems: [{ path: "(root)", message: "unknown keys 'extra', 'production'; allowed: environment, protect, okta, aws, gcp, azure, services" }],
  },
  {
    name: "unknown key inside a service",
    mutate: (c) => (payments(c).role = "admin"),
    problems: [{ path: "services.payments", message: "unknown key 'role'; allowed: description, renamedFrom, scopes, tokenLifetimeMinutes, tokenHook, auth, aws, gcp, azure" }],
  },
  {
    name: "unknown key inside a claim",
    mutate: (c) => (c.okta.claims.tenant_id = { value: "a", extra: 1 }),
    problems: [{ path: "okta.claims.tenant_id", message: "unknown key 'extra'; allowed: value, scopes" }],
  },
  {
    // The lifetime schema's own error replaces describeIssue's "must be a number, got string".
    name: "token lifetime as a string",
    mutate: (c) => (c.okta.tokenLifetimeMinutes = "60"),
    problems: [{ path: "okta.tokenLifetimeMinutes", message: "must be a whole number of minutes" }],
  },
  {
    name: "session duration as a string (describeIssue wording)",
    mutate: (c) => (c.aws.maxSessionDurationSeconds = "3600"),
    problems: [{ path: "aws.maxSessionDurationSeconds", message: "must be a number, got string" }],
  },
  {
    name: "protect as a string (describeIssue wording)",
    mutate: (c) => (c.protect = "yes"),
    problems: [{ path: "protect", message: "must be a boolean, got string" }],
  },
  {
    name: "scopes as a string",
    mutate: (c) => (payments(c).scopes = "api.read"),
    problems: [{ path: "services.payments.scopes", message: "must be a list of scope names declared under okta.scopes" }],
  },
  {
    name: "missing okta.orgName",
    mutate: (c) => delete c.okta.orgName,
    problems: [{ path: "okta.orgName", message: "is required: the Okta org name, e.g. acme for https://acme.okta.com" }],
  },
  {
    name: "missing environment",
    mutate: (c) => delete c.environment,
    problems: [{ path: "environment", message: "is required: a short environment name such as dev or prod" }],
  },
  {
    name: "invalid environment",
    mutate: (c) => (c.environment = "Prod"),
    problems: [{ path: "environment", message: "invalid environment \"Prod\"; allowed: 2-16 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'" }],
  },
  {
    name: "missing authorization server name (create form)",
    mutate: (c) => delete server(c).name,
    problems: [{ path: "okta.authorizationServer.name", message: "must be a string (the authorization server's name in Okta)" }],
  },

  // AWS
  {
    name: "11 AWS policies on one role",
    mutate: (c) => (payments(c).aws.policies = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`policy-${i}`, policyArn]))),
    problems: [{ path: "services.payments.aws.policies", message: "11 policies; IAM allows 10 managed policies per role by default" }],
  },
  {
    name: "invalid AWS policy key",
    mutate: (c) => (payments(c).aws.policies = { S3_Read: policyArn }),
    problems: [
      { path: "services.payments.aws.policies.S3_Read", message: "invalid policy key \"S3_Read\"; allowed: 2-64 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'" },
    ],
  },
  {
    name: "service maxSessionDurationSeconds 3599",
    mutate: (c) => (payments(c).aws.maxSessionDurationSeconds = 3599),
    problems: [{ path: "services.payments.aws.maxSessionDurationSeconds", message: SESSION_RANGE }],
  },
  {
    name: "top-level maxSessionDurationSeconds 3599",
    mutate: (c) => (c.aws.maxSessionDurationSeconds = 3599),
    problems: [{ path: "aws.maxSessionDurationSeconds", message: SESSION_RANGE }],
  },
  {
    name: "top-level maxSessionDurationSeconds 43201",
    mutate: (c) => (c.aws.maxSessionDurationSeconds = 43201),
    problems: [{ path: "aws.maxSessionDurationSeconds", message: SESSION_RANGE }],
  },
];

describe("names checked against the vendored role data, with did you mean", () => {
  it("a misspelt AWS managed policy is refused with the closest name", () => {
    expect(problemsOf((c) => (payments(c).aws.policies = { s3: "arn:aws:iam::aws:policy/AmazonS3FullAcess" }))).toEqual([
      { path: "services.payments.aws.policies.s3", message: "arn:aws:iam::aws:policy/AmazonS3FullAcess is not an AWS managed policy; did you mean arn:aws:iam::aws:policy/AmazonS3FullAccess?" },
    ]);
  });

  it("in the object form, the path ends in .arn; a policy under the wrong path is pointed to its own", () => {
    expect(problemsOf((c) => (payments(c).aws.policies = { lambda: { arn: "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole" } }))).toEqual([
      {
        path: "services.payments.aws.policies.lambda.arn",
        message: "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole is not an AWS managed policy; did you mean arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole?",
      },
    ]);
  });

  it("a name close to nothing says what is allowed", () => {
    expect(problemsOf((c) => (payments(c).aws.policies = { x1: "arn:aws:iam::aws:policy/Qqqqqqqqqqqqqqqq" }))).toEqual([
      {
        path: "services.payments.aws.policies.x1",
        message: `arn:aws:iam::aws:policy/Qqqqqqqqqqqqqqqq is not an AWS managed policy (none of the ${AWS_MANAGED_POLICIES.size} of ${ROLE_DATA.aws.date} is close); allowed: an AWS managed policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess, or a customer managed policy of aws.accountId`,
      },
    ]);
  });

  it("a misspelt GCP predefined role is refused with the closest name, in either form", () => {
    expect(problemsOf((c) => (payments(c).gcp.roles = ["roles/storage.objectViewer", "roles/bigquerry.jobUser", { role: "roles/iam.serviceAccountTokenCreater", allowIdentityAdmin: true }]))).toEqual([
      { path: "services.payments.gcp.roles[1]", message: "roles/bigquerry.jobUser is not a GCP predefined role; did you mean roles/bigquery.jobUser?" },
      { path: "services.payments.gcp.roles[2].role", message: "roles/iam.serviceAccountTokenCreater is not a GCP predefined role; did you mean roles/iam.serviceAccountTokenCreator?" },
      // The opt-in rule (trustRules.ts) judges the name as written, too.
      { path: "services.payments.gcp.roles[2].allowIdentityAdmin", message: "roles/iam.serviceAccountTokenCreater is not an identity-admin role; remove the opt-in" },
    ]);
  });

  it("gcp.resourceRoles: a supported kind with a known role passes and is parsed with its defaults; a service with only resource roles grants something", () => {
    const bucket = { resource: "//storage.googleapis.com/projects/_/buckets/bar-orders-dev", role: "roles/storage.objectViewer" };
    const setOnly = (c: any) => (payments(c).gcp = { resourceRoles: { orders: bucket } });
    expect(parsed(setOnly).services.payments!.gcp).toEqual({ serviceAccount: false, roles: [], resourceRoles: { orders: { ...bucket, allowIdentityAdmin: false } } });
  });

  it("gcp.resourceRoles: another kind refused with the supported list, a misspelt role with did you mean, each at its key path", () => {
    const SUPPORTED =
      "//storage.googleapis.com/projects/_/buckets/<bucket>, //pubsub.googleapis.com/projects/<project>/topics/<topic>, //pubsub.googleapis.com/projects/<project>/subscriptions/<subscription>, //secretmanager.googleapis.com/projects/<project>/secrets/<secret>, //bigquery.googleapis.com/projects/<project>/datasets/<dataset>, //artifactregistry.googleapis.com/projects/<project>/locations/<location>/repositories/<repository>, //iam.googleapis.com/projects/<project>/serviceAccounts/<email>";
    expect(
      problemsOf(
        (c) =>
          (payments(c).gcp.resourceRoles = {
            vm: { resource: "//compute.googleapis.com/projects/acme-test-example/zones/europe-west1-b/instances/vm-1", role: "roles/compute.viewer" },
            orders: { resource: "//storage.googleapis.com/projects/_/buckets/bar-orders-dev", role: "roles/storage.objectViewr" },
            empty: { resource: "", role: "roles/storage.objectViewer" },
          }),
      ),
    ).toEqual([
      { path: "services.payments.gcp.resourceRoles.empty.resource", message: "must not be empty (a full resource name such as //storage.googleapis.com/projects/_/buckets/<bucket>)" },
      { path: "services.payments.gcp.resourceRoles.vm.resource", message: `"//compute.googleapis.com/projects/acme-test-example/zones/europe-west1-b/instances/vm-1" is not a full resource name of a supported kind; supported: ${SUPPORTED}` },
      { path: "services.payments.gcp.resourceRoles.orders.role", message: "roles/storage.objectViewr is not a GCP predefined role; did you mean roles/storage.objectViewer?" },
    ]);
  });

  it("gcp.resourceRoles: a role that acts as the service account it is granted on (another service's) needs the opt-in; a data role on it does not take one", () => {
    const reportingSa = "//iam.googleapis.com/projects/acme-test-example/serviceAccounts/test-reporting@acme-test-example.iam.gserviceaccount.com";
    expect(problemsOf((c) => (payments(c).gcp.resourceRoles = { takeover: { resource: reportingSa, role: "roles/iam.serviceAccountTokenCreator" } }))).toEqual([
      {
        path: "services.payments.gcp.resourceRoles.takeover.role",
        message:
          "roles/iam.serviceAccountTokenCreator on service account test-reporting@acme-test-example.iam.gserviceaccount.com holds iam.serviceAccounts.getAccessToken (its holder can act as that service account); refused unless the grant carries the explicit opt-in allowIdentityAdmin: true (docs/guardrails.md#identity-admin-grants)",
      },
    ]);
    expect(parsed((c) => (payments(c).gcp.resourceRoles = { takeover: { resource: reportingSa, role: "roles/iam.serviceAccountTokenCreator", allowIdentityAdmin: true } })).services.payments!.gcp!.resourceRoles.takeover).toEqual({
      resource: reportingSa,
      role: "roles/iam.serviceAccountTokenCreator",
      allowIdentityAdmin: true,
    });
    expect(
      problemsOf((c) => (payments(c).gcp.resourceRoles = { orders: { resource: "//storage.googleapis.com/projects/_/buckets/bar-orders-dev", role: "roles/storage.admin", allowIdentityAdmin: true } })),
    ).toEqual([
      { path: "services.payments.gcp.resourceRoles.orders.allowIdentityAdmin", message: "roles/storage.admin on bucket bar-orders-dev is not an identity-admin grant; remove the opt-in" },
    ]);
  });

  it("a GCP role close to nothing says what is allowed", () => {
    expect(problemsOf((c) => (payments(c).gcp.roles = ["roles/qqqqqqqqqqqqqqqq"]))).toEqual([
      {
        path: "services.payments.gcp.roles[0]",
        message: `roles/qqqqqqqqqqqqqqqq is not a GCP predefined role (none of the ${Object.keys(gcpRoleData.roles).length} of ${ROLE_DATA.gcp.date} is close); allowed: a predefined role such as roles/storage.objectViewer, or a custom role projects/<project>/roles/<id> or organizations/<number>/roles/<id>`,
      },
    ]);
  });

  it("customer managed policies, other partitions and custom GCP roles pass unchecked", () => {
    expect(() =>
      parsed((c) => {
        payments(c).aws.policies = { own: "arn:aws:iam::111111111111:policy/NotInAnyList", cn: "arn:aws-cn:iam::aws:policy/OnlyInChina" };
        payments(c).gcp.roles = ["projects/acme-test-example/roles/tokenMinter", "organizations/123/roles/x"];
      }),
    ).not.toThrow();
  });
});

describe("parseFederationConfig: one broken rule, exact problems", () => {
  it.each(cases)("$name", ({ mutate, problems }) => {
    expect(problemsOf(mutate)).toEqual(problems);
  });
});

/** Variations of the base config that sit exactly on a limit and must parse. */
const validCases: ReadonlyArray<{ readonly name: string; readonly mutate: Mutation }> = [
  { name: "audience of exactly 255 characters", mutate: (c) => (server(c).audience = `api://${"x".repeat(249)}`) },
  { name: "audience 'a:b' (a valid URI)", mutate: (c) => (server(c).audience = "a:b") },
  { name: "audience without ':'", mutate: (c) => (server(c).audience = "services-test") },
  { name: "token lifetime 5", mutate: (c) => (c.okta.tokenLifetimeMinutes = 5) },
  { name: "token lifetime 1440", mutate: (c) => (payments(c).tokenLifetimeMinutes = 1440) },
  { name: "CUSTOM_URL with customDomain", mutate: (c) => Object.assign(server(c), { issuerMode: "CUSTOM_URL", customDomain: "id.example.com" }) },
  { name: "GCP pool id of 32 characters", mutate: (c) => (c.gcp.poolId = "a".repeat(32)) },
  { name: "client_secret_basic auth", mutate: (c) => (payments(c).auth = { method: "client_secret_basic" }) },
  { name: "private_key_jwt with only jwksUri", mutate: (c) => (payments(c).auth = { method: "private_key_jwt", jwksUri: "https://keys.example.com/jwks" }) },
  { name: "10 AWS policies", mutate: (c) => (payments(c).aws.policies = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`policy-${i}`, policyArn]))) },
  { name: "maxSessionDurationSeconds 43200", mutate: (c) => ((c.aws.maxSessionDurationSeconds = 43200), (payments(c).aws.maxSessionDurationSeconds = 3600)) },
  { name: "Azure built-in role Key Vault Crypto User by name", mutate: (c) => (payments(c).azure.roleAssignments["blob-reader"].role = "Key Vault Crypto User") },
  { name: "Azure built-in role Storage Blob Data Owner by name", mutate: (c) => (payments(c).azure.roleAssignments["blob-reader"].role = "Storage Blob Data Owner") },
  { name: "Azure role GUID that is not built in", mutate: (c) => (payments(c).azure.roleAssignments["blob-reader"].role = "11111111-2222-3333-4444-555555555555") },
  { name: "gcp mappedClaims naming a declared claim", mutate: (c) => (c.gcp.mappedClaims = ["tenant_id"]) },
  { name: "scope name with '<' only", mutate: (c) => (c.okta.scopes["a<b"] = {}) },
  { name: "claim name of 100 characters", mutate: (c) => (c.okta.claims["a".repeat(100)] = { value: "x" }) },
];

describe("parseFederationConfig: values on the limits parse", () => {
  it.each(validCases)("$name", ({ mutate }) => {
    expect(() => parsed(mutate)).not.toThrow();
  });
});

describe("parseFederationConfig: GCP attribute condition size", () => {
  const gcpOnlyServices = (count: number) =>
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => [`s${i}`, { scopes: ["api.read"], auth: { method: "client_secret_basic" }, gcp: { roles: ["roles/storage.objectViewer"] } }]),
    );
  const conditionLength = (count: number) => gcpAttributeConditionLength(count, LIMITS.okta.clientIdLength);

  it("reports too many GCP services for the 4096-character condition, with the computed length", () => {
    const length = conditionLength(200);
    expect(length).toBeGreaterThan(LIMITS.gcp.attributeConditionMaxLength);
    expect(problemsOf((c) => (c.services = gcpOnlyServices(200)))).toEqual([
      {
        path: "gcp.providerShards",
        message: `provider okta would admit 200 services: its attribute condition would be ${length} characters, over GCP's ${LIMITS.gcp.attributeConditionMaxLength}; raise providerShards (now 1)`,
      },
    ]);
  });

  it("the limit of one provider falls between 169 and 170 GCP services", () => {
    expect(conditionLength(169)).toBeLessThanOrEqual(LIMITS.gcp.attributeConditionMaxLength);
    expect(() => parsed((c) => (c.services = gcpOnlyServices(169)))).not.toThrow();
    expect(problemsOf((c) => (c.services = gcpOnlyServices(170)))).toEqual([
      {
        path: "gcp.providerShards",
        message: `provider okta would admit 170 services: its attribute condition would be ${conditionLength(170)} characters, over GCP's 4096; raise providerShards (now 1)`,
      },
    ]);
  });

  it("providerShards spreads the services so 200 fit in two providers", () => {
    expect(() =>
      parsed((c) => {
        c.services = gcpOnlyServices(200);
        c.gcp.providerShards = 2;
      }),
    ).not.toThrow();
  });

  it("reports each overfull shard by its provider id", () => {
    const keys = Object.keys(gcpOnlyServices(400));
    const counts = [0, 1].map((shard) => keys.filter((k) => gcpProviderShard(k, 2) === shard).length);
    expect(counts[0]! + counts[1]!).toBe(400);
    expect(
      problemsOf((c) => {
        c.services = gcpOnlyServices(400);
        c.gcp.providerShards = 2;
      }),
    ).toEqual(
      [0, 1].map((shard) => ({
        path: "gcp.providerShards",
        message: `provider ${gcpShardProviderId("okta", shard, undefined)} would admit ${counts[shard]} services: its attribute condition would be ${conditionLength(counts[shard]!)} characters, over GCP's 4096; raise providerShards (now 2)`,
      })),
    );
    expect(gcpShardProviderId("okta", 1, undefined)).toBe("okta-2");
  });
});

describe("parseFederationConfig: derived GCP service account id collisions", () => {
  it("a short name padded with -wif collides with a key ending in -wif", () => {
    expect(gcpServiceAccountId("qa", "ab")).toBe("qa-ab-wif");
    expect(gcpServiceAccountId("qa", "ab-wif")).toBe("qa-ab-wif");
    const problems = problemsOf((c) => {
      c.environment = "qa";
      c.services = { ab: payments(c), "ab-wif": { ...payments(c), auth: jwtAuth("ab-wif-1") } };
    });
    expect(problems).toEqual([
      { path: "services.ab-wif.gcp", message: 'derived service account id "qa-ab-wif" collides with service ab; rename one of the services' },
    ]);
  });

  it("a long key shortened with a hash collides with a key spelling that shortened id", () => {
    const longKey = "a-very-long-service-name-here";
    const derived = gcpServiceAccountId("test", longKey);
    expect(derived).toMatch(/^test-a-very-long-servic-[0-9a-f]{6}$/);
    const lookalike = derived.slice("test-".length);
    expect(gcpServiceAccountId("test", lookalike)).toBe(derived);
    const problems = problemsOf((c) => (c.services = { [longKey]: payments(c), [lookalike]: { ...payments(c), auth: jwtAuth("other-1") } }));
    expect(problems).toEqual([
      { path: `services.${lookalike}.gcp`, message: `derived service account id "${derived}" collides with service ${longKey}; rename one of the services` },
    ]);
  });

  it("two long keys sharing their first characters get distinct hashed ids", () => {
    expect(() =>
      parsed((c) => {
        c.services = {
          "a-very-long-service-name-one": payments(c),
          "a-very-long-service-name-two": { ...payments(c), auth: jwtAuth("two-1") },
        };
      }),
    ).not.toThrow();
  });
});

describe("parseFederationConfig: every problem at once", () => {
  const mutate: Mutation = (c) => (c.services = { "Bad_Name!": { ...payments(c), scopes: ["api.admin"] } });

  it("reports the bad service key and the unknown scope in one throw", () => {
    expect(problemsOf(mutate)).toEqual([
      { path: "services.Bad_Name!", message: `invalid service key "Bad_Name!"; allowed: ${SERVICE_KEY_RULE}` },
      { path: "services.Bad_Name!.scopes[0]", message: 'unknown scope "api.admin"; allowed: api.read, api.write (declared under okta.scopes)' },
    ]);
  });

  it("reports shape and cross-field problems together", () => {
    const problems = problemsOf((c) => {
      c.okta.tokenLifetimeMinutes = 4;
      server(c).issuerMode = "CUSTOM_URL";
      delete payments(c).auth;
    });
    expect(problems).toEqual([
      { path: "okta.tokenLifetimeMinutes", message: LIFETIME_RANGE },
      { path: "okta.authorizationServer.customDomain", message: CUSTOM_DOMAIN_REQUIRED },
      { path: "services.payments.auth", message: "is required: { method: private_key_jwt, jwks: [...] } (recommended) or { method: client_secret_basic }" },
    ]);
  });
});

describe("formatProblems", () => {
  it("error message is a header with the count, then one '  - path: message' line per problem", () => {
    const config = structuredClone(baseConfig());
    config.services = { "Bad_Name!": { ...config.services.payments, scopes: ["api.admin"] } };
    let error: unknown;
    try {
      parseFederationConfig(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FederationConfigError);
    const { message, problems, name } = error as FederationConfigError;
    expect(name).toBe("FederationConfigError");
    expect(message.startsWith("invalid config okta-federation:federation: 2 problems")).toBe(true);
    const lines = message.split("\n");
    expect(lines).toEqual([
      "invalid config okta-federation:federation: 2 problems",
      `  - services.Bad_Name!: invalid service key "Bad_Name!"; allowed: ${SERVICE_KEY_RULE}`,
      '  - services.Bad_Name!.scopes[0]: unknown scope "api.admin"; allowed: api.read, api.write (declared under okta.scopes)',
    ]);
    expect(lines.slice(1)).toEqual(problems.map((p) => `  - ${p.path}: ${p.message}`));
    expect(message).toBe(formatProblems(problems));
  });

  it("uses the singular for one problem", () => {
    expect(formatProblems([{ path: "environment", message: "is required" }])).toBe(
      "invalid config okta-federation:federation: 1 problem\n  - environment: is required",
    );
  });
});

describe("parseFederationConfig: the valid base config and its defaults", () => {
  it("parses the base config", () => {
    expect(() => parsed()).not.toThrow();
  });

  it("applies every default exactly", () => {
    const config = parsed();
    expect(config.protect).toBe(false);
    expect(config.okta.baseUrl).toBe("okta.com");
    expect(config.okta.tokenLifetimeMinutes).toBe(60);
    expect(config.okta.authorizationServer).toEqual({
      name: "services-test",
      audience: "api://services-test",
      issuerMode: "ORG_URL",
      keyRotation: "AUTO",
    });
    expect(serverSettings(config)).toEqual({
      name: "services-test",
      description: undefined,
      audience: "api://services-test",
      issuerMode: "ORG_URL",
      customDomain: undefined,
      keyRotation: "AUTO",
    });
    expect(config.aws).toEqual({ accountId: "111111111111", region: "us-east-1", rolePath: "/oktafed/", maxSessionDurationSeconds: 3600, sessionTags: false });
    expect(config.gcp).toEqual({ project: "acme-test-example", poolId: "okta-test", providerId: "okta", providerShards: 1, mappedClaims: [] });
    expect(config.services.payments!.tokenHook).toBe(false);
    expect(config.services.payments!.tokenLifetimeMinutes).toBeUndefined();
    expect(config.services.payments!.aws?.maxSessionDurationSeconds).toBeUndefined();
  });

  it("has no `production` setting: the parsed config carries no such key", () => {
    expect(parsed()).not.toHaveProperty("production");
  });

  it("defaults a service's gcp.serviceAccount, gcp.roles, aws.policies, aws.inlinePolicies and keepSecretInState", () => {
    const config = parsed((c) => {
      c.services.payments = {
        scopes: ["api.read"],
        auth: { method: "client_secret_basic" },
        aws: {},
        gcp: { roles: ["roles/storage.objectViewer"] },
      };
    });
    expect(config.services.payments).toEqual({
      scopes: ["api.read"],
      tokenHook: false,
      auth: { method: "client_secret_basic", keepSecretInState: false },
      aws: { policies: {}, inlinePolicies: {} },
      gcp: { serviceAccount: false, roles: [{ role: "roles/storage.objectViewer", allowIdentityAdmin: false }], resourceRoles: {} },
    });
  });

  it("defaults gcp.roles to [] and gcp.resourceRoles to {} when the service only impersonates", () => {
    const config = parsed((c) => (c.services.payments.gcp = { serviceAccount: true }));
    expect(config.services.payments!.gcp).toEqual({ serviceAccount: true, roles: [], resourceRoles: {} });
  });
});

describe("parseFederationConfig: adopting an existing authorization server", () => {
  const adopt = (existing: Record<string, unknown>, extra: Record<string, unknown> = {}): Mutation => (c) => {
    c.okta.authorizationServer = { existing, ...extra };
  };

  it("accepts { existing: { id: default, audience: api://default } } and defaults its issuer mode", () => {
    const config = parsed(adopt({ id: "default", audience: "api://default" }));
    expect(config.okta.authorizationServer).toEqual({ existing: { id: "default", audience: "api://default", issuerMode: "ORG_URL" } });
    expect(serverSettings(config)).toEqual({
      existingId: "default",
      audience: "api://default",
      issuerMode: "ORG_URL",
      customDomain: undefined,
      keyRotation: "AUTO",
    });
  });

  const adoptCases: readonly Case[] = [
    {
      name: "invalid server id",
      mutate: adopt({ id: "not-valid!", audience: "api://default" }),
      problems: [{ path: "okta.authorizationServer.existing.id", message: "must be an Okta authorization server id such as default or aus1a2b3c4d5e6f7g8h9" }],
    },
    {
      name: "audience with whitespace",
      mutate: adopt({ id: "default", audience: "api:// bad" }),
      problems: [{ path: "okta.authorizationServer.existing.audience", message: "must not contain whitespace" }],
    },
    {
      name: "missing audience",
      mutate: adopt({ id: "default" }),
      problems: [{ path: "okta.authorizationServer.existing.audience", message: "must be a string: the one audience every cloud trusts, e.g. api://services-dev" }],
    },
    {
      name: "DYNAMIC issuer mode",
      mutate: adopt({ id: "default", audience: "api://default", issuerMode: "DYNAMIC" }),
      problems: [{ path: "okta.authorizationServer.existing.issuerMode", message: DYNAMIC_REFUSED }],
    },
    {
      name: "CUSTOM_URL without customDomain",
      mutate: adopt({ id: "default", audience: "api://default", issuerMode: "CUSTOM_URL" }),
      problems: [{ path: "okta.authorizationServer.existing.customDomain", message: CUSTOM_DOMAIN_REQUIRED }],
    },
    {
      name: "customDomain with ORG_URL",
      mutate: adopt({ id: "default", audience: "api://default", customDomain: "id.example.com" }),
      problems: [{ path: "okta.authorizationServer.existing.customDomain", message: CUSTOM_DOMAIN_UNUSED }],
    },
    {
      name: "unknown key inside existing",
      mutate: adopt({ id: "default", audience: "api://default", keyRotation: "AUTO" }),
      problems: [{ path: "okta.authorizationServer.existing", message: "unknown key 'keyRotation'; allowed: id, audience, issuerMode, customDomain" }],
    },
    {
      name: "create-form key next to existing",
      mutate: adopt({ id: "default", audience: "api://default" }, { name: "services-test" }),
      problems: [{ path: "okta.authorizationServer", message: "unknown key 'name'; allowed: existing" }],
    },
  ];

  it.each(adoptCases)("reports $name under okta.authorizationServer.existing", ({ mutate, problems }) => {
    expect(problemsOf(mutate)).toEqual(problems);
  });

  it("reports several problems inside existing at once", () => {
    expect(problemsOf(adopt({ id: "not-valid!", audience: "api:// bad", issuerMode: "DYNAMIC" }))).toEqual([
      { path: "okta.authorizationServer.existing.id", message: "must be an Okta authorization server id such as default or aus1a2b3c4d5e6f7g8h9" },
      { path: "okta.authorizationServer.existing.audience", message: "must not contain whitespace" },
      { path: "okta.authorizationServer.existing.issuerMode", message: DYNAMIC_REFUSED },
    ]);
  });
});

describe("isValidScopeName", () => {
  it.each([
    ["api.read", true],
    ["payments:write", true],
    ["okta_x", true],
    ["oktaread", true],
    ["a<b", true],
    ["a>b", true],
    ["okta.users", false],
    ["okta:users", false],
    ["okta", false],
    ["*", false],
    ["openid", false],
    ["offline_access", false],
    ["device_sso", false],
    ["has space", false],
    ['quo"te', false],
    ["back\\slash", false],
    ["a<b>", false],
    ["", false],
    ["tab\there", false],
    ["caf\u00e9", false],
  ] as const)("%j -> %s", (name, valid) => {
    expect(isValidScopeName(name)).toBe(valid);
  });
});

describe("fixes found by review", () => {
  it.each(["constructor", "toString", "__proto__"])("an inherited object name (%s) is neither an Azure role nor a declared claim", (name) => {
    const roleProblems = problemsOf((c) => {
      c.services.payments.azure.roleAssignments["blob-reader"].role = name;
    });
    expect(roleProblems.map((p) => p.path)).toContain("services.payments.azure.roleAssignments.blob-reader.role");
    const claimProblems = problemsOf((c) => {
      c.gcp.mappedClaims = [name === "__proto__" ? "proto" : name.toLowerCase()];
    });
    expect(claimProblems.map((p) => p.path)).toContain("gcp.mappedClaims[0]");
  });

  it("client_id cannot be re-mapped: the kit maps attribute.client_id from assertion.cid", () => {
    expect(
      problemsOf((c) => {
        c.okta.claims.client_id = { value: "x" };
        c.gcp.mappedClaims = ["client_id"];
      }),
    ).toEqual([{ path: "gcp.mappedClaims[0]", message: "attribute.client_id is mapped by the kit itself (from assertion.cid); choose another claim" }]);
  });

  it("service account ids only collide between services that impersonate", () => {
    const config = baseConfig();
    config.environment = "qa";
    config.services = {
      ab: { scopes: ["api.read"], auth: jwtAuth("k1"), gcp: { roles: ["roles/viewer"] } },
      "ab-wif": { scopes: ["api.read"], auth: jwtAuth("k2"), gcp: { roles: ["roles/viewer"] } },
    };
    expect(() => parseFederationConfig(config)).not.toThrow();
  });

  it.each([
    ["environment", (c: any) => (c.environment = 5), "must be a string: a short environment name such as dev or prod"],
    ["okta.orgName", (c: any) => (c.okta.orgName = 5), "must be a string: the Okta org name, e.g. acme for https://acme.okta.com"],
    ["services", (c: any) => delete c.services, "is required: a map of services keyed by service name"],
  ])("a mistyped or missing %s says which", (path, mutate, message) => {
    expect(problemsOf(mutate)).toContainEqual({ path, message });
  });
});

describe("renamedFrom", () => {
  it.each([
    ["its own key", "payments", '"payments" is this service\'s own key; name the key this service had before'],
    ["an invalid key", "Old_Name", `invalid former key "Old_Name"; allowed: 2-30 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'`],
  ])("refuses %s", (_label, from, message) => {
    expect(problemsOf((c) => (c.services.payments.renamedFrom = from))).toEqual([{ path: "services.payments.renamedFrom", message }]);
  });

  it("refuses the key of another current service", () => {
    expect(
      problemsOf((c) => {
        c.services.billing = { ...structuredClone(c.services.payments), renamedFrom: "payments" };
      }),
    ).toContainEqual({ path: "services.billing.renamedFrom", message: '"payments" is the key of another service; name the key this service had before' });
  });

  it("derived physical names use the former key, so a rename cannot collide with a fresh service of that name", () => {
    const config = baseConfig();
    config.services.checkout = { ...config.services.payments, renamedFrom: "payments" };
    delete config.services.payments;
    expect(() => parseFederationConfig(config)).not.toThrow();
  });
});

describe("gcp.additionalCondition", () => {
  it("must read only claims the issuer emits", () => {
    expect(problemsOf((c) => (c.gcp.additionalCondition = "assertion.tenant == 'acme'"))).toEqual([
      {
        path: "gcp.additionalCondition",
        message:
          "references assertion.tenant, which the issuer does not emit; tokens carry ver, jti, iss, aud, iat, exp, cid, sub, scp, tenant_id (claims added by a token hook are not accepted: hooks fail open)",
      },
    ]);
  });

  it("may read a declared claim", () => {
    const config = baseConfig();
    config.gcp.additionalCondition = "assertion.tenant_id == 'acme'";
    expect(parseFederationConfig(config).gcp?.additionalCondition).toBe("assertion.tenant_id == 'acme'");
  });

  // GCP evaluates matches() with RE2 (CEL's regular expressions): what RE2 refuses is refused here.
  it.each([
    ["a look-ahead", "assertion.tenant_id.matches('^(?=a)acme$')", "matches('^(?=a)acme$'): GCP evaluates matches() with RE2, which refuses this pattern (invalid or unsupported Perl syntax: `(?=`); allowed: RE2 syntax; no look-around or backreferences"],
    ["a look-behind", "assertion.tenant_id.matches('(?<=a)cme')", "matches('(?<=a)cme'): GCP evaluates matches() with RE2, which refuses this pattern (invalid named capture: `(?<=a)cme`); allowed: RE2 syntax; no look-around or backreferences"],
    ["a backreference", "assertion.tenant_id.matches('(a)\\\\1')", "matches('(a)\\\\1'): GCP evaluates matches() with RE2, which refuses this pattern (invalid escape sequence: `\\1`); allowed: RE2 syntax; no look-around or backreferences"],
    ["a pattern that does not compile at all", "assertion.tenant_id.matches('(acme')", "matches('(acme'): GCP evaluates matches() with RE2, which refuses this pattern (missing closing ): `(acme`); allowed: RE2 syntax; no look-around or backreferences"],
  ])("refuses a matches() pattern GCP's RE2 refuses: %s", (_label, condition, message) => {
    expect(problemsOf((c) => (c.gcp.additionalCondition = condition))).toEqual([{ path: "gcp.additionalCondition", message }]);
  });

  it("accepts RE2 syntax JavaScript lacks, such as the (?i) flag", () => {
    expect(parsed((c) => (c.gcp.additionalCondition = "assertion.tenant_id.matches('(?i)^ACME$')")).gcp?.additionalCondition).toBe("assertion.tenant_id.matches('(?i)^ACME$')");
  });
});

describe("Azure role assignment scopes in canonical form", () => {
  const S = "/subscriptions/00000000-0000-0000-0000-000000000001";
  const scopeOf = (c: any, scope: string) => (payments(c).azure.roleAssignments["blob-reader"].scope = scope);
  const PATH = "services.payments.azure.roleAssignments.blob-reader.scope";
  const refused = (canonical: string) =>
    `is not in canonical form; write it as ${canonical} (percent-escapes decoded; no empty, '.' or '..' segments; no trailing slash): the kit compares scopes in that form and refuses other spellings rather than rewrite them`;

  it.each([
    ["an empty segment", `${S}//resourceGroups/payments-test`],
    ["a /./ segment", `${S}/./resourceGroups/payments-test`],
    ["a /../ segment", `${S}/resourceGroups/x/../payments-test`],
    ["a percent-escape", `${S}/resourceGroups/payments%2Dtest`],
    ["a trailing slash", `${S}/resourceGroups/payments-test/`],
  ])("refuses %s and names the canonical form", (_label, scope) => {
    expect(problemsOf((c) => scopeOf(c, scope))).toEqual([{ path: PATH, message: refused(`${S}/resourceGroups/payments-test`) }]);
  });

  it("accepts any letter case: Azure resource ids are case-insensitive, and the kit compares them so", () => {
    expect(() => parsed((c) => scopeOf(c, `${S}/resourcegroups/PAYMENTS-TEST`))).not.toThrow();
  });

  it("a non-canonical spelling cannot hide the identities' resource group from the identity-admin rule", () => {
    expect(
      problemsOf((c) => (payments(c).azure.roleAssignments["blob-reader"] = { role: "Contributor", scope: `${S}//resourceGroups/./identities%2Dtest/` })),
    ).toEqual([
      { path: PATH, message: refused(`${S}/resourceGroups/identities-test`) },
      {
        path: "services.payments.azure.roleAssignments.blob-reader",
        message: `Contributor at ${S}//resourceGroups/./identities%2Dtest/ holds Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write by its action * (writes federated credentials on every managed identity in its scope), and that scope holds payments's own managed identity: payments could rewrite its own trust; refused unless the grant carries the explicit opt-in allowIdentityAdmin: true (docs/guardrails.md#identity-admin-grants)`,
      },
    ]);
  });
});

describe("the trust guarantee: every reproduction of the review, refused with its key path", () => {
  const OPT_IN = "refused unless the grant carries the explicit opt-in allowIdentityAdmin: true (docs/guardrails.md#identity-admin-grants)";
  const SUB = "00000000-0000-0000-0000-000000000001";
  const second = (c: any) => {
    c.services.reporting = { scopes: ["api.read"], auth: jwtAuth("reporting-1"), gcp: { serviceAccount: true }, azure: {}, aws: {} };
    return c.services.reporting;
  };

  it.each([
    ["a pasted disjunction", "true) || (true", "is not one CEL expression: Unexpected character: ')'"],
    ["a pasted disjunction after a tenant test", "assertion.tenant_id == 'acme') || (true", "is not one CEL expression: Unexpected character: ')'"],
    ["a computed claim name", "assertion['hook_'+'tier'] == 'x'", "reads 'assertion['hook_'+'tier']'; a condition may read only a claim itself, as assertion.<claim> or assertion['<claim>']"],
    ["a presence test", "!('x' in assertion)", "tests whether a claim is present ('…' in assertion); a condition may only compare claim values, so that a missing claim never admits a token"],
  ])("gcp.additionalCondition: %s", (_label, condition, message) => {
    expect(problemsOf((c) => (c.gcp.additionalCondition = condition))).toEqual([{ path: "gcp.additionalCondition", message }]);
  });

  it("gcp.additionalCondition on a claim limited to a scope that a GCP service does not request", () => {
    expect(
      problemsOf((c) => {
        c.okta.claims.tier = { value: "gold", scopes: ["api.write"] };
        c.gcp.additionalCondition = "assertion.tier == 'gold'";
        second(c);
      }),
    ).toEqual([
      {
        path: "services.reporting.scopes",
        message:
          "requests none of api.write, so reporting's tokens lack claim tier, which gcp.additionalCondition reads, and GCP would refuse them; grant one of those scopes or drop the scope limit on okta.claims.tier",
      },
    ]);
  });

  it.each([
    [
      "GCP project-level token creator",
      (c: any) => (second(c).gcp.roles = ["roles/iam.serviceAccountTokenCreator"]),
      "services.reporting.gcp.roles[0]",
      `roles/iam.serviceAccountTokenCreator on project acme-test-example holds iam.serviceAccounts.getAccessToken (mints access tokens as every service account in the project): reporting could take over every service account of the other services there; ${OPT_IN}`,
    ],
    [
      "GCP project-level workload identity user",
      (c: any) => (second(c).gcp.roles = ["roles/iam.workloadIdentityUser"]),
      "services.reporting.gcp.roles[0]",
      `roles/iam.workloadIdentityUser on project acme-test-example holds iam.serviceAccounts.getAccessToken (mints access tokens as every service account in the project): reporting could take over every service account of the other services there; ${OPT_IN}`,
    ],
    [
      "GCP owner",
      (c: any) => (second(c).gcp.roles = ["roles/owner"]),
      "services.reporting.gcp.roles[0]",
      `roles/owner on project acme-test-example holds resourcemanager.projects.setIamPolicy (sets the project's IAM policy, granting any role to anyone, itself included): reporting could take over every identity and grant of the other services there; ${OPT_IN}`,
    ],
    [
      "GCP role admin, off the former hand list, by its permission iam.roles.update",
      (c: any) => (second(c).gcp.roles = ["roles/iam.roleAdmin"]),
      "services.reporting.gcp.roles[0]",
      `roles/iam.roleAdmin on project acme-test-example holds iam.roles.update (rewrites the project's custom roles, adding any permission to roles already granted): reporting could take over every identity and grant of the other services there; ${OPT_IN}`,
    ],
    [
      "Azure Managed Identity Federated Identity Credential Contributor, off the former hand list, by its action",
      (c: any) => (second(c).azure.roleAssignments = { fic: { role: "Managed Identity Federated Identity Credential Contributor", scope: `/subscriptions/${SUB}/resourceGroups/identities-test` } }),
      "services.reporting.azure.roleAssignments.fic",
      `Managed Identity Federated Identity Credential Contributor at /subscriptions/${SUB}/resourceGroups/identities-test holds Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write (writes federated credentials on every managed identity in its scope), and that scope holds the managed identities of payments: reporting could take them over; ${OPT_IN}`,
    ],
    [
      "AWS IAMFullAccess",
      (c: any) => (second(c).aws.policies = { iam: "arn:aws:iam::aws:policy/IAMFullAccess" }),
      "services.reporting.aws.policies.iam",
      `arn:aws:iam::aws:policy/IAMFullAccess allows iam:UpdateAssumeRolePolicy on *: rewrites the trust policy of the stack's roles (path /oktafed/): reporting could take over every other service's AWS role (account 111111111111); ${OPT_IN}`,
    ],
    [
      "Azure Contributor on the resource group of the identities",
      (c: any) => (second(c).azure.roleAssignments = { "rg-admin": { role: "Contributor", scope: `/subscriptions/${SUB}/resourceGroups/identities-test` } }),
      "services.reporting.azure.roleAssignments.rg-admin",
      `Contributor at /subscriptions/${SUB}/resourceGroups/identities-test holds Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write by its action * (writes federated credentials on every managed identity in its scope), and that scope holds the managed identities of payments: reporting could take them over; ${OPT_IN}`,
    ],
    [
      "Azure User Access Administrator on the subscription, by role GUID",
      (c: any) => (second(c).azure.roleAssignments = { uaa: { role: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", scope: `/subscriptions/${SUB}` } }),
      "services.reporting.azure.roleAssignments.uaa",
      `User Access Administrator at /subscriptions/${SUB} holds Microsoft.Authorization/roleAssignments/write by its action Microsoft.Authorization/* (assigns any role in its scope, to itself too), and that scope holds the managed identities of payments: reporting could take them over; ${OPT_IN}`,
    ],
  ])("an identity-admin grant: %s", (_label, mutate, path, message) => {
    expect(problemsOf(mutate)).toEqual([{ path, message }]);
  });

  it("each identity-admin grant is allowed with its own opt-in, and an opt-in on an ordinary grant is refused", () => {
    expect(() =>
      parsed((c) => {
        const r = second(c);
        r.gcp.roles = [{ role: "roles/iam.serviceAccountTokenCreator", allowIdentityAdmin: true }];
        r.aws.policies = { iam: { arn: "arn:aws:iam::aws:policy/IAMFullAccess", allowIdentityAdmin: true } };
        r.azure.roleAssignments = { "rg-admin": { role: "Contributor", scope: `/subscriptions/${SUB}/resourceGroups/identities-test`, allowIdentityAdmin: true } };
      }),
    ).not.toThrow();
    expect(
      problemsOf((c) => {
        payments(c).aws.policies = { read: { arn: policyArn, allowIdentityAdmin: true } };
        payments(c).gcp.roles = [{ role: "roles/storage.objectViewer", allowIdentityAdmin: true }];
        payments(c).azure.roleAssignments["blob-reader"].allowIdentityAdmin = true;
      }),
    ).toEqual([
      { path: "services.payments.aws.policies.read.allowIdentityAdmin", message: `${policyArn} is not an identity-admin policy; remove the opt-in` },
      { path: "services.payments.gcp.roles[0].allowIdentityAdmin", message: "roles/storage.objectViewer is not an identity-admin role; remove the opt-in" },
      {
        path: "services.payments.azure.roleAssignments.blob-reader.allowIdentityAdmin",
        message: `Storage Blob Data Reader at /subscriptions/${SUB}/resourceGroups/payments-test reaches no managed identity of the kit; remove the opt-in`,
      },
    ]);
  });

  it.each([
    [
      "an OIDC provider of another account",
      (c: any) => (c.aws.existingOidcProviderArn = "arn:aws:iam::999999999999:oidc-provider/acme-test-example.okta.com/oauth2/aus1"),
      "aws.existingOidcProviderArn",
      "is in account 999999999999, but aws.accountId is 111111111111: a role can trust only an OIDC provider of its own account",
    ],
    [
      "a customer managed policy of another account",
      (c: any) => (payments(c).aws.policies = { foreign: "arn:aws:iam::999999999999:policy/team-read" }),
      "services.payments.aws.policies.foreign",
      "arn:aws:iam::999999999999:policy/team-read is a policy of account 999999999999; IAM attaches only policies of the role's own account (111111111111) or AWS managed policies (arn:aws:iam::aws:policy/…)",
    ],
    [
      "a permissions boundary of another account",
      (c: any) => (c.aws.permissionsBoundaryArn = "arn:aws:iam::999999999999:policy/boundary"),
      "aws.permissionsBoundaryArn",
      "is a policy of account 999999999999; IAM uses only policies of the role's own account (111111111111) or AWS managed policies (arn:aws:iam::aws:policy/…)",
    ],
    [
      "an Azure region without federated credentials on user-assigned identities",
      (c: any) => (c.azure.location = "newzealandnorth"),
      "azure.location",
      "newzealandnorth does not support federated identity credentials on user-assigned identities (unsupported: malaysiasouth, newzealandnorth); choose another region for the identities",
    ],
    [
      "a subscription id of 36 hex-or-dash characters that is not a GUID",
      (c: any) => (payments(c).azure.roleAssignments["blob-reader"].scope = "/subscriptions/------------------------------------/resourceGroups/x"),
      "services.payments.azure.roleAssignments.blob-reader.scope",
      "must be an Azure resource id starting with /subscriptions/<subscription GUID>",
    ],
  ])("what a real cloud refuses: %s", (_label, mutate, path, message) => {
    expect(problemsOf(mutate)).toEqual([{ path, message }]);
  });

  it("an AWS managed policy may come from the aws account, a customer one only from the role's own", () => {
    expect(() => parsed((c) => (payments(c).aws.policies = { own: "arn:aws:iam::111111111111:policy/team-read", managed: policyArn }))).not.toThrow();
  });

  it.each([
    ["the same public key (another kid, a leading zero byte in n)", (c: any) => {
      const key = { ...payments(c).auth.jwks[0], kid: "reporting-1", n: Buffer.concat([Buffer.from([0]), Buffer.from(payments(c).auth.jwks[0].n, "base64url")]).toString("base64url") };
      second(c).auth = { method: "private_key_jwt", jwks: [key] };
    }, "registers the same public key (key reporting-1) as service payments (key payments-1): Okta accepts a client assertion signed by any key of a client, so each service could obtain the other's tokens; give every service its own key pair"],
    ["the same JWKS URL, in another letter case", (c: any) => {
      payments(c).auth = { method: "private_key_jwt", jwksUri: "https://keys.example.com/payments.json" };
      second(c).auth = { method: "private_key_jwt", jwksUri: "https://KEYS.example.com/payments.json" };
    }, "registers the same jwksUri https://KEYS.example.com/payments.json as service payments (jwksUri https://keys.example.com/payments.json; both are https://keys.example.com/payments.json as Okta fetches it): Okta accepts a client assertion signed by any key of a client, so each service could obtain the other's tokens; give every service its own key pair"],
    ["the same JWKS URL, written identically", (c: any) => {
      payments(c).auth = { method: "private_key_jwt", jwksUri: "https://keys.example.com/payments.json" };
      second(c).auth = { method: "private_key_jwt", jwksUri: "https://keys.example.com/payments.json" };
    }, "registers the same jwksUri https://keys.example.com/payments.json as service payments (jwksUri https://keys.example.com/payments.json): Okta accepts a client assertion signed by any key of a client, so each service could obtain the other's tokens; give every service its own key pair"],
  ])("one key, one service: %s", (_label, mutate, message) => {
    expect(problemsOf(mutate)).toEqual([{ path: "services.reporting.auth", message }]);
  });

  it.each([
    ["an empty query", "https://keys.example.com/jwks?"],
    ["a percent-escaped letter", "https://keys.example.com/%6Awks"],
    ["an upper-case host", "https://KEYS.EXAMPLE.COM/jwks"],
    ["the default port", "https://keys.example.com:443/jwks"],
    ["a /./ segment", "https://keys.example.com/./jwks"],
    ["a trailing #", "https://keys.example.com/jwks#"],
  ])("one key, one service: the same JWKS URL spelled with %s", (_label, variant) => {
    expect(
      problemsOf((c) => {
        payments(c).auth = { method: "private_key_jwt", jwksUri: "https://keys.example.com/jwks" };
        second(c).auth = { method: "private_key_jwt", jwksUri: variant };
      }),
    ).toEqual([
      {
        path: "services.reporting.auth",
        message: `registers the same jwksUri ${variant} as service payments (jwksUri https://keys.example.com/jwks; both are https://keys.example.com/jwks as Okta fetches it): Okta accepts a client assertion signed by any key of a client, so each service could obtain the other's tokens; give every service its own key pair`,
      },
    ]);
  });

  it.each([
    ["okta.scopes", (c: any) => (c.okta.scopes = JSON.parse('{"api.read": {}, "api.write": {}, "__proto__": {}}'))],
    ["okta.claims", (c: any) => (c.okta.claims = JSON.parse('{"tenant_id": {"value": "acme"}, "__proto__": {"value": "x"}}'))],
  ])("__proto__ as a name under %s is refused instead of vanishing", (where, mutate) => {
    expect(problemsOf(mutate)).toEqual([{ path: `${where}.__proto__`, message: '"__proto__" cannot be used as a name: it would vanish from the config; choose another name' }]);
  });

  it("a condition too long for even one client id blames the condition, not providerShards", () => {
    const long = `assertion.tenant_id == '${"x".repeat(4100)}'`;
    expect(problemsOf((c) => (c.gcp.additionalCondition = long))).toEqual([
      {
        path: "gcp.additionalCondition",
        message: `is too long: with one client id the provider's attribute condition would be ${gcpAttributeConditionLength(1, LIMITS.okta.clientIdLength, long)} characters, over GCP's 4096; shorten it`,
      },
    ]);
  });
});

describe("scale limits checked before deploy", () => {
  /** Ten GCP predefined roles (config refuses a roles/... name that is not one). */
  const PREDEFINED_ROLES = ["roles/viewer", "roles/storage.objectViewer", "roles/pubsub.publisher", "roles/pubsub.subscriber", "roles/bigquery.jobUser", "roles/bigquery.dataViewer", "roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/secretmanager.secretAccessor", "roles/cloudsql.client"];
  const gcpServices = (count: number, rolesEach: number) =>
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        `s${i}`,
        { scopes: ["api.read"], auth: { method: "client_secret_basic" }, gcp: { roles: PREDEFINED_ROLES.slice(0, rolesEach) } },
      ]),
    );

  it("a config that grants 1,600 project-level GCP roles is refused with the path and the limit", () => {
    expect(
      problemsOf((c) => {
        c.services = gcpServices(160, 10);
        c.gcp.providerShards = 2;
      }),
    ).toEqual([
      {
        path: "gcp.project",
        message:
          "the services grant 1600 project-level roles in acme-test-example, each a principal occurrence in the project's IAM policy, which holds at most 1500 (google.iam.v1.Policy); grant on resources instead (docs/config.md#large-stacks), or split the services over projects",
      },
    ]);
    expect(() => parsed((c) => ((c.services = gcpServices(150, 10)), (c.gcp.providerShards = 2)))).not.toThrow();
  });
});

describe("okta.provider", () => {
  it("defaults to pacing for a large first deploy: no request deadline, at most 10 Okta writes at once", () => {
    expect(parsed().okta.provider).toEqual({ maxApiCapacity: 80, maxRetries: 10, minWaitSeconds: 30, maxWaitSeconds: 300, requestTimeoutSeconds: 0, maxConcurrentWrites: 10 });
  });

  it("refuses values outside the provider's ranges, and a max wait below the min wait", () => {
    expect(problemsOf((c) => (c.okta.provider = { maxApiCapacity: 0, requestTimeoutSeconds: 301, minWaitSeconds: 60, maxWaitSeconds: 30, maxConcurrentWrites: 76, backoff: false }))).toEqual([
      { path: "okta.provider.maxApiCapacity", message: "must be a whole number from 1 to 100 (percent of each Okta rate limit the provider may use)" },
      { path: "okta.provider.requestTimeoutSeconds", message: "must be a whole number from 0 to 300 (seconds one call may take, retries included; 0: no deadline)" },
      { path: "okta.provider.maxConcurrentWrites", message: "must be a whole number from 2 to 75 (Okta writes at once; Okta answers more than 75 simultaneous requests with 429)" },
      {
        path: "okta.provider",
        message: "unknown key 'backoff'; allowed: maxApiCapacity, maxRetries, minWaitSeconds, maxWaitSeconds, requestTimeoutSeconds, maxConcurrentWrites",
      },
      { path: "okta.provider.maxWaitSeconds", message: "must be at least minWaitSeconds (60)" },
    ]);
    expect(problemsOf((c) => (c.okta.provider = { maxConcurrentWrites: 1 }))).toEqual([
      { path: "okta.provider.maxConcurrentWrites", message: "must be a whole number from 2 to 75 (Okta writes at once; Okta answers more than 75 simultaneous requests with 429)" },
    ]);
  });

  it("refuses a request deadline that would end a rate-limited call before the provider's retries do", () => {
    // The old default: 60 s against the default 10 retries of up to 300 s.
    expect(problemsOf((c) => (c.okta.provider = { requestTimeoutSeconds: 60 }))).toEqual([
      {
        path: "okta.provider.requestTimeoutSeconds",
        message:
          "60 s would end a rate-limited call before the provider's retries do: the deadline covers the whole call, every retry and every pause of the rate governor included, and maxRetries × maxWaitSeconds is 10 × 300 = 3000 s; set 0 (no deadline, the default) (the provider allows at most 300 s)",
      },
    ]);
    expect(problemsOf((c) => (c.okta.provider = { requestTimeoutSeconds: 299, maxRetries: 5, maxWaitSeconds: 60 }))).toEqual([
      {
        path: "okta.provider.requestTimeoutSeconds",
        message:
          "299 s would end a rate-limited call before the provider's retries do: the deadline covers the whole call, every retry and every pause of the rate governor included, and maxRetries × maxWaitSeconds is 5 × 60 = 300 s; set 0 (no deadline, the default) or at least 300",
      },
    ]);
    expect(parsed((c) => (c.okta.provider = { requestTimeoutSeconds: 300, maxRetries: 5, maxWaitSeconds: 60, minWaitSeconds: 30 })).okta.provider.requestTimeoutSeconds).toBe(300);
    expect(parsed((c) => (c.okta.provider = { requestTimeoutSeconds: 0, maxRetries: 100, maxWaitSeconds: 3600 })).okta.provider.requestTimeoutSeconds).toBe(0);
  });
});
