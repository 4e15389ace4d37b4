/**
 * Access changes between a base plan and the current one, in words for reviewers: services added
 * or removed with everything they get or lose, reach gained or lost, permissions granted, revoked
 * or changed (AWS policies, AWS inline policies statement by statement, GCP roles, Azure role
 * assignments by role name and scope), and trust
 * inputs changed (issuer, audience, subject, client keys, scopes, token lifetime, conditions,
 * credentials).
 * Risky changes are marked by the same predicates as the policy pack's advisories and mandatory
 * identity-admin policy (components/internal/guardrails.ts, identityAdmin.ts).
 */
import { awsBroadPolicy, azureBroadAssignment, gcpBroadRole, longerTokenLifetime } from "../../components/internal/guardrails";
import { unjudgedGrant } from "../../components/internal/identityAdmin";
import { conditionPinsSubjects, subjectCheck } from "../../components/internal/condition";
import type { Grant, ServiceModel, TargetModel, TrustModel } from "./model";
import { inlineStatementChanges } from "./awsInline";
import type { VerifyResult } from "./verify";

export interface AccessChange {
  readonly kind:
    | "service-added"
    | "service-removed"
    | "service-renamed"
    | "access-gained"
    | "access-lost"
    | "grant-added"
    | "grant-removed"
    | "grant-changed"
    | "trust-changed";
  readonly service?: string;
  readonly target?: string;
  readonly message: string;
  /** Why the change is risky, when it is (a broad, identity-admin or unjudged grant, a new client key, a longer token lifetime). */
  readonly risk?: string;
}

/** Whether a change adds (+), removes (-) or changes (~) something. */
export function changeSign(change: AccessChange): "+" | "-" | "~" {
  if (change.kind === "service-added" || change.kind === "access-gained" || change.kind === "grant-added") return "+";
  if (change.kind === "service-removed" || change.kind === "access-lost" || change.kind === "grant-removed") return "-";
  return "~";
}

/** One side of the diff: a trust model and the cells its verification allowed. */
export interface Side {
  readonly model: TrustModel;
  readonly result: Pick<VerifyResult, "allowed">;
}

/** The side of a stack that does not exist (a new stack's base, a removed stack's head). */
export function emptySide(stack: string): Side {
  return { model: { stack, issuers: [], services: [], awsProviders: [], gcpPools: [], targets: [], identityAdminGrants: [] }, result: { allowed: [] } };
}

const reach = (result: Pick<VerifyResult, "allowed">, service: string) => new Set(result.allowed.filter((c) => c.service === service).map((c) => c.target));

/** The grants of a service's targets, by the grant's logical name, with the target each belongs to. */
function grantsOf(model: TrustModel, service: string): Map<string, { grant: Grant; target: TargetModel }> {
  const found = new Map<string, { grant: Grant; target: TargetModel }>();
  for (const target of model.targets.filter((t) => t.owner === service)) for (const grant of target.grants) found.set(grant.name, { grant, target });
  return found;
}

/** Why a grant is risky, by the shared predicates, with the identities it could take over; or why the kit cannot judge it. */
function grantRisk(side: Side, grant: Grant): string | undefined {
  const broad =
    grant.cloud === "aws" ? awsBroadPolicy(grant.role) : grant.cloud === "gcp" ? gcpBroadRole(grant.role) : azureBroadAssignment({ roleDefinitionId: grant.role, scope: grant.scope });
  const broadly = broad ? `broad: ${grant.cloud === "azure" ? `${broad} manages everything in its scope` : broad}` : undefined;
  const unjudged = unjudgedGrant(grant);
  // A broad grant the kit cannot fully judge (PowerUserAccess assumes roles it cannot see) says both.
  if (unjudged) return broadly ? `${broadly}; unjudged: ${unjudged}` : `unjudged: ${unjudged}`;
  const admin = side.model.identityAdminGrants.find((g) => g.resource === grant.name);
  if (admin) {
    const labels = admin.reach.map((id) => side.model.targets.find((t) => t.id === id)?.label ?? id);
    return `identity admin: ${admin.why}${labels.length ? `; could take over ${labels.join(", ")}` : ""}${admin.accepted ? " (accepted with allowIdentityAdmin: true)" : ""}`;
  }
  return broadly;
}

