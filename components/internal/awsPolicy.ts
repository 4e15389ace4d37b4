/**
 * Inline IAM policies written in config: each statement's actions checked against the IAM action
 * catalogue (awsCatalogue.ts), its resources against the ARN format and the resource types its
 * actions act on, its conditions against IAM's operators and condition keys; the policy document
 * built structurally from the statement fields, and its size as IAM counts it. No Pulumi here.
 */
import { awsGlobalConditionKeys, awsResourceTypes, awsServiceActions, awsServiceConditionKeys, awsServicePrefixes, type CatalogueAction } from "./awsCatalogue";
import { arnPatternsIntersect, arnTemplatePattern, iamGlobMatches } from "./iamGlob";
import { closestNames, orList } from "./didYouMean";
import type { PolicyStatement } from "./awsIdentityAdmin";

/** One statement as config writes it (after defaults): effect, actions, resources and conditions. */
export interface InlineStatement {
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** `{ <operator>: { <condition key>: <values> } }`, as IAM's Condition element. */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** A problem of one field of a statement: its path below the statement, and the message. */
export interface StatementProblem {
  readonly field: string;
  readonly message: string;
}

/** `service:action`, each part letters, digits and IAM's wildcards; or `*` for every action. */
const ACTION_FORMAT = /^([a-z0-9-]+):([A-Za-z0-9*?-]+)$/i;

/** The catalogue's actions an action pattern names, or why it names none. `*` names every action of every service. */
export function expandAwsAction(action: string): { readonly service: string; readonly actions: readonly CatalogueAction[] } | { readonly all: true } | { readonly problem: string } {
  if (action === "*") return { all: true };
  const format = ACTION_FORMAT.exec(action);
  if (!format) return { problem: `"${action}" is not an IAM action; allowed: <service>:<action> such as s3:GetObject (wildcards * and ? in the action part), or *` };
  const service = format[1]!.toLowerCase();
  const name = format[2]!;
  if (!awsServicePrefixes().has(service)) {
    const near = closestNames(service, awsServicePrefixes());
    return { problem: `"${format[1]}" is not an AWS service prefix${near.length ? `; did you mean ${orList(near)}?` : ""}` };
  }
  const catalogue = awsServiceActions(service);
  const actions = [...catalogue.values()].filter((a) => iamGlobMatches(name, a.name, true));
  if (actions.length > 0) return { service, actions };
  if (/[*?]/.test(name)) return { problem: `${action} matches no action of ${service}` };
  const near = closestNames(name, [...catalogue.values()].map((a) => a.name));
  return { problem: `${action} is not an action of ${service}${near.length ? `; did you mean ${orList(near.map((n) => `${service}:${n}`))}?` : ""}` };
}

/** AWS partitions (docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html). */
const PARTITIONS = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"];

/** IAM's limit on a resource ARN's length (the ARN pattern of IAM's API reference: 1-2048). */
const ARN_MAX_LENGTH = 2048;

/** Why a resource is not `*` or an ARN pattern IAM accepts, or undefined. */
export function awsResourceFormatProblem(resource: string): string | undefined {
  if (resource === "*") return undefined;
  const allowed = "allowed: * or an ARN arn:<partition>:<service>:<region>:<account>:<resource> such as arn:aws:s3:::orders-dev/*";
  if (resource.length > ARN_MAX_LENGTH) return `is ${resource.length} characters long (an ARN has at most ${ARN_MAX_LENGTH})`;
  if (/\s/.test(resource)) return `"${resource}" holds white space; ${allowed}`;
  const parts = resource.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return `"${resource}" is not an ARN; ${allowed}`;
  const [, partition, service] = parts as [string, string, string];
  if (!/[*?]/.test(partition) && !PARTITIONS.includes(partition)) return `"${partition}" is not an AWS partition; allowed: ${PARTITIONS.join(", ")}`;
  // IAM does not accept a wildcard in an ARN's service segment (reference_policies_elements_resource.html).
  if (!/^[a-z0-9-]+$/.test(service)) return `"${resource}" has no service name in its third segment (wildcards are not allowed there); ${allowed}`;
  if (parts.slice(5).join(":") === "") return `"${resource}" names no resource after its fifth colon; ${allowed}`;
  return undefined;
}

/**
 * Resources of a statement that none of its actions acts on: a statement on
 * `arn:aws:s3:::orders-dev` with s3:GetObject grants nothing (objects are `orders-dev/<key>`).
 * Checked only when every action is in the catalogue; `*` is every resource.
 */
export function unusedResourceProblems(actions: readonly CatalogueAction[], services: readonly string[], resources: readonly string[]): StatementProblem[] {
  const templates = new Map<string, string>();
  for (const [i, action] of actions.entries()) {
    const types = awsResourceTypes(services[i]!);
    for (const type of action.resourceTypes) {
      const arn = types.get(type);
      if (arn) templates.set(`${services[i]}:${type}`, arn);
    }
  }
  const kinds = [...templates].map(([key, arn]) => `${key} ${arn.replace(/\$\{([^}]*)\}/g, "<$1>")}`);
  const problems: StatementProblem[] = [];
  resources.forEach((resource, i) => {
    if (resource === "*" || awsResourceFormatProblem(resource)) return;
    if ([...templates.values()].some((t) => arnPatternsIntersect(resource, arnTemplatePattern(t)))) return;
    const what = kinds.length
      ? `none of the statement's actions acts on it; they act on ${kinds.slice(0, 4).join(", ")}${kinds.length > 4 ? ` and ${kinds.length - 4} more` : ""}`
      : "the statement's actions act only on resource *";
    problems.push({ field: `resources[${i}]`, message: `${resource} grants nothing: ${what}` });
  });
  return problems;
}

/**
 * IAM's condition operators (reference_policies_elements_condition_operators.html): each may take
 * `ForAnyValue:` or `ForAllValues:` before it and, all but Null, `IfExists` after it.
 */
export const CONDITION_OPERATORS: readonly string[] = [
  "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
  "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
  "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
  "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
];

function operatorProblem(operator: string): string | undefined {
  const m = /^(?:ForAnyValue:|ForAllValues:)?([A-Za-z]+?)(IfExists)?$/.exec(operator);
  const base = m?.[1];
  if (base && CONDITION_OPERATORS.includes(base) && !(base === "Null" && m[2])) return undefined;
  const near = closestNames(operator.replace(/^(ForAnyValue:|ForAllValues:)/, "").replace(/IfExists$/, ""), CONDITION_OPERATORS);
  return `"${operator}" is not an IAM condition operator${near.length ? ` (did you mean ${orList(near)}?)` : ""}; allowed: ${CONDITION_OPERATORS.join(", ")} (with ForAnyValue:/ForAllValues: before and IfExists after)`;
}

/** Why a condition key is unknown to the catalogue (global `aws:` keys and every service's own), or undefined. */
function conditionKeyProblem(key: string): string | undefined {
  const namespace = key.split(":")[0]!.toLowerCase();
  const known = namespace === "aws" ? awsGlobalConditionKeys() : awsServicePrefixes().has(namespace) ? awsServiceConditionKeys(namespace) : undefined;
  if (known === undefined) return `"${key}" is not a condition key: "${namespace}" is neither aws nor an AWS service prefix`;
  if (known.some((template) => iamGlobMatches(arnTemplatePattern(template), key, true))) return undefined;
  const near = closestNames(key, known);
  return `"${key}" is not a condition key of ${namespace}${near.length ? `; did you mean ${orList(near)}?` : ""}`;
}

/** Every problem of one statement's actions, resources and conditions (the catalogue's and IAM's rules). */
export function inlineStatementProblems(statement: InlineStatement): StatementProblem[] {
  const problems: StatementProblem[] = [];
  const named: CatalogueAction[] = [];
  const services: string[] = [];
  let checkResources = true;
  statement.actions.forEach((action, i) => {
    const expanded = expandAwsAction(action);
    if ("problem" in expanded) {
      problems.push({ field: `actions[${i}]`, message: expanded.problem });
      checkResources = false;
    } else if ("all" in expanded) checkResources = false;
    else for (const a of expanded.actions) (named.push(a), services.push(expanded.service));
  });
  statement.resources.forEach((resource, i) => {
    const problem = awsResourceFormatProblem(resource);
    if (problem) problems.push({ field: `resources[${i}]`, message: problem });
  });
  if (checkResources) problems.push(...unusedResourceProblems(named, services, statement.resources));
  for (const [operator, keys] of Object.entries(statement.conditions ?? {})) {
    const problem = operatorProblem(operator);
    if (problem) problems.push({ field: `conditions.${operator}`, message: problem });
    for (const key of Object.keys(keys)) {
      const keyProblem = conditionKeyProblem(key);
      if (keyProblem) problems.push({ field: `conditions.${operator}.${key}`, message: keyProblem });
    }
  }
  return problems;
}

/** An IAM policy document, as IAM's JSON grammar spells it. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: ReadonlyArray<{
    readonly Effect: "Allow" | "Deny";
    readonly Action: readonly string[];
    readonly Resource: readonly string[];
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  }>;
}

/** The policy document of an inline policy: its statements field by field, in order, nothing pasted. */
export function inlinePolicyDocument(statements: readonly InlineStatement[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: statements.map((s) => ({
      Effect: s.effect,
      Action: [...s.actions],
      Resource: [...s.resources],
      ...(s.conditions && Object.keys(s.conditions).length > 0 ? { Condition: s.conditions } : {}),
    })),
  };
}

/** A policy's size as IAM counts it against its quotas: the JSON's characters, white space not counted. */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).replace(/\s/g, "").length;
}

