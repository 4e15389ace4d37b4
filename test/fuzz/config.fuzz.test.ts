/**
 * Config fuzzing: generated valid configs all plan (with no secret in plaintext and no duplicate
 * URN); generated invalid configs are all rejected with key paths; arbitrary input never crashes.
 * The counts are printed so CI logs show how many cases ran.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { FederationConfigError, HOOK_SECRET_KEY, parseFederationConfig } from "../../components/config";
import { federationProgram } from "../../stacks/program";
import { ProgramError, runOffline } from "../../tools/offline/engine";
import { placeholderHints } from "../../tools/offline/plan";
import { planToJson } from "../../tools/offline/plan";
import { RSA_N, rsaModulus } from "../helpers/fixtures";

const VALID_RUNS = Number(process.env.FUZZ_VALID_RUNS ?? 40);
const INVALID_RUNS = Number(process.env.FUZZ_INVALID_RUNS ?? 700);
/** AWS managed policies that exist (config refuses an AWS managed policy ARN that names none). */
const AWS_MANAGED = ["ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "AmazonSQSFullAccess"] as const;
const ARBITRARY_RUNS = Number(process.env.FUZZ_ARBITRARY_RUNS ?? 300);
const counts = { valid: 0, invalid: 0, arbitrary: 0, arbitraryAccepted: 0, programRejected: 0 };

afterAll(() => {
  const total = counts.valid + counts.invalid + counts.arbitrary;
  console.log(
    `config fuzz: ${total} generated cases: ${counts.valid} valid configs planned, ${counts.invalid} invalid configs rejected ` +
      `(${counts.programRejected} of them also through the program), ${counts.arbitrary} arbitrary inputs (${counts.arbitraryAccepted} accepted)`,
  );
});

const key = fc.stringMatching(/^[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,6})?$/).filter((k) => k.length >= 2);
const scopeName = fc.constantFrom("api.read", "api.write", "events.publish", "reports:read", "orders.admin", "x");
const claimName = fc.constantFrom("tenant_id", "deployment", "region", "team");
const SUB = "00000000-0000-0000-0000-000000000001";
const secretValue = fc.stringMatching(/^[A-Za-z0-9]{24}$/).map((s) => `Bearer S3CR3T${s}`);

