/**
 * The organisation layout: a platform stack and team stacks (stacks/organisation.ts), planned
 * offline from the fixture stacks platform-stage, team-payments-stage and team-data-stage.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { ProgramError, runOffline, unwrapSecrets } from "../../tools/offline/engine";
import { federationProgram } from "../../stacks/program";
import { planStack, type Plan } from "../../tools/offline/plan";
import { loadStackFile } from "../../tools/offline/stackFile";
import { byType, inputsOf, one } from "../helpers/recorded";
import { fixtureStack, fixtureText } from "../helpers/stacks";

let platform: Plan;
let payments: Plan;
let data: Plan;
beforeAll(async () => {
  // One offline run at a time: the engine is the SDK's process-wide runtime.
  platform = await planStack(fixtureStack("platform-stage"));
  payments = await planStack(fixtureStack("team-payments-stage"));
  data = await planStack(fixtureStack("team-data-stage"));
});

const PLATFORM_URN = "urn:pulumi:platform-stage::okta-federation::oktafed:index:Platform::platform";

describe("the platform stack", () => {
  it("creates the shared objects and nothing of any service", () => {
    const created = platform.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).map((r) => `${r.type}::${r.name}`).sort();
    expect(created).toEqual([
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider::platform-aws-oidc-data-provider",
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider::platform-aws-oidc-workloads-provider",
      "gcp:iam/workloadIdentityPool:WorkloadIdentityPool::platform-gcp-pool-pool",
      "okta:auth/server:Server::platform-authz-server",
      "okta:auth/serverClaim:ServerClaim::platform-authz-claim-tenant_id",
      "okta:auth/serverScope:ServerScope::platform-authz-scope-api.read",
      "okta:auth/serverScope:ServerScope::platform-authz-scope-api.write",
      "okta:auth/serverScope:ServerScope::platform-authz-scope-events.publish",
    ]);
    expect(one(platform.resources, "oktafed:index:Platform", "platform").urn).toBe(PLATFORM_URN);
  });

  it("creates each account's OIDC provider with that account's explicit provider, for the issuer and audience", () => {
    for (const [account, id] of [["data", "333333333333"], ["workloads", "222222222222"]] as const) {
      const oidc = one(platform.resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", `platform-aws-oidc-${account}-provider`);
      expect(oidc.provider).toBe(`urn:pulumi:platform-stage::okta-federation::pulumi:providers:aws::aws-${account}`);
      expect(inputsOf(oidc)).toMatchObject({ url: "https://acme-stage-example.oktapreview.com/oauth2/<platform-authz-server.id>", clientIdLists: ["api://services-stage"] });
      expect(inputsOf(one(platform.resources, "pulumi:providers:aws", `aws-${account}`)).allowedAccountIds).toBe(JSON.stringify([id]));
    }
  });

  it("exports the platform contract, version 1, with every team's place", () => {
    const contract = (unwrapSecrets(platform.outputs) as any).platform;
    expect(contract).toMatchObject({
      contract: "okta-federation/platform",
      contractVersion: 1,
      environment: "stage",
      okta: {
        authorizationServerId: "<platform-authz-server.id>",
        issuerUrl: "https://acme-stage-example.oktapreview.com/oauth2/<platform-authz-server.id>",
        audience: "api://services-stage",
        scopes: ["api.read", "api.write", "events.publish"],
        tokenLifetimeMinutes: 60,
      },
      aws: {
        accounts: {
          data: { accountId: "333333333333", region: "eu-west-1", oidcProviderArn: "arn:aws:iam::333333333333:oidc-provider/acme-stage-example.oktapreview.com/oauth2/<platform-authz-server.id>" },
          workloads: { accountId: "222222222222", region: "eu-west-1", oidcProviderArn: "arn:aws:iam::222222222222:oidc-provider/acme-stage-example.oktapreview.com/oauth2/<platform-authz-server.id>" },
        },
        rolePath: "/oktafed/",
      },
      gcp: { project: "acme-stage-example", poolId: "okta-stage", poolName: "projects/<acme-stage-example.projectNumber>/locations/global/workloadIdentityPools/okta-stage" },
      teams: {
        payments: { oktaPriorityBand: 1, aws: { account: "workloads" }, gcp: { providerId: "payments", providerShards: 1 }, azure: { resourceGroup: "identities-payments-stage" } },
        data: { oktaPriorityBand: 2, aws: { account: "data" }, gcp: { providerId: "data-team", providerShards: 1 } },
      },
    });
  });
});

describe("a team stack", () => {
  it("reads the platform through a stack reference and reads (never creates) the platform's server", () => {
    expect(inputsOf(one(payments.resources, "pulumi:pulumi:StackReference", "platform")).name).toBe("acme/okta-federation/platform-stage");
    const server = one(payments.resources, "okta:auth/server:Server", "federation-authz-server");
    expect(server.read).toBe(true);
    expect(byType(payments.resources, "okta:auth/serverScope:ServerScope")).toEqual([]);
    expect(byType(payments.resources, "okta:auth/serverClaim:ServerClaim")).toEqual([]);
    expect(byType(payments.resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toEqual([]);
    expect(byType(payments.resources, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool")).toEqual([]);
  });

  it("creates its policies in its own band: 10,000 + band x 2,000 + rank", () => {
    const priorities = (plan: Plan) => byType(plan.resources, "okta:auth/serverPolicy:ServerPolicy").map((r) => [r.name, inputsOf(r).priority]);
    expect(priorities(payments)).toEqual([
      ["federation-checkout-policy", 12001],
      ["federation-ledger-policy", 12002],
    ]);
    expect(priorities(data)).toEqual([
      ["federation-ingest-policy", 14001],
      ["federation-warehouse-policy", 14002],
    ]);
  });

  it("trusts the platform's OIDC provider of the team's account, pinning issuer, audience and the service's client id", () => {
    const role = one(data.resources, "aws:iam/role:Role", "federation-ingest-aws-role");
    expect(role.provider).toBe("urn:pulumi:team-data-stage::okta-federation::pulumi:providers:aws::aws");
    expect(inputsOf(one(data.resources, "pulumi:providers:aws", "aws")).allowedAccountIds).toBe(JSON.stringify(["333333333333"]));
    const trust = JSON.parse(inputsOf(role).assumeRolePolicy);
    const issuer = "acme-stage-example.oktapreview.com/oauth2/<platform-authz-server.id>";
    expect(trust.Statement).toEqual([
      {
        Sid: "OktaServiceToken",
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::333333333333:oidc-provider/${issuer}` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${issuer}:aud`]: "api://services-stage", [`${issuer}:sub`]: "<federation-ingest-app.clientId>" } },
      },
    ]);
  });

  it("puts its own provider in the platform's pool, admitting only its own client ids", () => {
    const provider = one(data.resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "federation-gcp-pool-provider-data-team");
    expect(inputsOf(provider)).toMatchObject({
      workloadIdentityPoolId: "okta-stage",
      workloadIdentityPoolProviderId: "data-team",
      attributeCondition: "assertion.sub in ['<federation-ingest-app.clientId>', '<federation-warehouse-app.clientId>']",
      oidc: { issuerUri: "https://acme-stage-example.oktapreview.com/oauth2/<platform-authz-server.id>", allowedAudiences: ["api://services-stage"] },
    });
    const member = one(data.resources, "gcp:projects/iAMMember:IAMMember", "federation-warehouse-gcp-roles/bigquery.dataViewer");
    expect(inputsOf(member).member).toBe("principal://iam.googleapis.com/projects/<acme-stage-example.projectNumber>/locations/global/workloadIdentityPools/okta-stage/subject/<federation-warehouse-app.clientId>");
  });

  it("puts its Azure identities in the team's resource group and exports a federation contract with its team", () => {
    expect(inputsOf(one(payments.resources, "azure-native:managedidentity:UserAssignedIdentity", "federation-checkout-azure-identity")).resourceGroupName).toBe("identities-payments-stage");
    const outputs = unwrapSecrets(payments.outputs) as any;
    expect(outputs).toMatchObject({ contractVersion: 1, environment: "stage", team: "payments", platformStack: "acme/okta-federation/platform-stage" });
    expect(Object.keys(outputs.services)).toEqual(["checkout", "ledger"]);
    expect(outputs.okta.issuerUrl).toBe("https://acme-stage-example.oktapreview.com/oauth2/<platform-authz-server.id>");
  });
});

/** A temporary directory holding the three fixture stacks, with `change` applied to one of them. */
function orgWith(stack: "platform-stage" | "team-payments-stage" | "team-data-stage", change: (config: any) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "oktafed-org-"));
  for (const name of ["platform-stage", "team-payments-stage", "team-data-stage"]) {
    const doc = parse(fixtureText(name));
    if (name === stack) change(doc.config);
    writeFileSync(join(dir, `Pulumi.${name}.yaml`), stringify(doc));
  }
  return dir;
}

