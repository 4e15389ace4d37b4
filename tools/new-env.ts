/**
 * `npm run new-env -- <name> --from <stack>`: starts a new environment's stack file from an existing
 * one, on purpose. Structure and choices are kept (scopes, services, grants, lifetimes, regions);
 * every value that belongs to the source environment is replaced by a marked text to fill in
 * (components/internal/fillIn.ts), and the plan refuses the stack until none is left:
 *  - the Okta org, server name, audience, custom domain, adopted server, token hook URL;
 *  - the AWS account, the GCP project and pool, the Azure subscription, tenant and resource group;
 *  - every service's keys (each environment has its own key pairs: okta-federation keygen);
 *  - any other value that names one of those or the source environment (policy ARNs of the
 *    account, role-assignment scopes in the subscription, a claim valued "dev"…).
 * The same for the organisation layout (docs/organisation.md): a platform stack's fields at its own
 * paths (each AWS account, each team's resource group; its formerFederation, the source's history,
 * is dropped); a team stack's platform stack (always asked, with a guess) and its services' keys.
 * Secure values are dropped: they are encrypted for the source stack, and the new stack's secrets
 * are its own (the command prints how to set them). Exit codes: 0 written; 2 usage error, unknown
 * source stack, or a target that exists.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { isMap, isNode, isScalar, parseDocument, visit, type Document } from "yaml";
import { CONFIG_KEY, CONFIG_KEY_MULTI, CONFIG_NAMESPACE, HOOK_SECRET_KEY } from "../components/config";
import { PLATFORM_CONFIG_KEY } from "../components/config/platform";
import { TEAM_CONFIG_KEY } from "../components/config/team";
import { FILL_IN_MARK, fillIn } from "../components/internal/fillIn";
import { parseFlags, runCommand, type Io } from "./cli";
import { PROJECT_ROOT, StackFileError, loadStack } from "./offline/stackFile";

const USAGE = "usage: npm run new-env -- <name> --from <stack>";

/**
 * Fields that identify one environment, by path inside a federation, with what to ask for. A
 * platform stack holds the same fields; `platform` says where, when not at the federation's path
 * ("*": every key there, e.g. each AWS account).
 */
const IDENTIFYING: ReadonlyArray<{
  path: readonly string[];
  platform?: readonly string[];
  what: string;
  /** false: marked, but not looked for in other values (a common domain). */
  identifies?: false;
}> = [
  { path: ["okta", "orgName"], what: "the Okta org (e.g. acme for acme.okta.com)" },
  { path: ["okta", "baseUrl"], what: "the Okta domain of this environment's org (okta.com, oktapreview.com, okta-emea.com, …)", identifies: false },
  { path: ["okta", "authorizationServer", "name"], what: "the authorization server's name" },
  { path: ["okta", "authorizationServer", "audience"], what: "the audience of this environment's tokens" },
  { path: ["okta", "authorizationServer", "customDomain"], what: "the custom domain of this environment's issuer" },
  { path: ["okta", "authorizationServer", "existingServerId"], what: "the id of the adopted authorization server" },
  { path: ["okta", "authorizationServer", "existingIssuer"], what: "the issuer URL of the adopted authorization server" },
  { path: ["okta", "tokenHook", "name"], what: "the token hook's name" },
  { path: ["okta", "tokenHook", "url"], what: "the token hook's URL" },
  { path: ["aws", "accountId"], platform: ["aws", "accounts", "*", "accountId"], what: "the AWS account id" },
  { path: ["aws", "permissionsBoundaryArn"], what: "the permissions boundary policy ARN in this account" },
  { path: ["gcp", "project"], what: "the GCP project id" },
  { path: ["gcp", "poolId"], what: "the workload identity pool id" },
  {
    path: ["gcp", "idSuffix"],
    what: "the suffix of this environment's pool and provider ids, if it needs one (it dodges the 30-day reservation of deleted ids; a new environment usually needs none: delete the line)",
    identifies: false,
  },
  { path: ["azure", "subscriptionId"], what: "the Azure subscription id" },
  { path: ["azure", "tenantId"], what: "the Entra tenant id" },
  // A platform's teams each name their own resource group (per environment, like a federation's).
  { path: ["azure", "resourceGroup"], platform: ["teams", "*", "azure", "resourceGroup"], what: "the resource group for the identities" },
];

