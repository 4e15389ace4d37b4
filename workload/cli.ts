#!/usr/bin/env node
/**
 * The `okta-federation` command a workload runs: `token` (get the service's Okta access token and
 * write the token file; also a GCP executable source), `credentials` (the cloud SDK settings from
 * the stack's outputs), `keygen` (a new key pair for a service) and `smoke` (after deploy, a real
 * token of the service exchanged at each cloud it uses). No Pulumi and no cloud SDK here: the workload
 * side needs none of the provisioning packages (see README, "The workload package").
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { credentialsCommand } from "./credentials";
import { runCommand, type Command, type Io } from "./io";
import { keygenCommand } from "./keygen";
import { smokeCommand } from "./smoke";
import { tokenCommand } from "./token";

const COMMANDS: Readonly<Record<string, { readonly run: Command; readonly summary: string }>> = {
  token: { run: (argv, io) => tokenCommand(argv, io), summary: "get the service's Okta access token (client credentials, private_key_jwt) and write the token file" },
  credentials: { run: credentialsCommand, summary: "print a service's AWS, GCP or Azure credential settings from the stack's outputs" },
  keygen: { run: keygenCommand, summary: "create a service's key pair: private key to a 0600 file, public JWK for the stack config" },
  smoke: { run: (argv, io) => smokeCommand(argv, io), summary: "after deploy: get the service's real token, check it and exchange it at each cloud it uses" },
};

export const USAGE = [
  "usage: okta-federation <command> [flags]   (okta-federation <command> --help for its flags)",
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)}${c.summary}`),
].join("\n");

function version(): string {
  // dist/workload/cli.js and workload/cli.ts both sit two levels below package.json.
  for (const up of [join(__dirname, "..", "package.json"), join(__dirname, "..", "..", "package.json")]) {
    try {
      const pkg = JSON.parse(readFileSync(up, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "okta-federation") return pkg.version ?? "unknown";
    } catch {
      // try the next
    }
  }
  return "unknown";
}

/** Dispatches to a command; returns its exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout)(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") {
    io.stdout(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`error: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(", ")}\n${USAGE}\n`);
    return 2;
  }
  return command.run(rest, io);
}

if (require.main === module) runCommand(main);
