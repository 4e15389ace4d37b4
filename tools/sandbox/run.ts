/**
 * One sandbox run over a plan: starts the issuers and the cloud emulators on loopback, gets each
 * service's token as its workload does, and makes every exchange the plan implies through the real
 * SDK clients — each service at its own targets (allowed as planned), and the probes (denied as
 * planned): each service's token at every other service's targets, a token of the right issuer for
 * another audience, and a token of another issuer; for each GCP role on a single resource
 * (gcp.resourceRoles), the same role on another resource of its kind. For each AWS service, each
 * action of its inline policy statements with its session on a resource the statement names
 * (allowed as planned), on another resource and with every other service's session (denied), and
 * iam:UpdateAssumeRolePolicy with its session on every other service's role (denied unless an
 * identity-admin grant verify reports lets it in); AWS requests are authorized by iam-simulate over
 * the session's inline policies, the attached managed policies being named as not simulated
 * (tools/sandbox/aws/iam.ts). An exchange that an identity-admin grant let in is marked with that
 * grant, as verify names it (its TAKE). Everything is stopped when the run ends.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { sandboxKeyPair } from "./keys";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT, exportJWK } from "jose";
import type { PlanDocument } from "../verify/model";
import { fetchToken } from "../../workload/token";
import { materialize } from "./materialize";
import { SandboxNetwork } from "./network";
import { startOkta, type SandboxClient, type SandboxIssuer } from "./okta";
import { awsActionProbes, awsActionWorkload, awsRolesOf, awsWorkload, startAwsSts } from "./aws";
import { type GcpEmulators, gcpResourceWorkload, gcpWorkload, otherResourceOf, resourceGrantsOf, startGcp } from "./gcp";
import { gcpResourceText } from "../../components/internal/gcpResource";
import { extractModel } from "../verify/model";
import { azureWorkload, startEntra } from "./azure";
import type { Emulator, ExchangeOutcome } from "./types";

/**
 * "accepted takeover": a token reached another service's identity through an identity-admin grant
 * the config accepted with allowIdentityAdmin: true, the takeover verify reports and passes.
 */
export type Verdict = "allowed as planned" | "denied as planned" | "accepted takeover" | "UNEXPECTED";

export interface Exchange {
  readonly verdict: Verdict;
  /** Whose token, presented where. */
  readonly who: string;
  readonly target: string;
  readonly expected: "allowed" | "denied";
  readonly outcome: ExchangeOutcome;
  /** The identity-admin grant that let the token in, as verify reports it (its TAKE): the takeover it is. */
  readonly takeover?: string;
}

export interface SandboxReport {
  readonly stack: string;
  readonly exchanges: readonly Exchange[];
  readonly allowed: number;
  readonly denied: number;
  readonly unexpected: number;
  /** Exchanges that reached another service's identity through an accepted identity-admin grant. */
  readonly acceptedTakeovers: number;
}

/** The audience no server issues for: the wrong-audience probe. */
const OTHER_AUDIENCE = "api://sandbox-other-audience";
/** An Okta org no trust names: the other-issuer probe. */
const OTHER_ISSUER = "https://sandbox-other-org.okta.com/oauth2/aussandboxotherorg";

interface Target {
  readonly label: string;
  /** The workload that owns it. */
  readonly owner: string;
  /** For GCP direct grants: the principal the owner's grants are given to. */
  readonly principal?: string;
  /** The identity reached, as verify labels its targets (`GCP service account <email>`), when it is one. */
  readonly identity?: string;
  /** A workload that legitimately holds what the target probes (the owner of the service account it is on): not probed with its token. */
  readonly heldBy?: string;
  /** For a role on one resource: the same role on another resource of the kind, with the owner's token (denied as planned). */
  readonly other?: { readonly label: string; run(tokenFile: string): Promise<ExchangeOutcome> };
  /** For an AWS request: the same request with another service's session (its token at its own role). */
  readonly session?: (tokenFile: string, roleArn: string) => Promise<ExchangeOutcome>;
  run(tokenFile: string): Promise<ExchangeOutcome>;
}

