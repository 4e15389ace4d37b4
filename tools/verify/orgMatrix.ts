/**
 * The cross-stack matrix of the organisation proof (org.ts): every service's token evaluated
 * against every other stack's trusts by the same evaluators as one stack's matrix (`decide`,
 * `admittedSubjects`). Services are indexed by client id, so nothing grows with services x services
 * across stacks: a target is evaluated with the services its subject pin names, or with every other
 * stack's service when it pins none.
 */
import type { ServiceModel, TrustModel } from "./model";
import type { CrossStackCell, OrgFinding, OrgResult } from "./org";
import { admittedSubjects, decide, type TokenClaims } from "./verify";

/** The matrix over `models` (team stacks with their shared pools), with each stack's tokens by service (`tokens[i]`). */
export function crossStackMatrix(
  models: readonly TrustModel[],
  tokens: ReadonlyArray<ReadonlyMap<string, TokenClaims>>,
): { cells: number; evaluated: number; allowed: CrossStackCell[]; findings: OrgFinding[] } {
  const findings: OrgFinding[] = [];
  const totalServices = models.reduce((n, m) => n + m.services.length, 0);
  const byClientId = new Map<string, Array<{ stack: number; service: ServiceModel }>>();
  for (const [i, model] of models.entries()) for (const service of model.services) byClientId.set(service.clientId, [...(byClientId.get(service.clientId) ?? []), { stack: i, service }]);
  let cells = 0;
  let evaluated = 0;
  const allowed: CrossStackCell[] = [];
  for (const [b, modelB] of models.entries()) {
    for (const target of modelB.targets) {
      cells += totalServices - modelB.services.length;
      const subjects = admittedSubjects(modelB, target);
      const candidates =
        subjects === undefined
          ? models.flatMap((m, a) => (a === b ? [] : m.services.map((service) => ({ stack: a, service }))))
          : [...new Set(subjects)].flatMap((s) => byClientId.get(s) ?? []).filter((c) => c.stack !== b);
      for (const { stack: a, service } of candidates) {
        const token = tokens[a]!.get(service.key);
        if (!token) continue;
        evaluated++;
        const decision = decide(modelB, target, token);
        if (decision.decision !== "allow") continue;
        const modelA = models[a]!;
        allowed.push({ stack: modelA.stack, service: service.key, targetStack: modelB.stack, target: target.id, reason: decision.reason });
        findings.push({
          kind: "cross-stack-allow",
          stacks: [modelA.stack, modelB.stack],
          message: `${modelA.stack}/${service.key} can reach ${target.label} of stack ${modelB.stack}, which belongs to ${modelB.stack}/${target.owner}: ${decision.reason}`,
        });
      }
    }
  }
  return { cells, evaluated, allowed, findings };
}

/** Issuers used by more than one stack (its services' tokens or its trusts), with their audiences. */
export function sharedIssuers(models: readonly TrustModel[]): OrgResult["sharedIssuers"] {
  const by = new Map<string, { audiences: Set<string>; stacks: Set<string> }>();
  for (const model of models) {
    for (const issuer of model.issuers) {
      const entry = by.get(issuer.issuer) ?? { audiences: new Set<string>(), stacks: new Set<string>() };
      entry.audiences.add(issuer.audience);
      entry.stacks.add(model.stack);
      by.set(issuer.issuer, entry);
    }
  }
  return [...by]
    .filter(([, e]) => e.stacks.size > 1)
    .map(([issuer, e]) => ({ issuer, audiences: [...e.audiences].sort(), stacks: [...e.stacks] }));
}
