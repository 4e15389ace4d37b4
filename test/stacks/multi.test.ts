import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { FederationConfigError, parseFederations } from "../../components/config";
import { readFederation } from "../../components/outputs";
import { runOffline, unwrapSecrets } from "../../tools/offline/engine";
import { planStack, planToJson, type Plan } from "../../tools/offline/plan";
import { extractModel, type PlanDocument } from "../../tools/verify/model";
import { verifyModel } from "../../tools/verify/verify";
import { baseConfig, jwtAuth } from "../helpers/fixtures";
import { federationProgram } from "../../stacks/program";
import { one } from "../helpers/recorded";
import { fixtureStack } from "../helpers/stacks";

let plan: Plan;
beforeAll(async () => {
  plan = await planStack(fixtureStack("multi"));
});

describe("several federations in one stack (stacks/Pulumi.multi.yaml)", () => {
  it("builds one Federation per entry, each with its own providers", () => {
    expect(plan.resources.filter((r) => r.type === "oktafed:index:Federation").map((r) => r.urn).sort()).toEqual([
      "urn:pulumi:multi::okta-federation::oktafed:index:Federation::aws-issuer",
      "urn:pulumi:multi::okta-federation::oktafed:index:Federation::gcp-issuer",
      "urn:pulumi:multi::okta-federation::oktafed:index:Federation::globex",
    ]);
    expect(plan.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => r.name).sort()).toEqual([
      "aws-issuer-aws",
      "aws-issuer-okta",
      "gcp-issuer-gcp",
      "gcp-issuer-okta",
      "globex-azure-native",
      "globex-okta",
    ]);
    expect(one(plan.resources, "okta:auth/server:Server", "globex-authz-server").provider).toBe("urn:pulumi:multi::okta-federation::pulumi:providers:okta::globex-okta");
  });

  it("exports each federation's contract under federations", () => {
    const outputs = unwrapSecrets(plan.outputs) as any;
    expect(outputs.contractVersion).toBe(1);
    expect(Object.keys(outputs.federations)).toEqual(["aws-issuer", "gcp-issuer", "globex"]);
    expect(outputs.federations["aws-issuer"].okta.audience).toBe("api://services-aws");
    expect(outputs.federations["gcp-issuer"].services.payments.clientId).toBe("<gcp-issuer-payments-app.clientId>");
  });

  it("a token for one cloud's issuer is useless at another cloud", async () => {
    const result = await verifyModel(extractModel(planToJson(plan) as unknown as PlanDocument));
    expect(result.findings).toEqual([]);
    const cell = result.cell("aws-issuer/payments", "gcp-direct:gcp-issuer/payments");
    expect(cell.decision).toBe("deny");
    expect(cell.reason).toBe(
      "issuer mismatch (different value) between the token issuer https://acme-example.okta.com/oauth2/<aws-issuer-authz-server.id> and GCP provider okta (https://acme-example.okta.com/oauth2/<gcp-issuer-authz-server.id>)",
    );
  });

  it("readFederation reads one named federation", async () => {
    const outputs = unwrapSecrets(plan.outputs) as Record<string, unknown>;
    const result = await runOffline(
      () => {
        const globex = readFederation(new pulumi.StackReference("acme/okta-federation/multi"), { federation: "globex" });
        return { issuer: globex.issuerUrl, billing: globex.service("billing").clientId };
      },
      { project: "x", stack: "dev", config: {}, stackReferences: { "acme/okta-federation/multi": outputs } },
    );
    expect(result.outputs).toEqual({ issuer: "https://globex-example.okta.com/oauth2/<globex-authz-server.id>", billing: "<globex-billing-app.clientId>" });
  });
});

