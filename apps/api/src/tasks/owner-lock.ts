import type { Transaction } from "kysely";
import type { Tables } from "../db/kysely.js";

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
