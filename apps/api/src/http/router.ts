import { type AccountExport, contract } from "@todo/contract";
import { initServer } from "@ts-rest/express";
import type { Request, Response } from "express";
import type { Logger } from "pino";
import type { AccountService } from "../accounts/account-service.js";
import type { AuthService, RequestOrigin } from "../auth/auth-service.js";
import type { Database } from "../db/database.js";
import { AppError } from "../errors/app-error.js";
import type { IdempotencyStore } from "../idempotency/idempotency-store.js";
import type { ChangesService } from "../sync/changes-service.js";
import type { ListService } from "../tasks/list-service.js";
import type { TaskService } from "../tasks/task-service.js";
import { clientAddress, clientGroup } from "./client-address.js";
import { ifMatchVersions, isNotModified, withETag } from "./conditional.js";
import { reservedId, withIdempotency } from "./idempotency.js";
import { currentUser } from "./require-auth.js";

export interface RouterDeps {
  /** Fallback for code running outside a request's context. */
  logger: Logger;
  auth: AuthService;
  account: AccountService;
  tasks: TaskService;
  changes: ChangesService;
  /** Answers kept for `Idempotency-Key` retries (routes marked `idempotent` in the route table). */
  idempotency: IdempotencyStore;
  lists: ListService;
  db: Database;
  /** False once shutdown begins, so load balancers stop sending traffic. */
  isAcceptingTraffic: () => boolean;
  readinessTimeoutMs: number;
}

const s = initServer();

/**
 * The reason every ended request's signal carries. Made once: `abort()` without one builds a new DOMException, stack
 * trace and all, for each request that waited (half of a create burst's requests wait in the owner gate), and
 * nobody reads it once the response is gone.
 */
const REQUEST_ENDED = new DOMException("The request has ended", "AbortError");

/** Aborts once the response is closed: sent, cut by the request deadline, or its client went away. */
function requestEnded(res: Response): AbortSignal {
  const ended = new AbortController();
  if (res.closed) ended.abort(REQUEST_ENDED);
  else res.once("close", () => ended.abort(REQUEST_ENDED));
  return ended.signal;
}

