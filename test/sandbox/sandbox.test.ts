/**
 * The sandbox as a whole (npm run sandbox) and the post-deploy smoke check against it: every
 * fixture stack's planned exchanges succeed through the real SDK clients and every probe is denied
 * with the cloud's error; a trust broken on purpose is caught; the smoke check names the knob.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planStack, planToJson } from "../../tools/offline/plan";
import { main as sandbox } from "../../tools/sandbox";
import { main as smoke } from "../../tools/smoke";
import { materialize } from "../../tools/sandbox/materialize";
import { runSandbox, startSandbox } from "../../tools/sandbox/run";
import type { PlanDocument } from "../../tools/verify/model";
import { runCli } from "../helpers/cli";
import { fixturePath, fixtureStack } from "../helpers/stacks";

const planOf = async (stack: string) => planToJson(await planStack(fixtureStack(stack))) as unknown as PlanDocument;
const dir = mkdtempSync(join(tmpdir(), "oktafed-sandbox-test-"));

/** The plan with one service's AWS trust pinning another service's client id. */
function withPaymentsTrustPinning(plan: PlanDocument, other: string): PlanDocument {
  const copy = structuredClone(plan) as any;
  const role = copy.resources.find((r: any) => r.name === "federation-payments-aws-role");
  role.inputs.assumeRolePolicy = role.inputs.assumeRolePolicy.replaceAll("<federation-payments-app.clientId>", `<federation-${other}-app.clientId>`);
  return copy;
}

describe("npm run sandbox", () => {
  it.each([
    // prod runs through the command, below.
    // dev: 2 of the denied are each AWS session's iam:UpdateAssumeRolePolicy on the other's role.
    ["dev", 6, 26],
    ["multi", 3, 12],
    // An adopted authorization server (okta.authorizationServer.existing): tokens at the issuer the
    // plan predicts, for the audience the config names.
    ["adopted", 4, 12],
  ])("%s: every planned exchange succeeds through the SDK clients, every probe is denied, nothing unexpected", async (stack, allowed, denied) => {
    const report = await runSandbox(await planOf(stack));
    expect(report.exchanges.filter((e) => e.verdict === "UNEXPECTED").map((e) => `${e.who} -> ${e.target}`)).toEqual([]);
    expect([report.allowed, report.denied, report.unexpected]).toEqual([allowed, denied, 0]);
    // Each kind of probe was made and answered with the cloud's own code.
    const codes = new Set(report.exchanges.filter((e) => !e.outcome.ok).map((e) => (e.outcome.ok ? "" : e.outcome.code)));
    if (stack === "dev") {
      expect([...codes].sort()).toEqual(["AADSTS700211", "AADSTS700212", "AADSTS700213", "AccessDenied", "InvalidIdentityToken", "PERMISSION_DENIED", "invalid_grant", "unauthorized_client"]);
    }
  });

  it("an adopted authorization server is played at the issuer the plan predicts, with the audience the config names", async () => {
    const sandbox = await startSandbox(materialize(await planOf("adopted")));
    try {
      expect(sandbox.issuers.map((i) => [i.issuer, i.audience, i.clients.map((c) => c.app)])).toEqual([
        ["https://acme-adopt-example.okta.com/oauth2/aus1adoptedexample01", "api://services-adopted", ["federation-payments-app", "federation-reporting-app"]],
      ]);
    } finally {
      await sandbox.stop();
    }
  });

  it("as a command: prints each exchange and the summary, exit 0; a trust broken on purpose is unexpected both ways, exit 1", async () => {
    const ok = await runCli(sandbox, "--stack-file", fixturePath("prod"));
    expect(ok.code).toBe(0);
    const lines = ok.stdout.trim().split("\n");
    expect(lines[0]).toBe("SANDBOX  stack prod: Okta, AWS STS, GCP STS and Entra ID played on 127.0.0.1; the trust as planned");
    // 2 of the denied: each AWS session's iam:UpdateAssumeRolePolicy on the other service's role.
    expect(lines.at(-1)).toBe("sandbox: 5 exchanges allowed as planned, 17 denied as planned, 0 unexpected");
    expect(lines.filter((l) => /^(allowed as planned|denied as planned) {2}/.test(l))).toHaveLength(22);

    const broken = join(dir, "broken-plan.json");
    writeFileSync(broken, JSON.stringify({ kind: "okta-federation/offline-plan", ...withPaymentsTrustPinning(await planOf("dev"), "reporting") }));
    const failed = await runCli(sandbox, "--plan", broken, "--quiet");
    expect(failed.code).toBe(1);
    expect(failed.stdout.trim().split("\n").at(-1)).toMatch(/^sandbox: 5 exchanges allowed as planned, \d+ denied as planned, 2 unexpected$/);
    expect(failed.stdout.split("\n").filter((l) => l.startsWith("UNEXPECTED"))).toEqual([
      "UNEXPECTED          payments -> AWS role arn:aws:iam::111111111111:role/oktafed/dev-payments: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity",
      expect.stringMatching(/^UNEXPECTED {10}token of reporting -> AWS role arn:aws:iam::111111111111:role\/oktafed\/dev-payments: credentials for /),
    ]);
  });
});

