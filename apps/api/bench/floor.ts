// The benchmark's floor: the list, get, create and toggle routes written with nothing but node:http, pg and
// jsonwebtoken. It runs the same SQL on the same database with the same pool size, and verifies the same
// HS256 Bearer token (algorithm pinned) because no implementation of these routes may skip that. It has
// no framework, no validation beyond what the SQL needs, no security headers, no logging, no revocation
// check: whatever the API spends on those shows up as its distance from this floor. It stays the seed's work
// (the seed's columns, creation order, one INSERT per create) as a fixed reference, like the seed's FastAPI
// stack: what the organising features (more columns, manual order, quotas) cost shows up in the ratio too.
import { createSecretKey } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import jwt from "jsonwebtoken";
import pg from "pg";

const port = Number(process.env.PORT ?? 0);
// A KeyObject made once: handed a string or Buffer, jsonwebtoken tries it as a PEM public key first, ~300 µs a call.
const key = createSecretKey(Buffer.from(process.env.JWT_SECRET ?? "", "utf8"));
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 20) });
pool.on("error", () => undefined);

const COLUMNS = `id, user_id, title, description, completed, created_at, updated_at`;
const ROUTE = /^\/api\/v1\/([^/?]+)\/tasks(?:\/([0-9a-f-]{36})(\/complete)?)?(?:\?.*)?$/;

interface Row {
  id: string;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  created_at: Date;
  updated_at: Date;
}

const toTask = (r: Row) => ({
  id: r.id,
  userId: r.user_id,
  title: r.title,
  description: r.description,
  completed: r.completed,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(json),
  });
  res.end(json);
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      text += chunk;
    });
    req.on("end", () => {
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(err);
      }
    });
    req.on("error", reject);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const match = ROUTE.exec(req.url ?? "");
  if (!match) return send(res, 404, { error: "not found" });
  const [, owner, taskId, complete] = match;
  const auth = req.headers.authorization;
  let sub: unknown;
  try {
    sub = (jwt.verify(auth?.slice(7) ?? "", key, { algorithms: ["HS256"] }) as jwt.JwtPayload).sub;
  } catch {
    return send(res, 401, { error: "unauthorized" });
  }
  if (sub !== owner) return send(res, 403, { error: "forbidden" });

  if (!taskId && req.method === "GET") {
    const { rows } = await pool.query<Row>(
      `SELECT ${COLUMNS} FROM tasks WHERE user_id = $1 ORDER BY created_at ASC, id ASC LIMIT 51`,
      [owner],
    );
    const page = rows.slice(0, 50);
    return send(res, 200, { items: page.map(toTask), nextCursor: rows.length > 50 ? "more" : null });
  }
  if (!taskId && req.method === "POST") {
    const body = (await readBody(req)) as { title: string; description?: string };
    // The seed's single INSERT: no quota, no place in a manual order (every floor task gets the first key).
    const { rows } = await pool.query<Row>(
      `INSERT INTO tasks (id, user_id, title, description, completed, created_at, updated_at, position)
       VALUES (gen_random_uuid(), $1, $2, $3, false, now(), now(), 'a0') RETURNING ${COLUMNS}`,
      [owner, body.title.trim(), body.description ?? null],
    );
    return send(res, 201, toTask(rows[0]!));
  }
  if (taskId && !complete && req.method === "GET") {
    const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2 LIMIT 1`, [
      taskId,
      owner,
    ]);
    return rows[0] ? send(res, 200, toTask(rows[0])) : send(res, 404, { error: "not found" });
  }
  if (taskId && complete && req.method === "PATCH") {
    const { rows } = await pool.query<Row>(
      `UPDATE tasks SET completed = NOT completed, updated_at = now() WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
      [taskId, owner],
    );
    return rows[0] ? send(res, 200, toTask(rows[0])) : send(res, 404, { error: "not found" });
  }
  return send(res, 405, { error: "method not allowed" });
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => send(res, 500, { error: "internal" }));
});
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  console.log(JSON.stringify({ msg: "floor listening", port: typeof address === "object" && address?.port }));
});
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  pool.end().finally(() => process.exit(0));
});
