/**
 * The sandbox's AWS STS (tools/sandbox/aws.ts) with the real SDK workload: Okta-issued tokens (the
 * sandbox's Okta, tokens fetched with the workload's own token fetcher) exchanged by
 * @aws-sdk/credential-providers' `fromTokenFile` over HTTP, against the trust the fixture stacks
 * plan. dev: payments and billing-export have AWS roles; prod: the custom-domain issuer
 * (id.acme.example); multi: several authorization servers of one Okta org, one of them trusted;
 * grants: payments' inline policy orders-read (s3:GetObject on arn:aws:s3:::bar-orders-dev/*), its
 * requests authorized by iam-simulate over the session's inline policies, and every session's
 * iam:UpdateAssumeRolePolicy on the other services' roles.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planStack, planToJson } from "../../tools/offline/plan";
import type { PlanDocument, PlanResource } from "../../tools/verify/model";
import { deployedValue, materialize } from "../../tools/sandbox/materialize";
import { SandboxNetwork } from "../../tools/sandbox/network";
import { startOkta, type SandboxIssuer } from "../../tools/sandbox/okta";
import { awsActionProbes, awsActionWorkload, awsRolesOf, awsWorkload, startAwsSts } from "../../tools/sandbox/aws";
import { exchangeLine, runSandbox } from "../../tools/sandbox/run";
import type { Emulator, ExchangeOutcome } from "../../tools/sandbox/types";
import { fetchToken } from "../../workload/token";
import { fixtureStack, fixtureVariant } from "../helpers/stacks";

const NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithWebIdentity";
const KEYS_UNAVAILABLE = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

interface Stack {
  readonly plan: PlanDocument;
  readonly issuers: SandboxIssuer[];
  readonly sts: Emulator;
}

let network: SandboxNetwork;
let dir: string;
let dev: Stack;
let prod: Stack;
let multi: Stack;
let grants: Stack;

async function startStack(name: string): Promise<Stack> {
  const plan = materialize(planToJson(await planStack(fixtureStack(name))) as unknown as PlanDocument);
  const keyDir = join(dir, name);
  mkdirSync(keyDir);
  return { plan, issuers: await startOkta(plan, network, keyDir), sts: await startAwsSts(plan, network) };
}

/** The services of a stack's outputs (under `federations.<name>` for the multi stack). */
function services(plan: PlanDocument, federation?: string): Record<string, any> {
  const outputs = federation ? plan.outputs!.federations[federation] : plan.outputs!;
  return outputs.services;
}

/** The service's own token, fetched as its workload fetches it, in a file of its own. */
async function serviceToken(stack: Stack, key: string, federation?: string): Promise<{ file: string; clientId: string; issuer: SandboxIssuer }> {
  const clientId = String(services(stack.plan, federation)[key].clientId);
  const issuer = stack.issuers.find((i) => i.clients.some((c) => c.clientId === clientId))!;
  const client = issuer.clients.find((c) => c.clientId === clientId)!;
  const file = join(dir, `${stack.plan.stack}-${federation ?? ""}-${key}.token`);
  await fetchToken({ issuer: issuer.issuer, clientId, privateKeyFile: client.privateKeyFile, keyId: client.kid, scopes: [...client.scopes], tokenFile: file, fetch: network.fetch });
  return { file, clientId, issuer };
}

let written = 0;
function tokenFile(token: string): string {
  const file = join(dir, `probe-${++written}.token`);
  writeFileSync(file, token, { mode: 0o600 });
  return file;
}

const roleArn = (plan: PlanDocument, key: string, federation?: string) => String(services(plan, federation)[key].aws.roleArn);

function expectDenied(outcome: ExchangeOutcome, code: string, message: string | RegExp): void {
  expect(outcome.ok, JSON.stringify(outcome)).toBe(false);
  if (outcome.ok) return;
  expect(outcome.code).toBe(code);
  if (typeof message === "string") expect(outcome.message).toBe(message);
  else expect(outcome.message).toMatch(message);
}

/** A raw query-protocol call, for what the SDK does not expose (the XML, DurationSeconds). */
async function postSts(sts: Emulator, params: Record<string, string>): Promise<{ status: number; contentType: string | null; xml: string }> {
  const response = await fetch(sts.url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: new URLSearchParams({ Action: "AssumeRoleWithWebIdentity", Version: "2011-06-15", ...params }),
  });
  return { status: response.status, contentType: response.headers.get("content-type"), xml: await response.text() };
}

