/**
 * What `pulumi up` will replace or delete, per resource, from a base and a head plan: the engine's
 * step generation as it follows from the providers' replacement rules
 * (components/internal/replacements.ts) and each resource's own `replaceOnChanges`, with the impact
 * on running workloads in words.
 *
 * Resources are matched by URN, or through an alias the head records (a service's `renamedFrom`):
 * pass the head as followRenames (renames.ts) returns it, so that a renamed resource's placeholders
 * read as the base's. A head resource whose URN the base does not hold is created; a base resource
 * that no head resource holds or aliases is deleted.
 *
 * Placeholders (`<resource.property>`) are equal in two plans unless a value is new: a value computed
 * from a replaced resource (one of its after-deploy outputs) is unknown during the preview and counts
 * as changed, so a replacement propagates to every resource whose replacing input depends on it
 * (pulumi/pulumi pkg/resource/deploy/step_generator.go: a changed input named by the provider's
 * replaces, or by replaceOnChanges, plans a replacement; with delete-before-replace the dependents'
 * inputs on the replaced resource are re-diffed as unknown, calculateDependentReplacements).
 *
 * A created resource that the head reads instead (an adopted authorization server in place of the
 * one the stack created) is a read-replacement: the engine deletes the created one
 * (step_generator.go GenerateReadSteps, NewReadReplacementStep).
 */
import { deletesFirst, replacingInputs, REPLACEMENT_RULES } from "../../components/internal/replacements";
import { parallelDeletedPolicies, type OrderingDocument } from "../../components/internal/oktaPlanOrder";
import { placeholderNames } from "../../components/internal/placeholder";
import { azureRoleName } from "../../components/internal/azureRoles";
import { policyDocumentStatements } from "../../components/internal/awsIdentityAdmin";
import { statementWords } from "../../components/internal/awsPolicy";
import type { PlanDocument, PlanResource } from "./model";

/** One resource `pulumi up` replaces or deletes. */
export interface LifecycleChange {
  readonly kind: "replaced" | "deleted";
  readonly urn: string;
  readonly type: string;
  /** The resource's logical name (the base's, for a renamed resource). */
  readonly name: string;
  /** The resource in words, e.g. "AWS role dev-payments". */
  readonly label: string;
  /** Why it is replaced (the inputs that change and the rule that makes them replace), or why it is deleted. */
  readonly because: string;
  /** What it does to running workloads. */
  readonly impact: string;
  /** The old resource is deleted before its replacement exists. */
  readonly deleteFirst: boolean;
  /** Why a reviewer must read it (an identity replaced or deleted, an id kept reserved), when so. */
  readonly risk?: string;
}

/** Several Okta access policies of one server deleted in one update with no order between them. */
export interface PolicyDeleteGroup {
  /** The authorization server, in words. */
  readonly server: string;
  /** The policies, in words. */
  readonly policies: readonly string[];
}

export interface LifecycleReport {
  readonly changes: readonly LifecycleChange[];
  /** Deletions that race at Okta, each with how to split them. */
  readonly policyDeleteGroups: readonly PolicyDeleteGroup[];
}

export const EMPTY_LIFECYCLE: LifecycleReport = { changes: [], policyDeleteGroups: [] };

type Resource = PlanResource & {
  readonly custom?: boolean;
  readonly aliases?: readonly string[];
  readonly dependsOn?: readonly string[];
  readonly replaceOnChanges?: readonly string[];
  readonly protect?: boolean;
};

const POLICY = "okta:auth/serverPolicy:ServerPolicy";
const POLICY_RACE =
  "Okta answers parallel writes of one server's policies with HTTP 500 or 423 E0000239, which the provider does not retry, and the engine orders deletes only by direct dependencies among the deleted resources";

/** Custom resources the stack manages or reads: not providers, not components. */
const managed = (r: Resource) => r.custom !== false && !r.type.startsWith("pulumi:providers:") && !r.type.startsWith("oktafed:") && r.type !== "pulumi:pulumi:StackReference";