interface Workload {
  readonly label: string;
  readonly clientId: string;
  readonly issuer: SandboxIssuer;
  readonly client: SandboxClient | undefined;
  readonly tokenFile: string;
  readonly targets: Target[];
  /** Its AWS role, when it has one. */
  readonly awsRoleArn?: string;
}

type ServiceOutputs = Record<string, any>;

/** The stack outputs as (federation name, federation outputs) pairs. */
function federationsOf(outputs: Record<string, any> | undefined): Array<[string | undefined, Record<string, any>]> {
  if (!outputs) return [];
  if (outputs.federations) return Object.entries(outputs.federations as Record<string, Record<string, any>>).sort(([a], [b]) => a.localeCompare(b));
  return [[undefined, outputs]];
}

/** Every running sandbox's stop, for an interrupt (Ctrl-C) to run before the process exits. */
const running = new Set<() => Promise<void>>();

/** Stops every running sandbox: its servers, and its temporary keys and tokens. */
export async function stopAllSandboxes(): Promise<void> {
  await Promise.all([...running].map((stop) => stop()));
}

/** The sandbox's servers, started over a materialized plan. */
export interface Sandbox {
  readonly plan: PlanDocument;
  readonly network: SandboxNetwork;
  /** A temporary directory (keys, tokens), removed by `stop`. */
  readonly dir: string;
  readonly issuers: readonly SandboxIssuer[];
  readonly sts?: Emulator;
  readonly gcp?: GcpEmulators;
  readonly entra?: Emulator;
  stop(): Promise<void>;
}

