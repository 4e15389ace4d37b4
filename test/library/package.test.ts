import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as library from "okta-federation";
import { PROJECT_ROOT } from "../../tools/offline/stackFile";

const EXPECTED = [
  "AZURE_BUILTIN_ROLES", "AuthorizationServer", "CONFIG_KEY", "CONFIG_NAMESPACE", "Federation", "FederationConfigError",
  "HOOK_SECRET_KEY", "LIMITS", "OidcProvider", "ServiceAccess", "ServiceApp", "ServiceIdentity", "ServiceRole", "TokenHook",
  "WorkloadIdentityPool", "claimExpression", "formatProblems", "parseFederationConfig", "readFederation", "toStackOutputs",
  "DEFAULT_TOKEN_FILE", "awsEnvironment", "awsProfile", "azureEnvironment", "gcpExternalAccount", "oktaTokenEndpoint", "parseFederations", "CONFIG_KEY_MULTI",
  // The organisation layout (docs/organisation.md#in-your-own-program).
  "Platform", "toPlatformOutputs", "PLATFORM_CONFIG_KEY", "parsePlatformConfig", "TEAM_CONFIG_KEY", "parseTeamConfig", "parseTeamHeader",
  "PLATFORM_CONTRACT_VERSION", "PLATFORM_OUTPUT", "readPlatformContract",
];

/** The per-side entries, what each exports, and the one provider SDK each may load. */
const SIDES = {
  okta: { sdk: "@pulumi/okta", exports: ["AuthorizationServer", "ServiceApp", "TokenHook", "claimExpression", "readFederation"] },
  aws: { sdk: "@pulumi/aws", exports: ["OidcProvider", "ServiceRole", "readFederation"] },
  gcp: { sdk: "@pulumi/gcp", exports: ["ServiceAccess", "WorkloadIdentityPool", "readFederation"] },
  azure: { sdk: "@pulumi/azure-native", exports: ["AZURE_BUILTIN_ROLES", "ServiceIdentity", "readFederation"] },
} as const;
const SDKS = Object.values(SIDES).map((s) => s.sdk);

/**
 * Loads `entry` in a fresh Node process (TypeScript through tsx) in which resolving any of `blocked`
 * (or a submodule of it) throws, as it does in a project that has not installed them. Prints the
 * entry's exports and the packages under node_modules/@pulumi/ that were loaded.
 */
