/**
 * movesBetweenStacks (tools/review/orgMoves.ts): the services and the names a cloud holds once that
 * a pull request takes from one stack of an organisation to another, over hand-made plans.
 */
import { describe, expect, it } from "vitest";
import { movesBetweenStacks, stackRenameNotes, stackRenames, type MoveSides } from "../../tools/review/orgMoves";
import type { PlanDocument, PlanResource } from "../../tools/verify/model";

const resource = (type: string, name: string, inputs: Record<string, unknown>, afterDeploy?: Record<string, unknown>): PlanResource => ({
  urn: `urn:pulumi:x::okta-federation::${type}::${name}`,
  type,
  name,
  parent: null,
  inputs,
  ...(afterDeploy ? { afterDeploy } : {}),
});
const plan = (stack: string, ...resources: PlanResource[]): PlanDocument => ({ stack, resources });
const role = (name: string, account = "222222222222") => resource("aws:iam/role:Role", `federation-${name}-aws-role`, { name }, { arn: `arn:aws:iam::${account}:role/oktafed/${name}` });
const serviceAccount = (accountId: string) => resource("gcp:serviceaccount/account:Account", `federation-${accountId}-gcp-sa`, { project: "acme-stage", accountId });
const poolProvider = (id: string) =>
  resource("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", `federation-gcp-pool-provider-${id}`, { project: "acme-stage", workloadIdentityPoolId: "okta-stage", workloadIdentityPoolProviderId: id });
const app = (label: string) => resource("okta:app/oAuth:OAuth", `federation-${label}-app`, { label });

const team = (stack: string, base: { services: string[]; resources: PlanResource[] } | undefined, head: { services: string[]; resources: PlanResource[] } | undefined): MoveSides => ({
  stack,
  ...(base ? { baseServices: base.services, base: plan(stack, ...base.resources) } : {}),
  ...(head ? { headServices: head.services, head: plan(stack, ...head.resources) } : {}),
});

