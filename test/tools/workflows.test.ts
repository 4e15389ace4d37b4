/**
 * The PR review workflows: valid against GitHub's schema, and each guard that keeps a pull request
 * from forging its review, checked offline (the workflows' structure, and the script that finds
 * the pull request and posts the comment, against a fake GitHub client).
 */
import { spawnSync } from "node:child_process";
import { FIXTURE_STACKS_DIR, fixturePath } from "../helpers/stacks";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../../tools/offline/stackFile";

const dir = join(PROJECT_ROOT, ".github", "workflows");
const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));
const workflow = (file: string) => parse(readFileSync(join(dir, file), "utf8"));
const review = () => workflow("federation-review.yml");
const comment = () => workflow("federation-review-comment.yml");
const steps = (job: { steps: Array<Record<string, any>> }) => job.steps;
const { findPullRequest, postReview, MARKER } = createRequire(import.meta.url)(join(PROJECT_ROOT, ".github", "scripts", "pull-request.cjs"));

describe("GitHub workflows", () => {
  it("exist", () => {
    expect(files.sort()).toEqual(["federation-review-comment.yml", "federation-review.yml"]);
  });

  it.each(files)("%s is a valid workflow (GitHub's workflow schema)", (file) => {
    const state = validateWorkflow(readFileSync(join(dir, file), "utf8"));
    expect(state.errors).toEqual([]);
  });

  it.each(files)("%s pins every action by commit SHA", (file) => {
    const uses = Object.values(workflow(file).jobs as Record<string, { steps: Array<{ uses?: string }> }>).flatMap((job) => job.steps.map((s) => s.uses).filter(Boolean));
    expect(uses.length).toBeGreaterThan(3);
    for (const action of uses) expect(action, `${file}: ${action}`).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });
});

