import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { AuthorizationServer, claimExpression } from "../../components/okta/authorizationServer";
import { ServiceApp } from "../../components/okta/serviceApp";
import { TokenHook } from "../../components/okta/tokenHook";
import { isSecretValue, redact, runOffline } from "../../tools/offline/engine";
import { byType, inputsOf, one } from "../helpers/recorded";
import { makeProviders, runWithProviders } from "../helpers/run";

describe("AuthorizationServer", () => {
  it("creates one server with exactly one audience, ORG_URL, scopes and claims, all under the component", async () => {
    const { resources } = await runWithProviders((p) =>
      new AuthorizationServer(
        "authz",
        {
          serverName: "services-test",
          audience: "api://services-test",
          scopes: { "api.write": {}, "api.read": { description: "Read" } },
          claims: { tenant_id: { value: "acme" }, label: { expression: "app.clientId", scopes: ["api.read"] } },
        },
        { providers: p.all },
      ),
    );
    const component = one(resources, "oktafed:okta:AuthorizationServer", "authz");
    const server = one(resources, "okta:auth/server:Server", "authz-server");
    expect(inputsOf(server)).toMatchObject({
      name: "services-test",
      audiences: ["api://services-test"],
      issuerMode: "ORG_URL",
      credentialsRotationMode: "AUTO",
      status: "ACTIVE",
    });
    expect(server.parent).toBe(component.urn);
    expect(server.provider).toBe("urn:pulumi:test::okta-federation::pulumi:providers:okta::okta");
    expect(server.outputs.issuer).toBe("https://acme-test-example.okta.com/oauth2/<authz-server.id>");

    const scopes = byType(resources, "okta:auth/serverScope:ServerScope");
    expect(scopes.map((s) => [s.name, inputsOf(s).name, inputsOf(s).consent, inputsOf(s).authServerId])).toEqual([
      ["authz-scope-api.read", "api.read", "IMPLICIT", "<authz-server.id>"],
      ["authz-scope-api.write", "api.write", "IMPLICIT", "<authz-server.id>"],
    ]);
    // Registration order follows readiness (a claim waits for its scope), so compare sorted.
    const claims = byType(resources, "okta:auth/serverClaim:ServerClaim").sort((a, b) => a.name.localeCompare(b.name));
    expect(claims.map((c) => [c.name, inputsOf(c).claimType, inputsOf(c).valueType, inputsOf(c).value, inputsOf(c).scopes])).toEqual([
      ["authz-claim-label", "RESOURCE", "EXPRESSION", "app.clientId", ["api.read"]],
      ["authz-claim-tenant_id", "RESOURCE", "EXPRESSION", '"acme"', undefined],
    ]);
    // The claim limited to a scope waits for that scope.
    expect(claims[0]!.dependencies).toContain(scopes[0]!.urn);
  });

  it("adopts an existing server by id (a read, not a create) and creates nothing in its place", async () => {
    const { resources, value } = await runWithProviders((p) =>
      new AuthorizationServer("authz", { existingServerId: "default", audience: "api://default" }, { providers: p.all }),
    );
    const server = one(resources, "okta:auth/server:Server", "authz-server");
    expect(server.read).toBe(true);
    expect(server.outputs.id).toBe("default");
    const issuer = await new Promise((resolve) => value.issuerUrl.apply(resolve));
    expect(issuer).toBe("https://acme-test-example.okta.com/oauth2/default");
  });

  it("an adopted server's issuer and audience are checked against what Okta returns", async () => {
    const adopt = (existingIssuer: string, audience = "api://default") =>
      runOffline(
        () => {
          const p = makeProviders();
          new AuthorizationServer("authz", { existingServerId: "default", existingIssuer, audience }, { providers: p.all });
          return {};
        },
        {
          project: "okta-federation",
          stack: "test",
          config: {},
          // What reading the server from Okta returns.
          hints: { oktaAdoptedServers: { "acme-test-example.okta.com/default": { issuer: "https://id.acme.example/oauth2/default", audiences: ["api://default"], issuerMode: "CUSTOM_URL" } } },
        },
      );
    await expect(adopt("https://id.acme.example/oauth2/default")).resolves.toBeDefined();
    await expect(adopt("https://acme-test-example.okta.com/oauth2/default")).rejects.toThrow(
      "the adopted authorization server default has issuer https://id.acme.example/oauth2/default, but the config predicts https://acme-test-example.okta.com/oauth2/default; set okta.authorizationServer.existing.issuerMode (and customDomain) to match the server",
    );
    await expect(adopt("https://id.acme.example/oauth2/default", "api://other")).rejects.toThrow(
      "the adopted authorization server default has audiences api://default, not api://other; set okta.authorizationServer.existing.audience to the server's audience",
    );
  });

  it("writes a fixed claim value as a quoted Okta EL literal and passes expressions through", () => {
    expect(claimExpression({ value: 'say "hi"' })).toBe('"say \\"hi\\""');
    expect(claimExpression({ expression: "app.profile.tenant" })).toBe("app.profile.tenant");
  });

  it("protects the server when asked", async () => {
    const { resources } = await runWithProviders((p) =>
      new AuthorizationServer("authz", { serverName: "s", audience: "api://s", protect: true }, { providers: p.all }),
    );
    expect(one(resources, "okta:auth/server:Server", "authz-server").protect).toBe(true);
  });
});

