/**
 * The vendored role data sets (components/internal/data/, written by `npm run data:refresh`): AWS
 * managed policy names, GCP predefined roles with their permissions, Azure built-in roles with their
 * GUIDs, actions and data actions; and the checks of config names against them, with "did you
 * mean". No Pulumi here.
 */
import awsData from "./data/aws-managed-policies.json";
import type { JudgedStatement } from "./awsIdentityAdmin";
import gcpData from "./data/gcp-roles.json";
import azureData from "./data/azure-roles.json";
import { closestNames, orList } from "./didYouMean";

/** What every data file carries besides its data. */
export interface DataSetInfo {
  readonly source: string;
  readonly licence: string;
  /** The source's date (YYYY-MM-DD): the npm version's publish date or the commit's date. */
  readonly date: string;
  /** The day of the refresh that wrote the file. */
  readonly retrieved: string;
}

export interface AzureBuiltinRole {
  readonly name: string;
  /** The role definition GUID, lower case. */
  readonly id: string;
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly dataActions: readonly string[];
  readonly notDataActions: readonly string[];
}

const aws = awsData as unknown as DataSetInfo & { readonly policies: readonly string[]; readonly identityStatements: Readonly<Record<string, readonly JudgedStatement[]>> };
const gcp = gcpData as unknown as DataSetInfo & { readonly permissions: readonly string[]; readonly roles: Readonly<Record<string, readonly number[]>> };
const azure = azureData as unknown as DataSetInfo & { readonly roles: readonly AzureBuiltinRole[] };

/** Each data set's source, licence and dates, for the review's footer and the docs. */
export const ROLE_DATA: Readonly<Record<"aws" | "gcp" | "azure", DataSetInfo>> = {
  aws: { source: aws.source, licence: aws.licence, date: aws.date, retrieved: aws.retrieved },
  gcp: { source: gcp.source, licence: gcp.licence, date: gcp.date, retrieved: gcp.retrieved },
  azure: { source: azure.source, licence: azure.licence, date: azure.date, retrieved: azure.retrieved },
};

/** The data sets' dates in one line: `AWS managed policies 2026-09-16, GCP roles 2026-08-22, Azure roles 2026-08-22`. */
export function roleDataDates(): string {
  return `AWS managed policies ${aws.date}, GCP roles ${gcp.date}, Azure roles ${azure.date}`;
}

// ---- AWS ----

/** AWS managed policies as `<path><name>` after `arn:aws:iam::aws:policy/`, e.g. `service-role/AWSLambdaRole`. */
export const AWS_MANAGED_POLICIES: ReadonlySet<string> = new Set(aws.policies);
const AWS_BY_NAME = new Map(aws.policies.map((p) => [p.slice(p.lastIndexOf("/") + 1), p]));

/**
 * The statements of an AWS managed policy's latest version that bear on identity actions (empty
 * when none does), or undefined when the ARN is not an AWS managed policy of the data set.
 */
export function awsManagedIdentityStatements(arn: string): readonly JudgedStatement[] | undefined {
  const entry = /^arn:aws:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
  if (entry === undefined || !AWS_MANAGED_POLICIES.has(entry)) return undefined;
  return Object.hasOwn(aws.identityStatements, entry) ? aws.identityStatements[entry]! : [];
}

/** An AWS managed policy ARN of the commercial partition the data set lists: `arn:aws:iam::aws:policy/<path><name>`. */
const AWS_MANAGED_ARN = /^arn:aws:iam::aws:policy\/(.+)$/;

/**
 * Why an AWS managed policy ARN names no AWS managed policy, with the closest names, or undefined.
 * Customer managed policies (`arn:aws:iam::<account>:policy/...`) and other partitions (aws-cn,
 * aws-us-gov: their lists differ) are not checked.
 */
export function awsManagedPolicyProblem(arn: string): string | undefined {
  const entry = AWS_MANAGED_ARN.exec(arn)?.[1];
  if (entry === undefined || AWS_MANAGED_POLICIES.has(entry)) return undefined;
  const name = entry.slice(entry.lastIndexOf("/") + 1);
  // The right name under another path (service-role/, job-function/...) first; else the closest entries.
  const samePath = AWS_BY_NAME.get(name);
  const suggestions = samePath ? [samePath] : closestNames(entry, AWS_MANAGED_POLICIES);
  const what = `${arn} is not an AWS managed policy`;
  if (suggestions.length > 0) return `${what}; did you mean ${orList(suggestions.map((s) => `arn:aws:iam::aws:policy/${s}`))}?`;
  return `${what} (none of the ${AWS_MANAGED_POLICIES.size} of ${aws.date} is close); allowed: an AWS managed policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess, or a customer managed policy of aws.accountId`;
}

// ---- GCP ----

/** The permissions of a GCP predefined role (`roles/...`), or undefined when it is not one. */
export function gcpRolePermissions(role: string): readonly string[] | undefined {
  const indexes = Object.hasOwn(gcp.roles, role) ? gcp.roles[role] : undefined;
  return indexes?.map((i) => gcp.permissions[i]!);
}

/** Is this a GCP predefined role of the data set? */
export function isGcpPredefinedRole(role: string): boolean {
  return Object.hasOwn(gcp.roles, role);
}

/**
 * Why a `roles/...` role is not a GCP predefined role, with the closest names, or undefined. Custom
 * roles (`projects/<project>/roles/...`, `organizations/<number>/roles/...`) are not checked.
 */
export function gcpRoleProblem(role: string): string | undefined {
  if (!role.startsWith("roles/") || isGcpPredefinedRole(role)) return undefined;
  const suggestions = closestNames(role, Object.keys(gcp.roles));
  const what = `${role} is not a GCP predefined role`;
  if (suggestions.length > 0) return `${what}; did you mean ${orList(suggestions)}?`;
  return `${what} (none of the ${Object.keys(gcp.roles).length} of ${gcp.date} is close); allowed: a predefined role such as roles/storage.objectViewer, or a custom role projects/<project>/roles/<id> or organizations/<number>/roles/<id>`;
}

// ---- Azure ----

/** Every Azure built-in role, by name. */
export const AZURE_BUILTIN_ROLE_DATA: ReadonlyMap<string, AzureBuiltinRole> = new Map(azure.roles.map((r) => [r.name, r]));

/** The built-in role names closest to a misspelt one. */
export function closestAzureRoleNames(name: string): string[] {
  return closestNames(name, AZURE_BUILTIN_ROLE_DATA.keys());
}
