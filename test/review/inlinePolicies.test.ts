/**
 * npm run review on a pull request that adds AWS inline policies to the dev stack: each policy in
 * words (action and resource), the identity-admin one marked with what it could take over, the
 * one passing roles marked unjudged, a statement change in words; the footer dates the IAM action catalogue.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBase } from "../../dev/review/scenarios";
import { main as review } from "../../tools/review";
import { AWS_CATALOGUE } from "../../components/internal/awsCatalogue";
import { runCli } from "../helpers/cli";

let root: string;
let base: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "review-inline-"));
  base = buildBase(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A copy of a tree whose dev stack gives payments these inline policies. */
function withInline(from: string, name: string, inlinePolicies: Record<string, unknown>): string {
  const head = join(root, name);
  cpSync(from, head, { recursive: true });
  const file = join(head, "stacks", "Pulumi.dev.yaml");
  const doc = parseDocument(readFileSync(file, "utf8"));
  doc.setIn(["config", "okta-federation:federation", "services", "payments", "aws", "inlinePolicies"], doc.createNode(inlinePolicies));
  writeFileSync(file, doc.toString());
  return head;
}

const ORDERS_READ = { statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bar-orders-dev/*"] }] };
const ADMIN = { allowIdentityAdmin: true, statements: [{ actions: ["iam:PutRolePolicy"], resources: ["arn:aws:iam::111111111111:role/oktafed/*"] }] };
const PASS_ROLE = { statements: [{ actions: ["iam:PassRole"], resources: ["*"] }] };

describe("npm run review: inline policies", () => {
  it("states each added policy in words, identity admin and unjudged ones marked, in the comment and the text", async () => {
    const head = withInline(base, "added", { "orders-read": ORDERS_READ, admin: ADMIN, pass: PASS_ROLE });
    const { code, stdout } = await runCli(review, "--base", base, "--head", head, "--markdown");
    const lines = stdout.split("\n");
    expect(lines).toContain(
      "- ⚠️ + payments\\: inline policy admin\\: Allow iam\\:PutRolePolicy on arn\\:aws\\:iam\\:\\:111111111111\\:role/oktafed/\\* added to AWS role payments — **identity admin\\: statement 1 allows iam\\:PutRolePolicy on arn\\:aws\\:iam\\:\\:111111111111\\:role/oktafed/\\*\\: writes inline policies \\(any action\\) on the stack's roles \\(path /oktafed/\\); could take over AWS role billing-export \\(accepted with allowIdentityAdmin\\: true\\)**",
    );
    expect(lines).toContain(
      "- ⚠️ + payments\\: inline policy pass\\: Allow iam\\:PassRole on \\* added to AWS role payments — **unjudged\\: allows iam\\:PassRole on \\*\\: passes roles to compute services \\(running code as them\\) where a role's trust policy admits it; the stack's roles admit only the Okta issuer's tokens, other roles of the account the kit cannot see \\(what they may do, whom they trust\\)**",
    );
    expect(lines).toContain("- 🟢 + payments\\: inline policy orders-read\\: Allow s3\\:GetObject on arn\\:aws\\:s3\\:\\:\\:bar-orders-dev/\\* added to AWS role payments");
    expect(lines).toContain("- `payments`: inline policy orders-read\\: Allow s3\\:GetObject on arn\\:aws\\:s3\\:\\:\\:bar-orders-dev/\\*");
    expect(lines.filter(Boolean).at(-1)).toMatch(new RegExp(`; IAM action catalogue ${AWS_CATALOGUE.date}_$`));
    expect(code).toBe(0);

    const text = (await runCli(review, "--base", base, "--head", head)).stdout;
    expect(text).toContain("    payments: inline policy orders-read: Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/*");
    expect(text).toContain("  +  payments: inline policy orders-read: Allow s3:GetObject on arn:aws:s3:::bar-orders-dev/* added to AWS role payments");
  });

  it("states a statement change", async () => {
    const before = withInline(base, "before", { "orders-read": ORDERS_READ });
    const after = withInline(base, "after", { "orders-read": { statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bar-orders-prod/*"] }] } });
    const { code, stdout } = await runCli(review, "--base", before, "--head", after, "--markdown");
    expect(stdout.split("\n")).toContain(
      "- 🟡 ~ payments\\: AWS role payments\\: inline policy orders-read changes\\: statement added\\: Allow s3\\:GetObject on arn\\:aws\\:s3\\:\\:\\:bar-orders-prod/\\*; statement removed\\: Allow s3\\:GetObject on arn\\:aws\\:s3\\:\\:\\:bar-orders-dev/\\*",
    );
    expect(code).toBe(0);
  });
});
