/**
 * The order of one federation's Okta writes (components/internal/oktaOrdering.ts): the request
 * deadline rule, the K write lanes and their proof on the plan's dependency graph, each policy's
 * own priority, which removals the engine deletes in parallel, and what verify --state reports
 * about the deployed priorities.
 */
import { describe, expect, it } from "vitest";
import {
  OKTA_POLICY_BOTTOM,
  oktaAppLane,
  oktaPolicyPriority,
  oktaRequestTimeoutProblem,
  oktaWriteConcurrency,
  oktaWriteOrder,
  parallelDeletedPolicies,
  parallelPolicyDeletes,
  parallelPolicyDeletesMessage,
  policyOrderFindings,
  type OrderingResource,
} from "../../components/internal/oktaOrdering";
import { runOffline, type RecordedResource } from "../../tools/offline/engine";
import { placeholderHints, planStack } from "../../tools/offline/plan";
import { federationProgram } from "../../stacks/program";
import { baseConfig, jwtAuth } from "../helpers/fixtures";
import { fixtureStack } from "../helpers/stacks";

/** A plan's resources as the plan JSON lists them (`dependsOn`). */
const asDocument = (resources: readonly RecordedResource[]) => ({ resources: resources.map((r) => ({ ...r, dependsOn: r.dependencies })) });

/** The offline plan of `keys` services (Azure only: the fewest resources), with okta.provider overrides and an optional adopted server. */
async function planOf(keys: readonly string[], options: { provider?: Record<string, unknown>; adopted?: boolean; renamed?: Record<string, string> } = {}) {
  const c = baseConfig();
  c.services = Object.fromEntries(
    keys.map((k) => [k, { scopes: ["api.read"], auth: jwtAuth(`${options.renamed?.[k] ?? k}-1`), azure: {}, ...(options.renamed?.[k] ? { renamedFrom: options.renamed[k] } : {}) }]),
  );
  if (options.provider) c.okta.provider = options.provider;
  if (options.adopted) c.okta.authorizationServer = { existing: { id: "default", audience: "api://services-test" } };
  // An adopted server is read: the offline engine answers with the issuer the config predicts (placeholderHints).
  return (await runOffline(federationProgram, { project: "okta-federation", stack: "test", config: { "okta-federation:federation": JSON.stringify(c) }, hints: placeholderHints([c]) })).resources;
}

const keysOf = (n: number) => Array.from({ length: n }, (_, i) => `svc-${String(i + 1).padStart(4, "0")}`);

describe("okta.provider.requestTimeoutSeconds", () => {
  it("allows 0 (no deadline) and any deadline that covers maxRetries × maxWaitSeconds", () => {
    expect(oktaRequestTimeoutProblem({ requestTimeoutSeconds: 0, maxRetries: 100, maxWaitSeconds: 3600 })).toBeUndefined();
    expect(oktaRequestTimeoutProblem({ requestTimeoutSeconds: 300, maxRetries: 5, maxWaitSeconds: 60 })).toBeUndefined();
    expect(oktaRequestTimeoutProblem({ requestTimeoutSeconds: 300, maxRetries: 1, maxWaitSeconds: 300 })).toBeUndefined();
  });

  it("refuses a deadline shorter than the retries, saying what to set", () => {
    expect(oktaRequestTimeoutProblem({ requestTimeoutSeconds: 60, maxRetries: 10, maxWaitSeconds: 300 })).toBe(
      "60 s would end a rate-limited call before the provider's retries do: the deadline covers the whole call, every retry and every pause of the rate governor included, and maxRetries × maxWaitSeconds is 10 × 300 = 3000 s; set 0 (no deadline, the default) (the provider allows at most 300 s)",
    );
    expect(oktaRequestTimeoutProblem({ requestTimeoutSeconds: 119, maxRetries: 2, maxWaitSeconds: 60 })).toBe(
      "119 s would end a rate-limited call before the provider's retries do: the deadline covers the whole call, every retry and every pause of the rate governor included, and maxRetries × maxWaitSeconds is 2 × 60 = 120 s; set 0 (no deadline, the default) or at least 120",
    );
  });
});

