/**
 * The trust logic of the kit, as pure functions: no Pulumi here. The components build every trust
 * document, condition and subject through these functions, and the offline verifier evaluates
 * tokens against what they produce, so the logic exists exactly once.
 * @internal
 */
import { v5 as uuidv5 } from "uuid";

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
}

/**
 * The role trust policy: only AssumeRoleWithWebIdentity from the Okta provider, with `aud` and
 * `sub` pinned by StringEquals. Without the `sub` pin any client of the authorization server could
 * assume the role (IAM guide, "Creating a role for web identity or OIDC federation").
 */
export function awsTrustPolicy(input: AwsTrustInput): AwsPolicyDocument {
  const prefix = awsConditionKeyPrefix(input.issuerUrl);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OktaServiceToken",
        Effect: "Allow",
        Principal: { Federated: input.oidcProviderArn },
        Action: AWS_WEB_IDENTITY_ACTION,
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
    readonly Principal: { readonly Federated: string };
    readonly Action: string | readonly string[];
    readonly Condition: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
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

/** Quotes a string as a CEL string literal. */
export function celString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * The attribute condition of the GCP provider: it admits only tokens whose subject is one of the
 * kit's client ids, so another client of the same authorization server is refused at the pool,
 * before any IAM binding is consulted (the condition is mandatory in the kit; CKV_GCP_118).
 */
export function gcpAttributeCondition(clientIds: readonly string[]): string {
  if (clientIds.length === 0) {
    throw new Error("a GCP attribute condition needs at least one client id");
  }
  return `assertion.sub in [${clientIds.map(celString).join(", ")}]`;
}

/** Length of the attribute condition for `count` client ids of Okta's fixed length. */
export function gcpAttributeConditionLength(count: number, clientIdLength: number): number {
  if (count === 0) return 0;
  return gcpAttributeCondition(Array.from({ length: count }, () => "x".repeat(clientIdLength))).length;
}

/**
 * The IAM principal for one subject in a pool. `poolName` is the pool's resource name
 * `projects/<number>/locations/global/workloadIdentityPools/<id>`.
 */
export function gcpSubjectPrincipal(poolName: string, subject: string): string {
  return `principal://iam.googleapis.com/${poolName}/subject/${subject}`;
}

/** The Azure federated identity credential for one service: exact issuer, subject and audience. */
export function azureFederatedCredential(input: {
  readonly issuerUrl: string;
  readonly subject: string;
  readonly audience: string;
}): { issuer: string; subject: string; audiences: string[] } {
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

/** The full role definition id for a role GUID at subscription level. */
export function azureRoleDefinitionId(subscriptionId: string, roleGuid: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

/**
 * The issuer Okta will put in `iss` for a custom authorization server
 * (developer.okta.com/docs/concepts/auth-servers: `https://{domain}/oauth2/{id}`). ORG_URL uses the
 * org domain, CUSTOM_URL the org's custom domain. Used to predict the issuer offline; a deployed
 * stack always reads the issuer from the authorization server itself.
 */
export function oktaIssuerUrl(input: {
  readonly issuerMode: "ORG_URL" | "CUSTOM_URL";
  readonly orgName: string;
  readonly baseUrl: string;
  readonly customDomain?: string;
  readonly serverId: string;
}): string {
  const host = input.issuerMode === "CUSTOM_URL" ? input.customDomain : `${input.orgName}.${input.baseUrl}`;
  if (!host) throw new Error("CUSTOM_URL issuer mode needs the custom domain");
  return `https://${host}/oauth2/${input.serverId}`;
}
