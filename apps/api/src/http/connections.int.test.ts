import { connect, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { signUp, startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface OpenSocket {
  socket: Socket;
  /** Resolves with the milliseconds from connecting to the server closing the connection. */
  closed: Promise<number>;
  received: () => string;
}

function openSocket(app: TestApp, localAddress: string): Promise<OpenSocket> {
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ host: hostname, port: Number(port), localAddress });
    let text = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
    });
    socket.on("error", () => undefined); // a reset is one way of being closed
    const closed = new Promise<number>((done) => socket.once("close", () => done(performance.now() - started)));
    socket.once("connect", () => resolve({ socket, closed, received: () => text }));
    socket.once("error", reject);
  });
}

/** Waits (up to 10 s) until the server has sent something on the connection. */
async function responseOn(open: OpenSocket): Promise<void> {
  for (let waited = 0; open.received() === "" && waited < 10_000; waited += 50) await delay(50);
}

const isOpenAfter = (open: OpenSocket, ms: number) =>
  Promise.race([open.closed.then(() => false), delay(ms).then(() => true)]);

describe("idle and silent connections", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ HEADERS_TIMEOUT_MS: "1000", KEEP_ALIVE_TIMEOUT_MS: "1000", MAX_CONNECTIONS: "0" });
  });
  afterAll(() => app.close());

  it("closes connections that never send a byte", async () => {
    const sockets = await Promise.all(Array.from({ length: 30 }, (_, i) => openSocket(app, `127.0.0.${2 + (i % 5)}`)));
    const lifetimes = await Promise.race([
      Promise.all(sockets.map((s) => s.closed)),
      delay(6_000).then(() => "still open after 6 s"),
    ]);
    expect(lifetimes).toEqual(Array(30).fill(expect.any(Number)));
    for (const ms of lifetimes as number[]) expect(ms).toBeGreaterThanOrEqual(900);
  });

  it("closes a connection that starts a request and goes silent", async () => {
    const open = await openSocket(app, "127.0.0.7");
    open.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    expect(await isOpenAfter(open, 6_000)).toBe(false);
  });

  it("closes a keep-alive connection left idle after its response", async () => {
    const open = await openSocket(app, "127.0.0.8");
    open.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    await responseOn(open);
    expect(open.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(await isOpenAfter(open, 6_000)).toBe(false);
  });

  it("does not cut a request whose handler takes longer than the silence allowed before it", async () => {
    const user = await signUp(app);
    const open = await openSocket(app, "127.0.0.9");
    // Hold the users table (PGlite: the whole database) for 2 s while the request waits on it.
    const lock = app.server.db.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`LOCK TABLE users IN ACCESS EXCLUSIVE MODE`;
        open.socket.write(
          `GET /api/v1/auth/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.accessToken}\r\n\r\n`,
        );
        await delay(2_000);
        expect(open.received()).toBe(""); // still waiting, and still connected
      },
      { timeout: 10_000 },
    );
    await lock;
    await responseOn(open);
    expect(open.received()).toMatch(/^HTTP\/1\.1 200/);
  });
});

describe("maximum open connections", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ MAX_CONNECTIONS: "5", HEADERS_TIMEOUT_MS: "30000" });
  });
  afterAll(() => app.close());

  it("closes connections beyond MAX_CONNECTIONS at once and serves the ones it holds", async () => {
    const held: OpenSocket[] = [];
    for (let i = 0; i < 5; i++) held.push(await openSocket(app, `127.0.0.${10 + i}`));
    await delay(100);
    const extra = await Promise.all([15, 16, 17].map((n) => openSocket(app, `127.0.0.${n}`)));
    for (const s of extra) expect(await isOpenAfter(s, 2_000)).toBe(false);
    held[0]!.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    await responseOn(held[0]!);
    expect(held[0]!.received()).toMatch(/^HTTP\/1\.1 200/);
    // A freed place is taken by the next connection.
    for (const s of held) s.socket.destroy();
    await delay(100);
    const next = await openSocket(app, "127.0.0.18");
    next.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await next.closed;
    expect(next.received()).toMatch(/^HTTP\/1\.1 200/);
  });
});
