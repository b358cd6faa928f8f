import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./ports.js";

const run = promisify(execFile);

/**
 * A PostgreSQL server of the test's own (initdb in a temp folder, its own port), which the test may stop
 * and start at will without touching the shared server other tests use.
 */
export interface ThrowawayPostgres {
  readonly url: string;
  start(): Promise<void>;
  /** `fast` ends every session, as an orderly shutdown or a failover would; `immediate` is a crash. */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  destroy(): Promise<void>;
}

/** The server binaries: PG_BIN_DIR, else the newest /usr/lib/postgresql/<version>/bin. */
export function findPostgresBinaries(): string | undefined {
  const configured = process.env.PG_BIN_DIR;
  if (configured) return existsSync(join(configured, "initdb")) ? configured : undefined;
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], "bin") : undefined;
}

export async function createThrowawayPostgres(binDir: string): Promise<ThrowawayPostgres> {
  const dir = await mkdtemp(join(tmpdir(), "todo-pg-"));
  const dataDir = join(dir, "data");
  // initdb and postgres refuse to run as root: there they run as the postgres user, owner of the folder.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const tool = (name: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(binDir, name), ...args]) : run(join(binDir, name), args);

  const port = await freePort();
  await tool("initdb", ["-D", dataDir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
  // Durability is irrelevant here; a socket folder of its own keeps it off the system server's.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const pgCtl = (args: string[]) => tool("pg_ctl", ["-D", dataDir, "-l", join(dir, "server.log"), ...args]);

  const instance: ThrowawayPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await pgCtl(["-o", serverOptions, "-w", "-t", "30", "start"]);
    },
    async stop(mode = "fast") {
      await pgCtl(["-m", mode, "-w", "-t", "30", "stop"]);
    },
    async destroy() {
      await instance.stop("immediate").catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  await instance.start();
  return instance;
}
