/**
 * Construct, as the engine calls it: the inputs are serialized as a language SDK sends them
 * (rpc.serializeProperties, a protobuf Struct), deserialized by the provider server's own
 * deserializeInputs, and handed to the ComponentProvider's construct under the offline mock engine.
 * The package components must register the kit's resources, with the same types and names as the
 * kit's own components, under one wrapper component of type okta-federation:index:<Type>.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { sharedComponentProvider } from "../../provider/provider";
import { Federation as KitFederation } from "../../components/federation";
import { parseFederationConfig } from "../../components/config";
import type { RecordedResource } from "../../tools/offline/engine";
import { inputsOf, one } from "../helpers/recorded";
import { runWithProviders, type TestProviders } from "../helpers/run";
import { baseConfig, jwtAuth } from "../helpers/fixtures";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

// Internal to the SDK (not in its typings): the serializer the language SDKs' Node twin uses, and
// the provider server's deserializer for Construct's inputs.
const rpc = require("@pulumi/pulumi/runtime/rpc") as { serializeProperties(label: string, props: Record<string, unknown>): Promise<Record<string, unknown>> };
const server = require("@pulumi/pulumi/provider/server") as {
  deserializeInputs(inputs: Struct, dependencies: Map<string, unknown>): Promise<Record<string, unknown>>;
};

/** The inputs as the engine hands them to Construct: serialized by a caller, deserialized by the provider server. */
async function engineInputs(inputs: Record<string, unknown>): Promise<pulumi.Inputs> {
  const serialized = await rpc.serializeProperties("test", inputs);
  return server.deserializeInputs(Struct.fromJavaScript(serialized as never), new Map());
}

