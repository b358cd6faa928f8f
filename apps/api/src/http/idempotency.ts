import { createHash } from "node:crypto";
import { IdempotencyKeySchema, isIdempotentRoute } from "@todo/contract";
import type { AppRoute, AppRouter } from "@ts-rest/core";
import { isAppRoute } from "@ts-rest/core";
import type { Request, Response } from "express";
import { AppError } from "../errors/app-error.js";
import type { IdempotencyStore, StoredResponse } from "../idempotency/idempotency-store.js";
import { zodErrorToDetails } from "../lib/zod-details.js";
import type { ReservedId } from "../tasks/owner-lock.js";
import { currentUser } from "./require-auth.js";

/** Response headers that are part of the answer, kept and replayed with it. */
const KEPT_HEADERS = ["etag", "location"];

/** Statuses that say "not now" rather than "this is the answer": never kept, so a retry runs again. */
const isTransient = (status: number): boolean => status >= 500 || status === 408 || status === 429;

/** Key order is not part of a JSON body's meaning: `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function fingerprintOf(route: AppRoute, req: Request): string {
  return createHash("sha256")
    .update(`${route.method} ${route.path}\n${canonicalJson(req.body)}`)
    .digest("hex");
}

function readKey(req: Request): string | undefined {
  const raw = req.headers["idempotency-key"];
  if (raw === undefined) return undefined;
  const parsed = IdempotencyKeySchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError("VALIDATION_FAILED", "Request validation failed", zodErrorToDetails(parsed.error, "header"));
  }
  return parsed.data;
}

function keptHeaders(res: Response): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = res.getHeader(name);
    if (typeof value === "string") kept[name] = value;
  }
  return kept;
}

/**
 * The id a create handler makes its resource under: the one its Idempotency-Key reserved (a retry of a create that
 * went through finds it instead of making a second), or undefined without a key (the service makes one up).
 */
export const reservedId = (res: Response): ReservedId | undefined =>
  res.locals.idempotentReservation as ReservedId | undefined;

type HandlerArgs = { req: Request; res: Response };
type HandlerResult = { status: number; body: unknown };
type Handler = (args: HandlerArgs) => Promise<HandlerResult>;

/**
 * The `Idempotency-Key` behaviour of one route handler (IETF httpapi draft): the first request with a key is
 * processed and its answer kept; a retry with the same key and request gets that answer again with
 * `Idempotent-Replayed: true` and does nothing; the same key with another request is 422; while the first still
 * runs, 409 with `Retry-After`. Keys are per user. Answers the server could not give (5xx, or a crash: the
 * claim's lease runs out) are not kept, so the key can be retried.
 */
function idempotent(route: AppRoute, store: IdempotencyStore, handler: Handler): Handler {
  return async (args) => {
    const { req, res } = args;
    const key = readKey(req);
    if (key === undefined) return handler(args);
    const userId = currentUser(res).id;
    const outcome = await store.claim(userId, key, fingerprintOf(route, req));
    switch (outcome.kind) {
      case "reused":
        throw new AppError("IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was already used for another request", [
          { location: "header", field: "idempotency-key", message: "Already used for another request", code: "reused" },
        ]);
      case "in-use":
        throw new AppError(
          "IDEMPOTENCY_KEY_IN_USE",
          "A request with this Idempotency-Key is still being processed",
          [],
          { "Retry-After": String(outcome.retryAfterSeconds) },
        );
      case "replay": {
        const { status, headers, body } = outcome.response;
        for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
        res.setHeader("Idempotent-Replayed", "true");
        return { status, body: body === undefined ? undefined : JSON.parse(body) };
      }
      case "claimed":
        res.locals.idempotentReservation = { id: outcome.resourceId, resumed: outcome.resumed } satisfies ReservedId;
        break;
    }
    // The work is done; failing to record its answer must not turn it into an error. The claim then lapses with
    // its lease, and a retry after that runs again (the one case the draft leaves to the server).
    const keep = (response: StoredResponse) =>
      store.complete(userId, key, outcome.claim, response).catch((err: unknown) => {
        res.locals.log?.warn({ err: { message: (err as Error).message } }, "idempotency record not completed");
      });
    let result: HandlerResult;
    try {
      result = await handler(args);
    } catch (err) {
      if (err instanceof AppError && !isTransient(err.status)) {
        await keep({
          status: err.status,
          headers: {},
          body: JSON.stringify(err.toBody()),
        });
      } else {
        await store.release(userId, key, outcome.claim).catch(() => undefined);
      }
      throw err;
    }
    if (isTransient(result.status)) await store.release(userId, key, outcome.claim).catch(() => undefined);
    else {
      await keep({
        status: result.status,
        headers: keptHeaders(res),
        body: result.body === undefined ? undefined : JSON.stringify(result.body),
      });
    }
    return result;
  };
}

/**
 * Wraps, in a ts-rest router implementation, every handler whose contract route is idempotent (see
 * `isIdempotentRoute`): turning the behaviour on for a route is its `metadata.idempotent` in the route table.
 */
export function withIdempotency<T extends object>(contract: AppRouter, implementation: T, store: IdempotencyStore): T {
  const wrap = (router: AppRouter, impl: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(impl).map(([name, value]) => {
        const route = router[name];
        if (route === undefined) return [name, value];
        if (isAppRoute(route)) {
          return [name, isIdempotentRoute(route) ? idempotent(route, store, value as Handler) : value];
        }
        return [name, wrap(route, value as Record<string, unknown>)];
      }),
    );
  return wrap(contract, implementation as Record<string, unknown>) as T;
}
