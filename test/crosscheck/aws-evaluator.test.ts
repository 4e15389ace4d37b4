/**
 * Cross-check of the kit's own AWS trust evaluator (`evaluateAwsTrust`) against an independent
 * implementation of IAM policy evaluation, @cloud-copilot/iam-simulate.
 *
 * iam-simulate and iam-policy are AGPL: devDependencies imported only here and by the sandbox's
 * AWS STS (tools/sandbox/aws.ts), neither of which is in the package (`files`), so never shipped.
 * The validated `runSimulation` drops context keys it does not know (every
 * Okta `<host/path>:sub` key), so it always denies; `runUnsafeSimulation` with a ValidatedPolicy is
 * the usable entry point (see the toolchain notes, section 4).
 */
import { runUnsafeSimulation, type EvaluationResult } from "@cloud-copilot/iam-simulate";
import { createValidatedPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AWS_WEB_IDENTITY_ACTION,
  awsConditionKeyPrefix,
  awsTrustPolicy,
  evaluateAwsTrust,
  type AwsPolicyDocument,
  type AwsWebIdentityRequest,
} from "../../components/internal/trust";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "999999999999";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/okta-wif`;
/** Generated cases per property (at least 500; CROSSCHECK_RUNS raises it for a longer search). */
const RUNS = Math.max(1000, Number(process.env.CROSSCHECK_RUNS ?? 0));

const providerArn = (hostPath: string, account = ACCOUNT) => `arn:aws:iam::${account}:oidc-provider/${hostPath}`;

/** iam-simulate's answer for the trust policy as the role's resource policy. */
function simulate(policy: AwsPolicyDocument, request: AwsWebIdentityRequest): EvaluationResult {
  const contextVariables: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(request.context)) {
    contextVariables[key] = typeof value === "string" ? value : [...value];
  }
  return runUnsafeSimulation(
    {
      request: {
        principal: request.providerArn,
        action: request.action,
        resource: { resource: ROLE_ARN, accountId: ACCOUNT },
        contextVariables,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: createValidatedPolicy(policy, validateTrustPolicy, { name: "trust" }),
    },
    {},
  );
}

/** Both answers; fails with the policy, the request and both answers when they disagree. */
function crossCheck(policy: AwsPolicyDocument, request: AwsWebIdentityRequest): { allowed: boolean; simulation: EvaluationResult } {
  const kit = evaluateAwsTrust(policy, request);
  const simulation = simulate(policy, request);
  const details = JSON.stringify({ policy, request, evaluateAwsTrust: kit, iamSimulate: simulation }, null, 2);
  expect(kit.allowed, `evaluateAwsTrust and iam-simulate disagree:\n${details}`).toBe(simulation === "Allowed");
  return { allowed: kit.allowed, simulation };
}

// ---------------------------------------------------------------------------------------------
// Fixed examples: the exact policy the kit writes.

describe("the kit's trust policy, against both evaluators", () => {
  const hostPath = "acme.okta.com/oauth2/aus1abc";
  const issuerUrl = `https://${hostPath}`;
  const arn = providerArn(hostPath);
  const subject = "0oa1b2c3d4e5f6g7h8i9";
  const audience = "api://wif";
  const policy = awsTrustPolicy({ oidcProviderArn: arn, issuerUrl, audience, subject });
  const prefix = awsConditionKeyPrefix(issuerUrl);
  const request = (context: Record<string, string>, principal = arn): AwsWebIdentityRequest => ({
    providerArn: principal,
    action: AWS_WEB_IDENTITY_ACTION,
    context,
  });

  it("is a valid trust policy for iam-policy", () => {
    expect(prefix).toBe(hostPath);
    expect(validateTrustPolicy(policy)).toEqual([]);
  });

  it.each<[string, Record<string, string>, string, EvaluationResult]>([
    ["the service's own token is allowed", { [`${prefix}:aud`]: audience, [`${prefix}:sub`]: subject }, arn, "Allowed"],
    ["another client id (sub) is denied", { [`${prefix}:aud`]: audience, [`${prefix}:sub`]: "0oaZZZZZZZZZZZZZZZZZ" }, arn, "ImplicitlyDenied"],
    ["a wrong audience is denied", { [`${prefix}:aud`]: "api://other", [`${prefix}:sub`]: subject }, arn, "ImplicitlyDenied"],
    ["a sub differing only in letter case is denied", { [`${prefix}:aud`]: audience, [`${prefix}:sub`]: subject.toUpperCase() }, arn, "ImplicitlyDenied"],
    ["a token without sub is denied", { [`${prefix}:aud`]: audience }, arn, "ImplicitlyDenied"],
    ["another provider is denied", { [`${prefix}:aud`]: audience, [`${prefix}:sub`]: subject }, providerArn("acme.okta.com/oauth2/default"), "ImplicitlyDenied"],
    ["the same provider URL in another account is denied", { [`${prefix}:aud`]: audience, [`${prefix}:sub`]: subject }, providerArn(hostPath, OTHER_ACCOUNT), "ImplicitlyDenied"],
    ["condition keys are case-insensitive", { [`${prefix.toUpperCase()}:AUD`]: audience, [`${prefix}:sub`]: subject }, arn, "Allowed"],
  ])("%s", (_name, context, principal, expected) => {
    const { allowed, simulation } = crossCheck(policy, request(context, principal));
    expect(simulation).toBe(expected);
    expect(allowed).toBe(expected === "Allowed");
  });
});

