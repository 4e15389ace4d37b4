/**
 * The benchmark's comparison programs (dev/bench/baselines.ts) and graph summary
 * (dev/bench/graph.ts): what the overhead figure is measured against must really be the kit's
 * resources, inputs, dependency graph and (for the tree) URNs, and the checks must be able to fail.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws/provider";
import * as iam from "@pulumi/aws/iam";
import { beforeAll, describe, expect, it } from "vitest";
import { runOffline, type RecordedResource } from "../../tools/offline/engine";
import { federationProgram } from "../../stacks/program";
import { benchConfigMap, serviceKey } from "../../dev/bench/config";
import { baselineProgram, prepareStackOutputs, rawProgram, splitByReferences, wire, type Reference } from "../../dev/bench/baselines";
import { differences, outputDifferences } from "../../dev/bench/checks";
import { customDependencies, summarise, type BenchPlan } from "../../dev/bench/graph";
import { ASSUMPTIONS, PROVIDER_BEHAVIOUR, simulateDeploy } from "../../dev/bench/deploy";
import { BENCH_PROJECT, BENCH_STACK } from "../../dev/bench/protocol";
import { shortPath } from "../../dev/bench/report";

const N = 3;
const run = (program: () => unknown, config: Record<string, string> = {}) =>
  runOffline(program, { project: BENCH_PROJECT, stack: BENCH_STACK, config });

describe("bench baselines", () => {
  let kit: readonly RecordedResource[];
  let plan: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    plan = await run(federationProgram, benchConfigMap(N, 1));
    kit = plan.resources;
  });

  it("the kit's plan of N services: 11 custom resources and 4 components per service; one server's policies and rules form one chain", () => {
    const graph = summarise(kit, Array.from({ length: N }, (_, i) => serviceKey(i)));
    expect(graph.customPerService).toEqual({ min: 11, max: 11 });
    expect(graph.allPerService).toEqual({ min: 15, max: 15 });
    expect(graph.custom).toBe(11 * N + 5);
    expect(graph.components).toBe(4 * N + 4);
    // One server's writes run one at a time (Okta refuses parallel policy writes): the server, its scope,
    // then each service's policy and rule in key order (lane 0 of oktaWriteOrder), so the longest chain
    // runs through all of them.
    expect(graph.depth).toBe(2 * N + 2);
    expect(graph.criticalPath).toEqual([
      "federation-authz-server",
      "federation-authz-scope-api.read",
      ...Array.from({ length: N }, (_, i) => [`federation-${serviceKey(i)}-policy`, `federation-${serviceKey(i)}-rule`]).flat(),
    ]);
  });

  it("baseline: the same custom resources, inputs and dependency graph, without components, and the same stack outputs", async () => {
    const { resources: recorded, outputs } = await run(baselineProgram(plan));
    expect(recorded.length).toBe(kit.filter((r) => r.custom).length);
    expect(recorded.every((r) => r.custom)).toBe(true);
    expect(differences(kit, recorded, { dependencies: true })).toEqual([]);
    expect(outputDifferences(plan.outputs, outputs)).toEqual([]);
    expect(Object.keys(outputs.services as object)).toEqual(["svc-0001", "svc-0002", "svc-0003"]);
    // The references carry the dependencies: the trust policy of a role waits for the OIDC provider and the app.
    const role = recorded.find((r) => r.name === "federation-svc-0001-aws-role")!;
    const depNames = role.dependencies.map((u) => recorded.find((r) => r.urn === u)!.name).sort();
    expect(depNames).toEqual(["federation-authz-server", "federation-aws-oidc-provider", "federation-svc-0001-app"]);
  });

  it("bare: the baseline without stack outputs, which the output check reports", async () => {
    const { resources: recorded, outputs } = await run(baselineProgram(plan, { stackOutputs: false }));
    expect(differences(kit, recorded, { dependencies: true })).toEqual([]);
    expect(outputs).toEqual({});
    expect(outputDifferences({}, outputs)).toEqual([]);
    expect(outputDifferences(plan.outputs, outputs)).toContain("stack output services.svc-0001: missing");
  });

  it("paced: the baseline in steps registers the same, and completes a service's registrations before it builds the next", async () => {
    const atOnce = (await run(baselineProgram(plan))).resources;
    const { resources: recorded, outputs } = await run(baselineProgram(plan, { steps: true }));
    expect(differences(kit, recorded, { dependencies: true })).toEqual([]);
    expect(outputDifferences(plan.outputs, outputs)).toEqual([]);
    // The engine records a resource when its registration reaches it. At once, every resource is
    // built before any registration completes, so the second app (which waits on nothing pending
    // but the server) reaches the engine before the first policy (which waits on the first app);
    // in steps, the first service's app and policy reach it before the second app is even built.
    const at = (resources: readonly RecordedResource[], name: string) => resources.findIndex((r) => r.name === name);
    expect(at(recorded, "federation-svc-0001-app")).toBeLessThan(at(recorded, "federation-svc-0002-app"));
    expect(at(recorded, "federation-svc-0001-policy")).toBeLessThan(at(recorded, "federation-svc-0002-app"));
    expect(at(atOnce, "federation-svc-0001-policy")).toBeGreaterThan(at(atOnce, "federation-svc-0002-app"));
  });

  it("tree: the kit's URNs, components included", async () => {
    const { resources: recorded, outputs } = await run(baselineProgram(plan, { components: true }));
    expect(outputDifferences(plan.outputs, outputs)).toEqual([]);
    expect(recorded.length).toBe(kit.length);
    expect(differences(kit, recorded, { dependencies: true, urns: true })).toEqual([]);
    expect(new Set(recorded.map((r) => r.urn))).toEqual(new Set(kit.map((r) => r.urn)));
  });

  it("raw: the same inputs as literals, so its graph is flat and the dependency check reports it", async () => {
    const { resources: recorded, outputs } = await run(rawProgram(plan));
    expect(differences(kit, recorded)).toEqual([]);
    expect(outputDifferences(plan.outputs, outputs)).toEqual([]);
    const deps = differences(kit, recorded, { dependencies: true });
    expect(deps).toContain("aws:iam/role:Role::federation-svc-0001-aws-role: different dependencies");
    expect([...customDependencies(recorded).values()].every((d) => d.length === 0)).toBe(true);
  });

  it("the baseline's stack outputs: one Output per service, from that service's resources and the shared ones", () => {
    const prepared = prepareStackOutputs(plan);
    const entries = (key: string) => {
      const top = prepared[key]!;
      if (!("entries" in top)) throw new Error(`${key} is not prepared entry by entry`);
      return top.entries;
    };
    const nameOf = (urn: string) => kit.find((r) => r.urn === urn)!.name;
    const sources = entries("services")["svc-0002"]!.sources.map((s) => `${nameOf(s.urn)}.${s.property}`);
    expect(sources).toEqual(
      expect.arrayContaining([
        "federation-svc-0002-app.clientId",
        "federation-svc-0002-aws-role.arn",
        "federation-svc-0002-gcp-sa.email",
        "federation-svc-0002-azure-identity.clientId",
        "federation-svc-0002-azure-identity.principalId",
      ]),
    );
    expect(sources.every((s) => s.startsWith("federation-svc-0002-") || !/svc-\d{4}/.test(s))).toBe(true);
    // Literal values stay literals, as in the kit's outputs.
    expect(prepared.contractVersion).toEqual({ whole: { template: 1, sources: [], secret: false } });
    expect(entries("okta").issuerUrl!.sources.map((s) => `${nameOf(s.urn)}.${s.property}`)).toEqual(["federation-authz-server.issuer"]);
  });

  it("the report's critical path: whole when short, its ends and a count when long", () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `r${i + 1}`);
    expect(shortPath(names(9))).toBe("r1 -> r2 -> r3 -> r4 -> r5 -> r6 -> r7 -> r8 -> r9");
    expect(shortPath(names(1002))).toBe("r1 -> r2 -> r3 -> r4 -> r5 -> r6 -> (994 more) -> r1001 -> r1002");
  });

  it("splitByReferences splits on the longest reference first", () => {
    const name = { value: "<r.name>" };
    const arn = { value: "arn:aws:iam::1:role/<r.name>" };
    expect(splitByReferences("role arn:aws:iam::1:role/<r.name> named <r.name>", [arn, name])).toEqual(["role ", arn, " named ", name]);
    expect(splitByReferences("<r.name>", [arn, name])).toEqual([name]);
    expect(splitByReferences("nothing", [arn, name])).toEqual(["nothing"]);
  });

  it("the checks report missing, extra and changed resources and foreign URNs", () => {
    const role = kit.find((r) => r.name === "federation-svc-0002-aws-role")!;
    const changed = kit.map((r) => (r === role ? { ...r, inputs: { ...r.inputs, maxSessionDuration: 7200 } } : r));
    expect(differences(kit, changed)).toEqual(["aws:iam/role:Role::federation-svc-0002-aws-role: different inputs, provider or options"]);
    // The options that change what pulumi up does are compared too (a program without the kit's replaceOnChanges is not the kit's).
    const policy = kit.find((r) => r.type === "okta:auth/serverPolicy:ServerPolicy")!;
    expect(policy.replaceOnChanges?.length).toBeGreaterThan(0);
    const loose = kit.map((r) => (r === policy ? { ...r, replaceOnChanges: [] } : r));
    expect(differences(kit, loose)).toEqual([`okta:auth/serverPolicy:ServerPolicy::${policy.name}: different inputs, provider or options`]);
    const without = kit.filter((r) => r !== role);
    expect(differences(kit, without)).toEqual(["aws:iam/role:Role::federation-svc-0002-aws-role: missing"]);
    expect(differences(without, kit)).toEqual(["aws:iam/role:Role::federation-svc-0002-aws-role: extra"]);
    const moved = kit.map((r) => (r.urn === role.urn ? { ...r, urn: `${r.urn}-moved` } : r));
    expect(differences(kit, moved, { urns: true })).toEqual([`${role.urn}: URN not registered`]);
    const services = plan.outputs.services as Record<string, unknown>;
    const { ["svc-0003"]: _dropped, ...fewer } = services;
    expect(outputDifferences(plan.outputs, { ...plan.outputs, environment: "other", services: { ...fewer, extra: {} } })).toEqual([
      "stack output environment: different value",
      "stack output services.svc-0003: missing",
      "stack output services.extra: extra",
    ]);
  });
});

const SECRET_X = { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: "x" };

describe("wire", () => {
  it("takes values from the referenced resources' Outputs: exactly, inside strings, inside secrets", async () => {
    let wired: Record<string, unknown> = {};
    const result = await run(() => {
      const provider = new aws.Provider("aws", { region: "eu-west-1" });
      const role = new iam.Role("r", { assumeRolePolicy: "{}" }, { provider });
      const refs: Reference[] = [
        { value: "arn:aws:iam::111111111111:role/x", resource: role, property: "arn" },
        { value: "x", resource: role, property: "name" },
      ];
      const used = new Set<pulumi.CustomResource>();
      wired = wire(
        { exact: "x", inside: "role arn:aws:iam::111111111111:role/x named x", none: "nothing here", n: 3, secret: SECRET_X },
        refs,
        used,
      );
      expect(used.size).toBe(1);
      return { exact: wired.exact, inside: wired.inside, none: wired.none, n: wired.n, secret: wired.secret };
    });
    expect(pulumi.Output.isInstance(wired.exact)).toBe(true);
    expect(pulumi.Output.isInstance(wired.inside)).toBe(true);
    expect(wired.none).toBe("nothing here");
    // The offline engine answers a role's name and arn with placeholders: the joined string shows them.
    expect(result.outputs).toEqual({
      exact: "<r.name>",
      inside: "role arn:aws:iam::<aws.accountId>:role/<r.name> named <r.name>",
      none: "nothing here",
      n: 3,
      secret: { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: "<r.name>" },
    });
  });
});

describe("deploy-time model", () => {
  const resource = (name: string, type: string, dependencies: string[] = [], inputs: Record<string, unknown> = {}, provider: string | null = null): RecordedResource => ({
    urn: `urn:${name}`,
    type,
    name,
    parent: null,
    provider,
    custom: true,
    read: false,
    inputs,
    outputs: {},
    afterDeploy: [],
    dependencies: dependencies.map((d) => `urn:${d}`),
    protect: false,
    ignoreChanges: [],
    additionalSecretOutputs: [],
    aliases: [],
  });
  const L = ASSUMPTIONS.latency;
  const B = PROVIDER_BEHAVIOUR;
  const seconds = (e: { minutes: number }) => e.minutes * 60;
  /** The Okta provider as the kit's plan records it (inputs are strings). */
  const oktaProvider = (inputs: Record<string, string> = {}) =>
    resource("okta", "pulumi:providers:okta", [], { orgName: "acme", baseUrl: "okta.com", maxApiCapacity: "80", maxRetries: "10", minWaitSeconds: "30", maxWaitSeconds: "300", requestTimeout: "60", ...inputs });
  const apps = (n: number) => Array.from({ length: n }, (_, i) => resource(`a${i}`, "okta:app/oAuth:OAuth", [], {}, "urn:okta"));
  /** One read-modify-write of an IAM policy (iamPolicyReadModifyWrite): get, set, then three reads a second apart. */
  const rmw = 2 * L.gcpCall + B.gcpPolicyVerifyReads * (B.gcpPolicyVerifySleepSeconds + L.gcpCall);

  it("GCP project grants are batched: 2 grants are one read-modify-write 3 s after the first, not two in a row", () => {
    const grants = (n: number) => Array.from({ length: n }, (_, i) => resource(`g${i}`, "gcp:projects/iAMMember:IAMMember", [], { project: "p", member: `serviceAccount:s${i}` }, "urn:gcp"));
    const batched = simulateDeploy([resource("gcp", "pulumi:providers:gcp", [], { project: "p" }), ...grants(2)]);
    expect(rmw).toBeCloseTo(4.5, 9);
    // 3 s batching window, one read-modify-write, then each member reads the policy back.
    expect(seconds(batched)).toBeCloseTo(B.gcpBatchSendAfterSeconds + rmw + L.gcpCall, 9);
    expect(seconds(batched)).toBeCloseTo(7.8, 9);
    expect(batched.gcpProjectPolicyWrites).toBe(1);
    // Ten grants still take one write; without batching (the provider's batching.enableBatching false) each is a locked write.
    expect(seconds(simulateDeploy([resource("gcp", "pulumi:providers:gcp", [], { project: "p" }), ...grants(10)]))).toBeCloseTo(7.8, 9);
    const unbatched = (n: number) => simulateDeploy([resource("gcp", "pulumi:providers:gcp", [], { project: "p", batching: JSON.stringify({ enableBatching: false }) }), ...grants(n)]);
    expect(seconds(unbatched(2))).toBeCloseTo(2 * rmw + L.gcpCall, 9);
    expect(seconds(unbatched(2))).toBeCloseTo(9.3, 9);
    expect(seconds(unbatched(10))).toBeCloseTo(10 * rmw + L.gcpCall, 9);
    expect(unbatched(10).gcpProjectPolicyWrites).toBe(0);
  });

  it("service-account bindings are one read-modify-write each, under that account's lock only", () => {
    const binding = (name: string, account: string) => resource(name, "gcp:serviceaccount/iAMMember:IAMMember", [], { serviceAccountId: account, role: "roles/iam.workloadIdentityUser" });
    expect(seconds(simulateDeploy([binding("b1", "sa-1"), binding("b2", "sa-2")]))).toBeCloseTo(rmw + L.gcpCall, 9);
    expect(seconds(simulateDeploy([binding("b1", "sa-1"), binding("b2", "sa-1")]))).toBeCloseTo(2 * rmw + L.gcpCall, 9);
  });

  it("Okta answers requests past its concurrency cap with 429 and the provider retries them after minWaitSeconds: 100 apps at once", () => {
    const e = simulateDeploy([oktaProvider(), ...apps(100)]);
    // 75 POSTs are served at once; 25 get 429 and come back 0.1 + 30 s later, then each app's read-back.
    expect(e.okta.rejectedConcurrency).toBe(25);
    expect(e.okta.retries).toBe(25);
    expect(e.okta.requests).toBe(100 + 25 + 100);
    expect(e.okta.maxInFlight).toBe(75);
    expect(seconds(e)).toBeCloseTo(L.okta429 + 30 + 2 * L.okta, 9);
    expect(e.failed).toBe(0);
  });

  it("with a 60 s request timeout, 200 apps at once: 100 are created and 100 fail with context deadline exceeded", () => {
    const e = simulateDeploy([oktaProvider(), ...apps(200)]);
    // t=0: 75 served, 125 answered 429; t=30.1: 25 more fit the minute's 100, 100 answered 429;
    // their next try would be 60 s later, past the deadline.
    expect(e.failed).toBe(100);
    expect(e.failures[0]!.reason).toBe("POST /api/v1/apps: context deadline exceeded (request timeout 60 s)");
    expect(seconds(e)).toBeCloseTo(60, 9);
    expect(e.okta.rejectedConcurrency).toBe(125);
    expect(e.okta.rejectedRate).toBe(100);
    // With no deadline (0) they retry at 90.2 s (75 served, 25 answered 429) and 210.3 s.
    const open = simulateDeploy([oktaProvider({ requestTimeout: "0" }), ...apps(200)]);
    expect(open.failed).toBe(0);
    expect(seconds(open)).toBeCloseTo(L.okta429 + 30 + L.okta429 + 60 + L.okta429 + 120 + 2 * L.okta, 9);
    // With maxRetries 1 the second 429 is final.
    expect(simulateDeploy([oktaProvider({ requestTimeout: "0", maxRetries: "1" }), ...apps(200)]).failures[0]!.reason).toBe(
      "POST /api/v1/apps: 429 Too Many Requests, giving up after 2 attempt(s)",
    );
  });

  it("a bound on Okta operations in flight keeps every request under the cap: no 429, no retry", () => {
    const e = simulateDeploy([oktaProvider({ requestTimeout: "0" }), ...apps(200)], { oktaConcurrency: 50 });
    expect(e.okta.rejectedConcurrency + e.okta.rejectedRate).toBe(0);
    expect(e.okta.retries).toBe(0);
    expect(e.okta.maxInFlight).toBeLessThanOrEqual(50);
    expect(e.failed).toBe(0);
    // The governor (maxApiCapacity 80) paused requests at the minute's reset instead.
    expect(e.okta.governorPauses).toBeGreaterThan(0);
  });

  it("an app costs 2 Okta requests under OAuth 2.0 and 4 under an API token (the idToken groups-claim calls)", () => {
    const oauth = simulateDeploy([oktaProvider(), ...apps(1)]);
    const token = simulateDeploy([oktaProvider(), ...apps(1)], { oktaAuth: "apiToken" });
    expect([oauth.okta.requests, token.okta.requests]).toEqual([2, 4]);
    expect(seconds(oauth)).toBeCloseTo(2 * L.okta, 9);
    expect(seconds(token)).toBeCloseTo(4 * L.okta, 9);
  });

  it("rule writes are serialised by the provider's lock; a chain of policies takes its length in latencies", () => {
    const rules = Array.from({ length: 10 }, (_, i) => resource(`r${i}`, "okta:auth/serverPolicyRule:ServerPolicyRule", [], {}, "urn:okta"));
    const e = simulateDeploy([oktaProvider(), ...rules]);
    expect(seconds(e)).toBeCloseTo(10 * 2 * L.okta, 9);
    expect(e.bottleneck).toBe("okta policy rules (the provider's lock)");
    const chain = Array.from({ length: 20 }, (_, i) => resource(`p${i}`, "okta:auth/serverPolicy:ServerPolicy", i ? [`p${i - 1}`] : []));
    expect(seconds(simulateDeploy(chain))).toBeCloseTo(20 * 2 * L.okta, 9);
  });

  it("a rate limit paces calls past its burst, and the floor says so: 30 AWS roles at 10 calls a second", () => {
    const roles = Array.from({ length: 30 }, (_, i) => resource(`role${i}`, "aws:iam/role:Role"));
    const e = simulateDeploy(roles);
    expect(e.bottleneck).toBe("aws iam");
    // 60 calls, 10 at once, then 10 a second.
    expect(seconds(e) / 60).toBeGreaterThanOrEqual(e.floorMinutes);
    expect(e.floorMinutes * 60).toBeCloseTo(5, 9);
  });

  it("pulumi up --parallel bounds the operations in flight: 4 role assignments two at a time take two latencies", () => {
    const assignments = Array.from({ length: 4 }, (_, i) => resource(`ra${i}`, "azure-native:authorization:RoleAssignment"));
    expect(seconds(simulateDeploy(assignments))).toBeCloseTo(L.azureArm, 9);
    const bounded = simulateDeploy(assignments, { parallel: 2 });
    expect(seconds(bounded)).toBeCloseTo(2 * L.azureArm, 9);
    // The floor counts the slots: 4 operations of 3 s over 2 slots.
    expect(bounded.bottleneck).toBe("pulumi --parallel 2 (the operations' own time over 2 slots)");
    expect(bounded.floorMinutes * 60).toBeCloseTo((4 * L.azureArm) / 2, 9);
  });

  it("after a failure Pulumi starts nothing new; the operations waiting on it are reported not started", () => {
    const e = simulateDeploy([oktaProvider({ maxRetries: "0" }), ...apps(80), resource("late", "aws:iam/role:Role", ["a79"])]);
    expect(e.failed).toBe(5);
    expect(e.notStarted).toBe(1);
  });

  it("reports the quotas a plan passes: 101 service accounts in one project", () => {
    const accounts = Array.from({ length: 101 }, (_, i) => resource(`sa${i}`, "gcp:serviceaccount/account:Account", [], { project: "p", accountId: `sa-${i}` }));
    const e = simulateDeploy(accounts);
    expect(e.quotasOver.map((q) => [q.what, q.count, q.limit, q.kind])).toEqual([["GCP project p: service accounts", 101, 100, "quota"]]);
    expect(e.quotasOver[0]!.advisory).toMatch(/^over the default quota of 100: creating service account 101 fails unless the quota was raised; request a higher "Number of service accounts" quota for p/);
    // A service account's create: a write, three reads 0.5 s apart, then the provider's 10 s sleep.
    expect(seconds(simulateDeploy(accounts.slice(0, 1)))).toBeCloseTo(4 * L.gcpCall + 2 * B.gcpServiceAccountPollSeconds + B.gcpServiceAccountSleepSeconds, 9);
  });

  it("the kit's plan of 40 services: completes without a 429 and within 1.25 times its floor", async () => {
    const { resources } = await run(federationProgram, benchConfigMap(40, 1));
    const e = simulateDeploy(resources);
    expect(e.operations).toBe(11 * 40 + 5);
    expect(e.failed).toBe(0);
    expect(e.okta.rejectedConcurrency + e.okta.rejectedRate).toBe(0);
    expect(e.gcpProjectPolicyWrites).toBe(1);
    expect(e.minutes / e.floorMinutes).toBeLessThanOrEqual(1.25);
  });
});
