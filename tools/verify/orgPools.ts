/**
 * GCP workload identity pools across the organisation (org.ts): a pool is one trust, whose
 * principals are pool-wide whichever stack's provider admitted the token. Each stack's model is
 * given every provider of the pools it uses, from every stack, and each provider is probed on its
 * own with the other stacks' real tokens (a provider that admits a foreign client holds it as a
 * principal of its pool, whatever the grants).
 */
import type { GcpProviderModel, TrustModel } from "./model";
import type { OrgFinding } from "./org";
import { conditionSubjects } from "./subjectPins";
import { gcpProviderAdmits, type TokenClaims } from "./verify";

/** Every provider of each pool, with the index of the stack that holds it. */
export type PoolProviders = ReadonlyMap<string, ReadonlyArray<{ readonly provider: GcpProviderModel; readonly stack: number }>>;

/** Each stack's model with every provider of the pools it uses (from every stack), and those providers by pool. */
export function sharePools(stackModels: readonly TrustModel[]): { models: TrustModel[]; poolProviders: PoolProviders } {
  const poolProviders = new Map<string, Array<{ provider: GcpProviderModel; stack: number }>>();
  for (const [i, model] of stackModels.entries()) {
    for (const pool of model.gcpPools) {
      const list = poolProviders.get(pool.name) ?? [];
      for (const provider of pool.providers) if (!list.some((p) => p.provider.name === provider.name && p.provider.id === provider.id)) list.push({ provider, stack: i });
      poolProviders.set(pool.name, list);
    }
  }
  const models = stackModels.map((model) => ({
    ...model,
    gcpPools: model.gcpPools.map((pool) => ({ name: pool.name, providers: (poolProviders.get(pool.name) ?? []).map((p) => p.provider) })),
  }));
  return { models, poolProviders };
}

/** Whether a pool holds providers of other stacks than `stack` (one pool shared by team stacks). */
const poolShared = (providers: ReadonlyArray<{ stack: number }>, stack: number) => providers.some((p) => p.stack !== stack);

/**
 * Each GCP pool provider on its own, with the other stacks' real tokens (`tokens[i]`: stack i's
 * tokens by service). AWS roles and Azure credentials decide on their own in the cross-stack matrix
 * (their trust is the target). A provider is evaluated with the tokens of the subjects its condition
 * can admit (subjectPins.ts), or with every other stack's token when the condition pins none.
 */
export function poolProbes(
  models: readonly TrustModel[],
  poolProviders: PoolProviders,
  tokens: ReadonlyArray<ReadonlyMap<string, TokenClaims>>,
): { probes: { tried: number; evaluated: number; accepted: number }; findings: OrgFinding[] } {
  const findings: OrgFinding[] = [];
  const totalTokens = tokens.reduce((n, t) => n + t.size, 0);
  const bySubject = new Map<string, Array<{ stack: number; service: string; token: TokenClaims }>>();
  for (const [i, map] of tokens.entries()) for (const [service, token] of map) bySubject.set(token.sub, [...(bySubject.get(token.sub) ?? []), { stack: i, service, token }]);
  let tried = 0;
  let evaluated = 0;
  let accepted = 0;
  for (const [poolName, providers] of poolProviders) {
    for (const { provider, stack: b } of providers) {
      tried += totalTokens - tokens[b]!.size;
      const pinned = conditionSubjects(provider.attributeCondition);
      const candidates =
        pinned === undefined
          ? tokens.flatMap((map, a) => (a === b ? [] : [...map].map(([service, token]) => ({ stack: a, service, token }))))
          : [...new Set(pinned)].flatMap((s) => bySubject.get(s) ?? []).filter((c) => c.stack !== b);
      for (const { stack: a, service, token } of candidates) {
        evaluated++;
        const admission = gcpProviderAdmits(provider, token);
        if (!admission.admitted) continue;
        accepted++;
        findings.push({
          kind: "cross-stack-probe",
          stacks: [models[a]!.stack, models[b]!.stack],
          message: `GCP provider ${provider.id} (pool ${poolName.split("/").pop()}) of stack ${models[b]!.stack} admits the token of ${models[a]!.stack}/${service} by itself, as subject ${admission.subject}${poolShared(providers, b) ? `: the pool is shared, so that principal holds every grant made to it in the pool` : ""}`,
        });
      }
    }
  }
  return { probes: { tried, evaluated, accepted }, findings };
}
