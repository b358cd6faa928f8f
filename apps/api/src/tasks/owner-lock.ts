import { sql, type Transaction } from "kysely";
import type { Tables } from "../db/kysely.js";
import { AppError } from "../errors/app-error.js";

/**
 * Takes the owner's lock for the rest of the transaction: the owner's creates (quotas, the last position) and moves
 * run one at a time, so a quota holds under concurrent requests and positions stay distinct. `FOR NO KEY UPDATE` on
 * the user's row does not conflict with the foreign key checks of inserts (KEY SHARE), only with itself and with
 * deleting the account. False: no such user (authentication makes that unreachable).
 */
export async function lockOwner(tx: Transaction<Tables>, ownerId: string): Promise<boolean> {
  const row = await tx.selectFrom("users").select("id").where("id", "=", ownerId).forNoKeyUpdate().executeTakeFirst();
  return row !== undefined;
}

/**
 * The id an `Idempotency-Key` reserved for the resource its request creates. `resumed`: the key's first attempt
 * died before keeping its answer (its claim was taken over after the lease), so it may have created the resource.
 */
export interface ReservedId {
  id: string;
  resumed: boolean;
}

/**
 * For a resumed key (its first attempt may have created the task or list, then died before keeping its answer):
 * true when that attempt's resource is there, key-share locked for the rest of the transaction (it is the answer,
 * and no deletion can take it away before it is read; edits may go on); false when it was never created, so
 * creating it now is right. Refuses (409 IDEMPOTENCY_KEY_RESOURCE_DELETED) when it was created and deleted since:
 * creating it again would undo that deletion. Call it under `lockOwner`.
 *
 * It takes no lock but the row's. A deletion in progress holds that row, so the lock waits for it to end; a
 * deletion's tombstone commits with it, so the tombstone query, a statement of its own, sees every deletion that
 * has ended. Nothing can create the row meanwhile: creating takes the owner's lock, which the caller holds. A sync
 * lock taken here would come before the locks the create then takes (a list's, for a task in it), against the
 * order deletions take them in: a deadlock with a list's deletion. Tombstones live `SYNC_TOMBSTONE_TTL`: a
 * deletion older than that is no longer known.
 */
export async function resumeReserved(
  tx: Transaction<Tables>,
  kind: "task" | "list",
  ownerId: string,
  id: string,
): Promise<boolean> {
  const table = sql.table(kind === "task" ? "tasks" : "lists");
  const made = await sql`SELECT 1 FROM ${table} WHERE id = ${id}::uuid AND user_id = ${ownerId} FOR KEY SHARE`.execute(
    tx,
  );
  if (made.rows.length > 0) return true;
  const { rows } = await sql`
    SELECT 1 FROM sync_tombstones WHERE user_id = ${ownerId} AND kind = ${kind} AND entity_id = ${id}::uuid`.execute(
    tx,
  );
  if (rows.length > 0) {
    throw new AppError(
      "IDEMPOTENCY_KEY_RESOURCE_DELETED",
      `The ${kind} this Idempotency-Key's first request created has since been deleted; nothing was created`,
    );
  }
  return false;
}