const xmlField = (xml: string, tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];

/** A copy of the plan with one role's trust policy edited. */
function withTrust(plan: PlanDocument, roleName: string, edit: (policy: any) => void): PlanDocument {
  const copy = structuredClone(plan);
  const role = copy.resources.find((r) => r.type === "aws:iam/role:Role" && r.inputs.name === roleName)!;
  const policy = JSON.parse(role.inputs.assumeRolePolicy as string);
  edit(policy);
  role.inputs.assumeRolePolicy = JSON.stringify(policy);
  return copy;
}

beforeAll(async () => {
  network = new SandboxNetwork();
  dir = mkdtempSync(join(tmpdir(), "sandbox-aws-test-"));
  dev = await startStack("dev");
  prod = await startStack("prod");
  multi = await startStack("multi");
  grants = await startStack("grants");
});

afterAll(async () => {
  await network?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("dev: each service's planned exchange", () => {
  it("payments and billing-export get credentials for their own roles through the SDK", async () => {
    const keys = Object.entries(services(dev.plan)).filter(([, s]) => s.aws).map(([k]) => k).sort();
    expect(keys).toEqual(["billing-export", "payments"]);
    for (const key of keys) {
      const { file } = await serviceToken(dev, key);
      const outcome = await awsWorkload({ roleArn: roleArn(dev.plan, key), tokenFile: file, sts: dev.sts });
      expect(outcome, key).toEqual({ ok: true, detail: expect.stringMatching(new RegExp(`^credentials for arn:aws:iam::111111111111:role/oktafed/dev-${key} \\(ASIA[A-Z2-7]{4}…, expires \\d{4}-`)) });
    }
  });

  it("answers with STS's XML: the subject, the assumed-role ARN and id, the provider and audience", async () => {
    const { file, clientId } = await serviceToken(dev, "payments");
    const token = readFileSync(file, "utf8");
    const before = Date.now();
    const { status, contentType, xml } = await postSts(dev.sts, { RoleArn: roleArn(dev.plan, "payments"), RoleSessionName: "probe", WebIdentityToken: token });
    expect(status, xml).toBe(200);
    expect(contentType).toBe("text/xml");
    expect(xml).toMatch(/^<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/);
    expect(xmlField(xml, "SubjectFromWebIdentityToken")).toBe(clientId);
    expect(xmlField(xml, "Audience")).toBe("api://services-dev");
    expect(xmlField(xml, "Arn")).toBe("arn:aws:sts::111111111111:assumed-role/dev-payments/probe");
    expect(xmlField(xml, "AssumedRoleId")).toBe(`${deployedValue("federation-payments-aws-role", "uniqueId")}:probe`);
    expect(xmlField(xml, "Provider")).toBe(dev.plan.outputs!.aws.oidcProviderArn);
    expect(xmlField(xml, "AccessKeyId")).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(xmlField(xml, "SecretAccessKey")).toHaveLength(40);
    const expires = Date.parse(xmlField(xml, "Expiration")!);
    expect(expires - before).toBeGreaterThan(3590_000);
    expect(expires - before).toBeLessThan(3610_000);
  });
});

describe("dev: what the trust refuses", () => {
  it("a service's token at another service's role is AccessDenied (403)", async () => {
    const payments = await serviceToken(dev, "payments");
    const billing = await serviceToken(dev, "billing-export");
    const reporting = await serviceToken(dev, "reporting");
    expectDenied(await awsWorkload({ roleArn: roleArn(dev.plan, "billing-export"), tokenFile: payments.file, sts: dev.sts }), "AccessDenied", NOT_AUTHORIZED);
    expectDenied(await awsWorkload({ roleArn: roleArn(dev.plan, "payments"), tokenFile: billing.file, sts: dev.sts }), "AccessDenied", NOT_AUTHORIZED);
    // reporting has no AWS role at all: its token is from the trusted issuer, with the right audience.
    expectDenied(await awsWorkload({ roleArn: roleArn(dev.plan, "payments"), tokenFile: reporting.file, sts: dev.sts }), "AccessDenied", NOT_AUTHORIZED);
  });

  it("a token of the right issuer for another audience is InvalidIdentityToken 'Incorrect token audience'", async () => {
    const { clientId, issuer } = await serviceToken(dev, "payments");
    const file = tokenFile(await issuer.sign({ aud: "api://other", sub: clientId, cid: clientId, scp: ["api.read"] }));
    expectDenied(await awsWorkload({ roleArn: roleArn(dev.plan, "payments"), tokenFile: file, sts: dev.sts }), "InvalidIdentityToken", "Incorrect token audience");
  });

  it("a token of another issuer (prod's custom domain) finds no OIDC provider in the role's account", async () => {
    const ledger = await serviceToken(prod, "ledger");
    expectDenied(
      await awsWorkload({ roleArn: roleArn(dev.plan, "payments"), tokenFile: ledger.file, sts: dev.sts }),
      "InvalidIdentityToken",
      `No OpenIDConnect provider found in your account for ${ledger.issuer.issuer}`,
    );
    // The same subject and audience as payments' own, signed by a key of an issuer no provider names.
    const { clientId } = await serviceToken(dev, "payments");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ iss: "https://evil.example/oauth2/default", aud: "api://services-dev", sub: clientId, cid: clientId, iat: now, exp: now + 300 })
      .setProtectedHeader({ alg: "RS256", kid: "k" })
      .sign(privateKey);
    expectDenied(
      await awsWorkload({ roleArn: roleArn(dev.plan, "payments"), tokenFile: tokenFile(forged), sts: dev.sts }),
      "InvalidIdentityToken",
      "No OpenIDConnect provider found in your account for https://evil.example/oauth2/default",
    );
  });

  it("an expired token is ExpiredTokenException, past IAM's five minutes of clock skew", async () => {
    const { clientId, issuer } = await serviceToken(dev, "payments");
    const claims = { aud: "api://services-dev", sub: clientId, cid: clientId, scp: ["api.read"] };
    const expired = await awsWorkload({ roleArn: roleArn(dev.plan, "payments"), tokenFile: tokenFile(await issuer.sign(claims, -600)), sts: dev.sts });
    expectDenied(expired, "ExpiredTokenException", /^Token expired: current date\/time \d{10} must be before the expiration date\/time \d{10}$/);
    // Expired a minute ago: within the skew STS allows, so still accepted.
    const recent = await awsWorkload({ roleArn: roleArn(dev.plan, "payments"), tokenFile: tokenFile(await issuer.sign(claims, -60)), sts: dev.sts });
    expect(recent.ok, JSON.stringify(recent)).toBe(true);
  });

  it("a provider whose issuer's keys cannot be fetched is InvalidIdentityToken 'Couldn't retrieve verification key…'", async () => {
    const gone = "https://gone.example/oauth2/ausgone";
    const provider: PlanResource = {
      urn: "urn:pulumi:dev::okta-federation::aws:iam/openIdConnectProvider:OpenIdConnectProvider::gone",
      type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      name: "gone",
      parent: null,
      inputs: { url: gone, clientIdLists: ["api://services-dev"] },
      afterDeploy: { arn: "arn:aws:iam::111111111111:oidc-provider/gone.example/oauth2/ausgone" },
    };
    const sts = await startAwsSts({ ...dev.plan, resources: [...dev.plan.resources, provider] }, network);
    const { clientId } = await serviceToken(dev, "payments");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ iss: gone, aud: "api://services-dev", sub: clientId, iat: now, exp: now + 300 }).setProtectedHeader({ alg: "RS256", kid: "k" }).sign(privateKey);
    expectDenied(await awsWorkload({ roleArn: roleArn(dev.plan, "payments"), tokenFile: tokenFile(token), sts }), "InvalidIdentityToken", KEYS_UNAVAILABLE);
  });

  it("a role the plan does not have, and a token that is not a JWT, are refused", async () => {
    const { file } = await serviceToken(dev, "payments");
    expectDenied(await awsWorkload({ roleArn: "arn:aws:iam::111111111111:role/oktafed/dev-unknown", tokenFile: file, sts: dev.sts }), "AccessDenied", NOT_AUTHORIZED);
    expectDenied(await awsWorkload({ roleArn: roleArn(dev.plan, "payments"), tokenFile: tokenFile("not-a-jwt"), sts: dev.sts }), "InvalidIdentityToken", /not a valid JWT/);
  });

  it("DurationSeconds above the role's maxSessionDuration is ValidationError; up to it is allowed", async () => {
    const payments = readFileSync((await serviceToken(dev, "payments")).file, "utf8");
    const billing = readFileSync((await serviceToken(dev, "billing-export")).file, "utf8");
    // payments: maxSessionDuration 3600; billing-export: 7200 (the dev fixture).
    const over = await postSts(dev.sts, { RoleArn: roleArn(dev.plan, "payments"), RoleSessionName: "probe", WebIdentityToken: payments, DurationSeconds: "7200" });
    expect(over.status).toBe(400);
    expect(xmlField(over.xml, "Code")).toBe("ValidationError");
    expect(xmlField(over.xml, "Type")).toBe("Sender");
    expect(xmlField(over.xml, "Message")).toBe("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    const within = await postSts(dev.sts, { RoleArn: roleArn(dev.plan, "billing-export"), RoleSessionName: "probe", WebIdentityToken: billing, DurationSeconds: "7200" });
    expect(within.status, within.xml).toBe(200);
    const tooShort = await postSts(dev.sts, { RoleArn: roleArn(dev.plan, "billing-export"), RoleSessionName: "probe", WebIdentityToken: billing, DurationSeconds: "60" });
    expect(tooShort.status).toBe(400);
    expect(xmlField(tooShort.xml, "Message")).toBe("1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
  });
});

