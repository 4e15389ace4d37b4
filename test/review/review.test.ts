/**
 * npm run review on synthetic pull requests (dev/review/scenarios.ts): this checkout's code with the
 * fixture dev stack as the base, and heads changed as pull requests change them. In-process, as
 * the command runs; the PR's own code runs in a child process, as it does for real.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { buildBase, buildHead, SCENARIOS, SYMLINK_SECRET, type Scenario } from "../../dev/review/scenarios";
import { main as review } from "../../tools/review";
import { runCli } from "../helpers/cli";

let root: string;
let base: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "review-test-"));
  base = buildBase(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const scenario = (name: string): Scenario => SCENARIOS.find((s) => s.name === name)!;
const headOf = (name: string) => buildHead(base, scenario(name));
/** A head changed by `change`, a copy of the base. */
function headWith(name: string, change: (head: string) => void): string {
  const head = join(root, `custom-${name}`);
  cpSync(base, head, { recursive: true });
  change(head);
  return head;
}

describe("npm run review: the synthetic pull requests", () => {
  for (const s of SCENARIOS) {
    it(`${s.name}: ${s.description}`, async () => {
      const { code, stdout, stderr } = await runCli(review, "--base", base, "--head", headOf(s.name), "--markdown");
      expect(stderr).toBe("");
      for (const text of s.contains) expect(stdout).toContain(text);
      for (const text of s.lacks) expect(stdout).not.toContain(text);
      expect(code).toBe(s.exit);
    });
  }
});