describe("federations config", () => {
  const problems = (raw: unknown) => {
    try {
      parseFederations(raw);
    } catch (e) {
      return (e as FederationConfigError).problems;
    }
    throw new Error("expected the config to be rejected");
  };

  /** A second, non-clashing federation: its own server, environment, pool, identities and key. */
  const other = (name = "other") => {
    const b = baseConfig();
    b.environment = name;
    b.okta.authorizationServer.name = name;
    b.gcp.poolId = `okta-${name}`;
    b.azure.identityNamePrefix = `id-${name}-`;
    b.services.payments.auth = jwtAuth(`payments-${name}`);
    return b;
  };

  it("refuses federations on one Okta org whose maxConcurrentWrites add up past the org's 75 simultaneous requests", () => {
    const one = baseConfig();
    one.okta.provider = { maxConcurrentWrites: 40 };
    const two = other();
    two.okta.orgName = "ACME-test-example"; // one org, whatever the letter case
    two.okta.provider = { maxConcurrentWrites: 36 };
    expect(problems({ one, two })).toEqual([
      {
        path: "two.okta.provider.maxConcurrentWrites",
        message:
          "federations one, two share the Okta org acme-test-example.okta.com: their maxConcurrentWrites add up to 76, over the 75 simultaneous requests Okta allows an org; lower them so that they add up to 75 at most",
      },
    ]);
    two.okta.provider = { maxConcurrentWrites: 35 };
    expect(() => parseFederations({ one, two })).not.toThrow();
  });

  it("reports problems under the federation's name", () => {
    const b = other();
    b.services.payments.scopes = ["api.nope"];
    expect(problems({ one: baseConfig(), two: b, "Bad!": other("bad") })).toEqual([
      { path: "Bad!", message: `invalid federation name "Bad!"; allowed: 2-30 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'` },
      { path: "two.services.payments.scopes[0]", message: 'unknown scope "api.nope"; allowed: api.read, api.write (declared under okta.scopes)' },
    ]);
  });

  it("refuses two federations claiming the same authorization server, GCP pool, AWS role, service account, Azure identity or client key", () => {
    expect(problems({ one: baseConfig(), two: baseConfig() })).toEqual([
      { path: "two.okta.authorizationServer.name", message: "Okta authorization server acme-test-example.okta.com/services-test is also used by one.okta.authorizationServer.name; give each federation its own" },
      { path: "two.gcp.poolId", message: "GCP pool acme-test-example/okta-test is also used by one.gcp.poolId; give each federation its own" },
      { path: "two.services.payments.aws", message: "AWS role 111111111111/test-payments is also used by one.services.payments.aws; give each federation its own" },
      { path: "two.services.payments.gcp", message: "GCP service account acme-test-example/test-payments is also used by one.services.payments.gcp; give each federation its own" },
      { path: "two.services.payments.azure", message: "Azure identity 00000000-0000-0000-0000-000000000001/identities-test/id-test-payments is also used by one.services.payments.azure; give each federation its own" },
      {
        path: "two.services.payments.auth",
        message:
          "registers the same public key (key payments-1) as service one/payments (key payments-1): Okta accepts a client assertion signed by any key of a client, so each service could obtain the other's tokens; give every service its own key pair",
      },
    ]);
    expect(() => parseFederations({ one: baseConfig(), two: other() })).not.toThrow();
  });

  it("compares Azure resource groups and identity names without letter case, as Azure does", () => {
    const b = other();
    b.azure.resourceGroup = "IDENTITIES-TEST";
    b.azure.identityNamePrefix = "ID-TEST-";
    expect(problems({ one: baseConfig(), two: b })).toEqual([
      { path: "two.services.payments.azure", message: "Azure identity 00000000-0000-0000-0000-000000000001/IDENTITIES-TEST/ID-TEST-payments is also used by one.services.payments.azure; give each federation its own" },
    ]);
  });

  it("refuses the same key across federations of one Okta org, and allows it across orgs", () => {
    const sameOrg = other();
    sameOrg.services.payments.auth = jwtAuth("payments-1");
    expect(problems({ one: baseConfig(), two: sameOrg }).map((p) => p.path)).toEqual(["two.services.payments.auth"]);
    const otherOrg = other();
    otherOrg.okta.orgName = "globex-test-example";
    otherOrg.services.payments.auth = jwtAuth("payments-1");
    expect(() => parseFederations({ one: baseConfig(), two: otherOrg })).not.toThrow();
  });

  it("compares Okta orgs in canonical form: acme and ACME are one org, for client keys and authorization servers", () => {
    const upper = other();
    upper.okta.orgName = "ACME-TEST-EXAMPLE";
    upper.services.payments.auth = jwtAuth("payments-1");
    expect(problems({ one: baseConfig(), two: upper })).toEqual([
      {
        path: "two.services.payments.auth",
        message:
          "registers the same public key (key payments-1) as service one/payments (key payments-1): Okta accepts a client assertion signed by any key of a client, so each service could obtain the other's tokens; give every service its own key pair",
      },
    ]);
    const sameServer = other();
    sameServer.okta.orgName = "Acme-Test-Example";
    sameServer.okta.authorizationServer.name = "services-test";
    expect(problems({ one: baseConfig(), two: sameServer })).toEqual([
      { path: "two.okta.authorizationServer.name", message: "Okta authorization server acme-test-example.okta.com/services-test is also used by one.okta.authorizationServer.name; give each federation its own" },
    ]);
  });

  it("refuses a grant in one federation that reaches another federation's managed identities", () => {
    const b = other();
    b.azure.resourceGroup = "identities-other";
    b.services.payments.azure.roleAssignments = {
      "rg-admin": { role: "Managed Identity Contributor", scope: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/identities-test" },
    };
    expect(problems({ one: baseConfig(), two: b })).toEqual([
      {
        path: "two.services.payments.azure.roleAssignments.rg-admin",
        message:
          "Managed Identity Contributor at /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/identities-test holds Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write (writes federated credentials on every managed identity in its scope), and that scope holds the managed identities of payments of federation one: payments could take them over; refused unless the grant carries the explicit opt-in allowIdentityAdmin: true (docs/guardrails.md#identity-admin-grants)",
      },
    ]);
  });

  it("the longest federation name and service key still give AWS role names IAM accepts (no autoname overflow)", async () => {
    const federation = "f".repeat(30);
    const key = `s${"k".repeat(29)}`;
    const config = baseConfig();
    config.environment = "e".repeat(16);
    config.services = { [key]: { scopes: ["api.read"], auth: jwtAuth("long"), aws: {} } };
    delete config.gcp;
    delete config.azure;
    const { resources } = await runOffline(federationProgram, {
      project: "okta-federation",
      stack: "test",
      config: { "okta-federation:federations": JSON.stringify({ [federation]: config }) },
    });
    const role = one(resources, "aws:iam/role:Role", `${federation}-${key}-aws-role`);
    expect(role.inputs.name).toBe(`${"e".repeat(16)}-${key}`);
    expect(String(role.inputs.name).length).toBeLessThanOrEqual(64);
  });

  it("refuses an empty map", () => {
    expect(problems({})).toEqual([{ path: "(root)", message: "must be a map of federations keyed by name, with at least one" }]);
  });
});
