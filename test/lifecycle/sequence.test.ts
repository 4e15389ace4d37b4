/**
 * Lifecycle: one stack's life as a sequence of config edits, each judged against the step before it
 * as `pulumi up` would apply it (tools/verify/lifecycle.ts, the providers' replacement rules of
 * components/internal/replacements.ts, the engine's delete rounds of oktaPlanOrder.ts). Every step
 * states exactly what is replaced and deleted, and what keeps its URN.
 */
import { describe, expect, it } from "vitest";
import { planStack, planToJson } from "../../tools/offline/plan";
import { lifecycleChanges, type LifecycleReport } from "../../tools/verify/lifecycle";
import { followRenames } from "../../tools/verify/renames";
import type { PlanDocument } from "../../tools/verify/model";
import { fixtureVariant } from "../helpers/stacks";
import { generateKeyPairSync } from "node:crypto";

/** The dev fixture's federation after every edit so far, planned. */
async function planOf(edits: ReadonlyArray<(federation: any) => void>): Promise<PlanDocument> {
  return planToJson(await planStack(fixtureVariant("dev", (f) => edits.forEach((edit) => edit(f))))) as unknown as PlanDocument;
}

/** What `pulumi up` from `before` to `after` replaces and deletes, as "<kind> <label>" lines, sorted. */
function step(before: PlanDocument, after: PlanDocument): { lines: string[]; report: LifecycleReport } {
  const { plan } = followRenames(after, before);
  const report = lifecycleChanges(before, plan);
  const lines = report.changes.map((c) => `${c.kind} ${c.label}`).sort();
  return { lines, report };
}

const urns = (plan: PlanDocument) => new Set(plan.resources.map((r) => r.urn));
const newJwk = (kid: string) => {
  const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" }) as { n: string; e: string };
  return { kid, kty: "RSA", n: jwk.n, e: jwk.e };
};

const POOLS = ["GCP pool provider okta (pool okta-dev)", "GCP pool provider okta-2 (pool okta-dev)", "GCP workload identity pool okta-dev (project acme-dev-example)"];

