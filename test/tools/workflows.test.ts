/**
 * The PR workflows: valid against GitHub's schema, and each guard that keeps a pull request from
 * forging its review or reaching the preview's credentials, checked offline (the workflows'
 * structure, the stack list the preview's matrix is computed from, the policy pack as the Pulumi CLI
 * starts it, and the script that finds the pull request and posts the comment, against a fake
 * GitHub client).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../../tools/offline/stackFile";

type Step = Record<string, any>;
type Job = { steps: Step[]; environment?: unknown; permissions?: unknown; if?: string; needs?: string[]; strategy?: any; outputs?: Record<string, string> };

const dir = join(PROJECT_ROOT, ".github", "workflows");
const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));
const workflowText = (file: string) => readFileSync(join(dir, file), "utf8");
const workflow = (file: string) => parse(workflowText(file));
const review = () => workflow("federation-review.yml");
const comment = () => workflow("federation-review-comment.yml");
const jobsOf = (file: string) => Object.entries(workflow(file).jobs as Record<string, Job>);
const steps = (job: Job) => job.steps;
const checkouts = (job: Job) => steps(job).filter((s) => String(s.uses).startsWith("actions/checkout@"));
const { findPullRequest, postReview, MARKER } = createRequire(import.meta.url)(join(PROJECT_ROOT, ".github", "scripts", "pull-request.cjs"));

/** The pinned commits whose source the workflows' comments cite (inputs and behaviour read there). */
const CHECKOUT = "actions/checkout@11d5960a326750d5838078e36cf38b85af677262";
const PULUMI_ACTIONS = "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d";

/** A job's permissions: its own, else the workflow's. */
const permissionsOf = (file: string, job: Job) => job.permissions ?? workflow(file).permissions;
const grantsIdToken = (permissions: unknown) => permissions === "write-all" || (typeof permissions === "object" && permissions !== null && (permissions as Record<string, string>)["id-token"] === "write");

describe("GitHub workflows", () => {
  it("exist", () => {
    expect(files.sort()).toEqual(["federation-deploy.yml", "federation-review-comment.yml", "federation-review.yml"]);
  });

  it.each(files)("%s is a valid workflow (GitHub's workflow schema)", (file) => {
    const state = validateWorkflow(workflowText(file));
    expect(state.errors).toEqual([]);
  });

  it.each(files)("%s runs Node.js 22 (the Pulumi SDK warns on 20; the AWS SDK requires 22 from January 2027)", (file) => {
    const setups = jobsOf(file).flatMap(([, job]) => job.steps.filter((s) => String(s.uses).startsWith("actions/setup-node@")));
    expect(setups.length).toBeGreaterThan(0);
    for (const step of setups) expect(step.with["node-version"], file).toBe(22);
  });

  it.each(files)("%s pins every action by commit SHA", (file) => {
    const uses = jobsOf(file).flatMap(([, job]) => job.steps.map((s) => s.uses).filter(Boolean));
    expect(uses.length).toBeGreaterThan(3);
    for (const action of uses) expect(action, `${file}: ${action}`).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });
});

