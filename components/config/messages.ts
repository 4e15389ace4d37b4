/**
 * How config problems are named and reported: the config keys, the problem and its error, and the
 * message texts more than one rule uses, so the same mistake reads the same wherever it is found.
 */
import { LIMITS } from "../internal/limits";

/** The config key (namespace and name) that holds the whole federation config. */
export const CONFIG_NAMESPACE = "okta-federation";
export const CONFIG_KEY = "federation";
/** The alternative key for several federations (issuers) in one stack, keyed by federation name. */
export const CONFIG_KEY_MULTI = "federations";
/** The config key that holds the token hook's Authorization header value (a `secure:` value). */
export const HOOK_SECRET_KEY = "tokenHookAuthorization";
/** Why a `secure:` value may not sit inside the structured federation key (offline plan and real runs alike). */
export const SECURE_INSIDE_MESSAGE =
  "holds a secure value inside a structured key; keep secrets in their own key (e.g. okta-federation:tokenHookAuthorization) so the rest of the config stays readable";

/** One config problem: where it is and what is wrong (and what is allowed). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** Thrown when the config is invalid; carries every problem at once. */
export class FederationConfigError extends Error {
  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly key: string = CONFIG_KEY,
  ) {
    super(formatProblems(problems, key));
    this.name = "FederationConfigError";
  }
}

export function formatProblems(problems: readonly ConfigProblem[], key: string = CONFIG_KEY): string {
  const head = `invalid config ${CONFIG_NAMESPACE}:${key}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`;
  return [head, ...problems.map((p) => `  - ${p.path}: ${p.message}`)].join("\n");
}

/** `services.payments.scopes[1]` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(root)" : out;
}

/** The rule for environment names, service keys and federation names, as a pattern and in words. */
export const KEY_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$/;
export const KEY_RULE = (min: number, max: number) =>
  `${min}-${max} characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'`;

/** Okta's scope-name rules in words (see isValidScopeName). */
export const scopeNameRule =
  "printable ASCII without spaces, '\"' or '\\', not starting with 'okta.' or 'okta:', not 'okta' or '*', and not one of Okta's reserved scopes";

/** A map key that JavaScript objects cannot hold as data: it would silently vanish. */
export const PROTO_KEY = `"__proto__" cannot be used as a name: it would vanish from the config; choose another name`;

/** Too many project-level GCP grants, for one federation or for the federations that share a project. */
export function projectPolicyMessage(project: string, grants: number): string {
  return `the services grant ${grants} project-level roles in ${project}, each a principal occurrence in the project's IAM policy, which holds at most ${LIMITS.gcp.policyPrincipalsMax} (google.iam.v1.Policy); grant on resources instead (docs/config.md#large-stacks), or split the services over projects`;
}