const record = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** A statement read from raw (unvalidated) config, when its actions and resources are lists of strings; the schema reports the rest. */
export function rawInlineStatement(raw: unknown): InlineStatement | undefined {
  const s = record(raw);
  const strings = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined);
  const actions = strings(s.actions);
  const resources = strings(s.resources);
  if (!actions || !resources) return undefined;
  const conditions = Object.fromEntries(
    Object.entries(record(s.conditions)).map(([op, keys]) => [op, Object.fromEntries(Object.entries(record(keys)).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(String)]))]),
  );
  return { effect: s.effect === "Deny" ? "Deny" : "Allow", actions, resources, conditions };
}

/** A statement as words need it: config's (InlineStatement) or a document's (policyDocumentStatements). */
export type WordedStatement = Pick<PolicyStatement, "effect" | "actions" | "notActions" | "resources" | "notResources" | "conditions">;

/**
 * One statement in words, for plans and reviews: `Allow s3:GetObject on arn:aws:s3:::orders-dev/*`,
 * `Deny every action except sts:* on every resource except arn:…`, with its conditions
 * (`when StringEquals aws:SourceAccount is 111111111111 or 222222222222`).
 */
export function statementWords(s: WordedStatement): string {
  const actions = s.actions !== undefined ? s.actions.join(", ") : `every action${s.notActions?.length ? ` except ${s.notActions.join(", ")}` : ""}`;
  const resources = s.resources !== undefined ? s.resources.join(", ") : `every resource${s.notResources?.length ? ` except ${s.notResources.join(", ")}` : ""}`;
  const conditions = Object.entries(s.conditions ?? {}).flatMap(([operator, keys]) => Object.entries(keys).map(([key, values]) => `${operator} ${key} is ${values.join(" or ")}`));
  return `${s.effect} ${actions} on ${resources}${conditions.length ? ` when ${conditions.join(" and ")}` : ""}`;
}

/** An inline policy in words: `inline policy orders-read: Allow s3:GetObject on arn:aws:s3:::orders-dev/*`, statements joined by "; ". */
export function inlinePolicyWords(name: string, statements: readonly WordedStatement[]): string {
  return `inline policy ${name}: ${statements.length ? statements.map(statementWords).join("; ") : "no statement"}`;
}
