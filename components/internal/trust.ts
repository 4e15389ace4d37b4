/**
 * The trust logic of the kit, as pure functions: no Pulumi here. The components build every trust
 * document, condition and subject through these functions, and the offline verifier evaluates
 * tokens against what they produce, so the logic exists exactly once.
 */
import { v5 as uuidv5 } from "uuid";
import { composeCondition } from "./condition";
import { oktaOrgHost } from "./canonical";
export { celString } from "./condition";

/** The one action an OIDC web identity needs (AWS STS AssumeRoleWithWebIdentity). */
export const AWS_WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity";

/**
 * The prefix of IAM condition keys for an OIDC provider: its URL without `https://`.
 * IAM names keys `<host/path>:aud` and `<host/path>:sub`
 * (docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html).
 */
export function awsConditionKeyPrefix(issuerUrl: string): string {
  return issuerUrl.replace(/^https:\/\//, "");
}

/** Inputs of an AWS role trust policy for one Okta service app. */
export interface AwsTrustInput {
  /** ARN of the IAM OIDC provider whose URL is the Okta issuer. */
  readonly oidcProviderArn: string;
  /** The Okta issuer URL (`iss`), as the provider's URL. */
  readonly issuerUrl: string;
  /** The authorization server's single audience (`aud`). */
  readonly audience: string;
  /** The service app's client id (`sub` of a client-credentials token). */
  readonly subject: string;
  /** Also allow `sts:TagSession`, for issuers that send session tags. */
  readonly allowSessionTags?: boolean;
}

/**
 * The role trust policy: only AssumeRoleWithWebIdentity from the Okta provider, with `aud` and
 * `sub` pinned by StringEquals. Without the `sub` pin any client of the authorization server could
 * assume the role (IAM guide, "Creating a role for web identity or OIDC federation").
 */
export function awsTrustPolicy(input: AwsTrustInput): AwsPolicyDocument {
  const prefix = awsConditionKeyPrefix(input.issuerUrl);
  // Once the issuer sends session tags (the https://aws.amazon.com/tags claim), every role trusting
  // it must also allow sts:TagSession, or AssumeRoleWithWebIdentity fails (IAM guide, session tags).
  const action = input.allowSessionTags ? [AWS_WEB_IDENTITY_ACTION, "sts:TagSession"] : AWS_WEB_IDENTITY_ACTION;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OktaServiceToken",
        Effect: "Allow",
        Principal: { Federated: input.oidcProviderArn },
        Action: action,
        Condition: {
          StringEquals: {
            [`${prefix}:aud`]: input.audience,
            [`${prefix}:sub`]: input.subject,
          },
        },
      },
    ],
  };
}

/** The subset of the IAM policy grammar the kit writes. */
export interface AwsPolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: ReadonlyArray<{
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal: { readonly Federated: string | readonly string[] };
    readonly Action: string | readonly string[];
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
  }>;
}

/**
 * GCP attribute mapping: `google.subject` is the token's `sub` (the client id, well under the
 * 127-byte limit), `attribute.client_id` its `cid`, plus one `attribute.<name>` per mapped claim.
 */
export function gcpAttributeMapping(mappedClaims: readonly string[] = []): Record<string, string> {
  const mapping: Record<string, string> = {
    "google.subject": "assertion.sub",
    "attribute.client_id": "assertion.cid",
  };
  for (const claim of [...mappedClaims].sort()) {
    mapping[`attribute.${claim}`] = `assertion.${claim}`;
  }
  return mapping;
}

/**
 * The attribute condition of the GCP provider: it admits only tokens whose subject is one of the
 * kit's client ids, so another client of the same authorization server is refused at the pool,
 * before any IAM binding is consulted (the condition is mandatory in the kit; CKV_GCP_118).
 * An additional condition from config (e.g. on a tenant claim) is ANDed to it from its parse tree
 * (see condition.ts), so it cannot change what the client-id check means.
 */
export function gcpAttributeCondition(clientIds: readonly string[], additional?: string): string {
  return composeCondition(clientIds, additional);
}

/** Length of the attribute condition for `count` client ids of Okta's fixed length. */
export function gcpAttributeConditionLength(count: number, clientIdLength: number, additional?: string): number {
  if (count === 0) return 0;
  return gcpAttributeCondition(Array.from({ length: count }, () => "x".repeat(clientIdLength)), additional).length;
}

/** Claims every Okta client-credentials access token carries. */
export const OKTA_ACCESS_TOKEN_CLAIMS = ["ver", "jti", "iss", "aud", "iat", "exp", "cid", "sub", "scp"] as const;

/**
 * The IAM principal for one subject in a pool. `poolName` is the pool's resource name
 * `projects/<number>/locations/global/workloadIdentityPools/<id>`.
 */