/** Starts Okta and the emulators the plan needs, on loopback. */
export async function startSandbox(plan: PlanDocument): Promise<Sandbox> {
  const network = new SandboxNetwork();
  const dir = mkdtempSync(join(tmpdir(), "oktafed-sandbox-"));
  const stop = async () => {
    running.delete(stop);
    await network.close();
    rmSync(dir, { recursive: true, force: true });
  };
  running.add(stop);
  try {
    const uses = (type: string) => plan.resources.some((r) => r.type === type);
    const issuers = await startOkta(plan, network, dir);
    const sts = uses("aws:iam/role:Role") ? await startAwsSts(plan, network) : undefined;
    const gcp = uses("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider") ? await startGcp(plan, network) : undefined;
    const entra = uses("azure-native:managedidentity:UserAssignedIdentity") ? await startEntra(plan, network) : undefined;
    return { plan, network, dir, issuers, ...(sts ? { sts } : {}), ...(gcp ? { gcp } : {}), ...(entra ? { entra } : {}), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs the sandbox over an offline plan (placeholders are materialized first). */
export async function runSandbox(offlinePlan: PlanDocument, onExchange: (exchange: Exchange) => void = () => undefined): Promise<SandboxReport> {
  const sandbox = await startSandbox(materialize(offlinePlan));
  const { plan, network, dir, issuers, sts, gcp, entra } = sandbox;
  try {
    const other = await otherIssuer(network);

    const workloads: Workload[] = [];
    const awsRoles = sts ? awsRolesOf(plan) : [];
    for (const [federation, outputs] of federationsOf(plan.outputs)) {
      const issuer = issuers.find((i) => i.issuer === outputs.okta?.issuerUrl);
      if (!issuer) throw new Error(`the plan's outputs name issuer ${outputs.okta?.issuerUrl}, which no authorization server of the plan has`);
      for (const [key, service] of Object.entries(outputs.services as Record<string, ServiceOutputs>).sort(([a], [b]) => a.localeCompare(b))) {
        const label = federation ? `${federation}/${key}` : key;
        const tokenFile = join(dir, `${label.replace("/", "--")}.token`);
        const targets: Target[] = [];
        if (service.aws && sts) {
          const roleArn = String(service.aws.roleArn);
          targets.push({ label: `AWS role ${roleArn}`, owner: label, run: (file) => awsWorkload({ roleArn, tokenFile: file, sts }) });
          // Each action of the role's inline policy statements, with the service's session (aws/probes.ts).
          const role = awsRoles.find((r) => r.arn === roleArn);
          for (const probe of role ? awsActionProbes(role) : []) {
            const { action, resource, other } = probe;
            targets.push({
              label: `AWS ${action} on ${resource} (inline policy ${probe.policy}, statement ${probe.statement})`,
              owner: label,
              ...(other ? { other: { label: `AWS ${action} on ${other} (not granted)`, run: (file: string) => awsActionWorkload({ roleArn, tokenFile: file, sts, action, resource: other }) } } : {}),
              session: (file, asRole) => awsActionWorkload({ roleArn: asRole, tokenFile: file, sts, action, resource }),
              run: (file) => awsActionWorkload({ roleArn, tokenFile: file, sts, action, resource }),
            });
          }
        }
        if (service.gcp && gcp) {
          const config = service.gcp.credentialConfig as object;
          const what = service.gcp.serviceAccountEmail ? `GCP service account ${service.gcp.serviceAccountEmail}` : `GCP direct grants of ${service.gcp.principal}`;
          const email = service.gcp.serviceAccountEmail ? String(service.gcp.serviceAccountEmail) : undefined;
          targets.push({
            label: what,
            owner: label,
            ...(email ? { identity: what } : { principal: String(service.gcp.principal) }),
            run: (file) => gcpWorkload({ credentialConfig: config, tokenFile: file, gcp, plan }),
          });
          // Roles on single resources (gcp.resourceRoles), held by the service account or the principal.
          for (const grant of resourceGrantsOf(plan, email ? `serviceAccount:${email}` : String(service.gcp.principal), email)) {
            const other = otherResourceOf(grant);
            const onAccount = grant.resource.kind === "service-account" ? grant.resource.email : undefined;
            targets.push({
              label: `GCP ${grant.role} on ${gcpResourceText(grant.resource)}`,
              owner: label,
              ...(email ? { identity: what } : onAccount ? { identity: `GCP service account ${onAccount}` } : {}),
              ...(onAccount ? { heldBy: accountOwner(plan.outputs, onAccount) } : {}),
              ...(other
                ? { other: { label: `GCP ${grant.role} on ${gcpResourceText(other.resource)} (not granted)`, run: (file: string) => gcpResourceWorkload({ credentialConfig: config, tokenFile: file, gcp, grant: other }) } }
                : {}),
              run: (file) => gcpResourceWorkload({ credentialConfig: config, tokenFile: file, gcp, grant }),
            });
          }
        }
        if (service.azure && entra) {
          const { clientId, tenantId } = service.azure as { clientId: string; tenantId: string };
          targets.push({ label: `Azure identity ${clientId}`, owner: label, run: (file) => azureWorkload({ clientId, tenantId, tokenFile: file, entra }) });
        }
        const awsRoleArn = service.aws && sts ? String(service.aws.roleArn) : undefined;
        workloads.push({ label, clientId: String(service.clientId), issuer, client: issuer.clients.find((c) => c.clientId === service.clientId), tokenFile, targets, ...(awsRoleArn ? { awsRoleArn } : {}) });
      }
    }

    const exchanges: Exchange[] = [];
    const takeovers = takeoversOf(plan);
    const record = (who: string, target: Pick<Target, "label" | "principal" | "identity">, expected: "allowed" | "denied", outcome: ExchangeOutcome, holder?: string) => {
      const reached = outcome.ok && !(target.principal && !outcome.detail.includes(target.principal));
      const found = reached && holder && target.identity ? takeovers(holder, target.identity) : undefined;
      const planned: Verdict = reached === (expected === "allowed") ? (expected === "allowed" ? "allowed as planned" : "denied as planned") : "UNEXPECTED";
      const verdict: Verdict = planned === "UNEXPECTED" && reached && found?.accepted ? "accepted takeover" : planned;
      const takeover = found?.text;
      const exchange = { verdict, who, target: target.label, expected, outcome, ...(takeover ? { takeover } : {}) };
      exchanges.push(exchange);
      onExchange(exchange);
    };

    // Each workload gets its token as it would in production: the token command's code, over HTTP.
    for (const w of workloads) {
      const failed = await fetchToken({ issuer: w.issuer.issuer, clientId: w.clientId, privateKeyFile: w.client?.privateKeyFile ?? join(dir, "none.pem"), keyId: w.client?.kid ?? "none", scopes: w.client?.scopes.length ? [...w.client.scopes] : ["none"], tokenFile: w.tokenFile, fetch: network.fetch }).then(
        () => undefined,
        (error: Error) => error.message,
      );
      if (failed) {
        for (const target of w.targets) record(`${w.label} (no token)`, target, "allowed", { ok: false, code: "okta", message: `Okta issued no token: ${failed}` });
        w.targets.length = 0;
      }
    }
    for (const w of workloads) for (const target of w.targets) record(w.label, target, "allowed", await target.run(w.tokenFile), w.label);
    // The same role on another resource of its kind, with the service's own token and config.
    for (const w of workloads) for (const target of w.targets) if (target.other) record(w.label, { label: target.other.label }, "denied", await target.other.run(w.tokenFile), w.label);
    // Cross-service probes: a token at every target of another service; an AWS request with the
    // other service's own session when it has an AWS role.
    for (const w of workloads) {
      if (!w.client) continue;
      for (const owner of workloads.filter((o) => o !== w)) {
        for (const target of owner.targets.filter((t) => t.heldBy !== w.label)) {
          if (target.session && w.awsRoleArn) record(`session of ${w.label}`, target, "denied", await target.session(w.tokenFile, w.awsRoleArn), w.label);
          else record(`token of ${w.label}`, target, "denied", await target.run(w.tokenFile), w.label);
        }
      }
    }
    // Every AWS service's session rewriting every other service's role's trust: denied, unless an
    // identity-admin grant verify reports lets it in (the takeover). The session's inline policies
    // are simulated; a managed policy is not, so a grant verify judges from it is taken at its word.
    for (const w of workloads) {
      if (!w.awsRoleArn || !sts) continue;
      for (const owner of workloads.filter((o) => o !== w && o.awsRoleArn)) {
        const target = { label: `AWS iam:UpdateAssumeRolePolicy on ${owner.awsRoleArn}`, identity: `AWS role ${owner.label}` };
        let outcome = await awsActionWorkload({ roleArn: w.awsRoleArn, tokenFile: w.tokenFile, sts, action: "iam:UpdateAssumeRolePolicy", resource: owner.awsRoleArn! });
        if (!outcome.ok && outcome.code === "AccessDenied" && takeovers(w.label, target.identity)) {
          outcome = { ok: true, detail: `not simulated (the granting policy's document is not in the sandbox): allowed as verify judges ${w.label}'s identity-admin grant` };
        }
        record(w.label, target, "denied", outcome, w.label);
      }
    }
    // Another audience, and another issuer, with the service's own subject, at its own targets.
    for (const w of workloads) {
      const claims = { sub: w.clientId, cid: w.clientId, scp: w.client?.scopes ?? [] };
      const wrongAudience = join(dir, `${w.label.replace("/", "--")}.other-audience.token`);
      writeFileSync(wrongAudience, await w.issuer.sign({ ...claims, aud: OTHER_AUDIENCE }), { mode: 0o600 });
      const wrongIssuer = join(dir, `${w.label.replace("/", "--")}.other-issuer.token`);
      writeFileSync(wrongIssuer, await other.sign({ ...claims, aud: w.issuer.audience }), { mode: 0o600 });
      for (const target of w.targets) {
        record(`subject of ${w.label}, audience ${OTHER_AUDIENCE}`, target, "denied", await target.run(wrongAudience));
        record(`subject of ${w.label}, issuer ${OTHER_ISSUER}`, target, "denied", await target.run(wrongIssuer));
      }
    }
    const count = (v: Verdict) => exchanges.filter((e) => e.verdict === v).length;
    return {
      stack: plan.stack,
      exchanges,
      allowed: count("allowed as planned"),
      denied: count("denied as planned"),
      unexpected: count("UNEXPECTED"),
      acceptedTakeovers: count("accepted takeover"),
    };
  } finally {
    await sandbox.stop();
  }
}

/** The workload (`<key>` or `<federation>/<key>`) whose GCP service account is `email`, by the stack outputs. */
function accountOwner(outputs: Record<string, any> | undefined, email: string): string | undefined {
  for (const [federation, fed] of federationsOf(outputs)) {
    for (const [key, service] of Object.entries((fed.services ?? {}) as Record<string, ServiceOutputs>)) {
      if (String(service.gcp?.serviceAccountEmail ?? "").toLowerCase() === email.toLowerCase()) return federation ? `${federation}/${key}` : key;
    }
  }
  return undefined;
}

/**
 * The identity-admin grants of the plan as verify reads them (its model's identityAdminGrants, the
 * TAKE cells of its matrix): for a workload and an identity it reached, the grant that lets it in.
 */
function takeoversOf(plan: PlanDocument): (holder: string, identity: string) => { readonly text: string; readonly accepted: boolean } | undefined {
  let model: ReturnType<typeof extractModel>;
  try {
    model = extractModel(plan);
  } catch {
    // A plan verify's model cannot read names no takeover; the exchanges still decide.
    return () => undefined;
  }
  const labels = new Map(model.targets.map((t) => [t.id, t.label]));
  return (holder, identity) => {
    const grant = model.identityAdminGrants.find(
      (g) => (holder === g.service || holder.endsWith(`/${g.service}`)) && g.reach.some((id) => labels.get(id) === identity),
    );
    return grant ? { text: `${grant.service} holds ${grant.grant}, which ${grant.why}${grant.accepted ? " (accepted with allowIdentityAdmin: true)" : ""}`, accepted: grant.accepted } : undefined;
  };
}

/** An Okta org that no trust of the plan names, discoverable like any issuer. */
async function otherIssuer(network: SandboxNetwork): Promise<{ sign(claims: Record<string, unknown>): Promise<string> }> {
  const { privateKey, publicKey } = sandboxKeyPair("other org");
  const jwk = { ...(await exportJWK(publicKey)), kid: "other-org", alg: "RS256", use: "sig" };
  const path = new URL(OTHER_ISSUER).pathname;
  const server = await network.listen((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === `${path}/.well-known/openid-configuration`) res.end(JSON.stringify({ issuer: OTHER_ISSUER, jwks_uri: `${OTHER_ISSUER}/v1/keys`, token_endpoint: `${OTHER_ISSUER}/v1/token` }));
    else if (req.url === `${path}/v1/keys`) res.end(JSON.stringify({ keys: [jwk] }));
    else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  network.route(new URL(OTHER_ISSUER).origin, server.url);
  return {
    sign: (claims) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ ver: 1, jti: `AT.${randomUUID()}`, iss: OTHER_ISSUER, iat: now, exp: now + 300, ...claims }).setProtectedHeader({ alg: "RS256", kid: "other-org" }).sign(privateKey);
    },
  };
}

/** A line per exchange, for people. */
export function exchangeLine(e: Exchange): string {
  const { outcome } = e;
  const result = outcome.ok
    ? `${outcome.detail}${e.verdict === "denied as planned" ? " (its own principal, which holds none of the target's grants)" : ""}`
    : outcome.message.startsWith(outcome.code)
      ? outcome.message
      : `${outcome.code}: ${outcome.message}`;
  return `${e.verdict.padEnd(18)}  ${e.who} -> ${e.target}: ${result}${e.takeover ? `; identity-admin takeover: ${e.takeover}` : ""}`;
}

export function summaryLine(report: SandboxReport): string {
  const accepted = report.acceptedTakeovers ? `, ${report.acceptedTakeovers} accepted takeover${report.acceptedTakeovers === 1 ? "" : "s"} (allowIdentityAdmin)` : "";
  return `sandbox: ${report.allowed} exchanges allowed as planned, ${report.denied} denied as planned, ${report.unexpected} unexpected${accepted}`;
}
