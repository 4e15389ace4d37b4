/**
 * The workload package's commands (`okta-federation keygen | credentials | token`), in-process:
 * keygen's files and printed config, credentials from a deployed stack's outputs, the dispatcher.
 * The token command itself is tested against a real OAuth server in test/credentials/okta-token.test.ts.
 */
import { spawnSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importJWK, jwtVerify } from "jose";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { parseFederationConfig } from "../../components/config";
import { redact } from "../../tools/offline/engine";
import { planStack, planToJson } from "../../tools/offline/plan";
import { main as bin } from "../../workload/cli";
import { credentialsCommand } from "../../workload/credentials";
import { KEYGEN_USAGE, keygenCommand, privateKeyExposure } from "../../workload/keygen";
import { PROJECT_ROOT } from "../../tools/offline/stackFile";
import { createClientAssertion, loadPrivateKey } from "../../workload/token";
import { baseConfig } from "../helpers/fixtures";
import { runCli } from "../helpers/cli";
import { fixtureStack } from "../helpers/stacks";

const dir = mkdtempSync(join(tmpdir(), "oktafed-workload-"));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe("okta-federation keygen", () => {
  const fixedClock = () => new Date("2026-11-29T12:00:00Z");
  const keygen = (...argv: string[]) => {
    let stdout = "";
    let stderr = "";
    return keygenCommand(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, fixedClock).then((code) => ({ code, stdout, stderr }));
  };

  it("writes the private key (0600) and prints the service's auth block, which the config accepts", async () => {
    const out = join(dir, "payments.pem");
    const { code, stdout, stderr } = await keygen("--service", "payments", "--out", out);
    expect(code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const pem = readFileSync(out, "utf8");
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(stdout).not.toContain("PRIVATE");
    const block = parse(stdout);
    expect(Object.keys(block)).toEqual(["auth"]);
    expect(block.auth.method).toBe("private_key_jwt");
    expect(block.auth.jwks).toHaveLength(1);
    const jwk = block.auth.jwks[0];
    expect(Object.keys(jwk)).toEqual(["kid", "kty", "e", "n"]);
    expect(jwk).toMatchObject({ kid: "payments-2026-11-29", kty: "RSA", e: "AQAB" });
    // The printed public key is the private key's own.
    expect(createPublicKey(pem).export({ format: "jwk" }).n).toBe(jwk.n);
    expect(Buffer.from(jwk.n, "base64url").length).toBe(256);
    // Pasted under services.payments, the config validates.
    const config = baseConfig();
    config.services.payments.auth = block.auth;
    expect(parseFederationConfig(config).services.payments!.auth).toMatchObject({ method: "private_key_jwt" });
    expect(stderr).toBe(
      [
        `private key written to ${out} (mode 0600): give it to the workload only, as a secret; never commit it.`,
        "paste the auth block under services.payments in the stack config (to rotate, add only the new jwks entry beside the current one),",
        `deploy, then run the workload with: okta-federation token --private-key-file ${out} --key-id payments-2026-11-29 …`,
        "",
      ].join("\n"),
    );
  });

  it("the key signs client assertions that its printed JWK verifies", async () => {
    const out = join(dir, "ledger.pem");
    const { stdout } = await keygen("--service", "ledger", "--kid", "ledger-2", "--out", out, "--format", "json", "--bits", "3072");
    const jwk = JSON.parse(stdout);
    expect(jwk.kid).toBe("ledger-2");
    expect(Buffer.from(jwk.n, "base64url").length).toBe(384);
    const { key, kid } = loadPrivateKey(readFileSync(out, "utf8"), "ledger-2");
    const assertion = await createClientAssertion({ clientId: "0oa1", tokenEndpoint: "https://acme.okta.com/oauth2/aus1/v1/token", key, kid, nowSeconds: Math.floor(Date.now() / 1000) });
    const { protectedHeader, payload } = await jwtVerify(assertion, await importJWK(jwk, "RS256"));
    expect(protectedHeader.kid).toBe("ledger-2");
    expect(payload.sub).toBe("0oa1");
  });

  it("never overwrites a key file, and says why", async () => {
    const out = file("existing.pem", "keep me");
    const { code, stdout, stderr } = await keygen("--service", "payments", "--out", out);
    expect([code, stdout, stderr]).toEqual([1, "", `error: cannot write the private key to ${out}: the file exists (an existing key is never overwritten; choose another --out)\n`]);
    expect(readFileSync(out, "utf8")).toBe("keep me");
  });

  describe("never where git would commit it", () => {
    /** A fresh git work tree with the given .gitignore (none when undefined). */
    const repo = (gitignore?: string) => {
      const root = mkdtempSync(join(tmpdir(), "oktafed-keygen-repo-"));
      expect(spawnSync("git", ["init", "-q", root]).status).toBe(0);
      if (gitignore !== undefined) writeFileSync(join(root, ".gitignore"), gitignore);
      return root;
    };

    it("refuses a path inside a git work tree that git does not ignore, and writes nothing", async () => {
      const root = repo();
      mkdirSync(join(root, "keys"));
      const out = join(root, "keys", "payments.pem");
      const { code, stdout, stderr } = await keygen("--service", "payments", "--out", out);
      expect([code, stdout]).toEqual([1, ""]);
      expect(stderr).toBe(
        `error: refusing to write the private key to ${out}: it is inside the git work tree ${root} and not git-ignored, so \`git add .\` would commit it; write it outside the repository (--out /secure/place/<kid>.pem) or git-ignore the path first (e.g. *.pem in .gitignore)\n`,
      );
      expect(existsSync(out)).toBe(false);
    });

    it("the default ./<kid>.pem inside a work tree is refused too, unless ignored", async () => {
      const root = repo("*.log\n");
      const cwd = process.cwd();
      process.chdir(root);
      try {
        const refused = await keygen("--service", "payments");
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain("refusing to write the private key to payments-2026-11-29.pem: it is inside the git work tree");
        expect(existsSync(join(root, "payments-2026-11-29.pem"))).toBe(false);
        writeFileSync(join(root, ".gitignore"), "*.log\n*.pem\n");
        const written = await keygen("--service", "payments");
        expect(written.code).toBe(0);
        expect(statSync(join(root, "payments-2026-11-29.pem")).mode & 0o777).toBe(0o600);
      } finally {
        process.chdir(cwd);
      }
    });

    it("a git-ignored path in a work tree, and any path outside one, are written", async () => {
      const root = repo("secrets/\n");
      mkdirSync(join(root, "secrets"));
      expect(privateKeyExposure(join(root, "secrets", "k.pem"))).toBeUndefined();
      expect((await keygen("--service", "payments", "--out", join(root, "secrets", "k.pem"))).code).toBe(0);
      expect(privateKeyExposure(join(dir, "outside.pem"))).toBeUndefined();
    });

    it("this repository's .gitignore ignores what keygen writes and the private keys the token command reads", () => {
      for (const path of ["payments-2026-11-29.pem", "stacks/payments.pem", "payments.key", "payments-private.jwk.json"]) {
        expect(privateKeyExposure(join(PROJECT_ROOT, path)), path).toBeUndefined();
      }
      expect(privateKeyExposure(join(PROJECT_ROOT, "payments.txt"))).toContain("not git-ignored");
    });
  });

  it.each([
    [[], "--service is required"],
    [["--service", "Pay_ments"], "--service Pay_ments is not a service key (a-z, 0-9 and '-', starting with a letter)"],
    [["--service", "payments", "--bits", "1024"], "--bits 1024 is not allowed; allowed: 2048, 3072, 4096"],
    [["--service", "payments", "--format", "pem"], "--format pem is not allowed; allowed: yaml, json"],
    [["--service", "payments", "--kid", "has space"], "--kid must be 1-64 printable characters without spaces"],
  ])("%j is a usage error", async (argv, message) => {
    expect(await keygen(...argv)).toEqual({ code: 2, stdout: "", stderr: `error: ${message}\n${KEYGEN_USAGE}\n` });
  });
});

describe("okta-federation credentials --outputs", () => {
  let deployed: any;
  let deployedFile: string;
  let planFile: string;

  beforeAll(async () => {
    const plan = await planStack(fixtureStack("dev"));
    planFile = file("dev-plan.json", JSON.stringify(planToJson(plan)));
    // What `pulumi stack output --json` prints after deploy: the same contract with real values
    // where the plan has placeholders.
    let n = 0;
    const real = new Map<string, string>();
    const text = JSON.stringify(redact(plan.outputs)).replace(/<[^<>"]+\.([A-Za-z]+)>/g, (placeholder, property: string) => {
      if (!real.has(placeholder)) real.set(placeholder, property === "projectNumber" ? `12345678901${n++}` : `${property}-${n++}`);
      return real.get(placeholder)!;
    });
    deployed = JSON.parse(text);
    deployedFile = file("dev-outputs.json", text);
  });

  const credentials = (...argv: string[]) => runCli(credentialsCommand, ...argv);

  it("builds the GCP external_account config from a deployed stack's outputs, with no placeholder note", async () => {
    const { code, stdout, stderr } = await credentials("--outputs", deployedFile, "--service", "payments", "--cloud", "gcp");
    expect(code).toBe(0);
    const gcp = deployed.services.payments.gcp;
    expect(JSON.parse(stdout)).toEqual({
      type: "external_account",
      audience: `//iam.googleapis.com/${gcp.workloadIdentityProvider}`,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: "https://sts.googleapis.com/v1/token",
      service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${gcp.serviceAccountEmail}:generateAccessToken`,
      credential_source: { file: "/var/run/secrets/okta/token", format: { type: "text" } },
    });
    expect(stdout).not.toMatch(/[<>]/);
    expect(stderr).toBe("hint: save as a file and point GOOGLE_APPLICATION_CREDENTIALS at it; keep /var/run/secrets/okta/token fresh with okta-federation token\n");
  });

  it("reads the outputs piped in with -, and names the profile after the environment", async () => {
    const text = readFileSync(deployedFile, "utf8");
    let stdout = "";
    const code = await credentialsCommand(
      ["--outputs", "-", "--service", "payments", "--cloud", "aws", "--format", "profile", "--region", "eu-west-1"],
      { stdout: (t) => void (stdout += t), stderr: () => undefined },
      async () => text,
    );
    expect(code).toBe(0);
    expect(stdout).toBe(
      `[profile payments-dev]\nrole_arn = ${deployed.services.payments.aws.roleArn}\nweb_identity_token_file = /var/run/secrets/okta/token\nregion = eu-west-1\n`,
    );
  });

  it("Azure settings from the deployed identity", async () => {
    const { code, stdout } = await credentials("--outputs", deployedFile, "--service", "payments", "--cloud", "azure");
    expect(code).toBe(0);
    const az = deployed.services.payments.azure;
    expect(stdout).toBe(`AZURE_CLIENT_ID=${az.clientId}\nAZURE_TENANT_ID=${az.tenantId}\nAZURE_FEDERATED_TOKEN_FILE=/var/run/secrets/okta/token\n`);
  });

  it("an offline plan works too, with the note that its placeholders are not real values", async () => {
    const { code, stderr } = await credentials("--outputs", planFile, "--service", "payments", "--cloud", "gcp");
    expect(code).toBe(0);
    expect(stderr.split("\n")[0]).toBe(
      "note: offline plan of stack dev: <acme-dev-example.projectNumber> is a placeholder for values known only after deploy; use the deployed stack's outputs (pulumi stack output --json) for the real values",
    );
  });

  it.each([
    ["not JSON", "{", (p: string) => `${p} is not JSON: expected the output of pulumi stack output --json (or an offline plan, npm run -s plan -- --stack <env> --json)`],
    ["another stack's outputs", '{"bucket":"x"}', (p: string) => `${p} holds no okta-federation outputs (services, or federations): expected the output of pulumi stack output --json for a stack of this kit`],
    ["a newer contract", '{"contractVersion":2,"services":{}}', (p: string) => `${p} has output contract version 2; this version of okta-federation reads version 1`],
  ])("%s exits 2 with an exact message", async (name, content, message) => {
    const path = file(`${name.replace(/\W/g, "-")}.json`, content);
    expect(await credentials("--outputs", path, "--service", "payments", "--cloud", "aws")).toEqual({ code: 2, stdout: "", stderr: `error: ${message(path)}\n` });
  });

  it("an unknown service or a missing file exits 2", async () => {
    expect((await credentials("--outputs", deployedFile, "--service", "nope", "--cloud", "aws")).stderr).toBe(
      `error: outputs ${deployedFile} has no service "nope"; services: ${Object.keys(deployed.services).sort().join(", ")}\n`,
    );
    const absent = join(dir, "absent.json");
    expect(await credentials("--outputs", absent, "--service", "payments", "--cloud", "aws")).toEqual({ code: 2, stdout: "", stderr: `error: cannot read ${absent}: ENOENT\n` });
  });
});

describe("the okta-federation command", () => {
  it("lists its commands, and refuses an unknown one", async () => {
    const help = await runCli(bin, "--help");
    expect(help.code).toBe(0);
    expect(help.stdout.split("\n").map((l) => l.trim().split(/\s+/)[0])).toEqual(["usage:", "token", "credentials", "keygen", "smoke", ""]);
    const unknown = await runCli(bin, "login");
    expect([unknown.code, unknown.stderr.split("\n")[0]]).toEqual([2, 'error: unknown command "login"; commands: token, credentials, keygen, smoke']);
    const none = await runCli(bin);
    expect([none.code, none.stdout]).toEqual([2, ""]);
  });

  it("--version prints the package's version", async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8"));
    expect(await runCli(bin, "--version")).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("passes a command its own flags", async () => {
    const { code, stdout } = await runCli(bin, "keygen", "--help");
    expect([code, stdout]).toEqual([0, `${KEYGEN_USAGE}\n`]);
  });
});