describe("dev: a trust broken on purpose", () => {
  it("payments' trust pinned to another subject makes its own exchange AccessDenied, and leaves billing-export's alone", async () => {
    const broken = withTrust(dev.plan, "dev-payments", (policy) => {
      const equals = policy.Statement[0].Condition.StringEquals;
      const key = Object.keys(equals).find((k) => k.endsWith(":sub"))!;
      equals[key] = "0oaSOMEONEELSE000000";
    });
    const sts = await startAwsSts(broken, network);
    const payments = await serviceToken(dev, "payments");
    const billing = await serviceToken(dev, "billing-export");
    expectDenied(await awsWorkload({ roleArn: roleArn(dev.plan, "payments"), tokenFile: payments.file, sts }), "AccessDenied", NOT_AUTHORIZED);
    expect((await awsWorkload({ roleArn: roleArn(dev.plan, "billing-export"), tokenFile: billing.file, sts })).ok).toBe(true);
  });

  it("session tags in the token need sts:TagSession in the trust", async () => {
    const { clientId, issuer } = await serviceToken(dev, "payments");
    const tagged = tokenFile(
      await issuer.sign({ aud: "api://services-dev", sub: clientId, cid: clientId, "https://aws.amazon.com/tags": { principal_tags: { team: ["payments"] }, transitive_tag_keys: ["team"] } }),
    );
    // The kit's trust allows only sts:AssumeRoleWithWebIdentity.
    expectDenied(await awsWorkload({ roleArn: roleArn(dev.plan, "payments"), tokenFile: tagged, sts: dev.sts }), "AccessDenied", NOT_AUTHORIZED);
    const withTagSession = withTrust(dev.plan, "dev-payments", (policy) => {
      policy.Statement[0].Action = ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"];
    });
    const sts = await startAwsSts(withTagSession, network);
    const outcome = await awsWorkload({ roleArn: roleArn(dev.plan, "payments"), tokenFile: tagged, sts });
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
  });
});

