/**
 * The package as its users get it: packs it, installs the tarball in two fresh projects, and checks
 *  - a workload project (the tarball alone): no Pulumi package is installed; the `okta-federation`
 *    command creates a key pair (keygen), gets a token from a real OAuth server that knows only the
 *    printed public JWK (token), and prints credentials from stack outputs (credentials --outputs);
 *    a TypeScript program importing okta-federation/workload type-checks with skipLibCheck false;
 *  - a Pulumi project (the tarball and the Pulumi packages at this repo's versions): a program
 *    importing the library type-checks with skipLibCheck false;
 *  - one project per side (the tarball, @pulumi/pulumi and that side's provider SDK only):
 *    require("okta-federation/<side>") gives the side's components, and a program importing it
 *    type-checks with skipLibCheck false under moduleResolution nodenext and node (typesVersions);
 *  - each example of examples/ as its own project, installed from its own package.json with the
 *    tarball in place of `file:../..`: it type-checks, and app-stack and platform-stack run under
 *    Pulumi's mocks (setMocks) with only @pulumi/pulumi and @pulumi/aws installed.
 * Run by .ci/run (`npm run check:package`); it installs from the npm cache where it can
 * (--prefer-offline, exact versions), so with a warm cache it needs no network.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { exportJWK, generateKeyPair, jwtVerify, createLocalJWKSet } from "jose";
import { parse } from "yaml";

const ROOT = resolve(__dirname, "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string>; peerDependencies: Record<string, string> };
const work = mkdtempSync(join(tmpdir(), "oktafed-package-"));

function step(what: string): void {
  process.stdout.write(`check-package: ${what}\n`);
}

function sh(cwd: string, command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", input, env: { ...process.env, NODE_OPTIONS: "" } });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited ${result.status}\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

function sh2(cwd: string, command: string, args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "", ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function project(name: string, install: string[], files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `consumer-${name}`, private: true, version: "0.0.0" }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  sh(dir, "npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...install]);
  return dir;
}

/** A consumer's strictest settings: the declarations themselves are checked. */
const TSCONFIG = JSON.stringify({
  compilerOptions: { strict: true, skipLibCheck: false, module: "nodenext", moduleResolution: "nodenext", target: "ES2022", types: ["node"], noEmit: true },
  include: ["*.ts"],
});
/** The same under the resolution of Pulumi's TypeScript template (module commonjs, moduleResolution node): "exports" is not read, typesVersions is. */
const TSCONFIG_NODE10 = JSON.stringify({
  compilerOptions: { strict: true, skipLibCheck: false, module: "commonjs", moduleResolution: "node", target: "ES2022", types: ["node"], noEmit: true, esModuleInterop: true },
  include: ["*.ts"],
});
const exact = (name: string) => `${name}@${pkg.devDependencies[name]}`;

/** Each side's entry, the one provider SDK its project installs, and what it must export. */
const SIDES = [
  { side: "okta", sdk: "@pulumi/okta", components: ["AuthorizationServer", "ServiceApp", "TokenHook"] },
  { side: "aws", sdk: "@pulumi/aws", components: ["OidcProvider", "ServiceRole"] },
  { side: "gcp", sdk: "@pulumi/gcp", components: ["WorkloadIdentityPool", "ServiceAccess"] },
  { side: "azure", sdk: "@pulumi/azure-native", components: ["ServiceIdentity"] },
] as const;
const SDKS = SIDES.map((s) => s.sdk);

/** The provider SDKs installed in a project (node_modules/@pulumi/*), to prove a project has only its own. */
function installedSdks(dir: string): string[] {
  const scope = join(dir, "node_modules", "@pulumi");
  return existsSync(scope) ? readdirSync(scope).map((p) => `@pulumi/${p}`).filter((p) => (SDKS as readonly string[]).includes(p)) : [];
}

/**
 * A consumer's Pulumi program run under @pulumi/pulumi's mocks: every resource registered is listed,
 * stack references answer with `FEDERATION_OUTPUTS`, and the program's outputs are printed.
 */
