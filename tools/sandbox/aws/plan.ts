/**
 * LICENSE NOTE: this file imports @cloud-copilot/iam-policy, which is AGPL. It is a repository tool:
 * tools/ is not in the package's `files` (package.json), so it is never shipped or built into dist/;
 * only `npm run sandbox` and the tests load it.
 *
 * The plan as IAM holds it, for the AWS emulator: the IAM OIDC providers (`aws:iam/openIdConnectProvider:
 * OpenIdConnectProvider`, their `url` and client ids) and the roles (`aws:iam/role:Role`: ARN from
 * name, path and the account of its trust policy's federated principal, or the stack outputs'
 * `roleArn`; unique id; maxSessionDuration; the trust policy validated for iam-simulate), and each
 * role's identity policies: its inline policies (`aws:iam/rolePolicy:RolePolicy`, inputs name, role =
 * the role's name, policy = the JSON document), whose documents the plan holds, and its attached
 * managed policies (`aws:iam/rolePolicyAttachment:RolePolicyAttachment`, role and policyArn), whose
 * documents it does not.
 */
import { randomBytes } from "node:crypto";
import { createValidatedPolicy, validateIdentityPolicy, validateTrustPolicy, type ValidatedPolicy } from "@cloud-copilot/iam-policy";
import type { PlanDocument, PlanResource } from "../../verify/model";

export const DEFAULT_DURATION_SECONDS = 3600;

export interface IamOidcProvider {
  readonly arn: string;
  readonly account: string;
  /** The issuer URL it stands for (`https://…`), which the token's `iss` must equal. */
  readonly url: string;
  /** The URL without its scheme: the ARN's suffix and the condition keys' prefix. */
  readonly hostPath: string;
  /** Undefined when the plan does not know them (a provider adopted by ARN). */
  readonly clientIds: readonly string[] | undefined;
}

export interface IamRole {
  readonly arn: string;
  readonly account: string;
  readonly name: string;
  readonly uniqueId: string;
  readonly maxSessionDuration: number;
  /** The trust policy as iam-simulate takes it; undefined when it does not parse or validate (IAM would refuse it at deploy). */
  readonly trust: ValidatedPolicy<{ name: string }> | undefined;
  /** Its inline policies, by name, in name order; `document` undefined when it does not parse or validate as an identity policy. */
  readonly inline: readonly InlinePolicy[];
  /** The ARNs of the managed policies attached to it, in ARN order. */
  readonly attached: readonly string[];
}

export interface InlinePolicy {
  readonly name: string;
  /** The document as the plan holds it (JSON parsed), for the probes. */
  readonly raw: any;
  readonly document: ValidatedPolicy<{ name: string }> | undefined;
}

