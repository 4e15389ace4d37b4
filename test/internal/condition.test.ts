/**
 * GCP conditions built from a parse tree: what the grammar refuses (with exact messages), the
 * canonical form it prints, and generated checks, against two CEL implementations, that no
 * additional condition can widen the client-id check and that a missing claim never admits a token.
 */
import { celList, celMap, isCelError, run, type CelInput } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { composeCondition, conditionPinsSubjects, parseClaimCondition } from "../../components/internal/condition";
import { evaluateCel } from "../../tools/verify/cel";

const RUNS = Math.max(300, Number(process.env.CROSSCHECK_RUNS ?? 0));
const LISTED = ["0oaLISTED00000000001", "0oaLISTED00000000002"];

function toCelInput(value: unknown): CelInput {
  if (Array.isArray(value)) return celList(value.map(toCelInput));
  if (value !== null && typeof value === "object") return celMap(new Map(Object.entries(value).map(([k, v]) => [k, toCelInput(v)])));
  return (typeof value === "number" ? BigInt(value) : value) as CelInput;
}

/** true, false, or "error", from both implementations; fails when they disagree. */
function decide(expression: string, assertion: Record<string, unknown>): boolean | "error" {
  const kit = evaluateCel(expression, assertion);
  const buf = run(expression, { assertion: toCelInput(assertion) }, { funcs: strings });
  const a = kit.ok ? (kit.value === true ? true : kit.value === false ? false : "error") : "error";
  const b = isCelError(buf) ? "error" : buf === true ? true : buf === false ? false : "error";
  expect(a, `the two CEL implementations disagree on ${expression} for ${JSON.stringify(assertion)}`).toBe(b);
  return a;
}

describe("parseClaimCondition refuses what could widen a trust or let a missing claim admit", () => {
  it.each([
    ["a pasted disjunction", "true) || (true", "is not one CEL expression: Unexpected character: ')'"],
    ["a pasted disjunction after a comparison", "assertion.tenant_id == 'acme') || (true", "is not one CEL expression: Unexpected character: ')'"],
    ["a computed claim name", "assertion['hook_'+'tier'] == 'x'", "reads 'assertion['hook_'+'tier']'; a condition may read only a claim itself, as assertion.<claim> or assertion['<claim>']"],
    ["a presence test", "!('x' in assertion)", "tests whether a claim is present ('…' in assertion); a condition may only compare claim values, so that a missing claim never admits a token"],
    ["has()", "!has(assertion.tier)", "uses has(); a condition may only compare claim values, so that a missing claim never admits a token"],
    ["a conditional", "assertion.tier == 'x' ? true : true", "uses a conditional (assertion.tier == 'x' ? true : true); allowed: claims as assertion.<claim> or assertion['<claim>']; string, integer and boolean literals and lists of them; ==, !=, <, <=, >, >=, in (a list or a claim on the right), &&, ||, !; <claim>.startsWith|endsWith|contains|matches('<literal>') and size(<claim>)"],
    ["a macro", "assertion.scp.exists(s, s == 'a')", "calls exists(); allowed: startsWith, endsWith, contains, matches on a claim, and size(<claim>)"],
    ["another variable", "google.subject == 'x'", "reads 'google.subject'; a condition may read only a claim itself, as assertion.<claim> or assertion['<claim>']"],
    ["a field of a claim", "assertion.groups.admin == 'x'", "reads 'assertion.groups.admin'; a condition may read only a claim itself, as assertion.<claim> or assertion['<claim>']"],
    ["no claim", "true", "must test at least one claim (assertion.<claim>)"],
    ["not a boolean", "assertion.tenant_id", "must be a boolean expression, got 'assertion.tenant_id'"],
    ["two expressions", "assertion.a == 'x' assertion.b == 'y'", "is not one CEL expression: Unexpected character: 'n'"],
  ])("%s", (_label, text, problem) => {
    expect(parseClaimCondition(text)).toEqual({ ok: false, problems: [problem] });
  });
});

