/**
 * The AWS rules that span several keys of a service: its managed policies (IAM's per-role quota,
 * each AWS managed policy one that exists) and its inline policies (names, every statement checked
 * against the IAM action catalogue, ARN formats and condition keys, and the per-role size quota).
 */
import { LIMITS } from "../internal/limits";
import { awsManagedPolicyProblem } from "../internal/roleData";
import { inlinePolicyDocument, inlineStatementProblems, policySize, rawInlineStatement, type InlineStatement } from "../internal/awsPolicy";
import { KEY_PATTERN, KEY_RULE, type ConfigProblem } from "./messages";
import { POLICY_ARN_PATTERN } from "./schema";
import { asRecord, isRecord } from "./raw";

/**
 * The role's managed policies: within IAM's per-role quota, each under a valid key, and each AWS
 * managed policy one that exists (the vendored list, internal/roleData.ts), with the closest names
 * when it does not. Customer managed policies are not checked: the kit cannot see them.
 */
export function awsServiceProblems(service: Record<string, unknown>, path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const entries = Object.entries(asRecord(asRecord(service.aws).policies));
  if (entries.length > LIMITS.aws.managedPoliciesPerRole) {
    problems.push({ path: `${path}.aws.policies`, message: `${entries.length} policies; IAM allows ${LIMITS.aws.managedPoliciesPerRole} managed policies per role by default` });
  }
  for (const [p, value] of entries) {
    if (!KEY_PATTERN.test(p) || p.length > 64) problems.push({ path: `${path}.aws.policies.${p}`, message: `invalid policy key "${p}"; allowed: ${KEY_RULE(2, 64)}` });
    const arn = isRecord(value) ? value.arn : value;
    const unknown = typeof arn === "string" && POLICY_ARN_PATTERN.test(arn) ? awsManagedPolicyProblem(arn) : undefined;
    if (unknown) problems.push({ path: `${path}.aws.policies.${p}${isRecord(value) ? ".arn" : ""}`, message: unknown });
  }
  return [...problems, ...inlinePolicyProblems(asRecord(asRecord(service.aws).inlinePolicies), `${path}.aws.inlinePolicies`)];
}

/** Each inline policy's name and statements, and the role's inline policies together within IAM's size quota. */
export function inlinePolicyProblems(policies: Record<string, unknown>, path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  let size = 0;
  for (const [name, policy] of Object.entries(policies)) {
    const policyPath = `${path}.${name}`;
    // The key is the role policy's name in IAM (at most 128 of [\w+=,.@-]) and part of its logical name: the kit's key rule keeps both.
    if (!KEY_PATTERN.test(name) || name.length > 64) problems.push({ path: policyPath, message: `invalid inline policy key "${name}"; allowed: ${KEY_RULE(2, 64)}` });
    const raw = asRecord(policy).statements;
    const statements = (Array.isArray(raw) ? raw : []).map(rawInlineStatement);
    statements.forEach((statement, i) => {
      for (const p of statement ? inlineStatementProblems(statement) : []) problems.push({ path: `${policyPath}.statements[${i}].${p.field}`, message: p.message });
    });
    if (statements.every((s) => s !== undefined)) size += policySize(inlinePolicyDocument(statements as InlineStatement[]));
  }
  if (size > LIMITS.aws.inlinePolicyCharactersPerRole) {
    problems.push({ path, message: `the inline policies come to ${size} characters without white space; IAM allows ${LIMITS.aws.inlinePolicyCharactersPerRole} per role (a hard quota): move statements to a customer managed policy or merge them` });
  }
  return problems;
}
