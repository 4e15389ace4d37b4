import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ProgramError, redact, runOffline, SECRET_MARK } from "../../tools/offline/engine";
import { federationProgram } from "../../stacks/program";
import { baseConfig, jwtAuth } from "../helpers/fixtures";
import { countByType, planStack, planToJson } from "../../tools/offline/plan";
import { scaleFigures } from "../../tools/offline/scale";
import { PROJECT_ROOT, parseStackYaml, loadStack, StackFileError } from "../../tools/offline/stackFile";
import { byType, identities, inputsOf, one } from "../helpers/recorded";
import { fixtureStack, fixtureText, fixtureVariant } from "../helpers/stacks";

/** Reverses the order of every map and list in a value, recursively. */
function reverseMaps(value: any): any {
  if (Array.isArray(value)) return value.map(reverseMaps).reverse();
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseMaps(v)]));
  return value;
}

describe("dev stack", async () => {
  const plan = await planStack(fixtureStack("dev"));
  const { resources } = plan;

  it("registers the expected resources, by type", () => {
    expect(countByType(resources)).toEqual({
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1,
      "aws:iam/role:Role": 2,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 3,
      "azure-native:authorization:RoleAssignment": 2,
      "azure-native:managedidentity:FederatedIdentityCredential": 2,
      "azure-native:managedidentity:UserAssignedIdentity": 2,
      "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": 1,
      "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": 1,
      "gcp:projects/iAMMember:IAMMember": 4,
      "gcp:serviceaccount/account:Account": 1,
      "gcp:serviceaccount/iAMMember:IAMMember": 1,
      "okta:app/oAuth:OAuth": 3,
      "okta:auth/server:Server": 1,
      "okta:auth/serverClaim:ServerClaim": 2,
      "okta:auth/serverPolicy:ServerPolicy": 3,
      "okta:auth/serverPolicyRule:ServerPolicyRule": 3,
      "okta:auth/serverScope:ServerScope": 3,
      "okta:inline/hook:Hook": 1,
      "oktafed:aws:OidcProvider": 1,
      "oktafed:aws:ServiceRole": 2,
      "oktafed:azure:ServiceIdentity": 2,
      "oktafed:gcp:ServiceAccess": 2,
      "oktafed:gcp:WorkloadIdentityPool": 1,
      "oktafed:index:Federation": 1,
      "oktafed:okta:AuthorizationServer": 1,
      "oktafed:okta:ServiceApp": 3,
      "oktafed:okta:TokenHook": 1,
      "pulumi:providers:aws": 1,
      "pulumi:providers:azure-native": 1,
      "pulumi:providers:gcp": 1,
      "pulumi:providers:okta": 1,
    });
  });

  it("gives every cloud resource an explicit provider and every child its component as parent", () => {
    const providerOf: Record<string, string> = { okta: "okta", aws: "aws", gcp: "gcp", "azure-native": "azure-native" };
    for (const r of resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))) {
      const pkg = r.type.split(":")[0]!;
      expect(r.provider, r.urn).toBe(`urn:pulumi:dev::okta-federation::pulumi:providers:${pkg}::${providerOf[pkg]}`);
      expect(r.parent, r.urn).not.toBeNull();
    }
    const federation = one(resources, "oktafed:index:Federation", "federation");
    expect(federation.urn).toBe("urn:pulumi:dev::okta-federation::oktafed:index:Federation::federation");
    expect(one(resources, "okta:auth/server:Server", "federation-authz-server").urn).toBe(
      "urn:pulumi:dev::okta-federation::oktafed:index:Federation$oktafed:okta:AuthorizationServer$okta:auth/server:Server::federation-authz-server",
    );
  });

  it("wires issuer, audience and each client id from Okta into every cloud's trust", () => {
    const issuer = "https://acme-dev-example.oktapreview.com/oauth2/<federation-authz-server.id>";
    const host = "acme-dev-example.oktapreview.com/oauth2/<federation-authz-server.id>";
    expect(inputsOf(one(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "federation-aws-oidc-provider"))).toEqual({
      url: issuer,
      clientIdLists: ["api://services-dev"],
      tags: { environment: "dev", "managed-by": "okta-federation" },
    });
    const trust = JSON.parse(inputsOf(one(resources, "aws:iam/role:Role", "federation-payments-aws-role")).assumeRolePolicy);
    expect(trust.Statement[0].Condition).toEqual({
      StringEquals: { [`${host}:aud`]: "api://services-dev", [`${host}:sub`]: "<federation-payments-app.clientId>" },
    });
    expect(trust.Statement[0].Principal.Federated).toBe(`arn:aws:iam::111111111111:oidc-provider/${host}`);
    const provider = inputsOf(one(resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "federation-gcp-pool-provider-okta"));
    expect(provider.oidc).toEqual({ issuerUri: issuer, allowedAudiences: ["api://services-dev"] });
    expect(provider.attributeCondition).toBe("assertion.sub in ['<federation-payments-app.clientId>', '<federation-reporting-app.clientId>']");
    expect(provider.attributeMapping).toEqual({
      "google.subject": "assertion.sub",
      "attribute.client_id": "assertion.cid",
      "attribute.tenant_id": "assertion.tenant_id",
    });
    for (const service of ["payments", "billing-export"]) {
      expect(inputsOf(one(resources, "azure-native:managedidentity:FederatedIdentityCredential", `federation-${service}-azure-okta-dev`))).toMatchObject({
        issuer,
        subject: `<federation-${service}-app.clientId>`,
        audiences: ["api://services-dev"],
      });
    }
  });

  it("grants each service exactly its scopes and lifetime, and attaches the hook only where asked", () => {
    const rule = (s: string) => inputsOf(one(resources, "okta:auth/serverPolicyRule:ServerPolicyRule", `federation-${s}-rule`));
    expect(rule("payments")).toMatchObject({ scopeWhitelists: ["api.read", "api.write"], accessTokenLifetimeMinutes: 60 });
    expect(rule("reporting")).toMatchObject({ scopeWhitelists: ["api.read"], accessTokenLifetimeMinutes: 15 });
    expect(rule("billing-export")).toMatchObject({ scopeWhitelists: ["api.read", "events.publish"], inlineHookId: "<federation-token-hook-hook.id>" });
    expect(rule("payments").inlineHookId).toBeUndefined();
    for (const s of ["payments", "reporting", "billing-export"]) {
      expect(inputsOf(one(resources, "okta:auth/serverPolicy:ServerPolicy", `federation-${s}-policy`)).clientWhitelists).toEqual([`<federation-${s}-app.clientId>`]);
    }
  });

  it("exports the versioned contract with what each workload needs", () => {
    const outputs = redact(plan.outputs) as any;
    expect(outputs.contractVersion).toBe(1);
    expect(outputs.okta).toEqual({
      issuerUrl: "https://acme-dev-example.oktapreview.com/oauth2/<federation-authz-server.id>",
      audience: "api://services-dev",
      authorizationServerId: "<federation-authz-server.id>",
      tokenEndpoint: "https://acme-dev-example.oktapreview.com/oauth2/<federation-authz-server.id>/v1/token",
      jwksUri: "https://acme-dev-example.oktapreview.com/oauth2/<federation-authz-server.id>/v1/keys",
      scopes: ["api.read", "api.write", "events.publish"],
    });
    const roleArn = "arn:aws:iam::111111111111:role/oktafed/dev-payments";
    const provider = "projects/<acme-dev-example.projectNumber>/locations/global/workloadIdentityPools/okta-dev/providers/okta";
    expect(outputs.services.payments).toEqual({
      clientId: "<federation-payments-app.clientId>",
      aws: { roleArn, environment: { AWS_ROLE_ARN: roleArn, AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/okta/token" } },
      gcp: {
        workloadIdentityProvider: provider,
        principal: "principal://iam.googleapis.com/projects/<acme-dev-example.projectNumber>/locations/global/workloadIdentityPools/okta-dev/subject/<federation-payments-app.clientId>",
        serviceAccountEmail: "dev-payments@acme-dev-example.iam.gserviceaccount.com",
        credentialConfig: {
          type: "external_account",
          audience: `//iam.googleapis.com/${provider}`,
          subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
          token_url: "https://sts.googleapis.com/v1/token",
          service_account_impersonation_url: "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/dev-payments@acme-dev-example.iam.gserviceaccount.com:generateAccessToken",
          credential_source: { file: "/var/run/secrets/okta/token", format: { type: "text" } },
        },
      },
      azure: {
        clientId: "<federation-payments-azure-identity.clientId>",
        tenantId: "00000000-0000-0000-0000-0000000000aa",
        principalId: "<federation-payments-azure-identity.principalId>",
        environment: {
          AZURE_CLIENT_ID: "<federation-payments-azure-identity.clientId>",
          AZURE_TENANT_ID: "00000000-0000-0000-0000-0000000000aa",
          AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/okta/token",
        },
      },
    });
    expect(Object.keys(outputs.services).sort()).toEqual(["billing-export", "payments", "reporting"]);
    expect(outputs.clientSecrets).toBeUndefined();
  });

  it("never shows the hook's auth header in plaintext in the JSON plan", () => {
    const json = JSON.stringify(planToJson(plan));
    const hook = one(resources, "okta:inline/hook:Hook", "federation-token-hook-hook");
    expect((redact(hook.inputs) as any).auth).toBe(SECRET_MARK);
    // The secure: ciphertext is never decrypted or passed on, only marked secret.
    expect(json).not.toContain("EXAMPLEexample");
  });
});