const MOCK_RUN = [
  'import * as pulumi from "@pulumi/pulumi";',
  "const federationOutputs = JSON.parse(process.env.FEDERATION_OUTPUTS ?? \"{}\") as Record<string, unknown>;",
  "const registered: string[] = [];",
  "pulumi.runtime.setMocks(",
  "  {",
  "    newResource: (args) => {",
  "      registered.push(`${args.type}::${args.name}`);",
  '      if (args.type === "pulumi:pulumi:StackReference") return { id: args.name, state: { outputs: federationOutputs } };',
  "      return { id: `${args.name}-id`, state: { ...args.inputs, arn: `arn:aws:iam::111111111111:x/${args.name}` } };",
  "    },",
  "    call: (args) => args.inputs,",
  "  },",
  "  process.env.MOCK_PROJECT!,",
  '  "dev",',
  "  false,",
  ");",
  "async function main(): Promise<void> {",
  '  const program = (await import("./index")).default as unknown as () => Record<string, pulumi.Input<unknown>>;',
  "  const outputs = await new Promise<unknown>((done) => pulumi.output(program()).apply(done));",
  "  process.stdout.write(JSON.stringify({ registered: registered.sort(), outputs }));",
  "}",
  "main().catch((error: Error) => {",
  "  process.stderr.write(`${error.stack ?? error.message}\\n`);",
  "  process.exit(1);",
  "});",
  "",
].join("\n");

