/**
 * What the deploy model runs: the creation of each resource as an operation, a list of steps
 * (Okta requests, rate-limited calls, sleeps, locks, GCP batches). Each cloud's file builds the
 * steps of its resources from the plan (operations.ts dispatches), simulator.ts runs them and
 * floors.ts bounds them.
 */
import type { BenchResource } from "../graph";
import { ASSUMPTIONS } from "./assumptions";
import type { Endpoint } from "./rates";

/** An Okta rate-limit bucket: requests per one-minute window. */
export interface OktaBucket {
  readonly name: string;
  readonly perMinute: number;
}

/** The Okta provider's pacing, as the plan's provider inputs set it (the provider's defaults otherwise). */
export interface OktaPacing {
  readonly maxApiCapacity: number;
  readonly maxRetries: number;
  readonly minWaitSeconds: number;
  readonly maxWaitSeconds: number;
  /** 0: no deadline. */
  readonly requestTimeoutSeconds: number;
}

export type Step =
  | { readonly kind: "okta"; readonly org: string; readonly bucket: OktaBucket; readonly governor: string; readonly pacing: OktaPacing; readonly what: string }
  | { readonly kind: "call"; readonly endpoints: readonly Endpoint[]; readonly latency: number }
  | { readonly kind: "sleep"; readonly seconds: number }
  | { readonly kind: "lock" | "unlock"; readonly key: string; readonly name: string }
  | { readonly kind: "batch"; readonly key: string; readonly name: string; readonly sendAfter: number; readonly send: readonly Step[] };

export interface Operation {
  readonly urn: string;
  readonly type: string;
  readonly steps: readonly Step[];
}

/** What each cloud's step builder takes from the plan's OperationBuilder (operations.ts). */
export interface StepContext {
  /** The one endpoint of `e`'s name: the first one seen, so every call of that name shares its rate. */
  readonly endpoint: (e: Endpoint) => Endpoint;
  /** A call to these endpoints (each as `endpoint` gives it), taking `latency` seconds. */
  readonly call: (endpoints: Endpoint[], latency: number) => Step;
  /** The inputs of `r`'s provider as the plan records them. */
  readonly providerInputs: (r: BenchResource) => Record<string, unknown>;
}

/** A provider input as the plan records it (providers' inputs are strings; objects are JSON). */
export function inputNumber(value: unknown): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
export function inputObject(value: unknown): Record<string, unknown> {
  if (typeof value === "string") {
    try {
      const parsed = JSON.parse(value) as unknown;
      return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** The minimal duration of steps: latencies and sleeps, no waiting. */
export function minSeconds(steps: readonly Step[]): number {
  let s = 0;
  for (const step of steps) {
    if (step.kind === "okta") s += ASSUMPTIONS.latency.okta;
    else if (step.kind === "call") s += step.latency;
    else if (step.kind === "sleep") s += step.seconds;
    else if (step.kind === "batch") s += step.sendAfter + minSeconds(step.send);
  }
  return s;
}
