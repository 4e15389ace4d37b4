/**
 * How each cloud decides a token at a target, by the rules the clouds apply: AWS STS at a role's
 * trust policy, GCP STS at a pool provider and the IAM bindings, Entra ID at a federated credential.
 */
import {
  AWS_WEB_IDENTITY_ACTION,
  awsConditionKeyPrefix,
  azureCredentialAccepts,
  describeDifference,
  evaluateAwsTrust,
  gcpSubjectPrincipal,
} from "../../components/internal/trust";
import { LIMITS } from "../../components/internal/limits";
import { claimsReadBy, evaluateCel } from "./cel";
import type { TargetModel, TrustModel } from "./model";
import type { TokenClaims } from "./tokens";

export interface Decision {
  readonly decision: "allow" | "deny";
  readonly reason: string;
}

/** Would AWS STS let this token assume the target role? */
export function awsDecision(model: TrustModel, target: TargetModel, token: TokenClaims): Decision {
  const policy = target.aws?.policy;
  if (!policy) return deny(`${target.label}: the trust policy is not valid JSON`);
  // STS finds the IAM OIDC provider by the token's iss (the provider URL must equal iss). An
  // adopted provider (aws.existingOidcProviderArn) is not in the plan; its URL is the ARN's path
  // (IAM names the provider after its URL), and its client ids are not visible offline.
  const trusted = policy.Statement.flatMap((st) => {
    const federated = st.Principal?.Federated;
    return (Array.isArray(federated) ? federated : [federated]).filter((p): p is string => typeof p === "string" && p.includes(":oidc-provider/"));
  });
  const adopted = trusted.filter((arn) => !model.awsProviders.some((p) => p.arn === arn)).map((arn) => ({ arn, url: undefined, clientIds: undefined }));
  // IAM looks the provider up in the role's own account: a provider of the same URL in another
  // account (a platform stack holds one per account) is not the role's.
  const roleAccount = /^aws:(\d{12})$/.exec(target.location)?.[1];
  const inAccount = (arn: string) => roleAccount === undefined || !/^arn:aws[a-z-]*:iam::\d{12}:/.test(arn) || arn.split(":")[4] === roleAccount;
  const providers = [...model.awsProviders.filter((p) => inAccount(p.arn)), ...adopted].map((p) => ({ ...p, url: p.url ?? `https://${p.arn.split(":oidc-provider/")[1] ?? ""}` }));
  const provider = providers.find((p) => p.url === token.iss);
  if (!provider) {
    const near = providers.map((p) => `issuer mismatch (${describeDifference(token.iss, p.url)}) between the token issuer ${token.iss} and the AWS OIDC provider ${p.url}`);
    return deny(near.length ? near.join("; ") : `no AWS OIDC provider for issuer ${token.iss}`);
  }
  if (provider.clientIds && !provider.clientIds.includes(token.aud)) {
    return deny(`audience ${token.aud} is not a client id of the AWS OIDC provider (it lists ${provider.clientIds.join(", ") || "none"})`);
  }
  const prefix = awsConditionKeyPrefix(provider.url);
  const result = evaluateAwsTrust(policy, {
    providerArn: provider.arn,
    action: AWS_WEB_IDENTITY_ACTION,
    context: { [`${prefix}:aud`]: token.aud, [`${prefix}:sub`]: token.sub },
  });
  if (result.allowed) return allow(`${target.label} trust allows it (${result.reason})`);
  const foreignKeys = conditionKeys(policy).filter((k) => /:(aud|sub|amr|azp)$/.test(k) && !k.startsWith(`${prefix}:`));
  if (foreignKeys.length) {
    return deny(`${target.label} trust: condition key ${foreignKeys[0]} does not match the provider URL host/path ${prefix} (IAM never sets it)`);
  }
  return deny(`${target.label} trust: ${result.reason}`);
}

function conditionKeys(policy: NonNullable<TargetModel["aws"]>["policy"]): string[] {
  return (policy?.Statement ?? []).flatMap((s) => Object.values(s.Condition ?? {}).flatMap((entries) => Object.keys(entries)));
}

