import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { main } from "../../tools/plan";
import { PROJECT_ROOT, listStacks } from "../../tools/offline/stackFile";
import { runCli } from "../helpers/cli";
import { fixturePath } from "../helpers/stacks";

/** The command's logic, in-process; the pipe test below runs the real program. */
const plan = (...args: string[]) => runCli(main, ...args);

describe("npm run plan", () => {
  it("--json prints only a JSON document with a resources array of urn, type, name, parent and inputs", async () => {
    const { code, stdout, stderr } = await plan("--stack-file", fixturePath("dev"), "--json");
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
    const script = `"${process.execPath}" --import tsx tools/plan.ts --stack-file "${fixturePath("dev")}" --json | cat`;
    const result = spawnSync("sh", ["-c", script], { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    expect(result.status).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(65_536);
    expect(JSON.parse(result.stdout).resources.length).toBe(54);
  });

  it("prints a readable tree labelled as an offline plan, with counts per type", async () => {
    const { code, stdout } = await plan("--stack-file", fixturePath("prod"));
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe("OFFLINE PLAN  stack prod  (project okta-federation)");
    expect(stdout).toContain("Nothing was deployed");
    expect(stdout).toMatch(/^\s+okta:auth\/server:Server\s+1$/m);
    expect(stdout).toContain("+ okta:auth/server:Server  federation-authz-server  (protected)");
  });

  it("an unknown stack exits 2 with a clear error and no stack trace", async () => {
    const { code, stdout, stderr } = await plan("--stack", "no-such-stack");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(`error: unknown stack "no-such-stack": there is no stacks/Pulumi.no-such-stack.yaml; stacks: ${listStacks().join(", ")}\n`);
  });

  it("--program plans another program file as Pulumi runs main: its exported function is called", async () => {
    // Inside the project, so that the program resolves the packages as a program of the repository would.
    const cache = join(PROJECT_ROOT, "node_modules", ".cache", "okta-federation");
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, "plan-program-"));
    const program = join(dir, "index.ts");
    // A program of its own: the repository's program plus one more resource.
    writeFileSync(
      program,
      `import * as iam from "@pulumi/aws/iam";\nimport { federationProgram } from ${JSON.stringify(join(__dirname, "..", "..", "stacks", "program"))};\nexport = () => { const outputs = federationProgram(); new iam.Policy("extra", { policy: "{}" }); return outputs; };\n`,
    );
    // A real process: the program file is loaded by tsx, as under `npm run plan`.
    const { status: code, stdout } = spawnSync(process.execPath, ["--import", "tsx", "tools/plan.ts", "--stack-file", fixturePath("dev"), "--program", program, "--json"], { cwd: PROJECT_ROOT, encoding: "utf8" });
    expect(code).toBe(0);
    const names = JSON.parse(stdout).resources.map((r: { type: string; name: string }) => `${r.type} ${r.name}`);
    expect(names).toContain("aws:iam/policy:Policy extra");
    expect(names).toContain("okta:app/oAuth:OAuth federation-payments-app");
  });

  it("a missing --stack exits 2 with usage", async () => {
    const { code, stderr } = await plan();
    expect(code).toBe(2);
    expect(stderr).toBe("error: --stack is required\nusage: npm run plan -- --stack <name> | --stack-file <path> [--json] [--program <file>]\n");
  });

  it("--stack-file plans a stack file from anywhere, named by its file name", async () => {
    const { code, stdout } = await plan("--stack-file", fixturePath("prod"), "--json");
    expect(code).toBe(0);
    expect(JSON.parse(stdout).stack).toBe("prod");
    const wrong = await plan("--stack-file", "/tmp/prod.yaml");
    expect([wrong.code, wrong.stderr]).toEqual([2, "error: /tmp/prod.yaml is not a stack file: its name must be Pulumi.<stack>.yaml\n"]);
  });
});
