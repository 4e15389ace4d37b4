/**
 * Runs an organisation's stacks in order on an engine (Pulumi's, through the Automation API, or the
 * offline plan), with a progress line per stack start, resource step, end or failure, and a summary
 * per stack. Engines report steps by operation, type and URN only: never inputs, outputs or
 * messages, which may carry secrets.
 */
import { OKTA_MAX_CONCURRENT_WRITES } from "../../components/internal/oktaPacing";
import { runInOrder, type OrderedStack } from "./order";

export type Operation = "preview" | "up";

/** One resource step the engine reports: what is done to which resource. */
export interface Step {
  readonly op: string;
  readonly type: string;
  readonly urn: string;
}

/** What became of a stack on an engine. */
export interface EngineResult {
  readonly ok: boolean;
  /** Resources by operation (Pulumi's change summary: create, update, same, read, …). */
  readonly changes: Readonly<Record<string, number>>;
  /** When it failed: the last lines of the error, without secrets. */
  readonly errorLines?: readonly string[];
}

/** Runs one stack. */
export interface Engine {
  /** `pulumi` or `offline`. */
  readonly name: "pulumi" | "offline";
  /** In words, for the first line: which engine, what it does. */
  readonly description: string;
  /** How many stacks it can run at once (the offline engine: one). */
  readonly maxParallel: number;
  run(stack: OrderedStack, operation: Operation, onStep: (step: Step) => void): Promise<EngineResult>;
}

/**
 * The Okta authorization server a stack writes policies on while it runs, when no other stack may
 * write there at the same time: under `up`, a team stack creates, updates and deletes access
 * policies on its platform's server, and Okta answers a policy write of a server whose priorities it
 * is reconciling (after a removal or a shift) with HTTP 500 or 423 `E0000239`, which the Okta
 * provider does not retry (okta/terraform-provider-okta#1198, #2151; `okta/api/api.go` checkRetry):
 * that team's update would fail. So one platform's teams update one at a time; a preview writes
 * nothing, and other platforms' servers are others.
 */
export function policyWriteServer(stack: OrderedStack, operation: Operation): string | undefined {
  return operation === "up" && stack.kind === "team" ? stack.after : undefined;
}

/** The platforms whose teams `policyWriteServer` keeps apart in this run (two or more teams each), with their team counts, by name. */
export function serialisedPlatforms(order: readonly OrderedStack[], operation: Operation): Array<{ readonly platform: string; readonly teams: number }> {
  const teams = new Map<string, number>();
  for (const s of order) {
    const server = policyWriteServer(s, operation);
    if (server !== undefined) teams.set(server, (teams.get(server) ?? 0) + 1);
  }
  return [...teams].filter(([, n]) => n > 1).sort(([a], [b]) => a.localeCompare(b)).map(([platform, n]) => ({ platform, teams: n }));
}

/** How many requests Okta allows one org at once (beyond them it answers 429): the most a stack's writes may be. */
export const OKTA_ORG_CAPACITY = OKTA_MAX_CONCURRENT_WRITES.max;

/**
 * A stack's share of its Okta org's simultaneous requests while it runs under `up`: its Okta writes
 * at once (`okta.provider.maxConcurrentWrites`, each stack's own lanes), in its org (a team's is its
 * platform's). Stacks of one Okta org (platforms of several environments in one org, and their
 * teams) start only while their shares add up to {@link OKTA_ORG_CAPACITY} or less; a stack's own
 * config keeps its share within it. A preview writes nothing.
 */
export function oktaOrgShare(stack: OrderedStack, operation: Operation, order: readonly OrderedStack[]): { readonly key: string; readonly weight: number } | undefined {
  if (operation !== "up") return undefined;
  const org = stack.kind === "platform" ? stack.oktaOrg : order.find((s) => s.name === stack.after)?.oktaOrg;
  return org === undefined ? undefined : { key: org, weight: stack.oktaWrites ?? OKTA_MAX_CONCURRENT_WRITES.default };
}