describe("npm run smoke, against the sandbox", () => {
  async function smokeAgainst(plan: PlanDocument, service: string, ...extra: string[]) {
    const sandbox = await startSandbox(plan);
    try {
      const outputs = join(sandbox.dir, "outputs.json");
      writeFileSync(outputs, JSON.stringify(sandbox.plan.outputs));
      const client = sandbox.issuers.flatMap((i) => i.clients).find((c) => c.app === `federation-${service}-app`)!;
      let stdout = "";
      const code = await smoke(
        [
          "--outputs", outputs, "--service", service, "--private-key-file", client.privateKeyFile, "--key-id", client.kid, "--scopes", client.scopes.join(" "),
          "--aws-sts-endpoint", sandbox.sts!.url, "--gcp-sts-endpoint", sandbox.gcp!.sts.url, "--gcp-iamcredentials-endpoint", sandbox.gcp!.iamCredentials.url, "--entra-endpoint", sandbox.entra!.url,
          ...extra,
        ],
        { stdout: (t) => void (stdout += t), stderr: (t) => void (stdout += t) },
        { fetch: sandbox.network.fetch },
      );
      return { code, lines: stdout.trim().split("\n") };
    } finally {
      await sandbox.stop();
    }
  }

  it("a sound deployment: the token's shape and every cloud's exchange pass", async () => {
    const { code, lines } = await smokeAgainst(materialize(await planOf("dev")), "payments");
    expect(code).toBe(0);
    expect(lines.filter((l) => l.startsWith("FAIL"))).toEqual([]);
    expect(lines.map((l) => l.replace(/:.*/, ""))).toEqual([
      "SMOKE  service payments",
      "ok    Okta token",
      "ok    token",
      "ok    token",
      "ok    token",
      "ok    token",
      "ok    token",
      "ok    token",
      "ok    token",
      "ok    AWS STS AssumeRoleWithWebIdentity arn",
      "ok    GCP STS projects/153006280505/locations/global/workloadIdentityPools/okta-dev/providers/okta",
      "ok    Entra ID managed identity 040ebac5-424a-4edf-a766-be8f15f30e8c",
      "smoke",
    ]);
    expect(lines.at(-1)).toBe("smoke: service payments passed");
  });

  it("a broken trust: the cloud's error and the knob behind it", async () => {
    const { code, lines } = await smokeAgainst(materialize(withPaymentsTrustPinning(await planOf("dev"), "billing-export")), "payments");
    expect(code).toBe(1);
    expect(lines.filter((l) => l.startsWith("FAIL"))).toEqual([
      "FAIL  AWS STS AssumeRoleWithWebIdentity arn:aws:iam::111111111111:role/oktafed/dev-payments: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity  [knob: services.payments.aws (the role trusts this service's client id only: use this service's role ARN and key)]",
    ]);
    expect(lines.at(-1)).toBe("smoke: service payments: 1 check failed");
  });

  it("--stack reads the outputs with the Pulumi CLI, and says so when it cannot", async () => {
    let asked = "";
    const io = { stdout: () => undefined, stderr: (t: string) => void (asked += t) };
    const code = await smoke(["--stack", "dev", "--service", "payments", "--private-key-file", "k.pem", "--key-id", "k", "--scopes", "api.read"], io, {
      stackOutputs: (stack) => {
        throw new Error(`spawnSync pulumi ENOENT (stack ${stack})`);
      },
    });
    expect([code, asked]).toEqual([2, "error: cannot read the stack's outputs: spawnSync pulumi ENOENT (stack dev)\n"]);
  });

  it("refuses an offline plan, whose values are placeholders", async () => {
    const file = join(dir, "plan.json");
    writeFileSync(file, JSON.stringify(await planOf("dev")).replace("{", '{"kind":"okta-federation/offline-plan",'));
    const result = await runCli(smoke, "--outputs", file, "--service", "payments", "--private-key-file", "k.pem", "--key-id", "k", "--scopes", "api.read");
    expect([result.code, result.stderr]).toEqual([2, `error: outputs ${file} is an offline plan: its values are placeholders; the smoke check needs a deployed stack's outputs (pulumi stack output --json)\n`]);
  });
});
