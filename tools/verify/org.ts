/**
 * One proof over the organisation: several stacks' plans or exports verified at once. Each stack
 * is verified on its own exactly as `verify` does (extractModel, verifyModel); then, across stacks,
 * every service's token is evaluated against every other stack's trusts (the cross-stack matrix, by
 * the same evaluators: `decide`, `admittedSubjects`), and what must be unique in the organisation
 * is checked: client keys (clientKeys.ts fingerprints), AWS role names and OIDC provider URLs per
 * account, Okta app labels per Okta org, GCP pools and service accounts per project, GCP pool
 * provider ids and principals per pool, Azure identity names per resource group. Platform and team
 * stacks (layout.ts): each team stack is verified with its platform's shared objects; a shared pool
 * is one trust across stacks (every stack's providers of it, each probed with the other stacks'
 * tokens); team stacks of one server must hold distinct Okta priority bands, and their deployed
 * policy order is judged over all of them (oktaPriorities.ts); a team whose platform is not given is
 * reported; identity-admin grants are judged against the other stacks' identities too
 * (identityAdminGrants.ts). Services are indexed by client id and tokens by subject, so nothing
 * grows with services x services across stacks. No trust rule is restated here.
 */
import { sameKeySourceNote } from "../../components/internal/clientKeys";
import { bandFindings, oktaPriorityBandOf, orgPolicyOrderFindings } from "../../components/internal/oktaPriorities";
import type { PlatformOutputsV1 } from "../../components/platformContract";
import { extractModel, type GcpProviderModel, type PlanDocument, type PlanResource, type ServiceModel, type TrustModel } from "./model";
import { STATE_KIND } from "./state";
import { isPlatformPlan, PLATFORM_OUTPUT, readServerId, teamLink, withPlatform } from "./layout";
import { conditionSubjects } from "./subjectPins";
import { admittedSubjects, decide, gcpProviderAdmits, verifyModel, type TokenClaims, type VerifyResult } from "./verify";

/** One input of the organisation: its plan or export, and where it was read from. */
export interface OrgInput {
  /** Where it came from, e.g. "stack dev", "plan dev-plan.json", "state prod-state.json". */
  readonly source: string;
  readonly plan: PlanDocument;
  /** A stack export (what is deployed) rather than a plan. */
  readonly state?: boolean;
  /** A team stack's platform as planned beside it (--stack, --stack-file): used when the platform stack is not among the inputs. */
  readonly platform?: PlanDocument;
}

export interface OrgStack {
  readonly source: string;
  readonly state: boolean;
  readonly result: VerifyResult;
}

export interface OrgFinding {
  readonly kind:
    | "cross-stack-allow"
    | "cross-stack-probe"
    | "shared-client-key"
    | "duplicate-name"
    | "platform-not-given"
    | "okta-band"
    | "policy-order"
    | "cross-stack-takeover";
  /** The stacks involved: for a collision, the one found second, then the one it collides with. */
  readonly stacks: readonly string[];
  readonly message: string;
}

/** A cell of the cross-stack matrix that allows: a service of one stack admitted by a trust of another. */
export interface CrossStackCell {
  readonly stack: string;
  readonly service: string;
  readonly targetStack: string;
  readonly target: string;
  readonly reason: string;
}

