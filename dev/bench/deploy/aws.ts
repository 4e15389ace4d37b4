/**
 * AWS in the deploy model: IAM's control plane as a rate (rates.ts), one account-wide bucket for
 * every IAM call (its throttle is not published: ASSUMPTIONS.awsIamPerSecond).
 */
import type { BenchResource } from "../graph";
import { ASSUMPTIONS } from "./assumptions";
import { perSecond } from "./rates";
import type { Step, StepContext } from "./steps";

/** The steps of creating `r`, or undefined if `r` is not an AWS resource. */
export function awsSteps(r: BenchResource, context: StepContext): Step[] | undefined {
  const a = ASSUMPTIONS;
  const { call } = context;
  switch (r.type) {
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
    case "aws:iam/role:Role":
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
      const iam = perSecond("aws iam", a.awsIamPerSecond);
      return [call([iam], a.latency.awsIam), call([iam], a.latency.awsIam)];
    }
    case "aws:iam/rolePolicy:RolePolicy": {
      // PutRolePolicy, GetRolePolicy until it is found, and the read after create's GetRolePolicy
      // (terraform-provider-aws role_policy.go resourceRolePolicyPut at 02f97af8).
      const iam = perSecond("aws iam", a.awsIamPerSecond);
      return [call([iam], a.latency.awsIam), call([iam], a.latency.awsIam), call([iam], a.latency.awsIam)];
    }
    default:
      return undefined;
  }
}
