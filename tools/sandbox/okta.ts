/**
 * The sandbox's Okta: each authorization server of the plan played by oidc-provider (a real OAuth
 * server) at the server's own issuer URL, set up as the plan sets Okta up. A service gets a token
 * when a policy of the server names its client and a rule of that policy allows client_credentials
 * with the scopes it asks for; the token is shaped as Okta's (`ver`, `jti`, `iss`, `aud`, `iat`,
 * `exp`, `cid`, `scp`, `sub` = the client id, and the server's claims: those limited to scopes only
 * when a granted scope names them). Okta's discovery and keys live under the issuer
 * (`/.well-known/openid-configuration`, `/v1/keys`), and its token endpoint is `<issuer>/v1/token`.
 *
 * An adopted authorization server (`okta.authorizationServer.existing`) is read, not created: it is
 * played at the issuer the plan predicts (the config's org, issuer mode and server id; the deploy
 * checks it against Okta's) with the audience the config names, as verify's model reads them. Its
 * other policies, scopes and claims in Okta are not in the plan and are not played.
 *
 * What the plan cannot give: the services' private keys. The sandbox makes a key pair per service
 * and registers its public key in place of the planned ones; the registered keys are the config's
 * business, the sandbox's is the trust. A token hook's claims are not added (they come from the
 * hook at run time).
 */
import { randomUUID, type KeyObject } from "node:crypto";
import { sandboxKeyPair } from "./keys";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { SignJWT, exportJWK } from "jose";
import { extractModel, type PlanDocument, type PlanResource } from "../verify/model";
import type { SandboxNetwork } from "./network";

/** A service app as the sandbox issues it tokens. */
export interface SandboxClient {
  /** The resource name of the app (`federation-payments-app`). */
  readonly app: string;
  readonly clientId: string;
  /** Where its private key is (PEM, mode 0600). */
  readonly privateKeyFile: string;
  readonly kid: string;
  /** Scopes a rule grants it for client_credentials; empty when no rule does (Okta refuses it). */
  readonly scopes: readonly string[];
  readonly lifetimeMinutes: number;
}

export interface SandboxIssuer {
  /** The server's resource name (`federation-authz-server`). */
  readonly server: string;
  readonly issuer: string;
  readonly audience: string;
  readonly clients: readonly SandboxClient[];
  /** Signs a token with the issuer's own key: for probes (another audience, an unknown client…). */
  sign(claims: Record<string, unknown>, lifetimeSeconds?: number): Promise<string>;
}

const OKTA_DENIED = "Policy evaluation failed for this request, please check the policy configurations.";

const byType = (plan: PlanDocument, type: string) => plan.resources.filter((r) => r.type === type);
const value = (r: PlanResource, key: string): any => r.inputs[key] ?? r.afterDeploy?.[key] ?? (key === "id" ? r.id : undefined);

/** A static claim value: Okta expressions the kit writes are string literals ("acme"). */
function claimValue(expression: unknown): unknown {
  if (typeof expression !== "string") return undefined;
  try {
    return JSON.parse(expression);
  } catch {
    return undefined;
  }
}

interface ProviderLike {
  proxy: boolean;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * Starts one issuer per authorization server of the (materialized) plan, on the network; keys go
 * to `keyDir`. Servers of one Okta org share an origin and are told apart by their path.
 */
export async function startOkta(plan: PlanDocument, network: SandboxNetwork, keyDir: string): Promise<SandboxIssuer[]> {
  const specifier = "oidc-provider";
  const { default: Provider, errors } = (await import(specifier)) as {
    default: new (issuer: string, config: Record<string, unknown>) => ProviderLike;
    errors: { AccessDenied: new (description: string) => Error };
  };
  const issuers: SandboxIssuer[] = [];
  const mounts = new Map<string, Array<{ prefix: string; handle: (req: IncomingMessage, res: ServerResponse) => void }>>();

  // Issuer and audience as verify's model reads them: a created server's from its inputs, an
  // adopted one's (read, not created) as the plan predicts them (its afterDeploy, from the config).
  const { issuers: trusted } = extractModel(plan);
  for (const server of byType(plan, "okta:auth/server:Server")) {
    const serverId = String(value(server, "id"));
    const issuer = String(value(server, "issuer"));
    const audience = trusted.find((i) => i.issuer === issuer)?.audience ?? "";
    const scopesOfServer = byType(plan, "okta:auth/serverScope:ServerScope").filter((s) => s.inputs.authServerId === serverId).map((s) => String(s.inputs.name));
    const claims = byType(plan, "okta:auth/serverClaim:ServerClaim").filter((c) => c.inputs.authServerId === serverId && c.inputs.claimType === "RESOURCE" && c.inputs.status !== "INACTIVE");
    const policies = byType(plan, "okta:auth/serverPolicy:ServerPolicy").filter((p) => p.inputs.authServerId === serverId && p.inputs.status !== "INACTIVE");
    const rules = byType(plan, "okta:auth/serverPolicyRule:ServerPolicyRule").filter((r) => r.inputs.authServerId === serverId && r.inputs.status !== "INACTIVE");

    const clients: SandboxClient[] = [];
    const clientMetadata: Record<string, unknown>[] = [];
    for (const app of byType(plan, "okta:app/oAuth:OAuth")) {
      const clientId = String(value(app, "clientId"));
      const policy = [...policies]
        .sort((a, b) => Number(a.inputs.priority ?? 0) - Number(b.inputs.priority ?? 0))
        .find((p) => (p.inputs.clientWhitelists as string[] | undefined)?.some((c) => c === clientId || c === "ALL_CLIENTS"));
      // Only apps this server's policies name are its clients (an app of another server is not).
      if (!policy) continue;
      const rule = rules
        .filter((r) => r.inputs.policyId === value(policy, "id") && (r.inputs.grantTypeWhitelists as string[] | undefined)?.includes("client_credentials"))
        .sort((a, b) => Number(a.inputs.priority ?? 0) - Number(b.inputs.priority ?? 0))[0];
      const granted = ((rule?.inputs.scopeWhitelists as string[] | undefined) ?? []).flatMap((s) => (s === "*" ? scopesOfServer : [s]));
      const { privateKey, publicKey } = sandboxKeyPair(`client ${app.name}`);
      const kid = `${app.name}-sandbox`;
      const privateKeyFile = join(keyDir, `${app.name}.pem`);
      writeFileSync(privateKeyFile, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
      clients.push({ app: app.name, clientId, privateKeyFile, kid, scopes: granted, lifetimeMinutes: Number(rule?.inputs.accessTokenLifetimeMinutes ?? 60) });
      clientMetadata.push({
        client_id: clientId,
        token_endpoint_auth_method: "private_key_jwt",
        token_endpoint_auth_signing_alg: "RS256",
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, use: "sig", alg: "RS256" }] },
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
        scope: scopesOfServer.join(" "),
      });
    }

