import { hashSecretToken, newSecretToken } from "../lib/secret-token.js";

/** 256 random bits, base64url: opaque to clients, never stored in the clear. */
export const newRefreshToken = newSecretToken;

/** A refresh token's stored form (SHA-256). */
export const hashRefreshToken = hashSecretToken;
