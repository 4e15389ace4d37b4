/**
 * Token simulation and the trust matrix. For each service, the access token the authorization
 * server would mint is built, signed with a throwaway key and verified (jose); then every cloud
 * target decides whether it would accept it, by the same rules the clouds apply. Each trust (AWS
 * role and provider, GCP pool provider, Azure credential) is also probed on its own, independent
 * of any grant, with a token of another client of the issuer, of another issuer and with another
 * audience. Verify passes only when each service is allowed exactly at its own targets, every
 * probe is refused by the trust itself, no two services share a client key, and no service holds a
 * grant that lets it take over other identities unless that grant was accepted with the opt-in.
 */
import { sameKeySourceNote } from "../../components/internal/clientKeys";
import type { ServiceModel, StackLayout, TargetModel, TrustModel } from "./model";
import { inlinePolicyEntries, type InlinePolicyEntry } from "./awsInline";
import { signAndVerify, tokenFor, type TokenClaims } from "./tokens";
import { decide, type Decision } from "./decisions";
import { PROBE_WORDS, probesFor, trustsOf, type ProbeKind, type TrustProbe } from "./probes";

export { RUNTIME_CLAIM, signAndVerify, tokenFor, type TokenClaims } from "./tokens";
export { awsDecision, azureDecision, decide, gcpDecision, gcpProviderAdmits, type Decision } from "./decisions";
export { probesFor, type ProbeKind, type TrustProbe } from "./probes";

export interface MatrixCell extends Decision {
  readonly service: string;
  readonly target: string;
  readonly intended: "allow" | "deny";
  /** Set when the service holds a grant that lets it take this target over (whatever its token is allowed). */
  readonly takeover?: string;
}

export interface Finding {
  readonly kind: "intended-deny" | "unintended-allow" | "probe-allowed" | "no-token" | "identity-takeover" | "shared-client-key" | "policy-order";
  readonly service?: string;
  readonly target?: string;
  readonly message: string;
  /** An identity-admin grant accepted with the explicit opt-in: reported, and verify still passes. */
  readonly accepted?: boolean;
}

export interface VerifyResult {
  readonly stack: string;
  readonly passed: boolean;
  readonly issuers: ReadonlyArray<{ federation: string; server: string; issuer: string; audience: string }>;
  readonly services: ReadonlyArray<{
    key: string;
    clientId: string;
    scopes: readonly string[];
    runtimeClaims: readonly string[];
    /** How it authenticates to Okta: the method and the keys or JWKS URL it registers. */
    auth: { method: string; keys: readonly string[] };
    claims?: TokenClaims;
  }>;
  /** Each target, with the client ids its trust can admit ("any" when it does not pin them). */
  readonly targets: ReadonlyArray<{ id: string; label: string; kind: string; owner: string; grants: readonly string[]; admits: readonly string[] | "any" }>;
  /** Every allowed cell of the matrix; every other cell is denied (ask `cell` for one, with its reason). */
  readonly allowed: readonly MatrixCell[];
  /** The cells where a service could take the target over. */
  readonly takeovers: readonly MatrixCell[];
  /** One cell of the matrix, with its decision and reason (evaluated on demand). */
  readonly cell: CellDecider;
  readonly probes: readonly TrustProbe[];
  /** Grants that let a service take over other identities, with what they reach. */
  readonly identityAdmin: TrustModel["identityAdminGrants"];
  /** Every AWS inline policy in words, marked identity admin or unjudged (awsInline.ts). */
  readonly inlinePolicies: readonly InlinePolicyEntry[];
  readonly findings: readonly Finding[];
  /** A platform or team stack (layout.ts): said beside the matrix. */
  readonly layout?: StackLayout;
}
/**
 * The client ids (token subjects) a target's trust can admit at all, read from the trust itself: a
 * superset of the services it allows, so every other service is denied without evaluating it. The
 * AWS trust's StringEquals on `…:sub` in every Allow statement, the Azure credentials' subjects, the
 * GCP principals' subjects (when the pool maps google.subject from assertion.sub). Undefined when
 * the trust does not pin its subjects that way (a wildcard, a whole-pool grant, another mapping):
 * then every service is evaluated.
 */