/** A valid federation config, with the hook secret it needs. */
const validConfig = fc
  .record({
    environment: fc.stringMatching(/^[a-z][a-z0-9]{1,7}$/),
    scopes: fc.uniqueArray(scopeName, { minLength: 1, maxLength: 4 }),
    staticClaims: fc.uniqueArray(claimName, { maxLength: 2 }),
    expressionClaim: fc.boolean(),
    lifetime: fc.integer({ min: 5, max: 1440 }),
    hook: fc.boolean(),
    shards: fc.integer({ min: 1, max: 3 }),
    idSuffix: fc.option(fc.stringMatching(/^[a-z0-9]{1,4}$/), { nil: undefined }),
    issuerMode: fc.constantFrom("ORG_URL", "CUSTOM_URL"),
    adopt: fc.boolean(),
    services: fc.uniqueArray(
      fc.record({
        key,
        scopeCount: fc.integer({ min: 1, max: 4 }),
        auth: fc.constantFrom("jwt", "jwks-uri", "secret", "secret-kept"),
        clouds: fc.subarray(["aws", "gcp", "azure"] as const, { minLength: 1 }),
        policies: fc.uniqueArray(key, { maxLength: 3 }),
        serviceAccount: fc.boolean(),
        roles: fc.uniqueArray(fc.constantFrom("roles/viewer", "roles/storage.objectViewer", "roles/pubsub.publisher"), { maxLength: 2 }),
        assignments: fc.uniqueArray(key, { maxLength: 2 }),
        lifetime: fc.option(fc.integer({ min: 5, max: 1440 }), { nil: undefined }),
        useHook: fc.boolean(),
      }),
      { minLength: 1, maxLength: 5, selector: (s) => s.key },
    ),
    secret: secretValue,
  })
  .map((g) => {
    const claims: Record<string, unknown> = Object.fromEntries(g.staticClaims.map((c) => [c, { value: `${c}-value` }]));
    if (g.expressionClaim) claims.client_label = { expression: "app.clientId" };
    const server = g.adopt
      ? { existing: { id: "default", audience: "api://default", issuerMode: g.issuerMode, ...(g.issuerMode === "CUSTOM_URL" ? { customDomain: "id.example.com" } : {}) } }
      : { name: `services-${g.environment}`, audience: `api://services-${g.environment}`, issuerMode: g.issuerMode, ...(g.issuerMode === "CUSTOM_URL" ? { customDomain: "id.example.com" } : {}) };
    const services: Record<string, unknown> = {};
    for (const s of g.services) {
      const auth =
        s.auth === "jwt"
          ? { method: "private_key_jwt", jwks: [{ kid: `${s.key}-1`, kty: "RSA", e: "AQAB", n: rsaModulus(s.key) }] }
          : s.auth === "jwks-uri"
            ? { method: "private_key_jwt", jwksUri: `https://keys.example.com/${s.key}.json` }
            : { method: "client_secret_basic", keepSecretInState: s.auth === "secret-kept" };
      services[s.key] = {
        scopes: g.scopes.slice(0, Math.min(s.scopeCount, g.scopes.length)),
        auth,
        ...(s.lifetime ? { tokenLifetimeMinutes: s.lifetime } : {}),
        ...(g.hook && s.useHook ? { tokenHook: true } : {}),
        ...(s.clouds.includes("aws") ? { aws: { policies: Object.fromEntries(s.policies.map((p, i) => [p, `arn:aws:iam::aws:policy/${AWS_MANAGED[i % AWS_MANAGED.length]}`])) } } : {}),
        ...(s.clouds.includes("gcp")
          ? { gcp: { serviceAccount: s.serviceAccount || s.roles.length === 0, roles: s.roles } }
          : {}),
        ...(s.clouds.includes("azure")
          ? { azure: { roleAssignments: Object.fromEntries(s.assignments.map((a) => [a, { role: "Reader", scope: `/subscriptions/${SUB}/resourceGroups/${a}` }])) } }
          : {}),
      };
    }
    const config = {
      environment: g.environment,
      okta: {
        orgName: "acme-fuzz-example",
        authorizationServer: server,
        scopes: Object.fromEntries(g.scopes.map((s) => [s, {}])),
        claims,
        tokenLifetimeMinutes: g.lifetime,
        ...(g.hook ? { tokenHook: { url: "https://hooks.example.com/token" } } : {}),
      },
      aws: { accountId: "111111111111" },
      gcp: { project: "acme-fuzz-example", providerShards: g.shards, ...(g.idSuffix ? { idSuffix: g.idSuffix } : {}), mappedClaims: g.staticClaims.slice(0, 1) },
      azure: { subscriptionId: SUB, tenantId: "00000000-0000-0000-0000-0000000000aa", resourceGroup: "identities", location: "westeurope" },
      services,
    };
    return { config, secret: g.secret, hook: g.hook };
  });

function plan(config: unknown, secret: string) {
  return runOffline(federationProgram, {
    project: "okta-federation",
    stack: "fuzz",
    config: { "okta-federation:federation": JSON.stringify(config), [`okta-federation:${HOOK_SECRET_KEY}`]: secret },
    secretKeys: [`okta-federation:${HOOK_SECRET_KEY}`],
    hints: placeholderHints([config]),
  });
}

