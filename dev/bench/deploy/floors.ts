/** The floor of a simulated deploy: what no schedule can beat, and what sets it. */
import { LIMITS } from "../../../components/internal/limits";
import { ASSUMPTIONS } from "./assumptions";
import type { OktaTier } from "./okta";
import type { Endpoint } from "./rates";
import { minSeconds, type Operation, type Step } from "./steps";

/**
 * What no schedule can beat, per constraint (minutes): an Okta bucket needs a window per its limit
 * of requests (all but the last window in full); Okta's concurrency cap, the request-seconds over
 * the cap; a rate, the calls past its burst at its rate; a lock, the sum of its hold times; a GCP
 * batch, one send; and the longest dependency chain, its operations' own durations. Largest first.
 */
export function floorsOf(
  ops: readonly Operation[],
  deps: ReadonlyMap<string, readonly string[]>,
  names: ReadonlyMap<string, string>,
  tier: OktaTier,
  parallel: number,
): Array<{ name: string; calls: number; minutes: number }> {
  const rows = new Map<string, { calls: number; seconds: number; kind: "bucket" | "rate" | "lock" | "batch" | "concurrency"; perMinute?: number; endpoint?: Endpoint }>();
  const add = (name: string, kind: "bucket" | "rate" | "lock" | "batch" | "concurrency", calls: number, seconds: number, extra: { perMinute?: number; endpoint?: Endpoint } = {}) => {
    const row = rows.get(name) ?? { calls: 0, seconds: 0, kind, ...extra };
    row.calls += calls;
    row.seconds += seconds;
    rows.set(name, row);
  };
  const visit = (steps: readonly Step[], lockStart: Map<string, number>, elapsed: { s: number }) => {
    for (const step of steps) {
      if (step.kind === "okta") {
        add(`okta ${step.org} ${step.bucket.name}`, "bucket", 1, 0, { perMinute: step.bucket.perMinute });
        add(`okta ${step.org} concurrency (${LIMITS.okta.concurrentRequests[tier]} requests at once)`, "concurrency", 1, ASSUMPTIONS.latency.okta);
        elapsed.s += ASSUMPTIONS.latency.okta;
      } else if (step.kind === "call") {
        for (const e of step.endpoints) if (Number.isFinite(e.perSecond)) add(e.name, "rate", 1, 0, { endpoint: e });
        elapsed.s += step.latency;
      } else if (step.kind === "sleep") {
        elapsed.s += step.seconds;
      } else if (step.kind === "lock") {
        lockStart.set(step.key, elapsed.s);
      } else if (step.kind === "unlock") {
        add(step.name, "lock", 1, elapsed.s - (lockStart.get(step.key) ?? elapsed.s));
      } else if (step.kind === "batch") {
        const before = elapsed.s;
        elapsed.s += step.sendAfter;
        if (!rows.has(step.name)) {
          // One send at least; its calls and hold are counted once.
          visit(step.send, new Map(), { s: 0 });
          add(step.name, "batch", 0, step.sendAfter + minSeconds(step.send));
        }
        add(step.name, "batch", 1, 0);
        elapsed.s = before + step.sendAfter + minSeconds(step.send);
      }
    }
  };
  for (const op of ops) visit(op.steps, new Map(), { s: 0 });

  const result: Array<{ name: string; calls: number; minutes: number }> = [];
  for (const [name, row] of rows) {
    let seconds = row.seconds;
    if (row.kind === "bucket") seconds = (Math.ceil(row.calls / row.perMinute!) - 1) * 60;
    else if (row.kind === "concurrency") seconds = row.seconds / LIMITS.okta.concurrentRequests[tier];
    else if (row.kind === "rate") seconds = Math.max(0, row.calls - row.endpoint!.burst) / row.endpoint!.perSecond;
    result.push({ name, calls: row.calls, minutes: seconds / 60 });
  }
  // The longest chain of operations, each taking its own minimal time.
  const own = new Map(ops.map((op) => [op.urn, minSeconds(op.steps)]));
  // Pulumi's slots: every operation holds one for at least its own time.
  if (Number.isFinite(parallel)) {
    const total = [...own.values()].reduce((a, b) => a + b, 0);
    result.push({ name: `pulumi --parallel ${parallel} (the operations' own time over ${parallel} slots)`, calls: ops.length, minutes: total / parallel / 60 });
  }
  const longest = new Map<string, { s: number; from?: string }>();
  const chain = (urn: string): number => {
    const known = longest.get(urn);
    if (known) return known.s;
    let best = 0;
    let from: string | undefined;
    for (const d of deps.get(urn) ?? []) {
      if (!own.has(d)) continue;
      const s = chain(d);
      if (s > best) [best, from] = [s, d];
    }
    const s = best + own.get(urn)!;
    longest.set(urn, { s, from });
    return s;
  };
  let tail: string | undefined;
  let tailS = 0;
  for (const op of ops) {
    const s = chain(op.urn);
    if (s > tailS) [tailS, tail] = [s, op.urn];
  }
  if (tail) {
    let length = 0;
    for (let u: string | undefined = tail; u; u = longest.get(u)?.from) length++;
    result.push({ name: `longest dependency chain (${length} operations, ending at ${names.get(tail) ?? tail})`, calls: length, minutes: tailS / 60 });
  }
  return result.sort((x, y) => y.minutes - x.minutes);
}
