/**
 * The stacks in stacks/ belong to the user: they edit them per environment and add their own. The
 * kit checks each one generically (test/helpers/stackChecks.ts), never its contents, so any number
 * of valid stacks pass. The kit's own behaviour is tested on fixtures (test/fixtures/stacks).
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, listStacks, loadStack } from "../../tools/offline/stackFile";
import { jwtAuth } from "../helpers/fixtures";
import { stackProblems } from "../helpers/stackChecks";
import { fixtureText } from "../helpers/stacks";

describe("every stack in stacks/", () => {
  it("there is at least one", () => {
    expect(listStacks().length).toBeGreaterThan(0);
  });

  it.each(listStacks())("%s plans, verifies, keeps its secrets and keeps its URNs when reordered", async (stack) => {
    expect(await stackProblems(loadStack(stack))).toEqual([]);
  });
});

/** A project folder like a user's fork: Pulumi.yaml and a stacks/ folder with the given files. */
function projectWith(stacks: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "oktafed-fork-"));
  copyFileSync(join(PROJECT_ROOT, "Pulumi.yaml"), join(root, "Pulumi.yaml"));
  mkdirSync(join(root, "stacks"));
  for (const [name, text] of Object.entries(stacks)) writeFileSync(join(root, "stacks", `Pulumi.${name}.yaml`), text);
  return root;
}

/** The dev fixture, edited the way its comments tell a user to: their org, accounts, a new service. */
function edited(change: (federation: any) => void, account = "111111111111"): string {
  // The account id is in the account's own policy ARNs too: a user replaces it everywhere.
  const doc = parse(fixtureText("dev").replaceAll("111111111111", account));
  change(doc.config["okta-federation:federation"]);
  return stringify(doc);
}

describe("the generic checks, on a user's edited and added stacks", () => {
  it("an edited dev and a copied, edited staging both pass", async () => {
    const root = projectWith({
      dev: edited((f) => {
        f.okta.orgName = "globex-dev";
        f.services.search = { scopes: Object.keys(f.okta.scopes).slice(0, 1), auth: jwtAuth("search-1"), aws: { policies: { read: "arn:aws:iam::aws:policy/ReadOnlyAccess" } } };
      }, "222222222222"),
      staging: edited((f) => {
        f.environment = "staging";
        f.okta.orgName = "globex-staging";
        f.okta.authorizationServer = { ...f.okta.authorizationServer, name: "services-staging", audience: "api://services-staging" };
        f.gcp.poolId = "okta-staging";
        delete f.services[Object.keys(f.services)[0]!];
      }),
    });
    expect(listStacks(root)).toEqual(["dev", "staging"]);
    for (const stack of listStacks(root)) expect(await stackProblems(loadStack(stack, root)), stack).toEqual([]);
  });

  it("they find a hook secret kept in plaintext (so they can fail)", async () => {
    const text = fixtureText("dev").replace(/okta-federation:tokenHookAuthorization:\n\s+secure: \S+/, "okta-federation:tokenHookAuthorization: Bearer plaintext");
    expect(text).toContain("Bearer plaintext");
    const root = projectWith({ dev: text });
    expect(await stackProblems(loadStack("dev", root))).toEqual([`okta-federation:tokenHookAuthorization is in plaintext in ${join(root, "stacks", "Pulumi.dev.yaml")}: set it with pulumi config set --secret`]);
  });

  it("they report a stack that does not plan, with the config problem", async () => {
    const root = projectWith({ qa: edited((f) => (f.services[Object.keys(f.services)[0]!].scopes = ["no.such.scope"])) });
    const problems = await stackProblems(loadStack("qa", root));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^does not plan: invalid config okta-federation:federation: 1 problem\n {2}- services\.[a-z-]+\.scopes\[0\]: /);
  });
});
