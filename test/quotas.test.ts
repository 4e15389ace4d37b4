/**
 * The clouds' quotas against a stack: hard limits refused by config validation with an exact
 * message (components/config/crossFieldQuotas.ts, federations.ts), default quotas flagged in the
 * plan with how to raise them (tools/offline/scale.ts).
 */
import { describe, expect, it } from "vitest";
import { FederationConfigError, parseFederationConfig, parseFederations, type ConfigProblem } from "../components/config";
import { LIMITS } from "../components/internal/limits";
import { scaleFigures, scaleLines, type ScaleResource } from "../tools/offline/scale";
import { baseConfig } from "./helpers/fixtures";

const awsServices = (count: number, prefix = "s") =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, { scopes: ["api.read"], auth: { method: "client_secret_basic" }, aws: { policies: {} } }]));

function problemsOf(parse: () => unknown): ConfigProblem[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof FederationConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected a FederationConfigError: the config parsed");
}

/**
 * A federation of `count` AWS services under its own authorization server in an Okta org of its
 * own (federations on one org share its 75 simultaneous requests), in account 111111111111.
 */
function awsFederation(i: number, count: number, aws: Record<string, unknown> = {}) {
  const config = baseConfig();
  config.okta.orgName = `acme-${i}`;
  config.okta.authorizationServer.name = `services-${i}`;
  config.services = awsServices(count, `f${i}-s`);
  config.aws = { ...config.aws, ...aws };
  delete config.gcp;
  delete config.azure;
  return config;
}

describe("hard limits refused by config validation", () => {
  it("more AWS roles in one account than IAM allows even with the quota raised (5,000)", () => {
    const config = baseConfig();
    config.services = awsServices(LIMITS.aws.rolesPerAccountMax + 1);
    expect(problemsOf(() => parseFederationConfig(config))).toEqual([
      {
        path: "aws.accountId",
        message:
          'the services need 5,001 IAM roles in account 111111111111, over the 5,000 IAM allows in one account even with the quota raised (the default quota is 1,000; IAM quotas, "Roles in an AWS account"); split the services over accounts',
      },
    ]);
    // At the maximum it is accepted: past the default quota of 1,000 is the plan's advisory, not an error.
    config.services = awsServices(LIMITS.aws.rolesPerAccountMax);
    expect(() => parseFederationConfig(config)).not.toThrow();
  });

  it("federations that share an account: their roles together, and their OIDC providers together (100, not raisable)", () => {
    expect(problemsOf(() => parseFederations({ one: awsFederation(1, 2600), two: awsFederation(2, 2500) }))).toEqual([
      {
        path: "two.aws.accountId",
        message:
          'the services need 5,100 IAM roles in account 111111111111, over the 5,000 IAM allows in one account even with the quota raised (the default quota is 1,000; IAM quotas, "Roles in an AWS account"); split the services over accounts',
      },
    ]);
    const federations = (count: number, aws: Record<string, unknown> = {}) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`fed-${String(i).padStart(3, "0")}`, awsFederation(i, 1, aws)]));
    expect(problemsOf(() => parseFederations(federations(LIMITS.aws.oidcProvidersPerAccount + 1)))).toEqual([
      {
        path: "fed-100.aws.accountId",
        message:
          'the federations create 101 IAM OIDC providers in account 111111111111, over the 100 IAM allows in one account (a quota that cannot be raised; IAM quotas, "OpenId Connect identity providers per AWS account"); adopt one provider per issuer with aws.existingOidcProviderArn, or split the federations over accounts',
      },
    ]);
    expect(() => parseFederations(federations(LIMITS.aws.oidcProvidersPerAccount))).not.toThrow();
    // Federations that adopt an existing provider create none.
    const adopted = federations(LIMITS.aws.oidcProvidersPerAccount + 1);
    adopted["fed-100"]!.aws.existingOidcProviderArn = "arn:aws:iam::111111111111:oidc-provider/acme-test-example.okta.com/oauth2/aus1";
    expect(() => parseFederations(adopted)).not.toThrow();
  });
});

describe("default quotas flagged in the plan, with how to raise them", () => {
  const planned = (type: string, count: number, extra: (i: number) => Partial<ScaleResource> = () => ({})): ScaleResource[] =>
    Array.from({ length: count }, (_, i) => ({ type, read: false, inputs: {}, outputs: {}, ...extra(i) }));

  it("101 service accounts in one project: over the default quota of 100, with the console path to raise it", () => {
    const figures = scaleFigures(planned("gcp:serviceaccount/account:Account", 101, () => ({ inputs: { project: "acme-dev" } })));
    expect(figures).toEqual([
      {
        what: "GCP project acme-dev: service accounts",
        count: 101,
        limit: 100,
        kind: "quota",
        over: true,
        advisory:
          'over the default quota of 100: creating service account 101 fails unless the quota was raised; request a higher "Number of service accounts" quota for acme-dev in the Google Cloud console (IAM & Admin > Quotas; cloud.google.com/iam/quotas), use direct grants (serviceAccount: false), or split the services over projects',
      },
    ]);
    expect(scaleLines(figures)[0]).toMatch(/^ {2}! GCP project acme-dev: service accounts: 101 of 100 \(default quota\) \(over: over the default quota of 100: /);
  });

  it("1,001 roles in one account: over the default quota of 1,000, raisable to 5,000 in Service Quotas; 1,000 is flagged, not over", () => {
    const roles = (n: number) => planned("aws:iam/role:Role", n, (i) => ({ outputs: { arn: `arn:aws:iam::111111111111:role/oktafed/r${i}` } }));
    const [over] = scaleFigures(roles(1001));
    expect(over).toMatchObject({ what: "AWS account 111111111111: roles", count: 1001, limit: 1000, kind: "quota", over: true });
    expect(over!.advisory).toBe(
      'over the default quota of 1,000: creating role 1,001 fails unless the quota was raised; request a higher "Roles per account" quota for 111111111111 in the Service Quotas console (Region US East (N. Virginia), service AWS Identity and Access Management (IAM)), up to 5,000, approved automatically up to that maximum; or split the services over accounts',
    );
    const [at] = scaleFigures(roles(1000));
    expect(at!.over).toBeUndefined();
    expect(at!.advisory).toMatch(/^the account's other roles count too \(service-linked roles included\): request a higher "Roles per account" quota/);
  });
});
