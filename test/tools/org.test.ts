/**
 * `npm run org`: discovery, the offline run over a fixture organisation (test/fixtures/org-runner/
 * project: a platform stack and two team stacks), and the real-engine path through the Automation
 * API against a fake `pulumi` executable (test/fixtures/org-runner/fake-pulumi.cjs) that records
 * every command and streams engine events. Nothing here depends on the clock.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { INTERRUPTED, main } from "../../tools/org";
import { discoverStacks, DiscoveryError, PLATFORM_KEY, TEAM_KEY } from "../../tools/org/discover";
import { errorLines, NO_CLI_MESSAGE } from "../../tools/org/pulumi";
import { changeWords, oktaOrgShare, pacedOktaOrgs, runOrganisation, runToJson, type Engine } from "../../tools/org/run";
import { orderStacks } from "../../tools/org/order";
import { listStacks, PROJECT_ROOT } from "../../tools/offline/stackFile";

const FIXTURE = join(PROJECT_ROOT, "test", "fixtures", "org-runner");
const PROJECT = join(FIXTURE, "project");
const PLATFORM = "acme/okta-federation/platform-stage";

async function org(argv: string[], options: Parameters<typeof main>[2] = {}) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, { root: PROJECT, ...options });
  return { code, stdout, stderr, lines: stdout.split("\n").filter((l) => l !== "") };
}

/** A copy of the fixture project in a temporary directory, to break a stack in. */
function projectCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "org-runner-project-"));
  cpSync(PROJECT, dir, { recursive: true });
  return dir;
}

describe("discovery", () => {
  it("finds every platform and team stack of a project, not the other stacks, with each team's platform reference, a platform's Okta org and each stack's Okta writes at once", () => {
    expect(discoverStacks([], PROJECT)).toEqual([
      { name: "platform-stage", kind: "platform", file: join(PROJECT, "stacks", "Pulumi.platform-stage.yaml"), oktaOrg: "acme-stage-example.oktapreview.com", oktaWrites: 10 },
      { name: "team-data-stage", kind: "team", platform: PLATFORM, file: join(PROJECT, "stacks", "Pulumi.team-data-stage.yaml"), oktaWrites: 10 },
      { name: "team-payments-stage", kind: "team", platform: PLATFORM, file: join(PROJECT, "stacks", "Pulumi.team-payments-stage.yaml"), oktaWrites: 10 },
    ]);
  });

  it("reads a stack's okta.provider.maxConcurrentWrites, and the Okta org host in lower case; a value out of range or not JSON leaves the default to the stack's own validation", () => {
    const dir = projectCopy();
    const edit = (stack: string, from: RegExp, to: string) => {
      const file = join(dir, "stacks", `Pulumi.${stack}.yaml`);
      writeFileSync(file, readFileSync(file, "utf8").replace(from, to));
    };
    edit("platform-stage", /orgName: acme-stage-example/, "orgName: ACME-Stage-Example\n      provider: { maxConcurrentWrites: 40 }");
    edit("team-data-stage", /(\n\s+team: data)/, "$1\n    okta: { provider: { maxConcurrentWrites: 30 } }");
    edit("team-payments-stage", /(\n\s+team: payments)/, "$1\n    okta: { provider: { maxConcurrentWrites: 500 } }");
    expect(discoverStacks([], dir).map((s) => [s.name, s.oktaOrg, s.oktaWrites])).toEqual([
      ["platform-stage", "acme-stage-example.oktapreview.com", 40],
      ["team-data-stage", undefined, 30],
      ["team-payments-stage", undefined, 10],
    ]);
  });

  it("in the repository's stacks/, finds exactly the stack files that hold a platform or team config", () => {
    // Whatever stacks/ holds: the rule, not its contents.
    const found = discoverStacks().map((s) => s.name);
    const expected = listStacks().filter((name) => {
      const text = readFileSync(join(PROJECT_ROOT, "stacks", `Pulumi.${name}.yaml`), "utf8");
      return text.includes(`${PLATFORM_KEY}:`) || text.includes(`${TEAM_KEY}:`);
    });
    expect(found).toEqual(expected);
  });

  it("refuses unknown stacks and stacks of neither kind, naming each", () => {
    let problems: readonly string[] = [];
    try {
      discoverStacks(["nope", "solo", "platform-stage"], PROJECT);
    } catch (error) {
      problems = (error as DiscoveryError).problems;
    }
    expect(problems).toEqual([
      'unknown stack "nope": there is no stack file Pulumi.nope.yaml; stacks: platform-stage, solo, team-data-stage, team-payments-stage',
      "stack solo is neither a platform stack (okta-federation:platform) nor a team stack (okta-federation:team): npm run org runs the organisation's stacks; use pulumi or npm run plan for it",
    ]);
  });
});

