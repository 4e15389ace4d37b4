/**
 * npm run new-env for the organisation layout: a platform stack's and a team stack's values of the
 * source environment are marked to fill in, as a federation's are, and the plan refuses the new
 * stacks until each is filled; filled in, both plan.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { FILL_IN_MARK, fillIn } from "../../components/internal/fillIn";
import { ProgramError } from "../../tools/offline/engine";
import { planStack } from "../../tools/offline/plan";
import { loadStack } from "../../tools/offline/stackFile";
import { environmentSwap, guessPlatform, newEnvironmentStack } from "../../tools/new-env";
import { jwtAuth } from "../helpers/fixtures";
import { stackProblems } from "../helpers/stackChecks";
import { fixtureText } from "../helpers/stacks";
import { projectWith, runNewEnv, strings } from "../helpers/newEnv";

const PLATFORM = "okta-federation:platform";
const TEAM = "okta-federation:team";

const project = () => projectWith(["platform-stage", "team-data-stage"]);
const run = runNewEnv;

/** A stack file's text with its config key `key` changed. */
function variant(stack: string, key: string, change: (body: any) => void): string {
  const doc = parse(fixtureText(stack));
  change(doc.config[key]);
  return stringify(doc);
}

/** Sets each value at its fill-in path (as new-env prints it, below the config key `key`) in a stack file. */
function fillStack(file: string, key: string, values: Record<string, unknown>): void {
  const doc = parse(readFileSync(file, "utf8"));
  for (const [path, value] of Object.entries(values)) {
    const keys = path.split(".");
    const parent = keys.slice(0, -1).reduce((v, k) => v[k], doc.config[key]);
    expect(strings(parent[keys.at(-1)!]).some((s) => s.startsWith(FILL_IN_MARK)), path).toBe(true);
    parent[keys.at(-1)!] = value;
  }
  writeFileSync(file, stringify(doc));
}

/** platform-prod's values, by the paths new-env marks in platform-stage, in the order it lists them. */
const PLATFORM_PROD: Record<string, unknown> = {
  "okta.orgName": "acme-prod-example",
  "okta.baseUrl": "okta.com",
  "okta.authorizationServer.name": "services-prod",
  "okta.authorizationServer.audience": "api://services-prod",
  "aws.accounts.workloads.accountId": "444444444444",
  "aws.accounts.data.accountId": "555555555555",
  "gcp.project": "acme-prod-example",
  "gcp.poolId": "okta-prod",
  "azure.subscriptionId": "00000000-0000-0000-0000-000000000003",
  "azure.tenantId": "00000000-0000-0000-0000-0000000000bb",
  "teams.payments.azure.resourceGroup": "identities-payments-prod",
  "okta.authorizationServer.description": "Service tokens for the prod environment",
};

