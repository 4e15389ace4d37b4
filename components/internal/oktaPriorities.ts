/**
 * The priorities of the kit's authorization-server policies: the one each policy is created with,
 * and what verify --state reports about the ones a refreshed state records. No Pulumi here: the
 * components send {@link oktaPolicyPriority}; verify applies {@link policyOrderFindings} to stack
 * exports.
 *
 * Sources (each fact the code relies on is cited where it is used):
 * - okta/terraform-provider-okta v6.12.0 (e59c130b; @pulumi/okta 7.0.0 bridges v7.0.0, whose source
 *   is not available offline; the schema facts below match the 7.0.0 SDK's own types):
 *   okta/services/idaas/resource_okta_auth_server_policy.go.
 * - Okta: help.okta.com "Create access policies" (policies are evaluated in priority order; the
 *   first policy and rule that match decide); developer.okta.com guide "Policy and rule
 *   prioritization" (okta-developer-docs …/guides/policy-rule-prioritization/main/index.md:
 *   a create at a priority in use shifts the ones at and below it down by one); the behaviour of
 *   authorization-server policies seen in okta/terraform-provider-okta#190 (a policy created
 *   without a priority goes to the bottom, "if I have 49, the next … 50"), #1198 (parallel creates
 *   at one priority answered 500; every policy at 99999 worked), #1065 and #2140 (a priority
 *   beyond the count is not kept: Okta stores the policy at the bottom) and #2833 (Okta keeps one
 *   server's priorities contiguous).
 */

// ---------------------------------------------------------------------------------------------
// Priorities
// ---------------------------------------------------------------------------------------------

/**
 * The priority a policy is created with on a server the kit creates: beyond any count of policies
 * a server holds, so Okta puts each new policy at the bottom and moves no other (a create at a
 * priority in use shifts the ones below it; a priority beyond the count is stored as the last:
 * okta/terraform-provider-okta#190, #2140). 10,000 is far above any stack's services (a stack file
 * is at most 4 MiB, about 4,000 services) and within what Okta was seen to accept (99,999 in #1198).
 */
export const OKTA_POLICY_BOTTOM = 10_000;

/**
 * A service's policy priority, from its rank (1-based) among its server's services in key order:
 * - a server the kit creates: {@link OKTA_POLICY_BOTTOM} + rank, so every create lands at the
 *   bottom and renumbers nothing; on a first deploy, written in key order, the policies hold 1 to N;
 * - an adopted server: the rank itself, so the kit's policies stay above the server's own ones
 *   (Okta evaluates policies by priority and the first policy and rule that match decide: a
 *   pre-existing policy for all clients, as the `default` server has, would otherwise decide the
 *   kit's tokens). Each create moves the server's own policies (and the kit's after it) down by one.
 * Distinct within a server either way. The priority is then ignored (`ignoreChanges`): Okta keeps
 * a server's priorities contiguous, so the number it stores differs from the one sent, and an
 * update re-sends the priority last read into state (the bridge drops an ignored attribute from
 * the diff, pulumi-terraform-bridge pkg/tfshim/sdk-v2 processIgnoreChanges; the provider sends
 * `d.Get("priority")`, resource_okta_auth_server_policy.go buildAuthServerPolicy).
 */
export function oktaPolicyPriority(server: "created" | "adopted", rank: number): number {
  return server === "created" ? OKTA_POLICY_BOTTOM + rank : rank;
}

/**
 * Priority bands of team stacks that share the platform stack's authorization server: the
 * platform gives each team a band (platform config `teams.<team>.oktaPriorityBand`), and a team's
 * policies are created at {@link OKTA_POLICY_BOTTOM} + band x width + rank. Two teams deploying at
 * the same time therefore never create policies at one priority (parallel creates at one priority
 * were answered 500, okta/terraform-provider-okta#1198), and each create still lands at the bottom
 * (beyond the count) and moves no other stack's policies (#190, #2140). A policy names only its own
 * client, so the order between teams' policies decides nothing. 40 bands of 2,000 keep every
 * priority under 99,999, the largest value Okta was seen to accept (#1198); a team stack holds at
 * most 2,000 services (one band), and a larger team is split over two team stacks.
 */
export const OKTA_PRIORITY_BANDS = { count: 40, width: 2_000 } as const;

/** A team stack's policy priority: its band's base plus its rank among the team's services (1-based). */
export function oktaBandPriority(band: number, rank: number): number {
  return OKTA_POLICY_BOTTOM + band * OKTA_PRIORITY_BANDS.width + rank;
}

// ---------------------------------------------------------------------------------------------
// Deployed priorities (verify --state)
// ---------------------------------------------------------------------------------------------

export interface DeployedPolicy {
  /** The policy's name in Okta (the kit names it `<environment>-<service>`). */
  readonly name: string;
  /** Its priority as the state last recorded it (after `pulumi refresh`, Okta's). */
  readonly priority: unknown;
}

/** Names joined for a message ("a, b and c"), the first `max` of them and how many more. */
export const list = (names: readonly string[], max = 3): string => {
  if (names.length > max) return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
};

const ranges = (values: readonly number[]): string => {
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    parts.push(j === i ? `${values[i]}` : `${values[i]}-${values[j]}`);
    i = j + 1;
  }
  return list(parts, parts.length);
};

/**
 * What verify --state reports about the kit's policies of one server, as a refreshed state records
 * their priorities: nothing when they hold the top of the server's order, otherwise one finding.
 * Okta keeps one server's priorities contiguous from 1 and distinct (a create at a priority in use
 * shifts the others; a priority beyond the count goes to the bottom), so the kit's N policies must
 * hold exactly 1 to N: a priority up to the largest one that none of them holds is held by a policy
 * outside the stack, which Okta evaluates first and which decides the tokens of every client it
 * names (the first policy and rule that match decide). Two of them at one priority, or a missing
 * priority, means the state predates Okta's renumbering: the order cannot be checked, which is a
 * finding too (refresh and export again).
 */
