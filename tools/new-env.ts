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
 * Secure values are dropped: they are encrypted for the source stack, and the new stack's secrets
 * are its own (the command prints how to set them). Exit codes: 0 written; 2 usage error, unknown
 * source stack, or a target that exists.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isMap, isNode, isScalar, parseDocument, visit, type Document } from "yaml";
import { CONFIG_KEY, CONFIG_KEY_MULTI, CONFIG_NAMESPACE, HOOK_SECRET_KEY } from "../components/config";
import { FILL_IN_MARK, fillIn } from "../components/internal/fillIn";
import { parseFlags, runCommand, type Io } from "./cli";
import { PROJECT_ROOT, StackFileError, loadStack } from "./offline/stackFile";

const USAGE = "usage: npm run new-env -- <name> --from <stack>";

/** Fields that identify one environment, by path inside a federation, with what to ask for. */
const IDENTIFYING: ReadonlyArray<{ path: readonly string[]; what: string; /** false: marked, but not looked for in other values (a common domain). */ identifies?: false }> = [
  { path: ["okta", "orgName"], what: "the Okta org (e.g. acme for acme.okta.com)" },
  { path: ["okta", "baseUrl"], what: "the Okta domain of this environment's org (okta.com, oktapreview.com, okta-emea.com, …)", identifies: false },
  { path: ["okta", "authorizationServer", "name"], what: "the authorization server's name" },
  { path: ["okta", "authorizationServer", "audience"], what: "the audience of this environment's tokens" },
  { path: ["okta", "authorizationServer", "customDomain"], what: "the custom domain of this environment's issuer" },
  { path: ["okta", "authorizationServer", "existingServerId"], what: "the id of the adopted authorization server" },
  { path: ["okta", "authorizationServer", "existingIssuer"], what: "the issuer URL of the adopted authorization server" },
  { path: ["okta", "tokenHook", "name"], what: "the token hook's name" },
  { path: ["okta", "tokenHook", "url"], what: "the token hook's URL" },
  { path: ["aws", "accountId"], what: "the AWS account id" },
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
  { path: ["azure", "resourceGroup"], what: "the resource group for the identities" },
];

export interface NewEnvironment {
  /** The new stack file's text. */
  readonly text: string;
  /** Config paths left to fill in, e.g. `okta-federation:federation.okta.orgName`. */
  readonly fillIns: readonly string[];
  /** Secure config keys not copied (to set with pulumi config set --secret). */
  readonly droppedSecrets: readonly string[];
  /** True when the token hook's secret holds {@link HOOK_SECRET_PLACEHOLDER} (so that the stack plans offline). */
  readonly hookPlaceholder: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const getIn = (value: unknown, path: readonly PropertyKey[]): unknown => path.reduce<unknown>((v, k) => (isRecord(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[k as string] : undefined), value);

/** True when `value` names `word` as a whole token (e.g. "dev" in "api://services-dev", not in "device"). */
function names(value: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9])${escaped}($|[^A-Za-z0-9])`, "i").test(value);
}

/** Rewrites one federation (a node of the document at `base`); returns the paths marked. */
function rewriteFederation(doc: Document, base: readonly PropertyKey[], federation: Record<string, unknown>, from: string, name: string): string[] {
  const marked: string[] = [];
  const label = (path: readonly PropertyKey[]) => path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join("");
  const mark = (path: readonly PropertyKey[], what: string) => {
    doc.setIn([...base, ...path], fillIn(what));
    marked.push(label(path));
  };
  const sourceEnvironment = typeof federation.environment === "string" ? federation.environment : from;
  // The stack's own environment becomes the new name; a federation labelled otherwise (a tenant, say) is asked for.
  if (sourceEnvironment === from) doc.setIn([...base, "environment"], name);
  else mark(["environment"], `the environment label of this federation in ${name} (${from} has ${JSON.stringify(sourceEnvironment)})`);

  // Identifying fields, and the values to look for anywhere else.
  const identifiers = new Set<string>();
  for (const { path, what, identifies } of IDENTIFYING) {
    const value = getIn(federation, path);
    if (value === undefined) continue;
    if (identifies !== false && typeof value === "string" && value.length >= 3) identifiers.add(value);
    mark(path, `${what} for ${name} (${from} has ${JSON.stringify(value)})`);
  }

  // Keys: each environment has its own key pairs.
  const services = isRecord(federation.services) ? federation.services : {};
  for (const [key, service] of Object.entries(services)) {
    const auth = isRecord(service) && isRecord(service.auth) ? service.auth : undefined;
    if (auth?.jwks !== undefined) {
      mark(["services", key, "auth", "jwks"], `this environment's public key of ${key}: run npx okta-federation keygen --service ${key}, paste its jwks here`);
    }
    if (auth?.jwksUri !== undefined) mark(["services", key, "auth", "jwksUri"], `the JWKS URL of ${key} in ${name} (${from} has ${JSON.stringify(auth.jwksUri)})`);
  }

  // Any other value naming the source environment or one of its identifiers.
  const walk = (value: unknown, path: PropertyKey[]) => {
    if (marked.includes(label(path))) return;
    if (typeof value === "string") {
      if (value.startsWith(FILL_IN_MARK)) return;
      const hit = [...identifiers].some((id) => value.includes(id)) || names(value, sourceEnvironment);
      if (hit) mark(path, `the value for ${name} (${from} has ${JSON.stringify(value)})`);
      return;
    }
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (isRecord(value)) for (const [k, v] of Object.entries(value)) if (k !== "environment" || path.length > 0) walk(v, [...path, k]);
  };
  walk(federation, []);
  return marked;
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

/** The new environment's stack file, from the source's text. */
export function newEnvironmentStack(sourceText: string, from: string, name: string, today = new Date()): NewEnvironment {
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
  const config = doc.get("config");
  const fillIns: string[] = [];
  const droppedSecrets: string[] = [];
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
    const single = `${CONFIG_NAMESPACE}:${CONFIG_KEY}`;
    const multi = `${CONFIG_NAMESPACE}:${CONFIG_KEY_MULTI}`;
    const js = (doc.toJS() as { config?: Record<string, unknown> }).config ?? {};
    if (isRecord(js[single])) fillIns.push(...rewriteFederation(doc, ["config", single], js[single] as Record<string, unknown>, from, name).map((p) => `${single}.${p}`));
    if (isRecord(js[multi])) {
      for (const [federation, body] of Object.entries(js[multi] as Record<string, unknown>)) {
        if (isRecord(body)) fillIns.push(...rewriteFederation(doc, ["config", multi, federation], body, from, name).map((p) => `${multi}.${federation}.${p}`));
      }
    }
  }
  doc.commentBefore = [
    ` Environment ${name}: stack config of okta-federation (docs/config.md). Started from ${from}'s structure`,
    ` with npm run new-env on ${today.toISOString().slice(0, 10)}. Every ${FILL_IN_MARK} value belongs to ${name} and is yours`,
    " to fill in; npm run plan and pulumi up refuse the stack until none is left.",
    ...(hookPlaceholder ? [` ${CONFIG_NAMESPACE}:${HOOK_SECRET_KEY} holds a placeholder until pulumi stack init: see its note.`] : []),
  ].join("\n");
  return { text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }), fillIns, droppedSecrets, hookPlaceholder };
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
  const result = newEnvironmentStack(readFileSync(source.file, "utf8"), from, name);
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
