/**
 * verify --state: the trust that is deployed, read from a `pulumi stack export` document. The
 * exports are built from offline plans in the export's format (pulumi/pulumi apitype/core.go
 * UntypedDeployment, DeploymentV3, ResourceV3, SecretV1), every placeholder replaced by a
 * deterministic real-looking value, as a deploy would have filled them.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import * as awsProvider from "@pulumi/aws/provider";
import * as oktaProvider from "@pulumi/okta/provider";
import { AuthorizationServer, OidcProvider, ServiceApp, ServiceRole } from "../../components";
import { platformProgram } from "../../examples/platform-stack/program";
import { runOffline } from "../../tools/offline/engine";
import { planStack, planToJson } from "../../tools/offline/plan";
import type { StackConfig } from "../../tools/offline/stackFile";
import { main as verify } from "../../tools/verify";
import { SECRET_SIG, SIG_KEY, parseUrn, redactState, resolvePlaceholders, stateToPlan } from "../../tools/verify/state";
import type { PlanDocument } from "../../tools/verify/model";
import { runCli } from "../helpers/cli";
import { fixturePath, fixtureStack, fixtureVariant } from "../helpers/stacks";

// ---------------------------------------------------------------------------------------------
// An offline plan as a v3 stack export.

interface PlanJsonResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  provider: string | null;
  custom: boolean;
  operation: string;
  id?: string;
  protect: boolean;
  dependsOn: string[];
  inputs: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  afterDeploy: Record<string, unknown>;
}
interface PlanJson {
  project: string;
  stack: string;
  resources: PlanJsonResource[];
  outputs: Record<string, unknown>;
}

/** The hook's Authorization value and its ciphertext: neither may ever be printed. */
const HOOK_TOKEN = "Bearer hook-token-7f3c9a21d4";
const HOOK_CIPHERTEXT = "v1:Jf9kQ2x7b3NlY3JldC1ub3QtdG8tYmUtcHJpbnRlZA==:c1pHeRtExT0nLyF0rTe5tS";

