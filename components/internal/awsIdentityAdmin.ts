/**
 * AWS identity-admin judgement by simulation: which IAM actions on which resources let a role's
 * holder act as, or take over, the stack's identities, evaluated over a policy's statements the
 * way IAM evaluates them (an action and a resource matched by an Allow, not overridden by a Deny).
 * Inline policies (config) and AWS managed policies (their documents, reduced to the statements
 * that bear on these actions by `npm run data:refresh`) are judged by the same function; config
 * validation, the component, verify and the policy pack all call it. No Pulumi here.
 */
import { arnPatternCovers, arnPatternsIntersect, iamGlobMatches } from "./iamGlob";

/** A statement as IAM reads it: Action or NotAction, Resource or NotResource, and whether it has a Condition. */
export interface JudgedStatement {
  readonly effect: "Allow" | "Deny";
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  readonly conditional: boolean;
}

/** A statement of a policy document as read from its JSON: what the judge reads, and its Condition (for words). */
export interface PolicyStatement extends JudgedStatement {
  /** IAM's Condition element, `{ <operator>: { <key>: <values> } }`, values as lists. */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

const stringList = (v: unknown): string[] | undefined =>
  v === undefined ? undefined : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
const objectOf = (v: unknown): Record<string, unknown> | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/**
 * The statements of an IAM policy document (its JSON text, or the parsed object) as IAM reads them:
 * Effect, Action or NotAction, Resource or NotResource (a single string or a list), and whether a
 * Condition applies (with its operators and keys, each value as a list). A statement whose Effect
 * is neither Allow nor Deny is left out (IAM refuses it); a document that does not parse has none.
 * The one conversion of a policy document for the judge: the policy pack, verify and
 * `npm run data:refresh` read documents through it.
 */
export function policyDocumentStatements(document: unknown): PolicyStatement[] {
  let parsed: unknown = document;
  if (typeof document === "string") {
    try {
      parsed = JSON.parse(document);
    } catch {
      return [];
    }
  }
  const raw = objectOf(parsed)?.Statement;
  const statements = Array.isArray(raw) ? raw : raw !== undefined ? [raw] : [];
  const kept: PolicyStatement[] = [];
  for (const item of statements) {
    const s = objectOf(item);
    if (!s || (s.Effect !== "Allow" && s.Effect !== "Deny")) continue;
    const actions = stringList(s.Action);
    const resources = stringList(s.Resource);
    const condition = objectOf(s.Condition) ?? {};
    const conditions = Object.fromEntries(
      Object.entries(condition).map(([operator, keys]) => [operator, Object.fromEntries(Object.entries(objectOf(keys) ?? {}).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(String)]))]),
    );
    const conditional = Object.keys(condition).length > 0;
    kept.push({
      effect: s.Effect,
      ...(actions !== undefined ? { actions } : { notActions: stringList(s.NotAction) ?? [] }),
      ...(resources !== undefined ? { resources } : { notResources: stringList(s.NotResource) ?? [] }),
      conditional,
      ...(conditional ? { conditions } : {}),
    });
  }
  return kept;
}

/** What the stack's identities are in AWS: its roles' path, and the customer managed policies it attaches to them. */
export interface AwsIdentityReach {
  readonly rolePath: string;
  readonly attachedPolicyArns: readonly string[];
}

/** role: rewrites a role; act-as: runs as a role, which only its trust policy can admit; oidc-provider; policy: a customer managed policy. */
type Target = "role" | "act-as" | "oidc-provider" | "policy";

/**
 * The IAM actions that act as or take over an identity, with the resource type they act on and
 * what they do to it (docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html for
 * PassRole; the IAM API reference for the rest): rewriting a role's trust or permissions takes the
 * role over (its own included: self-escalation), the OIDC provider decides which tokens every role
 * trusting it accepts, and a new default version of a customer managed policy rewrites every role it
 * is attached to. Passing or assuming a role acts as it only where the role's trust policy admits
 * the caller or the service: the stack's roles trust only the issuer's OIDC provider with one `sub`
 * (trust.ts), so neither reaches them; they reach other roles, whose trust the kit cannot see.
 */
export const AWS_IDENTITY_ACTIONS: readonly { readonly action: string; readonly target: Target; readonly effect: string }[] = [
  { action: "iam:UpdateAssumeRolePolicy", target: "role", effect: "rewrites the trust policy of" },
  { action: "iam:PutRolePolicy", target: "role", effect: "writes inline policies (any action) on" },
  { action: "iam:AttachRolePolicy", target: "role", effect: "attaches any policy (AdministratorAccess included) to" },
  { action: "iam:PutRolePermissionsBoundary", target: "role", effect: "replaces the permissions boundary of" },
  { action: "iam:DeleteRolePermissionsBoundary", target: "role", effect: "removes the permissions boundary of" },
  { action: "iam:PassRole", target: "act-as", effect: "passes roles to compute services (running code as them)" },
  { action: "sts:AssumeRole", target: "act-as", effect: "assumes roles" },
  { action: "iam:CreateOpenIDConnectProvider", target: "oidc-provider", effect: "creates the account's OIDC providers (which tokens roles trusting them accept)" },
  { action: "iam:DeleteOpenIDConnectProvider", target: "oidc-provider", effect: "deletes and can recreate the account's OIDC providers" },
  { action: "iam:UpdateOpenIDConnectProviderThumbprint", target: "oidc-provider", effect: "rewrites the certificate thumbprints of the account's OIDC providers" },
  { action: "iam:AddClientIDToOpenIDConnectProvider", target: "oidc-provider", effect: "adds audiences to the account's OIDC providers" },
  { action: "iam:CreatePolicyVersion", target: "policy", effect: "rewrites (a new default version)" },
  { action: "iam:SetDefaultPolicyVersion", target: "policy", effect: "switches to an older version" },
];

