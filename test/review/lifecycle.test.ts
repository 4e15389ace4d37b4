/**
 * npm run review says what pulumi up will replace or delete in each stack (tools/verify/lifecycle.ts),
 * beside the risky changes: on a copy of this checkout with the fixture dev stack as the base.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBase } from "../../dev/review/scenarios";
import { main as review } from "../../tools/review";
import { runCli } from "../helpers/cli";

let root: string;
let base: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "review-lifecycle-"));
  base = buildBase(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A head whose dev stack file is the base's with its federation changed. */
function headWith(name: string, change: (federation: any) => void): string {
  const head = join(root, name);
  cpSync(base, head, { recursive: true });
  const file = join(head, "stacks", "Pulumi.dev.yaml");
  const doc = parseDocument(readFileSync(file, "utf8"));
  const federation = (doc.getIn(["config", "okta-federation:federation"]) as any).toJSON();
  change(federation);
  doc.setIn(["config", "okta-federation:federation"], doc.createNode(federation));
  writeFileSync(file, doc.toString());
  return head;
}

describe("npm run review: what pulumi up will replace or delete", () => {
  it("a changed role path: the roles replaced are risky, counted in the verdict and the table, and the stack does not fold away", async () => {
    const head = headWith("role-path", (f) => (f.aws.rolePath = "/svc/"));
    const { code, stdout, stderr } = await runCli(review, "--base", base, "--head", head, "--markdown");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toBe("## Okta federation access review: ✅ passed · ⚠️ 2 risky changes to read");
    expect(lines).toContain("| `dev` | ✅ passed | 0 | ⚠️ 2 |");
    expect(stdout).not.toContain("<details>");
    expect(lines).toContain("**⚠️ What `pulumi up` will replace or delete (5, 2 risky)**");
    expect(lines.filter((l) => l.startsWith("- ⚠️ 🔁 replaced: AWS role ")).map((l) => l.split(": path")[0])).toEqual([
      "- ⚠️ 🔁 replaced: AWS role dev-billing-export",
      "- ⚠️ 🔁 replaced: AWS role dev-payments",
    ]);
  });

  it("two services removed that are not adjacent: deploy these removals one at a time, in Markdown, JSON and text", async () => {
    const head = headWith("two-removed", (f) => {
      delete f.services["billing-export"];
      delete f.services.reporting;
    });
    const markdown = (await runCli(review, "--base", base, "--head", head, "--markdown")).stdout;
    expect(markdown).toMatch(/^- ⚠️ 🗑️ Okta access policy dev-billing-export, Okta access policy dev-reporting of Okta authorization server services-dev are deleted in one update with no order between them\\: .*; deploy these removals one at a time \\\(one service per update\\\)$/m);
    const json = JSON.parse((await runCli(review, "--base", base, "--head", head, "--json")).stdout);
    const dev = json.stacks.find((s: { stack: string }) => s.stack === "dev");
    expect(dev.lifecycle.policyDeleteGroups.map((g: { policies: string[] }) => g.policies)).toEqual([["Okta access policy dev-billing-export", "Okta access policy dev-reporting"]]);
    expect(dev.lifecycle.changes.filter((c: { risk?: string }) => c.risk).map((c: { label: string }) => c.label).sort()).toEqual([
      "AWS role dev-billing-export",
      "Azure identity id-dev-billing-export",
      "Okta app dev-billing-export",
      "Okta app dev-reporting",
    ]);
    const text = (await runCli(review, "--base", base, "--head", head)).stdout.split("\n");
    expect(text).toContain("What pulumi up will replace or delete (14, 5 risky, marked !):");
  });

  it("an unchanged stack says nothing of replacements and folds away", async () => {
    const { stdout } = await runCli(review, "--base", base, "--head", headWith("unchanged", () => {}), "--markdown");
    expect(stdout).toContain("<details><summary>Stack <code>dev</code>: ✅ passed, no access changes</summary>");
    expect(stdout).not.toContain("will replace or delete");
  });
});

describe("npm run review: GCP roles on single resources", () => {
  it("a bucket grant appears with its role and resource; removing it is a revocation that names the bucket", async () => {
    const bucket = { resource: "//storage.googleapis.com/projects/_/buckets/bar-orders-dev", role: "roles/storage.objectViewer" };
    const head = headWith("bucket-grant", (f) => (f.services.reporting.gcp.resourceRoles = { orders: bucket }));
    const { code, stdout, stderr } = await runCli(review, "--base", base, "--head", head, "--markdown");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n").filter((l) => l.includes("bar-orders-dev"))).toEqual(["- 🟢 + reporting\\: GCP role roles/storage.objectViewer on bucket bar-orders-dev granted to GCP direct grants reporting"]);
    const text = (await runCli(review, "--base", head, "--head", base)).stdout.split("\n");
    expect(text.filter((l) => l.includes("bar-orders-dev"))).toEqual([
      "  -  reporting: GCP role roles/storage.objectViewer on bucket bar-orders-dev revoked from GCP direct grants reporting",
      "  D  GCP role roles/storage.objectViewer on bucket bar-orders-dev (federation-reporting-gcp-resource-orders) deleted: the head no longer registers it",
    ]);
  });
});
