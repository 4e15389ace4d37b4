/**
 * The GCP workload's side: the service's `external_account` config run through google-auth-library's
 * `ExternalAccountClient`, the client a Node workload uses, against the emulators.
 */
import { ExternalAccountClient } from "google-auth-library";
import type { PlanDocument } from "../../verify/model";
import type { Emulator, ExchangeOutcome } from "../types";
import { gcpResourceText } from "../../../components/internal/gcpResource";
import { gcpRolePermissions } from "../../../components/internal/roleData";
import { type ResourceGrant, bindingsOf, memberMatches } from "./plan";

interface ExternalAccountConfig {
  type: string;
  audience: string;
  subject_token_type: string;
  token_url: string;
  service_account_impersonation_url?: string;
  credential_source: { file?: string; format?: unknown; [key: string]: unknown };
  [key: string]: unknown;
}

/** The config with Google's endpoints on the emulators and the token file in place. */
function pointAtSandbox(config: ExternalAccountConfig, tokenFile: string, gcp: { sts: Emulator; iamCredentials: Emulator }): ExternalAccountConfig {
  const onEmulator = (url: string, emulator: Emulator) => {
    const parsed = new URL(url);
    return `${emulator.url}${parsed.pathname}${parsed.search}`;
  };
  return {
    ...config,
    token_url: onEmulator(config.token_url, gcp.sts),
    ...(config.service_account_impersonation_url ? { service_account_impersonation_url: onEmulator(config.service_account_impersonation_url, gcp.iamCredentials) } : {}),
    credential_source: { ...config.credential_source, file: tokenFile },
  };
}

/**
 * How google-auth-library surfaces a failure: an STS refusal as an Error carrying the OAuth body
 * (`response.data.error`, a string; message "Error code <error>: <description>"), an IAM refusal as
 * a GaxiosError with Google's API error (`response.data.error.status`).
 */
function outcomeOfError(error: unknown): ExchangeOutcome {
  const data = (error as { response?: { data?: unknown } }).response?.data as { error?: unknown; error_description?: unknown } | undefined;
  if (data && typeof data.error === "string") return { ok: false, code: data.error, message: String(data.error_description ?? (error as Error).message) };
  if (data && data.error !== null && typeof data.error === "object") {
    const api = data.error as { status?: unknown; message?: unknown };
    return { ok: false, code: String(api.status ?? "UNKNOWN"), message: String(api.message ?? (error as Error).message) };
  }
  return { ok: false, code: "client_error", message: (error as Error).message };
}

/** Roles the plan grants `principal` on projects: directly, or to every identity of its pool. */
function plannedProjectRoles(plan: PlanDocument, principal: string): string[] {
  const pool = /^principal:\/\/iam\.googleapis\.com\/(.+)\/subject\/.*$/.exec(principal)?.[1];
  const identity = { principal, poolName: pool ?? "", groups: [], attributes: {} };
  const roles = bindingsOf(plan)
    .filter((b) => "project" in b.on && !b.conditional && b.members.some((m) => memberMatches(m, identity)))
    .map((b) => b.role);
  return [...new Set(roles)].sort();
}

/** Who STS says the federated token stands for (its introspection's `username`). */
async function principalOf(sts: Emulator, accessToken: string): Promise<string> {
  const response = await fetch(`${sts.url}/v1/introspect`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token: accessToken }) });
  const body = (await response.json()) as { username?: string };
  return body.username ?? "an unknown principal";
}

/**
 * The workload as a user runs it: the service's external_account config (the stack output
 * `services.<key>.gcp.credentialConfig`) read by google-auth-library, which exchanges the token in
 * `tokenFile` at the STS and, with impersonation, calls generateAccessToken.
 */
