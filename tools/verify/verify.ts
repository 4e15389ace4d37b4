/**
 * Token simulation and the trust matrix. For each service, the access token the authorization
 * server would mint is built, signed with a throwaway key and verified (jose); then every cloud
 * target decides whether it would accept it, by the same rules the clouds apply. Verify passes
 * only when each service is allowed exactly at its own targets, and tokens with a wrong audience,
 * another issuer or another client id are denied everywhere.
 */
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type JWTPayload } from "jose";
import {
  AWS_WEB_IDENTITY_ACTION,
  awsConditionKeyPrefix,
  azureCredentialAccepts,
  describeDifference,
  evaluateAwsTrust,
  gcpSubjectPrincipal,
} from "../../components/internal/trust";
import { LIMITS } from "../../components/internal/limits";
import { assertionClaimsIn, evaluateCel } from "./cel";
import type { ServiceModel, TargetModel, TrustModel } from "./model";

/** The claims of a simulated access token. */
export interface TokenClaims {
  readonly iss: string;
  readonly aud: string;
  readonly sub: string;
  readonly cid: string;
  readonly scp: readonly string[];
  readonly [claim: string]: unknown;
}

export interface Decision {
  readonly decision: "allow" | "deny";
  readonly reason: string;
}

export interface MatrixCell extends Decision {
  readonly service: string;
  readonly target: string;
  readonly intended: "allow" | "deny";
}

export type ProbeKind = "wrong-audience" | "other-issuer" | "other-client";

export interface Finding {
  readonly kind: "intended-deny" | "unintended-allow" | "probe-allowed" | "no-token";
  readonly service: string;
  readonly target?: string;
  readonly message: string;
}

export interface VerifyResult {
  readonly stack: string;
  readonly passed: boolean;
  readonly issuers: ReadonlyArray<{ federation: string; issuer: string; audience: string }>;
  readonly services: ReadonlyArray<{ key: string; clientId: string; scopes: readonly string[]; runtimeClaims: readonly string[]; claims?: TokenClaims }>;
  readonly targets: ReadonlyArray<{ id: string; label: string; kind: string; owner: string }>;
  readonly matrix: readonly MatrixCell[];
  readonly probes: ReadonlyArray<{ service: string; probe: ProbeKind; target: string } & Decision>;
  readonly findings: readonly Finding[];
}

/** Marker for a claim Okta evaluates per token (Okta Expression Language). */
export const RUNTIME_CLAIM = "<evaluated by Okta at run time>";

/** The access token the authorization server would mint for a service (client credentials). */
export function tokenFor(service: ServiceModel): TokenClaims {
  const now = Math.floor(Date.parse("2026-01-01T00:00:00Z") / 1000);
  const custom = Object.fromEntries(Object.entries(service.claims).map(([name, value]) => [name, value ?? RUNTIME_CLAIM]));
  return {
    ...custom,
    ver: 1,
    jti: `AT.offline-${service.key}`,
    iss: service.issuer,
    aud: service.audience,
    iat: now,
    exp: now + 60 * (service.lifetimeMinutes ?? LIMITS.okta.tokenLifetimeMinutes.default),
    cid: service.clientId,
    sub: service.clientId,
    scp: [...(service.scopes ?? [])],
  };
}

let signingKey: ReturnType<typeof generateKeyPair> | undefined;

/** Signs the claims with a throwaway RS256 key (Okta signs with RS256) and verifies them back. */
export async function signAndVerify(claims: TokenClaims): Promise<{ token: string; verified: TokenClaims }> {
  // One throwaway key per process: generating RSA keys is the slow part.
  signingKey ??= generateKeyPair("RS256");
  const { privateKey, publicKey } = await signingKey;
  const kid = (await exportJWK(publicKey)).n?.slice(0, 16) ?? "offline";
  const token = await new SignJWT(claims as unknown as JWTPayload).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).sign(privateKey);
  const { payload } = await jwtVerify(token, publicKey, { issuer: claims.iss, audience: claims.aud, currentDate: new Date((claims.iat as number) * 1000) });
  return { token, verified: payload as unknown as TokenClaims };
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
  const providers = [...model.awsProviders, ...adopted].map((p) => ({ ...p, url: p.url ?? `https://${p.arn.split(":oidc-provider/")[1] ?? ""}` }));
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
    if (provider.issuerUri !== token.iss) {
      rejections.push(`issuer mismatch (${describeDifference(token.iss, provider.issuerUri)}) between the token issuer ${token.iss} and ${label} (${provider.issuerUri})`);
      continue;
    }
    // With no allowed audiences GCP expects the provider's own resource name as the audience.
    const audiences = provider.allowedAudiences.length
      ? provider.allowedAudiences
      : [`//iam.googleapis.com/${provider.name}`, `https://iam.googleapis.com/${provider.name}`];
    if (!audiences.includes(token.aud)) {
      rejections.push(`audience ${token.aud} is not allowed by ${label} (allowed: ${audiences.join(", ")})`);
      continue;
    }
    const attributes: Record<string, unknown> = {};
    let mappingError: string | undefined;
    for (const [attribute, expression] of Object.entries(provider.attributeMapping)) {
      const value = evaluateCel(expression, token);
      if (!value.ok) {
        mappingError = `${label} mapping ${attribute} = ${expression} fails: ${missingClaims(expression, token) ?? value.error}`;
        break;
      }
      attributes[attribute.replace(/^attribute\./, "")] = value.value;
      if (attribute === "google.subject") attributes["google.subject"] = value.value;
    }
    if (mappingError) {
      rejections.push(mappingError);
      continue;
    }
    const subject = attributes["google.subject"];
    if (typeof subject !== "string" || subject.length === 0) {
      rejections.push(`${label}: google.subject is not mapped to a string`);
      continue;
    }
    if (Buffer.byteLength(subject) > LIMITS.gcp.subjectMaxBytes) {
      rejections.push(`${label}: google.subject is ${Buffer.byteLength(subject)} bytes, over GCP's ${LIMITS.gcp.subjectMaxBytes}`);
      continue;
    }
    if (provider.attributeCondition) {
      const admitted = evaluateCel(provider.attributeCondition, token, attributes);
      if (!admitted.ok) {
        rejections.push(missingClaims(provider.attributeCondition, token) ?? `${label} condition fails: ${admitted.error}`);
        continue;
      }
      if (admitted.value !== true) {
        rejections.push(`${label} condition is false for sub ${token.sub}`);
        continue;
      }
    }
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

