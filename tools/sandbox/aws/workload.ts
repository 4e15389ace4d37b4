/**
 * The AWS workload's side: the SDK's web-identity credential provider (@aws-sdk/credential-providers'
 * `fromTokenFile`, what a Node workload uses with AWS_WEB_IDENTITY_TOKEN_FILE) against the emulator.
 */
import { fromTokenFile } from "@aws-sdk/credential-providers";
import type { Emulator, ExchangeOutcome } from "../types";

/** The session name the sandbox's workload passes (a user sets AWS_ROLE_SESSION_NAME, docs/credentials.md). */
const SESSION_NAME = "okta-federation-sandbox";

/**
 * The workload as a user runs it: the SDK's web-identity provider reads the token file and calls
 * AssumeRoleWithWebIdentity at `sts.url` (its `clientConfig.endpoint` reaches the nested STS client).
 */
export async function awsWorkload(args: { roleArn: string; tokenFile: string; sts: Emulator; region?: string }): Promise<ExchangeOutcome> {
  const provider = fromTokenFile({
    roleArn: args.roleArn,
    webIdentityTokenFile: args.tokenFile,
    roleSessionName: SESSION_NAME,
    clientConfig: { endpoint: args.sts.url, region: args.region ?? "us-east-1" },
  });
  try {
    const credentials = await provider();
    const expires = credentials.expiration ? credentials.expiration.toISOString() : "never";
    return { ok: true, detail: `credentials for ${args.roleArn} (${credentials.accessKeyId.slice(0, 8)}…, expires ${expires})` };
  } catch (error) {
    return { ok: false, code: errorCode(error), message: (error as Error).message };
  }
}

/** The STS error code as the wire carried it (the SDK names modeled errors `…Exception`). */
function errorCode(error: unknown): string {
  const e = error as { name?: string; Code?: string; Error?: { Code?: string } };
  return e.Error?.Code ?? e.Code ?? e.name ?? "Error";
}

/**
 * The workload using its session: credentials from the SDK's web-identity provider (as
 * `awsWorkload`), then the request `action` on `resource` with them, authorized by the emulator
 * (`POST /sandbox/authorize`, aws/iam.ts): allowed names the inline policy that allows it, a
 * refusal is IAM's AccessDenied; both say which of the role's policies were not simulated.
 */
export async function awsActionWorkload(args: { roleArn: string; tokenFile: string; sts: Emulator; action: string; resource: string }): Promise<ExchangeOutcome> {
  const provider = fromTokenFile({
    roleArn: args.roleArn,
    webIdentityTokenFile: args.tokenFile,
    roleSessionName: SESSION_NAME,
    clientConfig: { endpoint: args.sts.url, region: "us-east-1" },
  });
  let credentials: Awaited<ReturnType<typeof provider>>;
  try {
    credentials = await provider();
  } catch (error) {
    return { ok: false, code: errorCode(error), message: (error as Error).message };
  }
  const response = await fetch(`${args.sts.url}/sandbox/authorize`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ accessKeyId: credentials.accessKeyId, sessionToken: credentials.sessionToken, action: args.action, resource: args.resource }),
  });
  const body = (await response.json()) as { decision?: string; detail?: string; code?: string; message?: string };
  if (response.status === 200 && body.decision === "Allowed") return { ok: true, detail: String(body.detail) };
  return { ok: false, code: String(body.code ?? response.status), message: String(body.message ?? "") };
}