const digest = (seed: string) => createHash("sha256").update(seed).digest();
function chars(seed: string, n: number, alphabet: string): string {
  let out = "";
  for (let i = 0; out.length < n; i++) for (const byte of digest(`${seed}#${i}`)) if (out.length < n) out += alphabet[byte % alphabet.length];
  return out;
}
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const guid = (seed: string) => {
  const h = digest(seed).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const digits = (seed: string, n: number) => `${1 + (digest(seed)[0]! % 9)}${chars(seed, n - 1, "0123456789")}`;

/** Okta object id prefixes (app 0oa, server aus, policy 00p, rule 0pr, hook cal, scope scp, claim ocl). */
const OKTA_PREFIX: Record<string, string> = {
  "okta:app/oAuth:OAuth": "0oa",
  "okta:auth/server:Server": "aus",
  "okta:auth/serverPolicy:ServerPolicy": "00p",
  "okta:auth/serverPolicyRule:ServerPolicyRule": "0pr",
  "okta:inline/hook:Hook": "cal",
  "okta:auth/serverScope:ServerScope": "scp",
  "okta:auth/serverClaim:ServerClaim": "ocl",
};

/** The real value a deploy gives `<name.property>`: the same for a resource name in every export. */
function realValue(resource: PlanJsonResource | undefined, name: string, property: string, fill: (v: unknown) => unknown): string {
  const type = resource?.type ?? "";
  if (property === "projectNumber") return digits(`project ${name}`, 12);
  if (OKTA_PREFIX[type] && (property === "id" || property === "clientId")) return `${OKTA_PREFIX[type]}${chars(`okta ${name}`, 17, BASE62)}`;
  if (property === "kid") return chars(`kid ${name}`, 43, `${BASE62}-_`);
  if (type === "aws:iam/role:Role" && property === "id") return String(fill(resource!.afterDeploy.name));
  if (type === "aws:iam/role:Role" && property === "name") return `${name}-${chars(name, 7, "0123456789abcdef")}`;
  if (type === "aws:iam/role:Role" && property === "uniqueId") return `AROA${chars(name, 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`;
  if (type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider" && property === "id") return String(fill(resource!.afterDeploy.arn));
  if (type === "gcp:serviceaccount/account:Account" && property === "uniqueId") return digits(`sa ${name}`, 21);
  if (type.startsWith("azure-native:") && property !== "id") return guid(`${name}.${property}`);
  return `${name}-${chars(`${name}.${property}`, 12, "0123456789abcdef")}`;
}

/**
 * Turns an offline plan into what `pulumi stack export` prints after deploying it: version 3,
 * manifest, secrets provider, the root stack with the stack outputs, providers, components with
 * their registered outputs, custom resources with id, inputs, outputs (inputs plus what the deploy
 * learnt), parent, provider reference and dependencies; the hook's auth as a secret (ciphertext, or
 * plaintext as with --show-secrets). Outputs as the providers record them: an IAM OIDC provider's
 * URL without its scheme, azure-native outputs without the input-only names.
 */
function planToExport(plan: PlanJson, options: { showSecrets?: boolean } = {}): any {
  const byName = new Map(plan.resources.map((r) => [r.name, r]));
  const fill = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(/<([^<>\s]+)\.([A-Za-z]+)>/g, (_, name: string, property: string) => realValue(byName.get(name), name, property, fill));
    if (Array.isArray(value)) return value.map(fill);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  const secret = () =>
    options.showSecrets
      ? { [SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify({ key: "Authorization", type: "HEADER", value: HOOK_TOKEN }) }
      : { [SIG_KEY]: SECRET_SIG, ciphertext: HOOK_CIPHERTEXT };
  const secrets = (value: unknown): unknown => {
    if (value === "[secret]") return secret();
    if (Array.isArray(value)) return value.map(secrets);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secrets(v)]));
    return value;
  };
  const stateValue = (value: unknown) => secrets(fill(value)) as Record<string, unknown>;
  const stackUrn = `urn:pulumi:${plan.stack}::${plan.project}::pulumi:pulumi:Stack::${plan.project}-${plan.stack}`;
  const providerId = (urn: string) => guid(`provider ${urn}`);
  // Okta stores a server's policies at 1 to N, in the order they were created (one at a time, in the
  // plan's order): a priority beyond the count goes to the bottom (components/internal/oktaPriorities.ts).
  const policyRank = new Map<string, number>();
  const perServer = new Map<string, number>();
  for (const r of plan.resources.filter((x) => x.type === "okta:auth/serverPolicy:ServerPolicy")) {
    const server = String(r.inputs.authServerId);
    perServer.set(server, (perServer.get(server) ?? 0) + 1);
    policyRank.set(r.urn, perServer.get(server)!);
  }
  const resources: any[] = [{ urn: stackUrn, custom: false, type: "pulumi:pulumi:Stack", outputs: stateValue(plan.outputs) }];
  for (const r of plan.resources) {
    const common = { urn: r.urn, type: r.type, parent: r.parent ?? stackUrn, ...(r.protect ? { protect: true } : {}), ...(r.dependsOn.length ? { dependencies: r.dependsOn } : {}) };
    if (!r.custom) {
      resources.push({ ...common, custom: false, ...(r.outputs ? { outputs: stateValue(r.outputs) } : {}) });
      continue;
    }
    if (r.type.startsWith("pulumi:providers:")) {
      const inputs = stateValue({ ...r.inputs, version: "7.0.0" });
      resources.push({ ...common, custom: true, id: providerId(r.urn), inputs, outputs: inputs });
      continue;
    }
    const inputs = stateValue(r.inputs);
    const learnt = stateValue(r.afterDeploy);
    const id = String(learnt.id ?? r.id);
    let outputs: Record<string, unknown> = { ...inputs, ...learnt, id };
    if (r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider") outputs.url = String(outputs.url).replace(/^https:\/\//, "");
    if (policyRank.has(r.urn)) outputs.priority = policyRank.get(r.urn);
    if (r.type.startsWith("azure-native:")) {
      const { resourceName, resourceGroupName, federatedIdentityCredentialResourceName, ...rest } = outputs;
      outputs = { ...rest, name: resourceName ?? federatedIdentityCredentialResourceName ?? guid(`${r.name}.name`), azureApiVersion: "2024-11-30" };
    }
    const provider = r.provider ? `${r.provider}::${providerId(r.provider)}` : undefined;
    if (r.operation === "read") {
      resources.push({ ...common, custom: true, external: true, id: r.id, ...(provider ? { provider } : {}), outputs: { ...learnt, id: r.id } });
    } else {
      resources.push({ ...common, custom: true, id, inputs, outputs, ...(provider ? { provider } : {}), created: "2026-01-02T03:04:05Z", modified: "2026-01-02T03:04:05Z" });
    }
  }
  return {
    version: 3,
    deployment: {
      manifest: { time: "2026-01-02T03:04:05Z", magic: "e5d5d7ed0d0b1fd6b3a1a8a1b9e0f7a5c0f6d0a1b2c3d4e5f60718293a4b5c6d", version: "v3.270.0" },
      secrets_providers: { type: "service", state: { url: "https://api.pulumi.com", owner: "acme", project: plan.project, stack: plan.stack } },
      resources,
    },
  };
}

async function planOf(stack: string | StackConfig): Promise<PlanJson> {
  return planToJson(await planStack(typeof stack === "string" ? fixtureStack(stack) : stack)) as unknown as PlanJson;
}

let dir: string;
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 4));
  return path;
};
const exports: Record<string, any> = {};
const plans: Record<string, PlanJson> = {};
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "verify-state-"));
  for (const stack of ["dev", "prod", "multi"]) {
    plans[stack] = await planOf(stack);
    exports[stack] = planToExport(plans[stack]!);
  }
});

/** A resource of an export by type and name. */
const resourceOf = (doc: any, type: string, name: string) => doc.deployment.resources.find((r: any) => r.type === type && parseUrn(r.urn)?.name === name);
/** The client id the export holds for an Okta app. */
const clientIdOf = (doc: any, app: string) => resourceOf(doc, "okta:app/oAuth:OAuth", app).outputs.clientId as string;
const PLACEHOLDER = /<[^<>\s]+\.[A-Za-z]+>/;

// ---------------------------------------------------------------------------------------------

