/**
 * Azure in the deploy model: ARM writes as rates (rates.ts), the subscription's identity writes and
 * each identity's own (LIMITS.azure), and role-assignment writes (not published:
 * ASSUMPTIONS.azureRoleAssignmentsPerSecond).
 */
import { LIMITS } from "../../../components/internal/limits";
import type { BenchResource } from "../graph";
import { ASSUMPTIONS } from "./assumptions";
import { perSecond } from "./rates";
import type { Step, StepContext } from "./steps";

/** The steps of creating `r`, or undefined if `r` is not an Azure resource. */
export function azureSteps(r: BenchResource, context: StepContext): Step[] | undefined {
  const a = ASSUMPTIONS;
  const inputs = r.inputs as Record<string, unknown>;
  const { call } = context;
  switch (r.type) {
    case "azure-native:managedidentity:UserAssignedIdentity":
      return [call([perSecond("azure identity writes of the subscription", LIMITS.azure.identityWritesPerSecond)], a.latency.azureArm)];
    case "azure-native:managedidentity:FederatedIdentityCredential":
      return [
        call(
          [
            perSecond("azure identity writes of the subscription", LIMITS.azure.identityWritesPerSecond),
            perSecond(`azure writes of identity ${String(inputs.resourceName)}`, LIMITS.azure.writesPerResourcePerSecond),
          ],
          a.latency.azureArm,
        ),
      ];
    case "azure-native:authorization:RoleAssignment":
      return [call([perSecond("azure role assignment writes", a.azureRoleAssignmentsPerSecond)], a.latency.azureArm)];
    default:
      return undefined;
  }
}