describe("the review cannot be forged by the pull request", () => {
  it("reviews every pull request: no paths filter lets a code-only change skip it", () => {
    const on = review().on;
    expect(Object.keys(on)).toEqual(["pull_request"]);
    for (const filter of ["paths", "paths-ignore", "branches", "branches-ignore"]) expect(on.pull_request?.[filter], filter).toBeUndefined();
  });

  it("the review job runs the base's review command over the whole head, without credentials, and fails unless it passes", () => {
    const job = review().jobs["trust-review"];
    expect(review().permissions).toEqual({ contents: "read" });
    expect(job.permissions).toBeUndefined();
    expect(JSON.stringify(job)).not.toContain("secrets.");
    expect(checkouts(job).map((s) => s.with)).toEqual([
      { ref: "${{ github.event.pull_request.base.sha }}", path: "trusted", "persist-credentials": false },
      // Every file of the head, not a sparse checkout: the review hashes them all to see code changes.
      {
        repository: "${{ github.event.pull_request.head.repo.full_name }}",
        ref: "${{ github.event.pull_request.head.sha }}",
        path: "head",
        "persist-credentials": false,
      },
    ]);
    const runs = steps(job).filter((s) => s.run);
    expect(runs.map((s) => s["working-directory"])).toEqual(["trusted", "trusted"]);
    const script = runs[1]!.run as string;
    expect(script).toContain("npm run -s review -- --base . --head ../head --markdown --save-pr-code-plans ../pr-code-plans > ../review.md || status=$?");
    expect(script).toContain('cat ../review.md >> "$GITHUB_STEP_SUMMARY"');
    expect(script.trim().split("\n").at(-1)).toBe("exit $status");
    const upload = steps(job).find((s) => String(s.uses).startsWith("actions/upload-artifact@"))!;
    expect(upload.if).toBe("always()");
    expect(upload.with.name).toBe("federation-review");
    expect(upload.with.path.trim().split("\n")).toEqual(["review.md", "pr-number", "pr-code-plans/"]);
    expect(steps(job).some((s) => /cache/.test(JSON.stringify(s.with ?? {})))).toBe(false);
  });

  it("the comment job finds the pull request from the event's head SHA and reviews again with the default branch's code, the PR's plans as data", () => {
    const job = comment().jobs.comment;
    expect(comment().on).toEqual({ workflow_run: { workflows: ["federation-review"], types: ["completed"] } });
    const text = JSON.stringify(job);
    expect(text).toContain("headSha: run.head_sha, headRepo: run.head_repository.full_name");
    expect(text).toContain("trusted/.github/scripts/pull-request.cjs");
    expect(checkouts(job).map((s) => [s.with.path, s.with["sparse-checkout"] ?? "(all)", s.with["persist-credentials"]])).toEqual([
      ["trusted", "(all)", false],
      ["base", "(all)", false],
      ["head", "(all)", false],
    ]);
    const [trusted, base, head] = checkouts(job);
    expect(trusted!.with.ref).toBeUndefined(); // the default branch
    expect(trusted!.with.repository).toBeUndefined();
    expect(base!.with).toMatchObject({ ref: "${{ steps.pr.outputs.base-sha }}" });
    expect(base!.with.repository).toBeUndefined();
    expect(head!.with).toMatchObject({ repository: "${{ steps.pr.outputs.head-repo }}", ref: "${{ steps.pr.outputs.head-sha }}" });
    const runs = steps(job).filter((s) => s.run);
    expect(runs.map((s) => s.run.trim().split("\n")[0])).toEqual([
      "npm ci --no-audit --no-fund",
      "npm run -s review -- --base ../base --head ../head --markdown --pr-code-plans ../claimed/pr-code-plans > ../review.md || true",
    ]);
    expect(text).not.toContain("--no-pr-code");
    expect(text).not.toContain("--save-pr-code-plans");
  });

  it("the comment job never runs the head's or the base's code: every command works in the default branch's checkout", () => {
    const job = comment().jobs.comment;
    for (const step of steps(job)) {
      const where = `${step.name ?? step.uses}`;
      if (step.run) {
        expect(step["working-directory"], where).toBe("trusted");
        expect(step.run, where).not.toMatch(/\b(cd|pushd)\s+(\.\.\/)?(head|base|claimed)\b|--prefix|-C\s|\b(node|bash|sh|npx)\s+(\.\.\/)?(head|base|claimed)\//);
      }
      // No local action (./head/... would be the PR's), no script loaded from the PR's files.
      if (step.uses) expect(step.uses, where).not.toMatch(/^\.|^docker:/);
      if (step.with?.script) expect(step.with.script, where).not.toMatch(/require\([^)]*(head|base|claimed)\//);
      // No cache: one written by a pull request's run would be restored into this privileged job.
      expect(String(step.uses), where).not.toMatch(/^actions\/cache@/);
      expect(step.with?.cache, where).toBeUndefined();
    }
  });

  it("the comment job checks out a fork's head with the input the pinned actions/checkout requires, and only that checkout", () => {
    const job = comment().jobs.comment;
    const [trusted, base, head] = checkouts(job);
    expect(head!.uses).toBe(CHECKOUT);
    expect(head!.with["allow-unsafe-pr-checkout"]).toBe(true);
    for (const other of [trusted!, base!]) expect(other.with["allow-unsafe-pr-checkout"]).toBeUndefined();
    // The input name and the behaviour were read in that commit's source, which the workflow cites.
    const text = workflowText("federation-review-comment.yml");
    expect(text).toContain("actions/checkout 11d5960a326750d5838078e36cf38b85af677262 (v4.4.0), src/unsafe-pr-checkout-helper.ts");
    expect(text).toContain("`allow-unsafe-pr-checkout` (action.yml; default false)");
    // Nothing in the unprivileged workflow needs it (a pull_request run is not refused).
    expect(workflowText("federation-review.yml")).not.toContain("allow-unsafe-pr-checkout");
  });
});

describe("the preview cannot be reached without the environment", () => {
  const preview = () => review().jobs["pulumi-preview"] as Job;

  it("every job that can get an OIDC token (id-token: write) references an environment: preview-<stack> for previews, <stack> for deploys", () => {
    const gated: string[] = [];
    for (const file of files) {
      expect(grantsIdToken(workflow(file).permissions), `${file}: workflow-level permissions`).toBe(false);
      for (const [name, job] of jobsOf(file)) {
        if (!grantsIdToken(permissionsOf(file, job))) continue;
        expect(job.environment, `${file}: job ${name}`).toBe(file === "federation-deploy.yml" ? "${{ matrix.stack }}" : "preview-${{ matrix.stack }}");
        gated.push(`${file}:${name}`);
      }
    }
    expect(gated.sort()).toEqual(["federation-deploy.yml:deploy", "federation-review.yml:pulumi-preview"]);
  });

  it("no secret is referenced outside a job gated by an environment (the preview's secrets are environment secrets only)", () => {
    for (const file of files) {
      const { jobs, ...rest } = workflow(file);
      expect(JSON.stringify(rest), `${file}: outside jobs`).not.toContain("secrets.");
      for (const [name, job] of Object.entries(jobs as Record<string, Job>)) {
        if (!job.environment) expect(JSON.stringify(job), `${file}: job ${name}`).not.toMatch(/secrets\.|secrets\[/);
      }
    }
    expect(JSON.stringify(preview())).toContain("secrets.OKTA_API_PRIVATE_KEY");
  });

  it("runs only for pull requests from this repository, after the review, with the environment's reviewers", () => {
    const job = preview();
    expect(job.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(job.if).toMatch(/^!cancelled\(\) && needs\.stacks\.result == 'success'/);
    expect(job.needs).toEqual(["stacks", "trust-review"]);
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    expect(readFileSync(join(PROJECT_ROOT, "docs", "pull-requests.md"), "utf8")).toContain("Required reviewers");
  });

  it("every secret and variable the preview reads is set up in docs/pull-requests.md", () => {
    const guide = readFileSync(join(PROJECT_ROOT, "docs", "pull-requests.md"), "utf8");
    const text = JSON.stringify(preview());
    const names = [...text.matchAll(/\b(secrets|vars)\.([A-Z0-9_]+)/g)].map((m) => m[2]!);
    expect(new Set(names).size).toBeGreaterThan(8);
    for (const name of new Set(names)) expect(guide, name).toContain(`\`${name}\``);
  });

  it("azure-native logs in with the OIDC token: ARM_USE_OIDC with the environment's client, tenant and subscription", () => {
    const step = steps(preview()).find((s) => String(s.uses).startsWith("pulumi/actions@"))!;
    expect(step.env).toMatchObject({
      ARM_USE_OIDC: "true",
      ARM_CLIENT_ID: "${{ vars.AZURE_CLIENT_ID }}",
      ARM_TENANT_ID: "${{ vars.AZURE_TENANT_ID }}",
      ARM_SUBSCRIPTION_ID: "${{ vars.AZURE_SUBSCRIPTION_ID }}",
    });
  });

  it("the preview runs the policy pack in policy/ (input policyPacks of the pinned pulumi/actions)", () => {
    const step = steps(preview()).find((s) => String(s.uses).startsWith("pulumi/actions@"))!;
    expect(step.uses).toBe(PULUMI_ACTIONS);
    expect(step.with.command).toBe("preview");
    expect(step.with.policyPacks).toBe("${{ github.workspace }}/policy");
    expect(existsSync(join(PROJECT_ROOT, "policy", "PulumiPolicy.yaml"))).toBe(true);
    expect(workflowText("federation-review.yml")).toContain("pulumi/actions 8e5e406f4007fca908480587cb9893c07090f58d action.yml (`policyPacks`");
  });
});

describe("the deploy workflow: pulumi up per stack, in the stack's environment", () => {
  const deploy = () => workflow("federation-deploy.yml");
  const job = () => deploy().jobs.deploy as Job;
  const run = (pattern: RegExp) => steps(job()).find((s) => pattern.test(String(s.run ?? "")))!;

  it("runs on a push to the default branch (or by hand), never for a pull request", () => {
    expect(deploy().on).toEqual({ push: { branches: ["main"] }, workflow_dispatch: null });
    expect(deploy().permissions).toEqual({ contents: "read" });
  });

  it("deploys each stack of the pushed commit in the environment named after it, one run per stack at a time", () => {
    const stacksJob = deploy().jobs.stacks as Job;
    expect(checkouts(stacksJob).map((s) => s.with)).toEqual([{ path: "trusted", "sparse-checkout": "stacks", "persist-credentials": false }]);
    // The same listing as the preview's (tested below on real directories).
    expect(steps(stacksJob).find((s) => s.id === "list")!.run).toBe(steps(review().jobs.stacks as Job).find((s) => s.id === "list")!.run.replace("not previewed", "not deployed").replace("stacks to preview", "stacks to deploy"));
    const j = job();
    expect(j.needs).toEqual(["stacks"]);
    expect(j.environment).toBe("${{ matrix.stack }}");
    expect(j.strategy.matrix.stack).toBe("${{ fromJSON(needs.stacks.outputs.stacks) }}");
    expect(j.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect((j as any).concurrency).toEqual({ group: "federation-deploy-${{ matrix.stack }}", "cancel-in-progress": false });
  });

  it("plans and proves the trust offline first, then runs pulumi up --yes with the policy pack, on Node 22", () => {
    expect(steps(job()).find((s) => String(s.uses).startsWith("actions/setup-node@"))!.with["node-version"]).toBe(22);
    expect(run(/npm run -s verify/).run).toContain('npm run -s verify -- --stack "$STACK"');
    const up = run(/pulumi up/);
    expect(up.run).toContain('pulumi up --yes --stack "$stack" --policy-pack policy');
    expect(existsSync(join(PROJECT_ROOT, "policy", "PulumiPolicy.yaml"))).toBe(true);
    const names = steps(job()).map((s) => s.name ?? s.uses ?? s.run);
    expect(names.indexOf(run(/npm run -s verify/).name)).toBeLessThan(names.indexOf("AWS credentials (OIDC; the deployer role trusts only this environment's subject)"));
    // Without `command`, the pinned pulumi/actions only installs the CLI.
    const install = steps(job()).find((s) => String(s.uses).startsWith("pulumi/actions@"))!;
    expect(install.uses).toBe(PULUMI_ACTIONS);
    expect(install.with).toBeUndefined();
  });

  it("the Okta API token comes from the environment's secret; azure-native gets its client, tenant and subscription", () => {
    expect(run(/pulumi up/).env).toMatchObject({
      OKTA_API_TOKEN: "${{ secrets.OKTA_API_TOKEN }}",
      ARM_USE_OIDC: "true",
      ARM_CLIENT_ID: "${{ vars.AZURE_CLIENT_ID }}",
      ARM_TENANT_ID: "${{ vars.AZURE_TENANT_ID }}",
      ARM_SUBSCRIPTION_ID: "${{ vars.AZURE_SUBSCRIPTION_ID }}",
    });
  });

  it("every secret and variable the deploy reads is set up in docs/production.md, with each cloud's trust pinned to the environment's subject", () => {
    const guide = readFileSync(join(PROJECT_ROOT, "docs", "production.md"), "utf8");
    const names = [...JSON.stringify(job()).matchAll(/\b(secrets|vars)\.([A-Z0-9_]+)/g)].map((m) => m[2]!);
    expect(new Set(names).size).toBeGreaterThan(8);
    for (const name of new Set(names)) expect(guide, name).toContain(`\`${name}\``);
    expect(guide).toContain('"token.actions.githubusercontent.com:sub": "repo:OWNER/REPO:environment:prod"');
    expect(guide).toContain("--attribute-condition=\"assertion.sub == 'repo:OWNER/REPO:environment:prod'\"");
    expect(guide).toContain("--subject repo:OWNER/REPO:environment:prod");
    expect(guide).toContain("Required reviewers");
  });
});

describe("the stacks to preview, computed from the base's stacks/", () => {
  const stacksJob = () => review().jobs.stacks as Job;

  /** Runs the job's listing step as the runner runs a `run:` step (`bash --noprofile --norc -eo pipefail {0}`), in a workspace holding `trusted/stacks`. */
  function listStacks(populate: (stacks: string) => void): { output: string; stdout: string } {
    const work = mkdtempSync(join(tmpdir(), "preview-stacks-"));
    const stacks = join(work, "trusted", "stacks");
    mkdirSync(stacks, { recursive: true });
    populate(stacks);
    const output = join(work, "github-output");
    writeFileSync(output, "");
    const step = steps(stacksJob()).find((s) => s.id === "list")!;
    const script = join(work, "step.sh");
    writeFileSync(script, step.run);
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], { cwd: work, env: { PATH: process.env.PATH, GITHUB_OUTPUT: output }, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    return { output: readFileSync(output, "utf8"), stdout: result.stdout };
  }

  it("the matrix is the JSON list of the stacks job, which checks out the base's stack files", () => {
    const job = stacksJob();
    expect(checkouts(job).map((s) => s.with)).toEqual([
      { ref: "${{ github.event.pull_request.base.sha }}", path: "trusted", "sparse-checkout": "stacks", "persist-credentials": false },
    ]);
    expect(job.outputs).toEqual({ stacks: "${{ steps.list.outputs.stacks }}" });
    const preview = review().jobs["pulumi-preview"] as Job;
    expect(preview.strategy.matrix).toEqual({ stack: "${{ fromJSON(needs.stacks.outputs.stacks) }}" });
    expect(preview.if).toContain("needs.stacks.outputs.stacks != '[]'");
    expect(workflowText("federation-review.yml")).not.toMatch(/stack:\s*\[/);
  });

  it("lists each regular Pulumi.<stack>.yaml, and nothing else", () => {
    const { output, stdout } = listStacks((stacks) => {
      for (const name of ["Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.eu-west_1.v2.yaml", "Pulumi.bad name.yaml", "Pulumi.x$(id).yaml", "notes.md", "Pulumi.dev.yml", "program.ts"]) {
        writeFileSync(join(stacks, name), "config: {}\n");
      }
      symlinkSync("/etc/passwd", join(stacks, "Pulumi.link.yaml"));
      mkdirSync(join(stacks, "Pulumi.folder.yaml"));
    });
    expect(output).toBe('stacks=["dev","eu-west_1.v2","prod"]\n');
    expect(stdout).toContain("::warning::not previewed: trusted/stacks/Pulumi.bad name.yaml");
    expect(stdout).toContain("::warning::not previewed: trusted/stacks/Pulumi.link.yaml");
    expect(stdout).toContain("::warning::not previewed: trusted/stacks/Pulumi.folder.yaml");
  });

  it("an empty list when the base has no stack file (the preview is then skipped)", () => {
    expect(listStacks(() => {}).output).toBe("stacks=[]\n");
  });
});

describe("the policy pack, started as the Pulumi CLI starts it", () => {
  // pulumi/pulumi 1b5949891b3cefcb9974752b24a5ecef0acc86c8, sdk/nodejs/cmd/pulumi-language-nodejs/main.go
  // (RunPlugin, kind analyzer): node <@pulumi/pulumi/cmd/run-policy-pack, resolved from the pack's
  // folder> <runtime options.nodeargs...> <engine address> <pack folder>, in the pack's folder. The
  // pack is ready when it prints its gRPC port.
  it("loads policy/ and serves (ts-node type-checks it with policy/tsconfig.json)", async () => {
    const pack = join(PROJECT_ROOT, "policy");
    const project = parse(readFileSync(join(pack, "PulumiPolicy.yaml"), "utf8"));
    expect(project.runtime === "nodejs" || project.runtime?.name === "nodejs").toBe(true);
    const nodeargs = String(project.runtime?.options?.nodeargs ?? "").split(/\s+/).filter(Boolean);
    const runPolicyPack = createRequire(join(pack, "index.ts")).resolve("@pulumi/pulumi/cmd/run-policy-pack");
    const { NODE_OPTIONS: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, [runPolicyPack, ...nodeargs, "127.0.0.1:1", pack], { cwd: pack, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const outcome = await new Promise<string>((done) => {
      child.stdout.on("data", (d) => {
        stdout += d;
        if (/^\d+\s*$/m.test(stdout)) done("serving");
      });
      child.on("exit", (code) => done(`exited with ${code}`));
    });
    child.kill();
    expect(outcome, stderr).toBe("serving");
  });
});

describe("the set-up guide and the docs that link it", () => {
  it("docs/pull-requests.md gives each cloud's trust pinned to the environment's subject, and is linked from verify.md and the README", () => {
    const guide = readFileSync(join(PROJECT_ROOT, "docs", "pull-requests.md"), "utf8");
    expect(guide).toContain('"token.actions.githubusercontent.com:sub": "repo:OWNER/REPO:environment:preview-dev"');
    expect(guide).toContain("--attribute-condition=\"assertion.sub == 'repo:OWNER/REPO:environment:preview-dev'\"");
    expect(guide).toContain("--subject repo:OWNER/REPO:environment:preview-dev");
    expect(guide).toContain("repo:OWNER/REPO:pull_request");
    expect(readFileSync(join(PROJECT_ROOT, "docs", "verify.md"), "utf8")).toContain("](pull-requests.md)");
    expect(readFileSync(join(PROJECT_ROOT, "README.md"), "utf8")).toContain("](docs/pull-requests.md)");
  });

  it.each(["README.md", "docs/verify.md", "docs/pull-requests.md", "docs/guardrails.md", "docs/sandbox.md", "docs/production.md", "docs/sources.md", "docs/credentials.md"])("every relative link of %s resolves inside the repository", (file) => {
    const text = readFileSync(join(PROJECT_ROOT, file), "utf8").replace(/```[\s\S]*?```/g, "");
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/i.test(l) && !l.startsWith("#"));
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      const target = resolve(dirname(join(PROJECT_ROOT, file)), decodeURIComponent(link.split("#")[0]!));
      expect(target.startsWith(PROJECT_ROOT + "/"), `${file}: ${link}`).toBe(true);
      expect(existsSync(target), `${file}: ${link}`).toBe(true);
    }
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

describe("the workflow validator itself", () => {
  it("rejects a broken workflow (so the checks above can fail)", () => {
    const state = validateWorkflow("name: x\non: pull_request\njobs:\n  a:\n    steps: 5\n");
    expect(state.errors.length).toBeGreaterThan(0);
  });
});
