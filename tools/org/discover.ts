/**
 * Which stacks `npm run org` runs: every stack file that holds a platform or a team config, or the
 * stacks named with --stack; each with what ordering needs (its kind, a team's platform reference).
 */
import { CONFIG_NAMESPACE } from "../../components/config";
import { PLATFORM_CONFIG_KEY } from "../../components/config/platform";
import { TEAM_CONFIG_KEY } from "../../components/config/team";
import { oktaOrgHost } from "../../components/internal/canonical";
import { OKTA_MAX_CONCURRENT_WRITES } from "../../components/internal/oktaPacing";
import { teamPlatformName } from "../offline/plan";
import { listStacks, loadStack, PROJECT_ROOT, StackFileError, type StackConfig } from "../offline/stackFile";
import type { OrgStackInput } from "./order";

export const PLATFORM_KEY = `${CONFIG_NAMESPACE}:${PLATFORM_CONFIG_KEY}`;
export const TEAM_KEY = `${CONFIG_NAMESPACE}:${TEAM_CONFIG_KEY}`;

/** A stack of the organisation, with its file. */
export interface DiscoveredStack extends OrgStackInput {
  readonly file: string;
}

/** Stacks that cannot be run by `npm run org`: every problem, each naming its stack. */
export class DiscoveryError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`cannot run these stacks: ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
    this.name = "DiscoveryError";
  }
}

/** The organisation kind of a loaded stack, or why it has none. */
function kindOf(loaded: StackConfig): { kind: "platform" | "team" } | { problem: string } | undefined {
  const platform = loaded.config[PLATFORM_KEY] !== undefined;
  const team = loaded.config[TEAM_KEY] !== undefined;
  if (platform && team) return { problem: `stack ${loaded.stack} holds both ${PLATFORM_KEY} and ${TEAM_KEY}: a stack is a platform stack or a team stack` };
  if (platform) return { kind: "platform" };
  if (team) return { kind: "team" };
  return undefined;
}

/**
 * A stack's Okta org and writes at once, read leniently from its config's JSON (the stack's own run
 * validates it): a platform's `okta.orgName` and `okta.baseUrl`, and either's
 * `okta.provider.maxConcurrentWrites` (the kit's default when not set or not a whole number in range).
 */
function oktaPacing(raw: string | undefined): { oktaOrg?: string; oktaWrites: number } {
  let okta: { orgName?: unknown; baseUrl?: unknown; provider?: { maxConcurrentWrites?: unknown } } = {};
  try {
    const parsed = JSON.parse(raw ?? "{}") as { okta?: typeof okta };
    if (typeof parsed.okta === "object" && parsed.okta !== null) okta = parsed.okta;
  } catch {
    // Not JSON: the stack's own run reports it.
  }
  const writes = okta.provider?.maxConcurrentWrites;
  const inRange = typeof writes === "number" && Number.isInteger(writes) && writes >= OKTA_MAX_CONCURRENT_WRITES.min && writes <= OKTA_MAX_CONCURRENT_WRITES.max;
  return {
    ...(typeof okta.orgName === "string" && okta.orgName !== "" ? { oktaOrg: oktaOrgHost(okta.orgName, typeof okta.baseUrl === "string" ? okta.baseUrl : undefined) } : {}),
    oktaWrites: inRange ? (writes as number) : OKTA_MAX_CONCURRENT_WRITES.default,
  };
}

/**
 * The stacks to run, from the project at `root`: those named (each must have a stack file and be a
 * platform or a team stack), or, when none are, every stack file with a platform or team config.
 * A stack file that cannot be read stops discovery with its StackFileError.
 */
export function discoverStacks(names: readonly string[] = [], root = PROJECT_ROOT): DiscoveredStack[] {
  const problems: string[] = [];
  const named = names.length > 0;
  const stacks: DiscoveredStack[] = [];
  const candidates = named ? [...new Set(names)] : listStacks(root);
  const known = named ? listStacks(root) : candidates;
  for (const name of candidates) {
    if (named && !known.includes(name)) {
      problems.push(`unknown stack "${name}": there is no stack file Pulumi.${name}.yaml; stacks: ${known.join(", ") || "(none)"}`);
      continue;
    }
    let loaded: StackConfig;
    try {
      loaded = loadStack(name, root);
    } catch (error) {
      if (error instanceof StackFileError && error.problems.length === 0) {
        problems.push(error.message);
        continue;
      }
      throw error;
    }
    const kind = kindOf(loaded);
    if (kind === undefined) {
      if (named) problems.push(`stack ${name} is neither a platform stack (${PLATFORM_KEY}) nor a team stack (${TEAM_KEY}): npm run org runs the organisation's stacks; use pulumi or npm run plan for it`);
      continue;
    }
    if ("problem" in kind) {
      problems.push(kind.problem);
      continue;
    }
    const platform = kind.kind === "team" ? teamPlatformName(loaded) : undefined;
    stacks.push({ name, kind: kind.kind, file: loaded.file, ...(platform !== undefined ? { platform } : {}), ...oktaPacing(loaded.config[kind.kind === "platform" ? PLATFORM_KEY : TEAM_KEY]) });
  }
  if (problems.length > 0) throw new DiscoveryError(problems);
  return stacks;
}