describe("prod stack", async () => {
  const plan = await planStack(fixtureStack("prod"));
  const { resources } = plan;

  it("protects the identity roots and nothing else", () => {
    const protectedOnes = resources.filter((r) => r.protect).map((r) => `${r.type}::${r.name}`).sort();
    expect(protectedOnes).toEqual([
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider::federation-aws-oidc-provider",
      "azure-native:managedidentity:UserAssignedIdentity::federation-ledger-azure-identity",
      "azure-native:managedidentity:UserAssignedIdentity::federation-payments-azure-identity",
      "gcp:iam/workloadIdentityPool:WorkloadIdentityPool::federation-gcp-pool-pool",
      "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider::federation-gcp-pool-provider-okta-v2",
      "okta:auth/server:Server::federation-authz-server",
    ]);
  });

  it("uses the custom domain issuer, the id suffix, the permissions boundary and a secret-free client_secret_basic app", () => {
    const issuer = "https://id.acme.example/oauth2/<federation-authz-server.id>";
    expect(one(resources, "okta:auth/server:Server", "federation-authz-server").outputs.issuer).toBe(issuer);
    expect(inputsOf(one(resources, "okta:auth/server:Server", "federation-authz-server")).issuerMode).toBe("CUSTOM_URL");
    expect(inputsOf(one(resources, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "federation-gcp-pool-pool")).workloadIdentityPoolId).toBe("okta-prod-v2");
    expect(inputsOf(one(resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "federation-gcp-pool-provider-okta-v2")).workloadIdentityPoolProviderId).toBe("okta-v2");
    expect(inputsOf(one(resources, "aws:iam/role:Role", "federation-ledger-aws-role")).permissionsBoundary).toBe("arn:aws:iam::222222222222:policy/workload-boundary");
    expect(inputsOf(one(resources, "okta:app/oAuth:OAuth", "federation-ledger-app"))).toMatchObject({ tokenEndpointAuthMethod: "client_secret_basic", omitSecret: true });
    expect(byType(resources, "okta:inline/hook:Hook")).toEqual([]);
  });

  it("between dev and prod, registers every resource type the kit offers", async () => {
    const dev = await planStack(fixtureStack("dev"));
    const types = new Set([...dev.resources, ...resources].map((r) => r.type));
    for (const type of [
      "okta:auth/server:Server", "okta:auth/serverScope:ServerScope", "okta:auth/serverClaim:ServerClaim",
      "okta:auth/serverPolicy:ServerPolicy", "okta:auth/serverPolicyRule:ServerPolicyRule", "okta:app/oAuth:OAuth",
      "okta:inline/hook:Hook", "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:iam/role:Role",
      "gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
      "azure-native:managedidentity:UserAssignedIdentity", "azure-native:managedidentity:FederatedIdentityCredential",
      "azure-native:authorization:RoleAssignment",
    ]) {
      expect(types.has(type), type).toBe(true);
    }
  });
});