describe("verify --state: the deployed trust from pulumi stack export", () => {
  it.each(["dev", "prod", "multi"])("%s passes, with the deployed client ids in the matrix and no placeholders", async (stack) => {
    const path = file(`${stack}-state.json`, exports[stack]);
    const text = await runCli(verify, "--state", path);
    expect([text.code, text.stderr]).toEqual([0, ""]);
    expect(text.stdout).toMatch(/^PASSED: every service reaches exactly its own targets; all \d+ trust probes denied; no shared client keys\.$/m);
    expect(text.stdout).not.toMatch(PLACEHOLDER);
    const json = JSON.parse((await runCli(verify, "--state", path, "--json")).stdout);
    const apps = exports[stack].deployment.resources.filter((r: any) => r.type === "okta:app/oAuth:OAuth");
    expect(json.services.map((s: any) => s.clientId).sort()).toEqual(apps.map((a: any) => a.outputs.clientId).sort());
    for (const service of json.services) {
      expect(service.clientId).toMatch(/^0oa[0-9A-Za-z]{17}$/);
      expect(service.claims.sub).toBe(service.clientId);
    }
    // The same verdict, cell for cell, as the offline plan of the same config.
    const planned = JSON.parse((await runCli(verify, "--stack-file", fixturePath(stack), "--json")).stdout);
    const cells = (doc: any) => doc.matrix.allowed.map((c: any) => `${c.service} ${c.target} ${c.decision}`);
    expect(cells(json)).toEqual(cells(planned));
    expect(json.probes.length).toBe(planned.probes.length);
  });

  it("dev: the issuer, the client ids and the AWS trust shown are the deployed ones", async () => {
    const { stdout } = await runCli(verify, "--state", file("dev-state.json", exports.dev));
    const server = resourceOf(exports.dev, "okta:auth/server:Server", "federation-authz-server");
    const issuer = `https://acme-dev-example.oktapreview.com/oauth2/${server.id}`;
    expect(server.id).toMatch(/^aus[0-9A-Za-z]{17}$/);
    expect(stdout.split("\n")[1]).toBe(`authorization server services-dev  issuer ${issuer}  audience api://services-dev`);
    const json = JSON.parse((await runCli(verify, "--state", file("dev-state.json", exports.dev), "--json")).stdout);
    const payments = clientIdOf(exports.dev, "federation-payments-app");
    expect(json.services.find((s: any) => s.key === "payments").clientId).toBe(payments);
    // Each of payments' targets admits exactly its deployed client id.
    expect(json.targets.filter((t: any) => t.owner === "payments").map((t: any) => [t.id, t.admits])).toEqual([
      ["aws-role:payments", [payments]],
      ["azure-identity:payments", [payments]],
      ["gcp-sa:payments", [payments]],
    ]);
  });

  it("never prints a secret: neither its ciphertext nor, from an export made with --show-secrets, its plaintext", async () => {
    const encrypted = file("dev-encrypted.json", exports.dev);
    const plain = file("dev-plaintext.json", planToExport(plans.dev!, { showSecrets: true }));
    expect(JSON.stringify(exports.dev)).toContain(HOOK_CIPHERTEXT);
    for (const path of [encrypted, plain]) {
      for (const form of [[], ["--json"], ["--markdown"]]) {
        const { code, stdout, stderr } = await runCli(verify, "--state", path, ...form);
        expect(code).toBe(0);
        for (const secret of [HOOK_CIPHERTEXT, HOOK_TOKEN, "hook-token"]) expect(stdout + stderr).not.toContain(secret);
      }
    }
    const hook = stateToPlan(JSON.parse(JSON.stringify(planToExport(plans.dev!, { showSecrets: true }))), "state").resources.find((r) => r.type === "okta:inline/hook:Hook")!;
    expect([hook.inputs.auth, hook.afterDeploy?.auth]).toEqual(["[secret]", "[secret]"]);
  });

  it("a role whose trust was changed outside Pulumi and refreshed into state fails, naming both services", async () => {
    // `pulumi refresh` records the cloud's value in the outputs; the inputs still hold what the program asked for.
    const drifted = structuredClone(exports.dev);
    const payments = clientIdOf(drifted, "federation-payments-app");
    const billing = clientIdOf(drifted, "federation-billing-export-app");
    const role = resourceOf(drifted, "aws:iam/role:Role", "federation-payments-aws-role");
    expect(role.inputs.assumeRolePolicy).toContain(payments);
    role.outputs.assumeRolePolicy = role.outputs.assumeRolePolicy.replace(payments, billing);
    const { code, stdout } = await runCli(verify, "--state", file("dev-drifted.json", drifted));
    expect(code).toBe(1);
    const host = `acme-dev-example.oktapreview.com/oauth2/${resourceOf(drifted, "okta:auth/server:Server", "federation-authz-server").id}`;
    expect(stdout.slice(stdout.indexOf("FAILED")).trimEnd().split("\n")).toEqual([
      "FAILED: 2 findings",
      "  - billing-export can reach AWS role payments, which belongs to payments: AWS role payments trust allows it (allowed by OktaServiceToken)",
      `  - payments cannot reach AWS role payments: AWS role payments trust: OktaServiceToken: StringEquals ${host}:sub = ${billing} does not hold for ${payments}`,
    ]);
  });

  it("a policy outside the stack above the kit's fails, naming the server, the priorities and the policies below it", async () => {
    // After a refresh, the outputs hold Okta's priorities: a policy created in the console at the top moved the kit's down.
    const moved = structuredClone(exports.dev);
    const policies = moved.deployment.resources.filter((r: any) => r.type === "okta:auth/serverPolicy:ServerPolicy");
    expect(policies.map((p: any) => [p.inputs.priority, p.outputs.priority])).toEqual([
      [10_001, 1],
      [10_002, 2],
      [10_003, 3],
    ]);
    for (const p of policies) p.outputs.priority += 1;
    const server = resourceOf(moved, "okta:auth/server:Server", "federation-authz-server");
    const { code, stdout } = await runCli(verify, "--state", file("dev-policy-above.json", moved));
    expect(code).toBe(1);
    expect(stdout.slice(stdout.indexOf("FAILED")).trimEnd().split("\n")).toEqual([
      "FAILED: 1 finding",
      `  - authorization server services-dev (${server.id}): priority 1 is held by no policy of this stack, so Okta evaluates a policy from outside the stack before dev-billing-export, dev-payments and dev-reporting; if that policy names their clients (or all clients), it decides their scopes and token lifetime. Move the kit's policies above it in the Okta console and run pulumi refresh (if a service was removed since the last refresh, run pulumi refresh and export again first: Okta moved the policies below it up)`,
    ]);
    const json = JSON.parse((await runCli(verify, "--state", file("dev-policy-above.json", moved), "--json")).stdout);
    expect(json.findings.map((f: any) => f.kind)).toEqual(["policy-order"]);
  });

  it("priorities the state cannot order (recorded before Okta renumbered them) fail until the state is refreshed", async () => {
    // The kit's old design created every policy at priority 1; each create's read recorded 1.
    const stale = structuredClone(exports.dev);
    for (const p of stale.deployment.resources.filter((r: any) => r.type === "okta:auth/serverPolicy:ServerPolicy")) p.outputs.priority = 1;
    const server = resourceOf(stale, "okta:auth/server:Server", "federation-authz-server");
    const { code, stdout } = await runCli(verify, "--state", file("dev-policy-stale.json", stale));
    expect(code).toBe(1);
    expect(stdout.slice(stdout.indexOf("FAILED")).trimEnd().split("\n")).toEqual([
      "FAILED: 1 finding",
      `  - authorization server services-dev (${server.id}): policies dev-billing-export, dev-payments and dev-reporting all hold priority 1 in the state, which Okta never stores for two policies of one server: the state predates Okta's renumbering, so the order of its policies was not checked; run pulumi refresh, export again and verify`,
    ]);
  });

  it("an offline plan's priorities are not Okta's: verify --plan never reports them", async () => {
    const { code } = await runCli(verify, "--stack-file", fixturePath("dev"));
    expect(code).toBe(0);
  });

  it("a resource pending deletion (delete: true, left by a replacement) is not part of the deployed trust", async () => {
    const replaced = structuredClone(exports.dev);
    const role = resourceOf(replaced, "aws:iam/role:Role", "federation-payments-aws-role");
    const old = structuredClone(role);
    old.delete = true;
    old.id = "dev-payments-old";
    old.outputs.assumeRolePolicy = old.outputs.assumeRolePolicy.replace(clientIdOf(replaced, "federation-payments-app"), clientIdOf(replaced, "federation-reporting-app"));
    replaced.deployment.resources.push(old);
    const { code, stdout } = await runCli(verify, "--state", file("dev-replaced.json", replaced));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^PASSED: /m);
  });

  it("a resource deleted by a delete-before-replace and not yet created again (pendingReplacement) is absent", async () => {
    const interrupted = structuredClone(exports.dev);
    resourceOf(interrupted, "aws:iam/role:Role", "federation-payments-aws-role").pendingReplacement = true;
    const { code, stdout } = await runCli(verify, "--state", file("dev-pending-replacement.json", interrupted), "--json");
    expect(code).toBe(0);
    expect(JSON.parse(stdout).targets.map((t: any) => t.id)).toEqual(["aws-role:billing-export", "azure-identity:billing-export", "azure-identity:payments", "gcp-direct:reporting", "gcp-sa:payments"]);
  });

  it("an adopted authorization server (read, external: true) is read from its outputs", async () => {
    const variant = fixtureVariant("dev", (f) => {
      f.okta.authorizationServer = { existing: { id: "aus9existing0000dev1", audience: "api://services-dev" } };
    });
    const plan = await planOf(variant);
    const doc = planToExport(plan);
    const server = resourceOf(doc, "okta:auth/server:Server", "federation-authz-server");
    expect([server.external, server.id, server.inputs]).toEqual([true, "aus9existing0000dev1", undefined]);
    const converted = stateToPlan(doc, "state").resources.find((r) => r.type === "okta:auth/server:Server")!;
    expect([converted.operation, converted.id, converted.inputs.issuer]).toEqual(["read", "aus9existing0000dev1", "https://acme-dev-example.oktapreview.com/oauth2/aus9existing0000dev1"]);
    const { code, stdout } = await runCli(verify, "--state", file("dev-adopted.json", doc));
    expect(code).toBe(0);
    expect(stdout).toContain("issuer https://acme-dev-example.oktapreview.com/oauth2/aus9existing0000dev1  audience api://services-dev");
  });

  it("the file backend's checkpoint (checkpoint.latest) reads like an export; pending operations are warned about", async () => {
    const checkpoint = { version: 3, checkpoint: { stack: "dev", latest: exports.dev.deployment } };
    const read = await runCli(verify, "--state", file("dev-checkpoint.json", checkpoint));
    expect([read.code, read.stderr]).toEqual([0, ""]);
    const interrupted = structuredClone(exports.dev);
    interrupted.deployment.pending_operations = [{ resource: resourceOf(interrupted, "aws:iam/role:Role", "federation-payments-aws-role"), type: "updating" }];
    const path = file("dev-interrupted.json", interrupted);
    const warned = await runCli(verify, "--state", path, "--json");
    expect(warned.code).toBe(0);
    expect(warned.stderr).toBe(`warning: state ${path} lists pending operations of an interrupted update (1 updating): their resources are verified as last recorded; run pulumi refresh and export again\n`);
    expect(JSON.parse(warned.stdout).passed).toBe(true);
  });
});