describe("npm run org: usage", () => {
  it("needs preview or up, and a whole --parallel", async () => {
    expect(await org([])).toMatchObject({ code: 2, stderr: expect.stringContaining("error: preview or up is required") });
    expect(await org(["destroy"])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown operation "destroy"') });
    expect(await org(["preview", "--parallel", "0"])).toMatchObject({ code: 2, stderr: expect.stringContaining('--parallel must be a whole number from 1 to 9999, not "0"') });
    expect(await org(["--help"])).toMatchObject({ code: 0, stdout: "usage: npm run org -- preview|up [--stack <name> ...] [--offline] [--parallel <n>] [--json]\n" });
  });

  it("refuses a team whose platform is not among the stacks, before running anything", async () => {
    const { code, stdout, stderr } = await org(["preview", "--offline", "--stack", "team-data-stage"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "error: cannot order the stacks: 1 problem\n  - team stack team-data-stage reads platform stack acme/okta-federation/platform-stage (local stack platform-stage), which is not among the stacks to run: add --stack platform-stage\n",
    );
  });

  it("refuses unknown stacks with exit 2", async () => {
    const { code, stderr } = await org(["up", "--stack", "nope"]);
    expect(code).toBe(2);
    expect(stderr).toContain('  - unknown stack "nope"');
  });

  it("as a program: a usage error exits 2 with the usage", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "tools/org.ts", "deploy"], { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('error: unknown operation "deploy": preview or up\nusage: npm run org -- preview|up [--stack <name> ...] [--offline] [--parallel <n>] [--json]\n');
  });
});

/** The progress lines that are not resource steps. */
const milestones = (lines: string[]) => lines.filter((l) => !/^\[[^\]]+\] step \d+: /.test(l));

