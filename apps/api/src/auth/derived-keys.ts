import { createHmac } from "node:crypto";

/**
 * A key for one purpose, derived from the server's secret (HMAC-SHA256 of the purpose's name): the secret never
 * signs two kinds of thing, and a key that leaks from one use says nothing about another.
 */
export function deriveKey(secret: string, purpose: "refresh-successor" | "device-token"): Buffer {
  return createHmac("sha256", secret).update(`todo-api:${purpose}:v1`).digest();
}
