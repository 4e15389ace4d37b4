/**
 * The plugin as the Pulumi CLI starts it, minus the CLI: the Node.js language host runs
 * `node @pulumi/pulumi/cmd/run-plugin <PulumiPlugin.yaml's main>` (PulumiPlugin.yaml has
 * `typescript: false`, so no ts-node), the plugin prints its gRPC port, and the engine calls
 * GetSchema on it. Here the test plays the engine.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = join(__dirname, "..", "..");
// The SDK's generated gRPC stubs and grpc-js (a dependency of @pulumi/pulumi); not in the kit's typings.
const grpc = require("@grpc/grpc-js") as { credentials: { createInsecure(): unknown } };
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb") as {
  ResourceProviderClient: new (address: string, credentials: unknown) => {
    getSchema(request: unknown, callback: (error: Error | null, response: { getSchema(): string }) => void): void;
    close(): void;
  };
};
const provproto = require("@pulumi/pulumi/proto/provider_pb") as { GetSchemaRequest: new () => { setVersion(v: number): void } };

let plugin: ChildProcess | undefined;
afterAll(() => {
  if (plugin?.pid !== undefined && plugin.exitCode === null) plugin.kill();
});

/** Starts the plugin as the language host does and resolves with the port it prints. */
function startPlugin(main: string): Promise<number> {
  return new Promise((resolve, reject) => {
    plugin = spawn(process.execPath, [join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin"), join(ROOT, main)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    plugin.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const port = /^(\d+)\s*$/m.exec(stdout);
      if (port) resolve(Number(port[1]));
    });
    plugin.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    plugin.on("exit", (code) => reject(new Error(`the plugin exited ${code} before printing its port\n${stdout}\n${stderr}`)));
  });
}

describe("the plugin PulumiPlugin.yaml declares", () => {
  const manifest = parse(readFileSync(join(ROOT, "PulumiPlugin.yaml"), "utf8"));

  it("is a nodejs plugin whose entry is provider/, without Pulumi's ts-node", () => {
    expect(manifest).toEqual({ runtime: { name: "nodejs", options: { typescript: false, packagemanager: "npm" } }, main: "provider" });
  });

  it("starts as the language host runs it and answers GetSchema over gRPC with the package's components", async () => {
    const port = await startPlugin(manifest.main);
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const request = new provproto.GetSchemaRequest();
    request.setVersion(0);
    const schema = await new Promise<{ name: string; resources: Record<string, { isComponent?: boolean }> }>((resolve, reject) =>
      client.getSchema(request, (error, response) => (error ? reject(error) : resolve(JSON.parse(response.getSchema())))),
    );
    client.close();
    expect(schema.name).toBe("okta-federation");
    expect(Object.keys(schema.resources)).toHaveLength(8);
    expect(schema.resources["okta-federation:index:Federation"]?.isComponent).toBe(true);
  });
});
