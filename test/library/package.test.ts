import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as library from "okta-federation";
import { PROJECT_ROOT } from "../../tools/offline/stackFile";

const EXPECTED = [
  "AZURE_BUILTIN_ROLES", "AuthorizationServer", "CONFIG_KEY", "CONFIG_NAMESPACE", "Federation", "FederationConfigError",
  "HOOK_SECRET_KEY", "LIMITS", "OidcProvider", "ServiceAccess", "ServiceApp", "ServiceIdentity", "ServiceRole", "TokenHook",
  "WorkloadIdentityPool", "claimExpression", "formatProblems", "parseFederationConfig", "readFederation", "toStackOutputs",
  "DEFAULT_TOKEN_FILE", "awsEnvironment", "awsProfile", "azureEnvironment", "gcpExternalAccount", "oktaTokenEndpoint", "parseFederations", "CONFIG_KEY_MULTI",
];

describe("the package", () => {
  it("package.json exports the built library with its types", () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8"));
    expect(pkg.exports["."]).toEqual({ types: "./dist/components/index.d.ts", default: "./dist/components/index.js" });
    expect(pkg.scripts.prepare).toBe("npm run build");
  });

  it("each command's npm script runs a file that runs its main only as a program", () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8"));
    const commands = { plan: "tools/plan.ts", verify: "tools/verify.ts", credentials: "tools/credentials.ts", "new-env": "tools/new-env.ts", "okta-federation": "workload/cli.ts" };
    for (const [script, file] of Object.entries(commands)) {
      expect(pkg.scripts[script], script).toMatch(new RegExp(`^tsx (--max-semi-space-size=64 )?${file.replace(".", "\\.")}$`));
      expect(readFileSync(join(PROJECT_ROOT, file), "utf8"), file).toMatch(/\nif \(require\.main === module\) runCommand\(main\);\n$/);
    }
    expect(pkg.bin).toEqual({ "okta-federation": "dist/workload/cli.js" });
    expect(readFileSync(join(PROJECT_ROOT, "workload", "cli.ts"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("what the package ships imports no development-only module (AGPL simulators, test tools, the repository's commands)", () => {
    const shipped = ["components", "workload"].flatMap((dir) => readdirSync(join(PROJECT_ROOT, dir), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).map((f) => join(dir, f)));
    expect(shipped.length).toBeGreaterThan(30);
    const devOnly = Object.keys(JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")).devDependencies).filter((d) => !d.startsWith("@pulumi/") && d !== "@types/node");
    for (const file of shipped) {
      const imports = [...readFileSync(join(PROJECT_ROOT, file), "utf8").matchAll(/from "([^"]+)"|import\("([^"]+)"\)/g)].map((m) => m[1] ?? m[2]!);
      expect(imports.filter((i) => devOnly.some((d) => i === d || i.startsWith(`${d}/`)) || /(^|\/)(tools|test|dev)\//.test(i)), file).toEqual([]);
    }
  });

  it("the barrel exports every component, the config schema and the output contract", () => {
    expect(Object.keys(library).filter((k) => !EXPECTED.includes(k) || typeof (library as any)[k] === "undefined")).toEqual([]);
    expect(EXPECTED.filter((k) => !(k in library))).toEqual([]);
  });

  it("the built package (npm ci runs the build) loads by its name and has the same exports", () => {
    const entry = join(PROJECT_ROOT, "dist", "components", "index.js");
    expect(existsSync(entry), "dist/ is missing: run npm run build").toBe(true);
    // Self-reference through package.json "exports", as a consumer's require("okta-federation") resolves it.
    const built = createRequire(join(PROJECT_ROOT, "package.json"))("okta-federation");
    expect(Object.keys(built).sort()).toEqual([...EXPECTED].sort());
    expect(existsSync(join(PROJECT_ROOT, "dist", "components", "index.d.ts"))).toBe(true);
  });
});