/** The three forms of stack config: one federation (also each of several), a platform, a team. */
type Form = "federation" | "platform" | "team";

export interface NewEnvironment {
  /** The new stack file's text. */
  readonly text: string;
  /** Config paths left to fill in, e.g. `okta-federation:federation.okta.orgName`. */
  readonly fillIns: readonly string[];
  /** Secure config keys not copied (to set with pulumi config set --secret). */
  readonly droppedSecrets: readonly string[];
  /** Config paths dropped as the source stack's own history, e.g. `okta-federation:platform.formerFederation`. */
  readonly droppedHistory: readonly string[];
  /** True when the token hook's secret holds {@link HOOK_SECRET_PLACEHOLDER} (so that the stack plans offline). */
  readonly hookPlaceholder: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const getIn = (value: unknown, path: readonly PropertyKey[]): unknown => path.reduce<unknown>((v, k) => (isRecord(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[k as string] : undefined), value);

/** The concrete paths of a table path in a value ("*" stands for every key there), each with its value. */
function expand(value: unknown, path: readonly string[], at: string[] = []): Array<{ path: string[]; value: unknown }> {
  if (path.length === 0) return value === undefined ? [] : [{ path: at, value }];
  const [head, ...rest] = path as [string, ...string[]];
  if (!isRecord(value)) return [];
  if (head === "*") return Object.entries(value).flatMap(([k, v]) => expand(v, rest, [...at, k]));
  return expand(value[head], rest, [...at, head]);
}

/** The table's fields as they lie in one form of config. */
const identifyingFields = (form: Form) =>
  form === "team" ? [] : IDENTIFYING.map((field) => ({ ...field, path: form === "platform" ? (field.platform ?? field.path) : field.path }));

/** The values of a config that identify its environment (looked for in every other value). */
function identifiersOf(body: unknown, form: Form): string[] {
  return identifyingFields(form)
    .filter((field) => field.identifies !== false)
    .flatMap((field) => expand(body, field.path).map((hit) => hit.value))
    .filter((value): value is string => typeof value === "string" && value.length >= 3);
}

/** True when `value` names `word` as a whole token (e.g. "dev" in "api://services-dev", not in "device"). */
function names(value: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9])${escaped}($|[^A-Za-z0-9])`, "i").test(value);
}

/**
 * The environment token two stack names differ by, when they share the rest: platform-stage and
 * platform-prod differ by stage → prod; dev and staging by dev → staging; prod and prod-eu by none.
 */
export function environmentSwap(from: string, name: string): { source: string; target: string } | undefined {
  const a = from.split("-");
  const b = name.split("-");
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const source = a.slice(prefix, a.length - suffix).join("-");
  const target = b.slice(prefix, b.length - suffix).join("-");
  return source && target ? { source, target } : undefined;
}

/** The platform stack a team of the new environment likely reads: the source's, with the environment token swapped. */
export function guessPlatform(platform: string, from: string, name: string): string | undefined {
  const swap = environmentSwap(from, name);
  const segments = platform.split("/");
  const last = segments.pop()!;
  if (!swap || !names(last, swap.source)) return undefined;
  const escaped = swap.source.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return [...segments, last.replace(new RegExp(`(^|-)${escaped}(?=$|-)`), `$1${swap.target}`)].join("/");
}

/**
 * Rewrites one config body (a federation, a platform or a team, at `base` in the document): its
 * environment, the identifying fields, each service's keys, then every other value naming the
 * source environment or an identifier (`identifiers`: found in this body, plus any given, e.g. a
 * team's platform's). Returns the paths marked and the paths dropped.
 */
function rewriteBody(
  doc: Document,
  base: readonly PropertyKey[],
  body: Record<string, unknown>,
  form: Form,
  from: string,
  name: string,
  givenIdentifiers: readonly string[] = [],
): { marked: string[]; dropped: string[] } {
  const marked: string[] = [];
  const dropped: string[] = [];
  const label = (path: readonly PropertyKey[]) => path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join("");
  const mark = (path: readonly PropertyKey[], what: string) => {
    doc.setIn([...base, ...path], fillIn(what));
    marked.push(label(path));
  };
  const swap = environmentSwap(from, name);
  const sourceEnvironment = typeof body.environment === "string" ? body.environment : (swap?.source ?? from);
  if (form !== "team") {
    // The stack's own environment becomes the new name (or the token the names differ by: stage in
    // platform-stage → prod); a federation labelled otherwise (a tenant, say) is asked for.
    if (sourceEnvironment === from) doc.setIn([...base, "environment"], name);
    else if (swap && sourceEnvironment === swap.source) doc.setIn([...base, "environment"], swap.target);
    else mark(["environment"], `the environment label of this ${form} in ${name} (${from} has ${JSON.stringify(sourceEnvironment)})`);
  }
  if (form === "platform" && body.formerFederation !== undefined) {
    // How the source's objects came out of a single stack (aliases to that stack's state): its
    // history, not the new environment's, whose objects are created anew.
    doc.deleteIn([...base, "formerFederation"]);
    dropped.push("formerFederation");
  }
  if (form === "team" && typeof body.platform === "string") {
    // Always asked: which platform the new environment's team reads is the user's to confirm.
    const guess = guessPlatform(body.platform, from, name);
    mark(["platform"], `the platform stack ${name} reads, <organization>/<project>/<stack> (${from} reads ${JSON.stringify(body.platform)}${guess ? `; likely ${JSON.stringify(guess)}` : ""})`);
  }

  // Identifying fields, and the values to look for anywhere else.
  const identifiers = new Set<string>([...givenIdentifiers, ...identifiersOf(body, form)]);
  for (const { path, what } of identifyingFields(form)) {
    for (const hit of expand(body, path)) mark(hit.path, `${what} for ${name} (${from} has ${JSON.stringify(hit.value)})`);
  }

  // Keys: each environment has its own key pairs.
  const services = form !== "platform" && isRecord(body.services) ? body.services : {};
  for (const [key, service] of Object.entries(services)) {
    const auth = isRecord(service) && isRecord(service.auth) ? service.auth : undefined;
    if (auth?.jwks !== undefined) {
      mark(["services", key, "auth", "jwks"], `this environment's public key of ${key}: run npx okta-federation keygen --service ${key}, paste its jwks here`);
    }
    if (auth?.jwksUri !== undefined) mark(["services", key, "auth", "jwksUri"], `the JWKS URL of ${key} in ${name} (${from} has ${JSON.stringify(auth.jwksUri)})`);
  }

  // Any other value naming the source environment or one of its identifiers.
  const walk = (value: unknown, path: PropertyKey[]) => {
    if (marked.includes(label(path)) || dropped.includes(label(path))) return;
    if (typeof value === "string") {
      if (value.startsWith(FILL_IN_MARK)) return;
      const hit = [...identifiers].some((id) => value.includes(id)) || names(value, sourceEnvironment);
      if (hit) mark(path, `the value for ${name} (${from} has ${JSON.stringify(value)})`);
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (isRecord(value)) for (const [k, v] of Object.entries(value)) if (k !== "environment" || path.length > 0) walk(v, [...path, k]);
  };
  walk(body, []);
  return { marked, dropped };
}

