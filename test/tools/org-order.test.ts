import { describe, expect, it } from "vitest";
import { localStackOf, OrderError, orderStacks, runInOrder, type OrderedStack, type OrgStackInput } from "../../tools/org/order";

const platform = (name: string): OrgStackInput => ({ name, kind: "platform" });
const team = (name: string, reference?: string): OrgStackInput => ({ name, kind: "team", ...(reference !== undefined ? { platform: reference } : {}) });

/** The problems orderStacks refuses the stacks with. */
function problems(stacks: OrgStackInput[]): readonly string[] {
  try {
    orderStacks(stacks);
  } catch (error) {
    if (error instanceof OrderError) return error.problems;
    throw error;
  }
  throw new Error("expected an OrderError");
}

describe("orderStacks", () => {
  it("puts platforms first, then teams, each by name; a team after its platform, which is selected by the name teams read it by", () => {
    const order = orderStacks([
      team("team-payments-stage", "acme/okta-federation/platform-stage"),
      platform("platform-stage"),
      team("team-data-stage", "acme/okta-federation/platform-stage"),
      team("team-web-prod", "platform-prod"),
      platform("platform-prod"),
      platform("platform-unused"),
    ]);
    expect(order.map((s) => [s.name, s.wave, s.after ?? null, s.engineName])).toEqual([
      ["platform-prod", 0, null, "platform-prod"],
      ["platform-stage", 0, null, "acme/okta-federation/platform-stage"],
      ["platform-unused", 0, null, "platform-unused"],
      ["team-data-stage", 1, "platform-stage", "team-data-stage"],
      ["team-payments-stage", 1, "platform-stage", "team-payments-stage"],
      ["team-web-prod", 1, "platform-prod", "team-web-prod"],
    ]);
  });

  it("selects a platform run without its teams by the name the project's other team stacks read it by", () => {
    const others = [team("team-a", "acme/okta-federation/platform-stage"), team("team-b", "acme/okta-federation/platform-prod")];
    expect(orderStacks([platform("platform-stage"), platform("platform-dev")], others).map((s) => s.engineName)).toEqual(["platform-dev", "acme/okta-federation/platform-stage"]);
    expect(() => orderStacks([platform("platform-stage"), team("team-c", "other/okta-federation/platform-stage")], others)).toThrow(OrderError);
  });

  it("maps a reference to the local stack by its last segment", () => {
    expect(localStackOf("acme/okta-federation/platform-stage")).toBe("platform-stage");
    expect(localStackOf("okta-federation/platform-stage")).toBe("platform-stage");
    expect(localStackOf("platform-stage")).toBe("platform-stage");
  });

  it("refuses a team whose platform is not among the stacks, and says which", () => {
    expect(problems([team("team-a", "acme/okta-federation/platform-x"), team("team-b", "platform-y")])).toEqual([
      "team stack team-a reads platform stack acme/okta-federation/platform-x (local stack platform-x), which is not among the stacks to run: add --stack platform-x",
      "team stack team-b reads platform stack platform-y, which is not among the stacks to run: add --stack platform-y",
    ]);
  });

  it("refuses a team that reads a team stack", () => {
    expect(problems([platform("p"), team("team-a", "p"), team("team-b", "acme/okta-federation/team-a")])).toEqual([
      "team stack team-b reads acme/okta-federation/team-a (local stack team-a), which is a team stack, not a platform stack (okta-federation:platform)",
    ]);
  });

  it("refuses cycles, each once, as a path", () => {
    expect(problems([team("team-a", "acme/x/team-b"), team("team-b", "team-a"), team("team-c", "team-c"), platform("p"), team("team-d", "p")])).toEqual([
      "dependency cycle: team-a → team-b → team-a (a team stack reads its platform stack, which must not read it back)",
      "dependency cycle: team-c → team-c (a team stack reads its platform stack, which must not read it back)",
    ]);
  });

  it("refuses a team with no platform, a stack given twice and one platform named two ways, all at once", () => {
    expect(problems([platform("p"), platform("p"), team("t1"), team("t2", "acme/okta-federation/p"), team("t3", "other/okta-federation/p")])).toEqual([
      "stack p is given more than once",
      "team stack t1 names no platform stack (okta-federation:team.platform)",
      "team stacks name platform stack p in 2 ways (acme/okta-federation/p, other/okta-federation/p): name it the same way in every team stack",
    ]);
  });

  it("an OrderError says how many problems", () => {
    expect(() => orderStacks([team("t", "p")])).toThrow("cannot order the stacks: 1 problem");
  });
});

