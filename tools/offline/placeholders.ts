/**
 * What the offline engine answers for values a real deployment learns from Okta or the cloud.
 * Unknown values are placeholders `<resource-name.property>` (components/internal/placeholder.ts); values fully determined by inputs are predicted
 * the way the cloud forms them (documented formats, cited inline).
 */
import { oktaIssuerUrl } from "../../components/internal/trust";
import { placeholder } from "../../components/internal/placeholder";
import type { PlaceholderHints } from "./engine";

export interface PlaceholderInput {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  /** Set when the program reads an existing resource by id. */
  readonly id?: string;
  readonly providerInputs: Record<string, any>;
  readonly hints: PlaceholderHints;
}

export function placeholderOutputs(r: PlaceholderInput): { id: string; values: Record<string, unknown> } {
  const id = r.id && r.id !== "" ? r.id : placeholder(r.name, "id");
  const values: Record<string, unknown> = {};
  const known = r.id !== undefined && r.id !== "";
  if (!known && !r.type.startsWith("pulumi:providers:")) values.id = id;
  const p = r.providerInputs;
  switch (r.type) {
    case "okta:auth/server:Server": {
      const adopted = known ? r.hints.oktaAdoptedServers?.[`${p.orgName}.${p.baseUrl ?? "okta.com"}/${id}`] : undefined;
      if (adopted) {
        // Reading an adopted server returns what Okta holds; the config describes it.
        Object.assign(values, { issuer: adopted.issuer, audiences: [...adopted.audiences], issuerMode: adopted.issuerMode, kid: placeholder(r.name, "kid") });
        break;
      }
      // https://{domain}/oauth2/{serverId} (developer.okta.com/docs/concepts/auth-servers)
      const customUrl = (r.inputs.issuerMode ?? "ORG_URL") === "CUSTOM_URL";
      values.issuer = oktaIssuerUrl({
        issuerMode: customUrl ? "CUSTOM_URL" : "ORG_URL",
        orgName: String(p.orgName ?? "<okta.orgName>"),
        baseUrl: String(p.baseUrl ?? "okta.com"),
        customDomain: customUrl ? r.hints.oktaCustomDomains?.[`${p.orgName}.${p.baseUrl ?? "okta.com"}`] ?? "<okta.customDomain>" : undefined,
        serverId: id,
      });
      values.kid = placeholder(r.name, "kid");
      break;
    }
    case "okta:app/oAuth:OAuth":
      values.clientId = placeholder(r.name, "clientId");
      if (r.inputs.omitSecret === false) values.clientSecret = placeholder(r.name, "clientSecret");
      break;
    case "okta:inline/hook:Hook":
      break;
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
      // arn:aws:iam::<account>:oidc-provider/<url without https://> (IAM identifiers reference)
      const account = firstAccount(p);
      values.arn = `arn:aws:iam::${account}:oidc-provider/${String(r.inputs.url).replace(/^https:\/\//, "")}`;
      break;
    }
    case "aws:iam/role:Role": {
      // A role with a fixed name keeps it; otherwise Pulumi auto-names it at deploy.
      const name = typeof r.inputs.name === "string" ? r.inputs.name : placeholder(r.name, "name");
      values.name = name;
      values.arn = `arn:aws:iam::${firstAccount(p)}:role${r.inputs.path ?? "/"}${name}`;
      values.uniqueId = placeholder(r.name, "uniqueId");
      break;
    }
    case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
      values.name = `projects/${placeholder(r.inputs.project ?? p.project, "projectNumber")}/locations/global/workloadIdentityPools/${r.inputs.workloadIdentityPoolId}`;
      break;
    case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
      values.name = `projects/${placeholder(r.inputs.project ?? p.project, "projectNumber")}/locations/global/workloadIdentityPools/${r.inputs.workloadIdentityPoolId}/providers/${r.inputs.workloadIdentityPoolProviderId}`;
      break;
    case "gcp:serviceaccount/account:Account": {
      // <accountId>@<project>.iam.gserviceaccount.com (cloud.google.com/iam/docs/service-account-overview)
      const project = r.inputs.project ?? p.project;
      values.email = `${r.inputs.accountId}@${project}.iam.gserviceaccount.com`;
      values.name = `projects/${project}/serviceAccounts/${values.email}`;
      values.member = `serviceAccount:${values.email}`;
      values.uniqueId = placeholder(r.name, "uniqueId");
      break;
    }
    case "azure-native:managedidentity:UserAssignedIdentity":
      values.id = `/subscriptions/${p.subscriptionId ?? "<azure.subscriptionId>"}/resourceGroups/${r.inputs.resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${r.inputs.resourceName}`;
      values.name = r.inputs.resourceName;
      values.clientId = placeholder(r.name, "clientId");
      values.principalId = placeholder(r.name, "principalId");
      values.tenantId = p.tenantId ?? placeholder(r.name, "tenantId");
      break;
    default:
      break;
  }
  return { id: typeof values.id === "string" ? values.id : id, values };
}

function firstAccount(providerInputs: Record<string, any>): string {
  // Provider inputs that are not strings reach the engine JSON-encoded.
  let ids = providerInputs.allowedAccountIds;
  if (typeof ids === "string") ids = JSON.parse(ids);
  return Array.isArray(ids) && typeof ids[0] === "string" ? ids[0] : "<aws.accountId>";
}