/** JSON with sorted keys, so that two equal values compare equal whatever their key order. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

/** A value in a line: short values whole, long ones cut. */
function shown(value: unknown): string {
  const text = value === undefined ? "(unset)" : typeof value === "string" ? value : stable(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** Every string inside a value. */
function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(stringsIn);
  return [];
}

/** The resource in words. */
export function resourceLabel(r: PlanResource): string {
  const i = r.inputs ?? {};
  const a = r.afterDeploy ?? {};
  switch (r.type) {
    case "okta:app/oAuth:OAuth":
      return `Okta app ${String(i.label ?? r.name)}`;
    case "okta:auth/server:Server":
      return typeof i.name === "string" ? `Okta authorization server ${i.name}` : `Okta authorization server ${String(r.id ?? r.name)}`;
    case POLICY:
      return `Okta access policy ${String(i.name ?? r.name)}`;
    case "okta:auth/serverPolicyRule:ServerPolicyRule":
      return `Okta policy rule ${r.name}`;
    case "okta:auth/serverScope:ServerScope":
      return `Okta scope ${String(i.name ?? r.name)}`;
    case "okta:auth/serverClaim:ServerClaim":
      return `Okta claim ${String(i.name ?? r.name)}`;
    case "okta:inline/hook:Hook":
      return `Okta inline hook ${String(i.name ?? r.name)}`;
    case "aws:iam/role:Role":
      return `AWS role ${String(i.name ?? r.name)}`;
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
      return `AWS policy ${String(i.policyArn).split("/").pop()} on role ${String(i.role)}`;
    case "aws:iam/rolePolicy:RolePolicy":
      return `AWS inline policy ${String(i.name ?? r.name)} on role ${String(i.role)}`;
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return `AWS OIDC provider ${String(i.url)}`;
    case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
      return `GCP workload identity pool ${String(i.workloadIdentityPoolId)} (project ${String(i.project)})`;
    case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
      return `GCP pool provider ${String(i.workloadIdentityPoolProviderId)} (pool ${String(i.workloadIdentityPoolId)})`;
    case "gcp:serviceaccount/account:Account":
      return `GCP service account ${String(a.email ?? i.accountId)}`;
    case "gcp:serviceaccount/iAMMember:IAMMember":
      return `GCP ${String(i.role)} on service account ${String(i.serviceAccountId).split("/").pop()}`;
    case "gcp:projects/iAMMember:IAMMember":
      return `GCP role ${String(i.role)} on project ${String(i.project)} (${r.name})`;
    case "azure-native:managedidentity:UserAssignedIdentity":
      return `Azure identity ${String(i.resourceName)}`;
    case "azure-native:managedidentity:FederatedIdentityCredential":
      return `Azure federated credential ${String(i.federatedIdentityCredentialResourceName)} of ${String(i.resourceName)}`;
    case "azure-native:authorization:RoleAssignment": {
      const guid = String(i.roleDefinitionId).split("/").pop() ?? "";
      return `Azure role ${azureRoleName(guid) ?? guid} at ${String(i.scope)} (${r.name})`;
    }
    case "gcp:storage/bucketIAMMember:BucketIAMMember":
      return `GCP role ${String(i.role)} on bucket ${String(i.bucket)} (${r.name})`;
    case "gcp:pubsub/topicIAMMember:TopicIAMMember":
      return `GCP role ${String(i.role)} on Pub/Sub topic ${String(i.topic)} (project ${String(i.project)}) (${r.name})`;
    case "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember":
      return `GCP role ${String(i.role)} on Pub/Sub subscription ${String(i.subscription)} (project ${String(i.project)}) (${r.name})`;
    case "gcp:secretmanager/secretIamMember:SecretIamMember":
      return `GCP role ${String(i.role)} on secret ${String(i.secretId)} (project ${String(i.project)}) (${r.name})`;
    case "gcp:bigquery/datasetIamMember:DatasetIamMember":
      return `GCP role ${String(i.role)} on BigQuery dataset ${String(i.datasetId)} (project ${String(i.project)}) (${r.name})`;
    case "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember":
      return `GCP role ${String(i.role)} on Artifact Registry repository ${String(i.repository)} (project ${String(i.project)}, ${String(i.location)}) (${r.name})`;
    default:
      return `${r.type} ${r.name}`;
  }
}

/** An inline policy's statements in words, from its `policy` input. */
function inlineWords(r: Resource): string {
  const statements = policyDocumentStatements(r.inputs.policy);
  return statements.length ? statements.map(statementWords).join("; ") : "no statement";
}

/** What replacing a resource does to running workloads, and whether it is risky. */
function replacementImpact(base: Resource, head: Resource, deleteFirst: boolean): { impact: string; risk?: string } {
  const outage = deleteFirst ? "; the old one is deleted before the new one exists (delete-before-replace): an outage until it is created" : "";
  switch (head.type) {
    case "okta:app/oAuth:OAuth":
      return {
        impact: "new client id: every workload of the service must use it, and every trust (AWS role, GCP provider condition, Azure credential) is rewritten for it; tokens of the old client stop working",
        risk: "identity replaced: new client id",
      };
    case "aws:iam/role:Role": {
      const before = String(base.afterDeploy?.arn ?? "");
      const after = String(head.afterDeploy?.arn ?? "");
      const arn = before !== after && after ? `new role ARN ${after} (was ${before}): workloads' AWS_ROLE_ARN must change` : "the role is recreated under the same ARN";
      const named = deleteFirst ? "; the role has a fixed name, so the old role is deleted first: workloads cannot assume it until the new one exists (an outage), and resource policies that name it stop matching (they hold the deleted role's unique id)" : "";
      return { impact: `${arn}${named}`, risk: "identity replaced: new AWS role" };
    }
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return {
        impact: "new OIDC provider ARN: every role's trust policy is rewritten for it (IAM holds one provider per URL and account: if the account already has one for the new issuer, adopt it with aws.existingOidcProviderArn)",
        risk: "identity provider replaced",
      };
    case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
      return {
        impact: `every service's GCP principal (principal://…/workloadIdentityPools/${String(head.inputs.workloadIdentityPoolId)}/subject/…) is new: grants made outside the stack to the old principals are lost, and workloads' credential configs must name the new provider; the old pool id ${String(base.inputs.workloadIdentityPoolId)} stays reserved for 30 days`,
        risk: "identity pool replaced: new GCP principals",
      };
    case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
      return {
        impact: `workloads' credential configs (audience: the provider's name) must name the new provider; the old provider id ${String(base.inputs.workloadIdentityPoolProviderId)} stays reserved for 30 days`,
        risk: "identity provider replaced",
      };
    case "gcp:serviceaccount/account:Account":
      return { impact: "new GCP service account (new unique id): grants made to it outside the stack are lost", risk: "identity replaced: new GCP service account" };
    case "azure-native:managedidentity:UserAssignedIdentity":
      return {
        impact: "Azure identity recreated: new client id and principal id (workloads' AZURE_CLIENT_ID must change); it is deleted before it is recreated (an outage), and role assignments made on it outside the stack are lost",
        risk: "identity replaced: new Azure client and principal id",
      };
    case "okta:auth/server:Server":
      return { impact: "new authorization server: new issuer for every token; every trust is rewritten for it", risk: "issuer replaced" };
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
      return { impact: "the policy is detached and attached again: the role is briefly without it" };
    case "aws:iam/rolePolicy:RolePolicy":
      return {
        impact: `the inline policy is deleted before it is written again (its name is fixed, delete-before-replace): the service is without its permissions (${inlineWords(base)}) until the new one is written`,
      };
    case "gcp:serviceaccount/iAMMember:IAMMember":
    case "gcp:projects/iAMMember:IAMMember":
    case "gcp:storage/bucketIAMMember:BucketIAMMember":
    case "gcp:pubsub/topicIAMMember:TopicIAMMember":
    case "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember":
    case "gcp:secretmanager/secretIamMember:SecretIamMember":
    case "gcp:bigquery/datasetIamMember:DatasetIamMember":
    case "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember":
      return { impact: "the role is revoked and granted again: briefly without it" };
    case "azure-native:authorization:RoleAssignment":
      return { impact: "the assignment is deleted before it is created again: briefly without the role" };
    case "azure-native:managedidentity:FederatedIdentityCredential":
      return { impact: "the credential is deleted before it is created again: token exchanges for the identity fail until it exists and has propagated" };
    case "okta:auth/serverPolicy:ServerPolicy":
    case "okta:auth/serverPolicyRule:ServerPolicyRule":
    case "okta:auth/serverScope:ServerScope":
    case "okta:auth/serverClaim:ServerClaim":
      return { impact: "created again where it now belongs, then the old one is deleted" };
    default:
      return { impact: `recreated${outage}` };
  }
}

/** What deleting a resource does to running workloads, and whether it is risky. */
function deletionImpact(r: Resource): { impact: string; risk?: string } {
  switch (r.type) {
    case "okta:app/oAuth:OAuth":
      return { impact: "the service's Okta client is deleted: it gets no more tokens", risk: "identity deleted" };
    case "okta:auth/server:Server":
      return { impact: "the authorization server is deleted: tokens it issued stop verifying and every trust names a missing issuer", risk: "issuer deleted" };
    case "aws:iam/role:Role":
      return { impact: `the role ${String(r.afterDeploy?.arn ?? r.inputs.name)} is deleted: workloads using it lose AWS access`, risk: "identity deleted" };
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return { impact: "the OIDC provider is deleted: no role can be assumed with the issuer's tokens", risk: "identity provider deleted" };
    case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": {
      const id = String(r.inputs.workloadIdentityPoolId);
      return {
        impact: `GCP keeps the deleted pool id ${id} reserved for 30 days (soft delete): adding a GCP service back within that time fails with ALREADY_EXISTS; undelete the pool and import it, or set gcp.idSuffix, which gives every service a new principal`,
        risk: "GCP pool deleted: its id stays reserved for 30 days",
      };
    }
    case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": {
      const id = String(r.inputs.workloadIdentityPoolProviderId);
      return {
        impact: `GCP keeps the deleted provider id ${id} reserved for 30 days (soft delete): re-adding it (a service in its shard, a higher gcp.providerShards) within that time fails with ALREADY_EXISTS; undelete it and import it, or set gcp.idSuffix, which gives every service a new principal`,
        risk: "GCP pool provider deleted: its id stays reserved for 30 days",
      };
    }
    case "gcp:serviceaccount/account:Account":
      return { impact: "the service account is deleted: workloads impersonating it lose GCP access, and grants made to it outside the stack are lost", risk: "identity deleted" };
    case "azure-native:managedidentity:UserAssignedIdentity":
      return { impact: "the Azure identity is deleted with every role assignment on it, in the stack or outside it", risk: "identity deleted" };
    case "aws:iam/rolePolicy:RolePolicy":
      return { impact: `the inline policy is deleted (DeleteRolePolicy): the service loses its permissions at once (${inlineWords(r)})` };
    default:
      // Nothing a workload notices beyond the access diff (a grant, a policy or a rule of a removed service).
      return { impact: "" };
  }
}

