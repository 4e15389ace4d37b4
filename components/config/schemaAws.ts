/**
 * The schema of a service's AWS block (`services.<key>.aws`): managed policies and inline policies
 * with their statements, and the role's session duration. The catalogue, ARN and size checks are in
 * crossFieldAws.ts.
 */
import { z } from "zod";
import { LIMITS } from "../internal/limits";
import { allowIdentityAdmin, nonEmpty, strictObject } from "./schemaParts";

const sessionRange = `must be ${LIMITS.aws.maxSessionDurationSeconds.min}-${LIMITS.aws.maxSessionDurationSeconds.max} seconds (IAM role max session duration)`;
export const sessionDurationSchema = z.number().int(sessionRange).min(LIMITS.aws.maxSessionDurationSeconds.min, sessionRange).max(LIMITS.aws.maxSessionDurationSeconds.max, sessionRange);

/** An IAM policy ARN, AWS managed (`…:iam::aws:policy/…`) or of an account; crossField.ts checks AWS managed ones exist. */
export const POLICY_ARN_PATTERN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;
const policyArnSchema = z.string({ error: "must be an IAM policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess" }).regex(POLICY_ARN_PATTERN, "must be an IAM policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess");

/** A condition value: IAM takes strings; YAML's true or 443 are written as IAM writes them ("true", "443"). */
const conditionValue = z.union([z.string(), z.number(), z.boolean()], { error: "must be a string, number or boolean" }).transform(String);

/** One statement of an inline policy; the catalogue, ARN and condition checks are in crossFieldAws.ts. */
const inlineStatementSchema = strictObject({
  effect: z.enum(["Allow", "Deny"], { error: "must be Allow or Deny" }).default("Allow"),
  actions: z.array(nonEmpty("an IAM action such as s3:GetObject"), { error: "must be a list of IAM actions such as s3:GetObject" }).min(1, "must list at least one action"),
  resources: z.array(nonEmpty("a resource ARN such as arn:aws:s3:::orders-dev/*, or *"), { error: "must be a list of resource ARNs such as arn:aws:s3:::orders-dev/*, or [*]" }).min(1, "must list at least one resource (* for every resource)"),
  /** IAM's Condition element: { <operator>: { <condition key>: <value or values> } }. */
  conditions: z
    .record(
      z.string(),
      z.record(z.string(), z.union([conditionValue, z.array(conditionValue).min(1, "must list at least one value")], { error: "must be a value or a list of values" }).transform((v) => (Array.isArray(v) ? v : [v])), {
        error: "must map condition keys to values, e.g. { aws:ResourceTag/team: orders }",
      }),
      { error: "must map IAM condition operators to keys and values, e.g. { StringEquals: { aws:ResourceTag/team: orders } }" },
    )
    .optional(),
});

export const awsServiceSchema = strictObject({
  /**
   * Managed policies to attach, keyed by a stable name: { s3-read: arn:aws:iam::aws:policy/... },
   * or { admin: { arn: ..., allowIdentityAdmin: true } } for an identity-admin policy.
   */
  policies: z
    .record(
      z.string(),
      z.union([policyArnSchema, strictObject({ arn: policyArnSchema, allowIdentityAdmin })], {
        error: "must be an IAM policy ARN, or { arn: <policy ARN>, allowIdentityAdmin: true }",
      }).transform((value) => (typeof value === "string" ? { arn: value, allowIdentityAdmin: false } : value)),
    )
    .default({}),
  /**
   * Inline policies, one IAM role policy per key (its name): { orders-read: { statements: [...] } };
   * allowIdentityAdmin accepts statements that rewrite the stack's roles or the OIDC provider.
   */
  inlinePolicies: z
    .record(
      z.string(),
      strictObject({
        statements: z.array(inlineStatementSchema, { error: "must be a list of statements { effect, actions, resources, conditions }" }).min(1, "must hold at least one statement"),
        allowIdentityAdmin,
      }),
    )
    .default({}),
  maxSessionDurationSeconds: sessionDurationSchema.optional(),
});
