/**
 * The sandbox's network: HTTP servers on 127.0.0.1 with ephemeral ports, and one `fetch` for
 * everything in the sandbox that reaches an issuer. An issuer keeps its real https URL (the one every
 * trust pins); the fetch delivers its requests to the loopback server that plays it, with the
 * forwarded host and scheme, so the issuer builds its URLs as the real one would. Anything else
 * that is not on loopback is refused: the sandbox never leaves the machine.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly server: Server;
}

/** A network with its routes and servers; `close` stops every server. */
export class SandboxNetwork {
  private readonly routes = new Map<string, string>();
  private readonly servers: Server[] = [];

  /** Starts a server on 127.0.0.1 with an ephemeral port. */
  async listen(handler: Handler): Promise<LoopbackServer> {
    const server = createServer(handler);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    this.servers.push(server);
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  }

  /** Requests to `origin` (e.g. https://acme.okta.com) go to the loopback `url` instead. */
  route(origin: string, url: string): void {
    this.routes.set(new URL(origin).origin, url);
  }

  /** The loopback URL that plays `url`'s origin, with the same path and query. */
  resolve(url: string): { url: string; forwarded?: { host: string; proto: string } } {
    const parsed = new URL(url);
    const target = this.routes.get(parsed.origin);
    if (target) return { url: `${target}${parsed.pathname}${parsed.search}`, forwarded: { host: parsed.host, proto: parsed.protocol.replace(":", "") } };
    if (parsed.hostname === "127.0.0.1" || parsed.hostname === "localhost") return { url };
    throw new Error(`sandbox: refused to reach ${parsed.origin}: the sandbox stays on 127.0.0.1`);
  }

  /** A fetch bound to this network (WHATWG fetch signature). */
  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const { url, forwarded } = this.resolve(request.url);
    const headers = new Headers(request.headers);
    if (forwarded) {
      headers.set("x-forwarded-host", forwarded.host);
      headers.set("x-forwarded-proto", forwarded.proto);
    }
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
    return fetch(url, { method: request.method, headers, body, redirect: "manual", signal: request.signal });
  };

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections?.();
            server.close(() => resolve());
          }),
      ),
    );
    this.servers.length = 0;
  }
}