async function planError(dir: string, stack: string): Promise<string> {
  try {
    await planStack(loadStackFile(join(dir, `Pulumi.${stack}.yaml`)));
  } catch (error) {
    if (error instanceof ProgramError || error instanceof Error) return error.message;
  }
  throw new Error("expected the plan to fail");
}

describe("bad platform config is refused with every problem at once", () => {
  it("reports an invalid band and team name, an unknown account, a band and a provider id taken twice", async () => {
    const dir = orgWith("platform-stage", (config) => {
      const teams = config["okta-federation:platform"].teams;
      teams.data.oktaPriorityBand = 1;
      teams.data.aws.account = "dta";
      teams.data.gcp.providerId = "payments";
      teams.Ops = { oktaPriorityBand: 41 };
    });
    expect(await planError(dir, "platform-stage")).toBe(
      [
        "invalid config okta-federation:platform: 5 problems",
        "  - teams.Ops.oktaPriorityBand: must be a whole number from 1 to 40: the team's own range of Okta policy priorities, distinct per team",
        `  - teams.Ops: invalid team name "Ops"; allowed: 2-30 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'`,
        `  - teams.data.aws.account: is "dta", not an account of aws.accounts; allowed: workloads, data`,
        "  - teams.payments.oktaPriorityBand: is 1, already the band of team data: each team needs its own band, so that teams deploying at once never create Okta policies at one priority",
        "  - teams.payments.gcp: would own provider payments in pool okta-stage, already team data's: each team needs its own provider ids (set gcp.providerId)",
      ].join("\n"),
    );
  });

  it("a refused gcp or azure block is reported once, not again as missing for each team that uses it", async () => {
    const dir = orgWith("platform-stage", (config) => {
      const platform = config["okta-federation:platform"];
      platform.gcp.project = "Acme_Stage";
      platform.azure.tenantId = "acme";
    });
    expect(await planError(dir, "platform-stage")).toBe(
      [
        "invalid config okta-federation:platform: 2 problems",
        "  - gcp.project: must be a GCP project id: 6-30 characters of a-z, 0-9 and '-', a letter first",
        "  - azure.tenantId: must be a tenant GUID",
      ].join("\n"),
    );
  });

  it("holds the providers in the pool to 200", async () => {
    const dir = orgWith("platform-stage", (config) => {
      const platform = config["okta-federation:platform"];
      platform.teams = Object.fromEntries(Array.from({ length: 34 }, (_, i) => [`team${i + 1}`, { oktaPriorityBand: i + 1, gcp: { providerShards: 6 } }]));
    });
    expect(await planError(dir, "platform-stage")).toBe(
      "invalid config okta-federation:platform: 1 problem\n" +
        "  - teams: the teams own 204 providers in pool okta-stage, more than 200 (the providers per pool the kit allows: Google documents 200 for workforce pools and no figure for workload pools, docs/config.md#platform-and-team-stacks); lower providerShards or split the teams over two platforms",
    );
  });
});

