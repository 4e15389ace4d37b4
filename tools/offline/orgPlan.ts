/**
 * A team stack's offline plan with its platform's (stacks/organisation.ts): planStackAndPlatform
 * plans a team's platform first, from the stack file beside the team's, to feed the team's
 * StackReference, and returns that platform plan too: verify and the sandbox need its objects (its
 * server's scopes and claims, the OIDC providers, the pool: tools/verify/layout.ts). Any other
 * stack: its plan alone.
 */
import { planStackAndPlatform, type Plan } from "./plan";
import { loadStack, type StackConfig } from "./stackFile";

export interface PlanWithPlatform {
  readonly plan: Plan;
  /** A team stack's platform stack, planned from `Pulumi.<last segment of its name>.yaml` beside the team's file. */
  readonly platform?: Plan;
}

export async function planWithPlatform(stack: string | StackConfig, program?: () => unknown): Promise<PlanWithPlatform> {
  return planStackAndPlatform(typeof stack === "string" ? loadStack(stack) : stack, program);
}
