/**
 * The priorities of the kit's policies (components/internal/oktaPriorities.ts): each policy's own
 * priority, on the plan too, and what verify --state reports about the deployed priorities.
 */
import { describe, expect, it } from "vitest";
import { OKTA_POLICY_BOTTOM, oktaPolicyPriority, policyOrderFindings } from "../../components/internal/oktaPriorities";
import { type RecordedResource } from "../../tools/offline/engine";
import { planStack } from "../../tools/offline/plan";
import { fixtureStack } from "../helpers/stacks";
import { planOf } from "../helpers/oktaPlans";

describe("policy priorities", () => {
  it("each policy gets its own priority: at the bottom on a created server, the kit's rank on an adopted one", () => {
    expect([1, 2, 1000].map((rank) => oktaPolicyPriority("created", rank))).toEqual([10_001, 10_002, 11_000]);
    expect(OKTA_POLICY_BOTTOM).toBe(10_000);
    expect([1, 2, 1000].map((rank) => oktaPolicyPriority("adopted", rank))).toEqual([1, 2, 1000]);
  });
});

describe("policy priorities on the plan", () => {
  const priorities = (resources: readonly RecordedResource[]) =>
    resources.filter((x) => x.type === "okta:auth/serverPolicy:ServerPolicy").map((x) => [x.name, x.inputs.priority, x.ignoreChanges.join(",")]);

  it("dev stack: no two policies of the created server share a priority; each is created at the bottom", async () => {
    const plan = await planStack(fixtureStack("dev"));
    expect(priorities(plan.resources)).toEqual([
      ["federation-billing-export-policy", 10_001, "priority"],
      ["federation-payments-policy", 10_002, "priority"],
      ["federation-reporting-policy", 10_003, "priority"],
    ]);
  });

  it("an adopted server: the kit's policies take 1 to N, above the server's own", async () => {
    expect(priorities(await planOf(["mid", "alpha", "zeta"], { adopted: true }))).toEqual([
      ["federation-alpha-policy", 1, "priority"],
      ["federation-mid-policy", 2, "priority"],
      ["federation-zeta-policy", 3, "priority"],
    ]);
  });
});

describe("verify --state: the deployed priorities", () => {
  const server = "services-dev (aus1a2b3c4d5e6f7g8h9)";
  it("the kit's policies at the top, 1 to N in any order: nothing to report", () => {
    expect(policyOrderFindings(server, [{ name: "dev-b", priority: 1 }, { name: "dev-a", priority: 3 }, { name: "dev-c", priority: 2 }])).toEqual([]);
  });

  it("a policy outside the stack above the kit's, or between them", () => {
    expect(policyOrderFindings(server, [{ name: "dev-a", priority: 2 }, { name: "dev-b", priority: 3 }])).toEqual([
      "authorization server services-dev (aus1a2b3c4d5e6f7g8h9): priority 1 is held by no policy of this stack, so Okta evaluates a policy from outside the stack before dev-a and dev-b; if that policy names their clients (or all clients), it decides their scopes and token lifetime. Move the kit's policies above it in the Okta console and run pulumi refresh (if a service was removed since the last refresh, run pulumi refresh and export again first: Okta moved the policies below it up)",
    ]);
    expect(policyOrderFindings(server, [{ name: "dev-a", priority: 1 }, { name: "dev-b", priority: 4 }, { name: "dev-c", priority: 5 }, { name: "dev-d", priority: 6 }, { name: "dev-e", priority: 8 }])).toEqual([
      "authorization server services-dev (aus1a2b3c4d5e6f7g8h9): priorities 2-3 and 7 are held by no policy of this stack, so Okta evaluates policies from outside the stack before dev-b, dev-c, dev-d and 1 more; if one of them names their clients (or all clients), it decides their scopes and token lifetime. Move the kit's policies above it in the Okta console and run pulumi refresh (if a service was removed since the last refresh, run pulumi refresh and export again first: Okta moved the policies below it up)",
    ]);
  });

  it("a state that predates Okta's renumbering cannot tell the order", () => {
    expect(policyOrderFindings(server, [{ name: "dev-a", priority: 1 }, { name: "dev-c", priority: 1 }, { name: "dev-b", priority: 1 }])).toEqual([
      "authorization server services-dev (aus1a2b3c4d5e6f7g8h9): policies dev-a, dev-b and dev-c all hold priority 1 in the state, which Okta never stores for two policies of one server: the state predates Okta's renumbering, so the order of its policies was not checked; run pulumi refresh, export again and verify",
    ]);
    expect(policyOrderFindings(server, [{ name: "dev-a", priority: 1 }, { name: "dev-b", priority: "[secret]" }])).toEqual([
      "authorization server services-dev (aus1a2b3c4d5e6f7g8h9): the state records no priority for policy dev-b, so the order of its policies was not checked: run pulumi refresh, export again and verify",
    ]);
  });
});
