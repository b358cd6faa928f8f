import type { Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createWebServer } from "./server";

// The production server's connection limits, on a real node:http server with a trivial handler (the Next.js
// handler changes nothing about them; e2e/server-limits.e2e.test.ts checks the real server once).
const settings = {
  WEB_HEADERS_TIMEOUT_MS: 1_000,
  WEB_REQUEST_TIMEOUT_MS: 2_000,
  WEB_KEEP_ALIVE_TIMEOUT_MS: 1_000,
  WEB_MAX_CONNECTIONS: 0,
  WEB_MAX_CONNECTIONS_PER_CLIENT: 0,
  WEB_TRUST_PROXY_HOPS: 0,
};

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(overrides: Partial<typeof settings> = {}): Promise<number> {
  const refused: string[] = [];
  server = createWebServer(
    { ...settings, ...overrides },
    (_req, res) => res.end("ok"),
    (reason) => refused.push(reason),
  );
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

interface Open {
  socket: Socket;
  closedAfter: Promise<number>;
  text: () => string;
}

function open(port: number, localAddress = "127.0.0.1"): Promise<Open> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ host: "127.0.0.1", port, localAddress });
    let text = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
    });
    socket.on("error", () => undefined); // a reset is one way of being closed
    const closedAfter = new Promise<number>((done) => socket.once("close", () => done(performance.now() - started)));
    socket.once("connect", () => resolve({ socket, closedAfter, text: () => text }));
    socket.once("error", reject);
  });
}

const closedWithin = (o: Open, ms: number) =>
  Promise.race([o.closedAfter.then(() => true), delay(ms).then(() => false)]);

describe("the web server's connection limits", () => {
  it("closes a connection that never sends a byte after the headers timeout", async () => {
    const port = await listen();
    const silent = await open(port);
    expect(await closedWithin(silent, 5_000)).toBe(true);
    expect(await silent.closedAfter).toBeGreaterThanOrEqual(900);
  });

  it("closes a half-sent request (headers never completed), however slowly it trickles", async () => {
    const port = await listen();
    const half = await open(port);
    half.socket.write("GET /sign-in HTTP/1.1\r\nHost: x\r\n");
    const trickle = await open(port);
    trickle.socket.write("GET /sign-in HTTP/1.1\r\n");
    const timer = setInterval(() => trickle.socket.writable && trickle.socket.write("X-A: b\r\n"), 200);
    try {
      expect(await closedWithin(half, 5_000)).toBe(true);
      expect(await closedWithin(trickle, 5_000)).toBe(true);
    } finally {
      clearInterval(timer);
    }
    expect(half.text()).not.toContain("200 OK");
  });

  it("serves a complete request, then closes the idle keep-alive connection", async () => {
    const port = await listen();
    const client = await open(port);
    client.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await expect.poll(() => client.text()).toContain("200 OK");
    expect(await closedWithin(client, 5_000)).toBe(true);
  });

  it("caps connections per client address, not for others", async () => {
    const port = await listen({ WEB_MAX_CONNECTIONS_PER_CLIENT: 3 });
    const mine = await Promise.all(Array.from({ length: 3 }, () => open(port, "127.0.0.2")));
    const extra = await open(port, "127.0.0.2");
    expect(await closedWithin(extra, 1_000)).toBe(true);
    const other = await open(port, "127.0.0.3");
    other.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await expect.poll(() => other.text()).toContain("200 OK");
    for (const o of mine) o.socket.destroy();
  });

  it("caps connections in all, closing an idle keep-alive one to make room", async () => {
    const port = await listen({ WEB_MAX_CONNECTIONS: 2 });
    const idle = await open(port, "127.0.0.4");
    idle.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await expect.poll(() => idle.text()).toContain("200 OK");
    const second = await open(port, "127.0.0.5");
    const third = await open(port, "127.0.0.6");
    third.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await expect.poll(() => third.text()).toContain("200 OK");
    expect(await closedWithin(idle, 1_000)).toBe(true);
    second.socket.destroy();
  });
});