describe("prod: the custom-domain issuer", () => {
  it("ledger and payments get credentials for their own roles; each other's are refused", async () => {
    const ledger = await serviceToken(prod, "ledger");
    const payments = await serviceToken(prod, "payments");
    expect(ledger.issuer.issuer).toMatch(/^https:\/\/id\.acme\.example\/oauth2\/aus/);
    for (const [key, token] of [["ledger", ledger], ["payments", payments]] as const) {
      const outcome = await awsWorkload({ roleArn: roleArn(prod.plan, key), tokenFile: token.file, sts: prod.sts });
      expect(outcome, key).toEqual({ ok: true, detail: expect.stringMatching(new RegExp(`^credentials for arn:aws:iam::222222222222:role/oktafed/prod-${key} \\(ASIA`)) });
    }
    expectDenied(await awsWorkload({ roleArn: roleArn(prod.plan, "payments"), tokenFile: ledger.file, sts: prod.sts }), "AccessDenied", NOT_AUTHORIZED);
    expectDenied(await awsWorkload({ roleArn: roleArn(prod.plan, "ledger"), tokenFile: payments.file, sts: prod.sts }), "AccessDenied", NOT_AUTHORIZED);
  });

  it("dev's token at a prod role finds no provider for dev's issuer in prod's account", async () => {
    const devPayments = await serviceToken(dev, "payments");
    expectDenied(
      await awsWorkload({ roleArn: roleArn(prod.plan, "payments"), tokenFile: devPayments.file, sts: prod.sts }),
      "InvalidIdentityToken",
      `No OpenIDConnect provider found in your account for ${devPayments.issuer.issuer}`,
    );
  });
});

