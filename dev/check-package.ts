/**
 * The package as its users get it: packs it, installs the tarball in two fresh projects, and checks
 *  - a workload project (the tarball alone): no Pulumi package is installed; the `okta-federation`
 *    command creates a key pair (keygen), gets a token from a real OAuth server that knows only the
 *    printed public JWK (token), and prints credentials from stack outputs (credentials --outputs);
 *    a TypeScript program importing okta-federation/workload type-checks with skipLibCheck false;
 *  - a Pulumi project (the tarball and the Pulumi packages at this repo's versions): a program
 *    importing the library type-checks with skipLibCheck false.
 * Run by .ci/run (`npm run check:package`); it installs from the npm cache where it can.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync, statSync } from "node:fs";
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
const exact = (name: string) => `${name}@${pkg.devDependencies[name]}`;

async function main(): Promise<void> {
  step(`packing into ${work}`);
  const tarball = join(work, sh(ROOT, "npm", ["pack", "--silent", "--pack-destination", work]).trim().split("\n").pop()!);
  const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
  for (const required of ["package/dist/workload/cli.js", "package/dist/components/index.d.ts", "package/dist/workload/index.d.ts", "package/LICENSE", "package/README.md"]) {
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

  const keygenOut = sh(workload, "npx", ["okta-federation", "keygen", "--service", "payments", "--kid", "payments-1", "--out", "payments.pem"]);
  const jwk = (parse(keygenOut) as { auth: { jwks: Record<string, string>[] } }).auth.jwks[0]!;
  if ((statSync(join(workload, "payments.pem")).mode & 0o777) !== 0o600) throw new Error("keygen's private key file is not 0600");
  step(`npx okta-federation keygen: key ${jwk.kid} written 0600, public JWK printed`);

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
  const child = spawn("npx", ["okta-federation", "token", "--issuer", issuer, "--client-id", "0oapayments", "--private-key-file", "payments.pem", "--key-id", "payments-1", "--scopes", "api.read", "--token-file", "token"], {
    cwd: workload,
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const [code] = (await once(child, "close")) as [number];
  server.close();
  if (code !== 0) throw new Error(`npx okta-federation token exited ${code}: ${stderr}`);
  const { payload } = await jwtVerify(readFileSync(join(workload, "token"), "utf8"), createLocalJWKSet({ keys: [{ ...(await exportJWK(serverKey.publicKey)), kid: "server-1", alg: "RS256" }] }));
  step(`npx okta-federation token: token for ${payload.client_id ?? payload.sub} written (mode ${(statSync(join(workload, "token")).mode & 0o777).toString(8)})`);

  const plan = sh(ROOT, "npm", ["run", "-s", "plan", "--", "--stack-file", join(ROOT, "test", "fixtures", "stacks", "Pulumi.dev.yaml"), "--json"]);
  writeFileSync(join(workload, "outputs.json"), plan);
  const env = sh(workload, "npx", ["okta-federation", "credentials", "--outputs", "outputs.json", "--service", "payments", "--cloud", "aws"]);
  if (!/^AWS_ROLE_ARN=arn:aws:iam::\d{12}:role\/.+\nAWS_WEB_IDENTITY_TOKEN_FILE=/.test(env)) throw new Error(`unexpected credentials output: ${env}`);
  const piped = sh(workload, "npx", ["okta-federation", "credentials", "--outputs", "-", "--service", "payments", "--cloud", "aws"], plan);
  if (piped !== env) throw new Error("credentials --outputs - differs from the file");
  step("npx okta-federation credentials --outputs FILE and --outputs - print the AWS settings");

  // --- The Pulumi side: the library with its Pulumi peers. ---
  const peers = Object.keys(pkg.peerDependencies).map(exact);
  const library = project("library", [tarball, ...peers, exact("typescript"), exact("@types/node")], {
    "tsconfig.json": TSCONFIG,
    "program.ts": [
      'import * as okta from "okta-federation";',
      'import { AZURE_BUILTIN_ROLES, Federation, LIMITS, ServiceRole, parseFederationConfig, readFederation, type FederationArgs, type FederationOutputsV1 } from "okta-federation";',
      "const lifetime: number = LIMITS.okta.tokenLifetimeMinutes.max;",
      'const reader: string = AZURE_BUILTIN_ROLES["Reader"]!;',
      "type Args = FederationArgs;",
      "type Outputs = FederationOutputsV1;",
      "export { okta, Federation, ServiceRole, parseFederationConfig, readFederation, lifetime, reader, type Args, type Outputs };",
      "",
    ].join("\n"),
  });
  sh(library, "npx", ["tsc", "-p", "."]);
  step(`library project (${peers.join(", ")}): okta-federation type-checks with skipLibCheck false`);
  step("passed");
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`check-package: FAILED\n${(error as Error).message}\n`);
    process.exit(1);
  },
);