/** The role's inline policies and attached policy ARNs in the plan. */
function identityPoliciesOf(plan: PlanDocument, roleName: string): { inline: InlinePolicy[]; attached: string[] } {
  const inline = byType(plan, "aws:iam/rolePolicy:RolePolicy")
    .filter((r) => value(r, "role") === roleName)
    .map((r) => {
      const name = String(value(r, "name") ?? r.name);
      const raw = parsePolicy(value(r, "policy"));
      const validated = raw === undefined ? undefined : createValidatedPolicy(raw, validateIdentityPolicy, { name });
      return { name, raw, document: validated && validated.errors.length === 0 ? validated : undefined };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const attached = byType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    .filter((r) => value(r, "role") === roleName)
    .map((r) => String(value(r, "policyArn")))
    .sort();
  return { inline, attached };
}

export const byType = (plan: PlanDocument, type: string) => plan.resources.filter((r) => r.type === type);
export const value = (r: PlanResource, key: string): unknown => r.inputs[key] ?? r.afterDeploy?.[key] ?? (key === "id" ? r.id : undefined);

const IAM_ARN = /^arn:aws:iam::(\d{12}):(role|oidc-provider)\/(.+)$/;

export function accountOf(arn: unknown): string | undefined {
  return typeof arn === "string" ? IAM_ARN.exec(arn)?.[1] : undefined;
}

/** Every string under `key` anywhere in the stack outputs (`services.*.aws.roleArn`, or under `federations`). */
function outputStrings(outputs: unknown, key: string): string[] {
  if (!outputs || typeof outputs !== "object") return [];
  return Object.entries(outputs as Record<string, unknown>).flatMap(([k, v]) => (k === key && typeof v === "string" ? [v] : outputStrings(v, key)));
}

export function parsePolicy(document: unknown): any {
  if (typeof document !== "string") return document;
  try {
    return JSON.parse(document);
  } catch {
    return undefined;
  }
}

/** The ARNs a trust policy names as `Principal.Federated`. */
function federatedPrincipals(policy: any): string[] {
  const statements = Array.isArray(policy?.Statement) ? policy.Statement : policy?.Statement ? [policy.Statement] : [];
  return statements.flatMap((s: any) => {
    const federated = s?.Principal?.Federated;
    return (Array.isArray(federated) ? federated : [federated]).filter((f: unknown): f is string => typeof f === "string");
  });
}

/** The IAM OIDC providers of the plan. The account comes from the provider's own ARN, else from a trust policy naming its URL. */
export function providersOf(plan: PlanDocument, roles: readonly PlanResource[]): IamOidcProvider[] {
  const trustedArns = roles.flatMap((r) => federatedPrincipals(parsePolicy(r.inputs.assumeRolePolicy)));
  return byType(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").flatMap((r) => {
    const ownArn = [r.afterDeploy?.arn, r.id, r.outputs?.arn].find((a) => accountOf(a));
    const url = typeof r.inputs.url === "string" ? r.inputs.url : typeof ownArn === "string" ? `https://${IAM_ARN.exec(ownArn)![3]}` : undefined;
    if (!url) return [];
    const hostPath = url.replace(/^https:\/\//, "");
    const account = accountOf(ownArn) ?? accountOf(trustedArns.find((a) => a.endsWith(`:oidc-provider/${hostPath}`)));
    if (!account) return [];
    const clientIds = value(r, "clientIdLists");
    return [{ arn: `arn:aws:iam::${account}:oidc-provider/${hostPath}`, account, url: `https://${hostPath}`, hostPath, clientIds: Array.isArray(clientIds) ? clientIds.map(String) : undefined }];
  });
}

/** A role's ARN as IAM forms it: `arn:aws:iam::<account>:role<path><name>`. */
function roleArnOf(r: PlanResource, name: string, policy: any, outputRoleArns: readonly string[]): string | undefined {
  const path = typeof r.inputs.path === "string" ? r.inputs.path : "/";
  const account = federatedPrincipals(policy).map(accountOf).find(Boolean);
  if (account) return `arn:aws:iam::${account}:role${path}${name}`;
  return outputRoleArns.find((arn) => arn.endsWith(`/${name}`));
}

export function rolesOf(plan: PlanDocument, roles: readonly PlanResource[]): IamRole[] {
  const outputRoleArns = outputStrings(plan.outputs, "roleArn");
  return roles.flatMap((r) => {
    const name = String(value(r, "name") ?? r.name);
    const policy = parsePolicy(r.inputs.assumeRolePolicy);
    const arn = roleArnOf(r, name, policy, outputRoleArns);
    if (!arn) return [];
    const uniqueId = value(r, "uniqueId");
    const validated = policy === undefined ? undefined : createValidatedPolicy(policy, validateTrustPolicy, { name: `${name} trust policy` });
    return [
      {
        arn,
        account: accountOf(arn)!,
        name,
        // A role id the plan left unknown still needs the AROA shape (21 characters).
        uniqueId: typeof uniqueId === "string" && /^AROA[A-Z0-9]+$/.test(uniqueId) ? uniqueId : `AROA${randomId(17)}`,
        maxSessionDuration: Number(value(r, "maxSessionDuration") ?? DEFAULT_DURATION_SECONDS),
        trust: validated && validated.errors.length === 0 ? validated : undefined,
        ...identityPoliciesOf(plan, name),
      },
    ];
  });
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function randomId(length: number): string {
  return Array.from(randomBytes(length), (b) => BASE32[b % 32]).join("");
}