describe("npm run review: what each review says", () => {
  it("a stack file renamed: both stacks say the new one holds the old one's names, and that pulumi stack rename keeps every identity", async () => {
    const head = headWith("renamed-stack", (h) => renameSync(join(h, "stacks", "Pulumi.dev.yaml"), join(h, "stacks", "Pulumi.development.yaml")));
    const { code, stdout } = await runCli(review, "--base", base, "--head", head, "--json");
    expect(code).toBe(0);
    const notes = Object.fromEntries(JSON.parse(stdout).stacks.map((s: { stack: string; status: string; notes: string[] }) => [s.stack, [s.status, s.notes]]));
    expect(notes).toEqual({
      dev: ["removed", ["stack development, which this pull request adds, holds 10 of its names: if it is this stack renamed, rename the stack (pulumi stack rename development) rather than destroy it, and every identity is kept"]],
      development: [
        "passed",
        [
          "10 of its names are held by stack dev, whose stack file this pull request removes (AWS role name dev-billing-export in AWS account 111111111111; AWS role name dev-payments in AWS account 111111111111; " +
            "Azure identity name id-dev-billing-export in Azure resource group /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/identities-dev; " +
            "Azure identity name id-dev-payments in Azure resource group /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/identities-dev; GCP pool okta-dev in GCP project acme-dev-example; and 5 more): " +
            "if this stack is dev renamed, rename it before its first pulumi up (select dev, then pulumi stack rename development: Pulumi rewrites the stack name in every URN of the state, so every identity is kept); " +
            "if not, dev keeps them until it is destroyed, and this stack's first pulumi up fails at the first of the 7 a cloud holds once",
        ],
      ],
    });
  });

  it("a new stack is reviewed against an empty base: every service and every grant added, PowerUserAccess risky", async () => {
    const { code, stdout } = await runCli(review, "--base", base, "--head", headOf("new-stack"), "--json");
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.verdict).toBe("passed");
    const staging = doc.stacks.find((s: { stack: string }) => s.stack === "staging");
    expect(staging).toMatchObject({ status: "passed", isNew: true });
    expect(staging.changes.filter((c: { kind: string }) => c.kind === "service-added").map((c: { service: string }) => c.service)).toEqual(["billing-export", "payments", "reporting"]);
    expect(staging.changes.find((c: { message: string }) => c.message.includes("PowerUserAccess"))).toEqual({
      kind: "grant-added",
      service: "payments",
      target: "aws-role:payments",
      message: "payments: AWS policy PowerUserAccess (arn:aws:iam::aws:policy/PowerUserAccess) attached to AWS role payments",
      risk: "broad: allows every action except IAM and Organizations management; unjudged: allows sts:AssumeRole on *: assumes roles where a role's trust policy admits it; the stack's roles admit only the Okta issuer's tokens, other roles of the account the kit cannot see (what they may do, whom they trust)",
    });
    expect(doc.stacks.find((s: { stack: string }) => s.stack === "dev")).toMatchObject({ status: "passed", isNew: false, changes: [] });
  });

  it("services that take a quota past 80 % of its default: a note on the stack, with how to raise it; the verdict unchanged", async () => {
    const head = headWith("quota", (h) => {
      const file = join(h, "stacks", "Pulumi.dev.yaml");
      const doc = parseDocument(readFileSync(file, "utf8"));
      // 80 more GCP service accounts beside payments' one: 81 in the project, of a default quota of 100.
      for (let i = 1; i <= 80; i++) {
        doc.setIn(["config", "okta-federation:federation", "services", `batch-${String(i).padStart(2, "0")}`], doc.createNode({
          description: `Batch job ${i}`,
          scopes: ["api.read"],
          auth: { method: "client_secret_basic" },
          gcp: { serviceAccount: true, roles: ["roles/bigquery.dataViewer"] },
        }));
      }
      writeFileSync(file, doc.toString());
    });
    const { code, stdout } = await runCli(review, "--base", base, "--head", head, "--json");
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.verdict).toBe("passed");
    const dev = doc.stacks.find((s: { stack: string }) => s.stack === "dev");
    expect(dev.notes).toEqual([
      "its next `pulumi up` meets a quota: GCP project acme-dev-example: service accounts: 81 of 100 (default quota) (advisory: the project's other service accounts count too: " +
        'request a higher "Number of service accounts" quota for acme-dev-example in the Google Cloud console (IAM & Admin > Quotas; cloud.google.com/iam/quotas), use direct grants (serviceAccount: false), or split the services over projects)',
    ]);
  });

  it("a removed stack file shows what the stack holds, as lost", async () => {
    const head = headWith("removed", (h) => unlinkSync(join(h, "stacks", "Pulumi.dev.yaml")));
    const { code, stdout } = await runCli(review, "--base", base, "--head", head, "--json");
    const dev = JSON.parse(stdout).stacks[0];
    expect(dev.status).toBe("removed");
    expect(dev.changes.map((c: { message: string }) => c.message)).toContain(
      "service reporting removed: it loses GCP direct grants reporting, with GCP role roles/bigquery.dataViewer on project acme-dev-example; GCP role roles/bigquery.jobUser on project acme-dev-example",
    );
    expect(code).toBe(0);
  });

  it("a stack that does not plan fails the review with its config errors, and the comment says pulumi up would stop", async () => {
    const { code, stdout } = await runCli(review, "--base", base, "--head", headOf("invalid-stack"), "--json");
    expect(code).toBe(1);
    const doc = JSON.parse(stdout);
    expect(doc.verdict).toBe("failed");
    expect(doc.stacks[0].status).toBe("invalid");
    expect(doc.stacks[0].errors[0]).toBe("invalid config okta-federation:federation: 1 problem");
    expect(doc.stacks[0].errors[1]).toMatch(/^services\.reporting\.gcp\.roles\[2\]: roles\/editor on project acme-dev-example holds iam\.serviceAccountKeys\.create \(creates keys for every service account in the project\)/);
  });

  it("a code-only change needs code review, names the file, and shows AdministratorAccess as the PR's own code plans it", async () => {
    const { code, stdout } = await runCli(review, "--base", base, "--head", headOf("code-only"), "--json");
    expect(code).toBe(1);
    const doc = JSON.parse(stdout);
    expect(doc.verdict).toBe("needs code review");
    expect(doc.judgedBy).toBe("base");
    expect(doc.codeChanges).toEqual([{ path: "stacks/program.ts", change: "modified", meaning: "the stack program: what pulumi up creates for every stack", affectsDeploy: true }]);
    expect(doc.stacks[0]).toMatchObject({ stack: "dev", status: "passed", changes: [] });
    expect(doc.prCode.source).toBe("ran here");
    expect(doc.prCode.stacks[0].status).toBe("failed");
    expect(doc.prCode.stacks[0].changes).toEqual([
      {
        kind: "grant-added",
        service: "payments",
        target: "aws-role:payments",
        message: "payments: AWS policy AdministratorAccess (arn:aws:iam::aws:policy/AdministratorAccess) attached to AWS role payments",
        risk: "identity admin: allows iam:UpdateAssumeRolePolicy on *: rewrites the trust policy of the stack's roles (path /oktafed/); could take over AWS role billing-export",
      },
    ]);
  });

  it("--no-pr-code never runs the head's code and still needs code review; --save-pr-code-plans and --pr-code-plans carry the PR's plans", async () => {
    const head = headOf("code-only");
    const skipped = await runCli(review, "--base", base, "--head", head, "--markdown", "--no-pr-code");
    expect(skipped.code).toBe(1);
    expect(skipped.stdout).toContain("⚠️ needs code review");
    expect(skipped.stdout).toContain("The PR's own code was not run here \\(--no-pr-code\\)");
    expect(skipped.stdout).not.toContain("AdministratorAccess");
    const plans = join(root, "pr-code-plans");
    await runCli(review, "--base", base, "--head", head, "--json", "--save-pr-code-plans", plans);
    expect(JSON.parse(readFileSync(join(plans, "dev.json"), "utf8")).kind).toBe("okta-federation/offline-plan");
    const read = await runCli(review, "--base", base, "--head", head, "--markdown", "--pr-code-plans", plans);
    expect(read.stdout).toContain("Computed by the PR's own code in the unprivileged job and read here as data \\(untrusted");
    expect(read.stdout).toContain("AdministratorAccess");
    // A forged file is data: it is said to be no plan, never believed.
    writeFileSync(join(plans, "dev.json"), JSON.stringify({ kind: "okta-federation/offline-plan", stack: "prod", resources: [] }));
    const forged = JSON.parse((await runCli(review, "--base", base, "--head", head, "--json", "--pr-code-plans", plans)).stdout);
    expect(forged.prCode.stacks[0]).toEqual({ stack: "dev", status: "invalid", errors: ["the file given as the PR code's plan of stack dev is not an offline plan of that stack"], changes: [] });
    // A hostile one is refused by the input limits before anything walks it.
    writeFileSync(join(plans, "dev.json"), `${'{"a":'.repeat(200_000)}1${"}".repeat(200_000)}`);
    const deep = JSON.parse((await runCli(review, "--base", base, "--head", head, "--json", "--pr-code-plans", plans)).stdout);
    expect(deep.prCode.stacks[0].errors).toEqual(["the PR code's plan of stack dev is nested 200000 levels deep (at most 256): not an offline plan"]);
  });

  it("a project file change is named with what each field means; a stackConfigDir outside the repository fails", async () => {
    const head = headWith("project", (h) => {
      const file = join(h, "Pulumi.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("main: stacks/index.ts", "main: evil.ts").replace("stackConfigDir: stacks", "stackConfigDir: ../outside"));
    });
    const { code, stdout } = await runCli(review, "--base", base, "--head", head, "--json", "--no-pr-code");
    expect(code).toBe(1);
    const doc = JSON.parse(stdout);
    expect(doc.problems).toEqual(['head: Pulumi.yaml: stackConfigDir "../outside" is outside the repository']);
    expect(doc.codeChanges[0].path).toBe("Pulumi.yaml");
    expect(doc.codeChanges[0].details).toEqual([
      'main "stacks/index.ts" → "evil.ts": pulumi up runs another program',
      'stackConfigDir "stacks" → "../outside": pulumi up reads the stack files from another folder',
    ]);
  });

  it("documentation-only changes do not need code review", async () => {
    const head = headWith("docs", (h) => writeFileSync(join(h, "docs", "notes.md"), "# notes\n"));
    const { code, stdout } = await runCli(review, "--base", base, "--head", head, "--markdown");
    expect(code).toBe(0);
    expect(stdout).toContain("## Okta federation access review: ✅ passed");
    expect(stdout).toContain("Also changed, not run by `pulumi up` (1): `docs/notes.md` (documentation).");
  });

  it("a symlinked stack file is refused without reading it: neither its target nor its content is printed, in any form", async () => {
    const head = headOf("symlink-stack");
    for (const form of ["--markdown", "--json"]) {
      const { stdout, stderr } = await runCli(review, "--base", base, "--head", head, form);
      expect(`${stdout}${stderr}`).not.toContain(SYMLINK_SECRET);
      expect(`${stdout}${stderr}`).not.toContain("outside-secret");
    }
  });

  it("reads git refs: base and head as commits of a repository", async () => {
    const repo = join(root, "repo");
    cpSync(base, repo, { recursive: true });
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: repo }).toString().trim();
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "-m", "base");
    const file = join(repo, "stacks", "Pulumi.dev.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("roles/bigquery.jobUser]", "roles/bigquery.jobUser, projects/acme-dev-example/roles/tokenMinter]"));
    git("commit", "-q", "-am", "head");
    const { code, stdout } = await runCli(review, "--repo", repo, "--base", "HEAD~1", "--head", "HEAD", "--json");
    const doc = JSON.parse(stdout);
    expect(doc.base.commit).toBe(git("rev-parse", "HEAD~1"));
    expect(doc.head.commit).toBe(git("rev-parse", "HEAD"));
    expect(doc.codeChanges).toEqual([]);
    expect(doc.stacks[0].changes.find((c: { message: string }) => c.message.includes("tokenMinter")).risk).toBe(
      "unjudged: a custom role: its permissions are defined outside the stack, so the kit cannot tell what it allows (minting tokens or setting IAM policies included)",
    );
    expect(code).toBe(0);
  });

  it("usage errors and trees that cannot be opened exit 2 with one line", async () => {
    expect(await runCli(review, "--head", base)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: --base and --head are required\n/) });
    expect(await runCli(review, "--base", base, "--head", base, "--markdown", "--json")).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: choose one of --markdown and --json\n/) });
    const missing = await runCli(review, "--repo", base, "--base", "no-such-ref", "--head", base);
    expect(missing).toMatchObject({ code: 2, stderr: `error: no-such-ref is neither a folder nor a git ref of ${base}\n` });
  });
});

