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
 * Refuses to create a task or list under an id it had before it was deleted: the key's first attempt created it,
 * died before keeping its answer, and the person then deleted it elsewhere. Creating it again would undo that
 * deletion. Call it under `lockOwner`; it then takes the sync lock row, which every delete takes in its trigger, so
 * a deletion that committed before is seen here and one that comes later finds the resource still there.
 * Tombstones live `SYNC_TOMBSTONE_TTL`: a deletion older than that is no longer known.
 */
export async function refuseIfDeleted(
  tx: Transaction<Tables>,
  kind: "task" | "list",
  ownerId: string,
  id: string,
): Promise<void> {
  await sql`SELECT 1 FROM sync_counters WHERE user_id = ${ownerId} FOR UPDATE`.execute(tx);
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
}
