/**
 * verify agrees with the clouds where spelling and regex dialect could make it disagree: JWKS URLs
 * compared as Okta fetches them (one key source, however written), and GCP conditions' matches()
 * evaluated with RE2, as GCP evaluates it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { planStack, planToJson } from "../../tools/offline/plan";
import { extractModel, type PlanDocument, type PlanResource } from "../../tools/verify/model";
import { verifyModel, type VerifyResult } from "../../tools/verify/verify";
import { fixtureStack } from "../helpers/stacks";

let devPlan: PlanDocument;
beforeAll(async () => {
  devPlan = planToJson(await planStack(fixtureStack("dev"))) as unknown as PlanDocument;
});

/** A copy of the dev plan with one resource's inputs changed. */
function broken(name: string, change: (inputs: Record<string, any>) => void): PlanDocument {
  const copy = structuredClone(devPlan) as { resources: PlanResource[] } & PlanDocument;
  change(copy.resources.find((r) => r.name === name)!.inputs);
  return copy;
}

async function verify(plan: PlanDocument): Promise<VerifyResult> {
  return verifyModel(extractModel(plan));
}

const allowed = (result: VerifyResult) =>
  Object.fromEntries(result.services.map((s) => [s.key, result.allowed.filter((c) => c.service === s.key).map((c) => c.target)]));

describe("verify compares and evaluates as the clouds do", () => {
  it.each([
    ["an empty query", "https://keys.example.com/jwks?"],
    ["a percent-escaped letter", "https://keys.example.com/%6Awks"],
    ["an upper-case host and the default port", "https://KEYS.example.com:443/jwks"],
    ["a /./ segment and a trailing #", "https://keys.example.com/./jwks#"],
  ])("two services whose JWKS URLs differ only in spelling (%s) share one key source", async (_label, variant) => {
    const plan = structuredClone(devPlan) as { resources: PlanResource[] } & PlanDocument;
    for (const [name, jwksUri] of [["federation-payments-app", "https://keys.example.com/jwks"], ["federation-reporting-app", variant]] as const) {
      const app = plan.resources.find((r) => r.name === name)!;
      delete app.inputs.jwks;
      app.inputs.jwksUri = jwksUri;
    }
    expect((await verify(plan)).findings).toEqual([
      {
        kind: "shared-client-key",
        service: "reporting",
        message: `reporting registers the same jwksUri ${variant} as payments (jwksUri https://keys.example.com/jwks; both are https://keys.example.com/jwks as Okta fetches it): each can authenticate to Okta as the other and obtain its tokens`,
      },
    ]);
  });

  it("matches() in a GCP condition is RE2, as GCP evaluates it: (?i) admits, a look-ahead is an error that admits no one", async () => {
    const withCondition = (extra: string) => broken("federation-gcp-pool-provider-okta", (i) => (i.attributeCondition = `${i.attributeCondition} && assertion.tenant_id.matches('${extra}')`));
    const flag = await verify(withCondition("(?i)^ACME$"));
    expect(flag.findings).toEqual([]);
    expect(allowed(flag).payments).toContain("gcp-sa:payments");
    const lookAhead = await verify(withCondition("^(?=a)acme$"));
    expect(lookAhead.findings.filter((f) => f.kind === "intended-deny").map((f) => f.message)).toEqual([
      `payments cannot reach GCP service account dev-payments@acme-dev-example.iam.gserviceaccount.com: GCP provider okta condition fails: invalid RE2 pattern "^(?=a)acme$": invalid or unsupported Perl syntax: \`(?=\``,
      `reporting cannot reach GCP direct grants reporting: GCP provider okta condition fails: invalid RE2 pattern "^(?=a)acme$": invalid or unsupported Perl syntax: \`(?=\``,
    ]);
  });
});
