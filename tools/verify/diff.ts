/**
 * Access changes between a base plan and the current one, in words for reviewers: services added
 * or removed, targets gained or lost, and changed trust inputs (issuer, audience, subject,
 * conditions, trust policies, credentials).
 */
import type { TargetModel, TrustModel } from "./model";
import type { VerifyResult } from "./verify";

export interface AccessChange {
  readonly kind: "service-added" | "service-removed" | "access-gained" | "access-lost" | "trust-changed";
  readonly service?: string;
  readonly target?: string;
  readonly message: string;
}

const reach = (result: VerifyResult, service: string) =>
  new Set(result.matrix.filter((c) => c.service === service && c.decision === "allow").map((c) => c.target));

/** What each target trusts, as one comparable string. */
function trustInputs(model: TrustModel, target: TargetModel): string {
  if (target.aws) return `trust policy ${target.aws.policyText}`;
  if (target.azure) return target.azure.credentials.map((c) => `credential ${c.name}: issuer ${c.issuer}, subject ${c.subject}, audiences ${c.audiences.join(",")}`).join("; ");
  if (target.gcp) {
    const pool = model.gcpPools.find((p) => target.gcp!.members.some((m) => m.includes(`/${p.name}/`)));
    const providers = (pool?.providers ?? []).map((p) => `provider ${p.id}: issuer ${p.issuerUri}, audiences ${p.allowedAudiences.join(",")}, condition ${p.attributeCondition ?? "(none)"}`);
    return [`members ${target.gcp.members.join(",")}`, `roles ${[...target.gcp.roles].sort().join(",")}`, ...providers].join("; ");
  }
  return "";
}

export function accessDiff(base: { model: TrustModel; result: VerifyResult }, head: { model: TrustModel; result: VerifyResult }): AccessChange[] {
  const changes: AccessChange[] = [];
  const baseKeys = new Set(base.model.services.map((s) => s.key));
  const headKeys = new Set(head.model.services.map((s) => s.key));
  const label = (model: TrustModel, id: string) => model.targets.find((t) => t.id === id)?.label ?? id;

  for (const key of [...headKeys].filter((k) => !baseKeys.has(k)).sort()) {
    const gained = [...reach(head.result, key)].map((t) => label(head.model, t));
    changes.push({ kind: "service-added", service: key, message: `service ${key} added${gained.length ? `; it can reach ${gained.join(", ")}` : ""}` });
  }
  for (const key of [...baseKeys].filter((k) => !headKeys.has(k)).sort()) {
    const lost = [...reach(base.result, key)].map((t) => label(base.model, t));
    changes.push({ kind: "service-removed", service: key, message: `service ${key} removed${lost.length ? `; it loses ${lost.join(", ")}` : ""}` });
  }
  for (const key of [...headKeys].filter((k) => baseKeys.has(k)).sort()) {
    const before = reach(base.result, key);
    const after = reach(head.result, key);
    for (const t of [...after].filter((t) => !before.has(t)).sort()) changes.push({ kind: "access-gained", service: key, target: t, message: `${key} gains ${label(head.model, t)}` });
    for (const t of [...before].filter((t) => !after.has(t)).sort()) changes.push({ kind: "access-lost", service: key, target: t, message: `${key} loses ${label(base.model, t)}` });
  }
  for (const issuer of head.model.issuers) {
    const old = base.model.issuers.find((i) => i.federation === issuer.federation);
    const where = head.model.issuers.length > 1 ? ` of ${issuer.federation}` : "";
    if (!old) continue;
    if (old.issuer !== issuer.issuer) changes.push({ kind: "trust-changed", message: `issuer${where} changes from ${old.issuer} to ${issuer.issuer}` });
    if (old.audience !== issuer.audience) changes.push({ kind: "trust-changed", message: `audience${where} changes from ${old.audience} to ${issuer.audience}` });
  }
  for (const service of head.model.services) {
    const old = base.model.services.find((s) => s.key === service.key);
    if (old && old.clientId !== service.clientId) changes.push({ kind: "trust-changed", service: service.key, message: `${service.key}: subject (client id) changes from ${old.clientId} to ${service.clientId}` });
    if (old && old.scopes && service.scopes && old.scopes.join(" ") !== service.scopes.join(" ")) {
      changes.push({ kind: "trust-changed", service: service.key, message: `${service.key}: scopes change from ${old.scopes.join(" ") || "(none)"} to ${service.scopes.join(" ") || "(none)"}` });
    }
  }
  for (const target of head.model.targets) {
    const old = base.model.targets.find((t) => t.id === target.id);
    if (!old) continue;
    const before = trustInputs(base.model, old);
    const after = trustInputs(head.model, target);
    if (before !== after) changes.push({ kind: "trust-changed", target: target.id, message: `trust inputs of ${target.label} change: ${summariseChange(before, after)}` });
  }
  return changes;
}

/** The parts of a "; "-joined description that differ. */
function summariseChange(before: string, after: string): string {
  const a = before.split("; ");
  const b = after.split("; ");
  const removed = a.filter((x) => !b.includes(x));
  const added = b.filter((x) => !a.includes(x));
  return [...removed.map((x) => `was ${x}`), ...added.map((x) => `now ${x}`)].join("; ");
}