describe("stable identities", () => {
  it("reordering every map and list in the dev config gives the identical URN set", async () => {
    const original = await planStack(fixtureStack("dev"));
    const reversed = await planStack(fixtureVariant("dev", (f) => Object.assign(f, reverseMaps(f))));
    expect(identities(reversed.resources)).toEqual(identities(original.resources));
  });

  it("adding a service leaves every existing URN in place; removing it removes only its own", async () => {
    const original = await planStack(fixtureStack("dev"));
    const added = await planStack(
      fixtureVariant("dev", (f) => {
        f.services.audit = { scopes: ["api.read"], auth: { method: "client_secret_basic" }, aws: { policies: {} }, azure: {} };
      }),
    );
    const before = new Set(identities(original.resources));
    const after = identities(added.resources);
    expect([...before].filter((urn) => !after.includes(urn))).toEqual([]);
    const newOnes = after.filter((urn) => !before.has(urn));
    expect(newOnes.length).toBeGreaterThan(0);
    expect(newOnes.every((urn) => urn.includes("federation-audit"))).toBe(true);
  });
});

describe("stable identities: removal and rename", () => {
  it("removing a service removes only its own resources", async () => {
    const original = await planStack(fixtureStack("dev"));
    const removed = await planStack(fixtureVariant("dev", (f) => delete f.services["billing-export"]));
    const after = new Set(identities(removed.resources));
    const gone = identities(original.resources).filter((urn) => !after.has(urn));
    expect(gone.length).toBe(11);
    expect(gone.every((urn) => urn.includes("federation-billing-export"))).toBe(true);
    expect([...after].filter((urn) => !identities(original.resources).includes(urn))).toEqual([]);
  });

  it("renaming a service with renamedFrom keeps every resource through aliases and keeps physical names", async () => {
    const original = await planStack(fixtureStack("dev"));
    const renamed = await planStack(
      fixtureVariant("dev", (f) => {
        f.services.checkout = { ...f.services.payments, renamedFrom: "payments" };
        delete f.services.payments;
      }),
    );
    const oldUrns = identities(original.resources).filter((urn) => urn.includes("::federation-payments"));
    const newOnes = renamed.resources.filter((r) => r.urn.includes("::federation-checkout"));
    expect(newOnes.length).toBe(oldUrns.length);
    // Every new resource names exactly one former URN, and together they cover all of them.
    expect(newOnes.flatMap((r) => r.aliases.filter((a) => oldUrns.includes(a))).sort()).toEqual(oldUrns);
    // Physical names do not move: nothing in Okta or the clouds would be replaced.
    expect(inputsOf(one(renamed.resources, "okta:app/oAuth:OAuth", "federation-checkout-app")).label).toBe("dev-payments");
    expect(inputsOf(one(renamed.resources, "gcp:serviceaccount/account:Account", "federation-checkout-gcp-sa")).accountId).toBe("dev-payments");
    expect(inputsOf(one(renamed.resources, "azure-native:managedidentity:UserAssignedIdentity", "federation-checkout-azure-identity")).resourceName).toBe("id-dev-payments");
    expect(inputsOf(one(renamed.resources, "azure-native:authorization:RoleAssignment", "federation-checkout-azure-blob-reader")).roleAssignmentName).toBe(
      inputsOf(one(original.resources, "azure-native:authorization:RoleAssignment", "federation-payments-azure-blob-reader")).roleAssignmentName,
    );
    // Resources of other services are untouched.
    const others = (plan: typeof original) => identities(plan.resources).filter((urn) => !/federation-(payments|checkout)/.test(urn) && !/Provider::federation-gcp-pool|Federation::federation$/.test(urn));
    expect(others(renamed)).toEqual(others(original));
  });
});