/** Would GCP STS accept the token in the target's pool, and does the resulting principal hold the target? */
export function gcpDecision(model: TrustModel, target: TargetModel, token: TokenClaims): Decision {
  const members = target.gcp?.members ?? [];
  const pool = model.gcpPools.find((p) => members.some((m) => m.includes(`iam.googleapis.com/${p.name}/`)));
  if (!pool) return deny(`${target.label}: no workload identity pool principal is bound (${members.join(", ") || "no members"})`);
  const rejections: string[] = [];
  for (const provider of pool.providers) {
    const label = `GCP provider ${provider.id}`;
    const admission = gcpProviderAdmits(provider, token);
    if (!admission.admitted) {
      rejections.push(admission.reason);
      continue;
    }
    const { attributes, subject } = admission;
    const principal = gcpSubjectPrincipal(pool.name, subject);
    const sets = [
      `principalSet://iam.googleapis.com/${pool.name}/*`,
      ...Object.entries(attributes)
        .filter(([k]) => k !== "google.subject")
        .map(([k, v]) => `principalSet://iam.googleapis.com/${pool.name}/attribute.${k}/${String(v)}`),
    ];
    const holder = members.find((m) => m === principal || sets.includes(m));
    if (holder) return allow(`${label} admits it as ${principal}, which ${target.label} grants (${holder === principal ? "exact principal" : holder})`);
    return deny(`${label} admits it as ${principal}, but ${target.label} is granted only to ${members.join(", ")}`);
  }
  return deny(rejections.join("; ") || `no provider in pool ${pool.name}`);
}

/**
 * Does a GCP pool provider itself admit a token (issuer, audience, attribute mapping, subject
 * limit, attribute condition), before any IAM binding is consulted? As GCP STS decides.
 */
export function gcpProviderAdmits(
  provider: TrustModel["gcpPools"][number]["providers"][number],
  token: TokenClaims,
): { admitted: true; attributes: Record<string, unknown>; subject: string } | { admitted: false; reason: string } {
  const label = `GCP provider ${provider.id}`;
  const refuse = (reason: string) => ({ admitted: false as const, reason });
  if (provider.issuerUri !== token.iss) {
    return refuse(`issuer mismatch (${describeDifference(token.iss, provider.issuerUri)}) between the token issuer ${token.iss} and ${label} (${provider.issuerUri})`);
  }
  // With no allowed audiences GCP expects the provider's own resource name as the audience.
  const audiences = provider.allowedAudiences.length ? provider.allowedAudiences : [`//iam.googleapis.com/${provider.name}`, `https://iam.googleapis.com/${provider.name}`];
  if (!audiences.includes(token.aud)) return refuse(`audience ${token.aud} is not allowed by ${label} (allowed: ${audiences.join(", ")})`);
  const attributes: Record<string, unknown> = {};
  for (const [attribute, expression] of Object.entries(provider.attributeMapping)) {
    const value = evaluateCel(expression, token);
    if (!value.ok) return refuse(`${label} mapping ${attribute} = ${expression} fails: ${missingClaims(expression, token) ?? value.error}`);
    attributes[attribute.replace(/^attribute\./, "")] = value.value;
    if (attribute === "google.subject") attributes["google.subject"] = value.value;
  }
  const subject = attributes["google.subject"];
  if (typeof subject !== "string" || subject.length === 0) return refuse(`${label}: google.subject is not mapped to a string`);
  if (Buffer.byteLength(subject) > LIMITS.gcp.subjectMaxBytes) return refuse(`${label}: google.subject is ${Buffer.byteLength(subject)} bytes, over GCP's ${LIMITS.gcp.subjectMaxBytes}`);
  if (provider.attributeCondition) {
    const admitted = evaluateCel(provider.attributeCondition, token, attributes);
    if (!admitted.ok) return refuse(missingClaims(provider.attributeCondition, token) ?? `${label} condition fails: ${admitted.error}`);
    if (admitted.value !== true) return refuse(`${label} condition is false for sub ${token.sub}`);
  }
  return { admitted: true, attributes, subject };
}

/** "GCP condition references assertion.tenant, which the issuer does not emit", when that is the cause. */
function missingClaims(expression: string, token: TokenClaims): string | undefined {
  const missing = claimsReadBy(expression).filter((claim) => !(claim in token));
  if (missing.length === 0) return undefined;
  return `GCP condition references ${missing.map((c) => `assertion.${c}`).join(", ")}, which the token does not carry`;
}

/** Would Entra ID accept the token for the target identity? */
export function azureDecision(target: TargetModel, token: TokenClaims): Decision {
  const credentials = target.azure?.credentials ?? [];
  if (credentials.length === 0) return deny(`${target.label} has no federated identity credential`);
  const reasons: string[] = [];
  for (const credential of credentials) {
    const result = azureCredentialAccepts(credential, { iss: token.iss, sub: token.sub, aud: token.aud }, `Azure credential ${target.owner}/${credential.name}`);
    if (result.allowed) return allow(result.reason);
    reasons.push(result.reason);
  }
  return deny(reasons.join("; "));
}

export function decide(model: TrustModel, target: TargetModel, token: TokenClaims): Decision {
  switch (target.kind) {
    case "aws-role":
      return awsDecision(model, target, token);
    case "gcp-service-account":
    case "gcp-direct":
      return gcpDecision(model, target, token);
    case "azure-identity":
      return azureDecision(target, token);
  }
}

export const allow = (reason: string): Decision => ({ decision: "allow", reason });
export const deny = (reason: string): Decision => ({ decision: "deny", reason });
