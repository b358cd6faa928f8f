import { existsSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { type DataFolderLock, lockDataFolder } from "./data-folder-lock.js";

/** An embedded database opened by this process alone: the folder's lock is held until `close`. */
export interface PgliteFolder {
  readonly client: PGlite;
  /** The folder's real path. */
  readonly dir: string;
  close(): Promise<void>;
}

/**
 * The one way to open a PGlite folder (the API, db:migrate, db:export, db:import): the lock first, before
 * PGlite reads a byte of it, so that a second process never opens a folder in use.
 * `mustExist` refuses a folder that holds no database yet rather than creating an empty one.
 */
export async function openPgliteFolder(dir: string, options: { mustExist?: boolean } = {}): Promise<PgliteFolder> {
  const lock: DataFolderLock = await lockDataFolder(dir);
  try {
    if (options.mustExist && !holdsDatabase(lock.dir)) {
      throw new Error(`There is no embedded database in ${lock.dir} (PGLITE_DIR).`);
    }
    const client = await PGlite.create(lock.dir);
    return {
      client,
      dir: lock.dir,
      async close() {
        try {
          if (!client.closed) await client.close();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** PostgreSQL writes PG_VERSION into every data directory it initialises. */
const holdsDatabase = (dir: string): boolean => existsSync(join(dir, "PG_VERSION"));
