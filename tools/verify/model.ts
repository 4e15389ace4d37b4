/**
 * The trust model of a stack, read from what the program registered (the offline plan's JSON),
 * not from the config: wiring bugs in the components show up here exactly as they would deploy.
 */
import type { AwsPolicyDocument } from "../../components/internal/trust";
import { clientKeyFingerprints } from "../../components/internal/clientKeys";
import {
  ACCEPTED_IDENTITY_ADMIN_OUTPUT,
  awsIdentityAdminPolicy,
  azureIdentityAdminRole,
  azureScopeContains,
  gcpIdentityAdminRole,
  gcpResourceIdentityAdminRole,
} from "../../components/internal/identityAdmin";
import { type GcpResource, gcpResourceText } from "../../components/internal/gcpResource";
import { azureRoleName } from "../../components/internal/azureRoles";
import { policyOrderFindings } from "../../components/internal/oktaPriorities";
import { DEFAULT_AWS_REACH } from "../../components/internal/awsIdentityAdmin";
import { ROLE_POLICY, ROLE_POLICY_ATTACHMENT, awsReachOf, inlineGrant, inlineIdentityAdmin, inlinePolicyName } from "./awsInline";

/** The kind of a document read from a stack export (state.ts STATE_KIND; not imported, to keep this module free of the engine). */
const STATE_KIND = "pulumi/stack-export";

export type { PlanResource, PlanDocument, ServiceModel, TargetKind, AwsProviderModel, GcpProviderModel, TargetModel, Grant, IdentityAdminGrant, IssuerModel, TrustModel } from "./modelTypes";
import type { PlanResource, PlanDocument, ServiceModel, TargetKind, AwsProviderModel, GcpProviderModel, TargetModel, Grant, IdentityAdminGrant, IssuerModel, TrustModel } from "./modelTypes";

