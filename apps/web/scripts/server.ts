// The production server: Next.js through its custom-server API on node:http, so that every request's
// X-Forwarded-For ends with the TCP peer. `next start` keeps a browser-sent X-Forwarded-For as it is (it only
// fills the header when absent), which would let a browser choose the address the API's limits count.
// It also bounds what a connection can hold, as the API does (tooling/net-guard.mts, shared with it).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import next from "next";
import { connectionsCheckingIntervalMs, guardConnections } from "../../../tooling/net-guard.mjs";
import type { WebEnv } from "../src/env";
import { appendPeer, markPeerAppended } from "../src/lib/client-address";

type ConnectionSettings = Pick<
  WebEnv,
  | "WEB_HEADERS_TIMEOUT_MS"
  | "WEB_REQUEST_TIMEOUT_MS"
  | "WEB_KEEP_ALIVE_TIMEOUT_MS"
  | "WEB_MAX_CONNECTIONS"
  | "WEB_MAX_CONNECTIONS_PER_CLIENT"
  | "WEB_TRUST_PROXY_HOPS"
>;

/**
 * An HTTP server with the API's connection limits: Node's `headersTimeout` (checked often enough to bite within
 * a second), `requestTimeout` and `keepAliveTimeout`; a deadline from accepting a connection to its first
 * request's headers (a silent or trickling client is closed); at most WEB_MAX_CONNECTIONS connections, idle
 * keep-alives making room first; at most WEB_MAX_CONNECTIONS_PER_CLIENT per client address, unless proxies of
 * ours (WEB_TRUST_PROXY_HOPS > 0) are the peers, whose connections carry many clients.
 */
export function createWebServer(
  settings: ConnectionSettings,
  handler: Parameters<typeof createServer>[1],
  onRefused: (reason: string, peer: string) => void = () => {},
): Server {
  const headersTimeout = Math.min(settings.WEB_HEADERS_TIMEOUT_MS, settings.WEB_REQUEST_TIMEOUT_MS);
  const server = createServer({ connectionsCheckingInterval: connectionsCheckingIntervalMs(headersTimeout) }, handler);
  server.headersTimeout = headersTimeout;
  server.requestTimeout = settings.WEB_REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = settings.WEB_KEEP_ALIVE_TIMEOUT_MS;
  const behindProxies = settings.WEB_TRUST_PROXY_HOPS > 0;
  guardConnections(server, {
    maxConnections: settings.WEB_MAX_CONNECTIONS,
    maxConnectionsPerClient: settings.WEB_MAX_CONNECTIONS_PER_CLIENT,
    headersTimeoutMs: headersTimeout,
    isTrustedPeer: () => behindProxies,
    onRefused,
  });
  return server;
}

export async function serveProduction(dir: string, env: WebEnv): Promise<void> {
  let handle: ReturnType<ReturnType<typeof next>["getRequestHandler"]> | undefined;
  let ready: () => void = () => {};
  const prepared = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const server = createWebServer(
    env,
    async (req, res) => {
      req.headers["x-forwarded-for"] = appendPeer(req.headers["x-forwarded-for"], req.socket.remoteAddress);
      await prepared;
      handle!(req, res).catch((err: unknown) => {
        // The error's name only: its message or stack could carry request data.
        const error = err instanceof Error ? err.name : typeof err;
        console.log(JSON.stringify({ level: "error", time: new Date().toISOString(), msg: "unhandled error", error }));
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("Internal Server Error");
      });
    },
    (reason, peer) =>
      console.log(
        JSON.stringify({ level: "warn", time: new Date().toISOString(), msg: "connection refused", reason, peer }),
      ),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.WEB_PORT, env.WEB_HOST, () => resolve());
  });
  // Next.js must know where it listens: a Server Action that redirects fetches the target page from this origin
  // (by default it would ask localhost:3000, the API's port, with the person's cookies).
  const port = (server.address() as AddressInfo).port;
  const wildcard = env.WEB_HOST === undefined || env.WEB_HOST === "0.0.0.0" || env.WEB_HOST === "::";
  const app = next({ dev: false, dir, hostname: wildcard ? "localhost" : env.WEB_HOST, port });
  handle = app.getRequestHandler();
  await app.prepare();
  markPeerAppended();
  ready();
  console.log(`web app: listening on http://${env.WEB_HOST ?? "localhost"}:${port}`);
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, () => {
      server.close();
      server.closeIdleConnections();
      app.close().finally(() => process.exit(0));
    });
}