// ---------------------------------------------------------------------------------------------
// Generated cases.

type Values = string | string[];
interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal: { Federated: string | string[] };
  Action: string | string[];
  Condition?: Record<string, Record<string, Values>>;
}
interface Policy {
  Version: "2012-10-17";
  Statement: Statement[];
}

const ALNUM = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"];
const LOWER = [..."abcdefghijklmnopqrstuvwxyz0123456789"];
const chars = (alphabet: string[], minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });

const clientIdArb = chars(ALNUM, 17, 17).map((s) => `0oa${s}`);
const orgArb = fc.tuple(fc.constantFrom(...LOWER.slice(0, 26)), chars(LOWER, 1, 10)).map(([a, b]) => a + b);
const hostArb = fc.oneof(
  orgArb.map((o) => `${o}.okta.com`),
  orgArb.map((o) => `${o}.oktapreview.com`),
  orgArb.map((o) => `id.${o}.example`),
  fc.constant("id.example.com"),
);
const serverIdArb = fc.oneof(fc.constant("default"), chars(ALNUM, 4, 17).map((s) => `aus${s}`));
const audienceArb = fc.oneof(fc.constantFrom("api://wif", "api://default", "sts.amazonaws.com"), chars(LOWER, 1, 12).map((s) => `api://${s}`));

/** Swaps the letter case of the first letter (the subject always has one: `0oa…`). */
function swapFirstLetterCase(value: string): string {
  const index = value.search(/[A-Za-z]/);
  if (index < 0) return `${value}X`;
  const c = value[index]!;
  const swapped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
  return value.slice(0, index) + swapped + value.slice(index + 1);
}

const scenarioArb = fc
  .record({
    host: hostArb,
    serverId: serverIdArb,
    otherServerId: serverIdArb,
    audience: audienceArb,
    wrongAudience: audienceArb,
    subject: clientIdArb,
    otherSubject: clientIdArb,
  })
  .filter((s) => s.serverId !== s.otherServerId && s.audience !== s.wrongAudience && s.subject !== s.otherSubject)
  .map((s) => {
    const hostPath = `${s.host}/oauth2/${s.serverId}`;
    return {
      ...s,
      hostPath,
      issuerUrl: `https://${hostPath}`,
      arn: providerArn(hostPath),
      /** Another provider in the role's account (another authorization server of the same org). */
      otherArn: providerArn(`${s.host}/oauth2/${s.otherServerId}`),
      /** The same provider URL, in another account. */
      foreignArn: providerArn(hostPath, OTHER_ACCOUNT),
      /** The provider ARN with the host in upper case (ARNs are compared case-sensitively). */
      caseArn: providerArn(`${s.host.toUpperCase()}/oauth2/${s.serverId}`),
    };
  });
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

/** An IAM wildcard pattern derived from the subject: some characters become `?`, the tail may become `*`. */
const likePatternArb = fc.record({
  from: fc.constantFrom("subject", "subject", "subject", "otherSubject", "prefix") as fc.Arbitrary<"subject" | "otherSubject" | "prefix">,
  mask: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
  cut: fc.option(fc.integer({ min: 0, max: 20 })),
  swapCase: fc.boolean(),
});
type LikePattern = typeof likePatternArb extends fc.Arbitrary<infer T> ? T : never;