/** The identifiers of a platform stack's config (its accounts, project, subscription…), from its stack file's text. */
export function platformIdentifiers(platformText: string): string[] {
  const config = (parseDocument(platformText).toJS() as { config?: Record<string, unknown> } | null)?.config;
  const body = config?.[`${CONFIG_NAMESPACE}:${PLATFORM_CONFIG_KEY}`];
  return isRecord(body) ? identifiersOf(body, "platform") : [];
}

/**
 * The placeholder `npm run new-env` writes for the token hook's secret: the offline plan never
 * decrypts secure values, so the new stack plans before `pulumi stack init` (which the real secret
 * needs: it is encrypted with the new stack's own key); no stack can decrypt it, so `pulumi preview`
 * and `pulumi up` fail on it until the real value is set.
 */
export const HOOK_SECRET_PLACEHOLDER = `${FILL_IN_MARK}: placeholder, not a secret; set the real value with pulumi config set --secret`;

/** Removes every comment that names the source environment (its header, notes about its values). */
function dropSourceComments(doc: Document, from: string): void {
  const clean = (node: { commentBefore?: string | null; comment?: string | null } | null | undefined) => {
    if (!node) return;
    if (node.commentBefore && names(node.commentBefore, from)) node.commentBefore = undefined;
    if (node.comment && names(node.comment, from)) node.comment = undefined;
  };
  visit(doc, {
    Node: (_, node) => clean(node as { commentBefore?: string | null; comment?: string | null }),
    Pair: (_, pair) => {
      if (isNode(pair.key)) clean(pair.key);
    },
  });
  if (doc.comment && names(doc.comment, from)) doc.comment = null;
}

