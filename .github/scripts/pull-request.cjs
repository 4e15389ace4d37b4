// The pull request a review belongs to, found from the workflow_run event (never from what an
// artifact of the unprivileged run claims), and the review comment, posted once and updated.
// Loaded by actions/github-script from the trusted checkout; tested offline with a fake client.
"use strict";

const MARKER = "<!-- okta-federation-review -->";

/**
 * The open pull request whose head is exactly `headSha` from `headRepo` (the workflow_run event's
 * head_sha and head_repository). Throws unless there is exactly one, and unless the number the
 * artifact claims is that pull request's: a run of one PR cannot comment on another.
 */
async function findPullRequest({ github, owner, repo, headSha, headRepo, claimed }) {
  const pulls = await github.paginate(github.rest.pulls.list, { owner, repo, state: "open", per_page: 100 });
  const matches = pulls.filter((p) => p.head && p.head.sha === headSha && p.head.repo && p.head.repo.full_name === headRepo);
  if (matches.length !== 1) {
    throw new Error(`expected one open pull request with head ${headSha} from ${headRepo}, found ${matches.length}: not commenting`);
  }
  const pr = matches[0];
  const claimedNumber = Number(String(claimed ?? "").trim());
  if (claimedNumber !== pr.number) {
    throw new Error(`the artifact claims pull request ${String(claimed ?? "").trim() || "(none)"}, but head ${headSha} belongs to #${pr.number}: not commenting`);
  }
  return { number: pr.number, baseSha: pr.base.sha, headSha: pr.head.sha, headRepo };
}

/** Posts the review as one comment on the pull request, updating the kit's earlier comment if there is one. */
async function postReview({ github, owner, repo, number, review }) {
  const body = `${MARKER}\n${review}`;
  const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 });
  const previous = comments.find((c) => typeof c.body === "string" && c.body.startsWith(MARKER) && c.user && c.user.type === "Bot");
  if (previous) {
    await github.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body });
    return "updated";
  }
  await github.rest.issues.createComment({ owner, repo, issue_number: number, body });
  return "created";
}

module.exports = { MARKER, findPullRequest, postReview };