describe("npm run new-env for a platform stack", () => {
  it("marks the platform's identifying fields at its own paths; the environment becomes the token the names differ by", () => {
    const result = newEnvironmentStack(fixtureText("platform-stage"), "platform-stage", "platform-prod");
    expect(result.fillIns).toEqual(Object.keys(PLATFORM_PROD).map((p) => `${PLATFORM}.${p}`));
    const platform = parse(result.text).config[PLATFORM];
    const source = parse(fixtureText("platform-stage")).config[PLATFORM];
    expect(platform.environment).toBe("prod");
    expect(platform.aws.accounts.data.accountId).toBe(`${FILL_IN_MARK}: the AWS account id for platform-prod (platform-stage has "333333333333")`);
    expect(platform.teams.payments.azure.resourceGroup).toBe(`${FILL_IN_MARK}: the resource group for the identities for platform-prod (platform-stage has "identities-payments-stage")`);
    // Structure stays: bands, which account and provider id each team has, regions, scopes.
    expect(platform.teams.data).toEqual(source.teams.data);
    expect([platform.teams.payments.oktaPriorityBand, platform.teams.payments.aws, platform.teams.payments.gcp]).toEqual([1, { account: "workloads" }, {}]);
    expect(platform.aws.accounts.workloads.region).toBe("eu-west-1");
    expect(platform.okta.scopes).toEqual(source.okta.scopes);
    // Nothing that names stage survives outside a marked text, nor any comment below the header.
    for (const value of strings(platform).filter((s) => !s.startsWith(FILL_IN_MARK))) expect(value, value).not.toMatch(/(^|[^a-z0-9])stage($|[^a-z0-9])/i);
    for (const comment of result.text.slice(result.text.indexOf("\n\n")).split("\n").filter((l) => l.trim().startsWith("#"))) expect(comment, comment).not.toMatch(/stage/i);
    expect([result.droppedSecrets, result.droppedHistory]).toEqual([[], []]);
  });

  it("drops formerFederation, and says why: the source's migration from a single stack is not the new environment's", async () => {
    const text = variant("platform-stage", PLATFORM, (p) => (p.formerFederation = { name: "federation", awsAccount: "workloads" }));
    const result = newEnvironmentStack(text, "platform-stage", "platform-prod");
    expect(parse(result.text).config[PLATFORM].formerFederation).toBeUndefined();
    expect(result.droppedHistory).toEqual([`${PLATFORM}.formerFederation`]);
    expect(result.fillIns).toEqual(Object.keys(PLATFORM_PROD).map((p) => `${PLATFORM}.${p}`));
    const root = project();
    writeFileSync(join(root, "stacks", "Pulumi.platform-stage.yaml"), text);
    const { stdout } = await run(root, "platform-prod", "--from", "platform-stage");
    expect(stdout).toContain(
      `\ndropped ${PLATFORM}.formerFederation: it records how platform-stage's objects were moved out of a single stack (aliases to that stack's state); platform-prod's objects are new. Set it only if platform-prod's objects are moved out of a single stack too (docs/organisation.md).\nthen: `,
    );
  });

  it("a permissions boundary, an adopted OIDC provider's ARN and a pool suffix are the source account's and environment's", () => {
    const text = variant("platform-stage", PLATFORM, (p) => {
      p.aws.permissionsBoundaryArn = "arn:aws:iam::222222222222:policy/boundary";
      p.aws.accounts.data.existingOidcProviderArn = "arn:aws:iam::333333333333:oidc-provider/acme-stage-example.oktapreview.com/oauth2/x";
      p.gcp.idSuffix = "v2";
    });
    const result = newEnvironmentStack(text, "platform-stage", "platform-prod");
    expect(result.fillIns.filter((p) => !Object.keys(PLATFORM_PROD).some((known) => p === `${PLATFORM}.${known}`))).toEqual([
      `${PLATFORM}.aws.permissionsBoundaryArn`,
      `${PLATFORM}.gcp.idSuffix`,
      `${PLATFORM}.aws.accounts.data.existingOidcProviderArn`,
    ]);
  });

  it("the plan refuses the new platform stack, naming every value to fill in; filled in, it plans and passes the generic checks", async () => {
    const root = project();
    const { code, stdout, stderr } = await run(root, "platform-prod", "--from", "platform-stage");
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout).toBe(
      [
        "wrote stacks/Pulumi.platform-prod.yaml from platform-stage: 12 values to fill in (marked TODO(new-env)):",
        ...Object.keys(PLATFORM_PROD).map((p) => `  - ${PLATFORM}.${p}`),
        "then: npm run plan -- --stack platform-prod   (refuses the stack until every value is filled in)",
        "",
      ].join("\n"),
    );
    const error = await planStack(loadStack("platform-prod", root)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ProgramError);
    expect((error as ProgramError).resources).toEqual([]);
    const message = (error as Error).message;
    expect(message).toContain(`  - okta.orgName: still to fill in: the Okta org (e.g. acme for acme.okta.com) for platform-prod (platform-stage has "acme-stage-example"); written by npm run new-env`);
    // Every line is a value to fill in: none of the problems the marked values cause elsewhere.
    const lines = message.split("\n").filter((l) => l.startsWith("  - "));
    expect(lines.map((l) => l.slice(4, l.indexOf(": "))).sort()).toEqual(Object.keys(PLATFORM_PROD).sort());
    for (const line of lines) expect(line).toMatch(/^  - [^:]+: still to fill in: .*; written by npm run new-env$/);

    fillStack(join(root, "stacks", "Pulumi.platform-prod.yaml"), PLATFORM, PLATFORM_PROD);
    expect(await stackProblems(loadStack("platform-prod", root))).toEqual([]);
  });
});