export function gcpSubjectPrincipal(poolName: string, subject: string): string {
  return `principal://iam.googleapis.com/${poolName}/subject/${subject}`;
}

/**
 * The Azure federated identity credential for one service: exact issuer, subject and audience.
 * Generic in the value type, so a component maps its Inputs without building an Output per field.
 */
export function azureFederatedCredential<T>(input: {
  readonly issuerUrl: T;
  readonly subject: T;
  readonly audience: T;
}): { issuer: T; subject: T; audiences: T[] } {
  return { issuer: input.issuerUrl, subject: input.subject, audiences: [input.audience] };
}

/** Namespace for role assignment names (a fixed, random UUID owned by this kit). */
const ROLE_ASSIGNMENT_NAMESPACE = "6f0b6e55-4c1e-4a84-9f0c-6e1f7d1a2b3c";

/**
 * A deterministic GUID for an Azure role assignment (the name must be a GUID). Derived from plain
 * values only (scope, the identity's resource id, the role definition id), so it is known at
 * preview time and stays stable across runs.
 */
export function azureRoleAssignmentName(scope: string, identityResourceId: string, roleDefinitionId: string): string {
  return uuidv5(`${scope.toLowerCase()}|${identityResourceId.toLowerCase()}|${roleDefinitionId.toLowerCase()}`, ROLE_ASSIGNMENT_NAMESPACE);
}

/** The resource id of a user-assigned identity (deterministic from its name). */
export function azureIdentityResourceId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
}

/**
 * The full role definition id for a role GUID, in the subscription the assignment's scope belongs
 * to (a scope may name another subscription than the identity's; the definition id must match the
 * scope's). Falls back to `defaultSubscriptionId` for a scope outside any subscription.
 */
export function azureRoleDefinitionId(scope: string, defaultSubscriptionId: string, roleGuid: string): string {
  const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1] ?? defaultSubscriptionId;
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

/**
 * The issuer Okta will put in `iss` for a custom authorization server
 * (developer.okta.com/docs/concepts/auth-servers: `https://{domain}/oauth2/{id}`). ORG_URL uses the
 * org domain, CUSTOM_URL the org's custom domain; the host in canonical (lower) case, as Okta writes
 * its domain, whatever case the config spelled the org name in (hosts are case-insensitive, and the
 * clouds compare `iss` exactly). Used to predict the issuer offline; a deployed stack always reads
 * the issuer from the authorization server itself.
 */
export function oktaIssuerUrl(input: {
  readonly issuerMode: "ORG_URL" | "CUSTOM_URL";
  readonly orgName: string;
  readonly baseUrl: string;
  readonly customDomain?: string;
  readonly serverId: string;
}): string {
  const host = input.issuerMode === "CUSTOM_URL" ? input.customDomain : oktaOrgHost(input.orgName, input.baseUrl);
  if (!host) throw new Error("CUSTOM_URL issuer mode needs the custom domain");
  return `https://${host}/oauth2/${input.serverId}`;
}