function likePattern(s: Scenario, p: LikePattern): string {
  if (p.from === "prefix") return "0oa*";
  const base = p.from === "subject" ? s.subject : s.otherSubject;
  let pattern = [...base].map((c, i) => (p.mask[i] && i % 3 === 0 ? "?" : c)).join("");
  if (p.cut !== null) pattern = `${pattern.slice(0, p.cut)}*`;
  return p.swapCase ? swapFirstLetterCase(pattern) : pattern;
}

/** Mutations of the kit's policy, all within the evaluator's documented subset. */
const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant("subLike" as const), pattern: likePatternArb, negate: fc.boolean(), ifExists: fc.boolean() }),
  fc.record({
    kind: fc.constant("subNotEquals" as const),
    value: fc.constantFrom("subject", "otherSubject", "both", "caseSubject") as fc.Arbitrary<"subject" | "otherSubject" | "both" | "caseSubject">,
    ifExists: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("audNotEquals" as const), value: fc.constantFrom("audience", "wrongAudience") as fc.Arbitrary<"audience" | "wrongAudience"> }),
  fc.record({
    kind: fc.constant("deny" as const),
    principal: fc.constantFrom("arn", "arn", "otherArn") as fc.Arbitrary<"arn" | "otherArn">,
    condition: fc.constantFrom("none", "subEquals", "subLikeAny", "otherSubEquals", "audNotEquals", "subNotLike") as fc.Arbitrary<
      "none" | "subEquals" | "subLikeAny" | "otherSubEquals" | "audNotEquals" | "subNotLike"
    >,
  }),
  fc.record({
    kind: fc.constant("principal" as const),
    to: fc.constantFrom("otherArn", "both", "onlyOtherList", "caseArn") as fc.Arbitrary<"otherArn" | "both" | "onlyOtherList" | "caseArn">,
  }),
  fc.record({
    kind: fc.constant("action" as const),
    to: fc.constantFrom<string | string[]>(
      "sts:AssumeRole",
      "sts:AssumeRoleWithSAML",
      "sts:*",
      "sts:AssumeRoleWith*",
      "*",
      "STS:ASSUMEROLEWITHWEBIDENTITY",
      "sts:AssumeRoleWith?ebIdentity",
      "sts:AssumeRoleWith?Identity",
      ["sts:TagSession", AWS_WEB_IDENTITY_ACTION],
      ["sts:AssumeRole", "sts:TagSession"],
    ),
  }),
  fc.record({
    kind: fc.constant("multiValue" as const),
    key: fc.constantFrom("sub", "aud") as fc.Arbitrary<"sub" | "aud">,
    includeRight: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("ifExists" as const) }),
  fc.record({
    kind: fc.constant("extraAllow" as const),
    sub: fc.constantFrom("0oa*", "0oa?*", "*", "otherSubject") as fc.Arbitrary<string>,
  }),
  fc.record({ kind: fc.constant("keyCase" as const) }),
);
type Mutation = typeof mutationArb extends fc.Arbitrary<infer T> ? T : never;

const subKey = (s: Scenario) => `${s.hostPath}:sub`;
const audKey = (s: Scenario) => `${s.hostPath}:aud`;

function removeKey(statement: Statement, key: string): void {
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    for (const k of Object.keys(entries)) if (k.toLowerCase() === key.toLowerCase()) delete entries[k];
    if (Object.keys(entries).length === 0) delete statement.Condition![operator];
  }
}

function setCondition(statement: Statement, operator: string, key: string, value: Values): void {
  statement.Condition ??= {};
  statement.Condition[operator] ??= {};
  statement.Condition[operator][key] = value;
}

