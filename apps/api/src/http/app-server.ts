import { createServer, IncomingMessage, type Server, type ServerOptions, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Express } from "express";

/**
 * An HTTP server for `app` whose requests and responses are created with the app's own prototypes.
 *
 * Express 4 gives each request and response its methods (`req.get`, `res.json`, …) by swapping their prototypes
 * (`Object.setPrototypeOf(req, app.request)` in its `expressInit` middleware) after Node has built and used them.
 * V8 then has to treat every object it swapped as a new shape: the property lookups Node's HTTP code and every
 * middleware make on them afterwards miss their inline caches. Born with that prototype, the swap changes nothing
 * (V8 returns early when the prototype is already the one asked for), and each object keeps one shape for its life.
 * The objects are the ones Express would make: the same prototype, the same fields (Node's own constructors run).
 *
 * Measured (docs/performance.md, "Follow-up, 2026-12-04, night"): `bench/route-cpu.ts` puts the API's CPU per get
 * at 171 → 120 µs and per create at 382 → 301 µs; `pnpm bench:layers` (LAYER 9 against rung 4) at 176 → 143 µs.
 *
 * Node 20's constructors are plain functions, hence `.call`. `Reflect.construct(IncomingMessage, [socket],
 * new.target)` would also accept classes, but it costs the whole gain back (`bench/route-cpu.ts`: get 114 → 218 µs
 * of API CPU); if Node ever makes these classes, the test beside this file fails and this needs rethinking.
 */
export function createAppServer(app: Express, options: ServerOptions = {}): Server {
  function AppRequest(this: IncomingMessage, socket: Socket) {
    IncomingMessage.call(this, socket);
  }
  AppRequest.prototype = app.request;
  function AppResponse(this: ServerResponse, req: IncomingMessage, responseOptions?: unknown) {
    (ServerResponse as unknown as (this: ServerResponse, req: IncomingMessage, options?: unknown) => void).call(
      this,
      req,
      responseOptions,
    );
  }
  AppResponse.prototype = app.response;
  return createServer(
    {
      ...options,
      IncomingMessage: AppRequest as unknown as typeof IncomingMessage,
      ServerResponse: AppResponse as unknown as typeof ServerResponse,
    },
    app,
  );
}