describe("verify --state: GCP roles on single resources (gcp.resourceRoles), as the google provider records them", () => {
  let grants: any;
  beforeAll(async () => {
    plans.grants = await planOf("grants");
    grants = planToExport(plans.grants);
    // The provider records a bucket IAM member's bucket as its resource id, `b/<bucket>`.
    for (const name of ["federation-reporting-gcp-resource-orders", "federation-payments-gcp-resource-invoices"]) {
      const member = resourceOf(grants, "gcp:storage/bucketIAMMember:BucketIAMMember", name);
      member.outputs.bucket = `b/${member.inputs.bucket}`;
    }
  });

  /** The deployed project number, from the pool's name. */
  const projectNumber = (doc: any) => /projects\/(\d+)\//.exec(JSON.stringify(doc.findings))?.[1] ?? "";

  it("reads each grant with its role and resource as the plan does: the same targets, grants, matrix, takeover and finding", async () => {
    const path = file("grants-state.json", grants);
    const deployed = JSON.parse((await runCli(verify, "--state", path, "--json")).stdout);
    const planned = JSON.parse((await runCli(verify, "--stack-file", fixturePath("grants"), "--json")).stdout);
    const gcp = (doc: any) => doc.targets.filter((t: any) => t.id.startsWith("gcp")).map((t: any) => [t.id, t.grants]);
    expect(gcp(deployed)).toEqual([
      [
        "gcp-direct:reporting",
        [
          "GCP role roles/storage.objectViewer on bucket bar-orders-dev",
          "GCP role roles/iam.workloadIdentityUser on service account dev-payments@acme-dev-example.iam.gserviceaccount.com",
          "GCP role roles/bigquery.dataViewer on project acme-dev-example",
          "GCP role roles/bigquery.jobUser on project acme-dev-example",
        ],
      ],
      ["gcp-sa:payments", ["GCP role roles/storage.objectViewer on bucket bar-invoices-dev", "GCP role roles/pubsub.publisher on project acme-dev-example"]],
    ]);
    expect(gcp(deployed)).toEqual(gcp(planned));
    expect(deployed.identityAdmin).toEqual([
      {
        service: "reporting",
        resource: "federation-reporting-gcp-resource-payments-sa",
        grant: "GCP role roles/iam.workloadIdentityUser on service account dev-payments@acme-dev-example.iam.gserviceaccount.com",
        why: "holds iam.serviceAccounts.getAccessToken (its holder can act as that service account)",
        accepted: true,
        reach: ["gcp-sa:payments"],
      },
    ]);
    expect(deployed.identityAdmin).toEqual(planned.identityAdmin);
    const cells = (doc: any) => doc.matrix.allowed.map((c: any) => `${c.service} ${c.target} ${c.decision}${c.takeover ? " TAKE" : ""}`);
    expect(cells(deployed)).toEqual(cells(planned));
    // The reach is the accepted grant's takeover: reported, and verify passes (an unaccepted one fails: verify.test.ts).
    expect([deployed.passed, deployed.findings.map((f: any) => f.kind)]).toEqual([true, ["identity-takeover"]]);
    expect(deployed.findings).toEqual(planned.findings.map((f: any) => JSON.parse(JSON.stringify(f).replace(/<acme-dev-example\.projectNumber>|<federation-reporting-app\.clientId>/g, (m: string) => (m.includes("projectNumber") ? projectNumber(deployed) : clientIdOf(grants, "federation-reporting-app"))))));
  });

  it.each([
    ["gcp:storage/bucketIAMMember:BucketIAMMember", { bucket: "orders" }, { bucket: "b/orders" }, { bucket: "orders" }],
    ["gcp:pubsub/topicIAMMember:TopicIAMMember", { project: "acme-dev-example", topic: "orders" }, { topic: "projects/acme-dev-example/topics/orders" }, { project: "acme-dev-example", topic: "orders" }],
    [
      "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember",
      { project: "acme-dev-example", subscription: "orders-sub" },
      { subscription: "projects/acme-dev-example/subscriptions/orders-sub" },
      { project: "acme-dev-example", subscription: "orders-sub" },
    ],
    ["gcp:secretmanager/secretIamMember:SecretIamMember", { project: "acme-dev-example", secretId: "db" }, { secretId: "projects/acme-dev-example/secrets/db" }, { project: "acme-dev-example", secretId: "db" }],
    ["gcp:bigquery/datasetIamMember:DatasetIamMember", { project: "acme-dev-example", datasetId: "sales" }, { datasetId: "sales" }, { project: "acme-dev-example", datasetId: "sales" }],
    [
      "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
      { project: "acme-dev-example", location: "europe-west1", repository: "images" },
      { repository: "projects/acme-dev-example/locations/europe-west1/repositories/images" },
      { project: "acme-dev-example", location: "europe-west1", repository: "images" },
    ],
  ])("%s: the resource reads back in the program's form", (type, inputs, recorded, expected) => {
    const doc = structuredClone(grants);
    const parent = resourceOf(doc, "gcp:storage/bucketIAMMember:BucketIAMMember", "federation-reporting-gcp-resource-orders").parent;
    const member = { role: "roles/viewer", member: "principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/okta-dev/subject/0oa1" };
    doc.deployment.resources.push({ urn: `urn:pulumi:grants::okta-federation::${type}::extra`, type, custom: true, id: "extra", parent, inputs: { ...inputs, ...member }, outputs: { ...inputs, ...member, ...recorded, etag: "BwX" } });
    const read = stateToPlan(doc, "state").resources.find((r) => r.name === "extra")!;
    expect(Object.fromEntries(Object.keys(expected).map((k) => [k, read.inputs[k]]))).toEqual(expected);
    expect(Object.fromEntries(Object.keys(expected).map((k) => [k, read.afterDeploy?.[k]]))).toEqual(expected);
  });
});

