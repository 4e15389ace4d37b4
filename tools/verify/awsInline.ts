/**
 * AWS inline policies (aws:iam/rolePolicy:RolePolicy) as verify reads them from a plan or a stack
 * export: each a grant of the role's service with its statements (its `policy` document read by
 * policyDocumentStatements), judged against the stack's reach (the role's path, the customer managed
 * policies the stack attaches) by the shared predicates: awsIdentityAdminInline and unjudgedGrant.
 * Also the statements' changes between two plans, and each inline policy in words for the outputs.
 */
import { customerManagedPolicyArns, policyDocumentStatements, type AwsIdentityReach, type PolicyStatement } from "../../components/internal/awsIdentityAdmin";
import { inlinePolicyWords, statementWords } from "../../components/internal/awsPolicy";
import { awsIdentityAdminInline, unjudgedGrant } from "../../components/internal/identityAdmin";
import type { Grant, PlanResource, TrustModel } from "./modelTypes";

export const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

const get = (r: PlanResource, key: string): any => r.inputs[key] ?? r.afterDeploy?.[key];

/**
 * What a role of the stack reaches in AWS identity terms: its own path (the Role's `path` input; IAM's
 * default `/` when unset) and the customer managed policies among `attachedArns` (the policies
 * attached to any role of its federation), as the component judges them.
 */
export function awsReachOf(role: PlanResource, attachedArns: readonly string[]): AwsIdentityReach {
  return { rolePath: String(get(role, "path") ?? "/"), attachedPolicyArns: customerManagedPolicyArns(attachedArns) };
}

/** The inline policy's name: its `name` input (the kit's: the config key), else its logical name. */
export const inlinePolicyName = (r: PlanResource): string => String(get(r, "name") ?? r.name);

/** An inline policy as a grant of the role's service: its statements in words, judged against `reach`. */
export function inlineGrant(r: PlanResource, account: string, reach: AwsIdentityReach): Grant {
  const name = inlinePolicyName(r);
  const inline = policyDocumentStatements(get(r, "policy"));
  return { name: r.name, cloud: "aws", role: name, roleName: `inline policy ${name}`, scope: `account ${account}`, text: inlinePolicyWords(name, inline), inline, awsReach: reach };
}

/** Why an inline policy grant lets its holder take over the stack's identities (naming the statement), or undefined. */
export function inlineIdentityAdmin(grant: Grant): string | undefined {
  return grant.inline ? awsIdentityAdminInline(grant.inline, grant.awsReach) : undefined;
}

/** What changes between two versions of an inline policy, statement by statement, in words; empty when nothing does. */
export function inlineStatementChanges(before: readonly PolicyStatement[], after: readonly PolicyStatement[]): string[] {
  const was = before.map(statementWords);
  const now = after.map(statementWords);
  return [...now.filter((s) => !was.includes(s)).map((s) => `statement added: ${s}`), ...was.filter((s) => !now.includes(s)).map((s) => `statement removed: ${s}`)];
}

/** One inline policy of the stack, for verify's outputs: whose it is, in words, and how the kit judges it. */
export interface InlinePolicyEntry {
  readonly service: string;
  /** The target (AWS role) holding it, in words. */
  readonly target: string;
  /** `inline policy <name>: <statements in words>`. */
  readonly text: string;
  /** Identity admin: why, what it could take over, and whether it is accepted. */
  readonly identityAdmin?: string;
  readonly accepted?: boolean;
  /** Why the kit cannot judge it (it passes or assumes roles, or rewrites identities outside the stack). */
  readonly unjudged?: string;
}

/** Every inline policy of a model, by service and policy, with its identity-admin or unjudged mark. */
export function inlinePolicyEntries(model: Pick<TrustModel, "targets" | "identityAdminGrants">): InlinePolicyEntry[] {
  const entries: InlinePolicyEntry[] = [];
  const label = (id: string) => model.targets.find((t) => t.id === id)?.label ?? id;
  for (const target of model.targets) {
    for (const grant of target.grants.filter((g) => g.inline)) {
      const admin = model.identityAdminGrants.find((g) => g.resource === grant.name);
      const unjudged = unjudgedGrant(grant);
      entries.push({
        service: target.owner,
        target: target.label,
        text: grant.text,
        ...(admin
          ? { identityAdmin: `${admin.why}${admin.reach.length ? `; could take over ${admin.reach.map(label).join(", ")}` : ""}`, accepted: admin.accepted }
          : {}),
        ...(unjudged ? { unjudged } : {}),
      });
    }
  }
  return entries.sort((a, b) => a.service.localeCompare(b.service) || a.text.localeCompare(b.text));
}

/** The entries as terminal lines under a heading (none without inline policies). */
export function inlinePolicyText(entries: readonly InlinePolicyEntry[]): string[] {
  if (entries.length === 0) return [];
  const lines = ["AWS inline policies (! = identity admin or unjudged):"];
  for (const e of entries) {
    lines.push(`  ${e.identityAdmin || e.unjudged ? "!" : " "} ${e.service}: ${e.text}`);
    if (e.identityAdmin) lines.push(`       identity admin: ${e.identityAdmin}${e.accepted ? " (accepted with allowIdentityAdmin: true)" : " (no allowIdentityAdmin opt-in)"}`);
    if (e.unjudged) lines.push(`       unjudged: ${e.unjudged}`);
  }
  return lines;
}