/** Mutations that each make a valid config invalid, with the key path they must be reported at. */
const breakers: ReadonlyArray<{ name: string; apply: (c: any) => string }> = [
  { name: "bad service key", apply: (c) => ((c.services["Bad_Key!"] = Object.values(c.services)[0]), "services.Bad_Key!") },
  { name: "unknown scope", apply: (c) => (((Object.values(c.services)[0] as any).scopes = ["no.such.scope"]), "services.") },
  { name: "lifetime too long", apply: (c) => ((c.okta.tokenLifetimeMinutes = 1441), "okta.tokenLifetimeMinutes") },
  { name: "lifetime too short", apply: (c) => ((c.okta.tokenLifetimeMinutes = 4), "okta.tokenLifetimeMinutes") },
  { name: "DYNAMIC", apply: (c) => (((c.okta.authorizationServer.existing ?? c.okta.authorizationServer).issuerMode = "DYNAMIC"), "okta.authorizationServer") },
  { name: "bad audience", apply: (c) => (((c.okta.authorizationServer.existing ?? c.okta.authorizationServer).audience = "a:b c"), "okta.authorizationServer") },
  { name: "gcp- pool id", apply: (c) => ((c.gcp.poolId = "gcp-pool"), "gcp.poolId") },
  { name: "reserved claim", apply: (c) => ((c.okta.claims.sub = { value: "x" }), "okta.claims.sub") },
  { name: "service without cloud", apply: (c) => ((c.services.nocloud = { scopes: Object.keys(c.okta.scopes).slice(0, 1), auth: { method: "client_secret_basic" } }), "services.nocloud") },
  { name: "assignment without scope", apply: (c) => ((c.services.az = { scopes: Object.keys(c.okta.scopes).slice(0, 1), auth: { method: "client_secret_basic" }, azure: { roleAssignments: { r1: { role: "Reader" } } } }), "services.az.azure.roleAssignments.r1.scope") },
  { name: "services as a list", apply: (c) => ((c.services = Object.values(c.services)), "services") },
  { name: "unknown top-level key", apply: (c) => ((c.extra = true), "(root)") },
  { name: "private JWK member", apply: (c) => ((c.services.pk = { scopes: Object.keys(c.okta.scopes).slice(0, 1), auth: { method: "private_key_jwt", jwks: [{ kid: "k", kty: "RSA", e: "AQAB", n: RSA_N, d: "secret" }] }, aws: {} }), "services.pk.auth.jwks[0]") },
  { name: "wrong type", apply: (c) => ((c.aws.accountId = 111111111111), "aws.accountId") },
];

describe("config fuzzing", () => {
  it("every generated valid config validates and plans, with no secret in plaintext and unique URNs", async () => {
    await fc.assert(
      fc.asyncProperty(validConfig, async ({ config, secret, hook }) => {
        expect(() => parseFederationConfig(config)).not.toThrow();
        const result = await plan(config, secret);
        expect(result.resources.length).toBeGreaterThan(0);
        const urns = result.resources.map((r) => r.urn);
        expect(new Set(urns).size).toBe(urns.length);
        const json = JSON.stringify(planToJson({ ...result, project: "okta-federation", stack: "fuzz" }));
        expect(json).not.toContain(secret);
        expect(json).not.toContain("S3CR3T");
        if (hook) expect(json).toContain('"auth":"[secret]"');
        counts.valid++;
      }),
      { numRuns: VALID_RUNS },
    );
    expect(counts.valid).toBe(VALID_RUNS);
  });

  it("every generated invalid config is rejected with its key path; a sample also through the program, registering nothing", async () => {
    await fc.assert(
      fc.asyncProperty(validConfig, fc.subarray([...breakers], { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 9 }), async ({ config, secret }, chosen, sample) => {
        const broken = structuredClone(config) as any;
        // A services list replaces the services map, so problems inside services cannot be expected then.
        const paths = chosen.map((b) => b.apply(broken)).filter((path) => !(Array.isArray(broken.services) && path.startsWith("services.")));
        let error: unknown;
        try {
          parseFederationConfig(broken);
        } catch (e) {
          error = e;
        }
        expect(error, `not rejected: ${chosen.map((b) => b.name).join(", ")}`).toBeInstanceOf(FederationConfigError);
        const problems = (error as FederationConfigError).problems;
        for (const path of paths) expect(problems.some((p) => p.path.startsWith(path)), `no problem at ${path}: ${JSON.stringify(problems)}`).toBe(true);
        for (const p of problems) {
          expect(p.message.length).toBeGreaterThan(0);
          expect(p.message).not.toMatch(/\n\s+at /);
        }
        if (sample === 0) {
          const failure = await plan(broken, secret).catch((e: unknown) => e);
          expect(failure).toBeInstanceOf(ProgramError);
          expect((failure as ProgramError).resources).toEqual([]);
          expect((failure as Error).message.startsWith("invalid config okta-federation:federation:")).toBe(true);
          counts.programRejected++;
        }
        counts.invalid++;
      }),
      { numRuns: INVALID_RUNS },
    );
  });

  it("arbitrary input never crashes validation: it is accepted or rejected with paths", () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.object({ maxDepth: 4 }), validConfig.chain(({ config }) => fc.constant(config))), (input) => {
        try {
          parseFederationConfig(input);
          counts.arbitraryAccepted++;
        } catch (error) {
          expect(error).toBeInstanceOf(FederationConfigError);
          expect((error as FederationConfigError).problems.length).toBeGreaterThan(0);
        }
        counts.arbitrary++;
      }),
      { numRuns: ARBITRARY_RUNS },
    );
  });
});