/**
 * The Okta orgs whose stacks could otherwise run with more writes at once than the org allows, with
 * that figure: per platform of the org, its largest share (a platform runs before its teams, and its
 * teams one at a time), the `lanes` largest added up.
 */
export function pacedOktaOrgs(order: readonly OrderedStack[], operation: Operation, lanes: number): Array<{ readonly org: string; readonly platforms: number; readonly writes: number }> {
  const byPlatform = new Map<string, { org: string; weight: number }>();
  for (const s of order) {
    const share = oktaOrgShare(s, operation, order);
    const platform = s.kind === "platform" ? s.name : s.after;
    if (!share || platform === undefined) continue;
    byPlatform.set(platform, { org: share.key, weight: Math.max(byPlatform.get(platform)?.weight ?? 0, share.weight) });
  }
  const byOrg = new Map<string, number[]>();
  for (const { org, weight } of byPlatform.values()) byOrg.set(org, [...(byOrg.get(org) ?? []), weight]);
  return [...byOrg]
    .map(([org, weights]) => ({ org, platforms: weights.length, writes: weights.sort((a, b) => b - a).slice(0, lanes).reduce((a, b) => a + b, 0) }))
    .filter((o) => o.writes > OKTA_ORG_CAPACITY)
    .sort((a, b) => a.org.localeCompare(b.org));
}

/** A stack's outcome, as the summary and --json report it. */
export interface StackReport {
  readonly stack: string;
  readonly kind: "platform" | "team";
  /** The name the engine selected it by. */
  readonly engineName: string;
  /** A team's local platform stack. */
  readonly platform?: string;
  readonly status: "done" | "failed" | "skipped";
  readonly steps: number;
  readonly changes: Readonly<Record<string, number>>;
  readonly error?: readonly string[];
  readonly reason?: string;
}

/** Pulumi's operations, in the order a summary names them, with words for a preview and for an update. */
const OP_WORDS: ReadonlyArray<readonly [string, string, string]> = [
  ["create", "to create", "created"],
  ["update", "to update", "updated"],
  ["replace", "to replace", "replaced"],
  ["delete", "to delete", "deleted"],
  ["import", "to import", "imported"],
  ["read", "to read", "read"],
  ["refresh", "to refresh", "refreshed"],
];

/** A change summary in words, e.g. `16 to create, 1 to read, 2 unchanged`. */
export function changeWords(changes: Readonly<Record<string, number>>, operation: Operation): string {
  const words: string[] = [];
  const named = new Set<string>(["same"]);
  for (const [op, preview, up] of OP_WORDS) {
    named.add(op);
    const n = changes[op] ?? 0;
    if (n > 0) words.push(`${n} ${operation === "preview" ? preview : up}`);
  }
  for (const op of Object.keys(changes).filter((o) => !named.has(o)).sort()) {
    if ((changes[op] ?? 0) > 0) words.push(`${changes[op]} ${op}`);
  }
  if ((changes.same ?? 0) > 0) words.push(`${changes.same} unchanged`);
  return words.length > 0 ? words.join(", ") : "no changes";
}

/** A resource's name: the last segment of its URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function nameOf(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/** The ordered stacks in a line: `platform-stage; then team-data-stage, team-payments-stage`. */
export function orderWords(order: readonly OrderedStack[]): string {
  const waves = new Map<number, string[]>();
  for (const s of order) waves.set(s.wave, [...(waves.get(s.wave) ?? []), s.name]);
  return [...waves.keys()]
    .sort((a, b) => a - b)
    .map((w) => waves.get(w)!.join(", "))
    .join("; then ");
}

/**
 * Runs the ordered stacks on the engine, at most `parallel` at a time (and at most what the engine
 * can), one platform's teams one at a time under `up` ({@link policyWriteServer}) and one Okta
 * org's stacks within its simultaneous requests ({@link oktaOrgShare}), writing progress
 * lines to `line`; once `stopped` gives a reason, no further stack starts.
 * Resolves each stack's report, in order.
 */
