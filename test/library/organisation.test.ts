/**
 * The organisation layout as a library (docs/organisation.md#in-your-own-program): a user's own
 * platform program and team program, built with nothing of the kit but its library entry, run on the
 * offline engine. The programs below are the example of that section.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
// Submodules, as the kit's own program imports them: a package root pulls every service's types into the compile.
import * as okta from "@pulumi/okta/provider";
import * as aws from "@pulumi/aws/provider";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Federation,
  FederationConfigError,
  PLATFORM_CONTRACT_VERSION,
  PLATFORM_OUTPUT,
  Platform,
  parsePlatformConfig,
  parseTeamConfig,
  parseTeamHeader,
  readPlatformContract,
  toPlatformOutputs,
  toStackOutputs,
  type PlatformOutputsV1,
} from "../../components";
import { ProgramError, runOffline, unwrapSecrets, type OfflineRunResult } from "../../tools/offline/engine";
import { PROJECT_ROOT } from "../../tools/offline/stackFile";
import { byType, inputsOf, one } from "../helpers/recorded";

// --- The user's programs (docs/organisation.md#in-your-own-program). ---

function platformProgram(raw: unknown) {
  const config = parsePlatformConfig(raw);
  const awsProviders = Object.fromEntries(
    Object.entries(config.aws?.accounts ?? {}).map(([key, account]) => [key, new aws.Provider(`aws-${key}`, { region: account.region, allowedAccountIds: [account.accountId] })]),
  );
  const platform = new Platform(
    "platform",
    { config, awsProviders },
    { providers: { okta: new okta.Provider("okta", { orgName: config.okta.orgName, baseUrl: config.okta.baseUrl }) } },
  );
  return { [PLATFORM_OUTPUT]: toPlatformOutputs(platform, config) };
}

async function teamProgram(raw: unknown) {
  const header = parseTeamHeader(raw);
  const contract = await readPlatformContract(new pulumi.StackReference(PLATFORM_OUTPUT, { name: header.platform }));
  const team = parseTeamConfig(raw, contract);
  const config = team.federation;
  const providers = {
    okta: new okta.Provider("okta", { orgName: config.okta.orgName, baseUrl: config.okta.baseUrl }),
    ...(config.aws ? { aws: new aws.Provider("aws", { region: config.aws.region, allowedAccountIds: [config.aws.accountId] }) } : {}),
  };
  // create: built in steps, the registrations going on while the rest is built (docs/benchmarks.md).
  const federation = await Federation.create("federation", { config, team: team.binding }, { providers });
  return { ...toStackOutputs(federation, config.environment), team: header.team };
}

// --- The configs, as objects (a program may read them from anywhere). ---

const PLATFORM_CONFIG = {
  environment: "lib",
  okta: {
    orgName: "acme-lib-example",
    baseUrl: "oktapreview.com",
    authorizationServer: { name: "services-lib", audience: "api://services-lib" },
    scopes: { "api.read": { description: "Read business data" } },
  },
  aws: { accounts: { data: { accountId: "333333333333", region: "eu-west-1" } } },
  teams: { data: { oktaPriorityBand: 2, aws: { account: "data" } } },
};

const PLATFORM_STACK = "acme/platform/lib";
const TEAM_CONFIG = {
  team: "data",
  platform: PLATFORM_STACK,
  services: {
    ingest: { scopes: ["api.read"], auth: { method: "client_secret_basic" }, aws: { policies: { "s3-read": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" } } },
  },
};

// The issuer as the platform's offline plan knows it: its server's id is known only after deploy.
const ISSUER_HOST = "acme-lib-example.oktapreview.com/oauth2/<platform-authz-server.id>";

function runTeam(raw: unknown, contract: PlatformOutputsV1): Promise<OfflineRunResult> {
  const okta = contract.okta;
  return runOffline(() => teamProgram(raw), {
    project: "team-data",
    stack: "lib",
    config: {},
    stackReferences: { [PLATFORM_STACK]: { [PLATFORM_OUTPUT]: contract } },
    // What reading the platform's server from Okta returns: the server the contract records.
    hints: { oktaAdoptedServers: { [`${okta.orgName}.${okta.baseUrl}/${okta.authorizationServerId}`]: { issuer: okta.issuerUrl, audiences: [okta.audience], issuerMode: okta.issuerMode } } },
  });
}

let platform: OfflineRunResult;
let contract: PlatformOutputsV1;
let team: OfflineRunResult;
beforeAll(async () => {
  // One offline run at a time: the engine is the SDK's process-wide runtime.
  platform = await runOffline(() => platformProgram(PLATFORM_CONFIG), { project: "platform", stack: "lib", config: {} });
  contract = (unwrapSecrets(platform.outputs) as Record<string, PlatformOutputsV1>)[PLATFORM_OUTPUT]!;
  team = await runTeam(TEAM_CONFIG, contract);
});

describe("the example of docs/organisation.md", () => {
  it("is these two programs, word for word, importing from okta-federation", () => {
    const text = (file: string) => readFileSync(join(PROJECT_ROOT, file), "utf8");
    const doc = text("docs/organisation.md").split("## In your own program\n")[1]!.split("```")[1]!;
    const self = text("test/library/organisation.test.ts");
    // From the function's head to its closing brace at the start of a line.
    const declaration = (source: string, head: string) => source.slice(source.indexOf(head), source.indexOf("\n}\n", source.indexOf(head)) + 2);
    for (const head of ["function platformProgram(", "async function teamProgram("]) {
      expect(declaration(self, head), head).toMatch(/\n}$/);
      expect(declaration(doc, head), head).toBe(declaration(self, head));
    }
    expect(doc).toContain('} from "okta-federation";');
  });
});

describe("a platform built from the library entry", () => {
  it("registers the Platform with the server, its scope and the account's OIDC provider, each through the program's provider", () => {
    expect(platform.resources.map((r) => `${r.type}::${r.name}`).sort()).toEqual([
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider::platform-aws-oidc-data-provider",
      "okta:auth/server:Server::platform-authz-server",
      "okta:auth/serverScope:ServerScope::platform-authz-scope-api.read",
      "oktafed:aws:OidcProvider::platform-aws-oidc-data",
      "oktafed:index:Platform::platform",
      "oktafed:okta:AuthorizationServer::platform-authz",
      "pulumi:providers:aws::aws-data",
      "pulumi:providers:okta::okta",
    ]);
    expect(one(platform.resources, "okta:auth/server:Server", "platform-authz-server").provider).toBe("urn:pulumi:lib::platform::pulumi:providers:okta::okta");
    expect(one(platform.resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "platform-aws-oidc-data-provider").provider).toBe("urn:pulumi:lib::platform::pulumi:providers:aws::aws-data");
  });

  it("exports the platform contract under PLATFORM_OUTPUT, at the version the entry names", () => {
    expect(Object.keys(platform.outputs)).toEqual([PLATFORM_OUTPUT]);
    expect(contract).toMatchObject({
      contract: "okta-federation/platform",
      contractVersion: PLATFORM_CONTRACT_VERSION,
      environment: "lib",
      okta: { issuerUrl: `https://${ISSUER_HOST}`, audience: "api://services-lib", scopes: ["api.read"] },
      aws: { accounts: { data: { accountId: "333333333333", oidcProviderArn: `arn:aws:iam::333333333333:oidc-provider/${ISSUER_HOST}` } } },
      teams: { data: { oktaPriorityBand: 2, aws: { account: "data" } } },
    });
  });
});

describe("a team federation built from the library entry and that platform's contract", () => {
  it("reads the platform, reads (never creates) its server, and creates the service's app, policy and role", () => {
    expect(inputsOf(one(team.resources, "pulumi:pulumi:StackReference", PLATFORM_OUTPUT)).name).toBe(PLATFORM_STACK);
    expect(one(team.resources, "oktafed:index:Federation", "federation").parent).toBeNull();
    expect(one(team.resources, "okta:auth/server:Server", "federation-authz-server").read).toBe(true);
    const created = team.resources.filter((r) => r.custom && !r.read && !r.type.startsWith("pulumi:")).map((r) => `${r.type}::${r.name}`).sort();
    expect(created).toEqual([
      "aws:iam/role:Role::federation-ingest-aws-role",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment::federation-ingest-aws-s3-read",
      "okta:app/oAuth:OAuth::federation-ingest-app",
      "okta:auth/serverPolicy:ServerPolicy::federation-ingest-policy",
      "okta:auth/serverPolicyRule:ServerPolicyRule::federation-ingest-rule",
    ]);
    expect(byType(team.resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toEqual([]);
    // The team's band from the platform's config: 10,000 + 2 x 2,000 + rank 1.
    expect(inputsOf(one(team.resources, "okta:auth/serverPolicy:ServerPolicy", "federation-ingest-policy")).priority).toBe(14001);
  });

  it("the role trusts the platform's OIDC provider, pinning the contract's issuer, audience and the app's client id", () => {
    const role = one(team.resources, "aws:iam/role:Role", "federation-ingest-aws-role");
    expect(role.provider).toBe("urn:pulumi:lib::team-data::pulumi:providers:aws::aws");
    expect(JSON.parse(inputsOf(role).assumeRolePolicy).Statement).toEqual([
      {
        Sid: "OktaServiceToken",
        Effect: "Allow",
        Principal: { Federated: contract.aws!.accounts.data!.oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${ISSUER_HOST}:aud`]: "api://services-lib", [`${ISSUER_HOST}:sub`]: "<federation-ingest-app.clientId>" } },
      },
    ]);
  });

  it("follows the issuer the contract carries: another issuer in the contract is the one the role pins", async () => {
    const other = "acme-lib-example.oktapreview.com/oauth2/aus9other";
    const moved = { ...contract, okta: { ...contract.okta, authorizationServerId: "aus9other", issuerUrl: `https://${other}` } };
    const role = one((await runTeam(TEAM_CONFIG, moved)).resources, "aws:iam/role:Role", "federation-ingest-aws-role");
    expect(Object.keys(JSON.parse(inputsOf(role).assumeRolePolicy).Statement[0].Condition.StringEquals).sort()).toEqual([`${other}:aud`, `${other}:sub`]);
  });

  it("exports a federation contract with the team's name and the platform's issuer", () => {
    const outputs = unwrapSecrets(team.outputs) as any;
    expect(outputs).toMatchObject({ contractVersion: 1, environment: "lib", team: "data", okta: { issuerUrl: `https://${ISSUER_HOST}` } });
    expect(Object.keys(outputs.services)).toEqual(["ingest"]);
  });

  it("refuses a bad team config with every problem and its key path, registering nothing but the stack reference", async () => {
    const bad = { ...TEAM_CONFIG, services: { ingest: { ...TEAM_CONFIG.services.ingest, scopes: ["api.admin"], gcp: { roles: ["roles/viewer"] } } } };
    const error = await runTeam(bad, contract).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProgramError);
    expect((error as ProgramError).cause).toBeInstanceOf(FederationConfigError);
    expect((error as ProgramError).message).toBe(
      [
        "invalid config okta-federation:team: 2 problems",
        `  - services.ingest.gcp: the platform (${PLATFORM_STACK}) gives team data no provider in its GCP pool (platform config teams.data.gcp): ask the platform team to add it`,
        `  - services.ingest.scopes[0]: unknown scope "api.admin"; allowed: api.read (declared by the platform under okta.scopes)`,
      ].join("\n"),
    );
    expect((error as ProgramError).resources.map((r) => `${r.type}::${r.name}`)).toEqual([`pulumi:pulumi:StackReference::${PLATFORM_OUTPUT}`]);
  });
});
