import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** What a valid device token says: the account it was issued to, and which device (for its own limit). */
export interface DeviceClaim {
  userId: string;
  /** Random per token: the subject of the per-device failed-login limit. */
  deviceId: string;
  expiresAt: Date;
}

const VERSION = "dt1";

/**
 * OWASP's device cookies ("Slow Down Online Guessing Attacks with Device Cookies"): every successful sign-in
 * gets a token, signed by the server (HMAC-SHA256 under a key of its own, see deriveKey), bound to the account
 * and with an expiry: `dt1.<user id, base64url>.<expiry, epoch seconds>.<device id>.<mac>`. A later login for
 * that account carrying it comes from a browser where its owner signed in before: it is counted against that
 * device alone, not against the account's ceiling that strangers' guesses fill, so a lockout they cause does not
 * keep the owner out. The token grants nothing by itself (the password is still checked) and holds no secret
 * but its MAC; web apps keep it in an httpOnly cookie.
 */
export class DeviceTokens {
  constructor(
    private readonly key: Buffer,
    readonly ttlSeconds: number,
  ) {}

  issue(userId: string, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + this.ttlSeconds;
    const payload = `${VERSION}.${Buffer.from(userId, "utf8").toString("base64url")}.${expires}.${randomBytes(16).toString("base64url")}`;
    return `${payload}.${this.mac(payload)}`;
  }

  /** The claim of a token this server signed and that has not expired; undefined for anything else. */
  verify(token: string, now = Date.now()): DeviceClaim | undefined {
    const parts = token.split(".");
    if (parts.length !== 5 || parts[0] !== VERSION) return undefined;
    const [, user = "", expires = "", deviceId = "", mac = ""] = parts;
    const expected = Buffer.from(this.mac(parts.slice(0, 4).join(".")), "base64url");
    const given = Buffer.from(mac, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const expiresAt = Number(expires) * 1000;
    if (!Number.isSafeInteger(expiresAt) || expiresAt <= now) return undefined;
    return { userId: Buffer.from(user, "base64url").toString("utf8"), deviceId, expiresAt: new Date(expiresAt) };
  }

  private mac(payload: string): string {
    return createHmac("sha256", this.key).update(payload, "utf8").digest("base64url");
  }
}
