/**
 * Cross-check of the kit's CEL evaluation (`evaluateCel`, @marcbachmann/cel-js) against a second,
 * independent CEL implementation, @bufbuild/cel (RE2 regexes like Google's; errors are returned as
 * values, never thrown: check them with `isCelError`). Expressions are the kit's own GCP attribute
 * conditions and mappings plus GCP-style conditions; assertions are Okta-like access token claims.
 */
import { celList, celMap, isCelError, isCelList, isCelMap, isCelUint, run, type CelInput } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { celString, gcpAttributeCondition, gcpAttributeMapping } from "../../components/internal/trust";
import { claimsReadBy, evaluateCel, type CelResult } from "../../tools/verify/cel";

/** Generated cases per property (at least 500; CROSSCHECK_RUNS raises it for a longer search). */
const RUNS = Math.max(1000, Number(process.env.CROSSCHECK_RUNS ?? 0));

type Claims = Record<string, unknown>;

/** Plain JS values for comparison: BigInt and uint to number, CEL lists and maps to arrays and objects. */
function normalise(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (isCelUint(value)) return Number(value.value);
  if (isCelList(value) || Array.isArray(value)) return [...(value as Iterable<unknown>)].map(normalise);
  if (isCelMap(value) || value instanceof Map) {
    return Object.fromEntries([...(value as Map<unknown, unknown>).entries()].map(([k, v]) => [String(k), normalise(v)]));
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

/** JSON-like claims as @bufbuild/cel input values (its typed API has no plain-object input). */
function toCelInput(value: unknown): CelInput {
  if (Array.isArray(value)) return celList(value.map(toCelInput));
  if (value !== null && typeof value === "object") {
    return celMap(new Map(Object.entries(value).map(([k, v]) => [k, toCelInput(v)])));
  }
  return value as CelInput;
}

/** @bufbuild/cel's answer, in the shape of `evaluateCel`'s. */
function bufbuildCel(expression: string, assertion: Claims): CelResult {
  const bindings = { assertion: toCelInput(assertion), attribute: toCelInput({}), google: toCelInput({}) };
  const value = run(expression, bindings, { funcs: strings });
  if (isCelError(value)) return { ok: false, error: value.message.split("\n")[0]! };
  return { ok: true, value: normalise(value) };
}

/** Both answers; fails with the expression, the claims and both answers when they disagree. */
function crossCheck(expression: string, assertion: Claims): { kit: CelResult; bufbuild: CelResult } {
  const kitRaw = evaluateCel(expression, assertion);
  const kit: CelResult = kitRaw.ok ? { ok: true, value: normalise(kitRaw.value) } : kitRaw;
  const bufbuild = bufbuildCel(expression, assertion);
  const details = JSON.stringify({ expression, assertion, evaluateCel: kit, bufbuildCel: bufbuild }, null, 2);
  expect(kit.ok, `evaluateCel and @bufbuild/cel disagree on success/error:\n${details}`).toBe(bufbuild.ok);
  if (kit.ok && bufbuild.ok) {
    expect(kit.value, `evaluateCel and @bufbuild/cel disagree on the value:\n${details}`).toEqual(bufbuild.value);
  }
  return { kit, bufbuild };
}

// ---------------------------------------------------------------------------------------------
// Fixed examples.

describe("the kit's GCP condition and mappings, against both CEL implementations", () => {
  const listed = ["0oa1b2c3d4e5f6g7h8i9", "0oaZZZZZZZZZZZZZZZZZ"];
  const condition = gcpAttributeCondition(listed);
  const token = (sub: string, extra: Claims = {}): Claims => ({
    sub,
    cid: sub,
    scp: ["api.read"],
    iss: "https://acme.okta.com/oauth2/aus1abc",
    aud: "api://wif",
    ...extra,
  });

  it("admits a listed client id", () => {
    const { kit, bufbuild } = crossCheck(condition, token(listed[1]!));
    expect(kit).toEqual({ ok: true, value: true });
    expect(bufbuild).toEqual({ ok: true, value: true });
  });

  it.each([
    ["an unlisted client id", "0oaYYYYYYYYYYYYYYYYY"],
    ["a listed id in another letter case", listed[0]!.toUpperCase()],
    ["a prefix of a listed id", listed[0]!.slice(0, 10)],
  ])("rejects %s", (_name, sub) => {
    const { kit, bufbuild } = crossCheck(condition, token(sub));
    expect(kit).toEqual({ ok: true, value: false });
    expect(bufbuild).toEqual({ ok: true, value: false });
  });

  it("a condition on a missing claim is an error in both (GCP rejects the token), not true or false", () => {
    for (const expression of ["assertion.tenant == 'x'", "assertion.tenant != 'x'", "assertion['tenant'] == 'x'"]) {
      const { kit, bufbuild } = crossCheck(expression, token(listed[0]!));
      expect(kit.ok, expression).toBe(false);
      expect(bufbuild.ok, expression).toBe(false);
    }
    // …and once the claim is there, both evaluate it.
    const { kit, bufbuild } = crossCheck("assertion.tenant == 'x'", token(listed[0]!, { tenant: "x" }));
    expect(kit).toEqual({ ok: true, value: true });
    expect(bufbuild).toEqual({ ok: true, value: true });
  });

  it("the mapping expressions give the claims", () => {
    const claims = token(listed[0]!, { tenant_id: "acme" });
    const mapping = gcpAttributeMapping(["tenant_id", "scp"]);
    expect(Object.keys(mapping)).toEqual(["google.subject", "attribute.client_id", "attribute.scp", "attribute.tenant_id"]);
    const values = Object.fromEntries(Object.entries(mapping).map(([attribute, expression]) => [attribute, crossCheck(expression, claims).bufbuild]));
    expect(values).toEqual({
      "google.subject": { ok: true, value: listed[0] },
      "attribute.client_id": { ok: true, value: listed[0] },
      "attribute.scp": { ok: true, value: ["api.read"] },
      "attribute.tenant_id": { ok: true, value: "acme" },
    });
  });

  // CEL's matches() is RE2 (cel-spec langdef, "Regular Expressions"), as GCP evaluates it: RE2's
  // flags work, look-around and backreferences are errors, and a match may be a substring.
  it.each([
    ["an RE2 flag", "assertion.tenant_id.matches('(?i)^acme$')", { ok: true, value: true }],
    ["a substring match", "assertion.tenant_id.matches('CM')", { ok: true, value: true }],
    ["an anchored mismatch", "assertion.tenant_id.matches('^cme')", { ok: true, value: false }],
    ["\\Q…\\E quoting", "assertion.tenant_id.matches('^\\\\QACME\\\\E$')", { ok: true, value: true }],
    ["a look-ahead", "assertion.tenant_id.matches('^(?=A)ACME$')", { ok: false }],
    ["a backreference", "assertion.tenant_id.matches('(C)\\\\1')", { ok: false }],
  ])("matches() is RE2 in both: %s", (_label, expression, expected) => {
    const { kit, bufbuild } = crossCheck(expression, token(listed[0]!, { tenant_id: "ACME" }));
    expect(kit).toMatchObject(expected);
    expect(bufbuild).toMatchObject(expected);
  });

  it("a refused pattern is named in the kit's error; the function form matches(text, pattern) is RE2 too", () => {
    const claims = token(listed[0]!, { tenant_id: "ACME" });
    expect(evaluateCel("assertion.tenant_id.matches('^(?=A)ACME$')", claims)).toEqual({
      ok: false,
      error: 'invalid RE2 pattern "^(?=A)ACME$": invalid or unsupported Perl syntax: `(?=`',
    });
    // @bufbuild/cel has no function form; CEL's standard definitions do (cel-go's "matches" overload).
    expect(evaluateCel("matches(assertion.tenant_id, '(?i)^acme$')", claims)).toEqual({ ok: true, value: true });
  });

  it("celString quoting round-trips through both parsers", () => {
    for (const value of ["it's", "back\\slash", "\\'", 'dq"x', "${x}", "é😀"]) {
      const { kit, bufbuild } = crossCheck(celString(value), {});
      expect(kit).toEqual({ ok: true, value });
      expect(bufbuild).toEqual({ ok: true, value });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Generated cases.

const ALNUM = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"];
const clientIdArb = fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 17, maxLength: 17 }).map((s) => `0oa${s}`);
/** Strings that exercise celString's quoting: quotes, backslashes, wildcards, non-ASCII. */
const oddStringArb = fc.string({ unit: fc.constantFrom("0", "o", "a", "'", "\\", '"', " ", "?", "*", "$", "{", "é", "😀"), minLength: 1, maxLength: 8 });
const SCOPES = ["api.read", "api.write", "api.admin", "openid", "profile", "apiXread", "api."];

const scenarioArb = fc
  .record({
    ids: fc.uniqueArray(fc.oneof({ weight: 9, arbitrary: clientIdArb }, { weight: 1, arbitrary: oddStringArb }), { minLength: 1, maxLength: 5 }),
    unlisted: clientIdArb,
    subKind: fc.constantFrom("listed", "listed", "listed", "unlisted", "case", "empty"),
    pick: fc.nat(),
    cidSame: fc.boolean(),
    scp: fc.uniqueArray(fc.constantFrom(...SCOPES), { maxLength: 4 }),
    iss: fc.constantFrom("https://acme.okta.com/oauth2/aus1abc", "https://id.example.com/oauth2/default"),
    aud: fc.constantFrom("api://wif", "api://default"),
    tenant: fc.option(fc.constantFrom("acme", "globex", "ACME", ""), { nil: undefined, freq: 2 }),
  })
  .map((s) => {
    const listed = s.ids[s.pick % s.ids.length]!;
    const sub = { listed, unlisted: s.unlisted, case: listed.toUpperCase(), empty: "" }[s.subKind]!;
    const claims: Claims = { sub, cid: s.cidSame ? sub : s.unlisted, scp: s.scp, iss: s.iss, aud: s.aud };
    if (s.tenant !== undefined) claims.tenant_id = s.tenant;
    return { ids: s.ids, claims };
  });

/** Boolean GCP-style conditions. `strict`: any missing claim it reads makes it an error (no has(), no short-circuit). */
interface Expr {
  readonly expr: string;
  readonly strict: boolean;
}
const strict = (expr: string): Expr => ({ expr, strict: true });
const lenient = (expr: string): Expr => ({ expr, strict: false });

const booleanAtoms = (ids: readonly string[]): fc.Arbitrary<Expr> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.subarray([...ids], { minLength: 1 }).map((subset) => strict(gcpAttributeCondition(subset))) },
    { weight: 2, arbitrary: fc.constant(strict(gcpAttributeCondition(ids))) },
    {
      weight: 8,
      arbitrary: fc.constantFrom(
        strict("assertion.cid == assertion.sub"),
        strict("'api.read' in assertion.scp"),
        lenient("assertion.tenant_id == 'acme' && assertion.sub.startsWith('0oa')"),
        lenient("has(assertion.tenant_id)"),
        strict("assertion.scp.exists(s, s.startsWith('api.'))"),
        strict("assertion.scp.all(s, s.startsWith('api.'))"),
        strict("size(assertion.scp) > 0"),
        strict("assertion.tenant_id == 'acme'"),
        strict("assertion.tenant == 'x'"),
        strict("assertion['tenant_id'] != ''"),
        strict("assertion.sub.matches('^0oa[A-Za-z0-9]{17}$')"),
        strict("assertion.iss.startsWith('https://') && assertion.iss.endsWith('/oauth2/default')"),
        strict("assertion.aud == 'api://wif'"),
        strict("assertion.sub in assertion.scp"),
        strict("assertion.sub.lowerAscii() == assertion.cid.lowerAscii()"),
        lenient("has(assertion.tenant_id) ? assertion.tenant_id == 'acme' : true"),
        strict("assertion.tenant_id == 'acme' ? 'api.admin' in assertion.scp : 'api.read' in assertion.scp"),
        lenient("!has(assertion.tenant_id) || assertion.tenant_id in ['acme', 'globex']"),
      ),
    },
    { weight: 1, arbitrary: oddStringArb.map((s) => strict(`assertion.sub == ${celString(s)}`)) },
  );

const combine = (a: Expr, b: Expr, op: "&&" | "||"): Expr => lenient(`(${a.expr}) ${op} (${b.expr})`);

const booleanExprArb = (ids: readonly string[]): fc.Arbitrary<Expr> => {
  const atom = booleanAtoms(ids);
  return fc.oneof(
    { weight: 6, arbitrary: atom },
    { weight: 2, arbitrary: fc.tuple(atom, atom, fc.constantFrom("&&", "||") as fc.Arbitrary<"&&" | "||">).map(([a, b, op]) => combine(a, b, op)) },
    { weight: 1, arbitrary: atom.map((a) => ({ expr: `!(${a.expr})`, strict: a.strict })) },
  );
};

/** Non-boolean expressions: mapping values and value-producing ternaries. */
const valueExprArb: fc.Arbitrary<Expr> = fc.oneof(
  fc.subarray(["tenant_id", "scp", "iss", "aud", "tenant"]).chain((claims) => fc.constantFrom(...Object.values(gcpAttributeMapping(claims))).map(strict)),
  fc.constantFrom(
    strict("assertion.tenant_id == 'acme' ? assertion.sub : assertion.cid"),
    lenient("has(assertion.tenant_id) ? assertion.tenant_id : 'none'"),
    strict("size(assertion.scp) > 1 ? 'many' : 'few'"),
    strict("'api.admin' in assertion.scp ? 'admin' : 'reader'"),
    strict("size(assertion.scp)"),
    strict("assertion.scp.filter(s, s.startsWith('api.'))"),
    strict("assertion.sub + ':' + assertion.cid"),
    strict("assertion.scp[0]"),
  ),
);

const caseArb = scenarioArb.chain((scenario) =>
  fc.record({
    scenario: fc.constant(scenario),
    expression: fc.oneof({ weight: 3, arbitrary: booleanExprArb(scenario.ids) }, { weight: 1, arbitrary: valueExprArb }),
  }),
);

describe("evaluateCel agrees with @bufbuild/cel on generated conditions and tokens", () => {
  it(`${RUNS} generated cases`, () => {
    const tally = { cases: 0, kitConditions: 0, bothTrue: 0, bothFalse: 0, otherValues: 0, bothErrors: 0, missingClaimErrors: 0 };
    fc.assert(
      fc.property(caseArb, ({ scenario, expression }) => {
        const { kit } = crossCheck(expression.expr, scenario.claims);
        tally.cases++;
        if (expression.expr.startsWith("assertion.sub in [")) tally.kitConditions++;
        if (!kit.ok) tally.bothErrors++;
        else if (kit.value === true) tally.bothTrue++;
        else if (kit.value === false) tally.bothFalse++;
        else tally.otherValues++;
        // A missing claim read without has() or a short-circuit is an error in both, never a value.
        const missing = claimsReadBy(expression.expr).filter((claim) => !(claim in scenario.claims));
        if (expression.strict && missing.length > 0) {
          expect(kit.ok, `${expression.expr} reads the missing claim(s) ${missing.join(", ")} but gave a value`).toBe(false);
          tally.missingClaimErrors++;
        }
      }),
      { numRuns: RUNS },
    );
    console.log(
      `cel cross-check: ${tally.cases} cases: ${tally.bothTrue} true, ${tally.bothFalse} false, ${tally.otherValues} other values, ` +
        `${tally.bothErrors} errors in both (${tally.missingClaimErrors} for a missing claim); ${tally.kitConditions} on the kit's own condition`,
    );
    // Not vacuous: every generated case was compared, and every kind of outcome occurred.
    expect(tally.cases).toBe(RUNS);
    for (const key of ["kitConditions", "bothTrue", "bothFalse", "otherValues", "bothErrors", "missingClaimErrors"] as const) {
      expect(tally[key], key).toBeGreaterThan(RUNS / 50);
    }
  });
});
