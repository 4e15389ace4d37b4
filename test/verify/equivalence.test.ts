/**
 * The fast proof (each trust evaluated for the services it can admit, indexed by subject) against a
 * straightforward evaluation of every service at every target, on generated stacks with broken
 * wiring: the same allowed cells, the same decision in every cell, the same findings, the same verdict.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { runOffline } from "../../tools/offline/engine";
import { planToJson } from "../../tools/offline/plan";
import { federationProgram } from "../../stacks/program";
import { benchConfigMap } from "../../dev/bench/config";
import { extractModel, type PlanDocument, type PlanResource } from "../../tools/verify/model";
import { straightforwardCells, verifyModel, type Finding, type MatrixCell } from "../../tools/verify/verify";
import { toJson, toMarkdown, toText } from "../../tools/verify/render";

const RUNS = Math.max(60, Number(process.env.EQUIVALENCE_RUNS ?? 0));
const N = 4;
let plan: PlanDocument;

beforeAll(async () => {
  const result = await runOffline(federationProgram, { project: "okta-federation", stack: "bench", config: benchConfigMap(N, 1) });
  plan = planToJson({ ...result, project: "okta-federation", stack: "bench" }) as unknown as PlanDocument;
});

type Resources = PlanResource[];
const find = (rs: Resources, name: string) => rs.find((r) => r.name === name)!;
const key = (i: number) => `svc-${String(i + 1).padStart(4, "0")}`;
const clientId = (i: number) => `<federation-${key(i)}-app.clientId>`;
const POOL = "projects/<acme-bench-example.projectNumber>/locations/global/workloadIdentityPools/okta-bench";

/** Wiring mistakes a program could make, each applied to a copy of the plan. */
const breakages: ReadonlyArray<{ name: string; apply: (rs: Resources, i: number, j: number) => void }> = [
  {
    name: "AWS trust pins another service's client id",
    apply: (rs, i, j) => {
      const role = find(rs, `federation-${key(i)}-aws-role`);
      role.inputs.assumeRolePolicy = role.inputs.assumeRolePolicy.replace(clientId(i), clientId(j));
    },
  },
  {
    name: "AWS trust without a sub condition",
    apply: (rs, i) => {
      const role = find(rs, `federation-${key(i)}-aws-role`);
      const policy = JSON.parse(role.inputs.assumeRolePolicy);
      const equals = policy.Statement[0].Condition.StringEquals;
      for (const k of Object.keys(equals)) if (k.endsWith(":sub")) delete equals[k];
      role.inputs.assumeRolePolicy = JSON.stringify(policy);
    },
  },
  {
    name: "AWS trust with StringLike on sub",
    apply: (rs, i) => {
      const role = find(rs, `federation-${key(i)}-aws-role`);
      const policy = JSON.parse(role.inputs.assumeRolePolicy);
      const equals = policy.Statement[0].Condition.StringEquals;
      const subKey = Object.keys(equals).find((k) => k.endsWith(":sub"))!;
      policy.Statement[0].Condition.StringLike = { [subKey]: "<federation-*" };
      delete equals[subKey];
      role.inputs.assumeRolePolicy = JSON.stringify(policy);
    },
  },
  { name: "whole-pool impersonation", apply: (rs, i) => void (find(rs, `federation-${key(i)}-gcp-impersonation`).inputs.member = `principalSet://iam.googleapis.com/${POOL}/*`) },
  { name: "impersonation by another service", apply: (rs, i, j) => void (find(rs, `federation-${key(i)}-gcp-impersonation`).inputs.member = `principal://iam.googleapis.com/${POOL}/subject/${clientId(j)}`) },
  { name: "GCP subject mapped from cid", apply: (rs) => void (find(rs, "federation-gcp-pool-provider-okta").inputs.attributeMapping["google.subject"] = "assertion.cid") },
  { name: "GCP provider without a condition", apply: (rs) => void delete find(rs, "federation-gcp-pool-provider-okta").inputs.attributeCondition },
  { name: "Azure credential for another service", apply: (rs, i, j) => void (find(rs, `federation-${key(i)}-azure-okta-bench`).inputs.subject = clientId(j)) },
  { name: "Azure credential issuer with a slash", apply: (rs, i) => void (find(rs, `federation-${key(i)}-azure-okta-bench`).inputs.issuer += "/") },
  { name: "Okta policy whitelists another app", apply: (rs, i, j) => void (find(rs, `federation-${key(i)}-policy`).inputs.clientWhitelists = [clientId(j)]) },
];