async function loadWithout(entry: string, blocked: readonly string[]): Promise<{ status: number | null; stderr: string; exports: string[]; loaded: string[] }> {
  const script = `
    const Module = require("node:module");
    const blocked = ${JSON.stringify(blocked)};
    const resolveFilename = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (blocked.some((b) => request === b || request.startsWith(b + "/"))) {
        throw Object.assign(new Error("Cannot find module '" + request + "' (not installed in this project)"), { code: "MODULE_NOT_FOUND" });
      }
      return resolveFilename.call(this, request, ...rest);
    };
    const entry = require(${JSON.stringify(entry)});
    const loaded = new Set(Object.keys(require.cache).map((f) => {
      const at = f.lastIndexOf("node_modules/@pulumi/");
      return at < 0 ? undefined : f.slice(at + "node_modules/".length).split("/").slice(0, 2).join("/");
    }).filter(Boolean));
    process.stdout.write(JSON.stringify({ exports: Object.keys(entry).sort(), loaded: [...loaded].sort() }));
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "-e", script], { cwd: PROJECT_ROOT, env: { ...process.env, NODE_OPTIONS: "" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const [status] = (await once(child, "close")) as [number | null];
  const out = status === 0 ? (JSON.parse(stdout) as { exports: string[]; loaded: string[] }) : { exports: [], loaded: [] };
  return { status, stderr, ...out };
}

/** Non-type imports of a TypeScript file: relative ones resolved to files, package ones as written. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [
    ...[...text.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+"([^"]+)"/gms)].map((m) => m[1]!),
    ...[...text.matchAll(/^import\s+"([^"]+)"/gm)].map((m) => m[1]!),
    ...[...text.matchAll(/(?<![.\w$])(?:import|require)\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!),
  ];
  return specifiers.map((s) => {
    if (!s.startsWith(".")) return s;
    const base = resolve(dirname(file), s);
    const found = [`${base}.ts`, join(base, "index.ts"), base].find((f) => existsSync(f) && f.endsWith(".ts") || (existsSync(f) && f.endsWith(".json")));
    if (!found) throw new Error(`${file}: cannot resolve ${s}`);
    return found;
  });
}

/** Every package a file reaches through value imports, following relative imports transitively. */
function reachedPackages(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file) || file.endsWith(".json")) continue;
    seen.add(file);
    for (const imported of valueImports(file)) {
      if (imported.startsWith("/")) queue.push(imported);
      else if (!packages.has(imported)) packages.set(imported, file.slice(PROJECT_ROOT.length + 1));
    }
  }
  return packages;
}

type Loaded = Awaited<ReturnType<typeof loadWithout>>;
const loads: Record<string, Loaded> = {};

describe("the package", () => {
  // Each side's source entry, and the root entry without @pulumi/okta, in fresh processes side by side.
  beforeAll(async () => {
    const runs = Object.entries(SIDES).map(async ([side, { sdk }]) => {
      loads[side] = await loadWithout(join(PROJECT_ROOT, "components", side, "index.ts"), SDKS.filter((s) => s !== sdk));
    });
    runs.push((async () => void (loads.root = await loadWithout(join(PROJECT_ROOT, "components", "index.ts"), ["@pulumi/okta"])))());
    await Promise.all(runs);
  });

  it("package.json exports the built library and each side's entry with its types", () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8"));
    expect(pkg.exports["."]).toEqual({ types: "./dist/components/index.d.ts", default: "./dist/components/index.js" });
    for (const side of Object.keys(SIDES)) {
      expect(pkg.exports[`./${side}`], side).toEqual({ types: `./dist/components/${side}/index.d.ts`, default: `./dist/components/${side}/index.js` });
      // For consumers whose tsconfig predates "exports" (moduleResolution node, as Pulumi's templates).
      expect(pkg.typesVersions["*"][side], side).toEqual([`dist/components/${side}/index.d.ts`]);
      expect(existsSync(join(PROJECT_ROOT, "components", side, "index.ts")), side).toBe(true);
    }
    expect(pkg.exports["./workload"]).toEqual({ types: "./dist/workload/index.d.ts", default: "./dist/workload/index.js" });
    expect(pkg.scripts.prepare).toBe("npm run build");
  });

  it("is publishable: not private, with its metadata", () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8"));
    expect(pkg.private).toBeUndefined();
    expect(pkg.license).toBe("Apache-2.0");
    for (const field of ["author", "homepage", "repository", "bugs", "keywords", "publishConfig", "description"]) expect(pkg[field], field).toBeTruthy();
    expect(pkg.files).toContain("LICENSE");
  });

  for (const [side, { sdk, exports }] of Object.entries(SIDES)) {
    const others = SDKS.filter((s) => s !== sdk);
    it(`okta-federation/${side} reaches no other provider SDK through any value import (transitively)`, () => {
      const packages = reachedPackages(join(PROJECT_ROOT, "components", side, "index.ts"));
      const pulumiPackages = [...packages.keys()].filter((p) => p.startsWith("@pulumi/"));
      expect(pulumiPackages.filter((p) => others.some((o) => p === o || p.startsWith(`${o}/`))).map((p) => `${p} (from ${packages.get(p)})`)).toEqual([]);
      expect(pulumiPackages.some((p) => p === sdk || p.startsWith(`${sdk}/`))).toBe(true);
    });

    it(`okta-federation/${side} loads in a process where ${others.join(", ")} cannot be resolved, and loads only @pulumi/pulumi and ${sdk}`, () => {
      const result = loads[side]!;
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.exports).toEqual([...exports].sort());
      expect(result.loaded).toEqual(["@pulumi/pulumi", sdk].sort());
    });
  }

  it("each example is a project of its own: its package.json depends on exactly the packages its code imports, at the repository's versions", () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8"));
    // The Node.js examples: every folder with TypeScript in it (examples in other languages have none).
    const examples = readdirSync(join(PROJECT_ROOT, "examples"), { withFileTypes: true })
      .filter((e) => e.isDirectory() && readdirSync(join(PROJECT_ROOT, "examples", e.name)).some((f) => f.endsWith(".ts")))
      .map((e) => e.name);
    expect(examples).toEqual(expect.arrayContaining(["app-stack", "platform-stack", "your-api"]));
    for (const example of examples) {
      const dir = join(PROJECT_ROOT, "examples", example);
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      expect(manifest.private, example).toBe(true);
      const imported = new Set(
        readdirSync(dir).filter((f) => f.endsWith(".ts")).flatMap((f) => valueImports(join(dir, f))).filter((i) => !i.startsWith("/") && !i.startsWith("node:"))
          .map((i) => (i.startsWith("@") ? i.split("/").slice(0, 2).join("/") : i.split("/")[0]!)),
      );
      expect(Object.keys(manifest.dependencies).sort(), example).toEqual([...imported].sort());
      for (const [name, version] of Object.entries(manifest.dependencies as Record<string, string>)) {
        expect(version, `${example}: ${name}`).toBe(name === "okta-federation" ? "file:../.." : (pkg.devDependencies[name] ?? pkg.dependencies[name]));
      }
      // A Pulumi example runs its TypeScript through tsx (Pulumi.yaml nodeargs), so it carries tsx.
      if (existsSync(join(dir, "Pulumi.yaml"))) {
        expect(readFileSync(join(dir, "Pulumi.yaml"), "utf8"), example).toContain('nodeargs: "--import tsx"');
        expect(manifest.devDependencies.tsx, example).toBe(pkg.devDependencies.tsx);
      }
    }
  });

  it("the root entry still loads every provider SDK: without @pulumi/okta it fails as the issue reported", () => {
    const result = loads.root!;
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("Cannot find module '@pulumi/okta/auth' (not installed in this project)");
  });

  it("the built side entries (npm ci runs the build) load by their names with the same exports", () => {
    const require = createRequire(join(PROJECT_ROOT, "package.json"));
    for (const [side, { exports }] of Object.entries(SIDES)) {
      expect(existsSync(join(PROJECT_ROOT, "dist", "components", side, "index.js")), `dist/components/${side} is missing: run npm run build`).toBe(true);
      expect(Object.keys(require(`okta-federation/${side}`)).sort(), side).toEqual([...exports].sort());
      expect(existsSync(join(PROJECT_ROOT, "dist", "components", side, "index.d.ts")), side).toBe(true);
    }
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
