/**
 * The trust model of a stack, read from what the program registered (the offline plan's JSON),
 * not from the config: wiring bugs in the components show up here exactly as they would deploy.
 */
import type { AwsPolicyDocument } from "../../components/internal/trust";

/** One resource of an offline plan document (`npm run plan -- --json`). */
export interface PlanResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly operation?: string;
  readonly inputs: Record<string, any>;
  readonly afterDeploy?: Record<string, any>;
}

export interface PlanDocument {
  readonly kind?: string;
  readonly stack: string;
  readonly resources: readonly PlanResource[];
  readonly outputs?: Record<string, any>;
}

export interface ServiceModel {
  /** The service key; `<federation>/<key>` when the stack holds several federations. */
  readonly key: string;
  readonly clientId: string;
  /** The issuer, audience and custom claims of the authorization server that mints its tokens. */
  readonly issuer: string;
  readonly audience: string;
  readonly claims: Readonly<Record<string, string | null>>;
  /** Scopes its rule grants (client_credentials), or undefined when Okta would mint no token. */
  readonly scopes?: readonly string[];
  /** Why Okta would refuse a token, when it would. */
  readonly tokenProblem?: string;
  readonly lifetimeMinutes?: number;
  readonly hook: boolean;
}

export type TargetKind = "aws-role" | "gcp-service-account" | "gcp-direct" | "azure-identity";

export interface AwsProviderModel {
  readonly arn: string;
  /** Provider URL; undefined for an adopted provider known only by ARN. */
  readonly url?: string;
  readonly clientIds?: readonly string[];
}

export interface GcpProviderModel {
  readonly id: string;
  readonly name: string;
  readonly issuerUri: string;
  readonly allowedAudiences: readonly string[];
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly attributeCondition?: string;
}

export interface TargetModel {
  /** Stable id, e.g. `aws-role:payments`. */
  readonly id: string;
  readonly kind: TargetKind;
  /** Human label, e.g. "AWS role payments". */
  readonly label: string;
  /** The service the config meant this target for. */
  readonly owner: string;
  readonly aws?: { readonly policy: AwsPolicyDocument | undefined; readonly policyText: string };
  /** GCP: members that may use the target (impersonation members, or the direct grants' members). */
  readonly gcp?: { readonly members: readonly string[]; readonly roles: readonly string[] };
  readonly azure?: { readonly credentials: ReadonlyArray<{ name: string; issuer: string; subject: string; audiences: readonly string[] }> };
}

export interface IssuerModel {
  /** The federation (Federation component) name. */
  readonly federation: string;
  readonly issuer: string;
  readonly audience: string;
  /** Claims the server adds: a fixed value, or null when evaluated by Okta at run time. */
  readonly claims: Readonly<Record<string, string | null>>;
}

export interface TrustModel {
  readonly stack: string;
  /** One per federation (authorization server) in the stack. */
  readonly issuers: readonly IssuerModel[];
  readonly services: readonly ServiceModel[];
  readonly awsProviders: readonly AwsProviderModel[];
  readonly gcpPools: ReadonlyArray<{ readonly name: string; readonly providers: readonly GcpProviderModel[] }>;
  readonly targets: readonly TargetModel[];
}

const get = (r: PlanResource, key: string): any => r.inputs[key] ?? r.afterDeploy?.[key];

/** The oktafed component a resource belongs to (itself, or its nearest oktafed ancestor). */
function componentOf(byUrn: ReadonlyMap<string, PlanResource>, resource: PlanResource): PlanResource | undefined {
  let current: PlanResource | undefined = resource;
  while (current && !current.type.startsWith("oktafed:")) current = current.parent ? byUrn.get(current.parent) : undefined;
  return current;
}

/** The Federation component a resource lives under, if any. */
function federationOf(byUrn: ReadonlyMap<string, PlanResource>, resource: PlanResource): PlanResource | undefined {
  let current: PlanResource | undefined = resource;
  while (current && current.type !== "oktafed:index:Federation") current = current.parent ? byUrn.get(current.parent) : undefined;
  return current;
}

/** Parses a fixed claim value written as an Okta EL string literal; null for an expression. */
export function staticClaimValue(expression: string): string | null {
  if (!/^"(?:[^"\\]|\\.)*"$/.test(expression)) return null;
  try {
    return JSON.parse(expression) as string;
  } catch {
    return null;
  }
}