describe("npm run org --offline", () => {
  it("plans the platform, then its teams, with a line per resource and a summary per stack", async () => {
    const { code, lines, stderr } = await org(["preview", "--offline", "--parallel", "4"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(milestones(lines).map((l) => l.replace(/done: \d+ resources, \d+ to create, \d+ to read/, "done: <counts>"))).toEqual([
      "org preview --offline: 3 stacks, one at a time (offline plan: the stack program in-process against a mock engine; nothing is deployed, no Pulumi CLI)",
      "  --parallel is ignored offline: the offline plan runs one stack at a time",
      "order: platform-stage; then team-data-stage, team-payments-stage",
      "[platform-stage] start preview of acme/okta-federation/platform-stage",
      "[platform-stage] done: 17 resources, 17 to create",
      "[team-data-stage] start preview (after platform stack platform-stage)",
      "[team-data-stage] done: <counts>",
      "[team-payments-stage] start preview (after platform stack platform-stage)",
      "[team-payments-stage] done: <counts>",
      "org preview: 3 stacks: 3 done, 0 failed, 0 skipped",
    ]);
    // Each stack's steps are numbered 1..n, as many as its summary counts; a team reads its platform and its server.
    for (const stack of ["platform-stage", "team-data-stage", "team-payments-stage"]) {
      const steps = lines.filter((l) => l.startsWith(`[${stack}] step `));
      expect(steps.map((l) => Number(/ step (\d+):/.exec(l)![1]))).toEqual(steps.map((_, i) => i + 1));
      expect(lines).toContain(`[${stack}] done: ${steps.length} resources, ${changeWords({ create: steps.filter((l) => / step \d+: create /.test(l)).length, read: steps.filter((l) => / step \d+: read /.test(l)).length }, "preview")}`);
    }
    expect(lines).toContain("[team-data-stage] step 1: read pulumi:pulumi:StackReference platform");
    // Its number is where the SDK's registrations interleave, not part of what is asserted.
    expect(lines.filter((l) => /^\[team-payments-stage\] step \d+: read okta:auth\/server:Server federation-authz-server$/.test(l))).toHaveLength(1);
  });

  it("--json prints the summary document on stdout, the progress on stderr", async () => {
    const { code, stdout, stderr } = await org(["up", "--offline", "--json"]);
    expect(code).toBe(0);
    expect(stderr).toContain("  offline, up deploys nothing: each stack is planned as for a preview\n");
    expect(stderr).toContain("org up: 3 stacks: 3 done, 0 failed, 0 skipped\n");
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({ kind: "okta-federation/org-run", version: 1, operation: "up", engine: "offline", parallel: 1, serialisedPlatforms: [], order: ["platform-stage", "team-data-stage", "team-payments-stage"], summary: { done: 3, failed: 0, skipped: 0 } });
    expect(doc.stacks[0]).toEqual({ stack: "platform-stage", kind: "platform", engineName: PLATFORM, status: "done", steps: 17, changes: { create: 17 } });
    expect(doc.stacks[1]).toMatchObject({ stack: "team-data-stage", kind: "team", engineName: "team-data-stage", platform: "platform-stage", status: "done" });
    expect(doc.stacks[1].changes.read).toBe(2);
  });

  it("after Ctrl-C, the running stack finishes and no other starts", async () => {
    const interrupt = new AbortController();
    let stdout = "";
    const io = {
      stdout: (t: string) => {
        stdout += t;
        if (t.startsWith("[platform-stage] start")) interrupt.abort();
      },
      stderr: (t: string) => void (stdout += t),
    };
    const code = await main(["preview", "--offline"], io, { root: PROJECT, signal: interrupt.signal });
    expect(code).toBe(1);
    expect(milestones(stdout.split("\n").filter((l) => l !== "")).slice(3)).toEqual([
      "interrupted: no further stack starts; the running stacks finish or cancel",
      "[platform-stage] done: 17 resources, 17 to create",
      `[team-data-stage] skipped: ${INTERRUPTED}`,
      `[team-payments-stage] skipped: ${INTERRUPTED}`,
      "org preview: 3 stacks: 1 done, 0 failed, 2 skipped",
    ]);
  });

  it("a platform that does not plan fails with its error, and its teams are skipped", async () => {
    const dir = projectCopy();
    const file = join(dir, "stacks", "Pulumi.platform-stage.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("tokenLifetimeMinutes: 60", "tokenLifetimeMinutes: 60\n      colour: blue"));
    const { code, lines } = await org(["preview", "--offline"], { root: dir });
    expect(code).toBe(1);
    const failed = lines.findIndex((l) => l.startsWith("[platform-stage] failed"));
    expect(lines[failed]).toBe("[platform-stage] failed after 0 resource steps:");
    expect(lines[failed + 1]).toMatch(/^\[platform-stage\] {3}.*invalid config okta-federation:platform/);
    expect(lines.join("\n")).toContain("colour");
    expect(lines.slice(-3)).toEqual([
      "[team-data-stage] skipped: its platform stack platform-stage failed",
      "[team-payments-stage] skipped: its platform stack platform-stage failed",
      "org preview: 3 stacks: 0 done, 1 failed, 2 skipped",
    ]);
  });
});

/** A fake `pulumi` in `<dir>/bin`, with its scenario; `calls()` reads the commands it ran. */
function fakePulumi(scenario: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), "org-fake-pulumi-"));
  const state = join(dir, "state");
  mkdirSync(join(dir, "bin"));
  mkdirSync(state);
  writeFileSync(join(state, "scenario.json"), JSON.stringify(scenario));
  const bin = join(dir, "bin", "pulumi");
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(bin, `#!/bin/sh\nFAKE_PULUMI_STATE=${quote(state)} exec ${quote(process.execPath)} ${quote(join(FIXTURE, "fake-pulumi.cjs"))} "$@"\n`);
  chmodSync(bin, 0o755);
  const calls = (): string[] =>
    existsSync(join(state, "calls.jsonl"))
      ? readFileSync(join(state, "calls.jsonl"), "utf8")
          .trim()
          .split("\n")
          .map((l) => (JSON.parse(l) as string[]).map((a, i, all) => (all[i - 1] === "--event-log" ? "<event-log>" : a)).join(" "))
      : [];
  return { root: dir, calls };
}

