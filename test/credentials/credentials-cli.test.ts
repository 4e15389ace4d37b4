import { beforeAll, describe, expect, it } from "vitest";
import type { FederationOutputsV1 } from "../../components/outputs";
import { main } from "../../tools/credentials";
import { redact } from "../../tools/offline/engine";
import { planStack } from "../../tools/offline/plan";
import { listStacks } from "../../tools/offline/stackFile";
import { runCli } from "../helpers/cli";
import { fixturePath, fixtureStack } from "../helpers/stacks";

/** The command's logic, in-process (each case plans the stack; the Pulumi runtime is per process, so they run in turn). */
const credentials = (...args: string[]) => runCli(main, ...args);


let payments: FederationOutputsV1["services"][string];
beforeAll(async () => {
  const outputs = redact((await planStack(fixtureStack("dev"))).outputs) as FederationOutputsV1;
  payments = outputs.services.payments!;
});

describe("npm run credentials", () => {
  it("gcp: prints only the external_account JSON built from the dev plan's outputs", async () => {
    const { code, stdout, stderr } = await credentials("--stack-file", fixturePath("dev"), "--service", "payments", "--cloud", "gcp");
    expect(code).toBe(0);
    const config = JSON.parse(stdout);
    expect(config).toEqual({
      type: "external_account",
      audience: `//iam.googleapis.com/${payments.gcp!.workloadIdentityProvider}`,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      token_url: "https://sts.googleapis.com/v1/token",
      service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${payments.gcp!.serviceAccountEmail}:generateAccessToken`,
      credential_source: { file: "/var/run/secrets/okta/token", format: { type: "text" } },
    });
    expect(config.audience).toBe("//iam.googleapis.com/projects/<acme-dev-example.projectNumber>/locations/global/workloadIdentityPools/okta-dev/providers/okta");
    expect(stderr).toContain("note: offline plan of stack dev: <acme-dev-example.projectNumber> is a placeholder for values known only after deploy");
  });

  it("gcp --executable: an executable source, and a reminder of GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", async () => {
    const { code, stdout, stderr } = await credentials("--stack-file", fixturePath("dev"), "--service", "reporting", "--cloud", "gcp", "--executable", "okta-token --gcp-executable");
    expect(code).toBe(0);
    const config = JSON.parse(stdout);
    expect(config.credential_source).toEqual({ executable: { command: "okta-token --gcp-executable", timeout_millis: 30000 } });
    expect(config).not.toHaveProperty("service_account_impersonation_url");
    expect(stderr).toContain("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1");
  });

  it("aws: env lines by default, a shared-config profile with --format profile", async () => {
    const env = await credentials("--stack-file", fixturePath("dev"), "--service", "payments", "--cloud", "aws", "--token-file", "/run/okta/token");
    expect(env.code).toBe(0);
    // The role's name is fixed, so its ARN is the real one offline.
    expect(env.stdout).toBe("AWS_ROLE_ARN=arn:aws:iam::111111111111:role/oktafed/dev-payments\nAWS_WEB_IDENTITY_TOKEN_FILE=/run/okta/token\n");
    expect(payments.aws!.roleArn).toBe("arn:aws:iam::111111111111:role/oktafed/dev-payments");
    expect(env.stderr).not.toContain("placeholder");
    const profile = await credentials("--stack-file", fixturePath("dev"), "--service", "payments", "--cloud", "aws", "--format", "profile");
    expect(profile.code).toBe(0);
    expect(profile.stdout).toBe(
      `[profile payments-dev]\nrole_arn = ${payments.aws!.roleArn}\nweb_identity_token_file = /var/run/secrets/okta/token\nregion = eu-west-1\n`,
    );
  });

  it("azure: env lines", async () => {
    const { code, stdout, stderr } = await credentials("--stack-file", fixturePath("dev"), "--service", "payments", "--cloud", "azure");
    expect(code).toBe(0);
    expect(stdout).toBe(
      "AZURE_CLIENT_ID='<federation-payments-azure-identity.clientId>'\nAZURE_TENANT_ID=00000000-0000-0000-0000-0000000000aa\nAZURE_FEDERATED_TOKEN_FILE=/var/run/secrets/okta/token\n",
    );
    expect(stdout.split("\n")[0]).toMatch(/^AZURE_CLIENT_ID=/);
    expect(stderr).toContain("<federation-payments-azure-identity.clientId> is a placeholder");
    const json = await credentials("--stack-file", fixturePath("dev"), "--service", "payments", "--cloud", "azure", "--format", "json");
    expect(JSON.parse(json.stdout)).toEqual({
      AZURE_CLIENT_ID: payments.azure!.clientId,
      AZURE_TENANT_ID: payments.azure!.tenantId,
      AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/okta/token",
    });
  });

  it.each([
    [["--service", "reporting", "--cloud", "aws"], "error: service reporting in stack dev does not use aws; it uses: gcp\n"],
    [["--service", "reporting", "--cloud", "azure"], "error: service reporting in stack dev does not use azure; it uses: gcp\n"],
    [["--service", "billing-export", "--cloud", "gcp"], "error: service billing-export in stack dev does not use gcp; it uses: aws, azure\n"],
    [["--service", "nope", "--cloud", "aws"], 'error: stack dev has no service "nope"; services: billing-export, payments, reporting\n'],
    [["--service", "payments", "--cloud", "oci"], 'error: unknown cloud "oci"; allowed: aws, gcp, azure\n'],
    [["--service", "payments", "--cloud", "gcp", "--format", "env"], "error: --format env is not available for gcp; allowed: json\n"],
    [["--service", "payments", "--cloud", "aws", "--executable", "x"], "error: --executable applies to --cloud gcp only\n"],
    [["--service", "payments", "--cloud", "aws", "--federation", "x"], "error: stack dev has a single federation; --federation applies to stacks with several (okta-federation:federations)\n"],
  ])("dev %j exits 2 with an exact message", async (args, message) => {
    const { code, stdout, stderr } = await credentials("--stack-file", fixturePath("dev"), ...args);
    expect(stderr).toBe(message);
    expect(stdout).toBe("");
    expect(code).toBe(2);
  });

  it("an unknown stack and missing flags exit 2 without a stack trace", async () => {
    const unknown = await credentials("--stack", "no-such-stack", "--service", "payments", "--cloud", "aws");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`error: unknown stack "no-such-stack": there is no stacks/Pulumi.no-such-stack.yaml; stacks: ${listStacks().join(", ")}\n`);
    const missing = await credentials("--stack-file", fixturePath("dev"));
    expect(missing.code).toBe(2);
    expect(missing.stderr.split("\n")[0]).toBe("error: --service, --cloud are required");
    expect(missing.stderr.split("\n")[1]).toMatch(/^usage: npm run credentials -- --stack <name> \| --stack-file <path> --service <key> --cloud aws\|gcp\|azure/);
  });

  it("a stack with several federations: the one whose service uses the cloud", async () => {
    const aws = await credentials("--stack-file", fixturePath("multi"), "--service", "payments", "--cloud", "aws", "--format", "profile");
    expect(aws.code).toBe(0);
    expect(aws.stdout).toMatch(/^\[profile payments-multi\]\nrole_arn = arn:aws:iam::444444444444:role\/.*\nregion = us-east-1\n$/s);
    const gcp = await credentials("--stack-file", fixturePath("multi"), "--service", "payments", "--cloud", "gcp");
    expect(JSON.parse(gcp.stdout).audience).toMatch(/workloadIdentityPools\/okta-shared\/providers\//);
    const azure = await credentials("--stack-file", fixturePath("multi"), "--service", "payments", "--cloud", "azure");
    expect([azure.code, azure.stderr]).toEqual([2, "error: service payments in stack multi does not use azure; it uses: aws, gcp\n"]);
    const other = await credentials("--stack-file", fixturePath("multi"), "--service", "payments", "--cloud", "aws", "--federation", "globex");
    expect([other.code, other.stderr]).toEqual([2, 'error: stack multi has no service "payments"; services: billing\n']);
  });

});