/** A rule's source in short: the repository and the first file with its function. */
function citation(source: string): string {
  const repo = /^[\w.-]+\/[\w.-]+/.exec(source)?.[0] ?? "";
  const file = /([\w.]+\.go) (\w+)/.exec(source);
  return file ? `${repo} ${file[1]} ${file[2]}` : repo;
}

/** Why a resource is replaced, in words. */
function reasons(found: ReturnType<typeof replacingInputs>, base: Resource, head: Resource, newFrom: ReadonlyMap<string, string>): string {
  const rule = REPLACEMENT_RULES[head.type];
  return found
    .map(({ property, why, condition }) => {
      const from = newFrom.get(property);
      const change = from ? `${property} takes a new value from ${from}, which is replaced` : `${property} changes from ${shown(base.inputs[property])} to ${shown(head.inputs[property])}`;
      if (why === "replaceOnChanges") return `${change} (replaceOnChanges: the provider would update it in place and send the old ids)`;
      return `${change} (${condition ? `the provider replaces when it ${condition}` : "the provider replaces on it"}${rule ? `: ${citation(rule.source)}` : ""})`;
    })
    .join("; ");
}

export interface LifecycleOptions {
  /**
   * Groups of Okta policies deleted together without an order, as a detector computes them; by
   * default {@link unorderedPolicyDeletes} decides from the base plan's dependencies.
   */
  readonly policyDeleteGroups?: (base: PlanDocument, deleted: readonly PlanResource[]) => readonly PolicyDeleteGroup[];
}

