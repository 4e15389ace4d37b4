/**
 * `okta-federation keygen`: creates a service's key pair for `private_key_jwt`. The private key goes
 * to a new file readable by its owner only (0600; an existing file is never overwritten); the
 * public key is printed as the JWK the stack config takes under `services.<key>.auth`, with a `kid`.
 * Okta keeps only the public key (https://developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp/main/#create-a-public-private-key-pair);
 * the private key never leaves the workload's side.
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, realpathSync } from "node:fs";
import { open } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { stringify } from "yaml";
import { parseFlags, type Io } from "./io";

/** RSA sizes Okta accepts for client keys; the assertion is signed with RS256. */
export const KEY_SIZES = [2048, 3072, 4096] as const;

/** The public half as the stack config holds it (`services.<key>.auth.jwks[]`). */
export interface PublicJwk {
  readonly kid: string;
  readonly kty: "RSA";
  readonly e: string;
  readonly n: string;
}

export interface ServiceKeyPair {
  /** PKCS#8 PEM: what `okta-federation token --private-key-file` reads. */
  readonly privateKeyPem: string;
  readonly publicJwk: PublicJwk;
}

/** A new RSA key pair with its key id. */
export function generateServiceKey(kid: string, bits: (typeof KEY_SIZES)[number] = 2048): ServiceKeyPair {
  if (!kid.trim()) throw new Error("the key id must not be empty");
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits, publicExponent: 0x10001 });
  const jwk = publicKey.export({ format: "jwk" });
  return {
    privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    publicJwk: { kid, kty: "RSA", e: jwk.e!, n: jwk.n! },
  };
}

/** The `auth` block of a service in the stack config, for a key pair's public half (YAML, indented for `services.<key>:`). */
export function authConfigYaml(jwk: PublicJwk): string {
  const text = stringify({ auth: { method: "private_key_jwt", jwks: [jwk] } }, { lineWidth: 0 });
  return text.replace(/^/gm, "    ").trimEnd() + "\n";
}

/** The git work tree that holds `dir` (the nearest directory up with a `.git`), if any. */
export function gitWorkTreeOf(dir: string): string | undefined {
  let current = dir;
  for (;;) {
    if (existsSync(join(current, ".git"))) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * Why writing a private key to `path` could end in a commit, or undefined when it cannot: a path
 * inside a git work tree must be git-ignored (`git check-ignore`: exit 0 ignored, 1 not), else
 * `git add .` would stage the key. When git cannot tell (no git installed), the key is refused too.
 */
export function privateKeyExposure(path: string): string | undefined {
  const absolute = resolve(path);
  let directory: string;
  try {
    directory = realpathSync(dirname(absolute));
  } catch {
    return undefined; // a missing directory: the write fails with its own error
  }
  const workTree = gitWorkTreeOf(directory);
  if (workTree === undefined) return undefined;
  const target = join(directory, basename(absolute));
  const check = spawnSync("git", ["-C", workTree, "check-ignore", "-q", "--", target], { stdio: "ignore" });
  if (check.status === 0) return undefined;
  const why =
    check.status === 1
      ? `it is inside the git work tree ${workTree} and not git-ignored, so \`git add .\` would commit it`
      : `it is inside the git work tree ${workTree} and git could not say whether it is ignored (${check.error ? (check.error as NodeJS.ErrnoException).code ?? check.error.message : `git check-ignore exited ${check.status}`})`;
  return `refusing to write the private key to ${path}: ${why}; write it outside the repository (--out /secure/place/<kid>.pem) or git-ignore the path first (e.g. *.pem in .gitignore)`;
}

export const KEYGEN_USAGE = `usage: okta-federation keygen --service KEY [--kid KID] [--out FILE] [--bits 2048|3072|4096] [--format yaml|json]
  --service  the service's key in the stack config (services.<key>)
  --kid      the key id registered with the Okta app (default: <service>-<yyyy-mm-dd>)
  --out      where to write the private key, mode 0600, never overwritten (default: ./<kid>.pem);
             inside a git work tree only if git ignores the path
  --bits     RSA key size (default 2048)
  --format   yaml: the service's auth block to paste under services.<key> (default);
             json: the public JWK alone`;

/** Creates the key pair; the private key to `--out`, the public JWK on stdout. */
export async function keygenCommand(argv: readonly string[], io: Io, now: () => Date = () => new Date()): Promise<number> {
  const parsed = parseFlags<{ service?: string; kid?: string; out?: string; bits?: string; format?: string }>(
    argv,
    { service: { type: "string" }, kid: { type: "string" }, out: { type: "string" }, bits: { type: "string" }, format: { type: "string" } },
    KEYGEN_USAGE,
    io,
  );
  if ("exit" in parsed) return parsed.exit;
  const { values } = parsed;
  const usageError = (message: string) => {
    io.stderr(`error: ${message}\n${KEYGEN_USAGE}\n`);
    return 2;
  };
  if (!values.service) return usageError("--service is required");
  if (!/^[a-z][a-z0-9-]*$/.test(values.service)) return usageError(`--service ${values.service} is not a service key (a-z, 0-9 and '-', starting with a letter)`);
  const bits = Number(values.bits ?? 2048);
  if (!KEY_SIZES.includes(bits as (typeof KEY_SIZES)[number])) return usageError(`--bits ${values.bits} is not allowed; allowed: ${KEY_SIZES.join(", ")}`);
  const format = values.format ?? "yaml";
  if (format !== "yaml" && format !== "json") return usageError(`--format ${format} is not allowed; allowed: yaml, json`);
  const kid = values.kid ?? `${values.service}-${now().toISOString().slice(0, 10)}`;
  if (!/^[\x21-\x7e]{1,64}$/.test(kid)) return usageError(`--kid must be 1-64 printable characters without spaces`);
  const out = values.out ?? `${kid}.pem`;
  const exposure = privateKeyExposure(out);
  if (exposure) {
    io.stderr(`error: ${exposure}\n`);
    return 1;
  }

  const pair = generateServiceKey(kid, bits as (typeof KEY_SIZES)[number]);
  try {
    // "wx": fail if the file exists: a private key in use is never replaced by accident.
    const handle = await open(out, "wx", 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(pair.privateKeyPem);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    io.stderr(`error: cannot write the private key to ${out}: ${code === "EEXIST" ? "the file exists (an existing key is never overwritten; choose another --out)" : (code ?? (error as Error).message)}\n`);
    return 1;
  }
  io.stdout(format === "json" ? `${JSON.stringify(pair.publicJwk)}\n` : authConfigYaml(pair.publicJwk));
  io.stderr(
    [
      `private key written to ${out} (mode 0600): give it to the workload only, as a secret; never commit it.`,
      format === "json"
        ? `add the JWK to services.${values.service}.auth.jwks in the stack config,`
        : `paste the auth block under services.${values.service} in the stack config (to rotate, add only the new jwks entry beside the current one),`,
      `deploy, then run the workload with: okta-federation token --private-key-file ${out} --key-id ${kid} …`,
      "",
    ].join("\n"),
  );
  return 0;
}
