/**
 * One proof over the organisation: several stacks' plans or exports verified at once. Each stack
 * is verified on its own exactly as `verify` does (extractModel, verifyModel); then, across stacks,
 * every service's token is evaluated against every other stack's trusts (the cross-stack matrix, by
 * the same evaluators: `decide`, `admittedSubjects`), and what must be unique in the organisation
 * is checked: client keys (clientKeys.ts fingerprints), AWS role names and OIDC provider URLs per
 * account, Okta app labels per Okta org, GCP pools and service accounts per project, GCP principals
 * per pool, Azure identity names per resource group. No trust rule is restated here.
 */
import { sameKeySourceNote } from "../../components/internal/clientKeys";
import { extractModel, type PlanDocument, type PlanResource, type TrustModel } from "./model";
import { STATE_KIND } from "./state";
import { admittedSubjects, decide, gcpProviderAdmits, signAndVerify, tokenFor, verifyModel, type TokenClaims, type VerifyResult } from "./verify";

/** One input of the organisation: its plan or export, and where it was read from. */
export interface OrgInput {
  /** Where it came from, e.g. "stack dev", "plan dev-plan.json", "state prod-state.json". */
  readonly source: string;
  readonly plan: PlanDocument;
  /** A stack export (what is deployed) rather than a plan. */
  readonly state?: boolean;
}

export interface OrgStack {
  readonly source: string;
  readonly state: boolean;
  readonly result: VerifyResult;
}

export interface OrgFinding {
  readonly kind: "cross-stack-allow" | "cross-stack-probe" | "shared-client-key" | "duplicate-name";
  /** The two stacks involved: the one found second, then the one it collides with. */
  readonly stacks: readonly [string, string];
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
    readonly probes: { readonly tried: number; readonly accepted: number };
  };
  /** How many names of each kind were compared across stacks. */
  readonly uniqueness: Readonly<Record<string, number>>;
  readonly findings: readonly OrgFinding[];
}

/** Refused before any proof (exit code 2): two inputs of one stack. */
export class OrgInputError extends Error {}

const PLACEHOLDER = /<([^<>\s]+)\.([A-Za-z]+)>/g;

/**
 * An offline plan with each placeholder of its own resources (`<name.property>`) qualified by the
 * stack (`<stack:name.property>`): a resource of one stack is not the resource of the same logical
 * name in another, so their unknown ids, client ids and issuers must not compare equal. Placeholders
 * that name no resource of the plan (a GCP project number) are the same project in every stack and
 * stay as they are. A stack export holds real values and is returned unchanged.
 */
export function qualifyPlaceholders(plan: PlanDocument): PlanDocument {
  if (plan.kind === STATE_KIND) return plan;
  const names = new Set(plan.resources.map((r) => r.name));
  const fill = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(PLACEHOLDER, (whole, name: string, property: string) => (names.has(name) ? `<${plan.stack}:${name}.${property}>` : whole));
    if (Array.isArray(value)) return value.map(fill);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  return { ...plan, resources: plan.resources.map((r) => ({ ...r, inputs: fill(r.inputs) as Record<string, any>, ...(r.afterDeploy ? { afterDeploy: fill(r.afterDeploy) as Record<string, any> } : {}) })) };
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
  "GCP principal": "one principal holds both stacks' grants: the token that reaches one stack's target reaches the other's",
  "Azure identity name": "Azure holds one identity per name in a resource group (case-insensitive): one stack cannot create it, or both manage one identity and its federated credentials",
};

const GCP_MEMBER = /^principal(Set)?:\/\/iam\.googleapis\.com\/(projects\/[^/]+\/locations\/[^/]+\/workloadIdentityPools\/[^/]+)\//;

