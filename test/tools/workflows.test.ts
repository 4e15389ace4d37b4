import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../../tools/offline/stackFile";

const dir = join(PROJECT_ROOT, ".github", "workflows");
const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));

describe("GitHub workflows", () => {
  it("exist", () => {
    expect(files.sort()).toEqual(["federation-review-comment.yml", "federation-review.yml"]);
  });

  it.each(files)("%s is a valid workflow (GitHub's workflow schema)", (file) => {
    const state = validateWorkflow(readFileSync(join(dir, file), "utf8"));
    expect(state.errors).toEqual([]);
  });

  it("the review job needs no secrets; only the preview job gets an id-token, and only for same-repo PRs", () => {
    const text = readFileSync(join(dir, "federation-review.yml"), "utf8");
    const workflow = parse(text);
    const review = JSON.stringify(workflow.jobs["trust-review"]);
    expect(review).not.toContain("secrets.");
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(workflow.jobs["pulumi-preview"].if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    expect(workflow.jobs["pulumi-preview"].permissions["id-token"]).toBe("write");
    expect(review).toContain("npm run --silent verify -- --stack");
  });
});

describe("the workflow validator itself", () => {
  it("rejects a broken workflow (so the checks above can fail)", () => {
    const state = validateWorkflow("name: x\non: pull_request\njobs:\n  a:\n    steps: 5\n");
    expect(state.errors.length).toBeGreaterThan(0);
  });
});