export interface OrgResult {
  readonly passed: boolean;
  readonly stacks: readonly OrgStack[];
  /** Issuers (with their audiences) that more than one stack's tokens or trusts use. */
  readonly sharedIssuers: ReadonlyArray<{ readonly issuer: string; readonly audiences: readonly string[]; readonly stacks: readonly string[] }>;
  readonly crossStack: {
    /** Services of one stack × targets of every other stack. */
    readonly cells: number;
    /** Cells evaluated by the clouds' rules; every other cell is denied by the target's own subject pin. */
    readonly evaluated: number;
    readonly allowed: readonly CrossStackCell[];
    /**
     * Each GCP pool provider probed on its own with every other stack's service tokens (a provider
     * that admits a foreign client holds it as a principal of its pool, whatever the grants).
     */
    readonly probes: { readonly tried: number; readonly evaluated: number; readonly accepted: number };
    /** Identity-admin grants of one stack that reach identities of others (accepted ones too: listed, not findings). */
    readonly takeovers: readonly CrossStackTakeover[];
  };
  /** How many names of each kind were compared across stacks. */
  readonly uniqueness: Readonly<Record<string, number>>;
  /** The platform and team stacks among the inputs. */
  readonly layout: readonly OrgLayoutStack[];
  /** Per authorization server shared by team stacks: each team stack's Okta priority bands. */
  readonly bands: ReadonlyArray<{ readonly server: string; readonly stacks: ReadonlyArray<{ readonly stack: string; readonly bands: readonly number[] }> }>;
  readonly findings: readonly OrgFinding[];
}

/** Refused before any proof (exit code 2): two inputs of one stack. */
export class OrgInputError extends Error {}

const PLACEHOLDER = /<([^<>\s]+)\.([A-Za-z]+)>/g;

/**
 * An offline plan with each placeholder of its own resources (`<name.property>`) qualified by the
 * stack (`<stack:name.property>`): a resource of one stack is not the resource of the same logical
 * name in another, so their unknown ids, client ids and issuers must not compare equal. A team
 * stack's placeholders of its platform's resources (`foreign`, the platform's plan) are qualified by
 * the platform's stack, as the platform's own plan is. Placeholders that name no resource of either
 * (a GCP project number) are the same project in every stack and stay as they are. A stack export
 * holds real values and is returned unchanged.
 */
export function qualifyPlaceholders(plan: PlanDocument, foreign?: PlanDocument): PlanDocument {
  if (plan.kind === STATE_KIND) return plan;
  const fill = qualifier(plan, foreign);
  return {
    ...plan,
    resources: plan.resources.map((r) => ({
      ...r,
      // A read resource's id (an adopted server's, the platform's server a team reads) is a placeholder too.
      ...(r.id !== undefined ? { id: fill(r.id) as string } : {}),
      inputs: fill(r.inputs) as Record<string, any>,
      ...(r.afterDeploy ? { afterDeploy: fill(r.afterDeploy) as Record<string, any> } : {}),
    })),
  };
}