/** "GCP condition references assertion.tenant, which the issuer does not emit", when that is the cause. */
function missingClaims(expression: string, token: TokenClaims): string | undefined {
  const missing = assertionClaimsIn(expression).filter((claim) => !(claim in token));
  if (missing.length === 0) return undefined;
  return `GCP condition references ${missing.map((c) => `assertion.${c}`).join(", ")}, which the issuer does not emit`;
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

const allow = (reason: string): Decision => ({ decision: "allow", reason });
const deny = (reason: string): Decision => ({ decision: "deny", reason });

/** Tokens that must be refused everywhere: a wrong audience, another issuer, another client id. */
export function probesFor(token: TokenClaims): Record<ProbeKind, TokenClaims> {
  return {
    "wrong-audience": { ...token, aud: `${token.aud}-other` },
    "other-issuer": { ...token, iss: "https://attacker.example/oauth2/default" },
    "other-client": { ...token, sub: "0oaOTHERCLIENT000000", cid: "0oaOTHERCLIENT000000" },
  };
}

/** Verifies the whole model: the matrix, the probes and the findings. */
export async function verifyModel(model: TrustModel): Promise<VerifyResult> {
  const matrix: MatrixCell[] = [];
  const probes: Array<{ service: string; probe: ProbeKind; target: string } & Decision> = [];
  const findings: Finding[] = [];
  const services: Array<VerifyResult["services"][number]> = [];

  for (const service of model.services) {
    const owned = model.targets.filter((t) => t.owner === service.key);
    if (service.tokenProblem || !service.scopes) {
      const reason = service.tokenProblem ?? `Okta mints no token for ${service.key}`;
      services.push({ key: service.key, clientId: service.clientId, scopes: [], runtimeClaims: [] });
      for (const target of model.targets) {
        const intended = target.owner === service.key ? "allow" : "deny";
        matrix.push({ service: service.key, target: target.id, intended, decision: "deny", reason });
      }
      findings.push({ kind: "no-token", service: service.key, message: `${service.key} gets no token: ${reason}${owned.length ? ` (so it cannot reach ${owned.map((t) => t.label).join(", ")})` : ""}` });
      continue;
    }
    const { verified } = await signAndVerify(tokenFor(service));
    services.push({
      key: service.key,
      clientId: service.clientId,
      scopes: service.scopes,
      runtimeClaims: Object.entries(service.claims).filter(([, v]) => v === null).map(([k]) => k),
      claims: verified,
    });
    for (const target of model.targets) {
      const intended = target.owner === service.key ? "allow" : "deny";
      const result = decide(model, target, verified);
      matrix.push({ service: service.key, target: target.id, intended, ...result });
      if (intended === "allow" && result.decision === "deny") {
        findings.push({ kind: "intended-deny", service: service.key, target: target.id, message: `${service.key} cannot reach ${target.label}: ${result.reason}` });
      } else if (intended === "deny" && result.decision === "allow") {
        findings.push({ kind: "unintended-allow", service: service.key, target: target.id, message: `${service.key} can reach ${target.label}, which belongs to ${target.owner}: ${result.reason}` });
      }
    }
    for (const [probe, claims] of Object.entries(probesFor(verified)) as Array<[ProbeKind, TokenClaims]>) {
      for (const target of model.targets) {
        const result = decide(model, target, claims);
        probes.push({ service: service.key, probe, target: target.id, ...result });
        if (result.decision === "allow") {
          findings.push({ kind: "probe-allowed", service: service.key, target: target.id, message: `a token of ${service.key} with ${probe.replace("-", " ")} is accepted at ${target.label}: ${result.reason}` });
        }
      }
    }
  }

  return {
    stack: model.stack,
    passed: findings.length === 0,
    issuers: model.issuers.map(({ federation, issuer, audience }) => ({ federation, issuer, audience })),
    services,
    targets: model.targets.map((t) => ({ id: t.id, label: t.label, kind: t.kind, owner: t.owner })),
    matrix,
    probes,
    findings,
  };
}