export async function gcpWorkload(args: { credentialConfig: object; tokenFile: string; gcp: { sts: Emulator; iamCredentials: Emulator }; plan?: PlanDocument }): Promise<ExchangeOutcome> {
  const config = pointAtSandbox(args.credentialConfig as ExternalAccountConfig, args.tokenFile, args.gcp);
  const client = ExternalAccountClient.fromJSON(config as Parameters<typeof ExternalAccountClient.fromJSON>[0]);
  if (!client) return { ok: false, code: "client_error", message: `not an external_account config (type ${String(config.type)})` };
  let accessToken: string | null | undefined;
  try {
    accessToken = (await client.getAccessToken()).token;
  } catch (error) {
    return outcomeOfError(error);
  }
  if (!accessToken) return { ok: false, code: "client_error", message: "the client returned no access token" };
  const email = client.getServiceAccountEmail();
  if (email) return { ok: true, detail: `impersonates ${email}` };
  // Without a plan (the smoke check, at Google's real STS) there is nothing to look the principal up in.
  if (!args.plan) return { ok: true, detail: "federated token for the service's principal (direct grants)" };
  const principal = await principalOf(args.gcp.sts, accessToken);
  const roles = plannedProjectRoles(args.plan, principal);
  const rolesText = roles.length > 0 ? roles.join(", ") : "none";
  return { ok: true, detail: `federated token for ${principal}; planned project roles: ${rolesText}` };
}

/** The service prefix of the permissions a resource kind's testIamPermissions takes. */
const PERMISSION_PREFIX: Readonly<Record<ResourceGrant["resource"]["kind"], string>> = {
  bucket: "storage.",
  topic: "pubsub.",
  subscription: "pubsub.",
  secret: "secretmanager.",
  dataset: "bigquery.",
  repository: "artifactregistry.",
  "service-account": "iam.serviceAccounts.",
};

/**
 * The permissions a probe of `role` on a resource asks for: the role's permissions (vendored role
 * data) that apply to the resource's kind; none for a role the data does not hold (a custom role).
 */
export function probedPermissions(grant: Pick<ResourceGrant, "resource" | "role">): string[] {
  return (gcpRolePermissions(grant.role) ?? []).filter((p) => p.startsWith(PERMISSION_PREFIX[grant.resource.kind]));
}

/**
 * The workload using a role on one resource: google-auth-library's ExternalAccountClient, from the
 * service's external_account config (impersonating when it says so), calls testIamPermissions on
 * the resource with the role's permissions for its kind. Every one held: allowed, naming who holds
 * them; one missing: PERMISSION_DENIED with Google's wording for the first missing permission.
 */
export async function gcpResourceWorkload(args: {
  credentialConfig: object;
  tokenFile: string;
  gcp: { sts: Emulator; iamCredentials: Emulator; resources: Emulator };
  grant: Pick<ResourceGrant, "name" | "resource" | "role">;
}): Promise<ExchangeOutcome> {
  const config = pointAtSandbox(args.credentialConfig as ExternalAccountConfig, args.tokenFile, args.gcp);
  const client = ExternalAccountClient.fromJSON(config as Parameters<typeof ExternalAccountClient.fromJSON>[0]);
  if (!client) return { ok: false, code: "client_error", message: `not an external_account config (type ${String(config.type)})` };
  const permissions = probedPermissions(args.grant);
  if (permissions.length === 0) return { ok: false, code: "not_probed", message: `${args.grant.role} carries no ${PERMISSION_PREFIX[args.grant.resource.kind]}* permission in the role data` };
  let held: string[];
  try {
    const response = await client.request<{ permissions?: string[] }>({ url: `${args.gcp.resources.url}/v1/${args.grant.name.slice(2)}:testIamPermissions`, method: "POST", data: { permissions } });
    held = response.data.permissions ?? [];
  } catch (error) {
    return outcomeOfError(error);
  }
  const missing = permissions.find((p) => !held.includes(p));
  if (missing) return { ok: false, code: "PERMISSION_DENIED", message: `Permission '${missing}' denied on resource (or it may not exist).` };
  const email = client.getServiceAccountEmail();
  const who = email ? `as ${email}` : `as ${await principalOf(args.gcp.sts, (await client.getAccessToken()).token ?? "")}`;
  return { ok: true, detail: `${who}: holds ${permissions.join(", ")} on ${gcpResourceText(args.grant.resource)}` };
}