const get = (r: PlanResource, key: string): any => r.inputs[key] ?? r.afterDeploy?.[key] ?? (key === "id" ? r.id : undefined);

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
  const byType = new Map<string, PlanResource[]>();
  for (const r of plan.resources) {
    const list = byType.get(r.type);
    if (list) list.push(r);
    else byType.set(r.type, [r]);
  }
  const of = (type: string) => byType.get(type) ?? [];
  /** Resources of a type grouped by a key, so that lookups stay linear in the plan's size. */
  const index = (type: string, keyOf: (r: PlanResource) => string) => {
    const map = new Map<string, PlanResource[]>();
    for (const r of of(type)) {
      const list = map.get(keyOf(r));
      if (list) list.push(r);
      else map.set(keyOf(r), [r]);
    }
    return (key: string) => map.get(key) ?? [];
  };
  const servers = of("okta:auth/server:Server");
  if (servers.length === 0) throw new Error("the plan has no Okta authorization server");

  const issuers: IssuerModel[] = servers.map((server) => {
    const federation = federationOf(byUrn, server);
    const claims: Record<string, { value: string | null; scopes?: string[] }> = {};
    for (const claim of of("okta:auth/serverClaim:ServerClaim").filter((c) => get(c, "authServerId") === get(server, "id"))) {
      const scopes = get(claim, "scopes") as string[] | undefined;
      claims[String(get(claim, "name"))] = { value: staticClaimValue(String(get(claim, "value"))), ...(scopes?.length ? { scopes } : {}) };
    }
    const scopes = of("okta:auth/serverScope:ServerScope").filter((c) => get(c, "authServerId") === get(server, "id")).map((c) => String(get(c, "name")));
    const outputsOkta = qualify ? plan.outputs?.federations?.[federation?.name ?? ""]?.okta : plan.outputs?.okta;
    return {
      federation: federation?.name ?? "",
      server: typeof get(server, "name") === "string" ? String(get(server, "name")) : `adopted ${String(get(server, "id"))}`,
      issuer: String(get(server, "issuer")),
      audience: String((get(server, "audiences") as string[] | undefined)?.[0] ?? outputsOkta?.audience ?? ""),
      claims,
      scopes: scopes.sort(),
    };
  });
  const issuerOf = (resource: PlanResource): IssuerModel => {
    const federation = federationOf(byUrn, resource)?.name ?? "";
    return issuers.find((i) => i.federation === federation) ?? issuers[0]!;
  };

  // Okta evaluates a server's policies in priority order; each client's candidates, in that order.
  const policies = [...of("okta:auth/serverPolicy:ServerPolicy")].sort((a, b) => Number(get(a, "priority")) - Number(get(b, "priority")));
  const policiesFor = new Map<string, PlanResource[]>();
  for (const policy of policies) {
    const whitelist = (get(policy, "clientWhitelists") as string[] | undefined) ?? [];
    for (const client of whitelist) {
      const k = `${String(get(policy, "authServerId"))}|${client}`;
      const list = policiesFor.get(k);
      if (list) list.push(policy);
      else policiesFor.set(k, [policy]);
    }
  }
  const rulesOf = index("okta:auth/serverPolicyRule:ServerPolicyRule", (r) => String(get(r, "policyId")));
  const services: ServiceModel[] = of("okta:app/oAuth:OAuth").map((app) => {
    const key = ownerOf(app, "");
    const clientId = String(get(app, "clientId"));
    const grants = get(app, "grantTypes") as string[] | undefined;
    const issuer = issuerOf(app);
    const auth = { method: String(get(app, "tokenEndpointAuthMethod") ?? "client_secret_basic"), keys: clientKeyFingerprints({ method: get(app, "tokenEndpointAuthMethod"), jwks: get(app, "jwks"), jwksUri: get(app, "jwksUri") }) };
    const base = { key, app: app.name, clientId, hook: false, issuer: issuer.issuer, audience: issuer.audience, claims: claimsFor(issuer, undefined), auth };
    if (get(app, "type") !== "service" || !grants?.includes("client_credentials")) {
      return { ...base, tokenProblem: `Okta app ${key} is not a service app allowed client_credentials` };
    }
    // Okta evaluates the server's policies in priority order; the first whose whitelist has the
    // client and whose rule allows client_credentials decides the scopes.
    const server = servers.find((s) => federationOf(byUrn, s) === federationOf(byUrn, app)) ?? servers[0]!;
    const serverId = String(get(server, "id"));
    const candidates = [...(policiesFor.get(`${serverId}|${clientId}`) ?? []), ...(policiesFor.get(`${serverId}|ALL_CLIENTS`) ?? [])].sort(
      (a, b) => policies.indexOf(a) - policies.indexOf(b),
    );
    for (const policy of candidates) {
      const policyId = String(get(policy, "id"));
      const rule = rulesOf(policyId).find((r) => (get(r, "grantTypeWhitelists") as string[] | undefined)?.includes("client_credentials"));
      if (!rule) continue;
      const scopes = (get(rule, "scopeWhitelists") as string[] | undefined) ?? [];
      return {
        ...base,
        claims: claimsFor(issuer, scopes),
        scopes,
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
  const attachmentsOf = index(ROLE_POLICY_ATTACHMENT, (a) => String(get(a, "role")));
  const inlineOf = index(ROLE_POLICY, (p) => String(get(p, "role")));
  for (const role of of("aws:iam/role:Role")) {
    const owner = ownerOf(role, "-aws");
    const text = String(get(role, "assumeRolePolicy") ?? "");
    let policy: AwsPolicyDocument | undefined;
    try {
      policy = JSON.parse(text) as AwsPolicyDocument;
    } catch {
      policy = undefined;
    }
    const account = /^arn:aws[a-z-]*:iam::([^:]+):/.exec(String(get(role, "arn") ?? ""))?.[1] ?? "";
    // Judged against the stack's reach: this role's path, the customer managed policies its federation attaches.
    const awsReach = awsReachOf(role, of(ROLE_POLICY_ATTACHMENT), (a) => federationOf(byUrn, a) === federationOf(byUrn, role));
    const grants = attachmentsOf(String(get(role, "name")))
      .map((a): Grant => {
        const arn = String(get(a, "policyArn"));
        const policyName = arn.split("/").pop() ?? arn;
        return { name: a.name, cloud: "aws", role: arn, roleName: policyName, scope: `account ${account}`, text: `AWS policy ${policyName} (${arn})`, awsReach };
      })
      .concat(inlineOf(String(get(role, "name"))).map((p) => inlineGrant(p, account, awsReach)));
    targets.push({ id: `aws-role:${owner}`, kind: "aws-role", label: `AWS role ${owner}`, owner, aws: { policy, policyText: text }, location: `aws:${account}`, grants: byName(grants) });
  }

  const saMembersOf = index("gcp:serviceaccount/iAMMember:IAMMember", (m) => String(get(m, "serviceAccountId")));
  const projectMembers = of("gcp:projects/iAMMember:IAMMember");
  const projectMembersOf = index("gcp:projects/iAMMember:IAMMember", (m) => String(get(m, "member")));
  const projectGrant = (m: PlanResource): Grant => {
    const role = String(get(m, "role"));
    const project = String(get(m, "project"));
    return { name: m.name, cloud: "gcp", role, roleName: role, scope: `project ${project}`, text: `GCP role ${role} on project ${project}` };
  };
  // Roles on single resources (gcp.resourceRoles): every IAM member type of the supported kinds, its resource in words.
  const impersonation = ownImpersonation(plan, ownerOf);
  const resourceMembers = Object.keys(GCP_RESOURCE_MEMBER_TYPES)
    .flatMap((type) => of(type))
    .filter((m) => gcpResourceOf(m) !== undefined && !impersonation.has(m.urn));
  const resourceGrant = (m: PlanResource): Grant => {
    const role = String(get(m, "role"));
    const scope = gcpResourceText(gcpResourceOf(m)!);
    return { name: m.name, cloud: "gcp", role, roleName: role, scope, text: `GCP role ${role} on ${scope}` };
  };
  const resourceMembersOf = (member: string) => resourceMembers.filter((m) => String(get(m, "member")) === member);
  for (const account of of("gcp:serviceaccount/account:Account")) {
    const owner = ownerOf(account, "-gcp");
    const accountName = String(get(account, "name"));
    const members = saMembersOf(accountName).filter((m) => get(m, "role") === "roles/iam.workloadIdentityUser").map((m) => String(get(m, "member")));
    const email = String(get(account, "email"));
    const granted = projectMembersOf(`serviceAccount:${email}`);
    const roles = granted.map((m) => String(get(m, "role")));
    const onResources = resourceMembersOf(`serviceAccount:${email}`);
    targets.push({
      id: `gcp-sa:${owner}`,
      kind: "gcp-service-account",
      label: `GCP service account ${email}`,
      owner,
      gcp: { members, roles },
      location: `gcp:${String(get(account, "project"))}`,
      grants: byName([...granted.map(projectGrant), ...onResources.map(resourceGrant)]),
    });
  }
  const direct = new Map<string, PlanResource[]>();
  const isPrincipal = (m: PlanResource) => /^principal(Set)?:\/\//.test(String(get(m, "member")));
  for (const grant of [...projectMembers, ...resourceMembers].filter(isPrincipal)) {
    const owner = ownerOf(grant, "-gcp");
    direct.set(owner, [...(direct.get(owner) ?? []), grant]);
  }
  for (const [owner, grants] of [...direct.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const onProject = grants.filter((g) => g.type === "gcp:projects/iAMMember:IAMMember");
    // The project the principal lives in: its project grants', else the pool's (a bucket names no project).
    const project = onProject.length ? String(get(onProject[0]!, "project")) : String(pools[0] ? /^projects\/([^/]+)\//.exec(pools[0].name)?.[1] ?? "" : "");
    targets.push({
      id: `gcp-direct:${owner}`,
      kind: "gcp-direct",
      label: `GCP direct grants ${owner}`,
      owner,
      gcp: { members: [...new Set(grants.map((g) => String(get(g, "member"))))], roles: grants.map((g) => String(get(g, "role"))) },
      location: `gcp:${project}`,
      grants: byName(grants.map((g) => (g.type === "gcp:projects/iAMMember:IAMMember" ? projectGrant(g) : resourceGrant(g)))),
    });
  }

  const credentialsOf = index("azure-native:managedidentity:FederatedIdentityCredential", (c) => `${String(get(c, "resourceGroupName"))}/${String(get(c, "resourceName"))}`);
  const assignmentsOf = index("azure-native:authorization:RoleAssignment", (a) => String(get(a, "principalId")));
  for (const identity of of("azure-native:managedidentity:UserAssignedIdentity")) {
    const owner = ownerOf(identity, "-azure");
    const identityName = get(identity, "resourceName");
    const principal = get(identity, "principalId");
    targets.push({
      id: `azure-identity:${owner}`,
      kind: "azure-identity",
      label: `Azure identity ${identityName}`,
      owner,
      azure: {
        credentials: credentialsOf(`${String(get(identity, "resourceGroupName"))}/${String(identityName)}`)
          .map((c) => ({
            name: String(get(c, "federatedIdentityCredentialResourceName")),
            issuer: String(get(c, "issuer")),
            subject: String(get(c, "subject")),
            audiences: (get(c, "audiences") as string[] | undefined) ?? [],
          })),
      },
      location: `azure:${String(get(identity, "id") ?? "")}`,
      grants: byName(
        assignmentsOf(String(principal))
          .map((a): Grant => {
            const role = String(get(a, "roleDefinitionId")).split("/").pop()!.toLowerCase();
            const roleName = azureRoleName(role) ?? role;
            const scope = String(get(a, "scope"));
            return { name: a.name, cloud: "azure", role, roleName, scope, text: `Azure role ${roleName} at ${scope}` };
          }),
      ),
    });
  }

  const identityAdminGrants = adminGrants(plan, byUrn, ownerOf, targets);

  return {
    stack: plan.stack,
    issuers,
    services: services.sort((a, b) => a.key.localeCompare(b.key)),
    awsProviders,
    gcpPools: pools,
    targets: targets.sort((a, b) => a.id.localeCompare(b.id)),
    identityAdminGrants,
    ...(plan.kind === STATE_KIND ? { policyOrder: deployedPolicyOrder(of) } : {}),
  };
}

/**
 * The deployed order of each authorization server's policies, from an export: a server the stack
 * created or adopted, its policies by their `authServerId` and their recorded priorities (the
 * outputs, which `pulumi refresh` brings up to date). The server is named as the console shows it.
 */
function deployedPolicyOrder(of: (type: string) => PlanResource[]): string[] {
  return of("okta:auth/server:Server").flatMap((server) => {
    const id = get(server, "id");
    const label = server.operation === "read" ? `${id} (adopted)` : `${String(get(server, "name"))} (${id})`;
    const policies = of("okta:auth/serverPolicy:ServerPolicy")
      .filter((p) => get(p, "authServerId") === id)
      .map((p) => ({ name: String(get(p, "name") ?? p.name), priority: get(p, "priority") }));
    return policyOrderFindings(label, policies);
  });
}

/**
 * The IAM member types of the resource kinds a service may be granted roles on (gcp.resourceRoles),
 * each with its resource read back from its identifying inputs. A service account member is one on
 * a `projects/<p>/serviceAccounts/<email>` id; the kit's own impersonation grants name the account
 * by its placeholder and are read as impersonation, not as resource grants.
 */
const GCP_RESOURCE_MEMBER_TYPES: Readonly<Record<string, (r: PlanResource) => GcpResource | undefined>> = {
  "gcp:storage/bucketIAMMember:BucketIAMMember": (r) => ({ kind: "bucket", bucket: String(get(r, "bucket")) }),
  "gcp:pubsub/topicIAMMember:TopicIAMMember": (r) => ({ kind: "topic", project: String(get(r, "project")), topic: String(get(r, "topic")) }),
  "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember": (r) => ({ kind: "subscription", project: String(get(r, "project")), subscription: String(get(r, "subscription")) }),
  "gcp:secretmanager/secretIamMember:SecretIamMember": (r) => ({ kind: "secret", project: String(get(r, "project")), secret: String(get(r, "secretId")) }),
  "gcp:bigquery/datasetIamMember:DatasetIamMember": (r) => ({ kind: "dataset", project: String(get(r, "project")), dataset: String(get(r, "datasetId")) }),
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": (r) => ({
    kind: "repository",
    project: String(get(r, "project")),
    location: String(get(r, "location")),
    repository: String(get(r, "repository")),
  }),
  "gcp:serviceaccount/iAMMember:IAMMember": (r) => {
    const id = /^projects\/([^/]+)\/serviceAccounts\/([^/]+@[^/]+)$/.exec(String(get(r, "serviceAccountId")));
    return id ? { kind: "service-account", project: id[1]!, email: id[2]! } : undefined;
  },
};
/**
 * The members that let a service impersonate its own service account (roles/iam.workloadIdentityUser
 * on the account its own component created): its trust, not a resource grant.
 */
function ownImpersonation(plan: PlanDocument, ownerOf: (resource: PlanResource, suffix: string) => string): Set<string> {
  const accounts = plan.resources.filter((a) => a.type === "gcp:serviceaccount/account:Account");
  return new Set(
    plan.resources
      .filter((m) => m.type === "gcp:serviceaccount/iAMMember:IAMMember" && get(m, "role") === "roles/iam.workloadIdentityUser")
      .filter((m) => accounts.some((a) => String(get(a, "name")) === String(get(m, "serviceAccountId")) && ownerOf(a, "-gcp") === ownerOf(m, "-gcp")))
      .map((m) => m.urn),
  );
}

const gcpResourceOf = (r: PlanResource): GcpResource | undefined => GCP_RESOURCE_MEMBER_TYPES[r.type]?.(r);

const byName = (grants: Grant[]): Grant[] => grants.sort((a, b) => a.name.localeCompare(b.name));

/** The custom claims a token carries: those without a scope limit, and those limited to a scope it has (all, when scopes is undefined: the worst case). */
export function claimsFor(issuer: IssuerModel, scopes: readonly string[] | undefined): Record<string, string | null> {
  const carried: Record<string, string | null> = {};
  for (const [name, claim] of Object.entries(issuer.claims)) {
    if (scopes === undefined || !claim.scopes || claim.scopes.some((s) => scopes.includes(s))) carried[name] = claim.value;
  }
  return carried;
}

/**
 * Every grant in the plan that lets a service change identities, credentials or trust (the
 * predicates of components/internal/identityAdmin.ts), with the other services' targets it reaches
 * and whether it was accepted with the opt-in (listed by its component, as the policy pack reads it).
 */
function adminGrants(
  plan: PlanDocument,
  byUrn: ReadonlyMap<string, PlanResource>,
  ownerOf: (resource: PlanResource, suffix: string) => string,
  targets: readonly TargetModel[],
): IdentityAdminGrant[] {
  const found: IdentityAdminGrant[] = [];
  const impersonation = ownImpersonation(plan, ownerOf);
  const accepted = (grant: PlanResource) => {
    const list = (componentOf(byUrn, grant)?.outputs?.[ACCEPTED_IDENTITY_ADMIN_OUTPUT] as string[] | undefined) ?? [];
    return list.includes(grant.name);
  };
  const others = (owner: string, where: (t: TargetModel) => boolean) => targets.filter((t) => t.owner !== owner && where(t)).map((t) => t.id).sort();
  // A grant belongs to the service whose identity holds it (the target listing it), whichever
  // component, or program code outside the components, registered it.
  const holder = new Map<string, TargetModel>();
  for (const t of targets) for (const g of t.grants) holder.set(g.name, t);
  const ownerOfGrant = (r: PlanResource, suffix: string) => holder.get(r.name)?.owner ?? ownerOf(r, suffix);
  for (const r of plan.resources) {
    if (r.type === ROLE_POLICY_ATTACHMENT || r.type === ROLE_POLICY) {
      // Judged against the reach of the role holding it (its grant), the default reach for a role outside the plan.
      const grant = holder.get(r.name)?.grants.find((g) => g.name === r.name);
      const why = r.type === ROLE_POLICY ? inlineIdentityAdmin(grant ?? inlineGrant(r, "", DEFAULT_AWS_REACH)) : awsIdentityAdminPolicy(get(r, "policyArn"), grant?.awsReach);
      if (!why) continue;
      const owner = ownerOfGrant(r, "-aws");
      const account = holder.get(r.name)?.location ?? targets.find((t) => t.id === `aws-role:${owner}`)?.location;
      const text = r.type === ROLE_POLICY ? `AWS inline policy ${inlinePolicyName(r)}` : `AWS policy ${String(get(r, "policyArn"))}`;
      found.push({ service: owner, resource: r.name, grant: text, why, accepted: accepted(r), reach: others(owner, (t) => t.kind === "aws-role" && t.location === account) });
    } else if (r.type === "gcp:projects/iAMMember:IAMMember") {
      const admin = gcpIdentityAdminRole(get(r, "role"));
      if (!admin) continue;
      const owner = ownerOfGrant(r, "-gcp");
      const project = `gcp:${String(get(r, "project"))}`;
      const reach = others(owner, (t) => t.location === project && (t.kind === "gcp-service-account" || admin.reach === "project"));
      found.push({ service: owner, resource: r.name, grant: `GCP role ${String(get(r, "role"))} on project ${String(get(r, "project"))}`, why: admin.why, accepted: accepted(r), reach });
    } else if (GCP_RESOURCE_MEMBER_TYPES[r.type] && gcpResourceOf(r) && !impersonation.has(r.urn)) {
      const resource = gcpResourceOf(r)!;
      const admin = gcpResourceIdentityAdminRole(get(r, "role"), resource);
      if (!admin || resource.kind !== "service-account") continue;
      const owner = ownerOfGrant(r, "-gcp");
      // The kit's service account the resource names: by its email as deployed, or as derived from its account id and project.
      const named = plan.resources
        .filter((a) => a.type === "gcp:serviceaccount/account:Account")
        .filter((a) => get(a, "email") === resource.email || `${String(get(a, "accountId"))}@${String(get(a, "project"))}.iam.gserviceaccount.com` === resource.email)
        .map((a) => `gcp-sa:${ownerOf(a, "-gcp")}`);
      const reach = others(owner, (t) => named.includes(t.id));
      found.push({ service: owner, resource: r.name, grant: `GCP role ${String(get(r, "role"))} on ${gcpResourceText(resource)}`, why: admin.why, accepted: accepted(r), reach });
    } else if (r.type === "azure-native:authorization:RoleAssignment") {
      const admin = azureIdentityAdminRole(get(r, "roleDefinitionId"));
      if (!admin) continue;
      const owner = ownerOfGrant(r, "-azure");
      const scope = String(get(r, "scope"));
      // An Azure role is an identity-admin grant only at a scope that holds a managed identity (its own included).
      const holds = (t: TargetModel) => t.kind === "azure-identity" && azureScopeContains(scope, t.location.replace(/^azure:/, ""));
      if (!targets.some(holds)) continue;
      found.push({ service: owner, resource: r.name, grant: `Azure role ${admin.name} at ${scope}`, why: admin.why, accepted: accepted(r), reach: others(owner, holds) });
    }
  }
  return found.sort((a, b) => a.service.localeCompare(b.service) || a.resource.localeCompare(b.resource));
}
