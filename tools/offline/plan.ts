/**
 * The offline plan: the real stack program, run against the offline engine with a stack's config,
 * rendered as a readable tree or a JSON document.
 */
import { federationProgram } from "../../stacks/program";
import { redact, runOffline, type OfflineRunResult, type PlaceholderHints, type RecordedResource } from "./engine";
export { placeholdersIn } from "../../components/internal/placeholder";
import { StackFileError, loadStack, loadStackFile, type StackConfig } from "./stackFile";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { CONFIG_NAMESPACE } from "../../components/config";
import { TEAM_CONFIG_KEY } from "../../components/config/team";
import type { PlatformOutputsV1 } from "../../components/platformContract";
import { FILL_IN_MARK } from "../../components/internal/fillIn";
import { PLATFORM_OUTPUT } from "../../stacks/organisation";
import { scaleFigures, scaleLines } from "./scale";
import { oktaIssuerUrl } from "../../components/internal/trust";
import { azureRoleName } from "../../components/internal/azureRoles";
import { policyDocumentStatements } from "../../components/internal/awsIdentityAdmin";
import { statementWords } from "../../components/internal/awsPolicy";

export interface Plan extends OfflineRunResult {
  readonly project: string;
  readonly stack: string;
}

/**
 * Runs a stack program offline with the given stack's config: this repository's program, or
 * another (`program`, e.g. a pull request's own code loaded by loadProgram).
 */
export async function planStack(stack: string | StackConfig, program: () => unknown = federationProgram, planning: readonly string[] = []): Promise<Plan> {
  return (await planStackAndPlatform(stack, program, planning)).plan;
}

/**
 * planStack, also returning a team stack's platform plan: the one planned to feed the team's
 * StackReference (verify and the sandbox need its objects too, and need not plan it again).
 */
export async function planStackAndPlatform(
  stack: string | StackConfig,
  program: () => unknown = federationProgram,
  planning: readonly string[] = [],
): Promise<{ readonly plan: Plan; readonly platform?: Plan }> {
  const loaded = typeof stack === "string" ? loadStack(stack) : stack;
  const platform = await platformOf(loaded, program, planning);
  const hints = placeholderHints(loaded.federations);
  const result = await runOffline(program, {
    project: loaded.project,
    stack: loaded.stack,
    config: loaded.config,
    secretKeys: loaded.secretKeys,
    hints: platform ? { ...hints, oktaAdoptedServers: { ...hints.oktaAdoptedServers, ...platform.adoptedServer } } : hints,
    stackReferences: platform ? { [platform.name]: platform.plan.outputs } : undefined,
  });
  return { plan: { ...result, project: loaded.project, stack: loaded.stack }, ...(platform ? { platform: platform.plan } : {}) };
}

