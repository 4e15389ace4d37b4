import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main as plan } from "../../tools/plan";
import { listStacks } from "../../tools/offline/stackFile";
import { main as verify } from "../../tools/verify";
import { runCli } from "../helpers/cli";
import { fixturePath } from "../helpers/stacks";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "verify-"));
});

/** A file in the test's temporary folder. */
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe("npm run verify", () => {
  it("a plan file without an authorization server is refused with one line (exit 2), not an internal error", async () => {
    const { code, stdout, stderr } = await runCli(verify, "--plan", file("empty-plan.json", JSON.stringify({ kind: "okta-federation/offline-plan", stack: "dev", resources: [] })));
    expect(stdout).toBe("");
    expect(stderr).toBe(`error: plan ${join(dir, "empty-plan.json")} cannot be read as a federation: the plan has no Okta authorization server\n`);
    expect(code).toBe(2);
  });

  it("passes for dev and prints the matrix", async () => {
    // In-process; .ci/run runs the npm script itself on every stack.
    const result = await runCli(verify, "--stack-file", fixturePath("dev"));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("TRUST MATRIX  stack dev");
    expect(result.stdout).toMatch(/^PASSED: every service reaches exactly its own targets; all \d+ trust probes denied; no shared client keys\.$/m);
  });

  it("--json prints only JSON with a decision and reason per cell; --base adds the access changes", async () => {
    const basePlan = JSON.parse((await runCli(plan, "--stack-file", fixturePath("prod"), "--json")).stdout);
    basePlan.resources = basePlan.resources.filter((r: { name: string }) => !r.name.startsWith("federation-ledger-azure"));
    const { code, stdout, stderr } = await runCli(verify, "--stack-file", fixturePath("prod"), "--json", "--base", file("base.json", JSON.stringify(basePlan)));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.passed).toBe(true);
    expect(doc.matrix.allowed.every((c: { decision: string; reason: string }) => c.decision === "allow" && c.reason)).toBe(true);
    expect(doc.changes.map((c: { message: string }) => c.message)).toEqual([
      "ledger gains Azure identity id-prod-ledger",
      "ledger: Azure role Key Vault Secrets User at /subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/ledger-prod/providers/Microsoft.KeyVault/vaults/acme-ledger-prod granted to Azure identity id-prod-ledger",
    ]);
  });

  it("--markdown prints a PR comment", async () => {
    const { code, stdout } = await runCli(verify, "--stack-file", fixturePath("prod"), "--markdown");
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe("### Okta federation access review: `prod` ✅ passed");
    expect(stdout).toMatch(/^\| `ledger` \| `api\.read` \| AWS role ledger<br>Azure identity id-prod-ledger \| — \|$/m);
  });

  it("--plan verifies a plan written earlier, without planning again", async () => {
    const planFile = file("prod-plan.json", (await runCli(plan, "--stack-file", fixturePath("prod"), "--json")).stdout);
    const fromPlan = await runCli(verify, "--plan", planFile, "--json");
    const fromStack = await runCli(verify, "--stack-file", fixturePath("prod"), "--json");
    expect(fromPlan.code).toBe(0);
    expect(JSON.parse(fromPlan.stdout).matrix).toEqual(JSON.parse(fromStack.stdout).matrix);
    const notAPlan = await runCli(verify, "--plan", file("empty.json", "{}"));
    expect([notAPlan.code, notAPlan.stderr]).toEqual([2, `error: plan ${join(dir, "empty.json")} is not an offline plan (kind okta-federation/offline-plan with stack and resources): write it with npm run -s plan -- --stack <name> --json > plan.json\n`]);
  });

  it("an unknown stack exits 2 without a stack trace", async () => {
    const { code, stderr } = await runCli(verify, "--stack", "no-such-stack");
    expect(code).toBe(2);
    expect(stderr).toBe(`error: unknown stack "no-such-stack": there is no stacks/Pulumi.no-such-stack.yaml; stacks: ${listStacks().join(", ")}\n`);
  });
});

describe("verify --base refuses what is not a plan of this stack, with one line and exit 2", () => {
  const MAKE = "npm run -s plan -- --stack prod --json > base-plan.json";

  it.each([
    ["an empty object", "{}", (p: string) => `error: base plan ${p} is not an offline plan (kind okta-federation/offline-plan with stack and resources): write it with ${MAKE}\n`],
    ["not JSON", "resources:\n  - a\n", (p: string) => `error: base plan ${p} is not JSON: write it with ${MAKE}\n`],
    [
      "npm's banner in front of the JSON",
      '\n> okta-federation@0.1.0 plan\n> tsx tools/plan.ts --stack prod --json\n\n{"kind":"okta-federation/offline-plan"}',
      (p: string) => `error: base plan ${p} starts with npm's banner ("> okta-federation@0.1.0 plan"), not JSON: write it with -s, e.g. ${MAKE}\n`,
    ],
    ["verify's own JSON", '{"kind":"okta-federation/verify","version":1,"stack":"prod"}', (p: string) => `error: base plan ${p} is verify's output, not a plan: write the base with ${MAKE}\n`],
  ])("%s", async (name, content, message) => {
    const path = file(`${name.replace(/\W+/g, "-")}.json`, content);
    const { code, stdout, stderr } = await runCli(verify, "--stack-file", fixturePath("prod"), "--base", path);
    expect([code, stdout, stderr]).toEqual([2, "", message(path)]);
  });

  it("a missing file", async () => {
    const { code, stderr } = await runCli(verify, "--stack-file", fixturePath("prod"), "--base", join(dir, "absent.json"));
    expect([code, stderr]).toEqual([2, `error: cannot read base plan ${join(dir, "absent.json")}: ENOENT\n`]);
  });

  it("a plan of another stack is refused, or compared with a warning when asked", async () => {
    const devPlan = file("dev-plan.json", (await runCli(plan, "--stack-file", fixturePath("dev"), "--json")).stdout);
    const refused = await runCli(verify, "--stack-file", fixturePath("prod"), "--base", devPlan);
    expect([refused.code, refused.stderr]).toEqual([2, `error: base plan ${devPlan} is a plan of stack dev, not prod; pass --allow-other-stack to compare them anyway\n`]);
    const allowed = await runCli(verify, "--stack-file", fixturePath("prod"), "--base", devPlan, "--allow-other-stack");
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toBe("warning: comparing stack prod with a base plan of stack dev (--allow-other-stack)\n");
    expect(allowed.stdout).toContain("Access changes against the base plan");
  });

  it("--allow-other-stack without --base is a usage error", async () => {
    const { code, stderr } = await runCli(verify, "--stack-file", fixturePath("prod"), "--allow-other-stack");
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe("error: --allow-other-stack applies to --base only");
  });
});
