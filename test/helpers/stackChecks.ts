/**
 * What every stack file must satisfy, whatever its contents: the checks the suite runs on each file
 * in stacks/ (which users edit and add), stated without knowing what the stack holds.
 */
import { HOOK_SECRET_KEY, CONFIG_NAMESPACE, CONFIG_KEY, CONFIG_KEY_MULTI } from "../../components/config";
import { ProgramError } from "../../tools/offline/engine";
import { PLATFORM_CONFIG_KEY } from "../../components/config/platform";
import { TEAM_CONFIG_KEY } from "../../components/config/team";
import { planStack, planToJson } from "../../tools/offline/plan";
import type { StackConfig } from "../../tools/offline/stackFile";
import { extractModel, type PlanDocument } from "../../tools/verify/model";
import { verifyModel } from "../../tools/verify/verify";

/** Reverses the order of every map and list in a value, recursively. */
export function reverseMaps(value: any): any {
  if (Array.isArray(value)) return value.map(reverseMaps).reverse();
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseMaps(v)]));
  return value;
}

/** Private members of a JWK: none may reach a plan. */
const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi"];

function privateMaterial(value: unknown, path: string, found: string[]): void {
  if (typeof value === "string") {
    if (/PRIVATE KEY-----/.test(value)) found.push(`${path}: holds a PEM private key`);
    return;
  }
  if (Array.isArray(value)) return value.forEach((v, i) => privateMaterial(v, `${path}[${i}]`, found));
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (typeof record.kty === "string" && PRIVATE_JWK_MEMBERS.some((m) => m in record)) found.push(`${path}: holds a private JWK`);
    for (const [k, v] of Object.entries(record)) privateMaterial(v, `${path}.${k}`, found);
  }
}

/**
 * Problems with a stack, in words (empty when it is sound): it plans; verify passes; no secret is
 * in plaintext in the file, the plan or its outputs; reordering every map and list in its config
 * keeps every URN.
 */
export async function stackProblems(stack: StackConfig): Promise<string[]> {
  const problems: string[] = [];
  const hookKey = `${CONFIG_NAMESPACE}:${HOOK_SECRET_KEY}`;
  if (stack.config[hookKey] !== undefined && !stack.secretKeys.includes(hookKey)) {
    problems.push(`${hookKey} is in plaintext in ${stack.file}: set it with pulumi config set --secret`);
  }
  let plan;
  try {
    plan = await planStack(stack);
  } catch (error) {
    if (error instanceof ProgramError) return [...problems, `does not plan: ${error.message}`];
    throw error;
  }
  if (!plan.resources.some((r) => r.type === "oktafed:index:Federation" || r.type === "oktafed:index:Platform")) problems.push("registers no Federation and no Platform");
  const document = planToJson(plan) as unknown as PlanDocument;

  const result = await verifyModel(extractModel(document));
  for (const finding of result.findings.filter((f) => f.accepted !== true)) problems.push(`verify: ${finding.kind}: ${finding.message}`);

  for (const r of document.resources) {
    if (r.type === "okta:inline/hook:Hook" && (r.inputs as Record<string, unknown>).auth !== "[secret]") problems.push(`${r.name}: the hook's auth header is not a secret in the plan`);
  }
  const found: string[] = [];
  privateMaterial(document, "plan", found);
  problems.push(...found);
  const outputs = document.outputs as Record<string, unknown> | undefined;
  for (const secrets of [outputs?.clientSecrets, ...Object.values((outputs?.federations as Record<string, Record<string, unknown>> | undefined) ?? {}).map((f) => f.clientSecrets)]) {
    if (secrets !== undefined && secrets !== "[secret]") problems.push("outputs: clientSecrets are not a secret");
  }

  const reordered = { ...stack, config: { ...stack.config } };
  for (const key of [`${CONFIG_NAMESPACE}:${CONFIG_KEY}`, `${CONFIG_NAMESPACE}:${CONFIG_KEY_MULTI}`, `${CONFIG_NAMESPACE}:${PLATFORM_CONFIG_KEY}`, `${CONFIG_NAMESPACE}:${TEAM_CONFIG_KEY}`]) {
    if (reordered.config[key] !== undefined) reordered.config[key] = JSON.stringify(reverseMaps(JSON.parse(reordered.config[key]!)));
  }
  const urns = new Set(plan.resources.map((r) => r.urn));
  const again = (await planStack(reordered)).resources.map((r) => r.urn);
  const moved = [...again.filter((u) => !urns.has(u)), ...[...urns].filter((u) => !again.includes(u))];
  if (moved.length > 0) problems.push(`reordering the config changes URNs: ${moved.slice(0, 3).join(", ")}${moved.length > 3 ? ", …" : ""}`);
  return problems;
}
