import { describe, expect, it } from "vitest";
import { deriveKey } from "./derived-keys.js";
import { DeviceTokens } from "./device-tokens.js";

const tokens = new DeviceTokens(deriveKey("a secret of at least thirty-two bytes!", "device-token"), 3600);

describe("device tokens", () => {
  it("bind a sign-in to its account and a random device id", () => {
    const token = tokens.issue("user-1");
    const claim = tokens.verify(token);
    expect(claim).toMatchObject({ userId: "user-1", deviceId: expect.stringMatching(/^[\w-]{22}$/) });
    expect(tokens.verify(tokens.issue("user-1"))!.deviceId).not.toBe(claim!.deviceId);
  });

  it("refuse a changed account, expiry or MAC, another key's tokens, expired ones and garbage", () => {
    const token = tokens.issue("user-1");
    const [v, , exp, device, mac] = token.split(".");
    const other = Buffer.from("user-2").toString("base64url");
    expect(tokens.verify([v, other, exp, device, mac].join("."))).toBeUndefined();
    expect(tokens.verify([v, token.split(".")[1], Number(exp) + 999, device, mac].join("."))).toBeUndefined();
    expect(tokens.verify(`${token.slice(0, -2)}AA`)).toBeUndefined();
    const foreign = new DeviceTokens(deriveKey("another secret of at least thirty-two bytes", "device-token"), 3600);
    expect(tokens.verify(foreign.issue("user-1"))).toBeUndefined();
    expect(tokens.verify(token, Date.now() + 3601_000)).toBeUndefined();
    for (const junk of ["", "dt1", "dt1....", "x.y.z.w.v", token.replace("dt1", "dt2")]) {
      expect(tokens.verify(junk)).toBeUndefined();
    }
  });
});