/** The platform stack name a team stack's config names, or undefined for any other stack. */
export function teamPlatformName(loaded: StackConfig): string | undefined {
  const raw = loaded.config[`${CONFIG_NAMESPACE}:${TEAM_CONFIG_KEY}`];
  if (raw === undefined) return undefined;
  try {
    const platform = (JSON.parse(raw) as { platform?: unknown }).platform;
    // A platform npm run new-env left to fill in names no stack: the team program reports it.
    return typeof platform === "string" && !platform.startsWith(FILL_IN_MARK) ? platform : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For a team stack: the platform stack planned first, offline, from the stack file beside the
 * team's (`Pulumi.<last segment of its name>.yaml`), as the team's StackReference reads it, with
 * the platform's server as reading it from Okta would return it. A platform's values known only
 * after its deploy flow into the team's plan as placeholders.
 */
async function platformOf(loaded: StackConfig, program: () => unknown, planning: readonly string[]) {
  const name = teamPlatformName(loaded);
  if (name === undefined) return undefined;
  const stack = name.split("/").pop()!;
  const file = join(dirname(loaded.file), `Pulumi.${stack}.yaml`);
  if (planning.includes(stack) || stack === loaded.stack) throw new StackFileError(`stack ${loaded.stack} reads platform stack ${name}, which reads it back: a team stack's platform must be a platform stack`);
  if (!existsSync(file)) throw new StackFileError(`team stack ${loaded.stack} reads platform stack ${name}: the offline plan plans it from ${file}, which does not exist`);
  const plan = await planStack(loadStackFile(file), program, [...planning, loaded.stack]);
  const contract = plan.outputs[PLATFORM_OUTPUT] as PlatformOutputsV1 | undefined;
  const okta = contract?.okta;
  const adoptedServer = okta
    ? { [`${okta.orgName}.${okta.baseUrl}/${okta.authorizationServerId}`]: { issuer: okta.issuerUrl, audiences: [okta.audience], issuerMode: okta.issuerMode } }
    : {};
  return { name, plan, adoptedServer };
}

/**
 * A Pulumi program file as the Node runtime runs `main` (Pulumi.yaml): the module is loaded when the
 * program runs; a module that exports a function (`export =` or `export default`) is called and its
 * result becomes the stack outputs, otherwise its exports are. A folder means its index file.
 */
export function loadProgram(path: string): () => unknown {
  return () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(require.resolve(path)) as unknown;
    const exported = typeof loaded === "function" ? loaded : (loaded as { default?: unknown } | undefined)?.default;
    return typeof exported === "function" ? (exported as () => unknown)() : loaded;
  };
}

/** What the offline engine needs beyond the inputs to answer like Okta would, from the raw federation configs. */
export function placeholderHints(federations: readonly unknown[]): PlaceholderHints {
  return { oktaCustomDomains: customDomains(federations), oktaAdoptedServers: adoptedServers(federations) };
}

/** The custom domain each Okta org's CUSTOM_URL servers use, from the raw configs (for placeholders). */
function customDomains(federations: readonly unknown[]): Record<string, string> {
  const domains: Record<string, string> = {};
  for (const raw of federations as Array<{ okta?: { orgName?: string; baseUrl?: string; authorizationServer?: { customDomain?: string; existing?: { customDomain?: string } } } }>) {
    const server = raw?.okta?.authorizationServer;
    const domain = server?.customDomain ?? server?.existing?.customDomain;
    if (raw?.okta?.orgName && domain) domains[`${raw.okta.orgName}.${raw.okta.baseUrl ?? "okta.com"}`] = domain;
  }
  return domains;
}

/** Adopted authorization servers as each config describes them (what reading them from Okta returns offline). */
function adoptedServers(federations: readonly unknown[]): Record<string, { issuer: string; audiences: string[]; issuerMode: string }> {
  const servers: Record<string, { issuer: string; audiences: string[]; issuerMode: string }> = {};
  for (const raw of federations as Array<{ okta?: { orgName?: string; baseUrl?: string; authorizationServer?: { existing?: { id?: string; audience?: string; issuerMode?: string; customDomain?: string } } } }>) {
    const existing = raw?.okta?.authorizationServer?.existing;
    const orgName = raw?.okta?.orgName;
    if (!existing?.id || !orgName) continue;
    const baseUrl = raw.okta!.baseUrl ?? "okta.com";
    const issuerMode = existing.issuerMode === "CUSTOM_URL" ? "CUSTOM_URL" : "ORG_URL";
    if (issuerMode === "CUSTOM_URL" && !existing.customDomain) continue;
    servers[`${orgName}.${baseUrl}/${existing.id}`] = {
      issuer: oktaIssuerUrl({ issuerMode, orgName, baseUrl, customDomain: existing.customDomain, serverId: existing.id }),
      audiences: typeof existing.audience === "string" ? [existing.audience] : [],
      issuerMode,
    };
  }
  return servers;
}

/** Resource counts per type, sorted by type. */
export function countByType(resources: readonly RecordedResource[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** The JSON form: only data, secrets as "[secret]", placeholders listed per resource. */
export function planToJson(plan: Plan): Record<string, unknown> {
  return {
    kind: "okta-federation/offline-plan",
    version: 1,
    project: plan.project,
    stack: plan.stack,
    note: "Offline plan: the stack program run in-process against a mock engine. Nothing was deployed. Values like <name.property> are known only after deploy.",
    summary: { total: plan.resources.length, byType: countByType(plan.resources), scale: scaleFigures(plan.resources) },
    resources: plan.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent,
      provider: r.provider,
      custom: r.custom,
      operation: r.read ? "read" : "create",
      ...(r.read ? { id: r.outputs.id } : {}),
      protect: r.protect,
      ignoreChanges: r.ignoreChanges,
      // Only when set, like aliases: what replaces the resource beyond the provider's rules.
      ...(r.replaceOnChanges?.length ? { replaceOnChanges: r.replaceOnChanges } : {}),
      ...(r.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
      dependsOn: r.dependencies,
      ...(r.aliases.length ? { aliases: r.aliases } : {}),
      inputs: redact(r.inputs),
      ...(r.componentOutputs ? { outputs: redact(r.componentOutputs) } : {}),
      afterDeploy: Object.fromEntries(r.afterDeploy.map((k) => [k, redact(r.outputs[k])])),
    })),
    outputs: redact(plan.outputs),
  };
}

/** The Okta writes a resource waits for beyond those of the `skip` types (its order in a write lane), by name. */
function writtenAfter(r: RecordedResource, skip: readonly string[]): string | undefined {
  // A URN is urn:pulumi:<stack>::<project>::<parent types$type>::<name>.
  const typeOf = (urn: string) => urn.split("::")[2]?.split("$").pop() ?? "";
  const names = r.dependencies.filter((d) => typeOf(d).startsWith("okta:") && !skip.includes(typeOf(d))).map((d) => d.split("::").pop());
  return names.length ? names.join(",") : undefined;
}

/** The trust-relevant inputs of a resource, in a line. */
export function keyInputs(r: RecordedResource): string {
  const i = redact(r.inputs) as Record<string, any>;
  const fmt = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  const pairs = (o: Record<string, unknown>) =>
    Object.entries(o)
      .filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => `${k}=${fmt(v)}`)
      .join("  ");
  switch (r.type) {
    case "okta:auth/server:Server":
      return r.read
        ? `adopt id=${r.outputs.id}  issuer=${r.outputs.issuer}  audiences=${fmt(r.outputs.audiences)}`
        : pairs({ name: i.name, audiences: i.audiences, issuerMode: i.issuerMode, issuer: r.outputs.issuer });
    case "okta:auth/serverScope:ServerScope":
      return pairs({ name: i.name, consent: i.consent });
    case "okta:auth/serverClaim:ServerClaim":
      return pairs({ name: i.name, value: i.value, claimType: i.claimType });
    case "okta:app/oAuth:OAuth":
      return pairs({
        type: i.type,
        grantTypes: i.grantTypes,
        auth: i.tokenEndpointAuthMethod,
        omitSecret: i.omitSecret,
        skipAuthenticationPolicy: i.skipAuthenticationPolicy,
        clientId: r.outputs.clientId,
        // The app written just before this one in its lane (okta.provider.maxConcurrentWrites).
        writtenAfter: writtenAfter(r, []),
      });
    case "okta:auth/serverPolicy:ServerPolicy":
      // The write just before this one: one server's policies and rules are written one at a time.
      return pairs({ clientWhitelists: i.clientWhitelists, priority: i.priority, writtenAfter: writtenAfter(r, ["okta:auth/server:Server", "okta:app/oAuth:OAuth"]) });
    case "okta:auth/serverPolicyRule:ServerPolicyRule":
      return pairs({ grantTypes: i.grantTypeWhitelists, scopes: i.scopeWhitelists, lifetimeMinutes: i.accessTokenLifetimeMinutes, inlineHookId: i.inlineHookId });
    case "okta:inline/hook:Hook":
      return pairs({ type: i.type, uri: i.channel?.uri, auth: i.auth });
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return pairs({ url: i.url, clientIdLists: i.clientIdLists, thumbprints: i.thumbprintLists });
    case "aws:iam/role:Role": {
      const statement = JSON.parse(String(i.assumeRolePolicy ?? "{}")).Statement?.[0];
      return pairs({ name: i.name, trust: statement?.Condition?.StringEquals, maxSession: i.maxSessionDuration });
    }
    case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
      return pairs({ policyArn: i.policyArn });
    case "aws:iam/rolePolicy:RolePolicy":
      // The inline policy by its name, each statement in words (effect, actions, resources, conditions).
      return pairs({ name: i.name, ...Object.fromEntries(policyDocumentStatements(i.policy).map((s, n) => [`statement${n + 1}`, statementWords(s)])) });
    case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool":
      return pairs({ id: i.workloadIdentityPoolId, project: i.project });
    case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider":
      return pairs({ issuerUri: i.oidc?.issuerUri, allowedAudiences: i.oidc?.allowedAudiences, condition: i.attributeCondition });
    case "gcp:serviceaccount/account:Account":
      return pairs({ accountId: i.accountId, email: r.outputs.email });
    case "gcp:serviceaccount/iAMMember:IAMMember":
    case "gcp:projects/iAMMember:IAMMember":
      return pairs({ role: i.role, member: i.member });
    case "azure-native:managedidentity:UserAssignedIdentity":
      return pairs({ name: i.resourceName, resourceGroup: i.resourceGroupName });
    case "azure-native:managedidentity:FederatedIdentityCredential":
      return pairs({ issuer: i.issuer, subject: i.subject, audiences: i.audiences });
    case "azure-native:authorization:RoleAssignment":
      return pairs({ role: azureRoleName(String(i.roleDefinitionId)) ?? String(i.roleDefinitionId).split("/").pop(), scope: i.scope, principalType: i.principalType });
    default:
      return r.type.startsWith("pulumi:providers:") ? pairs(i) : "";
  }
}

