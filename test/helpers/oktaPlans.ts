/**
 * Offline plans for the tests of the Okta write order (test/internal/oktaPacing.test.ts,
 * oktaPriorities.test.ts, oktaPlanOrder.test.ts): a federation of given service keys, and its
 * resources as a plan document.
 */
import { runOffline, type RecordedResource } from "../../tools/offline/engine";
import { placeholderHints } from "../../tools/offline/plan";
import { federationProgram } from "../../stacks/program";
import { baseConfig, jwtAuth } from "./fixtures";

/** A plan's resources as the plan JSON lists them (`dependsOn`). */
export const asDocument = (resources: readonly RecordedResource[]) => ({ resources: resources.map((r) => ({ ...r, dependsOn: r.dependencies })) });

/** The offline plan of `keys` services (Azure only: the fewest resources), with okta.provider overrides and an optional adopted server. */
export async function planOf(keys: readonly string[], options: { provider?: Record<string, unknown>; adopted?: boolean; renamed?: Record<string, string> } = {}) {
  const c = baseConfig();
  c.services = Object.fromEntries(
    keys.map((k) => [k, { scopes: ["api.read"], auth: jwtAuth(`${options.renamed?.[k] ?? k}-1`), azure: {}, ...(options.renamed?.[k] ? { renamedFrom: options.renamed[k] } : {}) }]),
  );
  if (options.provider) c.okta.provider = options.provider;
  if (options.adopted) c.okta.authorizationServer = { existing: { id: "default", audience: "api://services-test" } };
  // An adopted server is read: the offline engine answers with the issuer the config predicts (placeholderHints).
  return (await runOffline(federationProgram, { project: "okta-federation", stack: "test", config: { "okta-federation:federation": JSON.stringify(c) }, hints: placeholderHints([c]) })).resources;
}

/** `n` service keys in key order: svc-0001, svc-0002, … */
export const keysOf = (n: number) => Array.from({ length: n }, (_, i) => `svc-${String(i + 1).padStart(4, "0")}`);