export async function runOrganisation(
  order: readonly OrderedStack[],
  operation: Operation,
  engine: Engine,
  parallel: number,
  line: (text: string) => void,
  stopped?: () => string | undefined,
): Promise<StackReport[]> {
  const reports = new Map<string, StackReport>();
  const base = (s: OrderedStack) => ({
    stack: s.name,
    kind: s.kind,
    engineName: s.engineName,
    ...(s.after !== undefined ? { platform: s.after } : {}),
  });
  await runInOrder(
    order,
    Math.min(parallel, engine.maxParallel),
    async (s) => {
      const tag = `[${s.name}]`;
      line(`${tag} start ${operation}${s.engineName !== s.name ? ` of ${s.engineName}` : ""}${s.after !== undefined ? ` (after platform stack ${s.after})` : ""}`);
      let steps = 0;
      const result = await engine.run(s, operation, (step) => {
        steps++;
        if (step.op !== "same") line(`${tag} step ${steps}: ${step.op} ${step.type} ${nameOf(step.urn)}`);
      });
      if (result.ok) {
        line(`${tag} done: ${steps} resource${steps === 1 ? "" : "s"}, ${changeWords(result.changes, operation)}`);
      } else {
        const error = result.errorLines?.length ? result.errorLines : ["(no error output)"];
        line(`${tag} failed after ${steps} resource step${steps === 1 ? "" : "s"}:`);
        for (const l of error) line(`${tag}   ${l}`);
      }
      reports.set(s.name, {
        ...base(s),
        status: result.ok ? "done" : "failed",
        steps,
        changes: result.changes,
        ...(result.ok ? {} : { error: result.errorLines ?? [] }),
      });
      return result.ok;
    },
    {
      onSkip: (s, reason) => {
        line(`[${s.name}] skipped: ${reason}`);
        reports.set(s.name, { ...base(s), status: "skipped", steps: 0, changes: {}, reason });
      },
      ...(stopped !== undefined ? { stopped } : {}),
      limits: (s) => {
        const server = policyWriteServer(s, operation);
        const org = oktaOrgShare(s, operation, order);
        return [
          ...(server !== undefined ? [{ key: `policies of ${server}`, weight: 1, capacity: 1 }] : []),
          ...(org !== undefined ? [{ key: `Okta org ${org.key}`, weight: org.weight, capacity: OKTA_ORG_CAPACITY }] : []),
        ];
      },
    },
  );
  return order.map((s) => reports.get(s.name)!);
}

/** The closing line: how many stacks succeeded, failed, were skipped. */
export function summaryLine(operation: Operation, reports: readonly StackReport[]): string {
  const count = (status: StackReport["status"]) => reports.filter((r) => r.status === status).length;
  return `org ${operation}: ${reports.length} stack${reports.length === 1 ? "" : "s"}: ${count("done")} done, ${count("failed")} failed, ${count("skipped")} skipped`;
}

/** The --json document. */
export function runToJson(operation: Operation, engine: Engine, parallel: number, order: readonly OrderedStack[], reports: readonly StackReport[]): Record<string, unknown> {
  return {
    kind: "okta-federation/org-run",
    version: 1,
    operation,
    engine: engine.name,
    parallel: Math.min(parallel, engine.maxParallel),
    // The platforms whose teams ran one at a time although lanes were free (policyWriteServer).
    serialisedPlatforms: Math.min(parallel, engine.maxParallel) > 1 ? serialisedPlatforms(order, operation).map((p) => p.platform) : [],
    // The Okta orgs whose stacks were kept within the org's simultaneous requests (oktaOrgShare).
    pacedOktaOrgs: pacedOktaOrgs(order, operation, Math.min(parallel, engine.maxParallel)).map((o) => o.org),
    order: order.map((s) => s.name),
    stacks: reports,
    summary: {
      done: reports.filter((r) => r.status === "done").length,
      failed: reports.filter((r) => r.status === "failed").length,
      skipped: reports.filter((r) => r.status === "skipped").length,
    },
  };
}