describe("tree reading", () => {
  it("refuses a stack file larger than the limit before reading it", async () => {
    const head = headWith("huge", (h) => writeFileSync(join(h, "stacks", "Pulumi.huge.yaml"), Buffer.alloc(4 * 1024 * 1024 + 1, 0x20)));
    const doc = JSON.parse((await runCli(review, "--base", base, "--head", head, "--json")).stdout);
    expect(doc.stacks.find((s: { stack: string }) => s.stack === "huge")).toMatchObject({
      status: "refused",
      errors: ["stacks/Pulumi.huge.yaml is 4194305 bytes (at most 4194304 bytes, 4 MiB): not a stack file"],
    });
  });

  it("lists a symbolic link as a link and refuses to read it", async () => {
    const { folderTree, TreeReadError } = await import("../../tools/review/tree");
    const dir = join(root, "tree");
    mkdirSync(join(dir, "stacks"), { recursive: true });
    writeFileSync(join(dir, "target.yaml"), "secret: 1\n");
    execFileSync("ln", ["-s", join(dir, "target.yaml"), join(dir, "stacks", "Pulumi.x.yaml")]);
    const tree = folderTree(dir);
    expect(tree.entries.get("stacks/Pulumi.x.yaml")?.kind).toBe("symlink");
    expect(() => tree.read("stacks/Pulumi.x.yaml")).toThrow(TreeReadError);
    expect(() => tree.read("stacks/Pulumi.x.yaml")).toThrow("stacks/Pulumi.x.yaml is a symbolic link, not a regular file");
    void dirname;
  });
});
