/**
 * Platform and team stacks (stacks/organisation.ts) as verify reads them. A platform stack
 * (`oktafed:index:Platform`) holds the shared trust objects and no services; a team stack reads it
 * through a StackReference (`platform`) and deploys its services on the platform's objects: it reads
 * the platform's authorization server, trusts the platform's IAM OIDC provider and adds its own
 * providers to the platform's GCP pool. Its plan or export alone therefore lacks the server's scopes
 * and claims, the OIDC providers and the pool: {@link withPlatform} adds them, from the platform's
 * own plan or export when verify has it, else from the platform contract the team's StackReference
 * read (which a plan and an export both record). Nothing here judges trust: it only assembles the
 * resources the model (model.ts) reads.
 */
import type { PlatformOutputsV1 } from "../../components/platformContract";
import type { PlanDocument, PlanResource } from "./modelTypes";
import { get } from "./planLookup";

/** The Platform component's type token (components/platform.ts). */
export const PLATFORM_COMPONENT = "oktafed:index:Platform";
export const STACK_REFERENCE = "pulumi:pulumi:StackReference";
/** The StackReference's logical name and the platform's output name (types-only module, no Pulumi). */
import { PLATFORM_OUTPUT } from "../../components/platformContract";
export { PLATFORM_OUTPUT };

const SCOPE = "okta:auth/serverScope:ServerScope";
const CLAIM = "okta:auth/serverClaim:ServerClaim";
const HOOK = "okta:inline/hook:Hook";
const SERVER = "okta:auth/server:Server";
const OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const POOL = "gcp:iam/workloadIdentityPool:WorkloadIdentityPool";

/** The platform's objects a team's trust rests on, in the order they are counted. */
const SHARED_KINDS: ReadonlyArray<readonly [string, string, string]> = [
  [SERVER, "authorization server", "authorization servers"],
  [SCOPE, "scope", "scopes"],
  [CLAIM, "claim", "claims"],
  [HOOK, "token hook", "token hooks"],
  [OIDC_PROVIDER, "AWS OIDC provider", "AWS OIDC providers"],
  [POOL, "GCP pool", "GCP pools"],
];

/** Where a team's view of its platform came from: the platform's plan or export, or the contract its StackReference read. */
export interface PlatformSource {
  /** The platform stack's name as the team names it, e.g. acme/okta-federation/platform-stage. */
  readonly name: string;
  readonly from: "plan" | "state" | "contract" | "none";
  /** Why the platform's own plan was not used, when it was not. */
  readonly note?: string;
}

/** A plan or export with the team's platform objects added ({@link withPlatform}). */
export interface CombinedPlan extends PlanDocument {
  readonly platformSource?: PlatformSource;
}

/** A team stack's link to its platform: the stack it names and the contract it read. */
export interface TeamLink {
  /** As the team's config names it, e.g. acme/okta-federation/platform-stage. */
  readonly platform: string;
  /** The stack name alone (the last segment), as a plan or export names its stack. */
  readonly platformStack: string;
  /** The platform contract the StackReference read, when the document records it. */
  readonly contract?: PlatformOutputsV1;
  /** The team's name (its stack output `team`), when recorded. */
  readonly team?: string;
}

/** The last segment of a stack name (`org/project/stack`): how plans and exports name their stack. */
export const stackNameOf = (name: string): string => name.split("/").pop() ?? name;

/** True for a platform stack's plan or export. */
export function isPlatformPlan(plan: PlanDocument): boolean {
  return plan.resources.some((r) => r.type === PLATFORM_COMPONENT);
}

/** A team stack's link to its platform, or undefined for any other stack. */
export function teamLink(plan: PlanDocument): TeamLink | undefined {
  const reference = plan.resources.find((r) => r.type === STACK_REFERENCE && r.name === PLATFORM_OUTPUT);
  if (!reference) return undefined;
  const name = typeof get(reference, "name") === "string" ? String(get(reference, "name")) : String(reference.id ?? "");
  // A plan records what the reference read under afterDeploy.outputs, an export under outputs (merged into inputs by stateToPlan).
  const outputs = (reference.inputs.outputs ?? reference.afterDeploy?.outputs) as Record<string, unknown> | undefined;
  const contract = outputs?.[PLATFORM_OUTPUT];
  const team = plan.outputs?.team;
  return {
    platform: name,
    platformStack: stackNameOf(name),
    ...(isContract(contract) ? { contract } : {}),
    ...(typeof team === "string" ? { team } : {}),
  };
}

const isContract = (value: unknown): value is PlatformOutputsV1 =>
  typeof value === "object" && value !== null && typeof (value as { okta?: { authorizationServerId?: unknown } }).okta?.authorizationServerId === "string";

/** The authorization server id a team stack reads (its read server), or undefined. */
export function readServerId(plan: PlanDocument): string | undefined {
  const server = plan.resources.find((r) => r.type === SERVER && r.operation === "read");
  const id = server ? get(server, "id") : undefined;
  return typeof id === "string" ? id : undefined;
}