export function admittedSubjects(model: TrustModel, target: TargetModel): readonly string[] | undefined {
  if (target.aws) {
    const policy = target.aws.policy;
    if (!policy) return []; // not valid JSON: IAM admits nothing
    const subjects: string[] = [];
    for (const statement of policy.Statement ?? []) {
      if (statement.Effect !== "Allow") continue;
      const equals = statement.Condition?.StringEquals;
      const pinned = equals && Object.entries(equals).find(([key]) => /:sub$/i.test(key));
      if (!pinned || Object.keys(statement.Condition ?? {}).some((op) => /IfExists$/.test(op))) return undefined;
      subjects.push(...(Array.isArray(pinned[1]) ? pinned[1] : [pinned[1] as string]));
    }
    return subjects;
  }
  if (target.azure) return target.azure.credentials.map((c) => c.subject);
  if (target.gcp) {
    const pool = model.gcpPools.find((p) => target.gcp!.members.some((m) => m.includes(`iam.googleapis.com/${p.name}/`)));
    if (!pool) return [];
    if (pool.providers.some((p) => p.attributeMapping["google.subject"] !== "assertion.sub")) return undefined;
    const prefix = `principal://iam.googleapis.com/${pool.name}/subject/`;
    if (target.gcp.members.some((m) => !m.startsWith(prefix))) return undefined;
    return target.gcp.members.map((m) => m.slice(prefix.length));
  }
  return undefined;
}

/** What a cell of the matrix decides, for a service and a target. */
export type CellDecider = (service: string, target: string) => MatrixCell;

/**
 * Every cell of the matrix, evaluated the straightforward way: each service's token at each target.
 * Quadratic; the reference the fast path is tested against.
 */
export async function straightforwardCells(model: TrustModel): Promise<MatrixCell[]> {
  const tokens = await serviceTokens(model);
  const cells: MatrixCell[] = [];
  for (const service of model.services) for (const target of model.targets) cells.push(evaluateCell(model, tokens, service, target));
  return cells;
}

/** Each service's signed and verified token, or why Okta mints none. */
async function serviceTokens(model: TrustModel): Promise<Map<string, TokenClaims | { problem: string }>> {
  const tokens = new Map<string, TokenClaims | { problem: string }>();
  for (const service of model.services) {
    if (service.tokenProblem || !service.scopes) tokens.set(service.key, { problem: service.tokenProblem ?? `Okta mints no token for ${service.key}` });
    else tokens.set(service.key, (await signAndVerify(tokenFor(service))).verified);
  }
  return tokens;
}

function evaluateCell(model: TrustModel, tokens: ReadonlyMap<string, TokenClaims | { problem: string }>, service: ServiceModel, target: TargetModel): MatrixCell {
  const intended = target.owner === service.key ? "allow" : "deny";
  const token = tokens.get(service.key)!;
  if ("problem" in token) return { service: service.key, target: target.id, intended, decision: "deny", reason: String(token.problem) };
  return { service: service.key, target: target.id, intended, ...decide(model, target, token) };
}

