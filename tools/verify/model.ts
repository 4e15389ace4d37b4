/**
 * The trust model of a stack, read from what the program registered (the offline plan's JSON),
 * not from the config: wiring bugs in the components show up here exactly as they would deploy.
 */
import type { AwsPolicyDocument } from "../../components/internal/trust";
import { clientKeyFingerprints } from "../../components/internal/clientKeys";
import { gcpResourceText } from "../../components/internal/gcpResource";
import { azureRoleName } from "../../components/internal/azureRoles";
import { policyOrderFindings } from "../../components/internal/oktaPriorities";
import { ROLE_POLICY, ROLE_POLICY_ATTACHMENT, awsReachOf, inlineGrant } from "./awsInline";
import { componentOf, federationOf, get } from "./planLookup";
import { GCP_RESOURCE_MEMBER_TYPES, gcpResourceOf, ownImpersonation } from "./gcpResourceMembers";
import { adminGrants } from "./identityAdminGrants";
import { isPlatformPlan, sharedObjects, sharedObjectWords, teamLink, withPlatform } from "./layout";

/** The kind of a document read from a stack export (state.ts STATE_KIND; not imported, to keep this module free of the engine). */
const STATE_KIND = "pulumi/stack-export";

export type { StackLayout, PlanResource, PlanDocument, ServiceModel, TargetKind, AwsProviderModel, GcpProviderModel, TargetModel, Grant, IdentityAdminGrant, IssuerModel, TrustModel } from "./modelTypes";
import type { StackLayout, PlanResource, PlanDocument, ServiceModel, TargetKind, AwsProviderModel, GcpProviderModel, TargetModel, Grant, IdentityAdminGrant, IssuerModel, TrustModel } from "./modelTypes";

/** Parses a fixed claim value written as an Okta EL string literal; null for an expression. */
export function staticClaimValue(expression: string): string | null {
  if (!/^"(?:[^"\\]|\\.)*"$/.test(expression)) return null;
  try {
    return JSON.parse(expression) as string;
  } catch {
    return null;
  }
}

/**
 * Builds the trust model from an offline plan document; several federations in one stack are
 * supported. `foreignTargets`: other stacks' targets (org.ts), for the identity-admin grants' reach
 * across stacks (IdentityAdminGrant.crossStackReach).
 */
export function extractModel(given: PlanDocument, options: { readonly foreignTargets?: readonly TargetModel[] } = {}): TrustModel {
  // A team stack not yet combined with its platform's objects (layout.ts): with those of the
  // platform contract its StackReference read, so that any caller sees the team's trust whole.
  const plan: PlanDocument = given.platformSource === undefined && teamLink(given) ? withPlatform(given) : given;
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
  // The policies each federation attaches, gathered once: each role is judged against its federation's.
  const attachedByFederation = new Map<PlanResource | undefined, string[]>();
  for (const a of of(ROLE_POLICY_ATTACHMENT)) {
    const federation = federationOf(byUrn, a);
    const arns = attachedByFederation.get(federation) ?? [];
    arns.push(String(get(a, "policyArn")));
    attachedByFederation.set(federation, arns);
  }
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
    const awsReach = awsReachOf(role, attachedByFederation.get(federationOf(byUrn, role)) ?? []);
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

  const identityAdminGrants = adminGrants(plan, byUrn, ownerOf, targets, options.foreignTargets);
  const layout = layoutOf(plan);

  return {
    stack: plan.stack,
    issuers,
    services: services.sort((a, b) => a.key.localeCompare(b.key)),
    awsProviders,
    gcpPools: pools,
    targets: targets.sort((a, b) => a.id.localeCompare(b.id)),
    identityAdminGrants,
    // A team stack's policies share the platform's server with the other teams': their order is
    // judged over the organisation (org.ts), never one team's alone.
    ...(plan.kind === STATE_KIND && layout?.kind !== "team" ? { policyOrder: deployedPolicyOrder(of) } : {}),
    ...(layout ? { layout } : {}),
  };
}

/** What the plan is in the platform and team layout (layout.ts), if anything. */
function layoutOf(plan: PlanDocument): StackLayout | undefined {
  const state = plan.kind === STATE_KIND;
  const link = teamLink(plan);
  if (link) {
    const source = plan.platformSource;
    return { kind: "team", platform: link.platform, from: source?.from ?? "none", ...(source?.note ? { note: source.note } : {}), state };
  }
  if (isPlatformPlan(plan)) {
    const objects = sharedObjects(plan);
    return { kind: "platform", objects: objects.length, words: sharedObjectWords(objects) };
  }
  return undefined;
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

const byName = (grants: Grant[]): Grant[] => grants.sort((a, b) => a.name.localeCompare(b.name));

/** The custom claims a token carries: those without a scope limit, and those limited to a scope it has (all, when scopes is undefined: the worst case). */
export function claimsFor(issuer: IssuerModel, scopes: readonly string[] | undefined): Record<string, string | null> {
  const carried: Record<string, string | null> = {};
  for (const [name, claim] of Object.entries(issuer.claims)) {
    if (scopes === undefined || !claim.scopes || claim.scopes.some((s) => scopes.includes(s))) carried[name] = claim.value;
  }
  return carried;
}