/**
 * The new environment's stack file, from the source's text. For a team stack, `platformText` (the
 * source's platform stack file) gives the identifiers to look for in the team's values too (a
 * policy ARN in the platform's account, say).
 */
export function newEnvironmentStack(sourceText: string, from: string, name: string, today = new Date(), platformText?: string): NewEnvironment {
  const doc = parseDocument(sourceText);
  // Per-stack encryption settings belong to the source stack (pulumi stack init sets the new one's).
  for (const key of ["encryptionsalt", "secretsprovider", "encryptedkey"]) doc.delete(key);
  // The source's header and comments about its own values are not this environment's.
  doc.commentBefore = null;
  if (isMap(doc.contents)) {
    doc.contents.commentBefore = null;
    const first = doc.contents.items[0];
    if (first && isNode(first.key)) first.key.commentBefore = null;
  }
  dropSourceComments(doc, from);
  const swap = environmentSwap(from, name);
  if (swap) dropSourceComments(doc, swap.source);
  const config = doc.get("config");
  const fillIns: string[] = [];
  const droppedSecrets: string[] = [];
  const droppedHistory: string[] = [];
  let hookPlaceholder = false;
  if (isMap(config)) {
    const hookKey = `${CONFIG_NAMESPACE}:${HOOK_SECRET_KEY}`;
    for (const pair of [...config.items]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const value = pair.value;
      if (isMap(value) && value.items.length === 1 && isScalar(value.items[0]!.key) && value.items[0]!.key.value === "secure") {
        droppedSecrets.push(key);
        if (key !== hookKey) {
          config.delete(pair.key);
          continue;
        }
        // The hook's secret: a marked placeholder in its place, so that the stack plans offline.
        pair.value = doc.createNode({ secure: HOOK_SECRET_PLACEHOLDER });
        if (isScalar(pair.key)) {
          pair.key.commentBefore = [
            ` ${FILL_IN_MARK}: the value of the token hook's header in ${name}. Below is a placeholder, not a secret: it`,
            " lets the offline plan run before pulumi stack init (the offline plan never decrypts secure values);",
            " no stack can decrypt it, so pulumi preview and pulumi up fail on it until you set the real one:",
            `   pulumi config set --secret ${hookKey} "Bearer <token>" --stack ${name}`,
          ].join("\n");
        }
        hookPlaceholder = true;
      }
    }
    const js = (doc.toJS() as { config?: Record<string, unknown> }).config ?? {};
    const rewrite = (key: string, base: readonly string[], body: unknown, form: Form, identifiers?: readonly string[]) => {
      if (!isRecord(body)) return;
      const prefix = [key, ...base].join(".");
      const { marked, dropped } = rewriteBody(doc, ["config", key, ...base], body, form, from, name, identifiers);
      fillIns.push(...marked.map((p) => `${prefix}.${p}`));
      droppedHistory.push(...dropped.map((p) => `${prefix}.${p}`));
    };
    const key = (k: string) => `${CONFIG_NAMESPACE}:${k}`;
    rewrite(key(CONFIG_KEY), [], js[key(CONFIG_KEY)], "federation");
    const multi = js[key(CONFIG_KEY_MULTI)];
    for (const [federation, body] of Object.entries(isRecord(multi) ? multi : {})) rewrite(key(CONFIG_KEY_MULTI), [federation], body, "federation");
    rewrite(key(PLATFORM_CONFIG_KEY), [], js[key(PLATFORM_CONFIG_KEY)], "platform");
    rewrite(key(TEAM_CONFIG_KEY), [], js[key(TEAM_CONFIG_KEY)], "team", platformText === undefined ? [] : platformIdentifiers(platformText));
  }
  doc.commentBefore = [
    ` Environment ${name}: stack config of okta-federation (docs/config.md). Started from ${from}'s structure`,
    ` with npm run new-env on ${today.toISOString().slice(0, 10)}. Every ${FILL_IN_MARK} value belongs to ${name} and is yours`,
    " to fill in; npm run plan and pulumi up refuse the stack until none is left.",
    ...(hookPlaceholder ? [` ${CONFIG_NAMESPACE}:${HOOK_SECRET_KEY} holds a placeholder until pulumi stack init: see its note.`] : []),
  ].join("\n");
  return { text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }), fillIns, droppedSecrets, droppedHistory, hookPlaceholder };
}

