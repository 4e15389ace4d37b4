/**
 * The generated benchmark config: N services, each on all three clouds, in the shape of
 * components/config.ts (`okta-federation:federation`), environment "bench".
 */
import { createHash } from "node:crypto";
import { CONFIG_KEY, CONFIG_NAMESPACE, FederationConfigError, parseFederationConfig } from "../../components/config";

export const BENCH_ENVIRONMENT = "bench";

/**
 * A syntactically valid public RSA modulus (base64url, no padding), distinct per service: one key
 * per service is a rule of the kit. Its value does not matter offline.
 */
function modulusFor(key: string): string {
  const block = createHash("sha512").update(key).digest();
  return Buffer.concat([block, block, block, block]).toString("base64url");
}

const SUBSCRIPTION = "00000000-0000-0000-0000-00000000be0c";

/** Service keys of equal width (`svc-0001`), so no key is a prefix of another's resource names. */
export function serviceKey(i: number): string {
  return `svc-${String(i + 1).padStart(4, "0")}`;
}

/** GCP provider shards for N services when the config supports them (about 170 client ids fit one condition). */
export function shardsFor(n: number): number {
  return Math.ceil(n / 120);
}

/**
 * The raw config object for `n` services. `providerShards` is set only when given (the field is
 * new; see {@link supportsProviderShards}).
 */
export function benchConfig(n: number, providerShards?: number): Record<string, unknown> {
  const services: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const key = serviceKey(i);
    services[key] = {
      description: `Benchmark service ${i + 1}`,
      scopes: ["api.read"],
      auth: { method: "private_key_jwt", jwks: [{ kid: `${key}-1`, kty: "RSA", e: "AQAB", n: modulusFor(key) }] },
      aws: { policies: { "s3-read": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" } },
      gcp: { serviceAccount: true, roles: ["roles/storage.objectViewer"] },
      azure: {
        roleAssignments: {
          "blob-reader": { role: "Storage Blob Data Reader", scope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${key}-bench` },
        },
      },
    };
  }
  return {
    environment: BENCH_ENVIRONMENT,
    okta: {
      orgName: "acme-bench-example",
      authorizationServer: { name: "services-bench", audience: "api://services-bench" },
      scopes: { "api.read": { description: "Read business data" } },
    },
    aws: { accountId: "111111111111", region: "eu-west-1" },
    gcp: { project: "acme-bench-example", poolId: "okta-bench", ...(providerShards !== undefined ? { providerShards } : {}) },
    azure: {
      subscriptionId: SUBSCRIPTION,
      tenantId: "00000000-0000-0000-0000-0000000000aa",
      resourceGroup: "identities-bench",
      location: "westeurope",
    },
    services,
  };
}

/** The config map the program reads, as the Pulumi CLI would hand it over. */
export function benchConfigMap(n: number, providerShards?: number): Record<string, string> {
  return { [`${CONFIG_NAMESPACE}:${CONFIG_KEY}`]: JSON.stringify(benchConfig(n, providerShards)) };
}

/**
 * Whether the kit's config accepts `gcp.providerShards` (being added for issue 6's N=500 case):
 * a one-service config with the field must not be rejected for it.
 */
export function supportsProviderShards(): boolean {
  try {
    parseFederationConfig(benchConfig(1, 1));
    return true;
  } catch (error) {
    if (error instanceof FederationConfigError) return !error.problems.some((p) => /providerShards/.test(`${p.path} ${p.message}`));
    throw error;
  }
}