/** The readable form: a tree of components and resources with their key trust inputs. */
export function planToText(plan: Plan): string {
  const lines: string[] = [];
  const children = new Map<string | null, RecordedResource[]>();
  for (const r of plan.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  lines.push(`OFFLINE PLAN  stack ${plan.stack}  (project ${plan.project})`);
  lines.push("Nothing was deployed: the stack program ran in-process against a mock engine, without the Pulumi CLI,");
  lines.push("credentials or network. Values like <name.property> are known only after deploy.");
  lines.push("");
  const walk = (parent: string | null, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      const marker = r.read ? "~ read" : r.custom ? "+" : "+";
      const flags = [r.protect ? "protected" : "", r.custom ? "" : "component"].filter(Boolean).join(", ");
      const detail = keyInputs(r);
      lines.push(`${"  ".repeat(depth)}${marker} ${r.type}  ${r.name}${flags ? `  (${flags})` : ""}`);
      if (detail) lines.push(`${"  ".repeat(depth + 2)}${detail}`);
      walk(r.urn, depth + 1);
    }
  };
  walk(null, 0);
  lines.push("");
  const counts = countByType(plan.resources);
  const created = plan.resources.filter((r) => !r.read).length;
  lines.push(`Resources: ${plan.resources.length} (${created} to create, ${plan.resources.length - created} to read)`);
  const width = Math.max(...Object.keys(counts).map((t) => t.length));
  for (const [type, n] of Object.entries(counts)) lines.push(`  ${type.padEnd(width)}  ${n}`);
  const scale = scaleFigures(plan.resources);
  if (scale.length) {
    lines.push("");
    lines.push(`Quotas and rate limits (what the first deploy meets${scale.some((f) => f.advisory) ? "; ! = over 80 % of the limit" : ""}):`);
    lines.push(...scaleLines(scale));
  }
  lines.push("");
  lines.push("Outputs:");
  lines.push(
    JSON.stringify(redact(plan.outputs), null, 2)
      .split("\n")
      .map((l) => `  ${l}`)
      .join("\n"),
  );
  return lines.join("\n");
}


