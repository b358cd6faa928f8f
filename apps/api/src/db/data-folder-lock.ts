import { createHash } from "node:crypto";
import { mkdir, realpath, unlink } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * One process per embedded database folder. A PGlite folder is a PostgreSQL data directory without the
 * postmaster that would guard it: two processes opening it each keep their own copy of the database in
 * memory and overwrite each other's files, losing acknowledged writes.
 *
 * The lock is a listening Unix socket whose name derives from the folder's real path:
 * - Linux: an abstract-namespace socket (`\0todo-pglite:<sha256>`). Binding is atomic (exactly one of any
 *   number of concurrent starts wins) and the kernel frees the name when its process dies, SIGKILL included,
 *   so a crash never leaves a stale lock. No file is involved.
 * - Windows: a named pipe, which has the same two properties.
 * - Other systems (macOS, BSD): a socket file in the temp folder. A dead owner leaves the file behind; it
 *   is recognised as stale because nobody answers on it, and replaced. Two starts that both find the same
 *   stale file at the same instant can both win there: that race is not covered off Linux and Windows.
 * Abstract sockets are per network namespace: containers sharing one folder but not a network namespace
 * do not see each other's lock.
 *
 * The owner answers every connection with its pid, so a refused process can say who holds the folder.
 */
export interface DataFolderLock {
  /** The folder's real path. */
  readonly dir: string;
  release(): Promise<void>;
}

export class DataFolderInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly ownerPid: number | undefined,
  ) {
    super(
      `The embedded database folder ${dir} is in use by ${ownerPid === undefined ? "another process" : `process ${ownerPid}`}. ` +
        "A PGlite database can be opened by one process at a time: stop that process first, " +
        "or set PGLITE_DIR to another folder (or DATABASE_URL to a PostgreSQL server for several processes).",
    );
    this.name = "DataFolderInUseError";
  }
}

const OWNER_QUERY_TIMEOUT_MS = 1_000;

interface OwnerInfo {
  pid: number;
  dir: string;
}

export function lockAddress(realDir: string, platform: NodeJS.Platform = process.platform): string {
  const hash = createHash("sha256").update(realDir).digest("hex");
  if (platform === "linux") return `\0todo-pglite:${hash}`;
  if (platform === "win32") return `\\\\?\\pipe\\todo-pglite-${hash}`;
  // sun_path holds about 104 bytes on macOS: a short name in the temp folder rather than one in `realDir`.
  return join(tmpdir(), `todo-pglite-${hash.slice(0, 32)}.sock`);
}

const usesSocketFile = (): boolean => process.platform !== "linux" && process.platform !== "win32";

/** Takes the folder (creating it if needed) for this process, or throws DataFolderInUseError. */
export async function lockDataFolder(dir: string): Promise<DataFolderLock> {
  await mkdir(dir, { recursive: true });
  const realDir = await realpath(dir);
  const address = lockAddress(realDir);
  const owner: OwnerInfo = { pid: process.pid, dir: realDir };
  const server = createServer((socket) => {
    socket.on("error", () => undefined);
    socket.end(`${JSON.stringify(owner)}\n`);
  });
  server.on("error", () => undefined);

  try {
    await listen(server, address);
  } catch (error) {
    if (!isAddressInUse(error)) throw error;
    if (usesSocketFile() && (await askOwner(address)) === "nobody") {
      // A socket file left by a dead owner: replace it.
      await unlink(address).catch(() => undefined);
      await listen(server, address).catch(async (retryError: unknown) => {
        if (!isAddressInUse(retryError)) throw retryError;
        throw new DataFolderInUseError(realDir, await ownerPid(address));
      });
    } else {
      throw new DataFolderInUseError(realDir, await ownerPid(address));
    }
  }
  // The lock must not keep the process alive on its own.
  server.unref();

  let released: Promise<void> | undefined;
  return {
    dir: realDir,
    release() {
      released ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return released;
    },
  };
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off("listening", onListening);
      reject(error);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    // `exclusive`: a cluster worker binds the name itself instead of sharing its primary's handle.
    server.listen({ path, exclusive: true });
  });
}

const isAddressInUse = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === "EADDRINUSE";

/**
 * Who holds the lock. A winner that has bound the name but not yet called listen() refuses connections for
 * an instant: asked again before giving up on a pid.
 */
async function ownerPid(address: string): Promise<number | undefined> {
  for (let attempt = 0; ; attempt++) {
    const owner = await askOwner(address);
    if (typeof owner === "object") return owner.pid;
    if (attempt === 4) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The owner's answer; "nobody" when nothing listens (a stale socket file); "unknown" when it did not say. */
function askOwner(address: string): Promise<OwnerInfo | "nobody" | "unknown"> {
  return new Promise((resolve) => {
    let text = "";
    const socket = connect({ path: address });
    const finish = (result: OwnerInfo | "nobody" | "unknown") => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish("unknown"), OWNER_QUERY_TIMEOUT_MS);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
    });
    socket.on("end", () => finish(parseOwner(text)));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      finish(error.code === "ECONNREFUSED" || error.code === "ENOENT" ? "nobody" : "unknown"),
    );
  });
}

function parseOwner(text: string): OwnerInfo | "unknown" {
  try {
    const parsed = JSON.parse(text) as Partial<OwnerInfo>;
    return typeof parsed.pid === "number" && typeof parsed.dir === "string"
      ? { pid: parsed.pid, dir: parsed.dir }
      : "unknown";
  } catch {
    return "unknown";
  }
}
