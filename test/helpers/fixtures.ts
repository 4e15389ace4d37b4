import { createHash } from "node:crypto";

/** Small valid configs for tests: a base to copy and break. */
export const RSA_N =
  "sXch8Yb4w5mQ0mT3y1rJr0B2t7b3w2yQbq0e6gq1tJm9fP1m9C3Yc4xk2wD7K5p2hZt0XHq8a1bYcVf3oUu0k9m3Z3x7hJ1w2q9cS8R4t6Y0p5nV2cLk1xQ3a8dF6gH9jK0lM2nB4vC7xZ1sD3fG5hJ7kL9pO0iU2yT4rE6wQ8aS0dF2gH4jK6lZ8xC0vB2nM4qW6eR8tY0uI2oP4aS6dF8gH0jK2lZ4xC6vB8nM0qW2eR4tY6uI8oP0aS2dF4gH6jK8lZ0xC2vB4nM6qW8eR0tY2uI4oP6aS8dF0gH2jK4lZ6xC8vB0nM2qW4eR6tY8uI0oP2aS4dF6gH8jK0lZ2xC4vB6nM8qW0eR2tY4uI6oP8aS0dF2gH4jK6lZ8xC0vB2nM4qW6eR8tY0uI2oP4";

/**
 * A distinct public key per kid: one key per service is a rule (Okta accepts an assertion signed by
 * any key of a client), so fixtures never share one by accident. Not a real RSA modulus; nothing here
 * verifies signatures.
 */
export function rsaModulus(kid: string): string {
  const block = createHash("sha512").update(kid).digest();
  return Buffer.concat([block, block, block, block]).toString("base64url");
}

export function jwtAuth(kid: string) {
  return { method: "private_key_jwt", jwks: [{ kid, kty: "RSA", e: "AQAB", n: rsaModulus(kid) }] };
}

/** A minimal valid config with one service on all three clouds. */
export function baseConfig(): any {
  return {
    environment: "test",
    okta: {
      orgName: "acme-test-example",
      authorizationServer: { name: "services-test", audience: "api://services-test" },
      scopes: { "api.read": { description: "Read" }, "api.write": {} },
      claims: { tenant_id: { value: "acme" } },
    },
    aws: { accountId: "111111111111" },
    gcp: { project: "acme-test-example", poolId: "okta-test" },
    azure: {
      subscriptionId: "00000000-0000-0000-0000-000000000001",
      tenantId: "00000000-0000-0000-0000-0000000000aa",
      resourceGroup: "identities-test",
      location: "westeurope",
    },
    services: {
      payments: {
        scopes: ["api.read", "api.write"],
        auth: jwtAuth("payments-1"),
        aws: { policies: { "s3-read": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" } },
        gcp: { serviceAccount: true, roles: ["roles/storage.objectViewer"] },
        azure: {
          roleAssignments: {
            "blob-reader": {
              role: "Storage Blob Data Reader",
              scope: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/payments-test",
            },
          },
        },
      },
    },
  };
}
