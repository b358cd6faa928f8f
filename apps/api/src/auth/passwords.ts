import { randomBytes } from "node:crypto";
import { type HashJobOptions, type HashLane, hashPool } from "./hash-pool.js";

/** How much hashing may wait in this process (see HashJobOptions); beyond it the caller gets a 503 at once. */
export interface HashQueueLimits {
  maxQueued: number;
  maxQueuedPerClient: number;
}

/** Who a hashing job is for: the client address (for fair turns) and the end of its request. */
export interface HashRequester {
  client: string;
  signal?: AbortSignal;
  /** Which queue the job waits in (see HashLane); default `rest`. */
  lane?: HashLane;
}

/** bcrypt reads only the first 72 bytes of a password; anything longer is refused, never cut. */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;

export const exceedsBcryptLimit = (password: string): boolean =>
  Buffer.byteLength(password, "utf8") > BCRYPT_MAX_PASSWORD_BYTES;

/**
 * bcrypt off the event loop, on hashing threads that yield the CPU to request handling (see hash-pool.ts).
 * Every job of a request goes through a bounded, per-client fair queue and is dropped if the request ends
 * while it waits.
 */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(
    readonly cost: number,
    private readonly limits: HashQueueLimits = {
      maxQueued: Number.POSITIVE_INFINITY,
      maxQueuedPerClient: Number.POSITIVE_INFINITY,
    },
  ) {}

  hash(password: string, requester?: HashRequester): Promise<string> {
    return hashPool().hash(password, this.cost, this.jobOptions(requester));
  }

  /**
   * Compares against the stored hash, or, when there is no account (or no password), against a dummy
   * hash of the same cost, so an unknown email costs the same time as a wrong password.
   */
  async verify(password: string, hash: string | null | undefined, requester?: HashRequester): Promise<boolean> {
    if (!hash) {
      await hashPool().compare(password, await this.getDummyHash(), this.jobOptions(requester));
      return false;
    }
    return hashPool().compare(password, hash, this.jobOptions(requester));
  }

  /**
   * Throws HashQueueFullError now if this requester's job would be refused: called first thing, so that a
   * flood's refusals cost no database work. (The job itself is admitted again when it is queued.)
   */
  assertRoom(requester: HashRequester): void {
    const refusal = hashPool().refusal(this.jobOptions(requester));
    if (refusal) throw refusal;
  }

  private jobOptions(requester: HashRequester | undefined): HashJobOptions {
    return { ...this.limits, client: requester?.client, signal: requester?.signal, lane: requester?.lane };
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= hashPool().hash(randomBytes(24).toString("base64"), this.cost);
    return this.dummyHash;
  }
}
