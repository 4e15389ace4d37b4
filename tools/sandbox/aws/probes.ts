/**
 * The requests the sandbox makes with each AWS service's session, from the plan: for every action
 * of every unconditional Allow statement of the role's inline policies, the action on a concrete
 * resource the statement's resource names (`*` read as `probe-object` in an S3 ARN, `probe`
 * elsewhere, `?` as `x`: arn:aws:s3:::bar-orders-dev/* gives arn:aws:s3:::bar-orders-dev/probe-object),
 * and on another resource of the same service the statement does not name (a segment replaced by
 * `oktafed-sandbox-other`: another bucket, a role on another path), when there is one. An action
 * pattern with wildcards is probed with the first action of the IAM catalogue it names. Statements
 * with conditions are not probed (the probe's request carries no context to meet them); Deny
 * statements are not probed on their own (iam-simulate applies them to every request).
 */
import { expandAwsAction } from "../../../components/internal/awsPolicy";
import { iamGlobMatches } from "../../../components/internal/iamGlob";
import type { PlanDocument } from "../../verify/model";
import { byType, rolesOf, type IamRole } from "./plan";

export interface AwsActionProbe {
  /** The inline policy and the statement (1-based) the probe comes from. */
  readonly policy: string;
  readonly statement: number;
  readonly action: string;
  readonly resource: string;
  /** The same action on a resource the statement does not name, when the statement's resources leave one. */
  readonly other?: string;
}

/** The prefix of another resource: a bucket (or other first segment) no statement of the fixture names. */
export const OTHER_RESOURCE = "oktafed-sandbox-other";

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

/** The plan's roles as the STS holds them (ARN, inline policies, attached policies). */
export function awsRolesOf(plan: PlanDocument): IamRole[] {
  return rolesOf(plan, byType(plan, "aws:iam/role:Role"));
}

function concreteAction(action: string): string | undefined {
  if (!/[*?]/.test(action)) return action;
  const expanded = expandAwsAction(action);
  if (!("actions" in expanded) || expanded.actions.length === 0) return undefined;
  const first = [...expanded.actions].map((a) => a.name).sort()[0]!;
  return `${expanded.service}:${first}`;
}

function concreteResource(pattern: string): string {
  if (pattern === "*") return "*";
  const filler = pattern.startsWith("arn:aws:s3:::") ? "probe-object" : "probe";
  return pattern.replace(/\*/g, filler).replace(/\?/g, "x");
}

/**
 * Another resource of the service the statement's resources do not name: the concrete resource with
 * one segment of its resource part replaced (in S3 the bucket first; elsewhere the segments after
 * the resource type, `role/<path>/<name>`, `table/<name>`), the first that no pattern matches.
 */
function otherResource(concrete: string, patterns: readonly string[]): string | undefined {
  const parts = concrete.split(":");
  if (parts.length < 6) return undefined;
  const segments = parts.slice(5).join(":").split(/(?=[/:])/);
  for (let i = parts[2] === "s3" || segments.length === 1 ? 0 : 1; i < segments.length; i++) {
    const edited = segments.map((segment, j) => (j === i ? `${i === 0 ? "" : segment[0]}${OTHER_RESOURCE}` : segment)).join("");
    const candidate = [...parts.slice(0, 5), edited].join(":");
    if (!patterns.some((p) => iamGlobMatches(p, candidate))) return candidate;
  }
  return undefined;
}

/** The probes of one role's inline policies, in policy, statement, action and resource order. */
export function awsActionProbes(role: Pick<IamRole, "inline">): AwsActionProbe[] {
  const probes: AwsActionProbe[] = [];
  for (const policy of role.inline) {
    const raw = policy.raw?.Statement;
    const statements: unknown[] = Array.isArray(raw) ? raw : raw ? [raw] : [];
    statements.forEach((s: any, index: number) => {
      if (s?.Effect !== "Allow" || s.Condition !== undefined || s.Action === undefined || s.Resource === undefined) return;
      const resources = list(s.Resource);
      for (const pattern of list(s.Action)) {
        const action = concreteAction(pattern);
        if (!action) continue;
        for (const resourcePattern of resources) {
          const resource = concreteResource(resourcePattern);
          const other = otherResource(resource, resources);
          probes.push({ policy: policy.name, statement: index + 1, action, resource, ...(other ? { other } : {}) });
        }
      }
    });
  }
  return probes;
}