/** The findings a full evaluation gives for the matrix (the other findings do not depend on it). */
function matrixFindings(cells: readonly MatrixCell[], labels: ReadonlyMap<string, { label: string; owner: string }>, noToken: ReadonlySet<string>): string[] {
  return cells
    .filter((c) => !noToken.has(c.service) && c.decision !== c.intended)
    .map((c) =>
      c.intended === "allow"
        ? `${c.service} cannot reach ${labels.get(c.target)!.label}: ${c.reason}`
        : `${c.service} can reach ${labels.get(c.target)!.label}, which belongs to ${labels.get(c.target)!.owner}: ${c.reason}`,
    );
}

describe("the fast proof and a straightforward evaluation agree", () => {
  it("on generated stacks with up to three wiring mistakes", async () => {
    let broken = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: breakages.length - 1 }), fc.integer({ min: 0, max: N - 1 }), fc.integer({ min: 1, max: N - 1 })), { maxLength: 3 }),
        async (mistakes) => {
          const copy = structuredClone(plan) as PlanDocument & { resources: Resources };
          for (const [b, i, shift] of mistakes) breakages[b]!.apply(copy.resources, i, (i + shift) % N);
          const model = extractModel(copy);
          const fast = await verifyModel(model);
          const full = await straightforwardCells(model);
          expect(new Set(fast.allowed.map((c) => `${c.service}|${c.target}`))).toEqual(new Set(full.filter((c) => c.decision === "allow").map((c) => `${c.service}|${c.target}`)));
          for (const cell of full) {
            const { takeover: _takeover, ...decided } = fast.cell(cell.service, cell.target);
            expect(decided).toEqual(cell);
          }
          const labels = new Map(model.targets.map((t) => [t.id, { label: t.label, owner: t.owner }]));
          const noToken = new Set(fast.findings.filter((f: Finding) => f.kind === "no-token").map((f) => f.service!));
          expect(fast.findings.filter((f) => f.kind === "intended-deny" || f.kind === "unintended-allow").map((f) => f.message)).toEqual(matrixFindings(full, labels, noToken));
          if (!fast.passed) broken++;
        },
      ),
      { numRuns: RUNS },
    );
    // The generator does break stacks, so the agreement covers failing proofs too.
    expect(broken).toBeGreaterThan(RUNS / 4);
  });
});

describe("output that stays readable at scale", () => {
  it("the terminal form summarises per service above 400 cells, and Markdown caps its rows (a PR comment holds 65,536 characters)", async () => {
    const result = await runOffline(federationProgram, { project: "okta-federation", stack: "bench", config: benchConfigMap(12, 1) });
    const doc = planToJson({ ...result, project: "okta-federation", stack: "bench" }) as unknown as PlanDocument;
    const verified = await verifyModel(extractModel(doc));
    expect(verified.passed).toBe(true);
    const text = toText(verified);
    expect(text).toContain("12 services x 36 targets: one line per service (every other target denies it; --json lists what each target admits)");
    expect(text).toContain("  svc-0001  reaches AWS role svc-0001, Azure identity id-bench-svc-0001, GCP service account bench-svc-0001@acme-bench-example.iam.gserviceaccount.com; denied at 33");
    expect(text).not.toContain("T36");
    const markdown = toMarkdown(verified, undefined, { maxServiceRows: 10 });
    expect(markdown.split("\n").filter((l) => l.startsWith("| `svc-"))).toHaveLength(10);
    expect(markdown).toContain("| … | | 2 more services, each reaching only what the JSON form lists | |");
    const json = toJson(verified) as any;
    expect(json.matrix.allowed).toHaveLength(36);
    expect(json.matrix.denied.count).toBe(12 * 36 - 36);
  });
});
