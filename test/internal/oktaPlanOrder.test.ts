/**
 * The order of Okta writes on a plan (components/internal/oktaPlanOrder.ts): the K write lanes'
 * bound, proven on the plan's dependency graph, and which removals the engine deletes in parallel.
 */
import { describe, expect, it } from "vitest";
import {
  oktaWriteConcurrency,
  parallelDeletedPolicies,
  parallelPolicyDeletes,
  parallelPolicyDeletesMessage,
  type OrderingResource,
} from "../../components/internal/oktaPlanOrder";
import { type RecordedResource } from "../../tools/offline/engine";
import { planStack } from "../../tools/offline/plan";
import { fixtureStack } from "../helpers/stacks";
import { asDocument, keysOf, planOf } from "../helpers/oktaPlans";

describe("the bound, proven on the plan's dependency graph", () => {
  const r = (name: string, type: string, dependsOn: string[] = [], extra: Partial<OrderingResource> = {}): OrderingResource => ({ urn: `urn:${name}`, name, type, dependsOn: dependsOn.map((d) => `urn:${d}`), ...extra });
  const APP = "okta:app/oAuth:OAuth";

  it("counts the largest set of Okta writes no dependency path orders, through other resources and components too", () => {
    // Two chains of three apps: at most two writes at once.
    const chains = [r("a1", APP), r("a2", APP, ["a1"]), r("a3", APP, ["a2"]), r("b1", APP), r("b2", APP, ["b1"]), r("b3", APP, ["b2"])];
    expect(oktaWriteConcurrency({ resources: chains })).toEqual({ writes: 6, width: 2, chains: [["a1", "a2", "a3"], ["b1", "b2", "b3"]] });
    // b1 waits for a1 through an AWS role: ordered, so one write at a time.
    const through = [r("a1", APP), r("role", "aws:iam/role:Role", ["a1"]), r("b1", APP, ["role"])];
    expect(oktaWriteConcurrency({ resources: through }).width).toBe(1);
    // A dependency on a component is one on every resource under it.
    const component = [r("c", "oktafed:okta:ServiceApp", [], { custom: false }), r("a1", APP, [], { parent: "urn:c" }), r("a2", APP, [], { parent: "urn:c" }), r("b1", APP, ["c"])];
    expect(oktaWriteConcurrency({ resources: component }).width).toBe(2);
    // Reads (an adopted server) and other packages are no Okta writes.
    const reads = [r("s", "okta:auth/server:Server", [], { operation: "read" }), r("p", "pulumi:providers:okta"), r("x", "aws:iam/role:Role"), r("a1", APP)];
    expect(oktaWriteConcurrency({ resources: reads })).toEqual({ writes: 1, width: 1, chains: [["a1"]] });
    // A diamond: two writes between a first and a last.
    const diamond = [r("a", APP), r("b", APP, ["a"]), r("c", APP, ["a"]), r("d", APP, ["b", "c"])];
    expect(oktaWriteConcurrency({ resources: diamond }).width).toBe(2);
  });

  it("dev stack: 16 Okta writes, at most 4 at once (the server lane and 3 app lanes)", async () => {
    const plan = await planStack(fixtureStack("dev"));
    const proof = oktaWriteConcurrency(asDocument(plan.resources));
    expect([proof.writes, proof.width]).toEqual([16, 4]);
    expect(proof.chains[0]).toEqual([
      "federation-token-hook-hook",
      "federation-authz-server",
      "federation-authz-scope-api.read",
      "federation-authz-scope-api.write",
      "federation-authz-scope-events.publish",
      "federation-authz-claim-deployment",
      "federation-authz-claim-tenant_id",
      "federation-billing-export-policy",
      "federation-billing-export-rule",
      "federation-payments-policy",
      "federation-payments-rule",
      "federation-reporting-policy",
      "federation-reporting-rule",
    ]);
  });

  it.each([
    [60, { maxConcurrentWrites: 4 }, 4],
    [300, undefined, 10],
    [40, { maxConcurrentWrites: 2 }, 2],
  ])("%i services with %j: at most %i Okta writes at once, exactly", async (n, provider, k) => {
    const resources = await planOf(keysOf(n), { provider });
    const proof = oktaWriteConcurrency(asDocument(resources));
    expect(proof.writes).toBe(3 * n + 4);
    expect(proof.width).toBe(k);
    expect(proof.chains).toHaveLength(k);
  });

  it("without the lanes the same plan lets every app run at once", async () => {
    const resources = await planOf(keysOf(60));
    const unordered = asDocument(resources).resources.map((x) => (x.type === "okta:app/oAuth:OAuth" ? { ...x, dependsOn: [] } : x));
    expect(oktaWriteConcurrency({ resources: unordered }).width).toBe(61);
  });

  it("a change of K or of the services moves only dependsOn, never an input", async () => {
    const inputs = (resources: readonly RecordedResource[]) =>
      Object.fromEntries(resources.filter((x) => x.custom).map((x) => [x.urn, x.ignoreChanges.includes("priority") ? { ...x.inputs, priority: "ignored" } : x.inputs]));
    const ten = await planOf(keysOf(12));
    const three = await planOf(keysOf(12), { provider: { maxConcurrentWrites: 3 } });
    const okta = (resources: readonly RecordedResource[]) => inputs(resources.filter((x) => !x.type.startsWith("pulumi:providers:")));
    expect(okta(three)).toEqual(okta(ten));
    const app = (resources: readonly RecordedResource[], key: string) => resources.find((x) => x.name === `federation-${key}-app`)!.dependencies;
    expect(keysOf(12).some((key) => JSON.stringify(app(ten, key)) !== JSON.stringify(app(three, key)))).toBe(true);
  });
});

