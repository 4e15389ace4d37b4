/**
 * The GCP emulators over HTTP: the STS, IAM Credentials and the resources' IAM check, each on
 * loopback, sharing the tokens they issued.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PlanDocument } from "../../verify/model";
import type { SandboxNetwork } from "../network";
import type { Emulator } from "../types";
import { ApiError, type Tokens, generateAccessToken, testIamPermissions } from "./iam";
import { type FederatedToken, type GcpPlan, gcpPlan } from "./plan";
import { StsError, exchange, introspect } from "./sts";

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A form or JSON body as flat strings; JSON's camelCase names (the REST reference) as OAuth's. */
function parseForm(req: IncomingMessage, text: string): Record<string, string> {
  if (!String(req.headers["content-type"] ?? "").includes("json")) return Object.fromEntries(new URLSearchParams(text));
  const json = JSON.parse(text || "{}") as Record<string, unknown>;
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), String(v)]));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify(body));
}

function sendApiError(res: ServerResponse, error: ApiError): void {
  send(res, error.code, { error: { code: error.code, message: error.message, status: error.status, ...(error.details ? { details: error.details } : {}) } });
}

function stsHandler(model: GcpPlan, network: SandboxNetwork, tokens: Map<string, FederatedToken>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://sts").pathname;
    if (req.method !== "POST" || (path !== "/v1/token" && path !== "/v1/introspect")) {
      sendApiError(res, new ApiError(404, "NOT_FOUND", `The requested URL ${path} was not found on this server.`));
      return;
    }
    const form = parseForm(req, await readBody(req));
    if (path === "/v1/introspect") {
      send(res, 200, introspect(tokens.get(form.token ?? "")));
      return;
    }
    try {
      send(res, 200, await exchange(model, form, network.fetch, tokens));
    } catch (error) {
      if (!(error instanceof StsError)) throw error;
      send(res, 400, { error: error.error, error_description: error.description });
    }
  };
}

/** A JSON API of Google's: POST to the path `pattern` matches, answered by `answer` or an ApiError. */
function apiHandler(pattern: RegExp, answer: (req: IncomingMessage, match: RegExpExecArray, body: Record<string, unknown>) => Record<string, unknown>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://googleapis").pathname;
    const match = pattern.exec(path);
    if (req.method !== "POST" || !match) {
      sendApiError(res, new ApiError(404, "NOT_FOUND", `The requested URL ${path} was not found on this server.`));
      return;
    }
    const text = await readBody(req);
    try {
      const body = JSON.parse(text || "{}") as Record<string, unknown>;
      send(res, 200, answer(req, match, body));
    } catch (error) {
      if (error instanceof ApiError) sendApiError(res, error);
      else sendApiError(res, new ApiError(400, "INVALID_ARGUMENT", `Invalid JSON payload received. ${(error as Error).message}`));
    }
  };
}

/** Reports a handler's unexpected failure as a 500 rather than leaving the request hanging. */
function guarded(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handler(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendApiError(res, new ApiError(500, "INTERNAL", `sandbox: ${(error as Error).message}`));
      else res.end();
    });
  };
}

/** The emulators of one plan on loopback: STS, IAM Credentials, and the resources' IAM check. */
export interface GcpEmulators {
  readonly sts: Emulator;
  readonly iamCredentials: Emulator;
  /**
   * `POST /v1/<full resource name without the leading //>:testIamPermissions`: one endpoint for
   * every resource kind of gcp.resourceRoles, the sandbox's own (each Google API serves its own
   * testIamPermissions at its own host and path), with their request and answer.
   */
  readonly resources: Emulator;
}

/**
 * Starts the STS, IAM Credentials and resource IAM emulators for the (materialized) plan on the
 * network. The STS reaches issuers through `network.fetch`; the workload reaches the emulators on loopback.
 */
export async function startGcp(plan: PlanDocument, network: SandboxNetwork): Promise<GcpEmulators> {
  const model = gcpPlan(plan);
  // Shared: generateAccessToken accepts what this STS issued, the resources both kinds of token.
  const tokens: Tokens = { federated: new Map<string, FederatedToken>(), serviceAccounts: new Map() };
  const sts = await network.listen(guarded(stsHandler(model, network, tokens.federated)));
  const iamCredentials = await network.listen(
    guarded(apiHandler(/^\/v1\/projects\/[^/]+\/serviceAccounts\/([^/:]+):generateAccessToken$/, (req, match, body) => generateAccessToken(model, req, decodeURIComponent(match[1]!).toLowerCase(), body, tokens))),
  );
  const resources = await network.listen(guarded(apiHandler(/^\/v1\/(.+):testIamPermissions$/, (req, match, body) => testIamPermissions(model, req, `//${decodeURIComponent(match[1]!)}`, body, tokens))));
  return { sts: { url: sts.url }, iamCredentials: { url: iamCredentials.url }, resources: { url: resources.url } };
}