async function main(): Promise<void> {
  step(`packing into ${work}`);
  const tarball = join(work, sh(ROOT, "npm", ["pack", "--silent", "--pack-destination", work]).trim().split("\n").pop()!);
  const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
  const sideFiles = SIDES.flatMap((s) => [`package/dist/components/${s.side}/index.js`, `package/dist/components/${s.side}/index.d.ts`]);
  for (const required of ["package/dist/workload/cli.js", "package/dist/components/index.d.ts", "package/dist/workload/index.d.ts", "package/LICENSE", "package/README.md", ...sideFiles]) {
    if (!listing.includes(required)) throw new Error(`the package lacks ${required}`);
  }
  const stray = listing.filter((f) => /^package\/(test|stacks|tools|dev|\.scratch|node_modules)\//.test(f));
  if (stray.length > 0) throw new Error(`the package holds files that are not for users: ${stray.slice(0, 5).join(", ")}`);
  step(`${listing.filter(Boolean).length} files in ${tarball.split("/").pop()}`);

  // --- The workload side: the tarball alone. ---
  const workload = project("workload", [tarball, exact("typescript"), exact("@types/node")], {
    "tsconfig.json": TSCONFIG,
    "program.ts": [
      'import { credentialArtifact, fetchToken, generateServiceKey, parseStackOutputs, type FetchedToken } from "okta-federation/workload";',
      'const pair = generateServiceKey("payments-1");',
      "const kid: string = pair.publicJwk.kid;",
      'const token: Promise<FetchedToken> = fetchToken({ issuer: "https://acme.okta.com/oauth2/aus1", clientId: "0oa1", privateKeyFile: "key.pem", scopes: ["api.read"] });',
      'const outputs = parseStackOutputs("{}", "x").outputs;',
      'const artifact = credentialArtifact(outputs, { label: "stack dev" }, { service: "payments", cloud: "aws" });',
      "export { kid, token, artifact };",
      "",
    ].join("\n"),
  });
  if (existsSync(join(workload, "node_modules", "@pulumi"))) throw new Error("installing the package for a workload pulled in Pulumi packages");
  sh(workload, "npx", ["tsc", "-p", "."]);
  step("workload project: installed without Pulumi; okta-federation/workload type-checks with skipLibCheck false");

  const keygenOut = sh(workload, "npx", ["--no-install", "okta-federation", "keygen", "--service", "payments", "--kid", "payments-1", "--out", "payments.pem"]);
  const jwk = (parse(keygenOut) as { auth: { jwks: Record<string, string>[] } }).auth.jwks[0]!;
  if ((statSync(join(workload, "payments.pem")).mode & 0o777) !== 0o600) throw new Error("keygen's private key file is not 0600");
  step(`npx --no-install okta-federation keygen: key ${jwk.kid} written 0600, public JWK printed`);

  // A real OAuth server (oidc-provider, as in the test suite) that knows only the printed public key.
  const serverKey = await generateKeyPair("RS256", { extractable: true });
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const server = createServer((req, res) => handler(req, res));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/aus-check`;
  const specifier = "oidc-provider";
  const { default: Provider } = (await import(specifier)) as { default: new (issuer: string, config: Record<string, unknown>) => { callback(): (req: IncomingMessage, res: ServerResponse) => void } };
  const serverJwk = { ...(await exportJWK(serverKey.privateKey)), kid: "server-1", use: "sig", alg: "RS256" };
  const provider = new Provider(issuer, {
    clients: [{ client_id: "0oapayments", token_endpoint_auth_method: "private_key_jwt", token_endpoint_auth_signing_alg: "RS256", jwks: { keys: [jwk] }, grant_types: ["client_credentials"], response_types: [], redirect_uris: [], scope: "api.read" }],
    jwks: { keys: [serverJwk] },
    routes: { token: "/v1/token", jwks: "/v1/keys" },
    scopes: ["api.read"],
    ttl: { ClientCredentials: 600 },
    features: { devInteractions: { enabled: false }, clientCredentials: { enabled: true }, resourceIndicators: { enabled: true, defaultResource: () => "api://services-check", getResourceServerInfo: () => ({ scope: "api.read", audience: "api://services-check", accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } } }) } },
  });
  const callback = provider.callback();
  const prefix = new URL(issuer).pathname;
  handler = (req, res) => {
    // Mounted at the issuer's path; oidc-provider derives the token endpoint URL (the assertion's aud) from originalUrl.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
    req.url = req.url!.slice(prefix.length) || "/";
    callback(req, res);
  };
  // Asynchronously: this process serves the token endpoint while the command runs.
  const child = spawn("npx", ["--no-install", "okta-federation", "token", "--issuer", issuer, "--client-id", "0oapayments", "--private-key-file", "payments.pem", "--key-id", "payments-1", "--scopes", "api.read", "--token-file", "token"], {
    cwd: workload,
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const [code] = (await once(child, "close")) as [number];
  server.close();
  if (code !== 0) throw new Error(`npx okta-federation token exited ${code}: ${stderr}`);
  const { payload } = await jwtVerify(readFileSync(join(workload, "token"), "utf8"), createLocalJWKSet({ keys: [{ ...(await exportJWK(serverKey.publicKey)), kid: "server-1", alg: "RS256" }] }));
  step(`npx --no-install okta-federation token: token for ${payload.client_id ?? payload.sub} written (mode ${(statSync(join(workload, "token")).mode & 0o777).toString(8)})`);

  const plan = sh(ROOT, "npm", ["run", "-s", "plan", "--", "--stack-file", join(ROOT, "test", "fixtures", "stacks", "Pulumi.dev.yaml"), "--json"]);
  writeFileSync(join(workload, "outputs.json"), plan);
  const env = sh(workload, "npx", ["--no-install", "okta-federation", "credentials", "--outputs", "outputs.json", "--service", "payments", "--cloud", "aws"]);
  if (!/^AWS_ROLE_ARN=arn:aws:iam::\d{12}:role\/.+\nAWS_WEB_IDENTITY_TOKEN_FILE=/.test(env)) throw new Error(`unexpected credentials output: ${env}`);
  const piped = sh(workload, "npx", ["--no-install", "okta-federation", "credentials", "--outputs", "-", "--service", "payments", "--cloud", "aws"], plan);
  if (piped !== env) throw new Error("credentials --outputs - differs from the file");
  step("npx --no-install okta-federation credentials --outputs FILE and --outputs - print the AWS settings");

  // --- The Pulumi side: the library with its Pulumi peers. ---
  const peers = Object.keys(pkg.peerDependencies).map(exact);
  const library = project("library", [tarball, ...peers, exact("typescript"), exact("@types/node")], {
    "tsconfig.json": TSCONFIG,
    "program.ts": [
      'import * as okta from "okta-federation";',
      'import { AZURE_BUILTIN_ROLES, Federation, LIMITS, ServiceRole, parseFederationConfig, readFederation, type FederationArgs, type FederationOutputsV1 } from "okta-federation";',
      // The organisation layout's parts (docs/organisation.md#in-your-own-program).
      'import { PLATFORM_CONFIG_KEY, PLATFORM_CONTRACT_VERSION, PLATFORM_OUTPUT, Platform, TEAM_CONFIG_KEY, parsePlatformConfig, parseTeamConfig, parseTeamHeader, readPlatformContract, toPlatformOutputs } from "okta-federation";',
      'import type { PlatformArgs, PlatformConfig, PlatformOutputsV1, TeamBinding, TeamConfig, TeamHeader } from "okta-federation";',
      "const lifetime: number = LIMITS.okta.tokenLifetimeMinutes.max;",
      'const reader: string = AZURE_BUILTIN_ROLES["Reader"]!;',
      "type Args = FederationArgs;",
      "type Outputs = FederationOutputsV1;",
      "const platformOutput: string = PLATFORM_OUTPUT;",
      "const contractVersion: 1 = PLATFORM_CONTRACT_VERSION;",
      "const configKeys: string[] = [PLATFORM_CONFIG_KEY, TEAM_CONFIG_KEY];",
      'const platformArgs = (config: PlatformConfig): PlatformArgs => ({ config, tokenHookAuthorization: "hook-secret" });',
      "const teamArgs = (team: TeamConfig): FederationArgs => ({ config: team.federation, team: team.binding satisfies TeamBinding });",
      "const teamHeader = (raw: unknown): TeamHeader => parseTeamHeader(raw);",
      "const issuerOf = (contract: PlatformOutputsV1): string => contract.okta.issuerUrl;",
      "export { okta, Federation, ServiceRole, parseFederationConfig, readFederation, lifetime, reader, type Args, type Outputs };",
      "export { Platform, toPlatformOutputs, parsePlatformConfig, parseTeamConfig, readPlatformContract, platformOutput, contractVersion, configKeys, platformArgs, teamArgs, teamHeader, issuerOf };",
      "",
    ].join("\n"),
  });
  sh(library, "npx", ["tsc", "-p", "."]);
  writeFileSync(join(library, "tsconfig.node10.json"), TSCONFIG_NODE10);
  sh(library, "npx", ["tsc", "-p", "tsconfig.node10.json"]);
  step(`library project (${peers.join(", ")}): okta-federation type-checks with skipLibCheck false (nodenext and node resolution)`);

  // --- One side only: the tarball with @pulumi/pulumi and that side's provider SDK. ---
  for (const { side, sdk, components } of SIDES) {
    const others = SDKS.filter((s) => s !== sdk);
    const dir = project(`only-${side}`, [tarball, exact("@pulumi/pulumi"), exact(sdk), exact("typescript"), exact("@types/node")], {
      "tsconfig.json": TSCONFIG,
      "tsconfig.node10.json": TSCONFIG_NODE10,
      "program.ts": [
        `import { ${components.join(", ")}, readFederation, type FederationOutputsV1 } from "okta-federation/${side}";`,
        `export { ${components.join(", ")}, readFederation, type FederationOutputsV1 };`,
        "",
      ].join("\n"),
      "check.js": [
        `const side = require("okta-federation/${side}");`,
        `for (const name of ${JSON.stringify([...components, "readFederation"])}) if (typeof side[name] !== "function") throw new Error("okta-federation/${side} lacks " + name);`,
        "// The root entry loads every side: here it must fail for want of another side's SDK.",
        'let root; try { require("okta-federation"); root = "loaded"; } catch (e) { root = e.code + ": " + e.message.split("\\n")[0]; }',
        "process.stdout.write(JSON.stringify({ exports: Object.keys(side).sort(), root }));",
        "",
      ].join("\n"),
    });
    const sdks = installedSdks(dir);
    if (sdks.join() !== sdk) throw new Error(`the ${side} project has provider SDKs ${sdks.join(", ") || "none"}, expected ${sdk} only`);
    const { exports, root } = JSON.parse(sh(dir, "node", ["check.js"])) as { exports: string[]; root: string };
    if (!/^MODULE_NOT_FOUND: Cannot find module '@pulumi\/(okta|aws|gcp|azure-native)[/']/.test(root)) throw new Error(`in the ${side} project, require("okta-federation") should fail for want of another SDK; got ${root}`);
    sh(dir, "npx", ["tsc", "-p", "."]);
    sh(dir, "npx", ["tsc", "-p", "tsconfig.node10.json"]);
    step(`${side} project (@pulumi/pulumi, ${sdk}; not ${others.join(", ")}): require("okta-federation/${side}") gives ${exports.join(", ")}; type-checks (nodenext and node resolution, skipLibCheck false); the root entry fails there as documented`);
  }

  // --- The examples, each as its own project from its own package.json. ---
  const federationOutputs = (JSON.parse(plan) as { outputs: unknown }).outputs;
  // The Node.js examples: every folder with TypeScript in it (examples in other languages have none).
  const nodeExamples = readdirSync(join(ROOT, "examples"), { withFileTypes: true })
    .filter((e) => e.isDirectory() && readdirSync(join(ROOT, "examples", e.name)).some((f) => f.endsWith(".ts")))
    .map((e) => e.name)
    .sort();
  for (const example of nodeExamples) {
    const source = join(ROOT, "examples", example);
    if (!existsSync(join(source, "package.json"))) throw new Error(`examples/${example} has no package.json of its own`);
    const dir = join(work, `example-${example}`);
    cpSync(source, dir, { recursive: true, filter: (f) => !f.includes("node_modules") });
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    if (manifest.dependencies?.["okta-federation"] !== undefined) manifest.dependencies["okta-federation"] = `file:${tarball}`;
    writeFileSync(join(dir, "package.json"), JSON.stringify(manifest, null, 2));
    sh(dir, "npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"]);
    const sdks = installedSdks(dir);
    sh(dir, "npx", ["tsc", "-p", "."]);
    let ran = "";
    if (existsSync(join(dir, "Pulumi.yaml"))) {
      const name = /^name:\s*(\S+)/m.exec(readFileSync(join(dir, "Pulumi.yaml"), "utf8"))![1]!;
      const config = parse(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
      writeFileSync(join(dir, "mock-run.ts"), MOCK_RUN);
      const run = sh2(dir, "node", ["--import", "tsx", "mock-run.ts"], {
        MOCK_PROJECT: name,
        PULUMI_CONFIG: JSON.stringify(Object.fromEntries(Object.entries(config.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]))),
        FEDERATION_OUTPUTS: JSON.stringify(federationOutputs),
      });
      if (run.status !== 0) throw new Error(`examples/${example} under Pulumi's mocks exited ${run.status}\n${run.stdout}\n${run.stderr}`);
      const { registered, outputs } = JSON.parse(run.stdout) as { registered: string[]; outputs: Record<string, unknown> };
      if (!registered.some((r) => r.startsWith("aws:iam/role:Role::"))) throw new Error(`examples/${example} registered no IAM role: ${registered.join(", ")}`);
      ran = `; runs under Pulumi's mocks: ${registered.length} resources, outputs ${Object.keys(outputs).join(", ")}`;
    }
    step(`examples/${example} (${Object.keys(manifest.dependencies ?? {}).join(", ")}; provider SDKs installed: ${sdks.join(", ") || "none"}): type-checks${ran}`);
  }
  step("passed");
}

main().then(
  () => {
    // About 2 GB of projects (each with its own Pulumi SDKs); kept only when a check fails, to look into.
    rmSync(work, { recursive: true, force: true });
    process.exit(0);
  },
  (error) => {
    process.stderr.write(`check-package: FAILED\n${(error as Error).message}\n`);
    process.exit(1);
  },
);