function applyMutation(policy: Policy, s: Scenario, m: Mutation): void {
  const first = policy.Statement[0]!;
  switch (m.kind) {
    case "subLike": {
      removeKey(first, subKey(s));
      const operator = `${m.negate ? "StringNotLike" : "StringLike"}${m.ifExists ? "IfExists" : ""}`;
      setCondition(first, operator, subKey(s), likePattern(s, m.pattern));
      return;
    }
    case "subNotEquals": {
      const value = { subject: s.subject, otherSubject: s.otherSubject, both: [s.otherSubject, s.subject], caseSubject: swapFirstLetterCase(s.subject) }[m.value];
      setCondition(first, `StringNotEquals${m.ifExists ? "IfExists" : ""}`, subKey(s), value);
      return;
    }
    case "audNotEquals":
      setCondition(first, "StringNotEquals", audKey(s), m.value === "audience" ? s.audience : s.wrongAudience);
      return;
    case "deny": {
      const statement: Statement = { Sid: "Guard", Effect: "Deny", Principal: { Federated: s[m.principal] }, Action: AWS_WEB_IDENTITY_ACTION };
      if (m.condition === "subEquals") setCondition(statement, "StringEquals", subKey(s), s.subject);
      if (m.condition === "subLikeAny") setCondition(statement, "StringLike", subKey(s), "0oa*");
      if (m.condition === "otherSubEquals") setCondition(statement, "StringEquals", subKey(s), s.otherSubject);
      if (m.condition === "audNotEquals") setCondition(statement, "StringNotEquals", audKey(s), s.audience);
      if (m.condition === "subNotLike") setCondition(statement, "StringNotLike", subKey(s), `${s.subject.slice(0, 8)}*`);
      policy.Statement.push(statement);
      return;
    }
    case "principal":
      first.Principal = {
        Federated: { otherArn: s.otherArn, both: [s.otherArn, s.arn], onlyOtherList: [s.otherArn], caseArn: s.caseArn }[m.to],
      };
      return;
    case "action":
      first.Action = Array.isArray(m.to) ? [...m.to] : m.to;
      return;
    case "multiValue": {
      const key = m.key === "sub" ? subKey(s) : audKey(s);
      const [right, wrong] = m.key === "sub" ? [s.subject, s.otherSubject] : [s.audience, s.wrongAudience];
      removeKey(first, key);
      setCondition(first, "StringEquals", key, m.includeRight ? [wrong, right] : [wrong, `${wrong}x`]);
      return;
    }
    case "ifExists":
      for (const operator of Object.keys(first.Condition ?? {})) {
        if (operator.endsWith("IfExists")) continue;
        const entries = first.Condition![operator]!;
        delete first.Condition![operator];
        for (const [key, value] of Object.entries(entries)) setCondition(first, `${operator}IfExists`, key, value);
      }
      return;
    case "extraAllow": {
      const statement: Statement = { Sid: "Wildcard", Effect: "Allow", Principal: { Federated: s.arn }, Action: AWS_WEB_IDENTITY_ACTION };
      setCondition(statement, "StringEquals", audKey(s), s.audience);
      setCondition(statement, "StringLike", subKey(s), m.sub === "otherSubject" ? s.otherSubject : m.sub);
      policy.Statement.push(statement);
      return;
    }
    case "keyCase":
      // Condition keys are case-insensitive: upper-case the host part of every key of the first statement.
      for (const entries of Object.values(first.Condition ?? {})) {
        for (const [key, value] of Object.entries(entries)) {
          delete entries[key];
          entries[key.replace(s.host, s.host.toUpperCase())] = value;
        }
      }
      return;
  }
}

function buildPolicy(s: Scenario, mutations: readonly Mutation[]): Policy {
  const policy = structuredClone(
    awsTrustPolicy({ oidcProviderArn: s.arn, issuerUrl: s.issuerUrl, audience: s.audience, subject: s.subject }),
  ) as unknown as Policy;
  // Key-case changes go last so no mutation adds the same key again in another case.
  const ordered = [...mutations.filter((m) => m.kind !== "keyCase"), ...mutations.filter((m) => m.kind === "keyCase")];
  for (const m of ordered) applyMutation(policy, s, m);
  return policy;
}

const requestShapeArb = fc.record({
  principal: fc.constantFrom("arn", "arn", "arn", "arn", "arn", "otherArn", "foreignArn", "caseArn") as fc.Arbitrary<"arn" | "otherArn" | "foreignArn" | "caseArn">,
  aud: fc.constantFrom("right", "right", "right", "right", "wrong", "missing") as fc.Arbitrary<"right" | "wrong" | "missing">,
  sub: fc.constantFrom("right", "right", "right", "right", "other", "case", "missing", "prefixOnly") as fc.Arbitrary<
    "right" | "other" | "case" | "missing" | "prefixOnly"
  >,
  keyCase: fc.boolean(),
});
type RequestShape = typeof requestShapeArb extends fc.Arbitrary<infer T> ? T : never;

