import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { appProgram } from "../../examples/app-stack/program";
import { platformProgram } from "../../examples/platform-stack/program";
import { readFederation } from "okta-federation";
import { runOffline, unwrapSecrets } from "../../tools/offline/engine";
import { planStack } from "../../tools/offline/plan";
import { byType, inputsOf, one } from "../helpers/recorded";
import { fixtureStack } from "../helpers/stacks";

let devOutputs: Record<string, unknown>;
beforeAll(async () => {
  devOutputs = unwrapSecrets((await planStack(fixtureStack("dev"))).outputs) as Record<string, unknown>;
});

describe("examples/app-stack", () => {
  it("adds a role for the federation's payments service from the federation stack's outputs, retyping nothing", async () => {
    const result = await runOffline(appProgram, {
      project: "payments-app",
      stack: "dev",
      config: { "payments-app:federationStack": "acme/okta-federation/dev", "payments-app:accountId": "111111111111", "payments-app:region": "eu-west-1" },
      stackReferences: { "acme/okta-federation/dev": devOutputs },
    });
    const host = "acme-dev-example.oktapreview.com/oauth2/<federation-authz-server.id>";
    const trust = JSON.parse(inputsOf(one(result.resources, "aws:iam/role:Role", "payments-reports-role")).assumeRolePolicy);
    expect(trust.Statement[0].Principal.Federated).toBe(`arn:aws:iam::111111111111:oidc-provider/${host}`);
    expect(trust.Statement[0].Condition.StringEquals).toEqual({
      [`${host}:aud`]: "api://services-dev",
      [`${host}:sub`]: "<federation-payments-app.clientId>",
    });
    expect(one(result.resources, "aws:iam/role:Role", "payments-reports-role").provider).toBe("urn:pulumi:dev::payments-app::pulumi:providers:aws::aws");
    expect(result.outputs.reportsRoleArn).toBe("arn:aws:iam::111111111111:role/oktafed/<payments-reports-role.name>");
  });

  it("names the known services when asked for one the federation stack does not have", async () => {
    const error = await runOffline(
      () => {
        const federation = readFederation(new pulumi.StackReference("acme/okta-federation/dev"));
        return { clientId: federation.service("ledger").clientId };
      },
      { project: "x", stack: "dev", config: {}, stackReferences: { "acme/okta-federation/dev": devOutputs } },
    ).catch((e: Error) => e);
    expect((error as Error).message).toBe('the federation stack has no service "ledger"; services: billing-export, payments, reporting');
  });

  it("refuses a federation stack that speaks another contract version", async () => {
    const error = await runOffline(
      () => ({ issuer: readFederation(new pulumi.StackReference("old")).issuerUrl }),
      { project: "x", stack: "dev", config: {}, stackReferences: { old: { ...devOutputs, contractVersion: 2 } } },
    ).catch((e: Error) => e);
    expect((error as Error).message).toBe("the federation stack has output contract version 2; this reader understands version 1");
  });
});

describe("examples/platform-stack", () => {
  it("trusts existing client ids in a second AWS account through its own explicit provider", async () => {
    const result = await runOffline(platformProgram, {
      project: "platform-aws-data",
      stack: "dev",
      config: {
        "platform-aws-data:issuerUrl": "https://acme-dev-example.oktapreview.com/oauth2/aus1example2dev3",
        "platform-aws-data:audience": "api://services-dev",
        "platform-aws-data:dataAccountId": "333333333333",
        "platform-aws-data:region": "eu-west-1",
        "platform-aws-data:readers": JSON.stringify({ reporting: "0oa1reportingexample", payments: "0oa1paymentsexample1" }),
      },
    });
    const provider = one(result.resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "okta-dev-provider");
    expect(inputsOf(provider)).toEqual({ url: "https://acme-dev-example.oktapreview.com/oauth2/aus1example2dev3", clientIdLists: ["api://services-dev"] });
    expect(provider.provider).toBe("urn:pulumi:dev::platform-aws-data::pulumi:providers:aws::aws-data");
    const roles = byType(result.resources, "aws:iam/role:Role");
    expect(roles.map((r) => r.name).sort()).toEqual(["payments-lake-reader-role", "reporting-lake-reader-role"]);
    for (const role of roles) {
      const sub = JSON.parse(inputsOf(role).assumeRolePolicy).Statement[0].Condition.StringEquals["acme-dev-example.oktapreview.com/oauth2/aus1example2dev3:sub"];
      expect(sub).toBe(role.name.startsWith("payments") ? "0oa1paymentsexample1" : "0oa1reportingexample");
    }
    expect(byType(result.resources, "okta:auth/server:Server")).toEqual([]);
    expect((result.outputs as any).oidcProviderArn).toBe("arn:aws:iam::333333333333:oidc-provider/acme-dev-example.oktapreview.com/oauth2/aus1example2dev3");
  });
});