describe("removals: which policy deletes of one update run in parallel", () => {
  const FIVE = ["alpha", "bravo", "charlie", "delta", "echo"];
  // bravo and delta are in different app lanes (9 and 5): nothing but the chain could order their deletes.
  const base = async () => asDocument(await planOf(FIVE));
  const head = async (keys: string[], renamed?: Record<string, string>) => asDocument(await planOf(keys, { renamed }));

  it("two services that are not next to each other: their policies are deleted together", async () => {
    const groups = parallelPolicyDeletes(await base(), await head(["alpha", "charlie", "echo"]));
    expect(groups.map((g) => [g.server, g.policies.map((p) => p.name)])).toEqual([["<federation-authz-server.id>", ["federation-bravo-policy", "federation-delta-policy"]]]);
    expect(parallelPolicyDeletesMessage(groups[0]!)).toBe(
      "pulumi up would delete the Okta policies federation-bravo-policy and federation-delta-policy of authorization server <federation-authz-server.id> at the same time (the engine orders deletes only by direct dependencies among the deleted resources), which Okta may answer with HTTP 500 or 423 that the provider does not retry: remove these services in separate updates (services next to each other in key order may go together)",
    );
  });

  it("services next to each other, one service, all services, or a rename: every delete is ordered", async () => {
    const b = await base();
    expect(parallelPolicyDeletes(b, await head(["alpha", "delta", "echo"]))).toEqual([]);
    expect(parallelPolicyDeletes(b, await head(["alpha", "charlie", "delta", "echo"]))).toEqual([]);
    expect(parallelPolicyDeletes(b, await head(["alpha"]))).toEqual([]);
    // bravo renamed to baker keeps its resources through aliases: nothing is deleted.
    expect(parallelPolicyDeletes(b, await head(["alpha", "baker", "charlie", "delta", "echo"], { baker: "bravo" }))).toEqual([]);
  });

  it("the deleted set may be given directly (the review passes what it found deleted or replaced)", async () => {
    const b = await base();
    const of = (key: string) => b.resources.filter((x) => x.name.startsWith(`federation-${key}`)).map((x) => x.urn);
    expect(parallelDeletedPolicies(b, [...of("alpha"), ...of("echo")]).map((g) => g.policies.map((p) => p.name))).toEqual([["federation-alpha-policy", "federation-echo-policy"]]);
    expect(parallelDeletedPolicies(b, [...of("alpha"), ...of("bravo")])).toEqual([]);
  });
});
