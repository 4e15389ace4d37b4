/**
 * Hard limits of the clouds that the config alone decides: a stack past one would fail on its
 * first deploy whatever quota is asked for, so validation refuses it. Default quotas that can be
 * raised (100 service accounts per GCP project, 1,000 roles per AWS account) are not refused: the
 * plan flags them with how to raise them (tools/offline/scale.ts). The principals of a GCP
 * project's IAM policy (1,500) are refused in crossFieldGcp.ts. Limits: components/internal/limits.ts.
 */
import { LIMITS } from "../internal/limits";
import type { ConfigProblem } from "./messages";
import { asRecord, isRecord, type RawFederation } from "./raw";

const n = (x: number) => x.toLocaleString("en-US");

/** The IAM roles a federation's services need: one per service with an aws block. */
export function awsRoleCount(services: Record<string, unknown>): number {
  return Object.values(services).filter((service) => isRecord(asRecord(service).aws)).length;
}

/** More roles in one account than IAM allows even with the quota raised to its maximum. */
export function awsRolesMessage(account: string, roles: number): string {
  return `the services need ${n(roles)} IAM roles in account ${account}, over the ${n(LIMITS.aws.rolesPerAccountMax)} IAM allows in one account even with the quota raised (the default quota is ${n(LIMITS.aws.rolesPerAccount)}; IAM quotas, "Roles in an AWS account"); split the services over accounts`;
}

/** More OIDC providers in one account than IAM allows (a quota that cannot be raised). */
export function oidcProvidersMessage(account: string, providers: number): string {
  return `the federations create ${n(providers)} IAM OIDC providers in account ${account}, over the ${LIMITS.aws.oidcProvidersPerAccount} IAM allows in one account (a quota that cannot be raised; IAM quotas, "OpenId Connect identity providers per AWS account"); adopt one provider per issuer with aws.existingOidcProviderArn, or split the federations over accounts`;
}

/** One federation's services against the hard limits of its AWS account. */
export function quotaProblems({ aws, services }: RawFederation): ConfigProblem[] {
  const roles = awsRoleCount(services);
  if (roles <= LIMITS.aws.rolesPerAccountMax) return [];
  const account = typeof asRecord(aws).accountId === "string" ? String(asRecord(aws).accountId) : "(aws.accountId)";
  return [{ path: "aws.accountId", message: awsRolesMessage(account, roles) }];
}