/** The qualification of qualifyPlaceholders, for any value of the plan (a token's claims too); the identity for an export. */
export function qualifier(plan: PlanDocument, foreign?: PlanDocument): (value: unknown) => unknown {
  if (plan.kind === STATE_KIND) return (value) => value;
  const stackOf = new Map<string, string>();
  if (foreign && foreign.kind !== STATE_KIND) for (const r of foreign.resources) stackOf.set(r.name, foreign.stack);
  for (const r of plan.resources) stackOf.set(r.name, plan.stack);
  const fill = (value: unknown): unknown => {
    if (typeof value === "string") {
      return value.includes("<") ? value.replace(PLACEHOLDER, (whole, name: string, property: string) => (stackOf.has(name) ? `<${stackOf.get(name)}:${name}.${property}>` : whole)) : value;
    }
    if (Array.isArray(value)) return value.map(fill);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  return fill;
}

const get = (r: PlanResource, key: string): any => r.inputs[key] ?? r.afterDeploy?.[key];

/** One name that must be unique in its scope across the organisation. */
interface NamedThing {
  readonly kind: string;
  readonly scope: string;
  readonly name: string;
  readonly resource: string;
  /** Compared case-insensitively (IAM names, Azure resource names). */
  readonly caseless?: boolean;
}

/** What happens when two stacks hold the same name, per kind. */
const CONSEQUENCE: Readonly<Record<string, string>> = {
  "AWS role name": "IAM holds one role per name in an account (names are case-insensitive): one stack cannot create it, or both manage one role and each overwrites the other's trust",
  "AWS OIDC provider": "IAM holds one OIDC provider per URL in an account: one stack cannot create it, or both manage one provider and each overwrites the other's client ids",
  "Okta authorization server name": "two authorization servers with one name in one Okta org cannot be told apart in the admin console, nor their issuers by a reviewer",
  "Okta app label": "two apps with one label in one Okta org cannot be told apart in the admin console or the System Log",
  "GCP pool": "GCP holds one pool per id in a project: one stack cannot create it, or both manage one pool",
  "GCP service account": "GCP holds one service account per email: one stack cannot create it, or both manage one account and its impersonation grants",
  "GCP pool provider": "GCP holds one provider per id in a pool: one stack cannot create it, or both manage one provider and each overwrites the other's attribute condition",
  "GCP principal": "one principal holds both stacks' grants: the token that reaches one stack's target reaches the other's",
  "Azure identity name": "Azure holds one identity per name in a resource group (case-insensitive): one stack cannot create it, or both manage one identity and its federated credentials",
};

const GCP_MEMBER = /^principal(Set)?:\/\/iam\.googleapis\.com\/(projects\/[^/]+\/locations\/[^/]+\/workloadIdentityPools\/[^/]+)\//;

/** The Okta org a stack's apps live in: its Okta provider's org, else its server's issuer host. */
export function oktaOrg(plan: PlanDocument): string {
  const provider = plan.resources.find((r) => r.type === "pulumi:providers:okta");
  const org = provider && get(provider, "orgName");
  if (typeof org === "string") return `${org}.${String(get(provider!, "baseUrl") ?? "okta.com")}`;
  const server = plan.resources.find((r) => r.type === "okta:auth/server:Server");
  return /^https?:\/\/([^/]+)/.exec(String(server ? get(server, "issuer") : ""))?.[1] ?? "unknown";
}

const accountOf = (arn: unknown) => /^arn:aws[a-z-]*:iam::([^:]+):/.exec(String(arn ?? ""))?.[1] ?? "unknown";

/** Every name of a stack's plan that must be unique across the organisation, read from the registered resources. */
export function uniqueNames(plan: PlanDocument): NamedThing[] {
  const names: NamedThing[] = [];
  const org = oktaOrg(plan);
  for (const r of plan.resources) {
    if (r.operation === "read") continue; // an adopted resource is shared on purpose
    if (r.type === "aws:iam/role:Role") names.push({ kind: "AWS role name", scope: `AWS account ${accountOf(get(r, "arn"))}`, name: String(get(r, "name")), resource: r.name, caseless: true });
    else if (r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider") {
      names.push({ kind: "AWS OIDC provider", scope: `AWS account ${accountOf(get(r, "arn"))}`, name: String(get(r, "url")).replace(/^https:\/\//, ""), resource: r.name });
    } else if (r.type === "okta:auth/server:Server") names.push({ kind: "Okta authorization server name", scope: `Okta org ${org}`, name: String(get(r, "name")), resource: r.name });
    else if (r.type === "okta:app/oAuth:OAuth") names.push({ kind: "Okta app label", scope: `Okta org ${org}`, name: String(get(r, "label")), resource: r.name });
    else if (r.type === "gcp:iam/workloadIdentityPool:WorkloadIdentityPool") {
      names.push({ kind: "GCP pool", scope: `GCP project ${String(get(r, "project"))}`, name: String(get(r, "workloadIdentityPoolId")), resource: r.name });
    } else if (r.type === "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider") {
      names.push({ kind: "GCP pool provider", scope: `GCP pool ${String(get(r, "project"))}/${String(get(r, "workloadIdentityPoolId"))}`, name: String(get(r, "workloadIdentityPoolProviderId")), resource: r.name });
    } else if (r.type === "gcp:serviceaccount/account:Account") {
      names.push({ kind: "GCP service account", scope: `GCP project ${String(get(r, "project"))}`, name: String(get(r, "accountId")), resource: r.name });
    } else if (r.type === "azure-native:managedidentity:UserAssignedIdentity") {
      const group = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+)/i.exec(String(get(r, "id") ?? ""))?.[1] ?? `resource group ${String(get(r, "resourceGroupName"))}`;
      names.push({ kind: "Azure identity name", scope: `Azure resource group ${group}`, name: String(get(r, "resourceName")), resource: r.name, caseless: true });
    }
    const member = get(r, "member");
    const pool = typeof member === "string" ? GCP_MEMBER.exec(member)?.[2] : undefined;
    if (pool) names.push({ kind: "GCP principal", scope: `GCP pool ${pool}`, name: member as string, resource: r.name });
  }
  return names;
}

/** A stack of the organisation in the platform and team layout. */
export interface OrgLayoutStack {
  readonly stack: string;
  readonly kind: "platform" | "team";
  /** A team stack: the platform stack it names, and whether that stack is among the inputs. */
  readonly platform?: string;
  readonly platformGiven?: boolean;
  /** A team stack: the Okta priority bands its policies are created in. */
  readonly bands?: readonly number[];
}

/** An identity-admin grant of one stack that reaches identities of other stacks. */
export interface CrossStackTakeover {
  readonly stack: string;
  readonly service: string;
  readonly grant: string;
  readonly why: string;
  /** Accepted in its own stack with allowIdentityAdmin: true (then listed, not a finding). */
  readonly accepted: boolean;
  /** The other stacks' targets it reaches: `<stack>:<target id>`, with their labels. */
  readonly reach: ReadonlyArray<{ readonly stack: string; readonly target: string; readonly label: string }>;
}

/** The Okta policies a plan or export holds, by the server they belong to, with their recorded priorities. */
function policiesOf(plan: PlanDocument): Map<string, Array<{ name: string; priority: unknown }>> {
  const by = new Map<string, Array<{ name: string; priority: unknown }>>();
  for (const r of plan.resources) {
    if (r.type !== "okta:auth/serverPolicy:ServerPolicy") continue;
    const server = String(get(r, "authServerId"));
    by.set(server, [...(by.get(server) ?? []), { name: String(get(r, "name") ?? r.name), priority: get(r, "priority") }]);
  }
  return by;
}

/**
 * Verifies every stack on its own, then the organisation: the cross-stack matrix, the GCP providers
 * of each shared pool probed with every other stack's tokens, the uniqueness checks, the platform
 * and team layout (each team's platform given, distinct Okta priority bands, the deployed policy
 * order over every stack sharing a server) and identity-admin grants reaching other stacks.
 */
export async function verifyOrganisation(inputs: readonly OrgInput[]): Promise<OrgResult> {
  const seen = new Map<string, string>();
  for (const input of inputs) {
    const earlier = seen.get(input.plan.stack);
    if (earlier !== undefined) throw new OrgInputError(`${input.source} and ${earlier} are both stack ${input.plan.stack}: an organisation holds each stack once (compare two versions of one stack with --base)`);
    seen.set(input.plan.stack, input.source);
  }
  const findings: OrgFinding[] = [];
  const byStack = new Map(inputs.map((input) => [input.plan.stack, input]));

  // The layout: each team stack's platform, among the inputs when given.
  const links = inputs.map((input) => teamLink(input.plan));
  const givenPlatform = inputs.map((input, i) => {
    const link = links[i];
    if (!link) return undefined;
    const given = byStack.get(link.platformStack);
    if (given && isPlatformPlan(given.plan)) return given;
    const known = input.platform ? "the platform planned beside it" : link.contract ? "the platform contract its StackReference read" : "no platform objects (the document records no platform contract)";
    findings.push({
      kind: "platform-not-given",
      stacks: [input.plan.stack, link.platformStack],
      message: `stack ${input.plan.stack} reads platform stack ${link.platform}, which is not given${given ? ` (stack ${link.platformStack} is given but is no platform stack)` : ""}: its services were verified with ${known} only, not across the organisation that shares the platform's server and pool; unverified: give the platform stack and every team stack reading it (--stack ${link.platformStack})`,
    });
    return undefined;
  });
  /** The platform document a team stack is combined with: the given platform's, else the one planned beside it. */
  const platformPlanOf = (i: number): PlanDocument | undefined => givenPlatform[i]?.plan ?? inputs[i]!.platform;

  // Each stack on its own, as verify proves it (a team stack with its platform's objects).
  const stacks: OrgStack[] = [];
  for (const [i, input] of inputs.entries()) {
    const link = links[i];
    const how = givenPlatform[i] ? `stack ${link!.platformStack}, given` : "planned from the stack file beside the team's";
    const plan = link ? withPlatform(input.plan, platformPlanOf(i), how) : input.plan;
    stacks.push({ source: input.source, state: input.state === true, result: await verifyModel(extractModel(plan)) });
  }

  // Across stacks, the plans' placeholders are qualified by their stack (qualifyPlaceholders); a
  // team's placeholders of its platform's resources by the platform's stack.
  const ownQualified = inputs.map((input, i) => qualifyPlaceholders(input.plan, platformPlanOf(i)));
  const qualifiedPlatform = (i: number): PlanDocument | undefined => {
    const given = givenPlatform[i];
    if (given) return ownQualified[inputs.indexOf(given)];
    return inputs[i]!.platform ? qualifyPlaceholders(inputs[i]!.platform!) : undefined;
  };
  const combined = ownQualified.map((plan, i) => (links[i] ? withPlatform(plan, qualifiedPlatform(i)) : plan));
  const stackModels = combined.map((plan) => extractModel(plan));

  // A workload identity pool is one trust: its principals are pool-wide, whichever stack's provider
  // admitted the token. Each model sees every provider of the pools it uses, from every stack.
  const poolProviders = new Map<string, Array<{ provider: GcpProviderModel; stack: number }>>();
  for (const [i, model] of stackModels.entries()) {
    for (const pool of model.gcpPools) {
      const list = poolProviders.get(pool.name) ?? [];
      for (const provider of pool.providers) if (!list.some((p) => p.provider.name === provider.name && p.provider.id === provider.id)) list.push({ provider, stack: i });
      poolProviders.set(pool.name, list);
    }
  }
  const models: TrustModel[] = stackModels.map((model) => ({
    ...model,
    gcpPools: model.gcpPools.map((pool) => ({ name: pool.name, providers: (poolProviders.get(pool.name) ?? []).map((p) => p.provider) })),
  }));

  // Each service's token: the one its stack's proof signed and verified, with the placeholders qualified as its plan's.
  const tokens = stacks.map((stack, i) => {
    const qualify = qualifier(inputs[i]!.plan, platformPlanOf(i));
    const map = new Map<string, TokenClaims>();
    for (const service of stack.result.services) if (service.claims) map.set(service.key, qualify(service.claims) as TokenClaims);
    return map;
  });
  const totalServices = models.reduce((n, m) => n + m.services.length, 0);
  const totalTokens = tokens.reduce((n, t) => n + t.size, 0);
  // Every service of the organisation by its client id, and every token by its subject.
  const byClientId = new Map<string, Array<{ stack: number; service: ServiceModel }>>();
  for (const [i, model] of models.entries()) for (const service of model.services) byClientId.set(service.clientId, [...(byClientId.get(service.clientId) ?? []), { stack: i, service }]);
  const bySubject = new Map<string, Array<{ stack: number; service: string; token: TokenClaims }>>();
  for (const [i, map] of tokens.entries()) for (const [service, token] of map) bySubject.set(token.sub, [...(bySubject.get(token.sub) ?? []), { stack: i, service, token }]);

  // The cross-stack matrix: each service of one stack at each target of another, evaluated where
  // the target's trust can admit it (the subjects it pins, or every service when it pins none).
  let cells = 0;
  let evaluated = 0;
  const allowed: CrossStackCell[] = [];
  for (const [b, modelB] of models.entries()) {
    for (const target of modelB.targets) {
      cells += totalServices - modelB.services.length;
      const subjects = admittedSubjects(modelB, target);
      const candidates =
        subjects === undefined
          ? models.flatMap((m, a) => (a === b ? [] : m.services.map((service) => ({ stack: a, service }))))
          : [...new Set(subjects)].flatMap((s) => byClientId.get(s) ?? []).filter((c) => c.stack !== b);
      for (const { stack: a, service } of candidates) {
        const token = tokens[a]!.get(service.key);
        if (!token) continue;
        evaluated++;
        const decision = decide(modelB, target, token);
        if (decision.decision !== "allow") continue;
        const modelA = models[a]!;
        allowed.push({ stack: modelA.stack, service: service.key, targetStack: modelB.stack, target: target.id, reason: decision.reason });
        findings.push({
          kind: "cross-stack-allow",
          stacks: [modelA.stack, modelB.stack],
          message: `${modelA.stack}/${service.key} can reach ${target.label} of stack ${modelB.stack}, which belongs to ${modelB.stack}/${target.owner}: ${decision.reason}`,
        });
      }
    }
  }

  // Each GCP pool provider on its own, with the other stacks' real tokens (AWS roles and Azure
  // credentials decide on their own in the matrix above: their trust is the target). A provider is
  // evaluated with the tokens of the subjects its condition can admit (subjectPins.ts), or with
  // every other stack's token when the condition pins none.
  let tried = 0;
  let probed = 0;
  let accepted = 0;
  for (const [poolName, providers] of poolProviders) {
    for (const { provider, stack: b } of providers) {
      tried += totalTokens - tokens[b]!.size;
      const pinned = conditionSubjects(provider.attributeCondition);
      const candidates =
        pinned === undefined
          ? tokens.flatMap((map, a) => (a === b ? [] : [...map].map(([service, token]) => ({ stack: a, service, token }))))
          : [...new Set(pinned)].flatMap((s) => bySubject.get(s) ?? []).filter((c) => c.stack !== b);
      for (const { stack: a, service, token } of candidates) {
        probed++;
        const admission = gcpProviderAdmits(provider, token);
        if (!admission.admitted) continue;
        accepted++;
        findings.push({
          kind: "cross-stack-probe",
          stacks: [models[a]!.stack, models[b]!.stack],
          message: `GCP provider ${provider.id} (pool ${poolName.split("/").pop()}) of stack ${models[b]!.stack} admits the token of ${models[a]!.stack}/${service} by itself, as subject ${admission.subject}${poolShared(poolProviders.get(poolName)!, b) ? `: the pool is shared, so that principal holds every grant made to it in the pool` : ""}`,
        });
      }
    }
  }

  // One key, one service, across the organisation.
  const keyUse = new Map<string, { stack: string; service: string; key: { fingerprint: string; label: string } }>();
  for (const model of models) {
    for (const service of model.services) {
      for (const key of service.auth.keys) {
        const earlier = keyUse.get(key.fingerprint);
        if (!earlier) keyUse.set(key.fingerprint, { stack: model.stack, service: service.key, key });
        else if (earlier.stack !== model.stack) {
          findings.push({
            kind: "shared-client-key",
            stacks: [model.stack, earlier.stack],
            message: `${model.stack}/${service.key} registers the same ${key.label.startsWith("jwksUri") ? key.label : `public key (${key.label})`} as ${earlier.stack}/${earlier.service} (${earlier.key.label}${sameKeySourceNote(key, earlier.key)}): each can authenticate to Okta as the other and obtain its tokens`,
          });
        }
      }
    }
  }

  // Names unique per account, org, project, pool or resource group: each stack's own resources
  // (a team stack's platform objects are the platform's).
  const uniqueness: Record<string, number> = {};
  const named = new Map<string, { stack: string; thing: NamedThing }>();
  for (const [i, plan] of ownQualified.entries()) {
    for (const thing of uniqueNames(plan)) {
      uniqueness[thing.kind] = (uniqueness[thing.kind] ?? 0) + 1;
      const id = `${thing.kind}|${thing.caseless ? thing.scope.toLowerCase() : thing.scope}|${thing.caseless ? thing.name.toLowerCase() : thing.name}`;
      const earlier = named.get(id);
      if (!earlier) named.set(id, { stack: models[i]!.stack, thing });
      else if (earlier.stack !== models[i]!.stack) {
        const spelled = earlier.thing.name === thing.name ? "" : ` (spelled ${earlier.thing.name} there)`;
        findings.push({
          kind: "duplicate-name",
          stacks: [models[i]!.stack, earlier.stack],
          message: `${thing.kind} ${thing.name} in ${thing.scope} is in stack ${models[i]!.stack} (${thing.resource}) and in stack ${earlier.stack} (${earlier.thing.resource}${spelled}): ${CONSEQUENCE[thing.kind]}`,
        });
      }
    }
  }

  // Okta priority bands and the deployed policy order, per server shared by team stacks.
  const layout: OrgLayoutStack[] = [];
  const teamsByServer = new Map<string, Array<{ stack: string; bands: number[]; state: boolean; policies: Array<{ name: string; priority: unknown }> }>>();
  for (const [i, input] of inputs.entries()) {
    const link = links[i];
    if (!link) {
      if (isPlatformPlan(input.plan)) layout.push({ stack: input.plan.stack, kind: "platform" });
      continue;
    }
    const plan = ownQualified[i]!;
    const server = readServerId(plan) ?? "unknown";
    const policies = [...policiesOf(plan).values()].flat();
    const contract = platformContractOf(givenPlatform[i]?.plan) ?? link.contract;
    const contractBand = link.team !== undefined ? contract?.teams?.[link.team]?.oktaPriorityBand : undefined;
    // A plan's priorities are the ones its policies are created with; an export's are Okta's (renumbered): then the contract's band.
    const planned = input.state ? [] : policies.map((p) => oktaPriorityBandOf(p.priority)).filter((b): b is number => b !== undefined);
    const bands = [...new Set(planned.length ? planned : contractBand !== undefined ? [contractBand] : [])].sort((x, y) => x - y);
    layout.push({ stack: input.plan.stack, kind: "team", platform: link.platform, platformGiven: givenPlatform[i] !== undefined, bands });
    const key = `${oktaOrg(plan)}|${server}`;
    teamsByServer.set(key, [...(teamsByServer.get(key) ?? []), { stack: input.plan.stack, bands, state: input.state === true, policies }]);
  }
  const bands: Array<{ server: string; stacks: ReadonlyArray<{ stack: string; bands: readonly number[] }> }> = [];
  for (const [key, teams] of teamsByServer) {
    const server = key.split("|").slice(1).join("|");
    bands.push({ server, stacks: teams.map(({ stack, bands: b }) => ({ stack, bands: b })) });
    for (const message of bandFindings(server, teams)) findings.push({ kind: "okta-band", stacks: teams.map((t) => t.stack), message });
    // What is deployed: the order over every export sharing the server (never one team's alone).
    const deployed = teams.filter((t) => t.state);
    if (deployed.length) {
      const planned = teams.filter((t) => !t.state).map((t) => t.stack);
      for (const message of orgPolicyOrderFindings(server, deployed.map((t) => ({ stack: t.stack, policies: t.policies })))) {
        findings.push({ kind: "policy-order", stacks: deployed.map((t) => t.stack), message: planned.length ? `${message} (given as plans, not exports: ${planned.join(", ")})` : message });
      }
    }
  }

  // Identity-admin grants reaching other stacks' identities, judged by the same predicates
  // (identityAdminGrants.ts) over the other stacks' targets.
  const takeovers: CrossStackTakeover[] = [];
  const holders = stacks.map((s, i) => (s.result.identityAdmin.length ? i : -1)).filter((i) => i >= 0);
  if (holders.length) {
    const foreignOf = (i: number) =>
      models.flatMap((m, j) => (j === i ? [] : m.targets.map((t) => ({ ...t, id: `${m.stack}:${t.id}`, owner: `${m.stack}/${t.owner}`, grants: [] }))));
    const labels = new Map<string, { stack: string; target: string; label: string }>();
    for (const m of models) for (const t of m.targets) labels.set(`${m.stack}:${t.id}`, { stack: m.stack, target: t.id, label: t.label });
    // The stack that holds each pool (a platform's): administering it reaches every team's principals in it.
    const poolOwner = new Map<string, string>();
    for (const plan of ownQualified) {
      for (const r of plan.resources) if (r.type === "gcp:iam/workloadIdentityPool:WorkloadIdentityPool" && r.operation !== "read") poolOwner.set(String(get(r, "name")), plan.stack);
    }
    for (const i of holders) {
      const model = extractModel(combined[i]!, { foreignTargets: foreignOf(i) });
      for (const grant of model.identityAdminGrants) {
        const pools = (grant.administeredPools ?? [])
          .filter((name) => poolOwner.has(name) && poolOwner.get(name) !== model.stack)
          .map((name) => ({ stack: poolOwner.get(name)!, target: `gcp-pool:${name.split("/").pop()}`, label: `GCP pool ${name.split("/").pop()} (its providers decide every principal of the pool)` }));
        if (!grant.crossStackReach?.length && pools.length === 0) continue;
        const reach = [...(grant.crossStackReach ?? []).map((id) => labels.get(id)!).filter(Boolean), ...pools];
        takeovers.push({ stack: model.stack, service: grant.service, grant: grant.grant, why: grant.why, accepted: grant.accepted, reach });
        if (grant.accepted) continue;
        const otherStacks = [...new Set(reach.map((r) => r.stack))];
        findings.push({
          kind: "cross-stack-takeover",
          stacks: [model.stack, ...otherStacks],
          message: `${model.stack}/${grant.service} holds ${grant.grant}, which ${grant.why}: it could take over identities of ${otherStacks.length === 1 ? "stack" : "stacks"} ${otherStacks.join(", ")}: ${takeoverList(reach)} (no allowIdentityAdmin opt-in)`,
        });
      }
    }
  }

  return {
    passed: stacks.every((s) => s.result.passed) && findings.length === 0,
    stacks,
    sharedIssuers: sharedIssuers(models),
    crossStack: { cells, evaluated, allowed, probes: { tried, evaluated: probed, accepted }, takeovers },
    uniqueness,
    layout,
    bands,
    findings,
  };
}

/** Reached targets in words, by stack: "team-data-stage: GCP direct grants warehouse, GCP service account …". */
export function takeoverList(reach: CrossStackTakeover["reach"], max = 5): string {
  const by = new Map<string, string[]>();
  for (const r of reach) by.set(r.stack, [...(by.get(r.stack) ?? []), r.label]);
  return [...by].map(([stack, labels]) => `${stack}: ${labels.length > max ? `${labels.slice(0, max).join(", ")} and ${labels.length - max} more` : labels.join(", ")}`).join("; ");
}

/** Whether a pool holds providers of other stacks than `stack` (one pool shared by team stacks). */
const poolShared = (providers: ReadonlyArray<{ stack: number }>, stack: number) => providers.some((p) => p.stack !== stack);

/** The platform contract a platform's plan or export exports, if any. */
function platformContractOf(plan: PlanDocument | undefined): PlatformOutputsV1 | undefined {
  const contract = plan?.outputs?.[PLATFORM_OUTPUT] as PlatformOutputsV1 | undefined;
  return typeof contract === "object" && contract !== null ? contract : undefined;
}

/** Issuers used by more than one stack (its services' tokens or its trusts), with their audiences. */
function sharedIssuers(models: readonly TrustModel[]): OrgResult["sharedIssuers"] {
  const by = new Map<string, { audiences: Set<string>; stacks: Set<string> }>();
  for (const model of models) {
    for (const issuer of model.issuers) {
      const entry = by.get(issuer.issuer) ?? { audiences: new Set<string>(), stacks: new Set<string>() };
      entry.audiences.add(issuer.audience);
      entry.stacks.add(model.stack);
      by.set(issuer.issuer, entry);
    }
  }
  return [...by]
    .filter(([, e]) => e.stacks.size > 1)
    .map(([issuer, e]) => ({ issuer, audiences: [...e.audiences].sort(), stacks: [...e.stacks] }));
}
