/**
 * What pulumi up will replace or delete (tools/verify/lifecycle.ts), judged from a base and a head
 * plan by the providers' replacement rules, and shown by verify --base and the PR review.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { main as verify } from "../../tools/verify";
import { planStack, planToJson } from "../../tools/offline/plan";
import { lifecycleChanges, unorderedPolicyDeletes, type PolicyDeleteGroup } from "../../tools/verify/lifecycle";
import { markdownLifecycle } from "../../tools/verify/render";
import { followRenames } from "../../tools/verify/renames";
import type { PlanDocument, PlanResource } from "../../tools/verify/model";
import { runCli } from "../helpers/cli";
import { fixtureText, fixtureVariant } from "../helpers/stacks";

let dir: string;
let basePlanFile: string;
let basePlan: PlanDocument;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lifecycle-"));
  basePlan = planToJson(await planStack(fixtureVariant("dev", () => {}))) as unknown as PlanDocument;
  basePlanFile = join(dir, "base-plan.json");
  writeFileSync(basePlanFile, JSON.stringify(basePlan));
});

/** The dev fixture with its federation changed, written as a stack file of stack dev. */
function headFile(name: string, change: (federation: any) => void): string {
  const doc = parse(fixtureText("dev"));
  change(doc.config["okta-federation:federation"]);
  mkdirSync(join(dir, name), { recursive: true });
  const path = join(dir, name, "Pulumi.dev.yaml");
  writeFileSync(path, stringify(doc));
  return path;
}

async function plan(change: (federation: any) => void): Promise<PlanDocument> {
  return planToJson(await planStack(fixtureVariant("dev", change))) as unknown as PlanDocument;
}

/** verify --stack-file <head> --base <base plan> --markdown, as a reviewer runs it. */
async function markdown(name: string, change: (federation: any) => void): Promise<string[]> {
  const { code, stdout, stderr } = await runCli(verify, "--stack-file", headFile(name, change), "--base", basePlanFile, "--markdown");
  expect(stderr).toBe("");
  expect(code).toBe(0);
  return stdout.split("\n");
}

describe("verify --base --markdown says what pulumi up will replace or delete (the bar of issue 20)", () => {
  it("aws.rolePath changes: every role is replaced under its fixed name, deleted first, with a new ARN", async () => {
    const lines = await markdown("role-path", (f) => (f.aws.rolePath = "/svc/"));
    expect(lines).toContain("**⚠️ What `pulumi up` will replace or delete (5, 2 risky)**");
    expect(lines).toContain(
      "- ⚠️ 🔁 replaced: AWS role dev-payments: path changes from /oktafed/ to /svc/ \\(the provider replaces on it\\: hashicorp/terraform-provider-aws role.go resourceRole\\) — " +
        "**new role ARN arn\\:aws\\:iam\\:\\:111111111111\\:role/svc/dev-payments \\(was arn\\:aws\\:iam\\:\\:111111111111\\:role/oktafed/dev-payments\\)\\: workloads' AWS\\_ROLE\\_ARN must change; " +
        "the role has a fixed name, so the old role is deleted first\\: workloads cannot assume it until the new one exists \\(an outage\\), and resource policies that name it stop matching \\(they hold the deleted role's unique id\\)**",
    );
    expect(lines).toContain(
      "- 🔁 replaced: AWS policy AmazonS3ReadOnlyAccess on role dev-payments: role takes a new value from AWS role dev-payments, which is replaced \\(the provider replaces on it\\: hashicorp/terraform-provider-aws role\\_policy\\_attachment.go resourceRolePolicyAttachment\\) — the policy is detached and attached again\\: the role is briefly without it",
    );
    // Access does not change, and the review says so after the replacements.
    expect(lines).toContain("**No access changes in this PR.**");
  });

  it("the authorization server is adopted: policies, rules, scopes and claims are replaced, and the created server is deleted", async () => {
    const lines = await markdown("adopt", (f) => (f.okta.authorizationServer = { existing: { id: "aus1adopted", audience: "api://services-dev" } }));
    const replaced = lines.filter((l) => l.includes("🔁 replaced: Okta")).map((l) => l.replace(/^- (⚠️ )?🔁 replaced: /, "").split(": ")[0]);
    expect(replaced.sort()).toEqual([
      "Okta access policy dev-billing-export",
      "Okta access policy dev-payments",
      "Okta access policy dev-reporting",
      "Okta authorization server services-dev",
      "Okta claim deployment",
      "Okta claim tenant\\_id",
      "Okta policy rule federation-billing-export-rule",
      "Okta policy rule federation-payments-rule",
      "Okta policy rule federation-reporting-rule",
      "Okta scope api.read",
      "Okta scope api.write",
      "Okta scope events.publish",
    ]);
    expect(lines).toContain(
      "- 🔁 replaced: Okta access policy dev-payments: authServerId changes from &lt;federation-authz-server.id&gt; to aus1adopted \\(replaceOnChanges\\: the provider would update it in place and send the old ids\\) — created again where it now belongs, then the old one is deleted",
    );
    expect(lines).toContain(
      "- 🔁 replaced: Okta policy rule federation-payments-rule: authServerId changes from &lt;federation-authz-server.id&gt; to aus1adopted \\(replaceOnChanges\\: the provider would update it in place and send the old ids\\); " +
        "policyId takes a new value from Okta access policy dev-payments, which is replaced \\(replaceOnChanges\\: the provider would update it in place and send the old ids\\) — created again where it now belongs, then the old one is deleted",
    );
    expect(lines).toContain(
      "- ⚠️ 🔁 replaced: Okta authorization server services-dev: the head reads an existing object \\(id aus1adopted\\) in its place\\: the engine deletes the one the stack created \\(read-replacement\\) — " +
        "**the authorization server is deleted\\: tokens it issued stop verifying and every trust names a missing issuer; Okta authorization server aus1adopted takes its place**",
    );
  });

  it("every GCP service is removed: the pool and its provider are deleted, and the review warns of the 30-day soft delete", async () => {
    const lines = await markdown("no-gcp", (f) => {
      delete f.services.reporting;
      delete f.services.payments.gcp;
    });
    expect(lines).toContain(
      "- ⚠️ 🗑️ deleted: GCP workload identity pool okta-dev \\(project acme-dev-example\\): the head no longer registers it — " +
        "**GCP keeps the deleted pool id okta-dev reserved for 30 days \\(soft delete\\)\\: adding a GCP service back within that time fails with ALREADY\\_EXISTS; undelete the pool and import it, or set gcp.idSuffix, which gives every service a new principal**",
    );
    expect(lines).toContain(
      "- ⚠️ 🗑️ deleted: GCP pool provider okta \\(pool okta-dev\\): the head no longer registers it — " +
        "**GCP keeps the deleted provider id okta reserved for 30 days \\(soft delete\\)\\: re-adding it \\(a service in its shard, a higher gcp.providerShards\\) within that time fails with ALREADY\\_EXISTS; undelete it and import it, or set gcp.idSuffix, which gives every service a new principal**",
    );
  });
});

