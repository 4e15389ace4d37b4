/**
 * Construction in steps (components/internal/steps.ts): the runners, and Federation.create against
 * new Federation: the same registrations, the same component outputs and stack outputs, errors
 * alike, and registrations that complete while later services are still being built.
 */
import { describe, expect, it } from "vitest";
import { Federation } from "../../components/federation";
import { toStackOutputs } from "../../components/outputs";
import { runAll, runPaced, type Steps } from "../../components/internal/steps";
import { ProgramError, runOffline, type RecordedResource } from "../../tools/offline/engine";
import { parsed } from "../helpers/configs";
import { jwtAuth } from "../helpers/fixtures";
import { makeProviders } from "../helpers/run";

function* counting(log: string[], n: number): Steps<number> {
  for (let i = 1; i <= n; i++) {
    log.push(`step ${i}`);
    yield;
  }
  return n * 10;
}

describe("steps", () => {
  it("runAll runs every step at once and returns what the builder returned", () => {
    const log: string[] = [];
    expect(runAll(counting(log, 3))).toBe(30);
    expect(log).toEqual(["step 1", "step 2", "step 3"]);
  });

  it("runPaced pauses after each step, and only then runs the next", async () => {
    const log: string[] = [];
    const result = await runPaced(counting(log, 3), async () => void log.push("pause"));
    expect(result).toBe(30);
    expect(log).toEqual(["step 1", "pause", "step 2", "pause", "step 3", "pause"]);
  });

  it("runPaced rejects with a step's error and runs no step after it", async () => {
    const log: string[] = [];
    function* failing(): Steps<void> {
      log.push("first");
      yield;
      throw new Error("second step failed");
    }
    await expect(runPaced(failing(), async () => void log.push("pause"))).rejects.toThrow("second step failed");
    expect(log).toEqual(["first", "pause"]);
  });
});

/** Three services on all three clouds, so that every cloud's loop has steps. */
const config = parsed((c) => {
  const payments = c.services.payments;
  c.services = {
    payments,
    ledger: { ...structuredClone(payments), auth: jwtAuth("ledger-1") },
    reports: { ...structuredClone(payments), auth: jwtAuth("reports-1") },
  };
});

async function plan(build: (providers: ReturnType<typeof makeProviders>) => Federation | Promise<Federation>) {
  return runOffline(
    async () => {
      const federation = await build(makeProviders());
      return toStackOutputs(federation, config.environment);
    },
    { project: "okta-federation", stack: "test", config: {} },
  );
}

/** A registration as pulumi up sees it: everything but the order in which the engine received it. */
const comparable = (resources: readonly RecordedResource[]) =>
  [...resources].sort((a, b) => a.urn.localeCompare(b.urn)).map((r) => JSON.stringify(r));

const position = (resources: readonly RecordedResource[], type: string, name: string) => {
  const at = resources.findIndex((r) => r.type === type && r.name === name);
  expect(at, `${type} ${name} registered`).toBeGreaterThanOrEqual(0);
  return at;
};

describe("Federation.create", () => {
  it("registers exactly what new Federation registers: URNs, inputs, dependencies, options, component and stack outputs", async () => {
    const atOnce = await plan((p) => new Federation("federation", { config }, { providers: p.all }));
    const inSteps = await plan((p) => Federation.create("federation", { config }, { providers: p.all }));
    expect(inSteps.resources).toHaveLength(atOnce.resources.length);
    expect(comparable(inSteps.resources)).toEqual(comparable(atOnce.resources));
    expect(inSteps.outputs).toEqual(atOnce.outputs);
    // The Federation's own outputs are registered by it, not replaced by the SDK's empty ones.
    const federation = inSteps.resources.find((r) => r.type === "oktafed:index:Federation")!;
    expect(Object.keys(federation.componentOutputs ?? {}).sort()).toEqual(["audience", "authorizationServerId", "issuerUrl"]);
  });

  it("lets the first service's registrations complete before the last service is built; new Federation registers every component first", async () => {
    const firstApp = (resources: readonly RecordedResource[]) => position(resources, "okta:app/oAuth:OAuth", "federation-ledger-app");
    const lastService = (resources: readonly RecordedResource[]) => position(resources, "oktafed:okta:ServiceApp", "federation-reports");
    const inSteps = (await plan((p) => Federation.create("federation", { config }, { providers: p.all }))).resources;
    expect(firstApp(inSteps)).toBeLessThan(lastService(inSteps));
    const atOnce = (await plan((p) => new Federation("federation", { config }, { providers: p.all }))).resources;
    expect(firstApp(atOnce)).toBeGreaterThan(lastService(atOnce));
  });

  it("fails as new Federation fails: a token hook without its auth value", async () => {
    const hooked = parsed((c) => {
      c.okta.tokenHook = { url: "https://hooks.example.com/okta", authHeader: "Authorization" };
      c.services.payments.tokenHook = true;
    });
    const message = "okta.tokenHook is configured but no tokenHookAuthorization value was given";
    for (const build of [
      (p: ReturnType<typeof makeProviders>) => new Federation("federation", { config: hooked }, { providers: p.all }),
      (p: ReturnType<typeof makeProviders>) => Federation.create("federation", { config: hooked }, { providers: p.all }),
    ]) {
      const failure = await plan(build).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ProgramError);
      expect((failure as ProgramError).message).toContain(message);
    }
  });
});