describe("parseClaimCondition prints a canonical, fully parenthesised form", () => {
  it.each([
    ["assertion.tenant_id == 'acme'", "(assertion.tenant_id == 'acme')", ["tenant_id"]],
    ['assertion["tenant_id"] == "acme" || assertion.tier in ["gold", "silver"]', "((assertion.tenant_id == 'acme') || (assertion.tier in ['gold', 'silver']))", ["tenant_id", "tier"]],
    ["!(assertion.env == 'dev') && size(assertion.scp) > 0", "(!((assertion.env == 'dev')) && (size(assertion.scp) > 0))", ["env", "scp"]],
    ["'api.read' in assertion.scp && assertion.team.startsWith('pay')", "(('api.read' in assertion.scp) && assertion.team.startsWith('pay'))", ["scp", "team"]],
    ["assertion['odd-name'] == 'it\\'s'", "(assertion['odd-name'] == 'it\\'s')", ["odd-name"]],
  ])("%s", (text, canonical, claims) => {
    expect(parseClaimCondition(text)).toEqual({ ok: true, canonical, claims });
  });

  it("composes structurally: the client-id check stays the top-level conjunct", () => {
    const composed = composeCondition(LISTED, "assertion.tenant_id == 'acme' || assertion.tier == 'gold'");
    expect(composed).toBe("assertion.sub in ['0oaLISTED00000000001', '0oaLISTED00000000002'] && ((assertion.tenant_id == 'acme') || (assertion.tier == 'gold'))");
    expect(conditionPinsSubjects(composed)).toEqual({ subjects: LISTED });
    expect(() => composeCondition(LISTED, "true) || (true")).toThrow("the additional condition is not one CEL expression: Unexpected character: ')'");
  });
});

// Generated conditions over a few claims, in the grammar.
const CLAIMS = ["tenant_id", "tier", "env"] as const;
const VALUES = ["acme", "gold", "dev", ""] as const;
const claimRef = fc.constantFrom(...CLAIMS).chain((c) => fc.constantFrom(`assertion.${c}`, `assertion['${c}']`));
const literal = fc.constantFrom(...VALUES).map((v) => `'${v}'`);
const atom = fc.oneof(
  fc.tuple(claimRef, fc.constantFrom("==", "!="), literal).map(([c, op, l]) => `${c} ${op} ${l}`),
  fc.tuple(claimRef, fc.subarray([...VALUES], { minLength: 1 })).map(([c, vs]) => `${c} in [${vs.map((v) => `'${v}'`).join(", ")}]`),
  fc.tuple(claimRef, fc.constantFrom("startsWith", "endsWith", "contains"), literal).map(([c, m, l]) => `${c}.${m}(${l})`),
);
const { condition: conditionArb } = fc.letrec<{ condition: string }>((tie) => ({
  condition: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    atom,
    fc.tuple(tie("condition"), fc.constantFrom("&&", "||"), tie("condition")).map(([a, op, b]) => `(${a}) ${op} (${b})`),
    tie("condition").map((c) => `!(${c})`),
  ),
}));
const tokenArb = fc.record(
  { sub: fc.constantFrom(...LISTED, "0oaOTHER000000000000"), tenant_id: fc.constantFrom(...VALUES), tier: fc.constantFrom(...VALUES), env: fc.constantFrom(...VALUES) },
  { requiredKeys: ["sub"] },
);

describe("generated conditions, judged by two CEL implementations", () => {
  it("the canonical form means what the text means", () => {
    fc.assert(
      fc.property(conditionArb, tokenArb, (text, token) => {
        const parsed = parseClaimCondition(text);
        expect(parsed.ok).toBe(true);
        if (parsed.ok) expect(decide(parsed.canonical, token)).toBe(decide(text, token));
      }),
      { numRuns: RUNS },
    );
  });

  it("no additional condition admits a client that is not listed", () => {
    fc.assert(
      fc.property(conditionArb, tokenArb, (text, token) => {
        const composed = composeCondition(LISTED, text);
        expect(decide(composed, { ...token, sub: "0oaOTHER000000000000" })).not.toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("a token missing a claim is admitted only if every value of that claim would be admitted (hooks fail open)", () => {
    fc.assert(
      fc.property(conditionArb, tokenArb, fc.constantFrom(...CLAIMS), (text, token, missing) => {
        const without = { ...token, sub: LISTED[0]! } as Record<string, unknown>;
        delete without[missing];
        const composed = composeCondition(LISTED, text);
        if (decide(composed, without) !== true) return;
        for (const value of VALUES) expect(decide(composed, { ...without, [missing]: value })).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("arbitrary text is refused, or composes into a condition that still pins the subject", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-z.'" ()|&!=\[\]]{1,40}$/)), (text) => {
        const parsed = parseClaimCondition(text);
        if (!parsed.ok) return;
        expect(conditionPinsSubjects(composeCondition(LISTED, text))).toEqual({ subjects: LISTED });
      }),
      { numRuns: RUNS },
    );
  });
});
