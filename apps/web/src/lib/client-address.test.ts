import { describe, expect, it } from "vitest";
import { appendPeer, clientAddressFrom } from "./client-address";

describe("appendPeer", () => {
  it("puts the TCP peer last, after whatever chain arrived", () => {
    expect(appendPeer(undefined, "127.0.0.2")).toBe("127.0.0.2");
    expect(appendPeer("", "127.0.0.2")).toBe("127.0.0.2");
    expect(appendPeer("1.2.3.4", "127.0.0.2")).toBe("1.2.3.4, 127.0.0.2");
    expect(appendPeer(["1.2.3.4", "5.6.7.8"], "10.0.0.1")).toBe("1.2.3.4, 5.6.7.8, 10.0.0.1");
  });
});

describe("clientAddressFrom", () => {
  it("with no trusted hop, is the TCP peer whatever the browser wrote before it", () => {
    expect(clientAddressFrom(appendPeer("1.2.3.4, 127.0.0.3", "127.0.0.2"), 0)).toBe("127.0.0.2");
    expect(clientAddressFrom("203.0.113.9", 0)).toBe("203.0.113.9");
  });

  it("skips exactly the trusted hops from the right", () => {
    // browser-forged, real client (written by our proxy), our proxy (the TCP peer)
    const chain = "6.6.6.6, 203.0.113.9, 10.0.0.5";
    expect(clientAddressFrom(chain, 1)).toBe("203.0.113.9");
    expect(clientAddressFrom(chain, 2)).toBe("6.6.6.6");
    expect(clientAddressFrom("203.0.113.9, 10.0.0.5", 5)).toBe("203.0.113.9");
  });

  it("unwraps IPv4-mapped IPv6 and keeps IPv6", () => {
    expect(clientAddressFrom("::ffff:127.0.0.2", 0)).toBe("127.0.0.2");
    expect(clientAddressFrom("2001:db8::1", 0)).toBe("2001:db8::1");
  });

  it("is null when there is no valid address where the client should be", () => {
    expect(clientAddressFrom(null, 0)).toBeNull();
    expect(clientAddressFrom("", 0)).toBeNull();
    expect(clientAddressFrom("not-an-ip, 10.0.0.5", 1)).toBeNull();
    expect(clientAddressFrom("1.2.3.4, ", 0)).toBeNull();
  });
});