/** The authorization server id a platform stack creates (or adopts), or undefined. */
export function platformServerId(plan: PlanDocument): string | undefined {
  const server = plan.resources.find((r) => r.type === SERVER);
  const id = server ? get(server, "id") : undefined;
  return typeof id === "string" ? id : undefined;
}

/** The shared trust objects of a platform's plan or export (its server, scopes, claims, hook, OIDC providers, pools). */
export function sharedObjects(platform: PlanDocument): PlanResource[] {
  const kinds = new Set(SHARED_KINDS.map(([type]) => type));
  return platform.resources.filter((r) => kinds.has(r.type));
}

/** The shared objects in words, e.g. "authorization server services-stage, 3 scopes, 1 claim, 2 AWS OIDC providers, 1 GCP pool". */
export function sharedObjectWords(objects: readonly PlanResource[]): string {
  const parts: string[] = [];
  for (const [type, one, many] of SHARED_KINDS) {
    const of = objects.filter((r) => r.type === type);
    if (of.length === 0) continue;
    if (type === SERVER && of.length === 1) parts.push(`${one} ${typeof get(of[0]!, "name") === "string" ? String(get(of[0]!, "name")) : `adopted ${String(get(of[0]!, "id"))}`}`);
    else parts.push(`${of.length} ${of.length === 1 ? one : many}`);
  }
  return parts.join(", ");
}

/**
 * The platform objects the contract describes, as the resources the model reads: the server's
 * scopes and claims (by the server id the team reads), each account's OIDC provider by its ARN and
 * the issuer URL (its client ids are not in the contract: not checked, as for an adopted provider),
 * and the pool. Marked as read: the team does not manage them.
 */
export function contractObjects(contract: PlatformOutputsV1, platformStack: string): PlanResource[] {
  const make = (type: string, name: string, inputs: Record<string, unknown>): PlanResource => ({
    urn: `urn:pulumi:${platformStack}::platform-contract::${type}::${name}`,
    type,
    name,
    parent: null,
    operation: "read",
    inputs,
  });
  const okta = contract.okta;
  const objects: PlanResource[] = [];
  for (const scope of okta.scopes ?? []) objects.push(make(SCOPE, `platform-contract-scope-${scope}`, { authServerId: okta.authorizationServerId, name: scope }));
  for (const [name, claim] of Object.entries(okta.claims ?? {})) {
    const c = claim as { value?: string; expression?: string; scopes?: string[] };
    const value = c.value !== undefined ? JSON.stringify(c.value) : String(c.expression ?? "");
    objects.push(make(CLAIM, `platform-contract-claim-${name}`, { authServerId: okta.authorizationServerId, name, value, ...(c.scopes?.length ? { scopes: c.scopes } : {}) }));
  }
  for (const [account, spec] of Object.entries(contract.aws?.accounts ?? {})) {
    objects.push(make(OIDC_PROVIDER, `platform-contract-aws-oidc-${account}`, { arn: spec.oidcProviderArn, url: okta.issuerUrl }));
  }
  if (contract.gcp) {
    objects.push(make(POOL, "platform-contract-gcp-pool", { name: contract.gcp.poolName, project: contract.gcp.project, workloadIdentityPoolId: contract.gcp.poolId }));
  }
  return objects;
}

/**
 * A team stack's plan or export with its platform's shared objects added: from `platform` (the
 * platform's plan or export) when given and it holds the server the team reads, else from the
 * contract the team's StackReference read. Any other document is returned as is. `how`: how the
 * platform's document was had, said beside it (e.g. "planned from the stack file beside the team's").
 */
export function withPlatform(team: PlanDocument, platform?: PlanDocument, how?: string): CombinedPlan {
  const link = teamLink(team);
  if (!link) return team;
  const readId = readServerId(team);
  let source: PlatformSource;
  let objects: PlanResource[];
  if (platform && platformServerId(platform) === readId) {
    objects = sharedObjects(platform).filter((r) => r.type !== SERVER);
    source = { name: link.platform, from: platform.kind === "pulumi/stack-export" ? "state" : "plan", ...(how ? { note: how } : {}) };
  } else if (link.contract) {
    objects = contractObjects(link.contract, link.platformStack);
    const note = platform ? `the platform's ${platform.kind === "pulumi/stack-export" ? "export" : "plan"} holds server ${String(platformServerId(platform))}, not ${String(readId)} that the team reads` : undefined;
    source = { name: link.platform, from: "contract", ...(note ? { note } : {}) };
  } else {
    objects = [];
    source = { name: link.platform, from: "none" };
  }
  const own = new Set(team.resources.map((r) => r.urn));
  return { ...team, resources: [...team.resources, ...objects.filter((r) => !own.has(r.urn))], platformSource: source };
}
