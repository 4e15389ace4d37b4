/**
 * A deploy-time model of the first `pulumi up` over a plan's own dependency graph: an event-driven
 * simulation, request by request, of what the engine and the providers do. Per-call latencies and
 * the rates no source states are assumptions (ASSUMPTIONS, and docs/benchmarks.md). The model
 * reports the first-deploy time, whether it fails and why, a floor no schedule can beat and what
 * sets it, and the counts of requests, 429s and retries. Each file states the rules it models and
 * where each is read.
 *
 * assumptions.ts   ASSUMPTIONS (latencies, unpublished rates) and PROVIDER_BEHAVIOUR (read from the providers' source)
 * scenarios.ts     DEPLOY_SCENARIOS: the settings the benchmark reports at each N
 * simulator.ts     simulateDeploy: Pulumi's scheduling, --parallel and stop on failure; locks, rates and GCP batches
 * floors.ts        the floor: what no schedule can beat (Okta's windows, the rates, the locks, the longest chain)
 * operations.ts    the plan as operations: each resource's steps, built by its cloud's file
 * okta.ts          Okta's resources as requests; Okta's concurrency cap and minute windows, the provider's retries and governor
 * aws.ts           AWS IAM's calls and rate
 * gcp.ts           GCP: batched project IAM members, locked read-modify-writes, service accounts, pools; the quotas
 * azure.ts         Azure ARM's identity, credential and role-assignment writes and rates
 * steps.ts         what an operation is made of (Okta requests, calls, sleeps, locks, batches); reading provider inputs
 * rates.ts         rate-limited endpoints as token buckets
 * events.ts        the simulation's clock and event queue
 */
export { ASSUMPTIONS, PROVIDER_BEHAVIOUR } from "./assumptions";
export { DEPLOY_SCENARIOS } from "./scenarios";
export { simulateDeploy, type DeployEstimate, type DeployOptions } from "./simulator";
export { oktaPacingOf, type OktaAuth, type OktaTier } from "./okta";
export type { OktaPacing } from "./steps";
export type { Endpoint } from "./rates";