describe("ServiceApp", () => {
  const jwk = { kid: "k1", kty: "RSA" as const, e: "AQAB", n: "abc" };

  it("creates a client_credentials-only service app, a policy for exactly that client and one rule", async () => {
    const { resources } = await runWithProviders((p) =>
      new ServiceApp(
        "payments",
        {
          authServerId: "aus123",
          label: "test-payments",
          scopes: ["api.read", "api.write"],
          tokenLifetimeMinutes: 30,
          auth: { method: "private_key_jwt", jwks: [jwk] },
        },
        { providers: p.all },
      ),
    );
    expect(resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers")).map((r) => `${r.type}::${r.name}`)).toEqual([
      "okta:app/oAuth:OAuth::payments-app",
      "okta:auth/serverPolicy:ServerPolicy::payments-policy",
      "okta:auth/serverPolicyRule:ServerPolicyRule::payments-rule",
    ]);
    const app = one(resources, "okta:app/oAuth:OAuth", "payments-app");
    expect(inputsOf(app)).toMatchObject({
      type: "service",
      grantTypes: ["client_credentials"],
      responseTypes: ["token"],
      tokenEndpointAuthMethod: "private_key_jwt",
      jwks: [jwk],
      omitSecret: true,
      // Later updates (a key rotation) would otherwise fail: Okta refuses sign-on policies on service apps.
      skipAuthenticationPolicy: true,
    });
    const policy = one(resources, "okta:auth/serverPolicy:ServerPolicy", "payments-policy");
    expect(inputsOf(policy)).toMatchObject({ authServerId: "aus123", clientWhitelists: ["<payments-app.clientId>"], priority: 1 });
    expect(policy.ignoreChanges).toEqual(["priority"]);
    const rule = one(resources, "okta:auth/serverPolicyRule:ServerPolicyRule", "payments-rule");
    expect(inputsOf(rule)).toMatchObject({
      policyId: "<payments-policy.id>",
      priority: 1,
      grantTypeWhitelists: ["client_credentials"],
      scopeWhitelists: ["api.read", "api.write"],
      accessTokenLifetimeMinutes: 30,
    });
    expect(inputsOf(rule).inlineHookId).toBeUndefined();
    // The people condition decides nothing for client_credentials; set as Okta stores it, so no preview shows a diff.
    expect(inputsOf(rule).groupWhitelists).toEqual(["EVERYONE"]);
    expect(inputsOf(rule).userWhitelists).toBeUndefined();
    // The component registers no copies of its children's outputs (they are in state under each child).
    expect(one(resources, "oktafed:okta:ServiceApp", "payments").componentOutputs).toBeUndefined(); // registered empty
  });

  it("keeps a client secret out of state by default and exports it only as a secret when kept", async () => {
    const { resources, value } = await runWithProviders((p) => ({
      omitted: new ServiceApp(
        "a",
        { authServerId: "aus1", label: "a", scopes: ["s"], tokenLifetimeMinutes: 60, policyPriority: 1, auth: { method: "client_secret_basic" } },
        { providers: p.all },
      ),
      kept: new ServiceApp(
        "b",
        { authServerId: "aus1", label: "b", scopes: ["s"], tokenLifetimeMinutes: 60, policyPriority: 2, auth: { method: "client_secret_basic", keepSecretInState: true } },
        { providers: p.all },
      ),
    }));
    expect(inputsOf(one(resources, "okta:app/oAuth:OAuth", "a-app")).omitSecret).toBe(true);
    expect(inputsOf(one(resources, "okta:app/oAuth:OAuth", "b-app")).omitSecret).toBe(false);
    expect(one(resources, "okta:app/oAuth:OAuth", "b-app").additionalSecretOutputs).toContain("clientSecret");
    expect(value.omitted.clientSecret).toBeUndefined();
    expect(await pulumi.isSecret(value.kept.clientSecret!)).toBe(true);
  });

  it.each([4, 1441, 60.5])("rejects a token lifetime of %s minutes", async (minutes) => {
    await expect(
      runWithProviders((p) =>
        new ServiceApp("x", { authServerId: "a", label: "x", scopes: ["s"], tokenLifetimeMinutes: minutes, policyPriority: 1, auth: { method: "private_key_jwt", jwks: [jwk] } }, { providers: p.all }),
      ),
    ).rejects.toThrow(`tokenLifetimeMinutes must be 5-1440, got ${minutes}`);
  });
});

describe("TokenHook", () => {
  it("creates a token transform hook whose auth header is a secret input", async () => {
    const { resources } = await runWithProviders((p) =>
      new TokenHook("hook", { hookName: "enrich", url: "https://hooks.example/token", authValue: pulumi.secret("Bearer s3cr3t") }, { providers: p.all }),
    );
    const hook = one(resources, "okta:inline/hook:Hook", "hook-hook");
    expect(inputsOf(hook)).toMatchObject({
      name: "enrich",
      type: "com.okta.oauth2.tokens.transform",
      version: "1.0.0",
      channel: { type: "HTTP", version: "1.0.0", uri: "https://hooks.example/token", method: "POST" },
      auth: { key: "Authorization", type: "HEADER", value: "Bearer s3cr3t" },
    });
    expect(isSecretValue(hook.inputs.auth)).toBe(true);
    // What the plan shows and exports: the secret never appears in plaintext.
    expect(JSON.stringify(redact(hook.inputs))).not.toContain("s3cr3t");
  });

  it("refuses a plain-http hook endpoint", async () => {
    await expect(
      runWithProviders((p) => new TokenHook("hook", { hookName: "h", url: "http://hooks.example", authValue: "x" }, { providers: p.all })),
    ).rejects.toThrow("the hook url must be https, got http://hooks.example");
  });
});
