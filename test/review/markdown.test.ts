/** Config text in a PR comment reads as text, never as Markdown; the comment fits GitHub's limit. */
import { describe, expect, it } from "vitest";
import { unjudgedGrant } from "../../components/internal/identityAdmin";
import { ROLE_DATA } from "../../components/internal/roleData";
import { AWS_CATALOGUE } from "../../components/internal/awsCatalogue";
import { htmlCode, mdCode, mdText } from "../../tools/verify/markdown";
import { COMMENT_MAX_CHARS, reviewComment, reviewMarkdown } from "../../tools/review/render";
import type { Review } from "../../tools/review/review";

describe("Markdown escaping", () => {
  it.each([
    ["x|-|-|", "`x\\|-\\|-\\|`"],
    ["a`b", "``a`b``"],
    ["`edge`", "`` `edge` ``"],
    ["two\nlines", "`two lines`"],
  ])("mdCode(%j) is %s", (input, expected) => expect(mdCode(input)).toBe(expected));

  it.each([
    ["service @evil", "service @&#8288;evil"],
    ["<img src=x>", "&lt;img src=x&gt;"],
    ["**bold** [link](https://x) | cell", "\\*\\*bold\\*\\* \\[link\\]\\(https\\://x\\) \\| cell"],
    ["- item", "\\- item"],
    ["12. item", "12\\. item"],
    ["# heading", "\\# heading"],
    ["&amp; :tada:", "&amp;amp; \\:tada\\:"],
    ["a\n\n## injected", "a \\#\\# injected"],
  ])("mdText(%j) is %j", (input, expected) => expect(mdText(input)).toBe(expected));

  it("htmlCode escapes for HTML, where Markdown is not read", () => expect(htmlCode('<b a="1">&@x')).toBe("<code>&lt;b a=&quot;1&quot;&gt;&amp;@&#8288;x</code>"));
});

describe("grants the kit cannot judge", () => {
  it.each([
    [{ cloud: "aws", role: "arn:aws:iam::111111111111:policy/payments-dev-sqs-send" }, "a customer-managed policy: its document is not in the stack, so the kit cannot tell what it allows (rewriting trust policies or passing roles included)"],
    [{ cloud: "aws", role: "arn:aws:iam::aws:policy/AmazonNewService2027Access" }, `arn:aws:iam::aws:policy/AmazonNewService2027Access is not an AWS managed policy of the kit's list of ${ROLE_DATA.aws.date} (a newer policy, or a misspelt one): the kit cannot tell what it allows (rewriting trust policies included)`],
    [{ cloud: "aws", role: "arn:aws:iam::aws:policy/PowerUserAccess" }, "allows sts:AssumeRole on *: assumes roles where a role's trust policy admits it; the stack's roles admit only the Okta issuer's tokens, other roles of the account the kit cannot see (what they may do, whom they trust)"],
    [{ cloud: "gcp", role: "projects/acme-dev-example/roles/tokenMinter" }, "a custom role: its permissions are defined outside the stack, so the kit cannot tell what it allows (minting tokens or setting IAM policies included)"],
    [{ cloud: "gcp", role: "organizations/123/roles/x" }, "a custom role: its permissions are defined outside the stack, so the kit cannot tell what it allows (minting tokens or setting IAM policies included)"],
    [{ cloud: "gcp", role: "roles/iam.tokenMinter" }, `roles/iam.tokenMinter is not a GCP predefined role of the kit's list of ${ROLE_DATA.gcp.date} (a newer role, or a misspelt one): the kit cannot tell what it allows (minting tokens or setting IAM policies included)`],
    [{ cloud: "azure", role: "11111111-2222-3333-4444-555555555555" }, `role definition 11111111-2222-3333-4444-555555555555 is not an Azure built-in role (a custom role, or one newer than the kit's list of ${ROLE_DATA.azure.date}): the kit cannot tell what it allows (writing federated credentials or role assignments included)`],
  ] as const)("%j is unjudged", (grant, why) => expect(unjudgedGrant(grant)).toBe(why));

  it.each([
    { cloud: "aws", role: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" },
    { cloud: "aws", role: "arn:aws:iam::aws:policy/IAMReadOnlyAccess" },
    { cloud: "aws", role: "arn:aws:iam::aws:policy/IAMFullAccess" },
    { cloud: "gcp", role: "roles/storage.objectViewer" },
    { cloud: "gcp", role: "roles/iam.serviceAccountTokenCreator" },
    { cloud: "gcp", role: "roles/iam.roleViewer" },
    { cloud: "gcp", role: "roles/iam.roleAdmin" },
    { cloud: "gcp", role: "roles/pubsub.publisher" },
    { cloud: "azure", role: "Managed Identity Federated Identity Credential Contributor" },
    { cloud: "azure", role: "Reader" },
    { cloud: "azure", role: "Storage Blob Data Reader" },
    { cloud: "azure", role: "Key Vault Crypto User" },
    { cloud: "azure", role: "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c" },
  ] as const)("%j is judged (by the data sets' permissions and actions, or an AWS managed policy of a service that is not identity)", (grant) => expect(unjudgedGrant(grant)).toBeUndefined());
});

describe("the review's footer", () => {
  it("ends with the dates of the role data the names were checked against, and of the IAM action catalogue", () => {
    const review: Review = { base: { label: "main" }, head: { label: "feature" }, judgedBy: "base", codeChanges: [], needsCodeReview: false, problems: [], stacks: [], organisations: [], verdict: "passed" };
    const lines = reviewMarkdown(review).split("\n");
    expect(lines.slice(-3)).toEqual([
      "---",
      "_Generated by `npm run review`. Run it before you push: `npm run review -- --base origin/main --head .`_",
      `_role data: AWS managed policies ${ROLE_DATA.aws.date}, GCP roles ${ROLE_DATA.gcp.date}, Azure roles ${ROLE_DATA.azure.date}; IAM action catalogue ${AWS_CATALOGUE.date}_`,
    ]);
    expect(lines.at(-1)).toMatch(/^_role data: AWS managed policies \d{4}-\d{2}-\d{2}, GCP roles \d{4}-\d{2}-\d{2}, Azure roles \d{4}-\d{2}-\d{2}; IAM action catalogue \d{4}-\d{2}-\d{2}_$/);
  });
});

describe("the PR comment's size", () => {
  it("a review longer than a comment holds is cut after its verdict, code changes and risky changes, with a note", () => {
    const changes = Array.from({ length: 3000 }, (_, i) => ({ kind: "grant-added" as const, service: `s${i}`, message: `s${i}: GCP role roles/storage.objectViewer on project p granted to GCP direct grants s${i}` }));
    const review: Review = {
      base: { label: "main" },
      head: { label: "feature" },
      judgedBy: "base",
      codeChanges: [{ path: "components/federation.ts", change: "modified", meaning: "the components", affectsDeploy: true }],
      needsCodeReview: true,
      problems: [],
      stacks: [{ stack: "dev", status: "removed", isNew: false, notes: [], errors: [], changes: [{ kind: "grant-added", service: "x", message: "x: risky grant", risk: "broad" }, ...changes] }],
      organisations: [],
      verdict: "needs code review",
    };
    const comment = reviewComment(review);
    expect(comment.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
    expect(comment).toContain("## Okta federation access review: ⚠️ needs code review");
    expect(comment).toContain("`components/federation.ts`");
    expect(comment).toContain("- ⚠️ + x\\: risky grant — **broad**");
    expect(comment.endsWith("_… cut here: a PR comment holds at most 65,536 characters. The job summary and `npm run review -- --json` have the whole review._")).toBe(true);
  });
});