describe("bad input", () => {
  it("a service named Bad_Name! granted an unknown scope fails with both problems and registers nothing", async () => {
    const error = await planStack(
      fixtureVariant("dev", (f) => {
        f.services["Bad_Name!"] = { scopes: ["api.admin"], auth: { method: "client_secret_basic" }, aws: {} };
      }),
    ).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ProgramError);
    expect((error as ProgramError).resources).toEqual([]);
    expect((error as Error).message).toBe(
      [
        "invalid config okta-federation:federation: 2 problems",
        `  - services.Bad_Name!: invalid service key "Bad_Name!"; allowed: 2-30 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'`,
        `  - services.Bad_Name!.scopes[0]: unknown scope "api.admin"; allowed: api.read, api.write, events.publish (declared under okta.scopes)`,
      ].join("\n"),
    );
  });

  it("a secure value inside the federation key is refused under a real run too, where the CLI hands the key over decrypted", async () => {
    // The Pulumi CLI decrypts a nested secure: value and marks the whole key secret; the program sees plain data.
    const stack = fixtureStack("dev");
    const error = await planStack({ ...stack, secretKeys: [...stack.secretKeys, "okta-federation:federation"] }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ProgramError);
    expect((error as ProgramError).resources).toEqual([]);
    expect((error as Error).message).toBe(
      [
        "invalid config okta-federation:federation: 1 problem",
        "  - okta-federation:federation: holds a secure value inside a structured key; keep secrets in their own key (e.g. okta-federation:tokenHookAuthorization) so the rest of the config stays readable",
      ].join("\n"),
    );
  });

  it("roles get fixed names from the environment and the service key, so their ARNs are known before deploy", async () => {
    const config = baseConfig();
    config.services.billing = { scopes: ["api.read"], auth: jwtAuth("billing-1"), renamedFrom: "invoicing", aws: {} };
    const { resources } = await runOffline(federationProgram, { project: "okta-federation", stack: "test", config: { "okta-federation:federation": JSON.stringify(config) } });
    expect(byType(resources, "aws:iam/role:Role").map((r) => [r.name, inputsOf(r).name, r.outputs.arn]).sort()).toEqual([
      ["federation-billing-aws-role", "test-invoicing", "arn:aws:iam::111111111111:role/oktafed/test-invoicing"],
      ["federation-payments-aws-role", "test-payments", "arn:aws:iam::111111111111:role/oktafed/test-payments"],
    ]);
  });

  it("a stack whose token hook has no secret value fails before registering anything", async () => {
    const doc = parse(fixtureText("dev"));
    delete doc.config["okta-federation:tokenHookAuthorization"];
    const stack = parseStackYaml(JSON.stringify(doc), { project: "okta-federation", stack: "dev", file: "x" });
    await expect(planStack(stack)).rejects.toThrow(
      "okta-federation:tokenHookAuthorization: is required when okta.tokenHook is set: the value of the hook's Authorization header (pulumi config set --secret okta-federation:tokenHookAuthorization ...)",
    );
  });

  it("an unknown stack is named with the stacks that exist", () => {
    const root = mkdtempSync(join(tmpdir(), "oktafed-project-"));
    copyFileSync(join(PROJECT_ROOT, "Pulumi.yaml"), join(root, "Pulumi.yaml"));
    mkdirSync(join(root, "stacks"));
    for (const stack of ["qa", "dev"]) writeFileSync(join(root, "stacks", `Pulumi.${stack}.yaml`), "config: {}\n");
    expect(() => loadStack("staging", root)).toThrow(new StackFileError('unknown stack "staging": there is no stacks/Pulumi.staging.yaml; stacks: dev, qa'));
  });

  it("secure values inside the federation object and duplicate service keys are refused with their location", () => {
    expect(() =>
      parseStackYaml("config:\n  okta-federation:federation:\n    okta:\n      secret:\n        secure: v1:abc\n", { project: "okta-federation", stack: "x", file: "f.yaml" }),
    ).toThrow(StackFileError);
    let problems: readonly { path: string; message: string }[] = [];
    try {
      parseStackYaml("config:\n  okta-federation:federation:\n    services:\n      payments: {}\n      payments: {}\n", { project: "okta-federation", stack: "x", file: "f.yaml" });
    } catch (e) {
      problems = (e as StackFileError).problems;
    }
    expect(problems).toEqual([{ path: "f.yaml:5", message: 'duplicate key: "payments" is defined more than once (services and other maps need unique keys)' }]);
  });
});

