/**
 * The order in which an organisation's stacks run (docs/org-runner.md): a team stack reads its
 * platform stack's outputs through a StackReference, so its platform runs first. Pure: stacks in,
 * order (or every reason it cannot be ordered) out.
 */

/** What ordering needs to know of a stack, read from its stack file. */
export interface OrgStackInput {
  /** Local stack name: `Pulumi.<name>.yaml`. */
  readonly name: string;
  readonly kind: "platform" | "team";
  /** A team's `platform`, as written (`<org>/<project>/<stack>`, `<project>/<stack>` or `<stack>`). */
  readonly platform?: string;
  /** A platform's Okta org (`<orgName>.<baseUrl>`, canonical), when its config names one; a team's is its platform's. */
  readonly oktaOrg?: string;
  /** The stack's Okta writes at once (its `okta.provider.maxConcurrentWrites`, or the kit's default). */
  readonly oktaWrites?: number;
}

/** A stack in the run: its dependency resolved to a local stack. */
export interface OrderedStack extends OrgStackInput {
  /** The local platform stack a team runs after. */
  readonly after?: string;
  /**
   * The name the engine selects the stack by: for a platform that teams read, the fully qualified
   * name they read it by (so the stack deployed is the one they read); otherwise the local name.
   */
  readonly engineName: string;
  /** 0 for platforms, 1 for teams. */
  readonly wave: number;
}

/** Why the stacks cannot be ordered: every problem, each naming its stack. */
export class OrderError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`cannot order the stacks: ${problems.length} problem${problems.length === 1 ? "" : "s"}`);
    this.name = "OrderError";
  }
}

/** The local stack a platform reference names: its last segment (`acme/okta-federation/platform-stage` → `platform-stage`). */
export function localStackOf(reference: string): string {
  return reference.split("/").pop() ?? reference;
}

/** The dependency cycles among the stacks (each as a path that returns to its start), in name order. */
function cycles(edges: ReadonlyMap<string, string>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  for (const start of [...edges.keys()].sort()) {
    const path: string[] = [];
    let at: string | undefined = start;
    while (at !== undefined && !done.has(at) && !path.includes(at)) {
      path.push(at);
      at = edges.get(at);
    }
    if (at !== undefined && path.includes(at)) found.push([...path.slice(path.indexOf(at)), at]);
    for (const p of path) done.add(p);
  }
  return found;
}

/**
 * Orders the stacks: platforms first, then teams, each group by name; a team after its platform.
 * Refuses, with every problem at once: a team without a platform reference, a team whose platform
 * is not among the stacks, a team whose platform is not a platform stack, teams that name one
 * platform by different names, and dependency cycles. `otherTeams`: the project's team stacks
 * outside the run, for the names they read the run's platforms by.
 */
export function orderStacks(stacks: readonly OrgStackInput[], otherTeams: readonly OrgStackInput[] = []): OrderedStack[] {
  const problems: string[] = [];
  const byName = new Map<string, OrgStackInput>();
  for (const s of stacks) {
    if (byName.has(s.name)) problems.push(`stack ${s.name} is given more than once`);
    byName.set(s.name, s);
  }
  const edges = new Map<string, string>();
  const referencedAs = new Map<string, Set<string>>();
  for (const s of byName.values()) {
    if (s.kind !== "team") continue;
    if (s.platform === undefined || s.platform === "") {
      problems.push(`team stack ${s.name} names no platform stack (okta-federation:team.platform)`);
      continue;
    }
    const local = localStackOf(s.platform);
    edges.set(s.name, local);
    const names = referencedAs.get(local) ?? new Set<string>();
    names.add(s.platform);
    referencedAs.set(local, names);
  }
  // Teams of the project outside the run name their platforms too: a platform run alone is selected
  // by the name its teams read it by.
  for (const s of otherTeams) {
    if (s.kind !== "team" || byName.has(s.name) || !s.platform) continue;
    const local = localStackOf(s.platform);
    if (byName.get(local)?.kind === "platform") referencedAs.set(local, (referencedAs.get(local) ?? new Set<string>()).add(s.platform));
  }
  const cyclic = cycles(edges);
  for (const cycle of cyclic) problems.push(`dependency cycle: ${cycle.join(" → ")} (a team stack reads its platform stack, which must not read it back)`);
  const inCycle = new Set(cyclic.flat());
  for (const [team, local] of [...edges].sort(([a], [b]) => a.localeCompare(b))) {
    if (inCycle.has(team)) continue;
    const platform = byName.get(local);
    const reference = byName.get(team)!.platform!;
    const named = reference === local ? local : `${reference} (local stack ${local})`;
    if (platform === undefined) problems.push(`team stack ${team} reads platform stack ${named}, which is not among the stacks to run: add --stack ${local}`);
    else if (platform.kind !== "platform") problems.push(`team stack ${team} reads ${named}, which is a ${platform.kind} stack, not a platform stack (okta-federation:platform)`);
  }
  for (const [local, names] of [...referencedAs].sort(([a], [b]) => a.localeCompare(b))) {
    if (names.size > 1) problems.push(`team stacks name platform stack ${local} in ${names.size} ways (${[...names].sort().join(", ")}): name it the same way in every team stack`);
  }
  if (problems.length > 0) throw new OrderError(problems);
  const ordered = [...byName.values()].map((s): OrderedStack => {
    const after = edges.get(s.name);
    const names = referencedAs.get(s.name);
    return {
      ...s,
      ...(after !== undefined ? { after } : {}),
      engineName: s.kind === "platform" && names !== undefined ? [...names][0]! : s.name,
      wave: s.kind === "platform" ? 0 : 1,
    };
  });
  return ordered.sort((a, b) => a.wave - b.wave || a.name.localeCompare(b.name));
}