/** What `pulumi up` will replace or delete, going from the base plan to the head plan. */
export function lifecycleChanges(basePlan: PlanDocument, headPlan: PlanDocument, options: LifecycleOptions = {}): LifecycleReport {
  const base = (basePlan.resources as readonly Resource[]).filter(managed);
  const head = (headPlan.resources as readonly Resource[]).filter(managed);
  const baseByUrn = new Map(base.map((r) => [r.urn, r]));
  const pairs: Array<{ base: Resource; head: Resource }> = [];
  const kept = new Set<string>();
  for (const r of head) {
    const old = baseByUrn.get(r.urn) ?? r.aliases?.map((a) => baseByUrn.get(a)).find((b) => b !== undefined && !kept.has(b.urn));
    if (old && !kept.has(old.urn)) {
      kept.add(old.urn);
      pairs.push({ base: old, head: r });
    }
  }

  const replaced = new Map<Resource, LifecycleChange>();
  /** The head resources a value may come from, by the placeholder names and after-deploy values each produces. */
  const producers = (r: Resource) => new Set([r.name, pairs.find((p) => p.head === r)?.base.name ?? r.name]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const { base: old, head: now } of pairs) {
      if (replaced.has(now)) continue;
      const readReplaced = old.operation !== "read" && now.operation === "read";
      if (old.operation === "read" || now.operation === "read") {
        if (readReplaced) {
          const { impact, risk } = deletionImpact(old);
          replaced.set(now, {
            kind: "replaced",
            urn: now.urn,
            type: now.type,
            name: old.name,
            label: resourceLabel(old),
            because: `the head reads an existing object (id ${String(now.id)}) in its place: the engine deletes the one the stack created (read-replacement)`,
            impact: `${impact}; ${resourceLabel(now)} takes its place`,
            deleteFirst: false,
            ...(risk ? { risk } : {}),
          });
          grew = true;
        }
        continue;
      }
      // An input the head leaves out keeps the value it has (an optional, computed field such as an
      // app's clientId, which a stack export's base carries from the outputs): no change.
      const keys = Object.keys(now.inputs ?? {}).filter((k) => now.inputs[k] !== undefined);
      const changed = keys.filter((k) => stable(old.inputs[k]) !== stable(now.inputs[k]));
      // Inputs that take a value computed from a replaced resource: new, though the text is equal.
      const newFrom = new Map<string, string>();
      for (const k of keys.filter((k) => !changed.includes(k))) {
        const names = new Set(placeholderNames(now.inputs[k]).map((p) => p.slice(1, p.lastIndexOf("."))));
        const values = new Set(stringsIn(now.inputs[k]));
        for (const [r, change] of replaced) {
          const fromPlaceholder = [...producers(r)].some((n) => names.has(n));
          const fromValue = (now.dependsOn ?? []).includes(r.urn) && stringsIn(r.afterDeploy ?? {}).some((v) => values.has(v));
          if (fromPlaceholder || fromValue) {
            newFrom.set(k, change.label);
            break;
          }
        }
      }
      const found = replacingInputs(now.type, [...changed, ...newFrom.keys()], old.inputs, now.inputs, now.replaceOnChanges ?? []);
      if (found.length === 0) continue;
      const deleteFirst = deletesFirst(now.type, now.inputs) || Boolean((now as { deleteBeforeReplace?: boolean }).deleteBeforeReplace);
      const { impact, risk } = replacementImpact(old, now, deleteFirst);
      replaced.set(now, {
        kind: "replaced",
        urn: now.urn,
        type: now.type,
        name: old.name,
        label: resourceLabel(now),
        because: reasons(found, old, now, newFrom),
        impact: `${old.protect ? "protected: pulumi up stops with an error until it is unprotected (pulumi state unprotect); " : ""}${impact}`,
        deleteFirst,
        ...(risk ? { risk } : {}),
      });
      grew = true;
    }
  }

  const deletedResources = base.filter((r) => !kept.has(r.urn) && r.operation !== "read");
  const deleted: LifecycleChange[] = deletedResources.map((r) => {
    const { impact, risk } = deletionImpact(r);
    return {
      kind: "deleted",
      urn: r.urn,
      type: r.type,
      name: r.name,
      label: resourceLabel(r),
      because: "the head no longer registers it",
      impact: r.protect ? `protected: pulumi up stops with an error until it is unprotected (pulumi state unprotect)${impact ? `; ${impact}` : ""}` : impact,
      deleteFirst: false,
      ...(risk ? { risk } : {}),
    };
  });
  // The old copies of replaced resources are deleted by the same schedule as removed ones.
  const replacedOld = pairs.filter((p) => replaced.has(p.head) && !replaced.get(p.head)!.deleteFirst).map((p) => p.base);
  const groups = (options.policyDeleteGroups ?? unorderedPolicyDeletes)(basePlan, [...deletedResources, ...replacedOld]);
  return { changes: [...replaced.values(), ...deleted], policyDeleteGroups: groups };
}