/** A promise settled from outside: the tests decide when each stack finishes, with no timers. */
function deferred() {
  let resolve!: (ok: boolean) => void;
  const promise = new Promise<boolean>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe("runInOrder", () => {
  const order = orderStacks([platform("p1"), platform("p2"), team("a1", "p1"), team("a2", "p1"), team("a3", "p1"), team("b1", "p2")]);

  /** runInOrder over `order` with stacks that finish when the test says so (`finish`), no timers. */
  function controlledRun(parallel: number, options?: Parameters<typeof runInOrder>[3]) {
    const pending = new Map<string, ReturnType<typeof deferred>>();
    const started: string[] = [];
    const run = runInOrder(
      order,
      parallel,
      (s: OrderedStack) => {
        started.push(s.name);
        const d = deferred();
        pending.set(s.name, d);
        return d.promise;
      },
      options,
    );
    return { run, started, finish: (name: string, ok = true) => pending.get(name)!.resolve(ok) };
  }

  it("with parallel 1 runs platforms, then teams, one after another", async () => {
    const events: string[] = [];
    const outcomes = await runInOrder(order, 1, async (s) => {
      events.push(`start ${s.name}`);
      await settle();
      events.push(`end ${s.name}`);
      return true;
    });
    expect(events).toEqual(["p1", "p2", "a1", "a2", "a3", "b1"].flatMap((n) => [`start ${n}`, `end ${n}`]));
    expect([...outcomes.values()].every((o) => o.status === "done")).toBe(true);
  });

  it("skips the teams of a failed platform with the reason, and runs the others", async () => {
    const ran: string[] = [];
    const skipped: string[] = [];
    const outcomes = await runInOrder(
      order,
      1,
      async (s) => {
        ran.push(s.name);
        return s.name !== "p1";
      },
      { onSkip: (s, reason) => skipped.push(`${s.name}: ${reason}`) },
    );
    expect(ran).toEqual(["p1", "p2", "b1"]);
    expect(skipped).toEqual(["a1: its platform stack p1 failed", "a2: its platform stack p1 failed", "a3: its platform stack p1 failed"]);
    expect(Object.fromEntries(outcomes)).toEqual({
      p1: { status: "failed" },
      p2: { status: "done" },
      a1: { status: "skipped", reason: "its platform stack p1 failed" },
      a2: { status: "skipped", reason: "its platform stack p1 failed" },
      a3: { status: "skipped", reason: "its platform stack p1 failed" },
      b1: { status: "done" },
    });
  });

  it("runs at most `parallel` stacks at once, and a team only after its platform succeeded", async () => {
    const { run, started, finish } = controlledRun(2);
    await settle();
    expect(started).toEqual(["p1", "p2"]);
    finish("p2");
    await settle();
    // p2's team starts; p1's teams wait for p1.
    expect(started).toEqual(["p1", "p2", "b1"]);
    finish("p1");
    await settle();
    expect(started).toEqual(["p1", "p2", "b1", "a1"]);
    finish("b1");
    await settle();
    expect(started).toEqual(["p1", "p2", "b1", "a1", "a2"]);
    finish("a1", false);
    finish("a2");
    await settle();
    expect(started).toEqual(["p1", "p2", "b1", "a1", "a2", "a3"]);
    finish("a3");
    const outcomes = await run;
    expect(outcomes.get("a1")).toEqual({ status: "failed" });
    // A failed team stops nothing else: teams do not depend on one another.
    expect(outcomes.get("a3")).toEqual({ status: "done" });
  });

  it("never runs two stacks with a share of weight 1 in one key of capacity 1 at once: the next in the order that is free starts meanwhile", async () => {
    const { run, started, finish } = controlledRun(3, { limits: (s) => (s.kind === "team" ? [{ key: s.after!, weight: 1, capacity: 1 }] : []) });
    await settle();
    expect(started).toEqual(["p1", "p2"]);
    finish("p1");
    await settle();
    // a1 holds p1's key: a2 and a3 wait although a lane is free.
    expect(started).toEqual(["p1", "p2", "a1"]);
    finish("p2");
    await settle();
    expect(started).toEqual(["p1", "p2", "a1", "b1"]);
    // A failed holder frees the key as a successful one does.
    finish("a1", false);
    await settle();
    expect(started).toEqual(["p1", "p2", "a1", "b1", "a2"]);
    finish("a2");
    await settle();
    expect(started).toEqual(["p1", "p2", "a1", "b1", "a2", "a3"]);
    finish("a3");
    finish("b1");
    expect([...(await run)].map(([name, o]) => `${name} ${o.status}`)).toEqual(["p1 done", "p2 done", "a1 failed", "a2 done", "a3 done", "b1 done"]);
  });

  it("runs stacks with shares of one key at once only while their weights fit its capacity; a stack alone always runs", async () => {
    // p1 weighs 50 and p2 40 in one org of capacity 75: p2 waits for p1 although a lane is free.
    const weights: Record<string, number> = { p1: 50, p2: 40, a1: 30, a2: 30, a3: 80, b1: 20 };
    const { run, started, finish } = controlledRun(3, { limits: (s) => [{ key: "org", weight: weights[s.name]!, capacity: 75 }] });
    await settle();
    expect(started).toEqual(["p1"]);
    finish("p1");
    await settle();
    // 40 + 30 fits, 40 + 30 + 30 does not.
    expect(started).toEqual(["p1", "p2", "a1"]);
    finish("p2");
    await settle();
    // p2's share is back: a2 (30) fits beside a1 (30).
    expect(started).toEqual(["p1", "p2", "a1", "a2"]);
    finish("a1");
    await settle();
    // a3 (80) still does not fit beside a2; b1 (20), further in the order, does and starts meanwhile.
    expect(started).toEqual(["p1", "p2", "a1", "a2", "b1"]);
    finish("a2");
    await settle();
    expect(started).toEqual(["p1", "p2", "a1", "a2", "b1"]);
    finish("b1");
    await settle();
    // Over the capacity on its own, a3 runs once nothing else of its key does.
    expect(started).toEqual(["p1", "p2", "a1", "a2", "b1", "a3"]);
    finish("a3");
    expect([...(await run)].every(([, o]) => o.status === "done")).toBe(true);
  });

  it("once stopped (Ctrl-C), starts nothing more: the running stacks finish, the others are skipped", async () => {
    let stop: string | undefined;
    const ran: string[] = [];
    const outcomes = await runInOrder(
      order,
      2,
      async (s) => {
        ran.push(s.name);
        await settle();
        stop = "interrupted";
        return true;
      },
      { stopped: () => stop },
    );
    expect(ran).toEqual(["p1", "p2"]);
    expect([...outcomes].map(([name, o]) => `${name} ${o.status}`)).toEqual(["p1 done", "p2 done", "a1 skipped", "a2 skipped", "a3 skipped", "b1 skipped"]);
    expect(outcomes.get("b1")).toEqual({ status: "skipped", reason: "interrupted" });
  });

  it("refuses a parallelism below 1", async () => {
    await expect(runInOrder(order, 0, async () => true)).rejects.toThrow("parallel must be a whole number of at least 1, not 0");
  });
});
