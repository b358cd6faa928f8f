// One rung of the layered skeleton (layers.ts): GET one task, built up a layer at a time, so that the CPU each
// layer adds per request can be read off. LAYER picks how far up the stack this process goes:
//   0 http      node:http + pg (+ jsonwebtoken with a KeyObject, as every rung and the API verify a Bearer token)
//   1 express   + Express 4 routing and res.json
//   2 helmet    + helmet and cors
//   3 pino      + request id, child logger and one JSON line per request (the API's own lib/logger.ts)
//   4 ts-rest   + ts-rest routing and zod validation (the contract's own tasks.get route and TaskSchema)
//   5 prisma    + Prisma Client `$queryRaw` instead of pg (the API's own db/database.ts)
//   6 kysely    + Kysely (the API's typed SQL layer, db/kysely.ts, on the same pool) instead of `$queryRaw`
// and, beside the ladder, the HTTP framework swapped (to price a move off Express 4):
//   7 fastify   rung 1 on Fastify 4 instead of Express (its routing and reply.send)
//   8 fastify+  rung 4 on Fastify 4: helmet and cors (as hooks), the pino line, ts-rest routing and zod
//   9 preset    rung 4 on the API's own server (http/app-server.ts: requests born with Express's prototypes)
import { createSecretKey, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { contract } from "@todo/contract";
import { initContract } from "@ts-rest/core";
import { createExpressEndpoints } from "@ts-rest/express";
import { initServer } from "@ts-rest/fastify";
import cors from "cors";
import express from "express";
import Fastify from "fastify";
import helmet from "helmet";
import jwt from "jsonwebtoken";
import pg from "pg";
import { openDatabase } from "../src/db/database.js";
import { Prisma } from "../src/generated/prisma/client.js";
import { createAppServer } from "../src/http/app-server.js";
import { createLogger } from "../src/lib/logger.js";
import { TASK_COLUMNS } from "../src/tasks/task-service.js";

const layer = Number(process.env.LAYER ?? 0);
const databaseUrl = process.env.DATABASE_URL ?? "";
const key = createSecretKey(Buffer.from(process.env.JWT_SECRET ?? "", "utf8"));
const logger = createLogger("info");

interface Row {
  id: string;
  userId: string;
  title: string;
  description: string | null;
  completed: boolean;
  createdAt: Date;
  updatedAt: Date;
  listId: string | null;
  dueDate: string | null;
  priority: "none" | "low" | "medium" | "high";
  position: string;
  completedAt: Date | null;
  version: number;
}
const toTask = (r: Row) => ({
  ...r,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
  completedAt: r.completedAt?.toISOString() ?? null,
});
const SQL = `SELECT id, user_id AS "userId", title, description, completed, created_at AS "createdAt",
  updated_at AS "updatedAt", list_id AS "listId", to_char(due_date, 'YYYY-MM-DD') AS "dueDate",
  (ARRAY['none','low','medium','high'])[priority + 1] AS priority, position, completed_at AS "completedAt", version
  FROM tasks WHERE id = $1::uuid AND user_id = $2`;

const pool = new pg.Pool({ connectionString: databaseUrl, max: 20 });
pool.on("error", () => undefined);
const db =
  layer >= 5 && layer <= 6
    ? await openDatabase(
        { kind: "postgres", url: databaseUrl, poolMax: 20, connectionTimeoutMs: 5_000, statementTimeoutMs: 10_000 },
        logger,
      )
    : undefined;
const COLUMNS = Prisma.sql`id, user_id AS "userId", title, description, completed, created_at AS "createdAt",
  updated_at AS "updatedAt", list_id AS "listId", to_char(due_date, 'YYYY-MM-DD') AS "dueDate",
  (ARRAY['none','low','medium','high'])[priority + 1] AS priority, position, completed_at AS "completedAt", version`;

const PRIORITIES = ["none", "low", "medium", "high"] as const;

async function findTask(owner: string, id: string): Promise<Row | undefined> {
  if (db && layer >= 6) {
    const row = await db.sql
      .selectFrom("tasks")
      .select(TASK_COLUMNS)
      .where("id", "=", id)
      .where("userId", "=", owner)
      .executeTakeFirst();
    return row && { ...row, priority: PRIORITIES[row.priority] ?? "none" };
  }
  if (db)
    return (
      await db.prisma.$queryRaw<Row[]>`SELECT ${COLUMNS} FROM tasks WHERE id = ${id}::uuid AND user_id = ${owner}`
    )[0];
  return (await pool.query<Row>(SQL, [id, owner])).rows[0];
}

/** The caller's user id, or undefined (401). */
function verify(authorization: string | undefined): string | undefined {
  try {
    return (jwt.verify(authorization?.slice(7) ?? "", key, { algorithms: ["HS256"] }) as jwt.JwtPayload).sub;
  } catch {
    return undefined;
  }
}

const notFound = { error: { code: "NOT_FOUND" as const, message: "no task", details: [] } };

/** The ts-rest rungs' answer (4 on Express, 8 on Fastify). */
async function taskResponse(owner: string, id: string) {
  const row = await findTask(owner, id);
  return row ? { status: 200 as const, body: toTask(row) } : { status: 404 as const, body: notFound };
}

/** Rung 3's request line (and 8's): a child logger with a request id, one line once the response has gone. */
function logRequest(method: string, path: string, ip: string | undefined, res: ServerResponse): void {
  const started = process.hrtime.bigint();
  const log = logger.child({ reqId: randomUUID() });
  res.on("finish", () => {
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    log.info({ method, path, status: res.statusCode, durationMs, ip }, "request completed");
  });
}

let server: ReturnType<typeof createServer>;
if (layer >= 7 && layer <= 8) {
  const app = Fastify({ logger: false });
  if (layer === 8) {
    const headers = helmet();
    const noCors = cors({ origin: false });
    app.addHook("onRequest", (req, reply, done) => {
      headers(req.raw, reply.raw, () => noCors(req.raw, reply.raw, done));
    });
    app.addHook("onRequest", (req, reply, done) => {
      logRequest(req.method, req.url, req.ip, reply.raw);
      done();
    });
    const s = initServer();
    app.register(
      s.plugin(
        s.router(initContract().router({ get: contract.tasks.get }), {
          get: async ({ params, request }) => {
            if (verify(request.headers.authorization) !== params.userId) {
              return { status: 401, body: { error: { code: "UNAUTHORIZED", message: "no", details: [] } } };
            }
            return taskResponse(params.userId, params.id);
          },
        }),
      ),
    );
  } else {
    app.get<{ Params: { userId: string; id: string } }>("/api/v1/:userId/tasks/:id", async (req, reply) => {
      if (verify(req.headers.authorization) !== req.params.userId) return reply.code(401).send({ error: "no" });
      const row = await findTask(req.params.userId, req.params.id);
      return row ? toTask(row) : reply.code(404).send(notFound);
    });
  }
  await app.ready();
  server = app.server;
} else if (layer === 0) {
  const ROUTE = /^\/api\/v1\/([^/?]+)\/tasks\/([0-9a-f-]{36})$/;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    const json = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(json),
    });
    res.end(json);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const match = ROUTE.exec(req.url ?? "");
    if (!match || req.method !== "GET") return send(res, 404, { error: "not found" });
    if (verify(req.headers.authorization) !== match[1]) return send(res, 401, { error: "unauthorized" });
    const row = await findTask(match[1]!, match[2]!);
    return row ? send(res, 200, toTask(row)) : send(res, 404, { error: "not found" });
  };
  server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { error: "internal" }));
  });
} else {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  if (layer >= 3) {
    app.use((req, res, next) => {
      logRequest(req.method, req.path, req.ip, res);
      next();
    });
  }
  if (layer >= 2) {
    app.use(helmet());
    app.use(cors({ origin: false }));
  }
  const authorize = (req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (verify(req.headers.authorization) === req.params.userId) return next();
    res.status(401).json({ error: "unauthorized" });
  };
  if (layer >= 4) {
    const c = initContract();
    createExpressEndpoints(
      c.router({ get: contract.tasks.get }),
      {
        get: {
          middleware: [authorize as never],
          handler: ({ params }) => taskResponse(params.userId, params.id),
        },
      },
      app,
      { responseValidation: false, logInitialization: false },
    );
  } else {
    app.get("/api/v1/:userId/tasks/:id", authorize, (req, res, next) => {
      findTask(req.params.userId!, req.params.id!).then(
        (row) => (row ? res.json(toTask(row)) : res.status(404).json({ error: "not found" })),
        next,
      );
    });
  }
  server = layer === 9 ? createAppServer(app) : createServer(app);
}
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(JSON.stringify({ msg: "layer listening", layer, port: typeof address === "object" && address?.port }));
});
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  Promise.all([pool.end(), db?.close()]).finally(() => process.exit(0));
});
