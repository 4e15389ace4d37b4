/** The plan as operations: each resource's creation as the steps its cloud's file builds for it. */
import type { BenchResource } from "../graph";
import { awsSteps } from "./aws";
import { azureSteps } from "./azure";
import { gcpSteps } from "./gcp";
import { OktaSteps, type OktaAuth, type OktaTier } from "./okta";
import type { Endpoint } from "./rates";
import type { OktaPacing, Step, StepContext } from "./steps";

/** Builds each operation's steps from the plan: the calls, locks and waits of creating each resource. */
export class OperationBuilder {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly context: StepContext;
  private readonly okta: OktaSteps;
  constructor(
    private readonly providers: ReadonlyMap<string, BenchResource>,
    tier: OktaTier,
    auth: OktaAuth,
    pacingOverride: Partial<OktaPacing> | undefined,
  ) {
    const endpoint = (e: Endpoint): Endpoint => this.endpoints.get(e.name) ?? (this.endpoints.set(e.name, e), e);
    this.context = {
      endpoint,
      call: (endpoints, latency) => ({ kind: "call", endpoints: endpoints.map((e) => endpoint(e)), latency }),
      providerInputs: (r) => (this.providers.get(r.provider ?? "")?.inputs ?? {}) as Record<string, unknown>,
    };
    this.okta = new OktaSteps(this.context, tier, auth, pacingOverride);
  }

  /** The steps of creating `r`; none for a resource no cloud's file knows. */
  steps(r: BenchResource): Step[] {
    return this.okta.steps(r) ?? awsSteps(r, this.context) ?? gcpSteps(r, this.context) ?? azureSteps(r, this.context) ?? [];
  }
}
