/**
 * `okta-federation smoke`, the workload package's smoke check (a command of its dispatcher), against the sandbox (a real OAuth server for Okta, emulators for AWS STS, GCP STS and
 * IAM Credentials, Entra ID) on loopback: its exchanges are plain HTTP requests (no cloud SDK), and
 * each cloud's refusal is reported with its code and the knob behind it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack, planToJson } from "../../tools/offline/plan";
import { materialize } from "../../tools/sandbox/materialize";
import { startSandbox, type Sandbox } from "../../tools/sandbox/run";
import type { PlanDocument } from "../../tools/verify/model";
import { main as bin } from "../../workload/cli";
import { SMOKE_USAGE, smokeCommand } from "../../workload/smoke";
import { fixtureStack } from "../helpers/stacks";

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox(materialize(planToJson(await planStack(fixtureStack("dev"))) as unknown as PlanDocument));
}, 120_000);

afterAll(async () => {
  await sandbox?.stop();
});

/** Runs `okta-federation smoke` for `service` with the sandbox's endpoints, over `edit`ed outputs. */
async function smoke(service: string, edit: (outputs: any) => void = () => undefined, ...extra: string[]) {
  const outputs = structuredClone(sandbox.plan.outputs) as any;
  edit(outputs);
  const file = join(sandbox.dir, `outputs-${service}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(outputs));
  const client = sandbox.issuers.flatMap((i) => i.clients).find((c) => c.app === `federation-${service}-app`)!;
  let stdout = "";
  let stderr = "";
  const endpoints = ["--aws-sts-endpoint", sandbox.sts!.url, "--gcp-sts-endpoint", sandbox.gcp!.sts.url, "--gcp-iamcredentials-endpoint", sandbox.gcp!.iamCredentials.url, "--entra-endpoint", sandbox.entra!.url];
  const code = await smokeCommand(
    ["--outputs", file, "--service", service, "--private-key-file", client.privateKeyFile, "--key-id", client.kid, "--scopes", client.scopes.join(" "), ...endpoints, ...extra],
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) },
    // The sandbox's Okta answers at its real https issuer only through the sandbox's network.
    { fetch: sandbox.network.fetch },
  );
  return { code, lines: stdout.trim().split("\n"), stderr };
}

describe("okta-federation smoke", () => {
  it("is a command of the workload package", async () => {
    let out = "";
    expect(await bin(["--help"], { stdout: (t) => void (out += t), stderr: () => undefined })).toBe(0);
    expect(out).toContain("  smoke       after deploy: get the service's real token, check it and exchange it at each cloud it uses\n");
    out = "";
    expect(await bin(["smoke", "--help"], { stdout: (t) => void (out += t), stderr: () => undefined })).toBe(0);
    expect(out).toBe(`${SMOKE_USAGE}\n`);
  });

  it("a sound deployment: the token, and each cloud's exchange over plain HTTP, with what each returned", async () => {
    const { code, lines, stderr } = await smoke("payments");
    expect([code, stderr]).toEqual([0, ""]);
    expect(lines.filter((l) => l.startsWith("FAIL"))).toEqual([]);
    const clouds = lines.filter((l) => / (AWS|GCP|Entra) /.test(l));
    expect(clouds).toHaveLength(3);
    expect(clouds[0]).toMatch(/^ok {4}AWS STS AssumeRoleWithWebIdentity arn:aws:iam::111111111111:role\/oktafed\/dev-payments: credentials for arn:aws:iam::111111111111:role\/oktafed\/dev-payments \(ASIA.{4}…, expires \d{4}-/);
    expect(clouds[1]).toMatch(/^ok {4}GCP STS projects\/\d+\/locations\/global\/workloadIdentityPools\/okta-dev\/providers\/okta: impersonates dev-payments@acme-dev-example\.iam\.gserviceaccount\.com$/);
    expect(clouds[2]).toMatch(/^ok {4}Entra ID managed identity [0-9a-f-]{36}: token for managed identity [0-9a-f-]{36}$/);
    expect(lines.at(-1)).toBe("smoke: service payments passed");
  });

  it("a service with direct GCP grants gets a federated token", async () => {
    const { code, lines } = await smoke("reporting");
    expect(code).toBe(0);
    expect(lines.filter((l) => l.includes("GCP STS"))[0]).toMatch(/: federated token for the service's principal \(direct grants\)$/);
  });

  it("GCP: an impersonation the trust does not grant is refused with PERMISSION_DENIED and the knob", async () => {
    const { code, lines } = await smoke("payments", (o) => {
      const config = o.services.payments.gcp.credentialConfig;
      config.service_account_impersonation_url = config.service_account_impersonation_url.replace("dev-payments@", "dev-someone-else@");
    });
    expect(code).toBe(1);
    expect(lines.filter((l) => l.startsWith("FAIL"))).toEqual([
      expect.stringMatching(
        /^FAIL {2}GCP STS .*: PERMISSION_DENIED: Permission 'iam\.serviceAccounts\.getAccessToken' denied on resource \(or it may not exist\)\. {2}\[knob: services\.payments\.gcp\.serviceAccount \(the impersonation grant names this service's principal\)\]$/,
      ),
    ]);
  });

  it("GCP: a provider that does not exist is refused by STS (invalid_target)", async () => {
    const { lines } = await smoke("payments", (o) => {
      const config = o.services.payments.gcp.credentialConfig;
      config.audience = config.audience.replace("/providers/okta", "/providers/nope");
    });
    expect(lines.filter((l) => l.startsWith("FAIL"))).toEqual([expect.stringMatching(/^FAIL {2}GCP STS .*: invalid_target: .* {2}\[knob: gcp\.project, gcp\.poolId, gcp\.providerId/)]);
  });

  it("Entra ID: another identity's client id is refused with its AADSTS code and the knob", async () => {
    const { code, lines } = await smoke("payments", (o) => {
      o.services.payments.azure.clientId = o.services["billing-export"].azure.clientId;
    });
    expect(code).toBe(1);
    expect(lines.filter((l) => l.startsWith("FAIL"))).toEqual([
      expect.stringMatching(/^FAIL {2}Entra ID managed identity .*: AADSTS700213: .*presented assertion subject .* {2}\[knob: services\.payments\.azure \(the federated credential's subject is this service's client id\)\]$/),
    ]);
  });

  it("AWS: another service's role is refused with AccessDenied and the knob", async () => {
    const { lines } = await smoke("payments", (o) => {
      o.services.payments.aws.roleArn = o.services["billing-export"].aws.roleArn;
    });
    expect(lines.filter((l) => l.startsWith("FAIL"))).toEqual([
      expect.stringMatching(/^FAIL {2}AWS STS AssumeRoleWithWebIdentity .*dev-billing-export: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity {2}\[knob: services\.payments\.aws /),
    ]);
  });

  it("an unreachable cloud is a failure naming the network error, not a crash", async () => {
    // Port 9 on loopback (discard) refuses connections; the last --gcp-sts-endpoint wins.
    const { code, lines } = await smoke("reporting", () => undefined, "--gcp-sts-endpoint", "http://127.0.0.1:9");
    expect(code).toBe(1);
    expect(lines.filter((l) => l.startsWith("FAIL"))).toEqual([expect.stringMatching(/^FAIL {2}GCP STS .*: network_error: /)]);
  });
});