/** One finding: an action a statement allows on a resource pattern, and what that means here. */
export interface AwsIdentityFinding {
  readonly action: string;
  /** The statement's resource pattern that reaches the identity (`*`, `arn:aws:iam::*:role/*`, …), or `NotResource`. */
  readonly resource: string;
  /** The statement's index in the policy. */
  readonly statement: number;
  /** identity-admin: reaches the stack's identities; unjudged: reaches identities outside the stack the kit cannot see. */
  readonly verdict: "identity-admin" | "unjudged";
  readonly why: string;
}

const actionMatches = (s: JudgedStatement, action: string) =>
  s.actions !== undefined ? s.actions.some((a) => iamGlobMatches(a, action, true)) : !(s.notActions ?? []).some((a) => iamGlobMatches(a, action, true));

const typePattern: Readonly<Record<Target, string>> = {
  role: "arn:*:iam::*:role/*",
  "act-as": "arn:*:iam::*:role/*",
  "oidc-provider": "arn:*:iam::*:oidc-provider/*",
  policy: "arn:*:iam::*:policy/*",
};

/** The stack's own resources of a target type, as ARN patterns. */
function stackPatterns(target: Target, reach: AwsIdentityReach): string[] {
  switch (target) {
    case "role":
      return [`arn:*:iam::*:role${reach.rolePath}*`];
    case "act-as":
      return [];
    case "oidc-provider":
      return [typePattern["oidc-provider"]];
    case "policy":
      return customerManagedPolicyArns(reach.attachedPolicyArns);
  }
}

/**
 * Every identity action a policy's statements allow, and on what: an Allow statement whose actions
 * match the action and whose resources reach the target type, unless an unconditional Deny of that
 * action covers the same resources. A Condition on an Allow is not evaluated (it may hold), so it
 * counts. Rewriting the stack's roles (its role path), any OIDC provider or a customer managed
 * policy the stack attaches is identity-admin; passing or assuming roles, and
 * rewriting any other role or policy, reaches identities the kit cannot see: unjudged.
 */
export function awsIdentityFindings(statements: readonly JudgedStatement[], reach: AwsIdentityReach): AwsIdentityFinding[] {
  const findings: AwsIdentityFinding[] = [];
  for (const { action, target, effect } of AWS_IDENTITY_ACTIONS) {
    const denied = (resource: string) =>
      statements.some((d) => d.effect === "Deny" && !d.conditional && actionMatches(d, action) && d.resources !== undefined && d.resources.some((r) => arnPatternCovers(r, resource)));
    statements.forEach((s, index) => {
      if (s.effect !== "Allow" || !actionMatches(s, action)) return;
      // NotResource reaches a kind of resource unless one of its patterns covers every resource of that kind.
      const excluded = (kind: string) => (s.notResources ?? []).some((nr) => arnPatternCovers(nr, kind));
      const patterns = s.resources ?? ["NotResource"];
      for (const resource of patterns) {
        const pattern = resource === "NotResource" ? "*" : resource;
        const reaches = (kind: string) => (resource === "NotResource" ? !excluded(kind) : arnPatternsIntersect(pattern, kind));
        if (!reaches(typePattern[target]) || denied(pattern)) continue;
        const ours = stackPatterns(target, reach).some(reaches);
        const under = s.conditional ? " (under a condition the kit does not evaluate)" : "";
        if (ours || target === "oidc-provider") {
          const whom =
            target === "role" ? `the stack's roles (path ${reach.rolePath})` : target === "policy" ? "the customer managed policies attached to the stack's roles" : "";
          findings.push({ action, resource, statement: index, verdict: "identity-admin", why: `allows ${action} on ${resource}${under}: ${effect}${whom ? ` ${whom}` : ""}` });
        } else if (target === "act-as") {
          const why = `allows ${action} on ${resource}${under}: ${effect} where a role's trust policy admits it; the stack's roles admit only the Okta issuer's tokens, other roles of the account the kit cannot see (what they may do, whom they trust)`;
          findings.push({ action, resource, statement: index, verdict: "unjudged", why });
        } else {
          const what = target === "role" ? "a role outside the stack's path" : "a policy the stack does not attach";
          findings.push({ action, resource, statement: index, verdict: "unjudged", why: `allows ${action} on ${resource}${under}, ${what}: the kit cannot see what that ${target} may do or who it trusts` });
        }
      }
    });
  }
  return findings;
}

/** The customer managed policies among policy ARNs (not `arn:<partition>:iam::aws:…`), each once, sorted. */
export function customerManagedPolicyArns(arns: Iterable<string | undefined>): string[] {
  return [...new Set([...arns].filter((arn): arn is string => arn !== undefined && !/^arn:[^:]+:iam::aws:/.test(arn)))].sort();
}

/** The reach the kit's defaults give: roles under `/oktafed/`, no customer managed policy attached. */
export const DEFAULT_AWS_REACH: AwsIdentityReach = { rolePath: "/oktafed/", attachedPolicyArns: [] };

/** The identity-admin verdict of a set of findings: the first finding that reaches the stack's identities, in words. */
export function identityAdminWhy(findings: readonly AwsIdentityFinding[]): string | undefined {
  return findings.find((f) => f.verdict === "identity-admin")?.why;
}

/** Why a set of findings leaves the grant unjudged (identities the kit cannot see), when none is identity-admin. */
export function unjudgedWhy(findings: readonly AwsIdentityFinding[]): string | undefined {
  return identityAdminWhy(findings) === undefined ? findings.find((f) => f.verdict === "unjudged")?.why : undefined;
}