describe("movesBetweenStacks", () => {
  it("a service and its GCP service account handed from one team to another: the service first, then the name, with the losing stack to deploy first", () => {
    const moves = movesBetweenStacks([
      team("team-a", { services: ["ledger", "other"], resources: [serviceAccount("stage-ledger"), app("stage-ledger")] }, { services: ["other"], resources: [] }),
      team("team-b", { services: [], resources: [] }, { services: ["ledger"], resources: [serviceAccount("stage-ledger"), app("stage-ledger")] }),
    ]);
    expect(moves.map((m) => [m.kind, m.from, m.to, m.what])).toEqual([
      ["service", "team-a", "team-b", "ledger"],
      ["name", "team-a", "team-b", "GCP service account stage-ledger in GCP project acme-stage"],
    ]);
    expect(moves[0]!.message).toContain("; names held once go from team-a to team-b in this pull request (below), and team-a holds them until its pulumi up deletes them, so deploy team-a first:");
    expect(moves[1]!.message).toBe(
      "GCP holds one service account per email: the create in team-b fails (409) until team-a's pulumi up has deleted it; the new account is a new principal, and roles granted to the old one outside this kit do not carry over",
    );
  });

  it("two services handed over together: the order is the two stacks', so both say to deploy the losing stack first when either takes a held name along", () => {
    const moves = movesBetweenStacks([
      team("team-a", { services: ["ledger", "audit"], resources: [serviceAccount("stage-ledger")] }, { services: [], resources: [] }),
      team("team-b", { services: [], resources: [] }, { services: ["ledger", "audit"], resources: [serviceAccount("stage-ledger")] }),
    ]);
    expect(moves.map((m) => [m.kind, m.what])).toEqual([
      ["service", "audit"],
      ["service", "ledger"],
      ["name", "GCP service account stage-ledger in GCP project acme-stage"],
    ]);
    for (const m of moves.slice(0, 2)) expect(m.message).toContain("so deploy team-a first");
  });

  it("IAM role names match whatever their case; an Okta app label alone is no held name", () => {
    const moves = movesBetweenStacks([
      team("team-a", { services: [], resources: [role("Stage-Ledger"), app("x")] }, { services: [], resources: [] }),
      team("team-b", { services: [], resources: [] }, { services: [], resources: [role("stage-ledger"), app("x")] }),
    ]);
    expect(moves.map((m) => m.what)).toEqual(["AWS role name stage-ledger in AWS account 222222222222"]);
  });

  it("a role of the same name in another account, or a name a stack drops and adds itself, moves nothing", () => {
    expect(
      movesBetweenStacks([
        team("team-a", { services: [], resources: [role("stage-ledger", "222222222222")] }, { services: [], resources: [] }),
        team("team-b", { services: [], resources: [] }, { services: [], resources: [role("stage-ledger", "333333333333")] }),
      ]),
    ).toEqual([]);
    expect(movesBetweenStacks([team("team-a", { services: ["a"], resources: [role("stage-a")] }, { services: ["a"], resources: [role("stage-a")] })])).toEqual([]);
  });

  it("a GCP pool provider id taken over by another team: GCP keeps a deleted provider's id for 30 days", () => {
    const [move] = movesBetweenStacks([
      team("team-old", { services: [], resources: [poolProvider("payments")] }, { services: [], resources: [] }),
      team("team-new", undefined, { services: [], resources: [poolProvider("payments")] }),
    ]);
    expect(move!.message).toBe(
      "GCP keeps a deleted provider's id for about 30 days: the create in team-new fails (409) while team-old holds the provider and for 30 days after its pulumi up deletes it; give the provider another id (the platform's teams.<team>.gcp.providerId, or gcp.idSuffix)",
    );
  });

  it("a side that does not plan is unknown, not empty; a stack file removed is not a stack that deploys a delete", () => {
    const unplanned = (stack: string, services: string[]): MoveSides => ({ stack, baseServices: services, base: null, headServices: services, head: null });
    // The base of team-b does not plan: its head's names are not new, so nothing arrives there.
    expect(
      movesBetweenStacks([
        team("team-a", { services: [], resources: [role("stage-ledger")] }, { services: [], resources: [] }),
        { stack: "team-b", baseServices: [], base: null, headServices: [], head: plan("team-b", role("stage-ledger")) },
      ]),
    ).toEqual([]);
    // team-a's head does not plan: nothing is known to leave it.
    expect(
      movesBetweenStacks([
        { stack: "team-a", baseServices: [], base: plan("team-a", role("stage-ledger")), headServices: [], head: null },
        team("team-b", { services: [], resources: [] }, { services: [], resources: [role("stage-ledger")] }),
      ]),
    ).toEqual([]);
    // team-a's stack file is gone from the head: its services are not handed over by a pulumi up.
    expect(movesBetweenStacks([team("team-a", { services: ["ledger"], resources: [] }, undefined), team("team-b", { services: [], resources: [] }, { services: ["ledger"], resources: [] })])).toEqual([]);
    expect(movesBetweenStacks([unplanned("team-a", ["x"]), unplanned("team-b", ["y"])])).toEqual([]);
  });

  it("stackRenames: an added stack holding a removed stack's names, held once or Okta labels only; a stack with none of them is no rename", () => {
    const removed = [{ stack: "old", plan: plan("old", role("stage-a"), app("stage-a"), app("stage-b")) }];
    const renames = stackRenames(removed, [
      { stack: "new", plan: plan("new", role("stage-a"), app("stage-a")) },
      { stack: "labels", plan: plan("labels", app("stage-b")) },
      { stack: "other", plan: plan("other", role("stage-z"), app("stage-z")) },
    ]);
    expect(renames).toEqual([
      { from: "old", to: "labels", names: ["Okta app label stage-b in Okta org unknown"], held: 0 },
      { from: "old", to: "new", names: ["AWS role name stage-a in AWS account 222222222222", "Okta app label stage-a in Okta org unknown"], held: 1 },
    ]);
    // Alone, each is a rename candidate.
    expect(stackRenameNotes([renames[0]!]).get("labels")![0]).toContain("if this stack is old renamed, rename it before its first pulumi up");
    expect(stackRenameNotes([renames[0]!]).get("labels")![0]).toContain("; if not, old keeps them until it is destroyed, and this stack creates new apps beside them (new client ids)");
    expect(stackRenameNotes([renames[1]!]).get("new")![0]).toContain("; if not, old keeps them until it is destroyed, and this stack's first pulumi up fails at the one a cloud holds once");
    expect(stackRenameNotes([renames[1]!]).get("old")).toEqual(["stack new, which this pull request adds, holds 2 of its names: if it is this stack renamed, rename the stack (pulumi stack rename new) rather than destroy it, and every identity is kept"]);
  });

  it("stackRenameNotes: a removed stack whose names go to two added stacks is a split, which pulumi stack rename cannot do", () => {
    const notes = stackRenameNotes(
      stackRenames(
        [{ stack: "stage", plan: plan("stage", role("stage-a"), role("stage-b")) }],
        [
          { stack: "team-a-stage", plan: plan("team-a-stage", role("stage-a")) },
          { stack: "team-b-stage", plan: plan("team-b-stage", role("stage-b")) },
        ],
      ),
    );
    expect(notes.get("stage")).toEqual([
      "stacks team-a-stage, team-b-stage, which this pull request adds, hold its names: a split; move this stack's state into them (docs/organisation.md, section Moving a single-stack organisation to this layout without replacing identities) rather than destroy it, and every identity is kept",
    ]);
    expect(notes.get("team-a-stage")).toEqual([
      "1 of its names are held by stack stage, whose stack file this pull request removes (AWS role name stage-a in AWS account 222222222222): stage's names go to 2 stacks (team-a-stage, team-b-stage): " +
        "a split, which keeps the identities only by moving stage's state into each of them before their first pulumi up (docs/organisation.md, section Moving a single-stack organisation to this layout without replacing identities), not by pulumi stack rename; " +
        "if not, stage keeps them until it is destroyed, and this stack's first pulumi up fails at the one a cloud holds once",
    ]);
  });
});