describe("verify --base with stack exports: what a deploy changed, or will change", () => {
  it("--state after --base before: the access changes between two exports (a service removed)", async () => {
    const before = file("dev-before.json", exports.dev);
    const after = file("dev-after.json", planToExport(await planOf(fixtureVariant("dev", (f) => delete f.services.reporting))));
    const { code, stdout, stderr } = await runCli(verify, "--state", after, "--base", before, "--json");
    expect([code, stderr]).toEqual([0, ""]);
    const reporting = clientIdOf(exports.dev, "federation-reporting-app");
    expect(JSON.parse(stdout).changes.map((c: { message: string }) => c.message)).toEqual([
      "service reporting removed: it loses GCP direct grants reporting, with GCP role roles/bigquery.dataViewer on project acme-dev-example; GCP role roles/bigquery.jobUser on project acme-dev-example",
      `GCP provider okta (pool okta-dev) no longer admits ${reporting}`,
    ]);
  });

  it("two exports of the same deployment: no access changes", async () => {
    const { code, stdout } = await runCli(verify, "--state", file("dev-a.json", exports.dev), "--base", file("dev-b.json", exports.dev));
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe("TRUST MATRIX  stack dev  (offline: simulated tokens against the deployed trust (a stack export))");
    expect(stdout).toContain("\nNo access changes against the base state.\n");
  });

  it("--stack-file against the deployed state (--base state): the plan takes the deployed values, so only the program's changes show", async () => {
    const state = file("dev-deployed.json", exports.dev);
    const same = await runCli(verify, "--stack-file", fixturePath("dev"), "--base", state);
    expect([same.code, same.stderr]).toEqual([0, ""]);
    expect(same.stdout).toContain("\nNo access changes against the base state.\n");
    expect(same.stdout).not.toMatch(PLACEHOLDER);
    // A new service: its client id is known only after deploy, the others' are the deployed ones.
    const plan = await planOf(
      fixtureVariant("dev", (f) => {
        f.services.audit = { description: "Audit exports", scopes: ["api.read"], auth: { method: "private_key_jwt", jwksUri: "https://audit.acme.example/jwks" }, gcp: { roles: ["roles/logging.viewer"] } };
      }),
    );
    const { code, stdout } = await runCli(verify, "--plan", file("dev-audit-plan.json", plan), "--base", state, "--json");
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.changes.map((c: { message: string }) => c.message)).toEqual([
      "service audit added: it can reach GCP direct grants audit",
      "audit: GCP role roles/logging.viewer on project acme-dev-example granted to GCP direct grants audit",
      "GCP provider okta (pool okta-dev) now also admits <federation-audit-app.clientId>",
    ]);
    expect(doc.services.find((s: any) => s.key === "payments").clientId).toBe(clientIdOf(exports.dev, "federation-payments-app"));
  });

  it("--state against a base plan: the base plan takes the deployed values", async () => {
    const basePlan = file("dev-base-plan.json", plans.dev);
    const { code, stdout } = await runCli(verify, "--state", file("dev-head.json", exports.dev), "--base", basePlan);
    expect(code).toBe(0);
    expect(stdout).toContain("\nNo access changes against the base plan.\n");
  });

  it("a base state of another stack is refused, or compared with a warning when asked", async () => {
    const prodState = file("prod-state-base.json", exports.prod);
    const refused = await runCli(verify, "--stack-file", fixturePath("dev"), "--base", prodState);
    expect([refused.code, refused.stdout, refused.stderr]).toEqual([2, "", `error: base state ${prodState} is an export of stack prod, not dev; pass --allow-other-stack to compare them anyway\n`]);
    const allowed = await runCli(verify, "--stack-file", fixturePath("dev"), "--base", prodState, "--allow-other-stack");
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toBe("warning: comparing stack dev with the state of stack prod (--allow-other-stack)\n");
  });
});