/** The base test config in the package's typed shape: policies as { arn }, roles as { role }. */
function federationInputs(): Record<string, unknown> {
  const config = baseConfig();
  return {
    ...config,
    services: {
      payments: {
        scopes: ["api.read", "api.write"],
        auth: jwtAuth("payments-1"),
        aws: { policies: { "s3-read": { arn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" } } },
        gcp: { serviceAccount: true, roles: [{ role: "roles/storage.objectViewer" }] },
        azure: config.services.payments.azure,
      },
    },
  };
}

/** Runs construct for one package component under the offline engine; returns what was registered and the construct result. */
async function construct(provider: ComponentProvider, type: string, name: string, inputs: pulumi.Inputs) {
  const run = await runWithProviders((p: TestProviders) => provider.construct(name, type, inputs, { providers: p.all }));
  const result = await run.value;
  return { resources: run.resources, result };
}

/** `type::name` of every resource except the wrapper, and each parent by name (the wrapper shown as its type). */
function tree(resources: readonly RecordedResource[]): string[] {
  const names = new Map(resources.map((r) => [r.urn, `${r.type}::${r.name}`]));
  return resources
    .filter((r) => !r.type.startsWith("pulumi:providers:"))
    .map((r) => `${r.type}::${r.name} <- ${r.parent === null ? "stack" : names.get(r.parent)}`)
    .sort();
}

let provider: ComponentProvider;
beforeAll(async () => {
  provider = sharedComponentProvider();
  // The engine asks for the schema before any Construct; construct reads the outputs from it.
  await provider.getSchema();
});

describe("Construct okta-federation:index:Federation", () => {
  it("registers the kit's Federation under the package component, with exactly the resources the kit's Federation registers", async () => {
    const { resources } = await construct(provider, "okta-federation:index:Federation", "fed", await engineInputs(federationInputs()));
    const wrapper = one(resources, "okta-federation:index:Federation", "fed");
    expect(wrapper.parent).toBeNull();
    const kit = one(resources, "oktafed:index:Federation", "fed");
    expect(kit.parent).toBe(wrapper.urn);

    // The same config through the kit's own component, in a TypeScript program.
    const direct = await runWithProviders((p) => new KitFederation("fed", { config: parseFederationConfig(baseConfig()) }, { providers: p.all }));
    const underWrapper = tree(resources).filter((line) => !line.startsWith("okta-federation:index:Federation::"));
    const expected = tree(direct.resources).map((line) => line.replace(/<- stack$/, "<- okta-federation:index:Federation::fed"));
    expect(underWrapper).toEqual(expected);

    // The trust-relevant children, by exact type and name.
    const server = one(resources, "okta:auth/server:Server", "fed-authz-server");
    expect(inputsOf(server)).toMatchObject({ name: "services-test", audiences: ["api://services-test"] });
    const role = one(resources, "aws:iam/role:Role", "fed-payments-aws-role");
    const trust = JSON.parse(inputsOf(role).assumeRolePolicy);
    expect(trust.Statement[0].Action).toBe("sts:AssumeRoleWithWebIdentity");
    one(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "fed-aws-oidc-provider");
    one(resources, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "fed-gcp-pool-pool");
    one(resources, "azure-native:managedidentity:UserAssignedIdentity", "fed-payments-azure-identity");
    // Children inherit the providers given to the package component.
    expect(role.provider).toBe("urn:pulumi:test::okta-federation::pulumi:providers:aws::aws");
    expect(server.provider).toBe("urn:pulumi:test::okta-federation::pulumi:providers:okta::okta");
  });

  it("returns the component's URN and the outputs the schema declares", async () => {
    const { resources, result } = await construct(provider, "okta-federation:index:Federation", "fed", await engineInputs(federationInputs()));
    expect(Object.keys(result.state).sort()).toEqual(["audience", "authorizationServerId", "awsOidcProviderArn", "clientSecrets", "gcpPoolName", "issuerUrl", "scopes", "services"]);
    const resolve = (value: unknown) => new Promise((r) => (pulumi.output(value as any) as pulumi.Output<unknown>).apply(r));
    expect(await resolve(result.urn)).toBe(one(resources, "okta-federation:index:Federation", "fed").urn);
    expect(await resolve(result.state.audience)).toBe("api://services-test");
    expect(await resolve(result.state.scopes)).toEqual(["api.read", "api.write"]);
    const services = (await resolve(result.state.services)) as Record<string, { clientId: string; aws?: { roleArn: string }; gcp?: object; azure?: object }>;
    expect(Object.keys(services)).toEqual(["payments"]);
    expect(services.payments!.clientId).toEqual(expect.any(String));
    expect(services.payments!.aws!.roleArn).toContain(":role/oktafed/");
    expect(services.payments!.gcp).toBeDefined();
    expect(services.payments!.azure).toBeDefined();
  });

  it("validates the config as a stack file's is: every problem at once, with its path, and nothing registered", async () => {
    const inputs = federationInputs() as any;
    inputs.services.payments.scopes = ["api.admin"];
    inputs.okta.authorizationServer.issuerMode = "DYNAMIC";
    const run = await runWithProviders((p) => provider.construct("fed", "okta-federation:index:Federation", inputs, { providers: p.all }).then(
      () => "constructed",
      (error: Error) => error.message,
    ));
    const message = await run.value;
    expect(message).toContain("invalid config okta-federation:federation: 2 problems");
    expect(message).toContain("services.payments.scopes[0]: unknown scope \"api.admin\"");
    expect(message).toContain("okta.authorizationServer.issuerMode: DYNAMIC is refused");
    expect(run.resources.filter((r) => !r.type.startsWith("okta-federation:") && !r.type.startsWith("pulumi:providers:"))).toEqual([]);
  });
});

describe("examples/yaml's Federation", () => {
  it("constructs from the YAML program's properties: payments on AWS and GCP, events on Azure, nothing else", async () => {
    const program = parse(readFileSync(join(__dirname, "..", "..", "examples", "yaml", "Pulumi.yaml"), "utf8"));
    const { resources } = await construct(provider, "okta-federation:index:Federation", "federation", await engineInputs(program.resources.federation.properties));
    expect(inputsOf(one(resources, "okta:auth/server:Server", "federation-authz-server"))).toMatchObject({ name: "services-dev", audiences: ["api://services-dev"] });
    expect(inputsOf(one(resources, "okta:app/oAuth:OAuth", "federation-payments-app")).jwks).toBeUndefined();
    one(resources, "okta:app/oAuth:OAuth", "federation-events-app");
    expect(resources.filter((r) => r.type === "aws:iam/role:Role").map((r) => r.name)).toEqual(["federation-payments-aws-role"]);
    expect(resources.filter((r) => r.type === "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider").length).toBe(1);
    expect(resources.filter((r) => r.type === "azure-native:managedidentity:UserAssignedIdentity").map((r) => r.name)).toEqual(["federation-events-azure-identity"]);
  });
});

describe("Construct okta-federation:index:ServiceRole", () => {
  it("registers the kit's ServiceRole and its IAM role trusting exactly one client id, with the typed policies attached", async () => {
    const inputs = await engineInputs({
      oidcProviderArn: "arn:aws:iam::111111111111:oidc-provider/acme.okta.com/oauth2/aus1abc",
      issuerUrl: "https://acme.okta.com/oauth2/aus1abc",
      audience: "api://services",
      clientId: "0oa1payments",
      policies: { "s3-read": { arn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" } },
      roleName: "oktafed-test-payments",
    });
    const { resources } = await construct(provider, "okta-federation:index:ServiceRole", "payments-aws", inputs);
    const wrapper = one(resources, "okta-federation:index:ServiceRole", "payments-aws");
    expect(one(resources, "oktafed:aws:ServiceRole", "payments-aws").parent).toBe(wrapper.urn);
    const role = one(resources, "aws:iam/role:Role", "payments-aws-role");
    const trust = JSON.parse(inputsOf(role).assumeRolePolicy);
    expect(trust.Statement).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Action: "sts:AssumeRoleWithWebIdentity",
        Principal: { Federated: "arn:aws:iam::111111111111:oidc-provider/acme.okta.com/oauth2/aus1abc" },
        Condition: { StringEquals: { "acme.okta.com/oauth2/aus1abc:aud": "api://services", "acme.okta.com/oauth2/aus1abc:sub": "0oa1payments" } },
      }),
    ]);
    expect(inputsOf(one(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "payments-aws-s3-read")).policyArn).toBe("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess");
  });
});

describe("Construct okta-federation:index:AuthorizationServer", () => {
  it("registers the Okta server with its scopes and claims from the typed inputs", async () => {
    const inputs = await engineInputs({
      serverName: "services-test",
      audience: "api://services-test",
      scopes: { "api.read": { description: "Read" } },
      claims: { tenant_id: { value: "acme" } },
    });
    const { resources } = await construct(provider, "okta-federation:index:AuthorizationServer", "authz", inputs);
    const wrapper = one(resources, "okta-federation:index:AuthorizationServer", "authz");
    expect(one(resources, "oktafed:okta:AuthorizationServer", "authz").parent).toBe(wrapper.urn);
    expect(inputsOf(one(resources, "okta:auth/server:Server", "authz-server"))).toMatchObject({ name: "services-test", audiences: ["api://services-test"] });
  });
});

describe("construct refuses", () => {
  it("a type of another package or module, as the engine's Construct would be answered", async () => {
    await expect(provider.construct("x", "oktafed:aws:ServiceRole", {}, {})).rejects.toThrow("Invalid package name oktafed, expected 'okta-federation'");
  });
});
