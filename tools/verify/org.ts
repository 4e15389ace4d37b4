/**
 * One proof over the organisation: several stacks' plans or exports verified at once. Each stack
 * is verified on its own exactly as `verify` does (extractModel, verifyModel); then, across stacks,
 * every service's token is evaluated against every other stack's trusts (the cross-stack matrix,
 * orgMatrix.ts, by the same evaluators: `decide`, `admittedSubjects`), and what must be unique in
 * the organisation is checked (orgUniqueness.ts): client keys, AWS role names and OIDC provider URLs
 * per account, Okta app labels per Okta org, GCP pools and service accounts per project, GCP pool
 * provider ids and principals per pool, Azure identity names per resource group. Platform and team
 * stacks (layout.ts, orgLayout.ts): each team stack is verified with its platform's shared objects;
 * a shared pool is one trust across stacks (orgPools.ts: every stack's providers of it, each probed
 * with the other stacks' tokens); team stacks of one server must hold distinct Okta priority bands,
 * and their deployed policy order is judged over all of them; a team whose platform is not given is
 * reported; identity-admin grants are judged against the other stacks' identities too (orgReach.ts);
 * the quotas of a GCP project or AWS account that several stacks share are summed (orgQuotas.ts).
 * Services are indexed by client id and tokens by subject, so nothing grows with services x
 * services across stacks. No trust rule is restated here; this file orchestrates and holds the types.
 */
import { withPlatform } from "./layout";
import { extractModel, type PlanDocument } from "./model";
import { qualifier, qualifyPlaceholders } from "./orgDocuments";
import { layoutAndBands, platformLinks } from "./orgLayout";
import { crossStackMatrix, sharedIssuers } from "./orgMatrix";
import { poolProbes, sharePools } from "./orgPools";
import { sharedQuotas, type SharedQuota } from "./orgQuotas";
import { crossStackTakeovers, type CrossStackTakeover } from "./orgReach";
import { duplicateNames, sharedKeyFindings } from "./orgUniqueness";
import { verifyModel, type TokenClaims, type VerifyResult } from "./verify";

export { qualifier, qualifyPlaceholders } from "./orgDocuments";
export { oktaOrg, uniqueNames } from "./orgUniqueness";
export { takeoverList, type CrossStackTakeover } from "./orgReach";
export type { SharedQuota } from "./orgQuotas";

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
    | "cross-stack-takeover"
    | "shared-quota";
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
  /**
   * Quotas of a GCP project or AWS account that objects of more than one stack count against, summed
   * (orgQuotas.ts): over a hard limit is a finding, over a default quota an advisory.
   */
  readonly sharedQuotas: readonly SharedQuota[];
  readonly findings: readonly OrgFinding[];
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

/** Refused before any proof (exit code 2): two inputs of one stack. */
export class OrgInputError extends Error {}

/**
 * Verifies every stack on its own, then the organisation: the cross-stack matrix, the GCP providers
 * of each shared pool probed with every other stack's tokens, the uniqueness checks, the platform
 * and team layout (each team's platform given, distinct Okta priority bands, the deployed policy
 * order over every stack sharing a server), identity-admin grants reaching other stacks and the
 * quotas the stacks share.
 */
export async function verifyOrganisation(inputs: readonly OrgInput[]): Promise<OrgResult> {
  const seen = new Map<string, string>();
  for (const input of inputs) {
    const earlier = seen.get(input.plan.stack);
    if (earlier !== undefined) throw new OrgInputError(`${input.source} and ${earlier} are both stack ${input.plan.stack}: an organisation holds each stack once (compare two versions of one stack with --base)`);
    seen.set(input.plan.stack, input.source);
  }

  // The layout: each team stack's platform, among the inputs when given.
  const platforms = platformLinks(inputs);
  const { links, givenPlatform } = platforms;
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
  const { models, poolProviders } = sharePools(combined.map((plan) => extractModel(plan)));

  // Each service's token: the one its stack's proof signed and verified, with the placeholders qualified as its plan's.
  const tokens = stacks.map((stack, i) => {
    const qualify = qualifier(inputs[i]!.plan, platformPlanOf(i));
    const map = new Map<string, TokenClaims>();
    for (const service of stack.result.services) if (service.claims) map.set(service.key, qualify(service.claims) as TokenClaims);
    return map;
  });

  const matrix = crossStackMatrix(models, tokens);
  const probed = poolProbes(models, poolProviders, tokens);
  const names = duplicateNames(ownQualified, models.map((m) => m.stack));
  const placed = layoutAndBands(inputs, platforms, ownQualified);
  const reach = crossStackTakeovers(stacks, models, combined, ownQualified);
  // Each stack's own objects once; a platform that is not given, once as planned beside its teams.
  const counted = new Map(ownQualified.map((plan) => [plan.stack, plan]));
  for (const i of inputs.keys()) {
    const platform = links[i] && !givenPlatform[i] ? qualifiedPlatform(i) : undefined;
    if (platform && !counted.has(platform.stack)) counted.set(platform.stack, platform);
  }
  const quotas = sharedQuotas([...counted].map(([stack, plan]) => ({ stack, plan })));

  const findings: OrgFinding[] = [
    ...platforms.findings,
    ...matrix.findings,
    ...probed.findings,
    ...sharedKeyFindings(models),
    ...names.findings,
    ...placed.findings,
    ...reach.findings,
    ...quotas.findings,
  ];
  return {
    passed: stacks.every((s) => s.result.passed) && findings.length === 0,
    stacks,
    sharedIssuers: sharedIssuers(models),
    crossStack: { cells: matrix.cells, evaluated: matrix.evaluated, allowed: matrix.allowed, probes: probed.probes, takeovers: reach.takeovers },
    uniqueness: names.uniqueness,
    layout: placed.layout,
    bands: placed.bands,
    sharedQuotas: quotas.quotas,
    findings,
  };
}