describe("npm run new-env for a team stack", () => {
  it("asks which platform the team reads, with the guess; marks every service's keys", () => {
    const result = newEnvironmentStack(fixtureText("team-data-stage"), "team-data-stage", "team-data-prod");
    expect(result.fillIns).toEqual([`${TEAM}.platform`, `${TEAM}.services.ingest.auth.jwks`, `${TEAM}.services.warehouse.auth.jwks`]);
    const team = parse(result.text).config[TEAM];
    expect(team.platform).toBe(
      fillIn('the platform stack team-data-prod reads, <organization>/<project>/<stack> (team-data-stage reads "acme/okta-federation/platform-stage"; likely "acme/okta-federation/platform-prod")'),
    );
    expect(team.team).toBe("data");
    expect(team.services.ingest.aws).toEqual({ policies: { "s3-read": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" } });
  });

  it("with the source's platform file, a value naming the platform's account is marked too", () => {
    const text = variant("team-data-stage", TEAM, (t) => (t.services.ingest.aws.policies["lake-read"] = "arn:aws:iam::333333333333:policy/lake-read"));
    const without = newEnvironmentStack(text, "team-data-stage", "team-data-prod");
    const withPlatform = newEnvironmentStack(text, "team-data-stage", "team-data-prod", new Date(), fixtureText("platform-stage"));
    expect(withPlatform.fillIns.filter((p) => !without.fillIns.includes(p))).toEqual([`${TEAM}.services.ingest.aws.policies.lake-read`]);
  });

  it("guesses the platform only when the stack names differ by a token the platform's name holds", () => {
    expect(environmentSwap("team-data-stage", "team-data-prod")).toEqual({ source: "stage", target: "prod" });
    expect(environmentSwap("dev", "staging")).toEqual({ source: "dev", target: "staging" });
    expect(environmentSwap("prod", "prod-eu")).toBeUndefined();
    expect(guessPlatform("acme/okta-federation/platform-stage", "team-data-stage", "team-data-prod")).toBe("acme/okta-federation/platform-prod");
    expect(guessPlatform("platform-stage", "stage-team-data", "prod-eu-team-data")).toBe("platform-prod-eu");
    expect(guessPlatform("acme/okta-federation/platform-stage", "team-data", "team-data-eu")).toBeUndefined();
    expect(guessPlatform("acme/okta-federation/shared", "team-data-stage", "team-data-prod")).toBeUndefined();
  });

  it("the plan refuses the new team stack; with its platform and keys filled in, it plans beside the new platform", async () => {
    const root = project();
    await run(root, "platform-prod", "--from", "platform-stage");
    fillStack(join(root, "stacks", "Pulumi.platform-prod.yaml"), PLATFORM, PLATFORM_PROD);
    const { code, stdout } = await run(root, "team-data-prod", "--from", "team-data-stage");
    expect(code).toBe(0);
    expect(stdout.split("\n").slice(0, 4)).toEqual([
      "wrote stacks/Pulumi.team-data-prod.yaml from team-data-stage: 3 values to fill in (marked TODO(new-env)):",
      `  - ${TEAM}.platform`,
      `  - ${TEAM}.services.ingest.auth.jwks`,
      `  - ${TEAM}.services.warehouse.auth.jwks`,
    ]);
    // The marked platform names no stack: the plan says what is left to fill in, before any resource.
    const error = await planStack(loadStack("team-data-prod", root)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ProgramError);
    expect((error as ProgramError).resources).toEqual([]);
    expect((error as Error).message.split("\n").filter((l) => l.startsWith("  - ")).map((l) => l.slice(4, l.indexOf(": ")))).toEqual(["platform", "services.ingest.auth.jwks", "services.warehouse.auth.jwks"]);
    expect((error as Error).message).toContain(`  - platform: ${FILL_IN_MARK}`.replace(FILL_IN_MARK, "still to fill in: the platform stack team-data-prod reads"));

    fillStack(join(root, "stacks", "Pulumi.team-data-prod.yaml"), TEAM, {
      platform: "acme/okta-federation/platform-prod",
      "services.ingest.auth": jwtAuth("ingest-prod-1"),
      "services.warehouse.auth": jwtAuth("warehouse-prod-1"),
    });
    expect(await stackProblems(loadStack("team-data-prod", root))).toEqual([]);
  });
});
