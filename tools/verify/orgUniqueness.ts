/**
 * What must be unique across the organisation (org.ts): each client key registered by one service
 * (clientKeys.ts fingerprints), and the names each cloud holds once in a scope: AWS role names and
 * OIDC provider URLs per account, Okta server names and app labels per Okta org, GCP pools and
 * service accounts per project, pool provider ids and principals per pool, Azure identity names per
 * resource group. Read from each stack's own resources (a team stack's platform objects are the
 * platform's).
 */
import { sameKeySourceNote } from "../../components/internal/clientKeys";
import type { PlanDocument, TrustModel } from "./model";
import type { OrgFinding } from "./org";
import { valueOf as get } from "./orgDocuments";

/** The kinds of name that must be unique in their scope across the organisation. */
export type NameKind =
  | "AWS role name"
  | "AWS OIDC provider"
  | "Okta authorization server name"
  | "Okta app label"
  | "GCP pool"
  | "GCP service account"
  | "GCP pool provider"
  | "GCP principal"
  | "Azure identity name";

/** One name that must be unique in its scope across the organisation. */
export interface NamedThing {
  readonly kind: NameKind;
  readonly scope: string;
  readonly name: string;
  readonly resource: string;
  /** Compared case-insensitively (IAM names, Azure resource names). */
  readonly caseless?: boolean;
}

/** What happens when two stacks hold the same name, per kind. */
const CONSEQUENCE: Readonly<Record<NameKind, string>> = {
  "AWS role name": "IAM holds one role per name in an account (names are case-insensitive): one stack cannot create it, or both manage one role and each overwrites the other's trust",
  "AWS OIDC provider": "IAM holds one OIDC provider per URL in an account: one stack cannot create it, or both manage one provider and each overwrites the other's client ids",
  "Okta authorization server name": "two authorization servers with one name in one Okta org cannot be told apart in the admin console, nor their issuers by a reviewer",
  "Okta app label": "two apps with one label in one Okta org cannot be told apart in the admin console or the System Log",
  "GCP pool": "GCP holds one pool per id in a project: one stack cannot create it, or both manage one pool",
  "GCP service account": "GCP holds one service account per email: one stack cannot create it, or both manage one account and its impersonation grants",
  "GCP pool provider": "GCP holds one provider per id in a pool: one stack cannot create it, or both manage one provider and each overwrites the other's attribute condition",
  "GCP principal": "one principal holds both stacks' grants: the token that reaches one stack's target reaches the other's",
  "Azure identity name": "Azure holds one identity per name in a resource group (case-insensitive): one stack cannot create it, or both manage one identity and its federated credentials",
};

const GCP_MEMBER = /^principal(Set)?:\/\/iam\.googleapis\.com\/(projects\/[^/]+\/locations\/[^/]+\/workloadIdentityPools\/[^/]+)\//;

/** The Okta org a stack's apps live in: its Okta provider's org, else its server's issuer host. */
export function oktaOrg(plan: PlanDocument): string {
  const provider = plan.resources.find((r) => r.type === "pulumi:providers:okta");
  const org = provider && get(provider, "orgName");
  if (typeof org === "string") return `${org}.${String(get(provider!, "baseUrl") ?? "okta.com")}`;
  const server = plan.resources.find((r) => r.type === "okta:auth/server:Server");
  return /^https?:\/\/([^/]+)/.exec(String(server ? get(server, "issuer") : ""))?.[1] ?? "unknown";
}

const accountOf = (arn: unknown) => /^arn:aws[a-z-]*:iam::([^:]+):/.exec(String(arn ?? ""))?.[1] ?? "unknown";

/** What makes two names the same: kind, scope and name, the last two without case where the cloud ignores it. */
export const nameKey = (thing: NamedThing): string =>
  `${thing.kind}|${thing.caseless ? thing.scope.toLowerCase() : thing.scope}|${thing.caseless ? thing.name.toLowerCase() : thing.name}`;

