/**
 * A team stack's offline plan with its platform's (stacks/organisation.ts): planStack plans a team's
 * platform first, from the stack file beside the team's, to feed the team's StackReference, but
 * returns only the team's plan. verify needs the platform's too (its server's scopes and claims, the
 * OIDC providers, the pool: tools/verify/layout.ts), so this plans it again the same way; a
 * platform's plan is small. Any other stack: its plan alone.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { planStack, teamPlatformName, type Plan } from "./plan";
import { loadStack, loadStackFile, StackFileError, type StackConfig } from "./stackFile";

export interface PlanWithPlatform {
  readonly plan: Plan;
  /** A team stack's platform stack, planned from `Pulumi.<last segment of its name>.yaml` beside the team's file. */
  readonly platform?: Plan;
}

export async function planWithPlatform(stack: string | StackConfig, program?: () => unknown): Promise<PlanWithPlatform> {
  const loaded = typeof stack === "string" ? loadStack(stack) : stack;
  const plan = await planStack(loaded, program);
  const name = teamPlatformName(loaded);
  if (name === undefined) return { plan };
  // planStack has planned it from this file already (or refused): the same file, the same plan.
  const file = join(dirname(loaded.file), `Pulumi.${name.split("/").pop()!}.yaml`);
  if (!existsSync(file)) throw new StackFileError(`team stack ${loaded.stack} reads platform stack ${name}: the offline plan plans it from ${file}, which does not exist`);
  return { plan, platform: await planStack(loadStackFile(file), program) };
}