const resources = (...list: Array<[string, string, string?]>) => list.map(([type, name, op]) => ({ type, name, ...(op ? { op } : {}) }));
const ORGANISATION = {
  [PLATFORM]: {
    resources: resources(["pulumi:pulumi:Stack", "okta-federation-platform-stage", "same"], ["pulumi:providers:okta", "okta", "same"], ["okta:auth/server:Server", "platform-authz-server", "update"], ["okta:auth/serverScope:ServerScope", "platform-authz-scope-api.read"]),
  },
  "team-data-stage": {
    platform: PLATFORM,
    resources: resources(["pulumi:pulumi:Stack", "okta-federation-team-data-stage"], ["pulumi:pulumi:StackReference", "platform", "read"], ["okta:app/oAuth:OAuth", "federation-ingest-app"]),
  },
  "team-payments-stage": {
    platform: PLATFORM,
    resources: resources(["pulumi:pulumi:Stack", "okta-federation-team-payments-stage"], ["pulumi:pulumi:StackReference", "platform", "read"], ["okta:app/oAuth:OAuth", "federation-checkout-app"]),
  },
};

const preview = (stack: string) => [`stack select --stack ${stack} --non-interactive`, `preview --exec-kind auto.local --event-log <event-log> --stack ${stack} --non-interactive`];
const up = (stack: string) => [
  `stack select --stack ${stack} --non-interactive`,
  `up --yes --skip-preview --exec-kind auto.local --event-log <event-log> --stack ${stack} --non-interactive`,
  `stack output --json --stack ${stack} --non-interactive`,
  `stack output --json --show-secrets --stack ${stack} --non-interactive`,
  `stack history --json --page-size 1 --page 1 --stack ${stack} --non-interactive`,
];

