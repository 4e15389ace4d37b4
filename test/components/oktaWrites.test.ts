/**
 * The components' Okta write order: each ServiceApp's app waits for `appAfter`, its policy for
 * `writeAfter`, its rule for its policy (the rule is the last ordered write); an AuthorizationServer
 * writes its server, scopes and claims one at a time after `writeAfter`.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { AuthorizationServer } from "../../components/okta/authorizationServer";
import { ServiceApp } from "../../components/okta/serviceApp";
import { TokenHook } from "../../components/okta/tokenHook";
import { one } from "../helpers/recorded";
import { runWithProviders } from "../helpers/run";

/** A resource's logical name (the SDK keeps it as `__name`). */
const nameOf = (r: pulumi.Resource | undefined) => (r as unknown as { __name?: string } | undefined)?.__name;
const names = (resources: readonly { urn: string; name: string }[], urns: readonly string[]) => urns.map((u) => resources.find((r) => r.urn === u)?.name ?? u);

describe("Okta write order in the components", () => {
  it("a ServiceApp's app follows appAfter, its policy writeAfter, its rule the policy; the rule is the last ordered write", async () => {
    const { resources, value } = await runWithProviders((p) => {
      const hook = new TokenHook("hook", { hookName: "h", url: "https://hooks.example/t", authValue: pulumi.secret("v") }, { providers: p.all });
      const first = new ServiceApp(
        "first",
        { authServerId: "aus1", label: "first", scopes: ["s"], tokenLifetimeMinutes: 60, policyPriority: 10_001, writeAfter: hook, auth: { method: "client_secret_basic" } },
        { providers: p.all },
      );
      const second = new ServiceApp(
        "second",
        {
          authServerId: "aus1",
          label: "second",
          scopes: ["s"],
          tokenLifetimeMinutes: 60,
          policyPriority: 10_002,
          writeAfter: first.lastOrderedWrite,
          appAfter: first.appWrite,
          auth: { method: "client_secret_basic" },
        },
        { providers: p.all },
      );
      return { first, second };
    });
    const deps = (type: string, name: string) => names(resources, one(resources, type, name).dependencies);
    expect(deps("okta:app/oAuth:OAuth", "first-app")).toEqual([]);
    expect(deps("okta:app/oAuth:OAuth", "second-app")).toEqual(["first-app"]);
    // A dependency on the hook component is one on the hook it holds.
    expect(deps("okta:auth/serverPolicy:ServerPolicy", "first-policy")).toEqual(["hook-hook", "first-app"]);
    expect(deps("okta:auth/serverPolicy:ServerPolicy", "second-policy")).toEqual(["first-rule", "second-app"]);
    expect(deps("okta:auth/serverPolicyRule:ServerPolicyRule", "second-rule")).toEqual(["second-policy"]);
    expect(nameOf(value.first.lastOrderedWrite)).toBe("first-rule");
    expect(nameOf(value.second.appWrite)).toBe("second-app");
  });

  it("an AuthorizationServer writes the server, each scope and each claim one at a time, in key order, after writeAfter", async () => {
    const { resources, value } = await runWithProviders((p) => {
      const hook = new TokenHook("hook", { hookName: "h", url: "https://hooks.example/t", authValue: pulumi.secret("v") }, { providers: p.all });
      return new AuthorizationServer(
        "authz",
        { serverName: "s", audience: "api://s", scopes: { b: {}, a: {} }, claims: { z: { value: "1" }, y: { expression: "app.id", scopes: ["b"] } }, writeAfter: hook },
        { providers: p.all },
      );
    });
    const deps = (type: string, name: string) => names(resources, one(resources, type, name).dependencies);
    expect(deps("okta:auth/server:Server", "authz-server")).toEqual(["hook-hook"]);
    expect(deps("okta:auth/serverScope:ServerScope", "authz-scope-a")).toEqual(["authz-server"]);
    expect(deps("okta:auth/serverScope:ServerScope", "authz-scope-b")).toEqual(["authz-scope-a", "authz-server"]);
    expect(deps("okta:auth/serverClaim:ServerClaim", "authz-claim-y")).toEqual(["authz-scope-b", "authz-server"]);
    expect(deps("okta:auth/serverClaim:ServerClaim", "authz-claim-z")).toEqual(["authz-claim-y", "authz-server"]);
    expect(nameOf(value.lastOrderedWrite)).toBe("authz-claim-z");
  });

  it("an adopted server writes nothing of its own: its first scope follows writeAfter", async () => {
    const { resources, value } = await runWithProviders((p) => {
      const hook = new TokenHook("hook", { hookName: "h", url: "https://hooks.example/t", authValue: pulumi.secret("v") }, { providers: p.all });
      return new AuthorizationServer("authz", { existingServerId: "default", audience: "api://s", scopes: { a: {} }, writeAfter: hook }, { providers: p.all });
    });
    expect(names(resources, one(resources, "okta:auth/serverScope:ServerScope", "authz-scope-a").dependencies)).toEqual(["hook-hook", "authz-server"]);
    expect(nameOf(value.lastOrderedWrite)).toBe("authz-scope-a");
  });
});