describe("GCP provider shards", () => {
  it("spreads services over providers by a stable hash; each condition lists only its shard's client ids", async () => {
    const plan = await planStack(
      fixtureVariant("dev", (f) => {
        f.gcp.providerShards = 3;
        for (const key of ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]) {
          f.services[key] = { scopes: ["api.read"], auth: { method: "client_secret_basic" }, gcp: { roles: ["roles/viewer"] } };
        }
      }),
    );
    const providers = byType(plan.resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
    const admitted = providers.flatMap((p) => [...String(inputsOf(p).attributeCondition).matchAll(/<federation-([a-z-]+)-app\.clientId>/g)].map((m) => m[1]));
    // Every GCP service is admitted by exactly one provider.
    expect(admitted.sort()).toEqual(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "payments", "reporting"]);
    const outputs = redact(plan.outputs) as any;
    for (const p of providers) {
      for (const key of String(inputsOf(p).attributeCondition).matchAll(/<federation-([a-z-]+)-app\.clientId>/g)) {
        expect(outputs.services[key[1]!].gcp.workloadIdentityProvider).toBe(p.outputs.name);
      }
    }
    expect(providers.every((p) => /^okta(-[23])?$/.test(inputsOf(p).workloadIdentityPoolProviderId))).toBe(true);
  });
});

