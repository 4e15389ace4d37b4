/**
 * The subjects a GCP provider's condition can admit (tools/verify/subjectPins.ts): a superset, so the
 * organisation's pool probes evaluate a provider only with those subjects' tokens. Checked against
 * the CEL evaluation itself: a subject outside the pin is never admitted.
 */
import { describe, expect, it } from "vitest";
import { gcpAttributeCondition } from "../../components/internal/trust";
import { evaluateCel } from "../../tools/verify/cel";
import { conditionSubjects } from "../../tools/verify/subjectPins";

const admits = (condition: string, sub: string) => {
  const result = evaluateCel(condition, { sub, cid: sub, tenant_id: "acme" });
  return result.ok && result.value === true;
};

describe("conditionSubjects: the subjects a provider's condition can admit", () => {
  it("reads the kit's conditions, with or without an additional condition", () => {
    expect(conditionSubjects(gcpAttributeCondition(["0oaA", "0oaB"]))).toEqual(["0oaA", "0oaB"]);
    expect(conditionSubjects(gcpAttributeCondition(["0oaA"], "assertion.tenant_id == 'acme'"))).toEqual(["0oaA"]);
  });

  it("&& pins by either side, || by both, == pins one subject; anything else pins nothing", () => {
    expect(conditionSubjects("assertion.tenant_id == 'acme' && assertion.sub == '0oaA'")).toEqual(["0oaA"]);
    expect(conditionSubjects("assertion.sub in ['0oaA'] || assertion['sub'] == '0oaB'")).toEqual(["0oaA", "0oaB"]);
    expect(conditionSubjects("assertion.sub in ['0oaA'] || assertion.tenant_id == 'acme'")).toBeUndefined();
    expect(conditionSubjects("assertion.sub.startsWith('0oa')")).toBeUndefined();
    expect(conditionSubjects("!(assertion.sub in ['0oaA'])")).toBeUndefined();
    expect(conditionSubjects("assertion.sub in [assertion.cid]")).toBeUndefined();
    expect(conditionSubjects(undefined)).toBeUndefined();
    expect(conditionSubjects("not ( valid")).toBeUndefined();
  });

  it("is a superset: no subject outside the pin is admitted", () => {
    const conditions = [
      gcpAttributeCondition(["0oaA", "0oaB"], "assertion.tenant_id == 'acme'"),
      "assertion.sub in ['0oaA'] || assertion['sub'] == '0oaB'",
      "assertion.tenant_id == 'acme' && (assertion.sub == '0oaB' || assertion.sub in ['0oaC'])",
    ];
    for (const condition of conditions) {
      const pinned = conditionSubjects(condition)!;
      expect(pinned).toBeDefined();
      for (const sub of ["0oaA", "0oaB", "0oaC", "0oaD", ""]) if (!pinned.includes(sub)) expect(admits(condition, sub)).toBe(false);
      expect(pinned.some((sub) => admits(condition, sub))).toBe(true);
    }
  });
});
