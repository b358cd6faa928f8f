// A real PgBouncer (Debian's /usr/sbin/pgbouncer) of the test's own: a generated config on a free port, in
// transaction mode and otherwise PgBouncer's defaults (no ignore_startup_parameters), in front of an
// existing PostgreSQL server. Self-contained (node built-ins and pg only) so it can move into a test kit.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./ports.js";

export const PGBOUNCER_BIN = process.env.PGBOUNCER_BIN ?? "/usr/sbin/pgbouncer";

export interface PgBouncer {
  readonly port: number;
  /** `serverUrl` with host and port swapped for PgBouncer's (same user and database). */
  readonly url: string;
  /** PgBouncer's admin console (`SHOW POOLS`, `SHOW SERVERS`…), as the admin user. */
  readonly adminUrl: string;
  readonly log: () => string;
  /** Rewrites `url` (a server's) to go through this PgBouncer. */
  through(url: string): string;
  stop(): Promise<void>;
}

export interface PgBouncerOptions {
  /** The server behind it (its user, host and port; any database name). */
  serverUrl: string;
  /** Only what a test must change; everything else stays PgBouncer's default. */
  settings?: Record<string, string | number>;
}

export function pgbouncerAvailable(): boolean {
  return existsSync(PGBOUNCER_BIN);
}

/** Starts PgBouncer in transaction mode and resolves once it answers a query. */
export async function startPgBouncer({ serverUrl, settings = {} }: PgBouncerOptions): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username || "postgres");
  const dir = await mkdtemp(join(tmpdir(), "todo-pgbouncer-"));
  const port = await freePort();
  const config = {
    listen_addr: "127.0.0.1",
    listen_port: port,
    // No unix socket: a test's PgBouncer must not take the system one's /tmp/.s.PGSQL.6432.
    unix_socket_dir: "",
    pool_mode: "transaction",
    // The server trusts loopback; PgBouncer still wants each user listed.
    auth_type: "trust",
    auth_file: join(dir, "userlist.txt"),
    admin_users: user,
    logfile: join(dir, "pgbouncer.log"),
    pidfile: join(dir, "pgbouncer.pid"),
    ...settings,
  };
  const ini = [
    "[databases]",
    `* = host=${server.hostname} port=${server.port || 5432}`,
    "[pgbouncer]",
    ...Object.entries(config).map(([key, value]) => `${key} = ${value}`),
    "",
  ].join("\n");
  await writeFile(join(dir, "pgbouncer.ini"), ini);
  await writeFile(join(dir, "userlist.txt"), `"${user}" ""\n`);
  await writeFile(join(dir, "pgbouncer.log"), "");

  // PgBouncer refuses to run as root: there it switches to the postgres user (-u), owner of its folder.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    for (const file of ["", "pgbouncer.ini", "userlist.txt", "pgbouncer.log"]) await chown(join(dir, file), uid, gid);
  }
  const child: ChildProcess = spawn(
    PGBOUNCER_BIN,
    [...(asRoot ? ["-u", "postgres"] : []), join(dir, "pgbouncer.ini")],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const readLog = () => {
    try {
      return execFileSync("cat", [join(dir, "pgbouncer.log")], { encoding: "utf8" });
    } catch {
      return "";
    }
  };

  const through = (url: string) => {
    const rewritten = new URL(url);
    rewritten.hostname = "127.0.0.1";
    rewritten.port = String(port);
    return rewritten.toString();
  };
  const admin = new URL(through(serverUrl));
  admin.pathname = "/pgbouncer";
  const instance: PgBouncer = {
    port,
    url: through(serverUrl),
    adminUrl: admin.toString(),
    log: readLog,
    through,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };

  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`pgbouncer exited at start: ${stderr}${readLog()}`);
    }
    const probe = new pg.Client({ connectionString: instance.url });
    probe.on("error", () => undefined);
    const ok = await probe.connect().then(
      () => probe.query("SELECT 1").then(() => true),
      () => false,
    );
    await probe.end().catch(() => undefined);
    if (ok) return instance;
    if (performance.now() - started > 15_000) {
      await instance.stop();
      throw new Error(`pgbouncer did not answer within 15 s: ${stderr}${readLog()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One row per server connection PgBouncer holds (`SHOW SERVERS` on its admin console). */
export async function pgbouncerServers(bouncer: PgBouncer): Promise<Record<string, unknown>[]> {
  // The admin console speaks only the simple query protocol.
  const admin = new pg.Client({ connectionString: bouncer.adminUrl });
  await admin.connect();
  try {
    return (await admin.query("SHOW SERVERS")).rows;
  } finally {
    await admin.end();
  }
}
