/**
 * LICENSE NOTE: this file imports @cloud-copilot/iam-simulate, which is AGPL. It is a repository
 * tool: tools/ is not in the package's `files` (package.json), so it is never shipped or built into
 * dist/; only `npm run sandbox` and the tests load it.
 *
 * What a session may do: the authorization of a request made with the credentials the sandbox's
 * STS issued (the role session `arn:aws:sts::<account>:assumed-role/<role>/<session>`), decided by
 * iam-simulate over the role's identity policies the plan holds documents for: its inline policies
 * (`aws:iam/rolePolicy:RolePolicy`). There is no AWS API behind the sandbox: the workload asks
 * `POST /sandbox/authorize` with its access key and session token, the request a signed API call
 * would make IAM decide (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html:
 * an explicit Deny wins, else an Allow is needed, else the implicit deny). The resource is in the
 * account its ARN names, else (S3, `*`) in the role's; no resource policy is simulated, so a
 * request across accounts is refused.
 *
 * A refusal is AccessDenied in IAM's wording ("User: <session ARN> is not authorized to perform:
 * <action> on resource: <resource> because no identity-based policy allows the <action> action", or
 * "… with an explicit deny in an identity-based policy", "… because no resource-based policy allows
 * …" across accounts: the access denied error messages of
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
 *
 * Not simulated, and said so in every answer: the managed policies attached to the role. For AWS
 * managed policies the sandbox has only their names and the identity statements
 * `npm run data:refresh` keeps (components/internal/data/aws-managed-policies.json, conditions
 * reduced to a flag), not their documents; for customer managed policies the plan holds only the
 * ARN. Permissions boundaries, session policies, SCPs and RCPs, resource policies and condition
 * keys of the request (none is sent) are not simulated either.
 */
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import type { IamRole, InlinePolicy } from "./plan";

/** A session the STS issued: its role and ARN, by access key id. */
export interface IssuedSession {
  readonly role: IamRole;
  readonly arn: string;
  readonly sessionToken: string;
}

export type Sessions = Map<string, IssuedSession>;

/** The answer to an authorization request: 200 with what allowed it, or an AWS error. */
export type Authorization =
  | { readonly status: 200; readonly body: { readonly decision: "Allowed"; readonly detail: string } }
  | { readonly status: 403; readonly body: { readonly code: string; readonly message: string } };

const AWS_MANAGED = /^arn:[^:]+:iam::aws:policy\//;

/** The role's managed policies the sandbox does not simulate, in words; undefined when it has none. */
export function notSimulatedText(role: Pick<IamRole, "attached" | "inline">): string | undefined {
  const broken = role.inline.filter((p) => p.document === undefined).map((p) => `inline policy ${p.name} (its document does not validate)`);
  const managed = role.attached.map((arn) =>
    AWS_MANAGED.test(arn) ? `AWS managed policy ${arn} (the sandbox holds only its identity statements)` : `customer managed policy ${arn} (no document in the plan)`,
  );
  const all = [...broken, ...managed];
  return all.length ? `not simulated: ${all.join(", ")}` : undefined;
}

/** The account an ARN names (`arn:aws:iam::<account>:role/…`); none for `*` or an S3 ARN, taken to be the session's. */
function accountOfResource(resource: string): string | undefined {
  return /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(resource)?.[1];
}

function simulate(session: IssuedSession, policies: readonly InlinePolicy[], action: string, resource: string) {
  return runUnsafeSimulation(
    {
      request: { principal: session.arn, action, resource: { resource, accountId: accountOfResource(resource) ?? session.role.account }, contextVariables: {} },
      identityPolicies: policies.map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
}

/** IAM's decision for `action` on `resource` by the session of `accessKeyId`, over the role's inline policies. */
export function authorize(sessions: Sessions, request: { accessKeyId?: unknown; sessionToken?: unknown; action?: unknown; resource?: unknown }): Authorization {
  const session = typeof request.accessKeyId === "string" ? sessions.get(request.accessKeyId) : undefined;
  if (!session || session.sessionToken !== request.sessionToken) {
    return { status: 403, body: { code: "InvalidClientTokenId", message: "The security token included in the request is invalid." } };
  }
  const action = String(request.action);
  const resource = String(request.resource);
  const policies = session.role.inline.filter((p) => p.document !== undefined);
  const result = simulate(session, policies, action, resource);
  const evaluated = policies.length ? `iam-simulate over inline ${policies.length > 1 ? "policies" : "policy"} ${policies.map((p) => p.name).join(", ")}` : "iam-simulate over no inline policy";
  const notSimulated = notSimulatedText(session.role);
  const scope = `${evaluated}${notSimulated ? `; ${notSimulated}` : ""}`;
  if (result === "Allowed") {
    const by = policies.filter((p) => simulate(session, [p], action, resource) === "Allowed").map((p) => p.name);
    return { status: 200, body: { decision: "Allowed", detail: `${session.arn} may perform ${action} on ${resource}: allowed by inline policy ${by.join(", ")} (${scope})` } };
  }
  const crossAccount = (accountOfResource(resource) ?? session.role.account) !== session.role.account;
  const why =
    result === "ExplicitlyDenied"
      ? "with an explicit deny in an identity-based policy"
      : `because no ${crossAccount ? "resource-based" : "identity-based"} policy allows the ${action} action`;
  return { status: 403, body: { code: "AccessDenied", message: `User: ${session.arn} is not authorized to perform: ${action} on resource: ${resource} ${why} (${scope})` } };
}