/** Thin handlers: unpack the validated request, call one service function, shape the response. */
export function createRouter(deps: RouterDeps) {
  const { auth, account, tasks, lists, changes, db, logger, isAcceptingTraffic, readinessTimeoutMs } = deps;
  const origin = (req: Request): RequestOrigin => ({
    ip: clientAddress(req),
    client: clientGroup(req),
    route: `${req.method} ${req.route?.path ?? req.path}`,
    log: req.res?.locals.log ?? logger,
    userAgent: req.get("user-agent")?.slice(0, 512),
    signal: req.res && requestEnded(req.res),
  });

  const implementation = {
    auth: {
      register: async ({ body, req }) => ({ status: 201, body: await auth.register(body, origin(req)) }),
      login: async ({ body, req }) => ({ status: 200, body: await auth.login(body, origin(req)) }),
      refresh: async ({ body, req }) => ({ status: 200, body: await auth.refresh(body.refreshToken, origin(req)) }),
      logout: async ({ body }) => {
        await auth.logout(body.refreshToken);
        return { status: 204, body: undefined };
      },
      me: async ({ res }) => ({ status: 200, body: { user: await auth.me(currentUser(res).id) } }),
    },
    account: {
      requestPasswordReset: async ({ body, req }) => {
        await account.requestPasswordReset(body, origin(req));
        return { status: 202, body: undefined };
      },
      confirmPasswordReset: async ({ body, req }) => ({
        status: 200,
        body: await account.confirmPasswordReset(body, origin(req)),
      }),
      changePassword: async ({ body, req, res }) => {
        await account.changePassword(currentUser(res), body, origin(req));
        return { status: 204, body: undefined };
      },
      listSignIns: async ({ res }) => {
        res.setHeader("Cache-Control", "no-store");
        return { status: 200, body: await account.listSignIns(currentUser(res)) };
      },
      endSignIn: async ({ params, res }) => {
        await account.endSignIn(currentUser(res), params.id);
        return { status: 204, body: undefined };
      },
      endOtherSignIns: async ({ res }) => {
        await account.endOtherSignIns(currentUser(res));
        return { status: 204, body: undefined };
      },
      deleteAccount: async ({ body, req, res }) => {
        await account.deleteAccount(currentUser(res), body, origin(req));
        return { status: 204, body: undefined };
      },
      exportAccount: async ({ res }) => {
        const stream = await account.exportAccount(currentUser(res));
        const day = new Date().toISOString().slice(0, 10);
        res.setHeader("Content-Type", "application/json; charset=utf-8");
        res.setHeader("Content-Disposition", `attachment; filename="todo-export-${day}.json"`);
        res.setHeader("Cache-Control", "no-store");
        // ts-rest pipes a stream body to the response (with back-pressure) instead of serialising it.
        return { status: 200, body: stream as unknown as AccountExport };
      },
    },
    tasks: {
      list: async ({ query, res }) => ({ status: 200, body: await tasks.list(currentUser(res).id, query) }),
      create: async ({ body, res }) => ({
        status: 201,
        body: withETag(res, await tasks.create(currentUser(res).id, body, reservedId(res), () => requestEnded(res))),
      }),
      // Before `get`: Express matches in registration order, and `summary` would otherwise be a task id.
      summary: async ({ query, res }) => ({ status: 200, body: await tasks.summary(currentUser(res).id, query) }),
      clearCompleted: async ({ query, res }) => ({
        status: 200,
        body: await tasks.clearCompleted(currentUser(res).id, query),
      }),
      get: async ({ params, req, res }) => {
        const task = withETag(res, await tasks.get(currentUser(res).id, params.id));
        return isNotModified(req, task) ? { status: 304, body: undefined } : { status: 200, body: task };
      },
      update: async ({ params, body, req, res }) => ({
        status: 200,
        body: withETag(res, await tasks.update(currentUser(res).id, params.id, body, ifMatchVersions(req))),
      }),
      delete: async ({ params, req, res }) => {
        await tasks.remove(currentUser(res).id, params.id, ifMatchVersions(req));
        return { status: 204, body: undefined };
      },
      toggleComplete: async ({ params, req, res }) => ({
        status: 200,
        body: withETag(res, await tasks.toggleComplete(currentUser(res).id, params.id, ifMatchVersions(req))),
      }),
      move: async ({ params, body, req, res }) => ({
        status: 200,
        body: withETag(
          res,
          await tasks.move(currentUser(res).id, params.id, body, ifMatchVersions(req), () => requestEnded(res)),
        ),
      }),
    },
    lists: {
      list: async ({ res }) => ({ status: 200, body: await lists.list(currentUser(res).id) }),
      create: async ({ body, res }) => ({
        status: 201,
        body: await lists.create(currentUser(res).id, body, reservedId(res), () => requestEnded(res)),
      }),
      get: async ({ params, res }) => ({ status: 200, body: await lists.get(currentUser(res).id, params.listId) }),
      update: async ({ params, body, res }) => ({
        status: 200,
        body: await lists.rename(currentUser(res).id, params.listId, body),
      }),
      delete: async ({ params, res }) => {
        await lists.remove(currentUser(res).id, params.listId);
        return { status: 204, body: undefined };
      },
    },
    changes: {
      get: async ({ query, res }) => ({ status: 200, body: await changes.changes(currentUser(res).id, query) }),
    },
    health: {
      liveness: async () => ({ status: 200, body: { status: "ok" } }),
      readiness: async () => {
        if (!isAcceptingTraffic()) throw new AppError("SERVICE_UNAVAILABLE", "Shutting down");
        try {
          await db.ping(readinessTimeoutMs);
        } catch {
          throw new AppError("SERVICE_UNAVAILABLE", "The database is unavailable");
        }
        // The embedded database's folder is logged at start ("Todo API listening"), never served: an absolute
        // path tells anonymous callers about the host's layout.
        return { status: 200, body: { status: "ready", database: "up", engine: db.kind } };
      },
    },
  } satisfies Parameters<typeof s.router<typeof contract>>[1];
  return s.router(contract, withIdempotency(contract, implementation, deps.idempotency));
}