describe("npm run org on Pulumi's engine (a fake pulumi CLI)", () => {
  it("previews the platform, then each team, counting resource steps from the engine's events", async () => {
    const fake = fakePulumi({ deployed: [PLATFORM], stacks: ORGANISATION });
    const { code, lines, stdout, stderr } = await org(["preview"], { pulumiRoot: fake.root });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(fake.calls()).toEqual(["version", ...preview(PLATFORM), ...preview("team-data-stage"), ...preview("team-payments-stage")]);
    expect(lines).toEqual([
      `org preview: 3 stacks, one at a time (Pulumi engine, pulumi 3.270.0, project directory ${PROJECT})`,
      "order: platform-stage; then team-data-stage, team-payments-stage",
      "[platform-stage] start preview of acme/okta-federation/platform-stage",
      "[platform-stage] step 3: update okta:auth/server:Server platform-authz-server",
      "[platform-stage] step 4: create okta:auth/serverScope:ServerScope platform-authz-scope-api.read",
      "[platform-stage] done: 4 resources, 1 to create, 1 to update, 2 unchanged",
      "[team-data-stage] start preview (after platform stack platform-stage)",
      "[team-data-stage] step 1: create pulumi:pulumi:Stack okta-federation-team-data-stage",
      "[team-data-stage] step 2: read pulumi:pulumi:StackReference platform",
      "[team-data-stage] step 3: create okta:app/oAuth:OAuth federation-ingest-app",
      "[team-data-stage] done: 3 resources, 2 to create, 1 to read",
      "[team-payments-stage] start preview (after platform stack platform-stage)",
      "[team-payments-stage] step 1: create pulumi:pulumi:Stack okta-federation-team-payments-stage",
      "[team-payments-stage] step 2: read pulumi:pulumi:StackReference platform",
      "[team-payments-stage] step 3: create okta:app/oAuth:OAuth federation-checkout-app",
      "[team-payments-stage] done: 3 resources, 2 to create, 1 to read",
      "org preview: 3 stacks: 3 done, 0 failed, 0 skipped",
    ]);
    expect(stdout).not.toContain("FAKE-SECRET");
  });

  it("up: each team only after its platform's up succeeded, so its StackReference reads fresh outputs", async () => {
    // Nothing deployed yet: the fake fails a team whose platform was not deployed before it.
    const fake = fakePulumi({ stacks: ORGANISATION });
    const { code, stdout, stderr } = await org(["up", "--json"], { pulumiRoot: fake.root });
    expect(code).toBe(0);
    expect(fake.calls()).toEqual(["version", ...up(PLATFORM), ...up("team-data-stage"), ...up("team-payments-stage")]);
    const doc = JSON.parse(stdout);
    expect(doc.engine).toBe("pulumi");
    expect(doc.stacks.map((s: { stack: string; status: string; steps: number; changes: unknown }) => [s.stack, s.status, s.steps, s.changes])).toEqual([
      ["platform-stage", "done", 4, { same: 2, update: 1, create: 1 }],
      ["team-data-stage", "done", 3, { create: 2, read: 1 }],
      ["team-payments-stage", "done", 3, { create: 2, read: 1 }],
    ]);
    // With --json the progress lines go to stderr.
    expect(stderr.split("\n").filter((l) => /^\[.*\] (start|done)/.test(l))).toEqual([
      "[platform-stage] start up of acme/okta-federation/platform-stage",
      "[platform-stage] done: 4 resources, 1 created, 1 updated, 2 unchanged",
      "[team-data-stage] start up (after platform stack platform-stage)",
      "[team-data-stage] done: 3 resources, 2 created, 1 read",
      "[team-payments-stage] start up (after platform stack platform-stage)",
      "[team-payments-stage] done: 3 resources, 2 created, 1 read",
    ]);
    expect(stdout + stderr).not.toContain("FAKE-SECRET");
  });

  it("up with --parallel 2 updates one platform's teams one after another (one Okta authorization server), and says why", async () => {
    const fake = fakePulumi({ stacks: ORGANISATION });
    const { code, stderr, lines } = await org(["up", "--parallel", "2"], { pulumiRoot: fake.root });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(fake.calls()).toEqual(["version", ...up(PLATFORM), ...up("team-data-stage"), ...up("team-payments-stage")]);
    expect(lines.slice(0, 2)).toEqual([
      `org up: 3 stacks, at most 2 at a time (Pulumi engine, pulumi 3.270.0, project directory ${PROJECT})`,
      "  up runs one platform's teams one at a time, since they write access policies on its Okta authorization server and Okta fails parallel policy writes there: platform-stage (2 teams)",
    ]);
  });

  it("--json names the platforms whose teams up ran one at a time: with lanes to spare, under up only, with two teams or more", () => {
    const order = orderStacks([
      { name: "p1", kind: "platform" },
      { name: "p2", kind: "platform" },
      { name: "a1", kind: "team", platform: "p1" },
      { name: "a2", kind: "team", platform: "p1" },
      { name: "b1", kind: "team", platform: "p2" },
    ]);
    const engine = (maxParallel: number): Engine => ({ name: "pulumi", description: "", maxParallel, run: async () => ({ ok: true, changes: {} }) });
    expect(runToJson("up", engine(99), 4, order, []).serialisedPlatforms).toEqual(["p1"]);
    expect(runToJson("up", engine(99), 1, order, []).serialisedPlatforms).toEqual([]);
    expect(runToJson("up", engine(1), 4, order, []).serialisedPlatforms).toEqual([]);
    expect(runToJson("preview", engine(99), 4, order, []).serialisedPlatforms).toEqual([]);
  });

  it("up keeps the stacks of one Okta org within its 75 requests at once: platforms of one org whose largest shares add up to more are paced, and --json names the org", () => {
    const order = orderStacks([
      { name: "p1", kind: "platform", oktaOrg: "acme.okta.com", oktaWrites: 10 },
      { name: "p2", kind: "platform", oktaOrg: "acme.okta.com", oktaWrites: 10 },
      { name: "p3", kind: "platform", oktaOrg: "other.okta.com", oktaWrites: 75 },
      { name: "a1", kind: "team", platform: "p1", oktaWrites: 40 },
      { name: "a2", kind: "team", platform: "p1", oktaWrites: 10 },
      { name: "b1", kind: "team", platform: "p2", oktaWrites: 40 },
    ]);
    const byName = new Map(order.map((s) => [s.name, s]));
    expect(["p1", "a1", "b1", "p3"].map((n) => oktaOrgShare(byName.get(n)!, "up", order))).toEqual([
      { key: "acme.okta.com", weight: 10 },
      { key: "acme.okta.com", weight: 40 },
      { key: "acme.okta.com", weight: 40 },
      { key: "other.okta.com", weight: 75 },
    ]);
    expect(oktaOrgShare(byName.get("a1")!, "preview", order)).toBeUndefined();
    // p1's largest share (a1, 40) and p2's (b1, 40): 80 at once with two lanes, over 75; p3 alone fits.
    expect(pacedOktaOrgs(order, "up", 2)).toEqual([{ org: "acme.okta.com", platforms: 2, writes: 80 }]);
    expect(pacedOktaOrgs(order, "up", 1)).toEqual([]);
    expect(pacedOktaOrgs(order, "preview", 4)).toEqual([]);
    const engine: Engine = { name: "pulumi", description: "", maxParallel: 99, run: async () => ({ ok: true, changes: {} }) };
    expect(runToJson("up", engine, 4, order, []).pacedOktaOrgs).toEqual(["acme.okta.com"]);
    expect(runToJson("up", engine, 1, order, []).pacedOktaOrgs).toEqual([]);
  });

  it("runOrganisation under up never has one Okta org's stacks write more than 75 at once; a preview is not held back", async () => {
    const order = orderStacks([
      { name: "p1", kind: "platform", oktaOrg: "acme.okta.com", oktaWrites: 10 },
      { name: "p2", kind: "platform", oktaOrg: "acme.okta.com", oktaWrites: 10 },
      { name: "a1", kind: "team", platform: "p1", oktaWrites: 40 },
      { name: "b1", kind: "team", platform: "p2", oktaWrites: 40 },
    ]);
    const most = async (operation: "up" | "preview") => {
      let now = 0;
      let max = 0;
      const engine: Engine = {
        name: "pulumi",
        description: "",
        maxParallel: 4,
        run: async (s) => {
          now += s.oktaWrites ?? 0;
          max = Math.max(max, now);
          for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
          now -= s.oktaWrites ?? 0;
          return { ok: true, changes: {} };
        },
      };
      await runOrganisation(order, operation, engine, 4, () => undefined);
      return max;
    };
    expect(await most("up")).toBe(50);
    expect(await most("preview")).toBe(80);
  });

  it("up with --parallel 4 over two platforms in one Okta org whose teams write 40 at once each: the run says it keeps them within 75", async () => {
    const dir = projectCopy();
    const stacks = join(dir, "stacks");
    const withWrites = (text: string) => text.replace(/(\n\s+team: data)/, "$1\n    okta: { provider: { maxConcurrentWrites: 40 } }");
    // A second platform of the same Okta org (dev beside stage), with a team of its own.
    writeFileSync(join(stacks, "Pulumi.platform-dev.yaml"), readFileSync(join(stacks, "Pulumi.platform-stage.yaml"), "utf8"));
    writeFileSync(join(stacks, "Pulumi.team-ops-dev.yaml"), withWrites(readFileSync(join(stacks, "Pulumi.team-data-stage.yaml"), "utf8")).replace(/platform: acme\/okta-federation\/platform-stage/, "platform: acme/okta-federation/platform-dev"));
    const data = join(stacks, "Pulumi.team-data-stage.yaml");
    writeFileSync(data, withWrites(readFileSync(data, "utf8")));
    const dev = "acme/okta-federation/platform-dev";
    const fake = fakePulumi({ stacks: { ...ORGANISATION, [dev]: ORGANISATION[PLATFORM], "team-ops-dev": { ...ORGANISATION["team-data-stage"], platform: dev } } });
    const { code, stderr, lines } = await org(["up", "--parallel", "4"], { pulumiRoot: fake.root, root: dir });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(lines.slice(0, 3)).toEqual([
      `org up: 5 stacks, at most 4 at a time (Pulumi engine, pulumi 3.270.0, project directory ${dir})`,
      "  up runs one platform's teams one at a time, since they write access policies on its Okta authorization server and Okta fails parallel policy writes there: platform-stage (2 teams)",
      "  up keeps the stacks of Okta org acme-stage-example.oktapreview.com within the 75 requests at once Okta allows an org (their okta.provider.maxConcurrentWrites added up): 2 platforms' stacks could otherwise write 80 at once",
    ]);
  });

  it("preview with --parallel 2 runs the teams together (a preview writes nothing), still only after their platform's", async () => {
    const fake = fakePulumi({ deployed: [PLATFORM], stacks: ORGANISATION });
    const { code, stderr, lines } = await org(["preview", "--parallel", "2"], { pulumiRoot: fake.root });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const calls = fake.calls();
    const platformEnd = calls.indexOf(preview(PLATFORM)[1]!);
    expect(calls.slice(0, platformEnd + 1)).toEqual(["version", ...preview(PLATFORM)]);
    expect([...calls.slice(platformEnd + 1)].sort()).toEqual([...preview("team-data-stage"), ...preview("team-payments-stage")].sort());
    // Both teams started before either finished.
    const teamEvents = lines.filter((l) => /^\[team-[a-z-]+\] (start|done)/.test(l)).map((l) => /\] (start|done)/.exec(l)![1]);
    expect(teamEvents).toEqual(["start", "start", "done", "done"]);
    expect(lines[1]).toBe("order: platform-stage; then team-data-stage, team-payments-stage");
  });

  it("a failing platform up prints the error's last lines and skips its teams: no command runs for them", async () => {
    const failing = { ...ORGANISATION, [PLATFORM]: { ...ORGANISATION[PLATFORM], fail: { up: ["Diagnostics:", "  okta:auth/server:Server (platform-authz-server):", "    error: 1 error occurred:", "    * updating server: 429 Too Many Requests", "error: update failed"] } } };
    const fake = fakePulumi({ stacks: failing });
    const { code, lines, stdout } = await org(["up"], { pulumiRoot: fake.root });
    expect(code).toBe(1);
    expect(fake.calls()).toEqual(["version", `stack select --stack ${PLATFORM} --non-interactive`, up(PLATFORM)[1]]);
    expect(lines.slice(-10)).toEqual([
      "[platform-stage] step 4: create okta:auth/serverScope:ServerScope platform-authz-scope-api.read",
      "[platform-stage] failed after 4 resource steps:",
      "[platform-stage]   Diagnostics:",
      "[platform-stage]     okta:auth/server:Server (platform-authz-server):",
      "[platform-stage]       error: 1 error occurred:",
      "[platform-stage]       * updating server: 429 Too Many Requests",
      "[platform-stage]   error: update failed",
      "[team-data-stage] skipped: its platform stack platform-stage failed",
      "[team-payments-stage] skipped: its platform stack platform-stage failed",
      "org up: 3 stacks: 0 done, 1 failed, 2 skipped",
    ]);
    expect(stdout).not.toContain("FAKE-SECRET");
  });

  it("a team previewed before its platform was ever deployed fails with the engine's reason", async () => {
    const fake = fakePulumi({ stacks: ORGANISATION });
    const { code, lines } = await org(["preview", "--stack", "platform-stage", "--stack", "team-data-stage"], { pulumiRoot: fake.root });
    expect(code).toBe(1);
    expect(lines.slice(-4)).toEqual([
      "[team-data-stage] failed after 0 resource steps:",
      "[team-data-stage]   error: preview failed",
      '[team-data-stage]   error: reading stack reference platform: unknown stack "acme/okta-federation/platform-stage"',
      "org preview: 2 stacks: 1 done, 1 failed, 0 skipped",
    ]);
  });

  it("a platform run alone is selected by the name its teams read it by; a CLI before 3.206 streams events to a file", async () => {
    const many = resources(...Array.from({ length: 40 }, (_, i): [string, string] => ["okta:app/oAuth:OAuth", `app-${i}`]));
    const fake = fakePulumi({ version: "3.200.0", stacks: { [PLATFORM]: { resources: many } } });
    const { code, lines } = await org(["preview", "--stack", "platform-stage"], { pulumiRoot: fake.root });
    expect(code).toBe(0);
    expect(fake.calls()).toEqual(["version", ...preview(PLATFORM)]);
    // The Automation API tails that file every 200 ms and may stop before its last lines are read
    // (seen here about once in ten runs): the count is what was read, and says so consistently.
    const steps = lines.filter((l) => / step /.test(l)).length;
    expect(lines.find((l) => l.includes(" done: "))).toMatch(new RegExp(`^\\[platform-stage\\] done: ${steps} resources, `));
  });

  it("a stack that does not exist in the backend is not created: it fails, saying how to create it", async () => {
    const { [PLATFORM]: _platform, ...teams } = ORGANISATION;
    const fake = fakePulumi({ stacks: teams });
    const { code, lines } = await org(["up"], { pulumiRoot: fake.root });
    expect(code).toBe(1);
    expect(lines).toContain(
      "[platform-stage]   there is no stack acme/okta-federation/platform-stage in the current backend: create it first (pulumi stack init acme/okta-federation/platform-stage --secrets-provider …; docs/production.md#state-and-secrets)",
    );
    expect(fake.calls().some((c) => c.startsWith("stack init"))).toBe(false);
  });

  it("without a Pulumi CLI, says to install it or use --offline, and runs nothing", async () => {
    const empty = mkdtempSync(join(tmpdir(), "org-no-pulumi-"));
    const { code, stdout, stderr } = await org(["preview"], { pulumiRoot: empty });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(`error: ${NO_CLI_MESSAGE}\n`);
  });

  it("without a Pulumi CLI on PATH, the same", async () => {
    const saved = process.env.PATH;
    process.env.PATH = mkdtempSync(join(tmpdir(), "org-empty-path-"));
    try {
      expect(await org(["up"])).toMatchObject({ code: 2, stderr: `error: ${NO_CLI_MESSAGE}\n` });
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe("errorLines", () => {
  it("takes the CLI's own stderr from inside the Automation API's wrapping, without colours", () => {
    const inner = { stdout: "Updating (dev)\n", stderr: "\u001b[31merror:\u001b[0m one\ntwo\n\nthree\n", exitCode: 255 };
    const outer = { message: "code: -2\n stdout: \n stderr: Command failed ...", commandResult: { stdout: "", stderr: "Command failed with exit code 255: pulumi up ...", err: inner } };
    expect(errorLines(outer)).toEqual(["error: one", "two", "three"]);
    expect(errorLines(outer, 2)).toEqual(["two", "three"]);
  });
});