describe("lifecycle changes between two plans", () => {
  it("an unchanged stack replaces and deletes nothing", async () => {
    expect(lifecycleChanges(basePlan, await plan(() => {}))).toEqual({ changes: [], policyDeleteGroups: [] });
  });

  it("an input the head leaves out is no change: a base read from a stack export holds each app's clientId", async () => {
    const deployed = { ...basePlan, resources: basePlan.resources.map((r) => (r.type === "okta:app/oAuth:OAuth" ? { ...r, inputs: { ...r.inputs, clientId: `0oa${r.name.length}` } } : r)) };
    expect(lifecycleChanges(deployed, await plan(() => {})).changes).toEqual([]);
  });

  it("a renamed service (renamedFrom) keeps every resource: matched through its aliases, nothing replaced or deleted", async () => {
    const head = await plan((f) => {
      f.services.wages = { ...f.services.payments, renamedFrom: "payments" };
      delete f.services.payments;
    });
    const report = lifecycleChanges(basePlan, followRenames(head, basePlan).plan);
    expect(report.changes.map((c) => `${c.kind} ${c.label}`)).toEqual([]);
    // Without the aliases, every resource of the service would read as deleted.
    const withoutAliases = { ...head, resources: head.resources.map((r) => ({ ...r, aliases: undefined })) };
    expect(lifecycleChanges(basePlan, withoutAliases).changes.filter((c) => c.kind === "deleted").length).toBeGreaterThan(5);
  });

  it("removing two services that are not adjacent deletes two policies of one server with no order: deploy them one at a time", async () => {
    const report = lifecycleChanges(basePlan, await plan((f) => {
      delete f.services["billing-export"];
      delete f.services.reporting;
    }));
    expect(report.policyDeleteGroups).toEqual([{ server: "Okta authorization server services-dev", policies: ["Okta access policy dev-billing-export", "Okta access policy dev-reporting"] }]);
    expect(markdownLifecycle(report)[2]).toBe(
      "- ⚠️ 🗑️ Okta access policy dev-billing-export, Okta access policy dev-reporting of Okta authorization server services-dev are deleted in one update with no order between them\\: " +
        "Okta answers parallel writes of one server's policies with HTTP 500 or 423 E0000239, which the provider does not retry, and the engine orders deletes only by direct dependencies among the deleted resources; " +
        "deploy these removals one at a time \\(one service per update\\)",
    );
  });

  it("removing two adjacent services deletes two policies that are directly ordered: no warning", async () => {
    // The policies are chained in service-key order: payments waits for billing-export.
    const report = lifecycleChanges(basePlan, await plan((f) => {
      delete f.services["billing-export"];
      delete f.services.payments;
    }));
    expect(report.changes.filter((c) => c.type === "okta:auth/serverPolicy:ServerPolicy").map((c) => c.label).sort()).toEqual(["Okta access policy dev-billing-export", "Okta access policy dev-payments"]);
    expect(report.policyDeleteGroups).toEqual([]);
  });

  it("orders deleted policies through any deleted resource between them, and only through deleted ones", () => {
    const r = (name: string, type: string, dependsOn: string[] = []) => ({ urn: name, type, name, parent: null, inputs: { authServerId: "aus1", name }, dependsOn }) as PlanResource;
    const [p1, r1, p2, p3] = [r("p1", "okta:auth/serverPolicy:ServerPolicy"), r("r1", "okta:auth/serverPolicyRule:ServerPolicyRule", ["p1"]), r("p2", "okta:auth/serverPolicy:ServerPolicy", ["r1"]), r("p3", "okta:auth/serverPolicy:ServerPolicy", ["r2"])];
    const plan = { stack: "dev", resources: [] } as PlanDocument;
    // p2 waits for r1, which waits for p1: the engine deletes p2, then r1, then p1.
    expect(unorderedPolicyDeletes(plan, [p1!, r1!, p2!])).toEqual([]);
    // p3 waits for r2, which stays: the engine's delete rounds (step_generator.go ScheduleDeletes,
    // as components/internal/oktaPlanOrder.ts reproduces them) put p3 in the round of p1, not of p2.
    expect(unorderedPolicyDeletes(plan, [p1!, r1!, p2!, p3!])).toEqual([{ server: "Okta authorization server aus1", policies: ["Okta access policy p1", "Okta access policy p3"] }]);
  });

  it("takes the groups of racing policy deletions from a detector passed in (a stub: two or more kit policies of one server)", async () => {
    const head = await plan((f) => {
      delete f.services["billing-export"];
      delete f.services.payments;
    });
    const stub = (_base: PlanDocument, deleted: readonly PlanResource[]): PolicyDeleteGroup[] => {
      const policies = deleted.filter((r) => r.type === "okta:auth/serverPolicy:ServerPolicy");
      return policies.length >= 2 ? [{ server: "the | server", policies: policies.map((p) => `policy ${String(p.inputs.name)}`) }] : [];
    };
    const report = lifecycleChanges(basePlan, head, { policyDeleteGroups: stub });
    expect(report.policyDeleteGroups).toEqual([{ server: "the | server", policies: ["policy dev-billing-export", "policy dev-payments"] }]);
    const lines = markdownLifecycle(report);
    // 22 resources (the two services', and the AWS OIDC provider no service needs any more) and the group.
    expect(lines[0]).toBe("**⚠️ What `pulumi up` will replace or delete (23, 9 risky)**");
    // Escaped for Markdown: a | cannot end a table cell, nothing reads as syntax.
    expect(lines[2]).toMatch(/^- ⚠️ 🗑️ policy dev-billing-export, policy dev-payments of the \\\| server are deleted in one update .*deploy these removals one at a time \\\(one service per update\\\)$/);
    // The default detector finds no race here: the two policies are ordered through deleted resources.
    expect(lifecycleChanges(basePlan, head).policyDeleteGroups).toEqual([]);
  });

  it("a service's secret kept in state from now on replaces its Okta app: a new client id rewires every trust", async () => {
    const secretBase = await plan((f) => (f.services.payments.auth = { method: "client_secret_basic" }));
    const head = await plan((f) => (f.services.payments.auth = { method: "client_secret_basic", keepSecretInState: true }));
    const replaced = lifecycleChanges(secretBase, head).changes.filter((c) => c.kind === "replaced");
    expect(replaced[0]).toMatchObject({
      label: "Okta app dev-payments",
      because: "omitSecret changes from true to false (the provider replaces when it changes from true to false: okta/terraform-provider-okta resource_okta_app_oauth.go resourceAppOAuth)",
      impact: "new client id: every workload of the service must use it, and every trust (AWS role, GCP provider condition, Azure credential) is rewritten for it; tokens of the old client stop working",
      risk: "identity replaced: new client id",
    });
    // The GCP grants name the client id in their principal (member is ForceNew): granted again to the new one.
    expect(replaced.map((c) => c.label)).toEqual(expect.arrayContaining(["GCP roles/iam.workloadIdentityUser on service account dev-payments@acme-dev-example.iam.gserviceaccount.com"]));
  });

  it("another Azure resource group recreates the identity: new client and principal id, deleted first, and its credential and assignments with it", async () => {
    const report = lifecycleChanges(basePlan, await plan((f) => (f.azure.resourceGroup = "identities-dev-2")));
    const identity = report.changes.find((c) => c.label === "Azure identity id-dev-payments")!;
    expect(identity).toMatchObject({
      kind: "replaced",
      deleteFirst: true,
      because: "resourceGroupName changes from identities-dev to identities-dev-2 (the provider replaces on it: pulumi/pulumi-azure-native diff.go calculateDetailedDiff)",
      impact:
        "Azure identity recreated: new client id and principal id (workloads' AZURE_CLIENT_ID must change); it is deleted before it is recreated (an outage), and role assignments made on it outside the stack are lost",
    });
    expect(report.changes.filter((c) => c.kind === "replaced").map((c) => c.type).sort()).toEqual([
      "azure-native:authorization:RoleAssignment",
      "azure-native:authorization:RoleAssignment",
      "azure-native:managedidentity:FederatedIdentityCredential",
      "azure-native:managedidentity:FederatedIdentityCredential",
      "azure-native:managedidentity:UserAssignedIdentity",
      "azure-native:managedidentity:UserAssignedIdentity",
    ]);
  });

  it("gcp.idSuffix replaces the pool, its provider, the service account's binding and the direct grants: new GCP principals", async () => {
    const report = lifecycleChanges(basePlan, await plan((f) => (f.gcp.idSuffix = "b")));
    const pool = report.changes.find((c) => c.type === "gcp:iam/workloadIdentityPool:WorkloadIdentityPool")!;
    expect(pool.impact).toBe(
      "every service's GCP principal (principal://…/workloadIdentityPools/okta-dev-b/subject/…) is new: grants made outside the stack to the old principals are lost, and workloads' credential configs must name the new provider; the old pool id okta-dev stays reserved for 30 days",
    );
    expect(report.changes.filter((c) => c.kind === "replaced").map((c) => c.label).sort()).toEqual([
      "GCP role roles/bigquery.dataViewer on project acme-dev-example (federation-reporting-gcp-roles/bigquery.dataViewer)",
      "GCP role roles/bigquery.jobUser on project acme-dev-example (federation-reporting-gcp-roles/bigquery.jobUser)",
      "GCP roles/iam.workloadIdentityUser on service account dev-payments@acme-dev-example.iam.gserviceaccount.com",
      "GCP workload identity pool okta-dev-b (project acme-dev-example)",
    ]);
    // The provider's logical name follows its id: the old one is deleted (its id kept 30 days), a new one created.
    expect(report.changes.filter((c) => c.kind === "deleted").map((c) => [c.label, c.risk])).toEqual([
      ["GCP pool provider okta (pool okta-dev)", "GCP pool provider deleted: its id stays reserved for 30 days"],
    ]);
  });
});