describe("the review cannot be forged by the pull request", () => {
  it("the review job runs only the base branch's code; of the head it checks out the stack files alone, without credentials", () => {
    const job = review().jobs["trust-review"];
    expect(review().permissions).toEqual({ contents: "read" });
    expect(JSON.stringify(job)).not.toContain("secrets.");
    const checkouts = steps(job).filter((s) => String(s.uses).startsWith("actions/checkout@"));
    expect(checkouts.map((s) => s.with)).toEqual([
      { ref: "${{ github.event.pull_request.base.sha }}", path: "trusted", "persist-credentials": false },
      {
        repository: "${{ github.event.pull_request.head.repo.full_name }}",
        ref: "${{ github.event.pull_request.head.sha }}",
        path: "head",
        "sparse-checkout": "stacks",
        "sparse-checkout-cone-mode": true,
        "persist-credentials": false,
      },
    ]);
    // Every command runs in the base checkout; the head's files are only arguments.
    const runs = steps(job).filter((s) => s.run);
    expect(runs.map((s) => s["working-directory"])).toEqual(["trusted", "trusted"]);
    expect(runs.map((s) => s.run).join("\n")).toContain("bash .github/scripts/review-stacks.sh stacks ../head/stacks ../review.md");
    expect(steps(job).some((s) => /cache/.test(JSON.stringify(s.with ?? {})))).toBe(false);
  });

  it("the comment job finds the pull request from the event's head SHA, reviews again with the default branch's code, and never runs the head", () => {
    const job = comment().jobs.comment;
    expect(comment().on).toEqual({ workflow_run: { workflows: ["federation-review"], types: ["completed"] } });
    const text = JSON.stringify(job);
    expect(text).toContain("headSha: run.head_sha, headRepo: run.head_repository.full_name");
    expect(text).toContain("trusted/.github/scripts/pull-request.cjs");
    const checkouts = steps(job).filter((s) => String(s.uses).startsWith("actions/checkout@"));
    expect(checkouts.map((s) => [s.with.path, s.with["sparse-checkout"] ?? "(all)", s.with["persist-credentials"]])).toEqual([
      ["trusted", "(all)", false],
      ["base", "stacks", false],
      ["head", "stacks", false],
    ]);
    expect(checkouts[0]!.with.ref).toBeUndefined(); // the default branch
    const runs = steps(job).filter((s) => s.run);
    expect(runs.map((s) => s["working-directory"])).toEqual(["trusted"]);
    expect(runs[0]!.run).toContain("bash .github/scripts/review-stacks.sh ../base/stacks ../head/stacks ../review.md");
  });

  it("the preview job, which runs the PR's code with credentials, is limited to same-repository PRs and an environment with reviewers", () => {
    const job = review().jobs["pulumi-preview"];
    expect(job.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    expect(job.environment).toBe("preview-${{ matrix.stack }}");
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    expect(readFileSync(join(PROJECT_ROOT, "docs", "verify.md"), "utf8")).toContain("required reviewers");
  });
});

/** A fake GitHub client: open pull requests and the comments of one. */
function fakeGithub(pulls: Array<{ number: number; head: { sha: string; repo: { full_name: string } }; base: { sha: string } }>, comments: Array<{ id: number; body: string; user: { type: string } }> = []) {
  const calls: Array<[string, unknown]> = [];
  const rest = {
    pulls: { list: "pulls.list" },
    issues: {
      listComments: "issues.listComments",
      updateComment: async (args: unknown) => void calls.push(["update", args]),
      createComment: async (args: unknown) => void calls.push(["create", args]),
    },
  };
  const github = { rest, paginate: async (method: string) => (method === "pulls.list" ? pulls : comments) };
  return { github, calls };
}

const pr = (number: number, sha: string, repo = "fork/okta-federation") => ({ number, head: { sha, repo: { full_name: repo } }, base: { sha: `base-of-${number}` } });
const HEAD = "a".repeat(40);

describe("pull-request.cjs", () => {
  it("finds the one open pull request with the event's head SHA and repository", async () => {
    const { github } = fakeGithub([pr(7, HEAD), pr(8, "b".repeat(40))]);
    expect(await findPullRequest({ github, owner: "acme", repo: "okta-federation", headSha: HEAD, headRepo: "fork/okta-federation", claimed: "7\n" })).toEqual({
      number: 7,
      baseSha: "base-of-7",
      headSha: HEAD,
      headRepo: "fork/okta-federation",
    });
  });

  it("refuses when the artifact claims another pull request", async () => {
    const { github } = fakeGithub([pr(7, HEAD), pr(8, "b".repeat(40))]);
    await expect(findPullRequest({ github, owner: "acme", repo: "okta-federation", headSha: HEAD, headRepo: "fork/okta-federation", claimed: "8" })).rejects.toThrow(
      `the artifact claims pull request 8, but head ${HEAD} belongs to #7: not commenting`,
    );
  });

  it("refuses when no open pull request, or one from another repository, has that head", async () => {
    const { github } = fakeGithub([pr(7, HEAD, "someone-else/okta-federation")]);
    await expect(findPullRequest({ github, owner: "acme", repo: "okta-federation", headSha: HEAD, headRepo: "fork/okta-federation", claimed: "7" })).rejects.toThrow(
      `expected one open pull request with head ${HEAD} from fork/okta-federation, found 0: not commenting`,
    );
  });

  it("updates the kit's earlier comment (by the bot), else creates one", async () => {
    const existing = fakeGithub([], [{ id: 1, body: `${MARKER}\nold`, user: { type: "User" } }, { id: 2, body: `${MARKER}\nold`, user: { type: "Bot" } }]);
    expect(await postReview({ github: existing.github, owner: "acme", repo: "r", number: 7, review: "new" })).toBe("updated");
    expect(existing.calls).toEqual([["update", { owner: "acme", repo: "r", comment_id: 2, body: `${MARKER}\nnew` }]]);
    const fresh = fakeGithub([], []);
    expect(await postReview({ github: fresh.github, owner: "acme", repo: "r", number: 7, review: "new" })).toBe("created");
    expect(fresh.calls).toEqual([["create", { owner: "acme", repo: "r", issue_number: 7, body: `${MARKER}\nnew` }]]);
  });
});

describe("review-stacks.sh", () => {
  it("reviews the head's stack files with this checkout's code, against the base's", () => {
    const work = mkdtempSync(join(tmpdir(), "review-"));
    const head = join(work, "head");
    cpSync(fixturePath("prod"), join(head, "Pulumi.prod.yaml"), { recursive: true });
    const text = readFileSync(join(head, "Pulumi.prod.yaml"), "utf8").replace("dynamodb-read: arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess", "admin: arn:aws:iam::aws:policy/PowerUserAccess");
    writeFileSync(join(head, "Pulumi.prod.yaml"), text);
    const out = join(work, "review.md");
    const result = spawnSync("bash", [join(PROJECT_ROOT, ".github", "scripts", "review-stacks.sh"), FIXTURE_STACKS_DIR, head, out], { cwd: PROJECT_ROOT, encoding: "utf8" });
    expect(result.status).toBe(0);
    const markdown = readFileSync(out, "utf8");
    expect(markdown.split("\n")[0]).toBe("### Okta federation access review: `prod` ✅ passed");
    expect(markdown).toContain("- ⚠️ + ledger: AWS policy PowerUserAccess (arn:aws:iam::aws:policy/PowerUserAccess) attached to AWS role ledger — **broad: allows every action except IAM and Organizations management**");
    expect(markdown).toContain("- 🔴 − ledger: AWS policy AmazonDynamoDBReadOnlyAccess (arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess) detached from AWS role ledger");
  });
});

describe("the workflow validator itself", () => {
  it("rejects a broken workflow (so the checks above can fail)", () => {
    const state = validateWorkflow("name: x\non: pull_request\njobs:\n  a:\n    steps: 5\n");
    expect(state.errors.length).toBeGreaterThan(0);
  });
});
