import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyServiceToken } from "../../examples/your-api/verifyToken";

const ISSUER = "https://acme.okta.com/oauth2/aus1abc";
const AUDIENCE = "api://services-dev";
let sign: (claims: Record<string, unknown>, options?: { alg?: string }) => Promise<string>;
let keys: ReturnType<typeof createLocalJWKSet>;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  keys = createLocalJWKSet({ keys: [jwk] });
  sign = (claims) =>
    new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "k1" }).setIssuedAt().setExpirationTime("5m").sign(privateKey);
});

const policy = { issuer: ISSUER, audience: AUDIENCE, requiredScopes: ["api.read"] };
const okta = (extra: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: AUDIENCE, sub: "0oa1payments", cid: "0oa1payments", scp: ["api.read"], ver: 1, ...extra });

describe("examples/your-api: verifying the services' tokens", () => {
  it("accepts a token from the issuer for the audience with the scope", async () => {
    expect(await verifyServiceToken(await sign(okta()), keys, policy)).toEqual({ clientId: "0oa1payments", scopes: ["api.read"] });
  });

  it.each([
    ["another audience", okta({ aud: "api://other" }), 'unexpected "aud" claim value'],
    ["another issuer", okta({ iss: `${ISSUER}/` }), 'unexpected "iss" claim value'],
    ["a missing scope", okta({ scp: ["api.write"] }), "token lacks scope api.read"],
  ])("refuses %s", async (_label, claims, message) => {
    await expect(verifyServiceToken(await sign(claims), keys, policy)).rejects.toThrow(message);
  });

  it("refuses a client that is not on the allow-list", async () => {
    await expect(verifyServiceToken(await sign(okta()), keys, { ...policy, allowedClients: ["0oa1reporting"] })).rejects.toThrow("client 0oa1payments may not call this API");
  });
});