describe("K write lanes", () => {
  it("a service's app lane is a stable hash of its physical key, 1 to K-1 (lane 0 holds the server's writes)", () => {
    expect(["alpha", "bravo", "charlie", "delta", "echo"].map((k) => oktaAppLane(k, 10))).toEqual([9, 9, 5, 5, 7]);
    expect(["alpha", "bravo", "charlie", "delta", "echo"].map((k) => oktaAppLane(k, 3))).toEqual([1, 2, 1, 1, 1]);
    // Every lane of 1 to 9 is used by 1,000 services, none by more than 129.
    const sizes = new Map<number, number>();
    for (const key of keysOf(1000)) sizes.set(oktaAppLane(key, 10), (sizes.get(oktaAppLane(key, 10)) ?? 0) + 1);
    expect([...sizes.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...sizes.values())).toBe(129);
  });

  it("orders one server's policies in key order and each app after the previous app of its lane", () => {
    const order = oktaWriteOrder(["echo", "alpha", "charlie", "bravo", "delta"].map((key) => ({ key, physicalKey: key })), 3);
    expect(order).toEqual({
      chain: ["alpha", "bravo", "charlie", "delta", "echo"],
      appAfter: { alpha: undefined, bravo: undefined, charlie: "alpha", delta: "charlie", echo: "delta" },
      lanes: { 1: ["alpha", "charlie", "delta", "echo"], 2: ["bravo"] },
    });
    // A new service changes only the app that follows it in its lane; a renamed one keeps its lane.
    const added = oktaWriteOrder(["echo", "alpha", "charlie", "bravo", "delta", "berry"].map((key) => ({ key, physicalKey: key })), 3);
    expect(oktaAppLane("berry", 3)).toBe(1);
    expect(added.appAfter).toEqual({ alpha: undefined, berry: "alpha", bravo: undefined, charlie: "berry", delta: "charlie", echo: "delta" });
    expect(oktaWriteOrder([{ key: "zulu", physicalKey: "bravo" }], 3).lanes).toEqual({ 2: ["zulu"] });
  });

  it("each policy gets its own priority: at the bottom on a created server, the kit's rank on an adopted one", () => {
    expect([1, 2, 1000].map((rank) => oktaPolicyPriority("created", rank))).toEqual([10_001, 10_002, 11_000]);
    expect(OKTA_POLICY_BOTTOM).toBe(10_000);
    expect([1, 2, 1000].map((rank) => oktaPolicyPriority("adopted", rank))).toEqual([1, 2, 1000]);
  });
});

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

describe("policy priorities on the plan", () => {
  const priorities = (resources: readonly RecordedResource[]) =>
    resources.filter((x) => x.type === "okta:auth/serverPolicy:ServerPolicy").map((x) => [x.name, x.inputs.priority, x.ignoreChanges.join(",")]);

  it("dev stack: no two policies of the created server share a priority; each is created at the bottom", async () => {
    const plan = await planStack(fixtureStack("dev"));
    expect(priorities(plan.resources)).toEqual([
      ["federation-billing-export-policy", 10_001, "priority"],
      ["federation-payments-policy", 10_002, "priority"],
      ["federation-reporting-policy", 10_003, "priority"],
    ]);
  });

  it("an adopted server: the kit's policies take 1 to N, above the server's own", async () => {
    expect(priorities(await planOf(["mid", "alpha", "zeta"], { adopted: true }))).toEqual([
      ["federation-alpha-policy", 1, "priority"],
      ["federation-mid-policy", 2, "priority"],
      ["federation-zeta-policy", 3, "priority"],
    ]);
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

describe("verify --state: the deployed priorities", () => {
  const server = "services-dev (aus1a2b3c4d5e6f7g8h9)";
  it("the kit's policies at the top, 1 to N in any order: nothing to report", () => {
    expect(policyOrderFindings(server, [{ name: "dev-b", priority: 1 }, { name: "dev-a", priority: 3 }, { name: "dev-c", priority: 2 }])).toEqual([]);
  });

  it("a policy outside the stack above the kit's, or between them", () => {
    expect(policyOrderFindings(server, [{ name: "dev-a", priority: 2 }, { name: "dev-b", priority: 3 }])).toEqual([
      "authorization server services-dev (aus1a2b3c4d5e6f7g8h9): priority 1 is held by no policy of this stack, so Okta evaluates a policy from outside the stack before dev-a and dev-b; if that policy names their clients (or all clients), it decides their scopes and token lifetime. Move the kit's policies above it in the Okta console and run pulumi refresh (if a service was removed since the last refresh, run pulumi refresh and export again first: Okta moved the policies below it up)",
    ]);
    expect(policyOrderFindings(server, [{ name: "dev-a", priority: 1 }, { name: "dev-b", priority: 4 }, { name: "dev-c", priority: 5 }, { name: "dev-d", priority: 6 }, { name: "dev-e", priority: 8 }])).toEqual([
      "authorization server services-dev (aus1a2b3c4d5e6f7g8h9): priorities 2-3 and 7 are held by no policy of this stack, so Okta evaluates policies from outside the stack before dev-b, dev-c, dev-d and 1 more; if one of them names their clients (or all clients), it decides their scopes and token lifetime. Move the kit's policies above it in the Okta console and run pulumi refresh (if a service was removed since the last refresh, run pulumi refresh and export again first: Okta moved the policies below it up)",
    ]);
  });

  it("a state that predates Okta's renumbering cannot tell the order", () => {
    expect(policyOrderFindings(server, [{ name: "dev-a", priority: 1 }, { name: "dev-c", priority: 1 }, { name: "dev-b", priority: 1 }])).toEqual([
      "authorization server services-dev (aus1a2b3c4d5e6f7g8h9): policies dev-a, dev-b and dev-c all hold priority 1 in the state, which Okta never stores for two policies of one server: the state predates Okta's renumbering, so the order of its policies was not checked; run pulumi refresh, export again and verify",
    ]);
    expect(policyOrderFindings(server, [{ name: "dev-a", priority: 1 }, { name: "dev-b", priority: "[secret]" }])).toEqual([
      "authorization server services-dev (aus1a2b3c4d5e6f7g8h9): the state records no priority for policy dev-b, so the order of its policies was not checked: run pulumi refresh, export again and verify",
    ]);
  });
});
