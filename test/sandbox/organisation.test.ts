/**
 * The sandbox over the organisation layout: a team stack runs with its platform's server, scopes,
 * OIDC providers and pool (from the platform planned beside it); a platform stack alone has no
 * services to run.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../tools/sandbox";
import { runCli } from "../helpers/cli";
import { fixturePath } from "../helpers/stacks";

describe("npm run sandbox on platform and team stacks", () => {
  it("runs a team stack's services against the platform's trust: every exchange as planned", async () => {
    const { code, stdout } = await runCli(main, "--stack-file", fixturePath("team-payments-stage"), "--quiet");
    expect(stdout.trim().split("\n").pop()).toBe("sandbox: 6 exchanges allowed as planned, 22 denied as planned, 0 unexpected");
    expect(code).toBe(0);
  });

  it("says a platform stack has no services of its own", async () => {
    const { code, stdout } = await runCli(main, "--stack-file", fixturePath("platform-stage"));
    expect(stdout).toBe(
      "sandbox: platform stack platform-stage has no services of its own; run the sandbox on its team stacks (each runs with this platform's server, providers and pool)\n",
    );
    expect(code).toBe(0);
  });
});
