/**
 * The stacks' documents as the organisation proof (org.ts) compares them: each plan's placeholders
 * qualified by its stack, so that unknown values of two stacks never compare equal, and a
 * resource's value read from what it is given or what it holds after deploy.
 */
import type { PlanDocument, PlanResource } from "./model";
import { STATE_KIND } from "./state";

const PLACEHOLDER = /<([^<>\s]+)\.([A-Za-z]+)>/g;

/** A resource's value: as given (inputs), else as known after deploy. */
export const valueOf = (r: PlanResource, key: string): any => r.inputs[key] ?? r.afterDeploy?.[key];

/**
 * An offline plan with each placeholder of its own resources (`<name.property>`) qualified by the
 * stack (`<stack:name.property>`): a resource of one stack is not the resource of the same logical
 * name in another, so their unknown ids, client ids and issuers must not compare equal. A team
 * stack's placeholders of its platform's resources (`foreign`, the platform's plan) are qualified by
 * the platform's stack, as the platform's own plan is. Placeholders that name no resource of either
 * (a GCP project number) are the same project in every stack and stay as they are. A stack export
 * holds real values and is returned unchanged.
 */
export function qualifyPlaceholders(plan: PlanDocument, foreign?: PlanDocument): PlanDocument {
  if (plan.kind === STATE_KIND) return plan;
  const fill = qualifier(plan, foreign);
  return {
    ...plan,
    resources: plan.resources.map((r) => ({
      ...r,
      // A read resource's id (an adopted server's, the platform's server a team reads) is a placeholder too.
      ...(r.id !== undefined ? { id: fill(r.id) as string } : {}),
      inputs: fill(r.inputs) as Record<string, any>,
      ...(r.afterDeploy ? { afterDeploy: fill(r.afterDeploy) as Record<string, any> } : {}),
    })),
  };
}

/** The qualification of qualifyPlaceholders, for any value of the plan (a token's claims too); the identity for an export. */
export function qualifier(plan: PlanDocument, foreign?: PlanDocument): (value: unknown) => unknown {
  if (plan.kind === STATE_KIND) return (value) => value;
  const stackOf = new Map<string, string>();
  if (foreign && foreign.kind !== STATE_KIND) for (const r of foreign.resources) stackOf.set(r.name, foreign.stack);
  for (const r of plan.resources) stackOf.set(r.name, plan.stack);
  const fill = (value: unknown): unknown => {
    if (typeof value === "string") {
      return value.includes("<") ? value.replace(PLACEHOLDER, (whole, name: string, property: string) => (stackOf.has(name) ? `<${stackOf.get(name)}:${name}.${property}>` : whole)) : value;
    }
    if (Array.isArray(value)) return value.map(fill);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  return fill;
}