describe("a platform's shared settings follow the federation's rules", () => {
  it("refuses an adopted server and checks the pool, the claims it maps and each account's settings", async () => {
    const dir = orgWith("platform-stage", (config) => {
      const platform = config["okta-federation:platform"];
      platform.okta.authorizationServer = { existing: { id: "default", audience: "api://default" } };
      platform.gcp.poolId = "gcp-x";
      platform.gcp.mappedClaims = ["tenant"];
      platform.aws.accounts.data.existingOidcProviderArn = "arn:aws:iam::555555555555:oidc-provider/x";
    });
    expect(await planError(dir, "platform-stage")).toBe(
      [
        "invalid config okta-federation:platform: 4 problems",
        `  - gcp.poolId: invalid id "gcp-x"; allowed: 4-32 characters of a-z, 0-9 and '-', not starting with 'gcp-'`,
        `  - gcp.mappedClaims[0]: claim "tenant" is not emitted by the authorization server; declare it under okta.claims (declared: tenant_id)`,
        "  - aws.accounts.data.existingOidcProviderArn: is in account 555555555555, but aws.accountId is 333333333333: a role can trust only an OIDC provider of its own account",
        "  - okta.authorizationServer.existing: a platform stack creates its authorization server (name, audience): team stacks create their policies below every policy the server already has, so an adopted server's own policies (the default server's Default Policy admits every client) would decide the teams' tokens; keep an adopted server in a single stack (okta-federation:federation)",
      ].join("\n"),
    );
  });
});

