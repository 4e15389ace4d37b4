import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../tools/offline/stackFile";

/** Runs `npm run plan -- ...` the way a user does (tsx, real process, real exit code). */
function plan(...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "tools", "plan.ts"), ...args], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run plan", () => {
  it("--json prints only a JSON document with a resources array of urn, type, name, parent and inputs", () => {
    const { code, stdout, stderr } = plan("--stack", "dev", "--json");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.kind).toBe("okta-federation/offline-plan");
    expect(doc.summary.total).toBe(doc.resources.length);
    expect(doc.resources.length).toBe(54);
    for (const r of doc.resources) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(["urn", "type", "name", "parent", "inputs"]));
      expect(r.parent === null || typeof r.parent === "string").toBe(true);
    }
    const hook = doc.resources.find((r: any) => r.type === "okta:inline/hook:Hook");
    expect(hook.inputs.auth).toBe("[secret]");
    const app = doc.resources.find((r: any) => r.name === "federation-payments-app");
    expect(app.afterDeploy).toEqual({ id: "<federation-payments-app.id>", clientId: "<federation-payments-app.clientId>" });
    const rule = doc.resources.find((r: any) => r.name === "federation-payments-rule");
    expect(rule.parent).toBe("urn:pulumi:dev::okta-federation::oktafed:index:Federation$oktafed:okta:ServiceApp::federation-payments");
  });

  it("--json through a shell pipe arrives whole, past the pipe's 64 KiB buffer", () => {
    // `| cat` makes stdout a pipe the way `| jq` does; process.exit used to cut it at 65,536 bytes.
    const script = `"${process.execPath}" --import tsx tools/plan.ts --stack dev --json | cat`;
    const result = spawnSync("sh", ["-c", script], { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    expect(result.status).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(65_536);
    expect(JSON.parse(result.stdout).resources.length).toBe(54);
  });

  it("prints a readable tree labelled as an offline plan, with counts per type", () => {
    const { code, stdout } = plan("--stack", "prod");
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe("OFFLINE PLAN  stack prod  (project okta-federation)");
    expect(stdout).toContain("Nothing was deployed");
    expect(stdout).toMatch(/^\s+okta:auth\/server:Server\s+1$/m);
    expect(stdout).toContain("+ okta:auth/server:Server  federation-authz-server  (protected)");
  });

  it("an unknown stack exits 2 with a clear error and no stack trace", () => {
    const { code, stdout, stderr } = plan("--stack", "qa");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe('error: unknown stack "qa": there is no stacks/Pulumi.qa.yaml; stacks: dev, multi, prod\n');
  });

  it("a missing --stack exits 2 with usage", () => {
    const { code, stderr } = plan();
    expect(code).toBe(2);
    expect(stderr).toBe("error: --stack is required\nusage: npm run plan -- --stack <name> [--json]\n");
  });
});