/** A stack's share of something stacks share while they run: `weight` of `capacity` under `key`. */
export interface Share {
  readonly key: string;
  readonly weight: number;
  readonly capacity: number;
}

/** What became of a stack in a run. */
export type Outcome = { readonly status: "done" } | { readonly status: "failed" } | { readonly status: "skipped"; readonly reason: string };

/**
 * Runs the ordered stacks: at most `parallel` at a time, a stack only once the stack it runs after
 * has succeeded, the ready stack earliest in the order first (with `parallel` 1: platforms, then
 * teams, each by name). A stack whose platform failed or was skipped is skipped, with the reason;
 * once `stopped` gives a reason (an interruption), no stack starts: the running ones finish and
 * every other is skipped with it. `limits` gives each stack's shares of what stacks share: stacks
 * with a share of one key run at once only while their weights add up to the key's capacity or less
 * (weight 1 of capacity 1: never two at once); a ready stack that does not fit waits, one further in
 * the order that fits may start meanwhile, and a stack whose keys are all free always runs. `run`
 * resolves true when the stack succeeded. Resolves every stack's outcome, in order.
 */
export async function runInOrder(
  order: readonly OrderedStack[],
  parallel: number,
  run: (stack: OrderedStack) => Promise<boolean>,
  options: {
    readonly onSkip?: (stack: OrderedStack, reason: string) => void;
    readonly stopped?: () => string | undefined;
    readonly limits?: (stack: OrderedStack) => readonly Share[];
  } = {},
): Promise<Map<string, Outcome>> {
  const onSkip = options.onSkip ?? (() => undefined);
  if (!Number.isInteger(parallel) || parallel < 1) throw new RangeError(`parallel must be a whole number of at least 1, not ${parallel}`);
  const outcomes = new Map<string, Outcome>();
  const pending = [...order];
  let running = 0;
  const spent = new Map<string, number>();
  const sharesOf = (s: OrderedStack) => options.limits?.(s) ?? [];
  const free = (s: OrderedStack) =>
    sharesOf(s).every(({ key, weight, capacity }) => {
      const used = spent.get(key) ?? 0;
      return used === 0 || used + weight <= capacity;
    });
  const take = (shares: readonly Share[], sign: 1 | -1) => {
    for (const { key, weight } of shares) spent.set(key, (spent.get(key) ?? 0) + sign * weight);
  };
  return new Promise((resolve, reject) => {
    const next = (): void => {
      // Skip what can no longer run, in order, so the skips are reported before what follows.
      for (let i = 0; i < pending.length; i++) {
        const s = pending[i]!;
        const dependency = s.after !== undefined ? outcomes.get(s.after) : undefined;
        const stop = options.stopped?.();
        if (stop !== undefined || (dependency !== undefined && dependency.status !== "done")) {
          const reason = stop ?? `its platform stack ${s.after} ${dependency!.status === "failed" ? "failed" : "was skipped"}`;
          outcomes.set(s.name, { status: "skipped", reason });
          pending.splice(i--, 1);
          onSkip(s, reason);
        }
      }
      while (running < parallel) {
        const index = pending.findIndex((s) => (s.after === undefined || outcomes.get(s.after)?.status === "done") && free(s));
        if (index < 0) break;
        const [s] = pending.splice(index, 1);
        const shares = sharesOf(s!);
        take(shares, 1);
        running++;
        run(s!).then(
          (ok) => {
            running--;
            take(shares, -1);
            outcomes.set(s!.name, { status: ok ? "done" : "failed" });
            next();
          },
          (error: unknown) => reject(error),
        );
      }
      if (running > 0) return;
      if (pending.length === 0) resolve(new Map(order.map((s) => [s.name, outcomes.get(s.name)!])));
      // Only an order that orderStacks did not make gets here (a stack after one not in the run).
      else reject(new Error(`cannot run ${pending.map((s) => s.name).join(", ")}: what they run after is not in the run`));
    };
    next();
  });
}