function buildRequest(s: Scenario, shape: RequestShape): AwsWebIdentityRequest {
  const prefix = shape.keyCase ? s.hostPath.toUpperCase() : awsConditionKeyPrefix(s.issuerUrl);
  const context: Record<string, string> = {};
  if (shape.aud !== "missing") context[`${prefix}:aud`] = shape.aud === "right" ? s.audience : s.wrongAudience;
  if (shape.sub !== "missing") {
    context[`${prefix}:sub`] = { right: s.subject, other: s.otherSubject, case: swapFirstLetterCase(s.subject), prefixOnly: s.subject.slice(0, 10) }[shape.sub];
  }
  return { providerArn: s[shape.principal], action: AWS_WEB_IDENTITY_ACTION, context };
}

describe("evaluateAwsTrust agrees with iam-simulate on generated policies and tokens", () => {
  it(`${RUNS} generated cases`, () => {
    const tally = { cases: 0, allowed: 0, denied: 0, explicitlyDenied: 0, mutated: 0 };
    fc.assert(
      fc.property(scenarioArb, fc.array(mutationArb, { maxLength: 4 }), requestShapeArb, (s, mutations, shape) => {
        const policy = buildPolicy(s, mutations);
        const validation = validateTrustPolicy(policy);
        expect(validation, `iam-policy rejects the generated policy ${JSON.stringify(policy)}`).toEqual([]);
        const { allowed, simulation } = crossCheck(policy, buildRequest(s, shape));
        tally.cases++;
        if (allowed) tally.allowed++;
        else tally.denied++;
        if (simulation === "ExplicitlyDenied") tally.explicitlyDenied++;
        if (mutations.length) tally.mutated++;
      }),
      { numRuns: RUNS },
    );
    console.log(
      `aws cross-check: ${tally.cases} cases, ${tally.allowed} allowed, ${tally.denied} denied ` +
        `(${tally.explicitlyDenied} by an explicit Deny), ${tally.mutated} on mutated policies`,
    );
    // Not vacuous: every generated case was compared, and both answers occurred.
    expect(tally.cases).toBe(RUNS);
    expect(tally.allowed).toBeGreaterThan(RUNS / 20);
    expect(tally.denied).toBeGreaterThan(RUNS / 20);
    expect(tally.explicitlyDenied).toBeGreaterThan(0);
    expect(tally.mutated).toBeGreaterThan(0);
    expect(tally.mutated).toBeLessThan(RUNS);
  });
});

// ---------------------------------------------------------------------------------------------
// Known divergences outside what the kit evaluates. Pinned so a change on either side is noticed.

describe("cases outside the kit's use (pinned)", () => {
  const hostPath = "acme.okta.com/oauth2/aus1abc";
  const arn = providerArn(hostPath);
  const subject = "0oa1b2c3d4e5f6g7h8i9";
  const policy = awsTrustPolicy({ oidcProviderArn: arn, issuerUrl: `https://${hostPath}`, audience: "api://wif", subject });

  it("multi-valued context values: a single-valued operator fails in both (set operators are needed)", () => {
    // The kit only ever passes single strings (tools/verify/verify.ts: aud and sub of the token);
    // a list is refused the way IAM refuses it.
    const request: AwsWebIdentityRequest = {
      providerArn: arn,
      action: AWS_WEB_IDENTITY_ACTION,
      context: { [`${hostPath}:aud`]: "api://wif", [`${hostPath}:sub`]: [subject] },
    };
    expect(evaluateAwsTrust(policy, request).allowed).toBe(false);
    expect(simulate(policy, request)).toBe("ImplicitlyDenied");
  });

  it("a trusted provider in another account: the kit allows, iam-simulate denies (cross-account needs an identity policy)", () => {
    // Real STS looks the provider up in the role's own account, so such a request cannot happen.
    const foreign = providerArn(hostPath, OTHER_ACCOUNT);
    const foreignPolicy = awsTrustPolicy({ oidcProviderArn: foreign, issuerUrl: `https://${hostPath}`, audience: "api://wif", subject });
    const request: AwsWebIdentityRequest = {
      providerArn: foreign,
      action: AWS_WEB_IDENTITY_ACTION,
      context: { [`${hostPath}:aud`]: "api://wif", [`${hostPath}:sub`]: subject },
    };
    expect(evaluateAwsTrust(foreignPolicy, request).allowed).toBe(true);
    expect(simulate(foreignPolicy, request)).toBe("ImplicitlyDenied");
  });
});
