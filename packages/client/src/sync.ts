import type { ChangesPage, SyncList, Task } from "@todo/contract";
import type { TodoApi } from "./types.js";

/** A local copy of one user's tasks and lists, and where the changes feed left off. */
export interface SyncedCopy {
  tasks: Map<string, Task>;
  lists: Map<string, SyncList>;
  /** The feed's cursor after the last applied page; null before the first sync. */
  cursor: string | null;
}

export type SyncOutcome =
  /** The copy is current: `changed` tells whether any page brought something. */
  | { ok: true; changed: boolean; pages: number; restarted: boolean }
  /** A page could not be fetched (offline, 401, 503, …): the copy stays as it was after the last applied page. */
  | { ok: false; response: { status: number; body: unknown } };

export interface SyncOptions {
  /** Page size, 1–1000 (default 500). */
  limit?: number;
  /** A copy saved earlier (e.g. from IndexedDB) to continue from; a new empty one otherwise. */
  copy?: SyncedCopy;
}

export interface Syncer {
  /** The local copy; replaced as a whole when a sync had to start over, otherwise updated in place. */
  readonly copy: SyncedCopy;
  /**
   * Brings the copy up to date: asks for every change since the cursor, page by page, applying each. Calls made
   * while one runs share it. A cursor the server no longer honours (410 `CURSOR_EXPIRED`) starts over from the
   * whole current state, built beside the old copy and swapped in at the end.
   */
  sync(): Promise<SyncOutcome>;
}

/** What the syncer needs of a client: its `changes.get` route (any client of this package has it). */
export interface ChangesApi {
  changes: Pick<TodoApi["changes"], "get">;
}

const emptyCopy = (): SyncedCopy => ({ tasks: new Map(), lists: new Map(), cursor: null });

function apply(copy: SyncedCopy, page: ChangesPage): boolean {
  for (const task of page.tasks) copy.tasks.set(task.id, task);
  for (const list of page.lists) copy.lists.set(list.id, list);
  for (const id of page.deletedTaskIds) copy.tasks.delete(id);
  for (const id of page.deletedListIds) copy.lists.delete(id);
  copy.cursor = page.cursor;
  return page.tasks.length + page.lists.length + page.deletedTaskIds.length + page.deletedListIds.length > 0;
}

/**
 * Keeps a local copy of a user's tasks and lists current from `GET /changes`. The server's feed never skips a
 * change (one may come twice, which applying again makes harmless), so a copy that applies every page and keeps the
 * last cursor ends exactly equal to the server's state, even while other clients write.
 *
 * ```ts
 * const syncer = createSyncer(client.api, userId);
 * await syncer.sync(); // on start, on focus, on a timer, after a push…
 * render([...syncer.copy.tasks.values()]);
 * ```
 */
export function createSyncer(api: ChangesApi, userId: string, options: SyncOptions = {}): Syncer {
  let copy = options.copy ?? emptyCopy();
  let running: Promise<SyncOutcome> | undefined;

  async function drain(
    target: SyncedCopy,
  ): Promise<{ changed: boolean; pages: number } | { status: number; body: unknown }> {
    let changed = false;
    let pages = 0;
    for (;;) {
      const res = await api.changes.get({
        params: { userId },
        query: {
          ...(options.limit !== undefined && { limit: options.limit }),
          ...(target.cursor !== null && { cursor: target.cursor }),
        },
      });
      if (res.status !== 200) return res;
      pages++;
      changed = apply(target, res.body as ChangesPage) || changed;
      if (!(res.body as ChangesPage).hasMore) return { changed, pages };
    }
  }

  async function run(): Promise<SyncOutcome> {
    if (copy.cursor !== null) {
      const result = await drain(copy);
      if ("pages" in result) return { ok: true, ...result, restarted: false };
      if (result.status !== 410) return { ok: false, response: result };
    }
    // From scratch (first sync, or the cursor expired): build beside the current copy, then swap.
    const fresh = emptyCopy();
    const result = await drain(fresh);
    if (!("pages" in result)) return { ok: false, response: result };
    const restarted = copy.cursor !== null;
    copy = fresh;
    return { ok: true, changed: true, pages: result.pages, restarted };
  }

  return {
    get copy() {
      return copy;
    },
    sync() {
      running ??= run().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}