describe("a stack's life, one config edit after another", () => {
  it("add, remove two, rename, rotate a key, change the role path, shard the pool, adopt the server", async () => {
    const edits: Array<(f: any) => void> = [];
    const plans: PlanDocument[] = [await planOf(edits)];
    const next = async (edit: (f: any) => void) => {
      edits.push(edit);
      plans.push(await planOf(edits));
      return step(plans[plans.length - 2]!, plans[plans.length - 1]!);
    };

    // 1. Two services added (on either side of the others in key order): created only.
    const added = await next((f) => {
      f.services.audit = { scopes: ["api.read"], auth: { method: "private_key_jwt", jwks: [newJwk("audit-1")] }, gcp: { roles: ["roles/logging.viewer"] } };
      f.services.zeta = { scopes: ["api.read"], auth: { method: "private_key_jwt", jwks: [newJwk("zeta-1")] }, aws: { policies: { read: "arn:aws:iam::aws:policy/ReadOnlyAccess" } } };
    });
    expect(added.lines).toEqual([]);
    for (const urn of urns(plans[0]!)) expect(urns(plans[1]!).has(urn)).toBe(true);

    // 2. Two services removed that are not next to each other (audit, billing-export, payments,
    // reporting, zeta: audit and payments): their resources deleted, and their policies race.
    const removed = await next((f) => {
      delete f.services.audit;
      delete f.services.payments;
    });
    expect(removed.lines).toEqual([
      "deleted AWS policy AmazonS3ReadOnlyAccess on role dev-payments",
      "deleted AWS policy payments-dev-sqs-send on role dev-payments",
      "deleted AWS role dev-payments",
      "deleted Azure federated credential okta-dev of id-dev-payments",
      "deleted Azure identity id-dev-payments",
      "deleted Azure role Storage Blob Data Reader at /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/payments-dev/providers/Microsoft.Storage/storageAccounts/acmepaymentsdev (federation-payments-azure-blob-reader)",
      "deleted GCP role roles/logging.viewer on project acme-dev-example (federation-audit-gcp-roles/logging.viewer)",
      "deleted GCP role roles/pubsub.publisher on project acme-dev-example (federation-payments-gcp-roles/pubsub.publisher)",
      "deleted GCP role roles/storage.objectViewer on project acme-dev-example (federation-payments-gcp-roles/storage.objectViewer)",
      "deleted GCP roles/iam.workloadIdentityUser on service account dev-payments@acme-dev-example.iam.gserviceaccount.com",
      "deleted GCP service account dev-payments@acme-dev-example.iam.gserviceaccount.com",
      "deleted Okta access policy dev-audit",
      "deleted Okta access policy dev-payments",
      "deleted Okta app dev-audit",
      "deleted Okta app dev-payments",
      "deleted Okta policy rule federation-audit-rule",
      "deleted Okta policy rule federation-payments-rule",
    ]);
    expect(removed.report.policyDeleteGroups).toEqual([
      { server: "Okta authorization server services-dev", policies: ["Okta access policy dev-audit", "Okta access policy dev-payments"] },
    ]);

    // 3. A rename with renamedFrom: nothing replaced or deleted.
    const renamed = await next((f) => {
      const { reporting, ...rest } = f.services;
      f.services = { ...rest, analytics: { ...reporting, renamedFrom: "reporting" } };
    });
    expect(renamed.lines).toEqual([]);

    // 4. A key rotation: the app is updated in place.
    const rotated = await next((f) => {
      f.services["billing-export"].auth.jwks.push(newJwk("billing-export-2"));
    });
    expect(rotated.lines).toEqual([]);

    // 5. A new role path: every role replaced under its fixed name, the old one deleted first.
    const path = await next((f) => {
      f.aws.rolePath = "/services/";
    });
    // The attachments name the role: they are replaced with it.
    expect(path.lines).toEqual([
      "replaced AWS policy ReadOnlyAccess on role dev-zeta",
      "replaced AWS policy data-lake-dev-write on role dev-billing-export",
      "replaced AWS role dev-billing-export",
      "replaced AWS role dev-zeta",
    ]);
    expect(path.report.changes.filter((c) => c.type === "aws:iam/role:Role").every((c) => c.deleteFirst && c.risk !== undefined)).toBe(true);

    // 6. Two provider shards, with two more services on GCP: nothing replaced or deleted.
    const sharded = await next((f) => {
      f.gcp.providerShards = 2;
      f.services["billing-export"].gcp = { roles: ["roles/pubsub.publisher"] };
      f.services.zeta.gcp = { roles: ["roles/pubsub.subscriber"] };
    });
    expect(sharded.lines).toEqual([]);

    // 7. Every GCP service leaves GCP: the pool and its providers are deleted, their ids kept 30 days.
    const offGcp = await next((f) => {
      for (const key of Object.keys(f.services)) delete f.services[key].gcp;
      // analytics used GCP only: it moves to AWS.
      f.services.analytics.aws = { policies: { read: "arn:aws:iam::aws:policy/ReadOnlyAccess" } };
    });
    const pools = offGcp.report.changes.filter((c) => c.kind === "deleted" && c.type.startsWith("gcp:iam/workloadIdentityPool"));
    expect(pools.map((c) => c.label).sort()).toEqual(POOLS);
    for (const c of pools) expect(c.impact).toContain("30 days");

    // 8. Adopt an existing server: the created one is deleted (read-replacement), everything bound to
    // a server is replaced on the adopted one rather than updated with old ids, and the AWS OIDC
    // provider follows the new issuer (a new URL replaces it).
    const adopted = await next((f) => {
      f.okta.authorizationServer = { existing: { id: "aus1existing0000000", audience: f.okta.authorizationServer.audience } };
    });
    const kinds = new Set(adopted.report.changes.filter((c) => c.kind === "replaced").map((c) => c.type));
    expect(adopted.lines).toContain("replaced AWS OIDC provider https://acme-dev-example.oktapreview.com/oauth2/aus1existing0000000");
    expect(adopted.lines.filter((l) => l.startsWith("deleted"))).toEqual([]);
    for (const type of ["okta:auth/server:Server", "okta:auth/serverPolicy:ServerPolicy", "okta:auth/serverPolicyRule:ServerPolicyRule", "okta:auth/serverScope:ServerScope", "okta:auth/serverClaim:ServerClaim"]) {
      expect(kinds.has(type)).toBe(true);
    }
  });
});
