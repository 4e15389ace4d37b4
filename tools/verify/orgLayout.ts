/**
 * The platform and team layout of the organisation (org.ts, layout.ts): each team stack's platform,
 * among the inputs when given (a team whose platform is not given is reported); team stacks of one
 * authorization server must hold distinct Okta priority bands, and their deployed policy order is
 * judged over all of them (oktaPriorities.ts).
 */
import { bandFindings, oktaPriorityBandOf, orgPolicyOrderFindings } from "../../components/internal/oktaPriorities";
import type { PlatformOutputsV1 } from "../../components/platformContract";
import { isPlatformPlan, PLATFORM_OUTPUT, readServerId, teamLink, type TeamLink } from "./layout";
import type { PlanDocument } from "./model";
import type { OrgFinding, OrgInput, OrgLayoutStack, OrgResult } from "./org";
import { valueOf as get } from "./orgDocuments";
import { oktaOrg } from "./orgUniqueness";

/** Each input's link to its platform (undefined: no team stack), and its platform when that stack is among the inputs. */
export interface PlatformLinks {
  readonly links: ReadonlyArray<TeamLink | undefined>;
  readonly givenPlatform: ReadonlyArray<OrgInput | undefined>;
  /** A team stack whose platform is not given, or is given but is no platform stack. */
  readonly findings: readonly OrgFinding[];
}

export function platformLinks(inputs: readonly OrgInput[]): PlatformLinks {
  const findings: OrgFinding[] = [];
  const byStack = new Map(inputs.map((input) => [input.plan.stack, input]));
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
  return { links, givenPlatform, findings };
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

/** The platform contract a platform's plan or export exports, if any. */
function platformContractOf(plan: PlanDocument | undefined): PlatformOutputsV1 | undefined {
  const contract = plan?.outputs?.[PLATFORM_OUTPUT] as PlatformOutputsV1 | undefined;
  return typeof contract === "object" && contract !== null ? contract : undefined;
}

/**
 * The platform and team stacks among the inputs, each team's Okta priority bands per server shared
 * by team stacks, and the deployed policy order over every export sharing a server. `ownQualified`
 * is each input's plan with its placeholders qualified (orgDocuments.ts).
 */
export function layoutAndBands(
  inputs: readonly OrgInput[],
  { links, givenPlatform }: PlatformLinks,
  ownQualified: readonly PlanDocument[],
): { layout: OrgLayoutStack[]; bands: Array<OrgResult["bands"][number]>; findings: OrgFinding[] } {
  const findings: OrgFinding[] = [];
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
  const bands: Array<OrgResult["bands"][number]> = [];
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
  return { layout, bands, findings };
}