describe("Okta writes that cannot race", () => {
  const config = (keys: string[]) => {
    const c = baseConfig();
    c.services = Object.fromEntries(keys.map((k) => [k, { scopes: ["api.read"], auth: jwtAuth(`${k}-1`), azure: {} }]));
    return c;
  };
  const plan = async (keys: string[]) =>
    (await runOffline(federationProgram, { project: "okta-federation", stack: "test", config: { "okta-federation:federation": JSON.stringify(config(keys)) } })).resources;
  const urn = (resources: readonly { name: string; urn: string }[], name: string) => resources.find((r) => r.name === name)!.urn;

  it("one server's policies and rules are written one at a time, in service-key order, each policy at its own priority at the bottom", async () => {
    const resources = await plan(["zeta", "alpha", "mid"]);
    const order = ["alpha", "mid", "zeta"];
    for (const [i, key] of order.entries()) {
      const policy = one(resources, "okta:auth/serverPolicy:ServerPolicy", `federation-${key}-policy`);
      expect(inputsOf(policy).priority).toBe(10_001 + i);
      expect(policy.ignoreChanges).toEqual(["priority"]);
      const rule = one(resources, "okta:auth/serverPolicyRule:ServerPolicyRule", `federation-${key}-rule`);
      expect(rule.dependencies).toContain(policy.urn);
      // Each policy follows the previous service's rule; the first follows the server's last write (its last claim).
      expect(policy.dependencies).toContain(urn(resources, i > 0 ? `federation-${order[i - 1]}-rule` : "federation-authz-claim-tenant_id"));
    }
  });

  it("adding, removing or reordering services changes no other resource's inputs but the priority Pulumi ignores", async () => {
    const inputs = (resources: Awaited<ReturnType<typeof plan>>, keys: string[]) =>
      Object.fromEntries(
        resources.filter((r) => keys.some((k) => r.name.startsWith(`federation-${k}-`))).map((r) => [r.urn, r.ignoreChanges.includes("priority") ? { ...r.inputs, priority: "ignored" } : r.inputs]),
      );
    const base = await plan(["alpha", "mid", "zeta"]);
    const added = await plan(["alpha", "beta", "mid", "zeta"]);
    const removed = await plan(["alpha", "zeta"]);
    const reordered = await plan(["zeta", "mid", "alpha"]);
    expect(inputs(added, ["alpha", "mid", "zeta"])).toEqual(inputs(base, ["alpha", "mid", "zeta"]));
    expect(inputs(removed, ["alpha", "zeta"])).toEqual(inputs(base, ["alpha", "zeta"]));
    expect(inputs(reordered, ["alpha", "mid", "zeta"])).toEqual(inputs(base, ["alpha", "mid", "zeta"]));
    expect(Object.keys(inputs(base, ["alpha", "mid", "zeta"]))).toHaveLength(3 * 6);
    // The priority a policy is created with moves with its rank, and only on policies that ignore it.
    expect(inputsOf(one(added, "okta:auth/serverPolicy:ServerPolicy", "federation-zeta-policy")).priority).toBe(10_004);
  });
});

