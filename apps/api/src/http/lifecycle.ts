import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { errorBody } from "@todo/contract";
import type { Logger } from "pino";
import { type ConnectionGuard, guardConnections } from "../../../../tooling/net-guard.mjs";
import type { Env } from "../config/env.js";

export type LifecycleSettings = Pick<
  Env,
  | "REQUEST_TIMEOUT_MS"
  | "KEEP_ALIVE_TIMEOUT_MS"
  | "HEADERS_TIMEOUT_MS"
  | "MAX_CONNECTIONS"
  | "MAX_CONNECTIONS_PER_CLIENT"
  | "SHUTDOWN_DELAY_MS"
  | "SHUTDOWN_GRACE_MS"
>;

const DEADLINE_BODY = JSON.stringify(errorBody("SERVICE_UNAVAILABLE", "The request took too long; try again shortly"));

/**
 * The HTTP server's life: Node's timeouts, a deadline for every request, the set of responses in flight,
 * and the drain on shutdown. `isAccepting` turns false once shutdown starts (/readyz answers 503 then).
 */
export class ServerLifecycle {
  private accepting = true;
  private readonly inFlight = new Set<ServerResponse>();

  constructor(
    private readonly settings: LifecycleSettings,
    private readonly logger: Logger,
  ) {}

  readonly isAccepting = (): boolean => this.accepting;

  /**
   * Call right after `listen`, before the first request can arrive. `isTrustedPeer`: the proxies in front of
   * the API (TRUST_PROXY), exempt from the per-client connection cap since they carry many clients.
   */
  attach(server: Server, isTrustedPeer?: (address: string) => boolean): ConnectionGuard {
    applyTimeouts(server, this.settings);
    const guard = guardConnections(server, {
      maxConnections: this.settings.MAX_CONNECTIONS,
      maxConnectionsPerClient: this.settings.MAX_CONNECTIONS_PER_CLIENT,
      headersTimeoutMs: server.headersTimeout,
      isTrustedPeer,
      onRefused: (reason, peer) => this.logger.warn({ reason, ip: peer }, "connection refused"),
    });
    this.trackInFlight(server);
    return guard;
  }

  /**
   * Stops accepting (every response from here asks its client to reconnect elsewhere), waits
   * SHUTDOWN_DELAY_MS for load balancers to notice, runs `beforeClose`, then lets in-flight requests
   * finish for up to SHUTDOWN_GRACE_MS before cutting the remaining connections.
   */
  async drain(server: Server, beforeClose: () => void): Promise<void> {
    this.accepting = false;
    for (const res of this.inFlight) closeAfterResponse(res);
    if (this.settings.SHUTDOWN_DELAY_MS > 0) await delay(this.settings.SHUTDOWN_DELAY_MS);
    beforeClose();
    await new Promise<void>((done) => {
      const force = setTimeout(() => {
        this.logger.warn({ inFlight: this.inFlight.size }, "shutdown grace period over: closing remaining connections");
        server.closeAllConnections();
      }, this.settings.SHUTDOWN_GRACE_MS).unref();
      server.close(() => {
        clearTimeout(force);
        done();
      });
      // Keep-alive connections with no request in flight would otherwise hold close() open.
      server.closeIdleConnections();
    });
  }

  /**
   * Tracks the responses not yet sent, for the drain, and gives each a deadline: database waits and
   * statements have their own timeouts, but this bounds the whole request whatever it waits on. Runs before
   * Express sees the request; a Set insert and one timer per request are all it costs.
   */
  private trackInFlight(server: Server): void {
    const deadlineMs = this.settings.REQUEST_TIMEOUT_MS;
    const { inFlight, logger } = this;
    server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
      inFlight.add(res);
      if (!this.accepting) closeAfterResponse(res);
      const deadline = setTimeout(() => {
        logger.warn({ method: req.method, url: req.url, deadlineMs }, "request deadline exceeded");
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(503, {
          "content-type": "application/json; charset=utf-8",
          "retry-after": "5",
          connection: "close",
        });
        res.end(DEADLINE_BODY);
      }, deadlineMs);
      res.once("close", () => {
        clearTimeout(deadline);
        inFlight.delete(res);
      });
    });
  }
}

/**
 * Node's own limits: `requestTimeout` bounds receiving a whole request, `headersTimeout` its headers (slow
 * clients), from the request's first byte; Node checks them every `connectionsCheckingInterval`, which the
 * server is created with (see connectionsCheckingIntervalMs in tooling/net-guard.mts: 30 s by default, which let
 * a trickle of one byte per 4 s live 44 s past a 10 s deadline). `keepAliveTimeout` outlasts a load balancer's
 * idle timeout so it never reuses a socket we close. The connection guard (tooling/net-guard.mts) adds the
 * deadline from accepting a connection to its first headers, and the connection caps.
 */
function applyTimeouts(server: Server, settings: LifecycleSettings): void {
  server.requestTimeout = settings.REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(settings.HEADERS_TIMEOUT_MS, settings.REQUEST_TIMEOUT_MS);
  server.keepAliveTimeout = settings.KEEP_ALIVE_TIMEOUT_MS;
}

function closeAfterResponse(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader("Connection", "close");
}
