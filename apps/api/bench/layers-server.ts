// One rung of the layered skeleton (layers.ts): GET one task, built up a layer at a time, so that the CPU each
// layer adds per request can be read off. LAYER picks how far up the stack this process goes:
//   0 http      node:http + pg (+ jsonwebtoken with a KeyObject, as every rung and the API verify a Bearer token)
//   1 express   + Express 4 routing and res.json
//   2 helmet    + helmet and cors
//   3 pino      + request id, child logger and one JSON line per request (the API's own lib/logger.ts)
//   4 ts-rest   + ts-rest routing and zod validation (the contract's own tasks.get route and TaskSchema)
//   5 prisma    + Prisma Client `$queryRaw` instead of pg (the API's own db/database.ts)
import { createSecretKey, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { contract } from "@todo/contract";
import { initContract } from "@ts-rest/core";
import { createExpressEndpoints } from "@ts-rest/express";
import cors from "cors";
import express from "express";
import helmet from "helmet";
import jwt from "jsonwebtoken";
import pg from "pg";
import { openDatabase } from "../src/db/database.js";
import { Prisma } from "../src/generated/prisma/client.js";
import { createLogger } from "../src/lib/logger.js";

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
  layer >= 5
    ? await openDatabase(
        { kind: "postgres", url: databaseUrl, poolMax: 20, connectionTimeoutMs: 5_000, statementTimeoutMs: 10_000 },
        logger,
      )
    : undefined;
const COLUMNS = Prisma.sql`id, user_id AS "userId", title, description, completed, created_at AS "createdAt",
  updated_at AS "updatedAt", list_id AS "listId", to_char(due_date, 'YYYY-MM-DD') AS "dueDate",
  (ARRAY['none','low','medium','high'])[priority + 1] AS priority, position, completed_at AS "completedAt", version`;

async function findTask(owner: string, id: string): Promise<Row | undefined> {
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

let server: ReturnType<typeof createServer>;
if (layer === 0) {
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
      const started = process.hrtime.bigint();
      const log = logger.child({ reqId: randomUUID() });
      res.on("finish", () => {
        const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
        log.info(
          { method: req.method, path: req.path, status: res.statusCode, durationMs, ip: req.ip },
          "request completed",
        );
      });
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
          handler: async ({ params }) => {
            const row = await findTask(params.userId, params.id);
            return row
              ? { status: 200, body: toTask(row) }
              : { status: 404, body: { error: { code: "NOT_FOUND", message: "no task", details: [] } } };
          },
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
  server = createServer(app);
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