describe("bad team config is refused against the platform's contract", () => {
  it("reports a cloud the platform gives the team no place in and a scope the platform lacks, with the team's key paths", async () => {
    const dir = orgWith("team-data-stage", (config) => {
      const services = config["okta-federation:team"].services;
      services.ingest.scopes = ["events.publish", "api.admin"];
      services.ingest.azure = { roleAssignments: {} };
    });
    expect(await planError(dir, "team-data-stage")).toBe(
      [
        "invalid config okta-federation:team: 2 problems",
        "  - services.ingest.azure: the platform (acme/okta-federation/platform-stage) gives team data no Azure resource group (platform config teams.data.azure.resourceGroup): ask the platform team to add it",
        `  - services.ingest.scopes[1]: unknown scope "api.admin"; allowed: api.read, api.write, events.publish (declared by the platform under okta.scopes)`,
      ].join("\n"),
    );
  });

  it("refuses a team the platform does not list", async () => {
    const dir = orgWith("team-data-stage", (config) => {
      config["okta-federation:team"].team = "analytics";
    });
    expect(await planError(dir, "team-data-stage")).toBe(
      "invalid config okta-federation:team: 1 problem\n" +
        `  - team: "analytics" is not a team of platform stack acme/okta-federation/platform-stage (teams: data, payments); add it under platform.teams in the platform's config`,
    );
  });

  it("says where the offline plan looked for a platform stack it cannot find", async () => {
    const dir = orgWith("team-data-stage", (config) => {
      config["okta-federation:team"].platform = "acme/okta-federation/platform-prod";
    });
    expect(await planError(dir, "team-data-stage")).toBe(
      `team stack team-data-stage reads platform stack acme/okta-federation/platform-prod: the offline plan plans it from ${join(dir, "Pulumi.platform-prod.yaml")}, which does not exist`,
    );
  });

  it("refuses a stack that names two layouts at once", async () => {
    const dir = orgWith("team-data-stage", (config) => {
      config["okta-federation:federation"] = { environment: "stage" };
    });
    expect(await planError(dir, "team-data-stage")).toBe(
      "invalid config okta-federation:federation: 1 problem\n" +
        "  - (root): set one of okta-federation:federation (one federation), okta-federation:federations (several), okta-federation:platform (an organisation's platform stack), okta-federation:team (a team stack); this stack sets federation and team",
    );
  });
});

describe("a platform moved out of a single stack keeps its objects' identities", () => {
  it("aliases the Platform to the former Federation, its children by inheritance and the named account's OIDC provider explicitly", async () => {
    const dir = orgWith("platform-stage", (config) => {
      config["okta-federation:platform"].formerFederation = { awsAccount: "workloads" };
    });
    const plan = await planStack(loadStackFile(join(dir, "Pulumi.platform-stage.yaml")));
    const former = "urn:pulumi:platform-stage::okta-federation::oktafed:index:Federation";
    expect(one(plan.resources, "oktafed:index:Platform", "platform").aliases).toEqual([`${former}::federation`]);
    expect(one(plan.resources, "okta:auth/server:Server", "platform-authz-server").aliases).toContain(
      `${former}$oktafed:okta:AuthorizationServer$okta:auth/server:Server::federation-authz-server`,
    );
    expect(one(plan.resources, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "platform-gcp-pool-pool").aliases).toContain(
      `${former}$oktafed:gcp:WorkloadIdentityPool$gcp:iam/workloadIdentityPool:WorkloadIdentityPool::federation-gcp-pool-pool`,
    );
    expect(one(plan.resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "platform-aws-oidc-workloads-provider").aliases).toContain(
      `${former}$oktafed:aws:OidcProvider$aws:iam/openIdConnectProvider:OpenIdConnectProvider::federation-aws-oidc-provider`,
    );
    expect(one(plan.resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "platform-aws-oidc-data-provider").aliases.some((a) => a.includes("federation-aws-oidc-provider"))).toBe(false);
  });
});

describe("a team stack whose platform's contract no longer matches Okta", () => {
  it("stops at the server it reads, before any trust, and says to update the platform first", async () => {
    const team = fixtureStack("team-payments-stage");
    const contract = (unwrapSecrets(platform.outputs) as any).platform;
    const okta = contract.okta;
    const stale = { ...contract, okta: { ...okta, issuerUrl: `${okta.issuerUrl}-old` } };
    const run = runOffline(federationProgram, {
      project: team.project,
      stack: team.stack,
      config: team.config,
      stackReferences: { "acme/okta-federation/platform-stage": { platform: stale } },
      // What reading the server from Okta returns: the platform's current issuer.
      hints: { oktaAdoptedServers: { [`${okta.orgName}.${okta.baseUrl}/${okta.authorizationServerId}`]: { issuer: okta.issuerUrl, audiences: [okta.audience], issuerMode: "ORG_URL" } } },
    });
    await expect(run).rejects.toThrow(
      `the adopted authorization server <platform-authz-server.id> has issuer ${okta.issuerUrl}, but the config predicts ${okta.issuerUrl}-old; the platform stack acme/okta-federation/platform-stage records another server than Okta holds: run pulumi up on the platform stack, then on this team stack`,
    );
  });
});
