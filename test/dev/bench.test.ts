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
import { baselineProgram, differences, outputDifferences, prepareStackOutputs, rawProgram, splitByReferences, wire, type Reference } from "../../dev/bench/baselines";
import { customDependencies, summarise, type BenchPlan } from "../../dev/bench/graph";
import { ASSUMPTIONS, simulateDeploy } from "../../dev/bench/deploy";
import { BENCH_PROJECT, BENCH_STACK } from "../../dev/bench/protocol";

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

  it("the kit's plan of N services: 11 custom resources and 4 components per service; one server's policies form one chain", () => {
    const graph = summarise(kit, Array.from({ length: N }, (_, i) => serviceKey(i)));
    expect(graph.customPerService).toEqual({ min: 11, max: 11 });
    expect(graph.allPerService).toEqual({ min: 15, max: 15 });
    expect(graph.custom).toBe(11 * N + 5);
    expect(graph.components).toBe(4 * N + 4);
    // One server's policies are written one after another (Okta refuses parallel policy writes), so the
    // longest chain runs through every policy in key order, then the last one's rule.
    expect(graph.depth).toBe(N + 2);
    expect(graph.criticalPath.slice(1)).toEqual([...Array.from({ length: N }, (_, i) => `federation-${serviceKey(i)}-policy`), `federation-${serviceKey(N - 1)}-rule`]);
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
    expect(differences(kit, changed)).toEqual(["aws:iam/role:Role::federation-svc-0002-aws-role: different inputs or provider"]);
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
  const resource = (name: string, type: string, dependencies: string[] = [], inputs: Record<string, unknown> = {}): RecordedResource => ({
    urn: `urn:${name}`,
    type,
    name,
    parent: null,
    provider: null,
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

  it("a lock serialises its writes: 10 project grants take 10 hold times, and set the floor", () => {
    const grants = Array.from({ length: 10 }, (_, i) => resource(`g${i}`, "gcp:projects/iAMMember:IAMMember", [], { project: "p" }));
    const e = simulateDeploy(grants);
    expect(e.bottleneck).toBe("gcp IAM policy of project p");
    expect(e.floorMinutes).toBeCloseTo((10 * ASSUMPTIONS.latency.gcpIamPolicyWrite) / 60, 6);
    expect(e.minutes).toBeCloseTo(e.floorMinutes, 6);
  });

  it("a rate limit paces calls past the first burst: 300 Okta apps at 100/min", () => {
    const apps = Array.from({ length: 300 }, (_, i) => resource(`a${i}`, "okta:app/oAuth:OAuth"));
    const e = simulateDeploy(apps);
    expect(e.bottleneck).toBe("okta /api/v1/apps");
    expect(e.floorMinutes).toBeCloseTo(2, 6);
    expect(e.minutes).toBeGreaterThanOrEqual(e.floorMinutes);
    expect(e.minutes).toBeLessThan(2.1);
  });

  it("dependencies order the work: a chain of policies takes its length in latencies", () => {
    const chain = Array.from({ length: 20 }, (_, i) => resource(`p${i}`, "okta:auth/serverPolicy:ServerPolicy", i ? [`p${i - 1}`] : []));
    expect(simulateDeploy(chain).minutes).toBeCloseTo((20 * 2 * ASSUMPTIONS.latency.okta) / 60, 6);
  });

  it("the kit's plan of 40 services deploys within 1.25 times its floor", async () => {
    const { resources } = await run(federationProgram, benchConfigMap(40, 1));
    const e = simulateDeploy(resources);
    expect(e.operations).toBe(11 * 40 + 5);
    expect(e.minutes / e.floorMinutes).toBeLessThanOrEqual(1.25);
  });
});