describe("verify --state refuses what it cannot read, with one line and exit 2", () => {
  const MAKE = "pulumi stack export --stack <name> > state.json";
  const base = () => exports.dev;

  it.each([
    ["not JSON", () => "{ version: 3", (p: string) => `error: state ${p} is not JSON: write it with ${MAKE}\n`],
    ["an empty object", () => ({}), (p: string) => `error: state ${p} is not a Pulumi stack export (version and deployment.resources): write it with ${MAKE}\n`],
    ["verify's own JSON", () => ({ kind: "okta-federation/verify", version: 1, stack: "dev" }), (p: string) => `error: state ${p} is not a Pulumi stack export (version and deployment.resources): write it with ${MAKE}\n`],
    ["an offline plan", () => plans.dev, (p: string) => `error: state ${p} is an offline plan, not a stack export: pass it with --plan, or export the state with ${MAKE}\n`],
    ["a deployment without resources", () => ({ version: 3, deployment: { manifest: {} } }), (p: string) => `error: state ${p} is not a Pulumi stack export (version and deployment.resources): write it with ${MAKE}\n`],
    [
      "version 2",
      () => ({ ...base(), version: 2 }),
      (p: string) => `error: state ${p} is a stack export of version 2; verify reads versions 3 and 4: export it with a current Pulumi CLI, ${MAKE}\n`,
    ],
    [
      "no version",
      () => ({ deployment: base().deployment }),
      (p: string) => `error: state ${p} is a stack export of version null; verify reads versions 3 and 4: export it with a current Pulumi CLI, ${MAKE}\n`,
    ],
    [
      "no okta-federation components",
      () => ({ ...base(), deployment: { ...base().deployment, resources: base().deployment.resources.filter((r: any) => !r.type.startsWith("oktafed:")) } }),
      (p: string) => `error: state ${p} holds no okta-federation components (no oktafed: resource types): export the stack whose program uses the kit's components, ${MAKE}\n`,
    ],
  ])("%s", async (name, content, message) => {
    const path = file(`bad-${name.replace(/\W+/g, "-")}.json`, content());
    const { code, stdout, stderr } = await runCli(verify, "--state", path);
    expect([code, stdout, stderr]).toEqual([2, "", message(path)]);
  });

  it("a missing file", async () => {
    const { code, stderr } = await runCli(verify, "--state", join(dir, "absent.json"));
    expect([code, stderr]).toEqual([2, `error: cannot read state ${join(dir, "absent.json")}: ENOENT\n`]);
  });

  it("an export nested deeper than 256 levels is refused with one line; at the limit it still verifies", async () => {
    // A value under a role's inputs: the document, deployment, resources, the role and its inputs are 5 levels.
    const withValue = (levels: number) => {
      const doc = structuredClone(exports.dev);
      resourceOf(doc, "aws:iam/role:Role", "federation-payments-aws-role").inputs.extra = JSON.parse(`${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`);
      return doc;
    };
    const atLimit = await runCli(verify, "--state", file("dev-deep-256.json", withValue(251)));
    expect([atLimit.code, atLimit.stderr]).toEqual([0, ""]);
    const path = file("dev-deep-257.json", withValue(252));
    const refused = await runCli(verify, "--state", path);
    expect([refused.code, refused.stdout, refused.stderr]).toEqual([2, "", `error: state ${path} is nested 257 levels deep (at most 256): not a Pulumi stack export\n`]);
  });

  it("a version 4 export (written when a feature such as taint is in use) is read", async () => {
    const tainted = structuredClone(exports.dev);
    tainted.version = 4;
    tainted.features = ["taint"];
    resourceOf(tainted, "aws:iam/role:Role", "federation-payments-aws-role").taint = true;
    const { code } = await runCli(verify, "--state", file("dev-v4.json", tainted));
    expect(code).toBe(0);
  });

  it("an export passed as --plan is pointed to --state", async () => {
    const path = file("export-as-plan.json", exports.dev);
    const { code, stderr } = await runCli(verify, "--plan", path);
    expect([code, stderr]).toEqual([2, `error: plan ${path} is a Pulumi stack export, not an offline plan: pass it with --state\n`]);
  });

  it("as --base, a bad export names the base state", async () => {
    const path = file("bad-base-v2.json", { ...exports.dev, version: 2 });
    const { code, stderr } = await runCli(verify, "--stack-file", fixturePath("dev"), "--base", path);
    expect([code, stderr]).toEqual([2, `error: base state ${path} is a stack export of version 2; verify reads versions 3 and 4: export it with a current Pulumi CLI, ${MAKE}\n`]);
  });

  it("--state with another source is one proof over the organisation (test/verify/org.test.ts): an unreadable export is refused as always", async () => {
    const { code, stderr } = await runCli(verify, "--state", "s.json", "--stack", "dev");
    expect([code, stderr]).toEqual([2, "error: cannot read state s.json: ENOENT\n"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Programs other than this repository's stack program.

/** A batch-jobs stack: the Okta and AWS components composed by hand, no Federation, no GCP or Azure. */
function oktaAndAwsProgram() {
  const okta = new oktaProvider.Provider("okta", { orgName: "acme-batch-example", baseUrl: "okta.com" });
  const aws = new awsProvider.Provider("aws", { region: "eu-west-1", allowedAccountIds: ["444444444444"] });
  const server = new AuthorizationServer("batch-tokens", { serverName: "batch", audience: "api://batch", scopes: { "jobs.run": {} } }, { providers: { okta } });
  const oidc = new OidcProvider("batch-oidc", { issuerUrl: server.issuerUrl, audience: server.audience }, { providers: { aws } });
  const roles: Record<string, pulumi.Output<string>> = {};
  for (const key of ["export", "ingest"]) {
    const app = new ServiceApp(
      key,
      { authServerId: server.serverId, label: `batch-${key}`, scopes: [server.scopeNames["jobs.run"]!], tokenLifetimeMinutes: 15, auth: { method: "private_key_jwt", jwksUri: `https://${key}.batch.acme.example/jwks` } },
      { providers: { okta } },
    );
    const role = new ServiceRole(
      `${key}-aws`,
      { oidcProviderArn: oidc.providerArn, issuerUrl: server.issuerUrl, audience: server.audience, clientId: app.clientId, policies: { "s3-read": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" } },
      { providers: { aws } },
    );
    roles[key] = role.roleArn;
  }
  return { issuer: server.issuerUrl, roles };
}

describe("verify --state for programs that compose the components themselves", () => {
  it("Okta and AWS components only, without Federation: passes, each role trusting its own app", async () => {
    const result = await runOffline(oktaAndAwsProgram, { project: "batch-jobs", stack: "prod", config: {} });
    const doc = planToExport(planToJson({ ...result, project: "batch-jobs", stack: "prod" }) as unknown as PlanJson);
    const { code, stdout, stderr } = await runCli(verify, "--state", file("batch-state.json", doc));
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout.split("\n")[0]).toBe("TRUST MATRIX  stack prod  (offline: simulated tokens against the deployed trust (a stack export))");
    expect(stdout).toContain("  T1   AWS role export  (for export)\n  T2   AWS role ingest  (for ingest)\n");
    expect(stdout).toContain("\nservice  T1     T2    \nexport   allow  deny  \ningest   deny   allow \n");
    expect(stdout).toMatch(/^PASSED: /m);
  });

  it("the AWS components alone, for an existing issuer: no authorization server to simulate, one line and exit 2", async () => {
    const result = await runOffline(platformProgram, {
      project: "platform-aws-data",
      stack: "dev",
      config: {
        "platform-aws-data:issuerUrl": "https://acme-dev-example.oktapreview.com/oauth2/aus1example2dev3",
        "platform-aws-data:audience": "api://services-dev",
        "platform-aws-data:dataAccountId": "333333333333",
        "platform-aws-data:region": "eu-west-1",
        "platform-aws-data:readers": JSON.stringify({ reporting: "0oa1reportingexample" }),
      },
    });
    const path = file("platform-state.json", planToExport(planToJson({ ...result, project: "platform-aws-data", stack: "dev" }) as unknown as PlanJson));
    const { code, stdout, stderr } = await runCli(verify, "--state", path);
    expect([code, stdout, stderr]).toEqual([
      2,
      "",
      `error: state ${path} holds okta-federation components but no Okta authorization server (okta:auth/server:Server): verify simulates the server's tokens, so export the stack that creates or adopts it (AuthorizationServer or Federation)\n`,
    ]);
  });
});

describe("stateToPlan", () => {
  it("reads names, parents, ids and stack outputs as the plan has them", () => {
    const converted = stateToPlan(exports.dev, "state dev.json");
    expect(converted.stack).toBe("dev");
    const planned = plans.dev!.resources;
    expect(converted.resources.map((r) => [r.urn, r.type, r.name, r.parent])).toEqual(planned.map((r) => [r.urn, r.type, r.name, r.parent]));
    const app = converted.resources.find((r) => r.name === "federation-payments-app")!;
    expect(app.afterDeploy?.clientId).toBe(clientIdOf(exports.dev, "federation-payments-app"));
    expect(app.afterDeploy?.id).toBe(app.afterDeploy?.clientId);
    expect((converted.outputs as any).services.payments.clientId).toBe(app.afterDeploy?.clientId);
    // The IAM provider URL comes back without its scheme; STS compares https://<url> with iss.
    const provider = converted.resources.find((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider")!;
    expect(resourceOf(exports.dev, provider.type, provider.name).outputs.url).not.toMatch(/^https:/);
    expect(provider.inputs.url).toMatch(/^https:\/\/acme-dev-example\.oktapreview\.com\/oauth2\/aus/);
  });

  it("a URN's name is everything after its third ::", () => {
    expect(parseUrn("urn:pulumi:dev::proj::a:b:C$x:y:Z::name::with::colons")).toEqual({ stack: "dev", project: "proj", qualifiedType: "a:b:C$x:y:Z", name: "name::with::colons" });
  });

  it("the secret signatures are the SDK's", () => {
    expect([SIG_KEY, SECRET_SIG]).toEqual([pulumi.runtime.specialSigKey, pulumi.runtime.specialSecretSig]);
    expect(redactState({ a: [{ [SIG_KEY]: SECRET_SIG, ciphertext: "x" }], b: { [SIG_KEY]: SECRET_SIG, plaintext: '"y"' } })).toEqual({ a: ["[secret]"], b: "[secret]" });
  });

  it("resolvePlaceholders fills a plan from a state by resource name and type, leaving what the state lacks", () => {
    const deployed = stateToPlan(exports.dev, "state");
    const added = { urn: "urn:pulumi:dev::okta-federation::okta:app/oAuth:OAuth::federation-new-app", type: "okta:app/oAuth:OAuth", name: "federation-new-app", parent: null, inputs: {}, afterDeploy: { clientId: "<federation-new-app.clientId>" } };
    const plan = { ...plans.dev!, resources: [...plans.dev!.resources, added] } as unknown as PlanDocument;
    const resolved = resolvePlaceholders(plan, deployed);
    const role = resolved.resources.find((r) => r.name === "federation-payments-aws-role")!;
    expect(role.inputs.assumeRolePolicy).toContain(clientIdOf(exports.dev, "federation-payments-app"));
    expect(role.inputs.assumeRolePolicy).not.toMatch(PLACEHOLDER);
    const pool = resolved.resources.find((r) => r.type === "gcp:iam/workloadIdentityPool:WorkloadIdentityPool")!;
    expect(pool.afterDeploy?.name).toMatch(/^projects\/\d{12}\/locations\/global\/workloadIdentityPools\/okta-dev$/);
    expect(resolved.resources.find((r) => r.name === "federation-new-app")!.afterDeploy).toEqual({ clientId: "<federation-new-app.clientId>" });
    // Across stacks nothing is filled in: another stack's values would hide the differences.
    expect(resolvePlaceholders({ ...plan, stack: "prod" }, deployed)).toEqual({ ...plan, stack: "prod" });
  });
});