    const { privateKey: signingKey } = sandboxKeyPair(`server ${issuer}`);
    const signingKid = `${server.name}-sandbox`;
    const byClient = new Map(clients.map((c) => [c.clientId, c]));
    const provider = new Provider(issuer, {
      clients: clientMetadata,
      jwks: { keys: [{ ...(await exportJWK(signingKey)), kid: signingKid, use: "sig", alg: "RS256" }] },
      routes: { token: "/v1/token", jwks: "/v1/keys" },
      scopes: scopesOfServer,
      clientAuthMethods: ["private_key_jwt"],
      ttl: { ClientCredentials: (_ctx: unknown, _token: unknown, client: { clientId: string }) => (byClient.get(client.clientId)?.lifetimeMinutes ?? 60) * 60 },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => audience,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string, client: { clientId: string }) => {
            const spec = byClient.get(client.clientId);
            if (!spec || spec.scopes.length === 0) throw new errors.AccessDenied(OKTA_DENIED);
            if (resource !== audience) throw new errors.AccessDenied(OKTA_DENIED);
            return { scope: spec.scopes.join(" "), audience, accessTokenTTL: spec.lifetimeMinutes * 60, accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } } };
          },
        },
      },
      formats: {
        customizers: {
          // Okta's access-token shape (developer.okta.com, "Access token" reference: ver, jti, iss, aud, iat, exp, cid, scp, sub).
          jwt: (_ctx: unknown, _token: unknown, jwt: { payload: Record<string, unknown> }) => {
            const p = jwt.payload;
            const scopes = String(p.scope ?? "").split(" ").filter(Boolean);
            const extra: Record<string, unknown> = {};
            for (const claim of claims) {
              const limited = claim.inputs.scopes as string[] | undefined;
              if (limited?.length && !limited.some((s) => scopes.includes(s))) continue;
              const v = claimValue(claim.inputs.value);
              if (v !== undefined) extra[String(claim.inputs.name)] = v;
            }
            jwt.payload = { ver: 1, jti: `AT.${String(p.jti)}`, iss: p.iss, aud: p.aud, iat: p.iat, exp: p.exp, cid: p.client_id, scp: scopes, sub: p.client_id, ...extra };
          },
        },
      },
    });
    provider.proxy = true;
    const url = new URL(issuer);
    const callback = provider.callback();
    const list = mounts.get(url.origin) ?? [];
    list.push({
      prefix: url.pathname.replace(/\/$/, ""),
      handle: (req, res) => {
        (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
        req.url = req.url!.slice(url.pathname.replace(/\/$/, "").length) || "/";
        callback(req, res);
      },
    });
    mounts.set(url.origin, list);
    issuers.push({
      server: server.name,
      issuer,
      audience,
      clients,
      sign: (claimsToSign, lifetimeSeconds = 300) => signWith(signingKey, signingKid, issuer, claimsToSign, lifetimeSeconds),
    });
  }

  for (const [origin, list] of mounts) {
    // Longest prefix first: /oauth2/aus1 must not catch /oauth2/aus12.
    list.sort((a, b) => b.prefix.length - a.prefix.length);
    const org = await network.listen((req, res) => {
      const mount = list.find((m) => req.url === m.prefix || req.url?.startsWith(`${m.prefix}/`));
      if (!mount) {
        res.statusCode = 404;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ errorCode: "E0000022", errorSummary: "The endpoint does not support the provided HTTP method" }));
        return;
      }
      mount.handle(req, res);
    });
    network.route(origin, org.url);
  }
  return issuers;
}

async function signWith(key: KeyObject, kid: string, issuer: string, claims: Record<string, unknown>, lifetimeSeconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ver: 1, jti: `AT.${randomUUID()}`, iss: issuer, iat: now, exp: now + lifetimeSeconds, ...claims }).setProtectedHeader({ alg: "RS256", kid }).sign(key);
}