describe("verify --base in its other forms", () => {
  it("--json carries lifecycle.changes and lifecycle.policyDeleteGroups; the terminal lists them marked R and D", async () => {
    const head = headFile("two-removed", (f) => {
      delete f.services["billing-export"];
      delete f.services.reporting;
    });
    const json = JSON.parse((await runCli(verify, "--stack-file", head, "--base", basePlanFile, "--json")).stdout);
    expect(json.lifecycle.policyDeleteGroups).toEqual([
      expect.objectContaining({ server: "Okta authorization server services-dev", message: expect.stringMatching(/deploy these removals one at a time \(one service per update\)$/) }),
    ]);
    expect(json.lifecycle.changes.find((c: { label: string }) => c.label === "Okta app dev-reporting")).toEqual({
      kind: "deleted",
      urn: "urn:pulumi:dev::okta-federation::oktafed:index:Federation$oktafed:okta:ServiceApp$okta:app/oAuth:OAuth::federation-reporting-app",
      type: "okta:app/oAuth:OAuth",
      name: "federation-reporting-app",
      label: "Okta app dev-reporting",
      because: "the head no longer registers it",
      impact: "the service's Okta client is deleted: it gets no more tokens",
      deleteFirst: false,
      risk: "identity deleted",
    });
    const text = (await runCli(verify, "--stack-file", head, "--base", basePlanFile)).stdout.split("\n");
    expect(text).toContain("What pulumi up will replace or delete (14, 5 risky, marked !):");
    expect(text).toContain("  D! Okta app dev-reporting deleted: the head no longer registers it");
    expect(text).toContain("       impact: the service's Okta client is deleted: it gets no more tokens");
  });
});
