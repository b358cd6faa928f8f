import { randomBytes } from "node:crypto";
import bcrypt from "bcrypt";

/**
 * bcrypt on libuv's thread pool (the native binding), so hashing never blocks the event loop.
 */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(readonly cost: number) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  /**
   * Compares against the stored hash, or, when there is no account (or no password), against a dummy
   * hash of the same cost, so an unknown email costs the same time as a wrong password.
   */
  async verify(password: string, hash: string | null | undefined): Promise<boolean> {
    if (!hash) {
      await bcrypt.compare(password, await this.getDummyHash());
      return false;
    }
    return bcrypt.compare(password, hash);
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= bcrypt.hash(randomBytes(24).toString("base64"), this.cost);
    return this.dummyHash;
  }
}