/** Verifies the whole model: the matrix, the probes and the findings. */
export async function verifyModel(model: TrustModel): Promise<VerifyResult> {
  const findings: Finding[] = [];
  const services: Array<VerifyResult["services"][number]> = [];
  const takeovers = new Map<string, string>();
  // Cells an accepted identity-admin grant explains: the service reaches the target through that
  // grant, which the config accepted (allowIdentityAdmin: true) and the identity-takeover finding reports.
  const acceptedTakeovers = new Set<string>();
  for (const grant of model.identityAdminGrants) {
    for (const target of grant.reach) {
      takeovers.set(`${grant.service}|${target}`, `${grant.grant} ${grant.why}`);
      if (grant.accepted) acceptedTakeovers.add(`${grant.service}|${target}`);
    }
  }
  const withTakeover = (cell: MatrixCell): MatrixCell => {
    const takeover = takeovers.get(`${cell.service}|${cell.target}`);
    return takeover ? { ...cell, takeover } : cell;
  };

  const allTokens = await serviceTokens(model);
  const tokens = new Map([...allTokens].filter((entry): entry is [string, TokenClaims] => !("problem" in entry[1])));
  for (const service of model.services) {
    const token = allTokens.get(service.key)!;
    const auth = { method: service.auth.method, keys: service.auth.keys.map((k) => k.label) };
    if ("problem" in token) {
      services.push({ key: service.key, clientId: service.clientId, scopes: [], runtimeClaims: [], auth });
      continue;
    }
    services.push({
      key: service.key,
      clientId: service.clientId,
      scopes: service.scopes ?? [],
      runtimeClaims: Object.entries(service.claims).filter(([, v]) => v === null).map(([k]) => k),
      auth,
      claims: token,
    });
  }

  // The matrix, evaluated where a trust can admit a service (its owner, the subjects it pins, a
  // take-over): every other cell is denied by the trust's own subject pin, so the work grows with
  // the trusts, not with services × trusts. Undefined pins fall back to every service.
  const serviceByKey = new Map(model.services.map((s) => [s.key, s]));
  const bySubject = new Map<string, ServiceModel[]>();
  for (const service of model.services) {
    const list = bySubject.get(service.clientId);
    if (list) list.push(service);
    else bySubject.set(service.clientId, [service]);
  }
  const holders = new Map<string, string[]>();
  for (const grant of model.identityAdminGrants) for (const target of grant.reach) holders.set(target, [...(holders.get(target) ?? []), grant.service]);
  const evaluated = new Map<string, MatrixCell>();
  const admits = new Map<string, readonly string[] | undefined>();
  for (const target of model.targets) {
    const subjects = admittedSubjects(model, target);
    admits.set(target.id, subjects);
    const candidates = new Set<string>([target.owner, ...(holders.get(target.id) ?? [])]);
    for (const service of subjects === undefined ? model.services : subjects.flatMap((s) => bySubject.get(s) ?? [])) candidates.add(service.key);
    for (const key of candidates) {
      const service = serviceByKey.get(key);
      if (service) evaluated.set(`${key}|${target.id}`, withTakeover(evaluateCell(model, allTokens, service, target)));
    }
  }
  const targetIndex = new Map(model.targets.map((t, i) => [t.id, i]));
  const cellFindings = new Map<string, Array<[number, Finding]>>();
  for (const cell of evaluated.values()) {
    const target = model.targets[targetIndex.get(cell.target)!]!;
    const token = allTokens.get(cell.service)!;
    if ("problem" in token) continue;
    let finding: Finding | undefined;
    if (cell.intended === "allow" && cell.decision === "deny") {
      finding = { kind: "intended-deny", service: cell.service, target: cell.target, message: `${cell.service} cannot reach ${target.label}: ${cell.reason}` };
    } else if (cell.intended === "deny" && cell.decision === "allow" && !acceptedTakeovers.has(`${cell.service}|${cell.target}`)) {
      finding = { kind: "unintended-allow", service: cell.service, target: cell.target, message: `${cell.service} can reach ${target.label}, which belongs to ${target.owner}: ${cell.reason}` };
    }
    if (finding) cellFindings.set(cell.service, [...(cellFindings.get(cell.service) ?? []), [targetIndex.get(cell.target)!, finding]]);
  }
  for (const service of model.services) {
    const token = allTokens.get(service.key)!;
    if ("problem" in token) {
      const owned = model.targets.filter((t) => t.owner === service.key);
      findings.push({ kind: "no-token", service: service.key, message: `${service.key} gets no token: ${token.problem}${owned.length ? ` (so it cannot reach ${owned.map((t) => t.label).join(", ")})` : ""}` });
      continue;
    }
    findings.push(...(cellFindings.get(service.key) ?? []).sort(([a], [b]) => a - b).map(([, f]) => f));
  }
  // Any other cell, when asked for (a small matrix printed whole), is evaluated the same way.
  const cell: CellDecider = (service, target) => {
    const key = `${service}|${target}`;
    let found = evaluated.get(key);
    if (!found) {
      found = withTakeover(evaluateCell(model, allTokens, serviceByKey.get(service)!, model.targets[targetIndex.get(target)!]!));
      evaluated.set(key, found);
    }
    return found;
  };

  // Each trust on its own, independent of grants: probes built from the token it was made for.
  const probes: TrustProbe[] = [];
  for (const { trust, base, decide: decideTrust } of trustsOf(model, tokens)) {
    for (const [probe, claims] of Object.entries(probesFor(base)) as Array<[ProbeKind, TokenClaims]>) {
      const result = decideTrust(claims);
      probes.push({ trust, probe, ...result });
      if (result.decision === "allow") {
        findings.push({ kind: "probe-allowed", message: `${trust} accepts a token with ${PROBE_WORDS[probe]} by itself: ${result.reason}` });
      }
    }
  }

  // Client authentication: one key, one service.
  const firstUse = new Map<string, { service: string; label: string }>();
  for (const service of model.services) {
    for (const key of service.auth.keys) {
      const earlier = firstUse.get(key.fingerprint);
      if (!earlier) firstUse.set(key.fingerprint, { service: service.key, label: key.label });
      else if (earlier.service !== service.key) {
        findings.push({
          kind: "shared-client-key",
          service: service.key,
          message: `${service.key} registers the same ${key.label.startsWith("jwksUri") ? key.label : `public key (${key.label})`} as ${earlier.service} (${earlier.label}${sameKeySourceNote(key, earlier)}): each can authenticate to Okta as the other and obtain its tokens`,
        });
      }
    }
  }

  const label = (id: string) => model.targets.find((t) => t.id === id)?.label ?? id;
  for (const grant of model.identityAdminGrants) {
    const reach = grant.reach.length ? `it could take over ${grant.reach.map(label).join(", ")}` : "it could change its own trust";
    findings.push({
      kind: "identity-takeover",
      service: grant.service,
      accepted: grant.accepted,
      message: `${grant.service} holds ${grant.grant}, which ${grant.why}: ${reach}${grant.accepted ? " (accepted with allowIdentityAdmin: true)" : " (no allowIdentityAdmin opt-in)"}`,
    });
  }

  // A stack export only: a policy outside the stack evaluated before the kit's, or priorities the
  // state cannot order (policyOrderFindings, components/internal/oktaPriorities.ts).
  for (const message of model.policyOrder ?? []) findings.push({ kind: "policy-order", message });

  const allowed = [...evaluated.values()].filter((c) => c.decision === "allow");
  return {
    stack: model.stack,
    passed: findings.every((f) => f.accepted === true),
    issuers: model.issuers.map(({ federation, server, issuer, audience }) => ({ federation, server, issuer, audience })),
    services,
    targets: model.targets.map((t) => ({
      id: t.id,
      label: t.label,
      kind: t.kind,
      owner: t.owner,
      grants: t.grants.map((g) => g.text),
      admits: admits.get(t.id) ?? "any",
    })),
    allowed: allowed.sort((a, b) => a.service.localeCompare(b.service) || targetIndex.get(a.target)! - targetIndex.get(b.target)!),
    takeovers: [...evaluated.values()].filter((c) => c.takeover),
    cell,
    probes,
    identityAdmin: model.identityAdminGrants,
    inlinePolicies: inlinePolicyEntries(model),
    findings,
    ...(model.layout ? { layout: model.layout } : {}),
  };
}