/** The Okta org a stack's apps live in: its Okta provider's org, else its server's issuer host. */
function oktaOrg(plan: PlanDocument): string {
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

/** The services' signed and verified tokens; a service Okta mints no token for has none. */
async function tokensOf(model: TrustModel): Promise<Map<string, TokenClaims>> {
  const tokens = new Map<string, TokenClaims>();
  for (const service of model.services) {
    if (service.tokenProblem || !service.scopes) continue;
    tokens.set(service.key, (await signAndVerify(tokenFor(service))).verified);
  }
  return tokens;
}

/** Verifies every stack on its own, then the organisation: the cross-stack matrix and the uniqueness checks. */
export async function verifyOrganisation(inputs: readonly OrgInput[]): Promise<OrgResult> {
  const seen = new Map<string, string>();
  for (const input of inputs) {
    const earlier = seen.get(input.plan.stack);
    if (earlier !== undefined) throw new OrgInputError(`${input.source} and ${earlier} are both stack ${input.plan.stack}: an organisation holds each stack once (compare two versions of one stack with --base)`);
    seen.set(input.plan.stack, input.source);
  }
  const stacks: OrgStack[] = [];
  for (const input of inputs) stacks.push({ source: input.source, state: input.state === true, result: await verifyModel(extractModel(input.plan)) });

  // Across stacks, the plans' placeholders are qualified by their stack (qualifyPlaceholders).
  const qualified = inputs.map((input) => qualifyPlaceholders(input.plan));
  const models = qualified.map((plan) => extractModel(plan));
  const findings: OrgFinding[] = [];

  // The cross-stack matrix: each service of one stack at each target of another, evaluated where
  // the target's trust can admit it (the subjects it pins, or every service when it pins none).
  const tokens = await Promise.all(models.map(tokensOf));
  const byClientId = models.map((model) => {
    const map = new Map<string, TrustModel["services"][number][]>();
    for (const service of model.services) map.set(service.clientId, [...(map.get(service.clientId) ?? []), service]);
    return map;
  });
  let cells = 0;
  let evaluated = 0;
  const allowed: CrossStackCell[] = [];
  for (const [b, modelB] of models.entries()) {
    for (const target of modelB.targets) {
      const subjects = admittedSubjects(modelB, target);
      for (const [a, modelA] of models.entries()) {
        if (a === b) continue;
        cells += modelA.services.length;
        // A pinned trust: only the services whose client id it pins (the work grows with the trusts).
        const candidates = subjects === undefined ? modelA.services : [...new Set(subjects)].flatMap((s) => byClientId[a]!.get(s) ?? []);
        for (const service of candidates) {
          const token = tokens[a]!.get(service.key);
          if (!token) continue;
          evaluated++;
          const decision = decide(modelB, target, token);
          if (decision.decision !== "allow") continue;
          allowed.push({ stack: modelA.stack, service: service.key, targetStack: modelB.stack, target: target.id, reason: decision.reason });
          findings.push({
            kind: "cross-stack-allow",
            stacks: [modelA.stack, modelB.stack],
            message: `${modelA.stack}/${service.key} can reach ${target.label} of stack ${modelB.stack}, which belongs to ${modelB.stack}/${target.owner}: ${decision.reason}`,
          });
        }
      }
    }
  }

  // Each GCP pool provider on its own, with the other stacks' real tokens (AWS roles and Azure
  // credentials decide on their own in the matrix above: their trust is the target).
  let tried = 0;
  let accepted = 0;
  for (const [b, modelB] of models.entries()) {
    for (const pool of modelB.gcpPools) {
      for (const provider of pool.providers) {
        for (const [a, modelA] of models.entries()) {
          if (a === b) continue;
          for (const [service, token] of tokens[a]!) {
            tried++;
            const admission = gcpProviderAdmits(provider, token);
            if (!admission.admitted) continue;
            accepted++;
            findings.push({
              kind: "cross-stack-probe",
              stacks: [modelA.stack, modelB.stack],
              message: `GCP provider ${provider.id} (pool ${pool.name.split("/").pop()}) of stack ${modelB.stack} admits the token of ${modelA.stack}/${service} by itself, as subject ${admission.subject}`,
            });
          }
        }
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

  // Names unique per account, org, project, pool or resource group.
  const uniqueness: Record<string, number> = {};
  const named = new Map<string, { stack: string; thing: NamedThing }>();
  for (const [i, plan] of qualified.entries()) {
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

  return {
    passed: stacks.every((s) => s.result.passed) && findings.length === 0,
    stacks,
    sharedIssuers: sharedIssuers(models),
    crossStack: { cells, evaluated, allowed, probes: { tried, accepted } },
    uniqueness,
    findings,
  };
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