describe("multi: several authorization servers of one Okta org", () => {
  it("the AWS federation's service gets credentials; the other servers' tokens find no provider", async () => {
    const aws = await serviceToken(multi, "payments", "aws-issuer");
    const outcome = await awsWorkload({ roleArn: roleArn(multi.plan, "payments", "aws-issuer"), tokenFile: aws.file, sts: multi.sts });
    expect(outcome, JSON.stringify(outcome)).toEqual({ ok: true, detail: expect.stringMatching(/^credentials for arn:aws:iam::444444444444:role\/oktafed\/shared-payments \(ASIA/) });

    // Same org (acme-example.okta.com), another authorization server: another issuer URL.
    const gcp = await serviceToken(multi, "payments", "gcp-issuer");
    expect(new URL(gcp.issuer.issuer).origin).toBe(new URL(aws.issuer.issuer).origin);
    expectDenied(
      await awsWorkload({ roleArn: roleArn(multi.plan, "payments", "aws-issuer"), tokenFile: gcp.file, sts: multi.sts }),
      "InvalidIdentityToken",
      `No OpenIDConnect provider found in your account for ${gcp.issuer.issuer}`,
    );
    const globex = await serviceToken(multi, "billing", "globex");
    expectDenied(
      await awsWorkload({ roleArn: roleArn(multi.plan, "payments", "aws-issuer"), tokenFile: globex.file, sts: multi.sts }),
      "InvalidIdentityToken",
      `No OpenIDConnect provider found in your account for ${globex.issuer.issuer}`,
    );
  });
});

describe("grants: what a session may do, by iam-simulate over the role's inline policies", () => {
  const PAYMENTS = "arn:aws:sts::111111111111:assumed-role/dev-payments/okta-federation-sandbox";
  const BILLING = "arn:aws:sts::111111111111:assumed-role/dev-billing-export/okta-federation-sandbox";
  const OBJECT = "arn:aws:s3:::bar-orders-dev/probe-object";
  const OTHER_OBJECT = "arn:aws:s3:::oktafed-sandbox-other/probe-object";
  const PAYMENTS_NOT_SIMULATED =
    "not simulated: customer managed policy arn:aws:iam::111111111111:policy/payments-dev-sqs-send (no document in the plan), AWS managed policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess (the sandbox holds only its identity statements)";
  const BILLING_NOT_SIMULATED = "not simulated: customer managed policy arn:aws:iam::111111111111:policy/data-lake-dev-write (no document in the plan)";
  const PAYMENTS_SCOPE = `iam-simulate over inline policy orders-read; ${PAYMENTS_NOT_SIMULATED}`;
  const BILLING_SCOPE = `iam-simulate over no inline policy; ${BILLING_NOT_SIMULATED}`;
  const noPolicy = (who: string, action: string, resource: string, scope: string) =>
    `User: ${who} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action (${scope})`;

  it("the probes come from the inline policy statements: one per action, on a resource the statement names and on another bucket", () => {
    const roles = awsRolesOf(grants.plan);
    expect(roles.map((r) => [r.name, r.inline.map((p) => p.name), r.attached])).toEqual([
      ["dev-billing-export", [], ["arn:aws:iam::111111111111:policy/data-lake-dev-write"]],
      ["dev-payments", ["orders-read"], ["arn:aws:iam::111111111111:policy/payments-dev-sqs-send", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]],
    ]);
    expect(roles.map((r) => awsActionProbes(r))).toEqual([[], [{ policy: "orders-read", statement: 1, action: "s3:GetObject", resource: OBJECT, other: OTHER_OBJECT }]]);
  });

  it("payments' session may get an object of bar-orders-dev, not of another bucket; billing-export's may not; neither may rewrite the other's trust", async () => {
    const payments = await serviceToken(grants, "payments");
    const billing = await serviceToken(grants, "billing-export");
    const asPayments = (action: string, resource: string) => awsActionWorkload({ roleArn: roleArn(grants.plan, "payments"), tokenFile: payments.file, sts: grants.sts, action, resource });
    const asBilling = (action: string, resource: string) => awsActionWorkload({ roleArn: roleArn(grants.plan, "billing-export"), tokenFile: billing.file, sts: grants.sts, action, resource });
    expect(await asPayments("s3:GetObject", OBJECT)).toEqual({ ok: true, detail: `${PAYMENTS} may perform s3:GetObject on ${OBJECT}: allowed by inline policy orders-read (${PAYMENTS_SCOPE})` });
    expectDenied(await asPayments("s3:GetObject", OTHER_OBJECT), "AccessDenied", noPolicy(PAYMENTS, "s3:GetObject", OTHER_OBJECT, PAYMENTS_SCOPE));
    // The statement's resource is the objects, not the bucket.
    expectDenied(await asPayments("s3:GetObject", "arn:aws:s3:::bar-orders-dev"), "AccessDenied", noPolicy(PAYMENTS, "s3:GetObject", "arn:aws:s3:::bar-orders-dev", PAYMENTS_SCOPE));
    expectDenied(await asPayments("s3:PutObject", OBJECT), "AccessDenied", noPolicy(PAYMENTS, "s3:PutObject", OBJECT, PAYMENTS_SCOPE));
    expectDenied(await asBilling("s3:GetObject", OBJECT), "AccessDenied", noPolicy(BILLING, "s3:GetObject", OBJECT, BILLING_SCOPE));
    const paymentsRole = roleArn(grants.plan, "payments");
    const billingRole = roleArn(grants.plan, "billing-export");
    expectDenied(await asPayments("iam:UpdateAssumeRolePolicy", billingRole), "AccessDenied", noPolicy(PAYMENTS, "iam:UpdateAssumeRolePolicy", billingRole, PAYMENTS_SCOPE));
    expectDenied(await asBilling("iam:UpdateAssumeRolePolicy", paymentsRole), "AccessDenied", noPolicy(BILLING, "iam:UpdateAssumeRolePolicy", paymentsRole, BILLING_SCOPE));
    // Another service's token never gets payments' session.
    expectDenied(await awsActionWorkload({ roleArn: paymentsRole, tokenFile: billing.file, sts: grants.sts, action: "s3:GetObject", resource: OBJECT }), "AccessDenied", NOT_AUTHORIZED);
  });

  it("a policy's Deny wins, and a role of another account is out of reach (no resource policy is simulated)", async () => {
    const policy: PlanResource = {
      urn: "urn:pulumi:grants::okta-federation::aws:iam/rolePolicy:RolePolicy::billing-admin",
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "billing-admin",
      parent: null,
      inputs: {
        name: "admin",
        role: "dev-billing-export",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["iam:*"], Resource: ["*"] },
            { Effect: "Deny", Action: ["iam:PutRolePolicy"], Resource: ["*"] },
          ],
        }),
      },
    };
    const sts = await startAwsSts({ ...grants.plan, resources: [...grants.plan.resources, policy] }, network);
    const billing = await serviceToken(grants, "billing-export");
    const ask = (action: string, resource: string) => awsActionWorkload({ roleArn: roleArn(grants.plan, "billing-export"), tokenFile: billing.file, sts, action, resource });
    const scope = `iam-simulate over inline policy admin; ${BILLING_NOT_SIMULATED}`;
    const paymentsRole = roleArn(grants.plan, "payments");
    expect(await ask("iam:UpdateAssumeRolePolicy", paymentsRole)).toEqual({ ok: true, detail: `${BILLING} may perform iam:UpdateAssumeRolePolicy on ${paymentsRole}: allowed by inline policy admin (${scope})` });
    expectDenied(
      await ask("iam:PutRolePolicy", paymentsRole),
      "AccessDenied",
      `User: ${BILLING} is not authorized to perform: iam:PutRolePolicy on resource: ${paymentsRole} with an explicit deny in an identity-based policy (${scope})`,
    );
    const elsewhere = "arn:aws:iam::222222222222:role/oktafed/prod-payments";
    expectDenied(
      await ask("iam:UpdateAssumeRolePolicy", elsewhere),
      "AccessDenied",
      `User: ${BILLING} is not authorized to perform: iam:UpdateAssumeRolePolicy on resource: ${elsewhere} because no resource-based policy allows the iam:UpdateAssumeRolePolicy action (${scope})`,
    );
  });

  it("a key the STS did not issue is InvalidClientTokenId", async () => {
    const response = await fetch(`${grants.sts.url}/sandbox/authorize`, { method: "POST", body: JSON.stringify({ accessKeyId: "ASIAAAAAAAAAAAAAAAAA", sessionToken: "x", action: "s3:GetObject", resource: OBJECT }) });
    expect([response.status, await response.json()]).toEqual([403, { code: "InvalidClientTokenId", message: "The security token included in the request is invalid." }]);
  });

  const short = (line: string) => line.replace(/\(ASIA[A-Z2-7]{4}…, expires [^)]*\)/, "(…)");
  const awsLines = (report: Awaited<ReturnType<typeof runSandbox>>) =>
    report.exchanges.filter((e) => / AWS (?!role )/.test(` ${e.target}`)).map((e) => short(exchangeLine(e)));

  it("npm run sandbox: the inline policy's probes allowed and denied as planned, every session's trust rewrite denied, the managed policies stated as not simulated", async () => {
    const report = await runSandbox(planToJson(await planStack(fixtureStack("grants"))) as unknown as PlanDocument);
    // 10 allowed, 43 denied, none unexpected; 2 accepted takeovers: the GCP takeover of payments by reporting (test/sandbox/gcp.test.ts).
    expect([report.allowed, report.denied, report.unexpected, report.acceptedTakeovers]).toEqual([10, 43, 0, 2]);
    const target = `AWS s3:GetObject on ${OBJECT} (inline policy orders-read, statement 1)`;
    const paymentsRole = roleArn(grants.plan, "payments");
    const billingRole = roleArn(grants.plan, "billing-export");
    expect(awsLines(report)).toEqual([
      `allowed as planned  payments -> ${target}: ${PAYMENTS} may perform s3:GetObject on ${OBJECT}: allowed by inline policy orders-read (${PAYMENTS_SCOPE})`,
      `denied as planned   payments -> AWS s3:GetObject on ${OTHER_OBJECT} (not granted): AccessDenied: ${noPolicy(PAYMENTS, "s3:GetObject", OTHER_OBJECT, PAYMENTS_SCOPE)}`,
      `denied as planned   session of billing-export -> ${target}: AccessDenied: ${noPolicy(BILLING, "s3:GetObject", OBJECT, BILLING_SCOPE)}`,
      `denied as planned   token of reporting -> ${target}: AccessDenied: ${NOT_AUTHORIZED}`,
      `denied as planned   billing-export -> AWS iam:UpdateAssumeRolePolicy on ${paymentsRole}: AccessDenied: ${noPolicy(BILLING, "iam:UpdateAssumeRolePolicy", paymentsRole, BILLING_SCOPE)}`,
      `denied as planned   payments -> AWS iam:UpdateAssumeRolePolicy on ${billingRole}: AccessDenied: ${noPolicy(PAYMENTS, "iam:UpdateAssumeRolePolicy", billingRole, PAYMENTS_SCOPE)}`,
      `denied as planned   subject of payments, audience api://sandbox-other-audience -> ${target}: InvalidIdentityToken: Incorrect token audience`,
      expect.stringMatching(new RegExp(`^denied as planned {3}subject of payments, issuer https://sandbox-other-org\\.okta\\.com/oauth2/aussandboxotherorg -> AWS s3:GetObject .*: InvalidIdentityToken: No OpenIDConnect provider found in your account for `)),
    ]);
  });

  it("an accepted identity-admin inline policy lets its holder rewrite another service's trust: the takeover verify reports", async () => {
    const report = await runSandbox(
      planToJson(
        await planStack(
          fixtureVariant("grants", (f) => {
            f.services["billing-export"].aws.inlinePolicies = {
              "trust-admin": { allowIdentityAdmin: true, statements: [{ actions: ["iam:UpdateAssumeRolePolicy"], resources: ["arn:aws:iam::111111111111:role/oktafed/*"] }] },
            };
          }),
        ),
      ) as unknown as PlanDocument,
    );
    const scope = `iam-simulate over inline policy trust-admin; ${BILLING_NOT_SIMULATED}`;
    const paymentsRole = roleArn(grants.plan, "payments");
    const probe = "arn:aws:iam::111111111111:role/oktafed/probe";
    // Its own statement probed (allowed), on another path (denied), with payments' session (denied); the takeover accepted, as verify reports it.
    expect([report.allowed, report.denied, report.unexpected, report.acceptedTakeovers]).toEqual([11, 47, 0, 3]);
    const billingRole = roleArn(grants.plan, "billing-export");
    expect(awsLines(report).filter((l) => / -> AWS iam:UpdateAssumeRolePolicy /.test(l) && !/ {2,}(subject|token) of /.test(l))).toEqual([
      `allowed as planned  billing-export -> AWS iam:UpdateAssumeRolePolicy on ${probe} (inline policy trust-admin, statement 1): ${BILLING} may perform iam:UpdateAssumeRolePolicy on ${probe}: allowed by inline policy trust-admin (${scope})`,
      `denied as planned   billing-export -> AWS iam:UpdateAssumeRolePolicy on arn:aws:iam::111111111111:role/oktafed-sandbox-other/probe (not granted): AccessDenied: ${noPolicy(BILLING, "iam:UpdateAssumeRolePolicy", "arn:aws:iam::111111111111:role/oktafed-sandbox-other/probe", scope)}`,
      `denied as planned   session of payments -> AWS iam:UpdateAssumeRolePolicy on ${probe} (inline policy trust-admin, statement 1): AccessDenied: ${noPolicy(PAYMENTS, "iam:UpdateAssumeRolePolicy", probe, PAYMENTS_SCOPE)}`,
      `accepted takeover   billing-export -> AWS iam:UpdateAssumeRolePolicy on ${paymentsRole}: ${BILLING} may perform iam:UpdateAssumeRolePolicy on ${paymentsRole}: allowed by inline policy trust-admin (${scope}); identity-admin takeover: billing-export holds AWS inline policy trust-admin, which statement 1 allows iam:UpdateAssumeRolePolicy on arn:aws:iam::111111111111:role/oktafed/*: rewrites the trust policy of the stack's roles (path /oktafed/) (accepted with allowIdentityAdmin: true)`,
      `denied as planned   payments -> AWS iam:UpdateAssumeRolePolicy on ${billingRole}: AccessDenied: ${noPolicy(PAYMENTS, "iam:UpdateAssumeRolePolicy", billingRole, PAYMENTS_SCOPE)}`,
    ]);
  });

  it("an accepted identity-admin AWS managed policy is not simulated: the rewrite is reported as verify judges it, the takeover", async () => {
    const report = await runSandbox(
      planToJson(
        await planStack(
          fixtureVariant("grants", (f) => {
            f.services["billing-export"].aws.policies.iam = { arn: "arn:aws:iam::aws:policy/IAMFullAccess", allowIdentityAdmin: true };
          }),
        ),
      ) as unknown as PlanDocument,
    );
    expect([report.allowed, report.denied, report.unexpected, report.acceptedTakeovers]).toEqual([10, 42, 0, 3]);
    const paymentsRole = roleArn(grants.plan, "payments");
    expect(report.exchanges.filter((e) => e.verdict === "accepted takeover" && e.target.startsWith("AWS")).map((e) => exchangeLine(e))).toEqual([
      `accepted takeover   billing-export -> AWS iam:UpdateAssumeRolePolicy on ${paymentsRole}: not simulated (the granting policy's document is not in the sandbox): allowed as verify judges billing-export's identity-admin grant; identity-admin takeover: billing-export holds AWS policy arn:aws:iam::aws:policy/IAMFullAccess, which allows iam:UpdateAssumeRolePolicy on *: rewrites the trust policy of the stack's roles (path /oktafed/) (accepted with allowIdentityAdmin: true)`,
    ]);
  });
});
