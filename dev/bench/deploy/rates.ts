/**
 * Rate-limited APIs: AWS IAM, Azure ARM and GCP quotas as rates (token buckets whose burst is one
 * period's allowance). Okta's per-minute windows are not rates: okta.ts.
 */

/** A rate-limited API the model charges calls to: calls per second with a burst. */
export interface Endpoint {
  readonly name: string;
  readonly perSecond: number;
  readonly burst: number;
}

export const perMinute = (name: string, limit: number): Endpoint => ({ name, perSecond: limit / 60, burst: limit });
export const perSecond = (name: string, limit: number): Endpoint => ({ name, perSecond: limit, burst: Math.max(1, limit) });
export const unthrottled = (name: string): Endpoint => ({ name, perSecond: Infinity, burst: Infinity });

/** A token bucket in GCRA form: the theoretical arrival time of the next call. */
export class Bucket {
  private tat = 0;
  constructor(readonly endpoint: Endpoint) {}
  /** When one call may start, at or after `t`. */
  earliest(t: number): number {
    if (!Number.isFinite(this.endpoint.perSecond)) return t;
    const interval = 1 / this.endpoint.perSecond;
    return Math.max(t, this.tat - (this.endpoint.burst - 1) * interval);
  }
  take(t: number): void {
    if (!Number.isFinite(this.endpoint.perSecond)) return;
    this.tat = Math.max(this.tat, t) + 1 / this.endpoint.perSecond;
  }
}