export function policyOrderFindings(server: string, policies: readonly DeployedPolicy[]): string[] {
  return orderFindings(server, policies, { none: "this stack", outside: "the stack" });
}

/** The words of an order finding: whose policies were given, and what lies outside them. */
interface OrderWords {
  /** "this stack", or "the given stacks (a and b)". */
  readonly none: string;
  /** "the stack", or "them". */
  readonly outside: string;
}

function orderFindings(server: string, policies: readonly DeployedPolicy[], words: OrderWords): string[] {
  if (policies.length === 0) return [];
  const missing = policies.filter((p) => typeof p.priority !== "number" || !Number.isInteger(p.priority) || p.priority < 1).map((p) => p.name);
  if (missing.length) {
    return [`authorization server ${server}: the state records no priority for ${missing.length === 1 ? "policy" : "policies"} ${list(missing)}, so the order of its policies was not checked: run pulumi refresh, export again and verify`];
  }
  const at = new Map<number, string[]>();
  for (const p of policies) (at.get(p.priority as number) ?? at.set(p.priority as number, []).get(p.priority as number)!).push(p.name);
  const shared = [...at].filter(([, names]) => names.length > 1).sort(([a], [b]) => a - b);
  if (shared.length) {
    const [priority, names] = shared[0]!;
    return [
      `authorization server ${server}: policies ${list(names.sort())} all hold priority ${priority} in the state, which Okta never stores for two policies of one server: the state predates Okta's renumbering, so the order of its policies was not checked; run pulumi refresh, export again and verify`,
    ];
  }
  const held = [...at.keys()].sort((a, b) => a - b);
  const top = held[held.length - 1]!;
  const gaps: number[] = [];
  for (let q = 1; q <= top; q++) if (!at.has(q)) gaps.push(q);
  if (gaps.length === 0) return [];
  const below = held.filter((p) => p > gaps[0]!).map((p) => at.get(p)![0]!);
  const one = gaps.length === 1;
  return [
    `authorization server ${server}: ${one ? "priority" : "priorities"} ${ranges(gaps)} ${one ? "is" : "are"} held by no policy of ${words.none}, so Okta evaluates ${one ? "a policy" : "policies"} from outside ${words.outside} before ${list(below)}; ` +
      `if ${one ? "that policy" : "one of them"} names their clients (or all clients), it decides their scopes and token lifetime. Move the kit's policies above it in the Okta console and run pulumi refresh ` +
      `(if a service was removed since the last refresh, run pulumi refresh and export again first: Okta moved the policies below it up)`,
  ];
}

// ---------------------------------------------------------------------------------------------
// Across the stacks of an organisation (verify over several stacks, tools/verify/org.ts)
// ---------------------------------------------------------------------------------------------

/**
 * The band a priority of {@link oktaBandPriority} lies in, or undefined for a priority outside
 * every band (a single stack's, {@link oktaPolicyPriority}).
 */
export function oktaPriorityBandOf(priority: unknown): number | undefined {
  if (typeof priority !== "number" || !Number.isInteger(priority)) return undefined;
  const offset = priority - OKTA_POLICY_BOTTOM - 1;
  if (offset < OKTA_PRIORITY_BANDS.width) return undefined;
  const band = Math.floor(offset / OKTA_PRIORITY_BANDS.width);
  return band >= 1 && band <= OKTA_PRIORITY_BANDS.count ? band : undefined;
}

/**
 * What verify over several stacks reports about the deployed order of one server's policies, from
 * the exports of every stack that shares it (a platform's team stacks): the same rule as
 * {@link policyOrderFindings}, judged over the union. One team's policies alone never hold 1 to N
 * (the other teams' hold the rest), so a team stack's order is judged only here; a team stack not
 * given leaves its priorities unheld, which is reported as a policy from outside the given stacks.
 */
export function orgPolicyOrderFindings(server: string, stacks: ReadonlyArray<{ readonly stack: string; readonly policies: readonly DeployedPolicy[] }>): string[] {
  const names = stacks.map((s) => s.stack);
  const policies = stacks.flatMap((s) => s.policies.map((p) => ({ name: `${s.stack}/${p.name}`, priority: p.priority })));
  return orderFindings(server, policies, { none: `the given stacks (${list(names, names.length)})`, outside: "them" });
}

/**
 * Team stacks of one server that create their policies in one priority band (their platform's
 * `teams.<team>.oktaPriorityBand`): one finding per band claimed twice. Bands exist so that teams
 * deploying at once never create policies at one priority (answered 500 for parallel creates,
 * okta/terraform-provider-okta#1198).
 */
export function bandFindings(server: string, stacks: ReadonlyArray<{ readonly stack: string; readonly bands: readonly number[] }>): string[] {
  const holders = new Map<number, string[]>();
  for (const s of stacks) for (const band of new Set(s.bands)) holders.set(band, [...(holders.get(band) ?? []), s.stack]);
  return [...holders]
    .filter(([, held]) => held.length > 1)
    .sort(([a], [b]) => a - b)
    .map(
      ([band, held]) =>
        `authorization server ${server}: team stacks ${list(held, held.length)} all create their Okta policies in priority band ${band}: deploying at once, they create policies at one priority (which Okta answered with errors, okta/terraform-provider-okta#1198); give each team stack its own team and band in the platform config (teams.<team>.oktaPriorityBand)`,
    );
}
