/**
 * Config rules that keep later updates safe (issue 20): two Azure assignments of one role at one
 * scope, EC keys without their curve, and app labels two federations of one Okta org would share.
 */
import { describe, expect, it } from "vitest";
import { FederationConfigError, parseFederationConfig, type ConfigProblem } from "../components/config";
import { uniqueOktaAppLabels } from "../components/internal/names";
import { planStack } from "../tools/offline/plan";
import { baseConfig } from "./helpers/fixtures";
import { fixtureStack, fixtureVariant } from "./helpers/stacks";

function problemsOf(mutate: (config: any) => void): ConfigProblem[] {
  const config = structuredClone(baseConfig());
  mutate(config);
  try {
    parseFederationConfig(config);
  } catch (error) {
    if (error instanceof FederationConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected a FederationConfigError: the config parsed");
}

const payments = (c: any) => c.services.payments;
const SCOPE = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/payments-test";
/** A base64url coordinate of `bytes` bytes. */
const coordinate = (bytes: number) => Buffer.alloc(bytes, 7).toString("base64url");

describe("two Azure role assignments of one service with the same role and scope are refused", () => {
  it("names both keys, the role and the scope", () => {
    expect(
      problemsOf((c) => (payments(c).azure.roleAssignments["blob-reader-2"] = { role: "Storage Blob Data Reader", scope: SCOPE })),
    ).toEqual([
      {
        path: "services.payments.azure.roleAssignments.blob-reader-2",
        message: `grants Storage Blob Data Reader at ${SCOPE}, as roleAssignments.blob-reader does: both derive one role assignment name (from scope, identity and role), so the second create fails; keep one of them`,
      },
    ]);
  });

  it("a role written as its GUID and a scope in another letter case are the same assignment", () => {
    expect(
      problemsOf((c) => (payments(c).azure.roleAssignments.again = { role: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", scope: SCOPE.replace("resourceGroups/payments-test", "resourceGroups/PAYMENTS-TEST") })),
    ).toEqual([
      {
        path: "services.payments.azure.roleAssignments.again",
        message: `grants 2a2b9908-6ea1-4ae2-8e65-a410df84e7d1 at ${SCOPE.replace("payments-test", "PAYMENTS-TEST")}, as roleAssignments.blob-reader does: both derive one role assignment name (from scope, identity and role), so the second create fails; keep one of them`,
      },
    ]);
  });

  it("another role at the same scope, or the same role at another scope, is fine", () => {
    expect(() =>
      parseFederationConfig({
        ...structuredClone(baseConfig()),
        services: {
          payments: {
            ...structuredClone(baseConfig()).services.payments,
            azure: { roleAssignments: { aa: { role: "Reader", scope: SCOPE }, bb: { role: "Storage Blob Data Reader", scope: SCOPE }, cc: { role: "Reader", scope: `${SCOPE}-2` } } },
          },
        },
      }),
    ).not.toThrow();
  });
});

describe("an EC key names its curve", () => {
  const ec = (key: Record<string, unknown>) => (c: any) => (payments(c).auth.jwks = [{ kid: "ec-1", kty: "EC", ...key }]);

  it("without crv it is refused with the curves to choose from", () => {
    expect(problemsOf(ec({ x: coordinate(32), y: coordinate(32) }))).toEqual([
      { path: "services.payments.auth.jwks[0].crv", message: "is required for an EC key: P-256, P-384 or P-521, the curve of x and y" },
    ]);
  });

  it("another curve is refused", () => {
    expect(problemsOf(ec({ crv: "secp256k1", x: coordinate(32), y: coordinate(32) }))).toEqual([
      { path: "services.payments.auth.jwks[0].crv", message: "must be P-256, P-384 or P-521 (the curves of EC signing keys: ES256, ES384, ES512)" },
    ]);
  });

  it("x and y must have the curve's length", () => {
    expect(problemsOf(ec({ crv: "P-384", x: coordinate(32), y: coordinate(48) }))).toEqual([{ path: "services.payments.auth.jwks[0].x", message: "must be 48 bytes (base64url) for P-384, got 32" }]);
  });

  it("with its curve it is accepted and carried in the config", async () => {
    const key = { kid: "ec-1", kty: "EC", crv: "P-256", x: coordinate(32), y: coordinate(32) };
    const config = structuredClone(baseConfig());
    config.services.payments.auth.jwks = [key];
    expect(parseFederationConfig(config).services.payments!.auth).toEqual({ method: "private_key_jwt", jwks: [key] });
  });
});

describe("an EC key reaches the Okta app", () => {
  it("with the members the provider knows: crv stays in the config (the provider's app JWKS has none and refuses unknown keys)", async () => {
    const key = { kid: "ec-1", kty: "EC", crv: "P-256", x: coordinate(32), y: coordinate(32) };
    const plan = await planStack(fixtureVariant("dev", (f) => (f.services.payments.auth = { method: "private_key_jwt", jwks: [key] })));
    const app = plan.resources.find((r) => r.name === "federation-payments-app")!;
    expect(app.inputs.jwks).toEqual([{ kid: "ec-1", kty: "EC", x: key.x, y: key.y }]);
  });
});

describe("Okta app labels are unique in each Okta org", () => {
  it("two federations of one org that derive one label both get the federation's name; others keep <env>-<service>", () => {
    expect(
      uniqueOktaAppLabels({
        "aws-issuer": { org: "acme.okta.com", environment: "shared", services: { payments: "payments", ledger: "ledger" } },
        "gcp-issuer": { org: "acme.okta.com", environment: "shared", services: { payments: "payments" } },
        other: { org: "globex.okta.com", environment: "shared", services: { payments: "payments" } },
      }),
    ).toEqual({
      "aws-issuer": { payments: "shared-payments-aws-issuer", ledger: "shared-ledger" },
      "gcp-issuer": { payments: "shared-payments-gcp-issuer" },
      other: { payments: "shared-payments" },
    });
  });

  it("the multi stack's two payments apps in one org are told apart", async () => {
    const plan = await planStack(fixtureStack("multi"));
    const labels = plan.resources.filter((r) => r.type === "okta:app/oAuth:OAuth").map((r) => [r.name, r.inputs.label]);
    expect(labels.sort()).toEqual([
      ["aws-issuer-payments-app", "shared-payments-aws-issuer"],
      ["gcp-issuer-payments-app", "shared-payments-gcp-issuer"],
      ["globex-billing-app", "globex-billing"],
    ]);
  });
});