/**
 * Okta access policies of one server that one update deletes in the same round of the engine's
 * delete schedule, by components/internal/oktaPlanOrder.ts parallelDeletedPolicies (the engine's
 * rounds, reproduced from pulumi/pulumi step_generator.go ScheduleDeletes), in words. `deleted`
 * holds the base resources the update deletes: removed ones, and the old copies of replaced ones.
 */
export function unorderedPolicyDeletes(basePlan: PlanDocument, deleted: readonly PlanResource[]): PolicyDeleteGroup[] {
  const byUrn = new Map((basePlan.resources as readonly Resource[]).map((r) => [r.urn, r]));
  for (const r of deleted as readonly Resource[]) if (!byUrn.has(r.urn)) byUrn.set(r.urn, r);
  const document = { resources: [...byUrn.values()] } as unknown as OrderingDocument;
  const server = (id: string) => {
    const found = (basePlan.resources as readonly Resource[]).find((r) => r.type === "okta:auth/server:Server" && (r.afterDeploy?.id === id || r.id === id));
    return found ? resourceLabel(found) : `Okta authorization server ${id}`;
  };
  return parallelDeletedPolicies(document, deleted.map((r) => r.urn)).map((g) => ({
    server: server(g.server),
    policies: g.policies.map((p) => resourceLabel(byUrn.get(p.urn)!)).sort(),
  }));
}

/** The line that says how to deploy a group of racing policy deletions. */
export function policyGroupMessage(group: PolicyDeleteGroup): string {
  return `${group.policies.join(", ")} of ${group.server} are deleted in one update with no order between them: ${POLICY_RACE}; deploy these removals one at a time (one service per update)`;
}

/** Risky entries first, then replacements, then deletions. */
export function lifecycleRiskyCount(report: LifecycleReport | undefined): number {
  return report ? report.changes.filter((c) => c.risk).length + report.policyDeleteGroups.length : 0;
}

export function lifecycleCount(report: LifecycleReport | undefined): number {
  return report ? report.changes.length + report.policyDeleteGroups.length : 0;
}