/** Builds the trust model from an offline plan document; several federations in one stack are supported. */
export function extractModel(plan: PlanDocument): TrustModel {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const federations = plan.resources.filter((r) => r.type === "oktafed:index:Federation");
  const qualify = federations.length > 1;
  /** The service key a resource is meant for, from its component's name: `<federation>-<key><suffix>`. */
  const ownerOf = (resource: PlanResource, suffix: string): string => {
    const federation = federationOf(byUrn, resource);
    const name = componentOf(byUrn, resource)?.name ?? resource.name;
    const prefix = federation ? `${federation.name}-` : "";
    const key = name.startsWith(prefix) && name.endsWith(suffix) ? name.slice(prefix.length, name.length - suffix.length) : name;
    return qualify && federation ? `${federation.name}/${key}` : key;
  };
  const of = (type: string) => plan.resources.filter((r) => r.type === type);
  const servers = of("okta:auth/server:Server");
  if (servers.length === 0) throw new Error("the plan has no Okta authorization server");

  const issuers: IssuerModel[] = servers.map((server) => {
    const federation = federationOf(byUrn, server);
    const claims: Record<string, string | null> = {};
    for (const claim of of("okta:auth/serverClaim:ServerClaim").filter((c) => get(c, "authServerId") === get(server, "id"))) {
      claims[String(get(claim, "name"))] = staticClaimValue(String(get(claim, "value")));
    }
    const outputsOkta = qualify ? plan.outputs?.federations?.[federation?.name ?? ""]?.okta : plan.outputs?.okta;
    return {
      federation: federation?.name ?? "",
      issuer: String(get(server, "issuer")),
      audience: String((get(server, "audiences") as string[] | undefined)?.[0] ?? outputsOkta?.audience ?? ""),
      claims,
    };
  });
  const issuerOf = (resource: PlanResource): IssuerModel => {
    const federation = federationOf(byUrn, resource)?.name ?? "";
    return issuers.find((i) => i.federation === federation) ?? issuers[0]!;
  };

  const policies = of("okta:auth/serverPolicy:ServerPolicy").sort((a, b) => Number(get(a, "priority")) - Number(get(b, "priority")));
  const rules = of("okta:auth/serverPolicyRule:ServerPolicyRule");
  const services: ServiceModel[] = of("okta:app/oAuth:OAuth").map((app) => {
    const key = ownerOf(app, "");
    const clientId = String(get(app, "clientId"));
    const grants = get(app, "grantTypes") as string[] | undefined;
    const issuer = issuerOf(app);
    const base = { key, clientId, hook: false, issuer: issuer.issuer, audience: issuer.audience, claims: issuer.claims };
    if (get(app, "type") !== "service" || !grants?.includes("client_credentials")) {
      return { ...base, tokenProblem: `Okta app ${key} is not a service app allowed client_credentials` };
    }
    // Okta evaluates the server's policies in priority order; the first whose whitelist has the
    // client and whose rule allows client_credentials decides the scopes.
    const server = servers.find((s) => federationOf(byUrn, s) === federationOf(byUrn, app)) ?? servers[0]!;
    for (const policy of policies.filter((p) => get(p, "authServerId") === get(server, "id"))) {
      const whitelist = get(policy, "clientWhitelists") as string[] | undefined;
      if (!whitelist?.includes(clientId) && !whitelist?.includes("ALL_CLIENTS")) continue;
      const policyId = String(get(policy, "id"));
      const rule = rules.find((r) => get(r, "policyId") === policyId && (get(r, "grantTypeWhitelists") as string[] | undefined)?.includes("client_credentials"));
      if (!rule) continue;
      return {
        ...base,
        scopes: (get(rule, "scopeWhitelists") as string[] | undefined) ?? [],
        lifetimeMinutes: get(rule, "accessTokenLifetimeMinutes"),
        hook: get(rule, "inlineHookId") !== undefined,
      };
    }
    return { ...base, tokenProblem: `no Okta access policy lets ${key} (${clientId}) use client_credentials` };
  });

  const awsProviders: AwsProviderModel[] = of("aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((p) => ({
    arn: String(get(p, "arn")),
    url: get(p, "url"),
    clientIds: get(p, "clientIdLists"),
  }));

  const pools = of("gcp:iam/workloadIdentityPool:WorkloadIdentityPool").map((pool) => ({
    name: String(get(pool, "name")),
    providers: of("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider")
      .filter((p) => get(p, "workloadIdentityPoolId") === get(pool, "workloadIdentityPoolId") && (get(p, "project") ?? "") === (get(pool, "project") ?? ""))
      .map((p) => ({
        id: String(get(p, "workloadIdentityPoolProviderId")),
        name: String(get(p, "name")),
        issuerUri: String(get(p, "oidc")?.issuerUri ?? ""),
        allowedAudiences: (get(p, "oidc")?.allowedAudiences as string[] | undefined) ?? [],
        attributeMapping: (get(p, "attributeMapping") as Record<string, string> | undefined) ?? {},
        attributeCondition: get(p, "attributeCondition"),
      })),
  }));

  const targets: TargetModel[] = [];
  for (const role of of("aws:iam/role:Role")) {
    const owner = ownerOf(role, "-aws");
    const text = String(get(role, "assumeRolePolicy") ?? "");
    let policy: AwsPolicyDocument | undefined;
    try {
      policy = JSON.parse(text) as AwsPolicyDocument;
    } catch {
      policy = undefined;
    }
    targets.push({ id: `aws-role:${owner}`, kind: "aws-role", label: `AWS role ${owner}`, owner, aws: { policy, policyText: text } });
  }

  const saMembers = of("gcp:serviceaccount/iAMMember:IAMMember");
  const projectMembers = of("gcp:projects/iAMMember:IAMMember");
  for (const account of of("gcp:serviceaccount/account:Account")) {
    const owner = ownerOf(account, "-gcp");
    const accountName = String(get(account, "name"));
    const members = saMembers.filter((m) => get(m, "serviceAccountId") === accountName && get(m, "role") === "roles/iam.workloadIdentityUser").map((m) => String(get(m, "member")));
    const email = String(get(account, "email"));
    const roles = projectMembers.filter((m) => get(m, "member") === `serviceAccount:${email}`).map((m) => String(get(m, "role")));
    targets.push({ id: `gcp-sa:${owner}`, kind: "gcp-service-account", label: `GCP service account ${email}`, owner, gcp: { members, roles } });
  }
  const direct = new Map<string, PlanResource[]>();
  for (const grant of projectMembers.filter((m) => /^principal(Set)?:\/\//.test(String(get(m, "member"))))) {
    const owner = ownerOf(grant, "-gcp");
    direct.set(owner, [...(direct.get(owner) ?? []), grant]);
  }
  for (const [owner, grants] of [...direct.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    targets.push({
      id: `gcp-direct:${owner}`,
      kind: "gcp-direct",
      label: `GCP direct grants ${owner}`,
      owner,
      gcp: { members: [...new Set(grants.map((g) => String(get(g, "member"))))], roles: grants.map((g) => String(get(g, "role"))) },
    });
  }

  const credentials = of("azure-native:managedidentity:FederatedIdentityCredential");
  for (const identity of of("azure-native:managedidentity:UserAssignedIdentity")) {
    const owner = ownerOf(identity, "-azure");
    const identityName = get(identity, "resourceName");
    targets.push({
      id: `azure-identity:${owner}`,
      kind: "azure-identity",
      label: `Azure identity ${identityName}`,
      owner,
      azure: {
        credentials: credentials
          .filter((c) => get(c, "resourceName") === identityName && get(c, "resourceGroupName") === get(identity, "resourceGroupName"))
          .map((c) => ({
            name: String(get(c, "federatedIdentityCredentialResourceName")),
            issuer: String(get(c, "issuer")),
            subject: String(get(c, "subject")),
            audiences: (get(c, "audiences") as string[] | undefined) ?? [],
          })),
      },
    });
  }

  return {
    stack: plan.stack,
    issuers,
    services: services.sort((a, b) => a.key.localeCompare(b.key)),
    awsProviders,
    gcpPools: pools,
    targets: targets.sort((a, b) => a.id.localeCompare(b.id)),
  };
}