describe("Okta provider pacing and scale figures", () => {
  const planOf = (config: unknown) => runOffline(federationProgram, { project: "okta-federation", stack: "test", config: { "okta-federation:federation": JSON.stringify(config) } });

  it("the Okta provider gets the pacing defaults, or the config's", async () => {
    const defaults = one((await planOf(baseConfig())).resources, "pulumi:providers:okta", "okta");
    // No deadline by default (the provider's own 0): a rate-limited call keeps all its retries.
    expect(defaults.inputs).toMatchObject({ maxApiCapacity: "80", maxRetries: "10", minWaitSeconds: "30", maxWaitSeconds: "300", requestTimeout: "0" });
    // maxConcurrentWrites orders the Federation's writes; the provider has no such setting.
    expect(defaults.inputs).not.toHaveProperty("maxConcurrentWrites");
    const config = baseConfig();
    config.okta.provider = { maxApiCapacity: 50, maxRetries: 2, minWaitSeconds: 30, maxWaitSeconds: 60, requestTimeoutSeconds: 120 };
    expect(one((await planOf(config)).resources, "pulumi:providers:okta", "okta").inputs).toMatchObject({ maxApiCapacity: "50", requestTimeout: "120", maxRetries: "2", maxWaitSeconds: "60" });
  });

  it("the plan lists each quota the first deploy meets, with an advisory over 80 %", async () => {
    const config = baseConfig();
    config.services = Object.fromEntries(
      Array.from({ length: 85 }, (_, i) => [`s${i}`, { scopes: ["api.read"], auth: jwtAuth(`s${i}`), gcp: { serviceAccount: true, roles: ["roles/storage.objectViewer"] } }]),
    );
    const figures = scaleFigures((await planOf(config)).resources);
    expect(figures.map((f) => [f.what, f.count, f.limit, f.advisory !== undefined])).toEqual([
      ["GCP project acme-test-example: principals the kit adds to its IAM policy", 85, 1500, false],
      ["GCP project acme-test-example: service accounts", 85, 100, true],
      ["Okta apps created", 85, undefined, false],
    ]);
    expect(figures[1]!.advisory).toBe(
      'the project\'s other service accounts count too: request a higher "Number of service accounts" quota for acme-test-example in the Google Cloud console (IAM & Admin > Quotas; cloud.google.com/iam/quotas), use direct grants (serviceAccount: false), or split the services over projects',
    );
    expect(figures[1]!.over).toBeUndefined();
  });
});