const verb = (grant: Grant, added: boolean) =>
  grant.inline ? (added ? "added to" : "removed from") : grant.cloud === "aws" ? (added ? "attached to" : "detached from") : added ? "granted to" : "revoked from";

/** What a service gets, in words: the targets it reaches and the grants it holds. */
function holdings(side: Side, service: string): { reached: string; grants: string } {
  const reached = [...reach(side.result, service)].map((id) => side.model.targets.find((t) => t.id === id)?.label ?? id);
  const grants = [...grantsOf(side.model, service).values()].map(({ grant }) => grant.text);
  return { reached: reached.join(", "), grants: grants.join("; ") };
}

/**
 * Renamed resources: the head's logical name → the base's, for resources the head keeps under a new
 * name through an alias (a service's `renamedFrom`). See followRenames in renames.ts.
 */
export type Renames = ReadonlyMap<string, string>;

export function accessDiff(base: Side, head: Side, renamed: Renames = new Map()): AccessChange[] {
  const changes: AccessChange[] = [];
  const label = (model: TrustModel, id: string) => model.targets.find((t) => t.id === id)?.label ?? id;
  // A service kept under a new key: its Okta app is the base's app under an alias.
  const baseByApp = new Map(base.model.services.map((s) => [s.app, s.key]));
  const baseKeyOf = new Map(head.model.services.map((s) => [s.key, baseByApp.get(renamed.get(s.app) ?? s.app) ?? s.key]));
  const headKeyOf = new Map([...baseKeyOf].map(([h, b]) => [b, h]));
  const baseKeys = new Set(base.model.services.map((s) => s.key));
  const headKeys = new Set(head.model.services.map((s) => s.key));
  /** A base target's id as the head names it (its owner renamed). */
  const headTargetId = (id: string) => id.replace(/:(.*)$/, (_, owner: string) => `:${headKeyOf.get(owner) ?? owner}`);

  // An added service: what it reaches, then each of its grants on its own line (risky ones marked).
  for (const key of [...headKeys].filter((k) => !baseKeys.has(baseKeyOf.get(k)!)).sort()) {
    const { reached } = holdings(head, key);
    changes.push({ kind: "service-added", service: key, message: `service ${key} added: it can reach ${reached || "nothing"}` });
    for (const [, { grant, target }] of [...grantsOf(head.model, key).entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const risk = grantRisk(head, grant);
      changes.push({ kind: "grant-added", service: key, target: target.id, message: `${key}: ${grant.text} ${verb(grant, true)} ${target.label}`, ...(risk ? { risk } : {}) });
    }
  }
  for (const key of [...baseKeys].filter((k) => !headKeyOf.has(k)).sort()) {
    const { reached, grants } = holdings(base, key);
    changes.push({ kind: "service-removed", service: key, message: `service ${key} removed: it loses ${[reached, grants].filter(Boolean).join(", with ") || "nothing"}` });
  }
  for (const key of [...headKeys].filter((k) => baseKeys.has(baseKeyOf.get(k)!)).sort()) {
    const oldKey = baseKeyOf.get(key)!;
    if (oldKey !== key) {
      const { reached, grants } = holdings(head, key);
      const oldService = base.model.services.find((s) => s.key === oldKey)!;
      changes.push({
        kind: "service-renamed",
        service: key,
        message: `service ${oldKey} renamed to ${key} (renamedFrom): the same identity (Okta app with client id ${oldService.clientId}${reached ? `, ${reached}` : ""})${grants ? ` with ${grants}` : ""}, and every grant made on it outside the stack, now belongs to ${key}`,
      });
    }
    const before = new Set([...reach(base.result, oldKey)].map(headTargetId));
    const after = reach(head.result, key);
    for (const t of [...after].filter((t) => !before.has(t)).sort()) changes.push({ kind: "access-gained", service: key, target: t, message: `${key} gains ${label(head.model, t)}` });
    for (const t of [...before].filter((t) => !after.has(t)).sort()) changes.push({ kind: "access-lost", service: key, target: t, message: `${key} loses ${label(head.model, t) === t ? label(base.model, t) : label(head.model, t)}` });

    const was = grantsOf(base.model, oldKey);
    const now = grantsOf(head.model, key);
    const kept = new Set<string>();
    for (const [name, { grant, target }] of [...now.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const oldName = renamed.get(name) ?? name;
      const old = was.get(oldName)?.grant;
      const risk = grantRisk(head, grant);
      if (!old) {
        changes.push({ kind: "grant-added", service: key, target: target.id, message: `${key}: ${grant.text} ${verb(grant, true)} ${target.label}`, ...(risk ? { risk } : {}) });
        continue;
      }
      kept.add(oldName);
      // An inline policy kept under its name: its statements added and removed, in words.
      const statements = old.inline && grant.inline ? inlineStatementChanges(old.inline, grant.inline) : [];
      if (statements.length) {
        const changed = `inline policy ${grant.role} changes: ${statements.join("; ")}`;
        changes.push({ kind: "grant-changed", service: key, target: target.id, message: `${key}: ${target.label}: ${changed}`, ...(risk && risk !== grantRisk(base, old) ? { risk } : {}) });
      } else if (old.role !== grant.role || old.scope !== grant.scope) {
        const change =
          grant.cloud !== "azure" ? `${old.text} becomes ${grant.text}`
          : old.scope === grant.scope ? `role ${old.roleName} becomes ${grant.roleName} at ${grant.scope}`
          : `${old.roleName} at ${old.scope} becomes ${grant.roleName} at ${grant.scope}`;
        changes.push({ kind: "grant-changed", service: key, target: target.id, message: `${key}: ${target.label}: ${change}`, ...(risk && risk !== grantRisk(base, old) ? { risk } : {}) });
      }
    }
    for (const [name, { grant, target }] of [...was.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (!kept.has(name)) changes.push({ kind: "grant-removed", service: key, target: headTargetId(target.id), message: `${key}: ${grant.text} ${verb(grant, false)} ${target.label}` });
    }
  }

  for (const issuer of head.model.issuers) {
    const old = base.model.issuers.find((i) => i.federation === issuer.federation);
    const where = head.model.issuers.length > 1 ? ` of ${issuer.federation}` : "";
    if (!old) continue;
    if (old.issuer !== issuer.issuer) changes.push({ kind: "trust-changed", message: `issuer${where} changes from ${old.issuer} to ${issuer.issuer}` });
    if (old.audience !== issuer.audience) changes.push({ kind: "trust-changed", message: `audience${where} changes from ${old.audience} to ${issuer.audience}` });
  }
  for (const service of head.model.services) {
    const old = base.model.services.find((s) => s.key === baseKeyOf.get(service.key));
    if (old) changes.push(...serviceTrustChanges(old, service));
  }
  for (const target of head.model.targets) {
    const old = base.model.targets.find((t) => headTargetId(t.id) === target.id);
    if (!old) continue;
    const before = trustInputs(old);
    const after = trustInputs(target);
    if (before !== after) changes.push({ kind: "trust-changed", target: target.id, message: `trust inputs of ${target.label} change: ${summariseChange(before, after)}` });
  }
  changes.push(...providerChanges(base.model, head.model));
  return changes;
}

/** GCP pool providers: issuer, audiences, the clients the condition admits, and the rest of the condition. */
function providerChanges(base: TrustModel, head: TrustModel): AccessChange[] {
  const changes: AccessChange[] = [];
  for (const pool of head.gcpPools) {
    const oldPool = base.gcpPools.find((p) => p.name === pool.name);
    for (const provider of pool.providers) {
      const old = oldPool?.providers.find((p) => p.id === provider.id);
      if (!old) continue;
      const label = `GCP provider ${provider.id} (pool ${pool.name.split("/").pop()})`;
      if (old.issuerUri !== provider.issuerUri) changes.push({ kind: "trust-changed", message: `${label}: issuer changes from ${old.issuerUri} to ${provider.issuerUri}` });
      if (old.allowedAudiences.join(",") !== provider.allowedAudiences.join(",")) {
        changes.push({ kind: "trust-changed", message: `${label}: audiences change from ${old.allowedAudiences.join(", ")} to ${provider.allowedAudiences.join(", ")}` });
      }
      const was = conditionParts(old.attributeCondition);
      const now = conditionParts(provider.attributeCondition);
      const admitted = now.subjects.filter((s) => !was.subjects.includes(s));
      const dropped = was.subjects.filter((s) => !now.subjects.includes(s));
      if (admitted.length) changes.push({ kind: "trust-changed", message: `${label} now also admits ${admitted.join(", ")}` });
      if (dropped.length) changes.push({ kind: "trust-changed", message: `${label} no longer admits ${dropped.join(", ")}` });
      if (was.rest !== now.rest) changes.push({ kind: "trust-changed", message: `${label}: condition changes from ${was.rest || "(the client-id check only)"} to ${now.rest || "(the client-id check only)"}` });
    }
  }
  return changes;
}

/** A condition as the client ids it pins and the rest of its text (the rest is the whole text when it pins none). */
function conditionParts(condition: string | undefined): { subjects: string[]; rest: string } {
  if (!condition) return { subjects: [], rest: "(none)" };
  const pinned = conditionPinsSubjects(condition);
  if ("problem" in pinned) return { subjects: [], rest: condition };
  return { subjects: [...pinned.subjects], rest: condition.replace(subjectCheck(pinned.subjects), "").replace(/^\s*&&\s*/, "") };
}

/** A service's subject, scopes and token lifetime, before and after. */
function serviceTrustChanges(old: ServiceModel, service: ServiceModel): AccessChange[] {
  const changes: AccessChange[] = [];
  const key = service.key;
  if (old.clientId !== service.clientId) changes.push({ kind: "trust-changed", service: key, message: `${key}: subject (client id) changes from ${old.clientId} to ${service.clientId}` });
  if (old.scopes && service.scopes && old.scopes.join(" ") !== service.scopes.join(" ")) {
    changes.push({ kind: "trust-changed", service: key, message: `${key}: scopes change from ${old.scopes.join(" ") || "(none)"} to ${service.scopes.join(" ") || "(none)"}` });
  }
  // Whoever holds the private key of a registered key (or serves the JWKS URL) gets the service's tokens.
  if (old.auth.method !== service.auth.method) {
    const weaker = service.auth.method.startsWith("client_secret") && !old.auth.method.startsWith("client_secret");
    changes.push({
      kind: "trust-changed",
      service: key,
      message: `${key}: client authentication changes from ${old.auth.method} to ${service.auth.method}`,
      ...(weaker ? { risk: "a shared client secret replaces the key pair" } : {}),
    });
  }
  const oldKeys = new Set(old.auth.keys.map((k) => k.fingerprint));
  const newKeys = new Set(service.auth.keys.map((k) => k.fingerprint));
  // A key added to a kept identity hands the identity over: whoever holds the new private key gets
  // its tokens, and with them every grant on it, in the stack or outside it.
  for (const k of service.auth.keys.filter((k) => !oldKeys.has(k.fingerprint))) {
    changes.push({
      kind: "trust-changed",
      service: key,
      message: `${key}: client ${k.label} added: whoever holds its private key gets tokens as ${key}`,
      risk: `new client key on the existing identity${old.key !== key ? ` of ${old.key}` : ""}: whoever holds it takes over the identity and every grant on it; check that the key is the service's own`,
    });
  }
  for (const k of old.auth.keys.filter((k) => !newKeys.has(k.fingerprint))) {
    changes.push({ kind: "trust-changed", service: key, message: `${key}: client ${k.label} removed: tokens are no longer issued for assertions signed with it` });
  }
  if (old.lifetimeMinutes !== service.lifetimeMinutes && old.lifetimeMinutes !== undefined && service.lifetimeMinutes !== undefined) {
    const risk = longerTokenLifetime(old.lifetimeMinutes, service.lifetimeMinutes);
    changes.push({ kind: "trust-changed", service: key, message: `${key}: token lifetime changes from ${old.lifetimeMinutes} to ${service.lifetimeMinutes} minutes`, ...(risk ? { risk } : {}) });
  }
  return changes;
}

/** What each target trusts, as one comparable string (GCP providers are compared on their own). */
function trustInputs(target: TargetModel): string {
  if (target.aws) return `trust policy ${target.aws.policyText}`;
  if (target.azure) return target.azure.credentials.map((c) => `credential ${c.name}: issuer ${c.issuer}, subject ${c.subject}, audiences ${c.audiences.join(",")}`).join("; ");
  if (target.gcp) return `members ${target.gcp.members.join(",")}`;
  return "";
}

/** The parts of a "; "-joined description that differ. */
function summariseChange(before: string, after: string): string {
  const a = before.split("; ");
  const b = after.split("; ");
  const removed = a.filter((x) => !b.includes(x));
  const added = b.filter((x) => !a.includes(x));
  return [...removed.map((x) => `was ${x}`), ...added.map((x) => `now ${x}`)].join("; ");
}
