/**
 * The changes feed's cursor: opaque to clients, `base64url("1:<position>:<floor>")` inside.
 * - `position`: every task or list with a change number above it is still to be sent;
 * - `floor`: deletions numbered at or below it concern no item the client holds. A client that syncs from
 *   scratch starts from nothing, so deletions from before its first page are not sent (floor = the counter at
 *   that first page); afterwards floor ≤ position and position alone counts.
 */
export interface SyncCursor {
  position: bigint;
  floor: bigint;
}

const MAX_SEQ = 2n ** 63n - 1n;
const FORMAT = /^1:(\d{1,19}):(\d{1,19})$/;

export function encodeSyncCursor({ position, floor }: SyncCursor): string {
  return Buffer.from(`1:${position}:${floor > position ? floor : position}`, "utf8").toString("base64url");
}

/** The cursor, or undefined when the text is not one this API issued (in form). */
export function decodeSyncCursor(text: string): SyncCursor | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const match = FORMAT.exec(Buffer.from(text, "base64url").toString("utf8"));
  if (!match) return undefined;
  const position = BigInt(match[1] ?? "");
  const floor = BigInt(match[2] ?? "");
  if (position > MAX_SEQ || floor > MAX_SEQ) return undefined;
  return { position, floor };
}
