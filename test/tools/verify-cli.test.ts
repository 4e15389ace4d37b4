import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../tools/offline/stackFile";

function run(script: string, ...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "tools", script), ...args], { cwd: PROJECT_ROOT, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run verify", () => {
  it("passes for dev and prints the matrix", () => {
    const { code, stdout } = run("verify.ts", "--stack", "dev");
    expect(code).toBe(0);
    expect(stdout).toContain("TRUST MATRIX  stack dev");
    expect(stdout).toContain("PASSED: every service reaches exactly its own targets; all 15 trust probes denied; no shared client keys.");
  });

  it("--json prints only JSON with a decision and reason per cell; --base adds the access changes", () => {
    const dir = mkdtempSync(join(tmpdir(), "verify-"));
    const base = run("plan.ts", "--stack", "prod", "--json");
    const basePlan = JSON.parse(base.stdout);
    basePlan.resources = basePlan.resources.filter((r: { name: string }) => !r.name.startsWith("federation-ledger-azure"));
    writeFileSync(join(dir, "base.json"), JSON.stringify(basePlan));
    const { code, stdout, stderr } = run("verify.ts", "--stack", "prod", "--json", "--base", join(dir, "base.json"));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.passed).toBe(true);
    expect(doc.matrix.every((c: { decision: string; reason: string }) => ["allow", "deny"].includes(c.decision) && c.reason)).toBe(true);
    expect(doc.changes.map((c: { message: string }) => c.message)).toEqual(["ledger gains Azure identity id-prod-ledger"]);
  });

  it("--markdown prints a PR comment", () => {
    const { code, stdout } = run("verify.ts", "--stack", "prod", "--markdown");
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe("### Okta federation access review: `prod` ✅ passed");
    expect(stdout).toContain("| `ledger` | `api.read` | AWS role ledger<br>Azure identity id-prod-ledger | — |");
  });

  it("an unknown stack exits 2 without a stack trace", () => {
    const { code, stderr } = run("verify.ts", "--stack", "nope");
    expect(code).toBe(2);
    expect(stderr).toBe('error: unknown stack "nope": there is no stacks/Pulumi.nope.yaml; stacks: dev, multi, prod\n');
  });
});
