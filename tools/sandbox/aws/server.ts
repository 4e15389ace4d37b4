/**
 * The AWS emulator over HTTP: STS's query protocol on loopback, answered in STS's XML
 * (`AssumeRoleWithWebIdentityResponse`, or an `ErrorResponse` with the error's HTTP status); and
 * `POST /sandbox/authorize` (JSON), the sandbox's stand-in for an API call made with the issued
 * credentials (aws/iam.ts).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PlanDocument } from "../../verify/model";
import type { SandboxNetwork } from "../network";
import type { Emulator } from "../types";
import { byType, providersOf, randomId, rolesOf } from "./plan";
import { type Sessions, authorize } from "./iam";
import { type Assumed, StsError, decide } from "./sts";

const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

/** Element text only (the sandbox writes no attribute from input): quotes stay as they are, as STS writes them. */
function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The session's ARN, as STS names it in AssumedRoleUser. */
const sessionArn = (a: Assumed) => `arn:aws:sts::${a.role.account}:assumed-role/${a.role.name}/${a.session}`;

/** STS's answer; the session is remembered by its access key for the authorization requests. */
function successXml(a: Assumed, requestId: string, sessions: Sessions): string {
  const expiration = new Date(Date.now() + a.durationSeconds * 1000);
  // Real session tokens are opaque base64 that starts with this prefix; the length is not fixed.
  const sessionToken = `IQoJb3JpZ2luX2Vj${randomBytes(300).toString("base64")}`;
  const accessKeyId = `ASIA${randomId(16)}`;
  sessions.set(accessKeyId, { role: a.role, arn: sessionArn(a), sessionToken });
  return [
    `<AssumeRoleWithWebIdentityResponse xmlns="${STS_NAMESPACE}">`,
    "  <AssumeRoleWithWebIdentityResult>",
    `    <SubjectFromWebIdentityToken>${escapeXml(a.subject)}</SubjectFromWebIdentityToken>`,
    `    <Audience>${escapeXml(a.audience)}</Audience>`,
    "    <AssumedRoleUser>",
    `      <Arn>${escapeXml(sessionArn(a))}</Arn>`,
    `      <AssumedRoleId>${a.role.uniqueId}:${escapeXml(a.session)}</AssumedRoleId>`,
    "    </AssumedRoleUser>",
    "    <Credentials>",
    `      <AccessKeyId>${accessKeyId}</AccessKeyId>`,
    `      <SecretAccessKey>${randomBytes(30).toString("base64")}</SecretAccessKey>`,
    `      <SessionToken>${sessionToken}</SessionToken>`,
    `      <Expiration>${isoSeconds(expiration)}</Expiration>`,
    "    </Credentials>",
    `    <Provider>${escapeXml(a.provider.arn)}</Provider>`,
    "  </AssumeRoleWithWebIdentityResult>",
    `  <ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`,
    "</AssumeRoleWithWebIdentityResponse>",
  ].join("\n");
}

function errorXml(error: StsError, requestId: string): string {
  return [
    `<ErrorResponse xmlns="${STS_NAMESPACE}">`,
    `  <Error><Type>Sender</Type><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error>`,
    `  <RequestId>${requestId}</RequestId>`,
    "</ErrorResponse>",
  ].join("\n");
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, requestId: string, xml: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "text/xml");
  res.setHeader("x-amzn-requestid", requestId);
  res.end(xml);
}

/** Starts the STS emulator for the (materialized) plan's IAM OIDC providers and roles. */
export async function startAwsSts(plan: PlanDocument, network: SandboxNetwork): Promise<Emulator> {
  const roleResources = byType(plan, "aws:iam/role:Role");
  const providers = providersOf(plan, roleResources);
  const roles = rolesOf(plan, roleResources);
  const sessions: Sessions = new Map();
  const server = await network.listen((req, res) => {
    const requestId = randomUUID();
    if (req.method === "POST" && req.url === "/sandbox/authorize") {
      void readBody(req).then((body) => {
        let request: Record<string, unknown> = {};
        try {
          request = JSON.parse(body) as Record<string, unknown>;
        } catch {
          // An unreadable request carries no valid key: refused below.
        }
        const answer = authorize(sessions, request);
        res.statusCode = answer.status;
        res.setHeader("content-type", "application/json");
        res.setHeader("x-amzn-requestid", requestId);
        res.end(JSON.stringify(answer.body));
      });
      return;
    }
    void (async () => {
      // The query protocol: parameters in the form body (POST) or the query string (GET).
      const params = new URLSearchParams(new URL(req.url ?? "/", "http://sts").search);
      for (const [k, v] of new URLSearchParams(await readBody(req))) params.set(k, v);
      const assumed = await decide(params, providers, roles, network.fetch);
      send(res, 200, requestId, successXml(assumed, requestId, sessions));
    })().catch((error: unknown) => {
      const stsError = error instanceof StsError ? error : new StsError(500, "InternalFailure", `sandbox STS failed: ${(error as Error).message}`);
      send(res, stsError.status, requestId, errorXml(stsError, requestId));
    });
  });
  return { url: server.url };
}