/** A request to assume a role with a web identity token, as IAM sees it. */
export interface AwsWebIdentityRequest {
  /** ARN of the OIDC provider the token was presented through. */
  readonly providerArn: string;
  readonly action: string;
  /** Condition context: `<host/path>:aud`, `<host/path>:sub`, … -> value(s). */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

/** The outcome of evaluating a trust policy, with the reason in words. */
export interface TrustDecision {
  readonly allowed: boolean;
  readonly reason: string;
}

/**
 * Evaluates a role trust policy for a web identity request, as IAM would, for the subset of the
 * policy grammar the kit writes and reviews: Allow/Deny statements, `Principal.Federated`,
 * `Action` (with `*` and `?` wildcards), and the string condition operators StringEquals,
 * StringNotEquals, StringLike, StringNotLike (optionally with IfExists), keys ANDed, policy values
 * ORed, single-valued context keys (a multi-valued key fails: it needs a set operator).
 * An explicit Deny wins; otherwise any matching Allow allows; otherwise the request is implicitly
 * denied (IAM policy evaluation logic). Tests cross-check it against @cloud-copilot/iam-simulate.
 */
export function evaluateAwsTrust(policy: AwsPolicyDocument, request: AwsWebIdentityRequest): TrustDecision {
  let allowReason: string | undefined;
  const misses: string[] = [];
  for (const [index, statement] of policy.Statement.entries()) {
    const label = statement.Sid ?? `statement ${index + 1}`;
    const federated = statement.Principal?.Federated;
    const principals = Array.isArray(federated) ? federated : [federated];
    if (!principals.includes(request.providerArn)) {
      misses.push(`${label}: principal is ${principals.join(", ")}, not the provider ${request.providerArn}`);
      continue;
    }
    const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    if (!actions.some((a) => wildcardMatch(a as string, request.action, true))) {
      misses.push(`${label}: action ${request.action} is not allowed`);
      continue;
    }
    const failed = failedCondition(statement.Condition ?? {}, request.context);
    if (failed) {
      misses.push(`${label}: ${failed}`);
      continue;
    }
    if (statement.Effect === "Deny") return { allowed: false, reason: `explicitly denied by ${label}` };
    allowReason ??= `allowed by ${label}`;
  }
  if (allowReason) return { allowed: true, reason: allowReason };
  return { allowed: false, reason: misses.length ? misses.join("; ") : "no statement allows it" };
}

const STRING_OPERATORS = ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike"] as const;

/** The first condition that fails, in words, or undefined when all hold. */
function failedCondition(
  conditions: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>,
  context: Readonly<Record<string, string | readonly string[]>>,
): string | undefined {
  for (const [rawOperator, entries] of Object.entries(conditions)) {
    const ifExists = rawOperator.endsWith("IfExists");
    const operator = rawOperator.replace(/IfExists$/, "") as (typeof STRING_OPERATORS)[number];
    if (!STRING_OPERATORS.includes(operator)) return `condition operator ${rawOperator} is not supported by the kit's evaluator`;
    for (const [key, expected] of Object.entries(entries)) {
      const wanted = Array.isArray(expected) ? expected : [expected as string];
      // Condition keys are case-insensitive; values are compared case-sensitively.
      const contextKey = Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase());
      const present = contextKey === undefined ? undefined : context[contextKey];
      if (present === undefined) {
        if (ifExists) continue;
        if (operator === "StringNotEquals" || operator === "StringNotLike") continue;
        return `condition ${operator} on ${key} cannot match: the request has no such key`;
      }
      // A multi-valued key needs a set operator (ForAnyValue/ForAllValues), which the kit neither
      // writes nor evaluates: a plain string operator does not hold for it.
      if (Array.isArray(present)) return `${operator} ${key} cannot be evaluated on a multi-valued key without ForAnyValue/ForAllValues`;
      const values = [present as string];
      const like = operator === "StringLike" || operator === "StringNotLike";
      const matches = values.some((v) => wanted.some((w) => (like ? wildcardMatch(w, v, false) : w === v)));
      const negated = operator === "StringNotEquals" || operator === "StringNotLike";
      if (matches === negated) {
        return `${operator} ${key} = ${wanted.join(" | ")} does not hold for ${values.join(", ")}`;
      }
    }
  }
  return undefined;
}

/** IAM wildcard match: `*` any run, `?` one character. */
function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, caseInsensitive ? "is" : "s").test(value);
}

/** How two strings that should be equal differ, in words (for findings). */
export function describeDifference(expected: string, actual: string): string {
  if (expected === actual) return "identical";
  if (expected.trim() !== expected || actual.trim() !== actual) {
    if (expected.trim() === actual.trim()) return "surrounding whitespace";
  }
  const slash = (s: string) => s.replace(/\/+$/, "");
  if (slash(expected) === slash(actual)) return "trailing slash";
  if (expected.toLowerCase() === actual.toLowerCase()) return "letter case";
  const scheme = (s: string) => s.replace(/^[a-z]+:\/\//i, "");
  if (scheme(expected) === scheme(actual)) return "scheme";
  return "different value";
}

/**
 * Does an Azure federated identity credential accept a token? Exact, case-sensitive matching of
 * issuer, subject and audience (AADSTS7002138 for a case difference, 700213 for a wrong subject).
 * `label` names the credential in the reason, e.g. "Azure credential payments/okta-dev".
 */
export function azureCredentialAccepts(
  credential: { readonly issuer: string; readonly subject: string; readonly audiences: readonly string[] },
  token: { readonly iss: string; readonly sub: string; readonly aud: string },
  label = "the Azure credential",
): TrustDecision {
  if (credential.issuer !== token.iss) {
    return { allowed: false, reason: `issuer mismatch (${describeDifference(token.iss, credential.issuer)}) between Okta issuer and ${label}: it has ${JSON.stringify(credential.issuer)}, the token ${JSON.stringify(token.iss)}` };
  }
  if (credential.subject !== token.sub) {
    return { allowed: false, reason: `subject mismatch (${describeDifference(token.sub, credential.subject)}) between the token and ${label}: it has ${JSON.stringify(credential.subject)}, the token ${JSON.stringify(token.sub)}` };
  }
  if (!credential.audiences.includes(token.aud)) {
    return { allowed: false, reason: `audience mismatch between the token and ${label}: it has ${credential.audiences.join(", ")}, the token ${token.aud}` };
  }
  return { allowed: true, reason: `issuer, subject and audience match ${label} exactly` };
}
