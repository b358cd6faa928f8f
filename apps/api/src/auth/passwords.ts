import { randomBytes } from "node:crypto";
import { hashPool } from "./hash-pool.js";

/**
 * bcrypt off the event loop, on hashing threads that yield the CPU to request handling (see hash-pool.ts).
 */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(readonly cost: number) {}

  hash(password: string): Promise<string> {
    return hashPool().hash(password, this.cost);
  }

  /**
   * Compares against the stored hash, or, when there is no account (or no password), against a dummy
   * hash of the same cost, so an unknown email costs the same time as a wrong password.
   */
  async verify(password: string, hash: string | null | undefined): Promise<boolean> {
    if (!hash) {
      await hashPool().compare(password, await this.getDummyHash());
      return false;
    }
    return hashPool().compare(password, hash);
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= hashPool().hash(randomBytes(24).toString("base64"), this.cost);
    return this.dummyHash;
  }
}