/** For a team stack's text: the file the offline plan reads its platform from (the last segment of `platform`, beside it). */
function teamPlatformFile(sourceText: string, sourceFile: string): string | undefined {
  const team = (parseDocument(sourceText).toJS() as { config?: Record<string, unknown> } | null)?.config?.[`${CONFIG_NAMESPACE}:${TEAM_CONFIG_KEY}`];
  const platform = isRecord(team) && typeof team.platform === "string" ? team.platform : undefined;
  return platform === undefined ? undefined : join(dirname(sourceFile), `Pulumi.${platform.split("/").pop()}.yaml`);
}

export async function main(argv: readonly string[], io: Io, root = PROJECT_ROOT): Promise<number> {
  const parsed = parseFlags<{ from?: string }>(argv, { from: { type: "string" } }, USAGE, io, { positionals: true });
  if ("exit" in parsed) return parsed.exit;
  const { positionals } = parsed;
  const usage = (message: string) => {
    io.stderr(`error: ${message}\n${USAGE}\n`);
    return 2;
  };
  if (positionals.length !== 1) return usage(positionals.length === 0 ? "the new environment's name is required" : `one name only; got ${positionals.join(", ")}`);
  const name = positionals[0]!;
  const from = parsed.values.from;
  if (!from) return usage("--from <stack> is required: the stack to start from");
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(name)) return usage(`"${name}" is not an environment name: 1-20 characters of a-z, 0-9 and '-', starting with a letter`);
  let source;
  try {
    source = loadStack(from, root);
  } catch (error) {
    if (error instanceof StackFileError) return usage(error.message);
    throw error;
  }
  const target = join(root, "stacks", `Pulumi.${name}.yaml`);
  if (existsSync(target)) return usage(`stacks/Pulumi.${name}.yaml exists; an existing stack is never overwritten`);
  const sourceText = readFileSync(source.file, "utf8");
  const platformFile = teamPlatformFile(sourceText, source.file);
  const result = newEnvironmentStack(sourceText, from, name, new Date(), platformFile && existsSync(platformFile) ? readFileSync(platformFile, "utf8") : undefined);
  writeFileSync(target, result.text, { flag: "wx" });
  io.stdout(
    [
      `wrote stacks/Pulumi.${name}.yaml from ${from}: ${result.fillIns.length} value${result.fillIns.length === 1 ? "" : "s"} to fill in (marked ${FILL_IN_MARK}):`,
      ...result.fillIns.map((p) => `  - ${p}`),
      ...(result.droppedSecrets.length > 0
        ? [
            "secure values are per stack and were not copied; set them for the new stack after pulumi stack init:",
            ...result.droppedSecrets.map((k) => `  pulumi config set --secret ${k} <value> --stack ${name}`),
          ]
        : []),
      ...result.droppedHistory.map(
        (p) => `dropped ${p}: it records how ${from}'s objects were moved out of a single stack (aliases to that stack's state); ${name}'s objects are new. Set it only if ${name}'s objects are moved out of a single stack too (docs/organisation.md).`,
      ),
      ...(result.hookPlaceholder
        ? [
            `${CONFIG_NAMESPACE}:${HOOK_SECRET_KEY} holds a marked placeholder (secure: "${HOOK_SECRET_PLACEHOLDER}") so that the stack plans`,
            "offline before pulumi stack init; the offline plan shows it as [secret], and pulumi preview and up fail on it until it is set.",
          ]
        : []),
      `then: npm run plan -- --stack ${name}   (refuses the stack until every value is filled in)`,
      "",
    ].join("\n"),
  );
  return 0;
}

if (require.main === module) runCommand(main);