/** Every name of a stack's plan that must be unique across the organisation, read from the registered resources. */
export function uniqueNames(plan: PlanDocument): NamedThing[] {
  const names: NamedThing[] = [];
  const org = oktaOrg(plan);
  for (const r of plan.resources) {
    if (r.operation === "read") continue; // an adopted resource is shared on purpose
    if (r.type === "aws:iam/role:Role") names.push({ kind: "AWS role name", scope: `AWS account ${accountOf(get(r, "arn"))}`, name: String(get(r, "name")), resource: r.name, caseless: true });
    else if (r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider") {
      names.push({ kind: "AWS OIDC provider", scope: `AWS account ${accountOf(get(r, "arn"))}`, name: String(get(r, "url")).replace(/^https:\/\//, ""), resource: r.name });
    } else if (r.type === "okta:auth/server:Server") names.push({ kind: "Okta authorization server name", scope: `Okta org ${org}`, name: String(get(r, "name")), resource: r.name });
    else if (r.type === "okta:app/oAuth:OAuth") names.push({ kind: "Okta app label", scope: `Okta org ${org}`, name: String(get(r, "label")), resource: r.name });
    else if (r.type === "gcp:iam/workloadIdentityPool:WorkloadIdentityPool") {
      names.push({ kind: "GCP pool", scope: `GCP project ${String(get(r, "project"))}`, name: String(get(r, "workloadIdentityPoolId")), resource: r.name });
    } else if (r.type === "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider") {
      names.push({ kind: "GCP pool provider", scope: `GCP pool ${String(get(r, "project"))}/${String(get(r, "workloadIdentityPoolId"))}`, name: String(get(r, "workloadIdentityPoolProviderId")), resource: r.name });
    } else if (r.type === "gcp:serviceaccount/account:Account") {
      names.push({ kind: "GCP service account", scope: `GCP project ${String(get(r, "project"))}`, name: String(get(r, "accountId")), resource: r.name });
    } else if (r.type === "azure-native:managedidentity:UserAssignedIdentity") {
      const group = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+)/i.exec(String(get(r, "id") ?? ""))?.[1] ?? `resource group ${String(get(r, "resourceGroupName"))}`;
      names.push({ kind: "Azure identity name", scope: `Azure resource group ${group}`, name: String(get(r, "resourceName")), resource: r.name, caseless: true });
    }
    const member = get(r, "member");
    const pool = typeof member === "string" ? GCP_MEMBER.exec(member)?.[2] : undefined;
    if (pool) names.push({ kind: "GCP principal", scope: `GCP pool ${pool}`, name: member as string, resource: r.name });
  }
  return names;
}

/** One key, one service, across the organisation: a key registered by services of two stacks. */
export function sharedKeyFindings(models: readonly TrustModel[]): OrgFinding[] {
  const findings: OrgFinding[] = [];
  const keyUse = new Map<string, { stack: string; service: string; key: { fingerprint: string; label: string } }>();
  for (const model of models) {
    for (const service of model.services) {
      for (const key of service.auth.keys) {
        const earlier = keyUse.get(key.fingerprint);
        if (!earlier) keyUse.set(key.fingerprint, { stack: model.stack, service: service.key, key });
        else if (earlier.stack !== model.stack) {
          findings.push({
            kind: "shared-client-key",
            stacks: [model.stack, earlier.stack],
            message: `${model.stack}/${service.key} registers the same ${key.label.startsWith("jwksUri") ? key.label : `public key (${key.label})`} as ${earlier.stack}/${earlier.service} (${earlier.key.label}${sameKeySourceNote(key, earlier.key)}): each can authenticate to Okta as the other and obtain its tokens`,
          });
        }
      }
    }
  }
  return findings;
}

/**
 * Names unique per account, org, project, pool or resource group, over each stack's own resources
 * (`plans`, placeholders qualified; `stackNames` in the same order): how many of each kind were
 * compared, and a finding per name held by two stacks.
 */
export function duplicateNames(plans: readonly PlanDocument[], stackNames: readonly string[]): { uniqueness: Record<string, number>; findings: OrgFinding[] } {
  const uniqueness: Record<string, number> = {};
  const findings: OrgFinding[] = [];
  const named = new Map<string, { stack: string; thing: NamedThing }>();
  for (const [i, plan] of plans.entries()) {
    const stack = stackNames[i]!;
    for (const thing of uniqueNames(plan)) {
      uniqueness[thing.kind] = (uniqueness[thing.kind] ?? 0) + 1;
      const id = nameKey(thing);
      const earlier = named.get(id);
      if (!earlier) named.set(id, { stack, thing });
      else if (earlier.stack !== stack) {
        const spelled = earlier.thing.name === thing.name ? "" : ` (spelled ${earlier.thing.name} there)`;
        findings.push({
          kind: "duplicate-name",
          stacks: [stack, earlier.stack],
          message: `${thing.kind} ${thing.name} in ${thing.scope} is in stack ${stack} (${thing.resource}) and in stack ${earlier.stack} (${earlier.thing.resource}${spelled}): ${CONSEQUENCE[thing.kind]}`,
        });
      }
    }
  }
  return { uniqueness, findings };
}
