/**
 * npm run new-env: a new environment's stack starts from another's structure, with every value of
 * the source environment marked to fill in, and the plan refuses it until each is filled.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { FILL_IN_MARK, fillIn } from "../../components/internal/fillIn";
import { parseFederationConfig, type ConfigProblem, type FederationConfigError } from "../../components/config";
import { ProgramError } from "../../tools/offline/engine";
import { planStack } from "../../tools/offline/plan";
import { loadStack } from "../../tools/offline/stackFile";
import { HOOK_SECRET_PLACEHOLDER, newEnvironmentStack } from "../../tools/new-env";
import { baseConfig, jwtAuth } from "../helpers/fixtures";
import { stackProblems } from "../helpers/stackChecks";
import { fixtureText } from "../helpers/stacks";
import { projectWith, runNewEnv, strings } from "../helpers/newEnv";

const project = () => projectWith(["dev", "prod", "multi"]);
const run = runNewEnv;

describe("npm run new-env", () => {
  it("keeps the structure, marks every value of the source environment, drops its secrets", async () => {
    const root = project();
    const { code, stdout, stderr } = await run(root, "staging", "--from", "dev");
    expect([code, stderr]).toEqual([0, ""]);
    const text = readFileSync(join(root, "stacks", "Pulumi.staging.yaml"), "utf8");
    const federation = parse(text).config["okta-federation:federation"];
    const source = parse(fixtureText("dev")).config["okta-federation:federation"];
    expect(federation.environment).toBe("staging");
    // Nothing that identifies dev survives outside a marked text.
    const devValues = [source.okta.orgName, source.okta.authorizationServer.audience, source.aws.accountId, source.gcp.project, source.gcp.poolId, source.azure.subscriptionId, source.azure.resourceGroup];
    for (const value of strings(federation).filter((s) => !s.startsWith(FILL_IN_MARK))) {
      for (const dev of devValues) expect(value, value).not.toContain(dev);
      expect(value, value).not.toMatch(/(^|[^a-z0-9])dev($|[^a-z0-9])/i);
    }
    // Every service's keys are to be made anew.
    for (const [key, service] of Object.entries<any>(federation.services)) {
      if (source.services[key].auth.jwks) expect(service.auth.jwks).toBe(`${FILL_IN_MARK}: this environment's public key of ${key}: run npx okta-federation keygen --service ${key}, paste its jwks here`);
    }
    // What is not environment-specific stays as it was.
    expect(federation.okta.scopes).toEqual(source.okta.scopes);
    expect(Object.keys(federation.services)).toEqual(Object.keys(source.services));
    expect(federation.services.payments.aws.policies["s3-read"]).toBe(source.services.payments.aws.policies["s3-read"]);
    expect(federation.aws.region).toBe(source.aws.region);
    // Every value to fill in is marked, the Okta domain included.
    expect(federation.okta.baseUrl).toBe(`${FILL_IN_MARK}: the Okta domain of this environment's org (okta.com, oktapreview.com, okta-emea.com, …) for staging (dev has "oktapreview.com")`);
    // The secure value is not copied: the hook's secret holds a marked placeholder, and the command
    // says how to set the real one.
    const source_secret = parse(fixtureText("dev")).config["okta-federation:tokenHookAuthorization"].secure;
    expect(text).not.toContain(source_secret);
    expect(parse(text).config["okta-federation:tokenHookAuthorization"]).toEqual({ secure: HOOK_SECRET_PLACEHOLDER });
    expect(HOOK_SECRET_PLACEHOLDER.startsWith(`${FILL_IN_MARK}: placeholder, not a secret`)).toBe(true);
    expect(text).toContain('  #   pulumi config set --secret okta-federation:tokenHookAuthorization "Bearer <token>" --stack staging\n');
    expect(stdout).toContain("pulumi config set --secret okta-federation:tokenHookAuthorization <value> --stack staging\n");
    expect(stdout).toContain(`okta-federation:tokenHookAuthorization holds a marked placeholder (secure: "${HOOK_SECRET_PLACEHOLDER}") so that the stack plans\n`);
    // Its own header, not the source's.
    expect(text.split("\n")[0]).toBe("# Environment staging: stack config of okta-federation (docs/config.md). Started from dev's structure");
    expect(text).not.toContain("Example development environment");
    // Below the header (which names where the structure came from), no comment speaks of dev.
    for (const comment of text.slice(text.indexOf("\n\n")).split("\n").filter((l) => l.trim().startsWith("#"))) expect(comment, comment).not.toMatch(/(^|[^a-z0-9])dev($|[^a-z0-9])/i);
    expect(stdout.split("\n")[0]).toMatch(/^wrote stacks\/Pulumi\.staging\.yaml from dev: \d+ values to fill in \(marked TODO\(new-env\)\):$/);
    expect(stdout).toContain("  - okta-federation:federation.okta.orgName\n");
  });

  it("the plan refuses the new stack, naming every value to fill in", async () => {
    const root = project();
    await run(root, "staging", "--from", "dev");
    const error = await planStack(loadStack("staging", root)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ProgramError);
    expect((error as ProgramError).resources).toEqual([]);
    const message = (error as Error).message;
    expect(message).toContain('  - okta.orgName: still to fill in: the Okta org (e.g. acme for acme.okta.com) for staging (dev has "acme-dev-example"); written by npm run new-env');
    expect(message).toContain("  - services.payments.auth.jwks: still to fill in: this environment's public key of payments: run npx okta-federation keygen --service payments, paste its jwks here; written by npm run new-env");
    // Only the values to fill in: no second complaint about the same value.
    for (const line of message.split("\n").slice(1)) expect(line).toContain("still to fill in");
  });

  it("a value still to fill in does not hide the config's other mistakes", () => {
    const config = baseConfig();
    config.okta.orgName = fillIn("the Okta org for staging");
    config.services.payments.scopes = ["api.read", "no.such.scope"];
    let problems: readonly ConfigProblem[] = [];
    try {
      parseFederationConfig(config);
    } catch (error) {
      problems = (error as FederationConfigError).problems;
    }
    expect(problems.map((p) => p.path)).toEqual(["okta.orgName", "services.payments.scopes[1]"]);
    expect(problems[0]!.message).toBe("still to fill in: the Okta org for staging; written by npm run new-env");
  });

  /** The new staging stack (from dev) with every marked value of the federation filled in; the hook's secret as new-env left it. */
  async function filledStaging() {
    const root = project();
    await run(root, "staging", "--from", "dev");
    const file = join(root, "stacks", "Pulumi.staging.yaml");
    const doc = parse(readFileSync(file, "utf8"));
    const f = doc.config["okta-federation:federation"];
    Object.assign(f.okta, { orgName: "acme-staging", baseUrl: "okta.com" });
    Object.assign(f.okta.authorizationServer, { name: "services-staging", audience: "api://services-staging", description: "Service tokens for staging" });
    f.okta.claims.deployment.value = "staging";
    Object.assign(f.okta.tokenHook, { name: "staging-token-enrichment", url: "https://hooks.staging.acme.example/okta/token" });
    f.aws.accountId = "333333333333";
    Object.assign(f.gcp, { project: "acme-staging", poolId: "okta-staging" });
    Object.assign(f.azure, { subscriptionId: "00000000-0000-0000-0000-000000000009", tenantId: "00000000-0000-0000-0000-0000000000aa", resourceGroup: "identities-staging" });
    for (const [key, service] of Object.entries<any>(f.services)) {
      if (typeof service.auth.jwks === "string") service.auth = jwtAuth(`${key}-staging-1`);
      for (const [name, arn] of Object.entries<any>(service.aws?.policies ?? {})) if (String(arn).startsWith(FILL_IN_MARK)) service.aws.policies[name] = `arn:aws:iam::333333333333:policy/${key}-${name}`;
      for (const assignment of Object.values<any>(service.azure?.roleAssignments ?? {})) if (String(assignment.scope).startsWith(FILL_IN_MARK)) assignment.scope = `/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/${key}-staging`;
    }
    return { root, file, doc };
  }

  it("filled in, the new stack plans and passes the generic checks", async () => {
    const { root, file, doc } = await filledStaging();
    doc.config["okta-federation:tokenHookAuthorization"] = { secure: "v1:stagingSECRET==" };
    writeFileSync(file, JSON.stringify(doc));
    expect(strings(doc).filter((s) => s.startsWith(FILL_IN_MARK))).toEqual([]);
    expect(await stackProblems(loadStack("staging", root))).toEqual([]);
  });

  it("with a token hook, it plans offline before pulumi stack init: the hook's secret is the marked placeholder, never decrypted", async () => {
    const { root, file, doc } = await filledStaging();
    writeFileSync(file, JSON.stringify(doc));
    // The only marked value left is the placeholder secret, which the config validation does not read.
    expect(strings(doc).filter((s) => s.startsWith(FILL_IN_MARK))).toEqual([HOOK_SECRET_PLACEHOLDER]);
    const plan = await planStack(loadStack("staging", root));
    const hook = plan.resources.find((r) => r.type === "okta:inline/hook:Hook")!;
    expect(hook).toBeDefined();
    // The header value is a secret the plan never decrypts: the placeholder never shows.
    expect(JSON.stringify(hook.inputs)).toContain("[secret]");
    expect(JSON.stringify(plan)).not.toContain("placeholder, not a secret");
    expect(await stackProblems(loadStack("staging", root))).toEqual([]);
  });

  it("in a stack with several federations, each federation's values are marked; another label is asked for", () => {
    const result = newEnvironmentStack(fixtureText("multi"), "multi", "multi-eu");
    const federations = parse(result.text).config["okta-federation:federations"];
    for (const body of Object.values<any>(federations)) {
      expect(body.okta.orgName.startsWith(FILL_IN_MARK)).toBe(true);
      expect(body.environment.startsWith(FILL_IN_MARK)).toBe(true);
    }
    expect(result.fillIns).toContain("okta-federation:federations.globex.azure.subscriptionId");
  });

  it("drops per-stack encryption settings", () => {
    const result = newEnvironmentStack(`encryptionsalt: v1:abc\n${fixtureText("prod")}`, "prod", "prod-eu");
    expect(result.text).not.toContain("encryptionsalt");
  });

  it.each([
    [["staging"], "--from <stack> is required: the stack to start from"],
    [["--from", "dev"], "the new environment's name is required"],
    [["Staging!", "--from", "dev"], '"Staging!" is not an environment name: 1-20 characters of a-z, 0-9 and \'-\', starting with a letter'],
    [["prod", "--from", "dev"], "stacks/Pulumi.prod.yaml exists; an existing stack is never overwritten"],
    [["qa", "--from", "nope"], 'unknown stack "nope": there is no stacks/Pulumi.nope.yaml; stacks: dev, multi, prod'],
  ])("%j exits 2: %s", async (argv, message) => {
    const root = project();
    expect(await run(root, ...argv)).toEqual({ code: 2, stdout: "", stderr: `error: ${message}\nusage: npm run new-env -- <name> --from <stack>\n` });
    expect(existsSync(join(root, "stacks", "Pulumi.qa.yaml"))).toBe(false);
  });
});
