import { connect, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestApp, type TestApp } from "../../test/harness.js";

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

  it("closes a header trickle (a byte every 300 ms) at HEADERS_TIMEOUT_MS from its first byte", async () => {
    const open = await openSocket(app, "127.0.0.10");
    const request =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let sent = 0;
    const trickle = setInterval(() => {
      if (!open.socket.destroyed) open.socket.write(request[sent++ % request.length]!);
    }, 300);
    try {
      // 1 s allowed: closed within the deadline plus Node's check interval (250 ms here), not 30 s later.
      const lifetime = await Promise.race([open.closed, delay(6_000).then(() => Number.POSITIVE_INFINITY)]);
      expect(lifetime).toBeGreaterThanOrEqual(900);
      expect(lifetime).toBeLessThan(2_500);
    } finally {
      clearInterval(trickle);
    }
  });

  it("closes a trickle of a keep-alive connection's next request at HEADERS_TIMEOUT_MS from its first byte", async () => {
    const open = await openSocket(app, "127.0.0.11");
    open.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    await responseOn(open);
    expect(open.received()).toMatch(/^HTTP\/1\.1 200/);
    const started = performance.now();
    const request =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let sent = 0;
    const trickle = setInterval(() => {
      if (!open.socket.destroyed) open.socket.write(request[sent++ % request.length]!);
    }, 300);
    try {
      expect(await isOpenAfter(open, 6_000)).toBe(false);
      expect(performance.now() - started).toBeLessThan(6_000);
    } finally {
      clearInterval(trickle);
    }
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

/** A keep-alive connection that has had one answer and now sits idle. */
async function idleKeepAlive(app: TestApp, localAddress: string): Promise<OpenSocket> {
  const open = await openSocket(app, localAddress);
  open.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  await responseOn(open);
  expect(open.received()).toMatch(/^HTTP\/1\.1 200/);
  return open;
}

/** A connection whose request is in progress: headers complete, body still coming. */
async function busyRequest(app: TestApp, localAddress: string): Promise<OpenSocket> {
  const open = await openSocket(app, localAddress);
  open.socket.write(
    "POST /api/v1/auth/logout HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 22\r\n\r\n{",
  );
  return open;
}

describe("connection slots (MAX_CONNECTIONS=60)", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ MAX_CONNECTIONS: "60", HEADERS_TIMEOUT_MS: "30000", KEEP_ALIVE_TIMEOUT_MS: "600000" });
  });
  afterAll(() => app.close());

  it("60 idle keep-alive connections do not lock a newcomer out: past 3/4 full, answers close their connection", async () => {
    const idle: OpenSocket[] = [];
    for (let i = 0; i < 60; i++) idle.push(await idleKeepAlive(app, `127.0.0.${20 + (i % 6)}`));
    await delay(200);
    const stillOpen = await Promise.all(idle.map((s) => isOpenAfter(s, 0)));
    expect(stillOpen.filter(Boolean).length).toBeLessThanOrEqual(45);
    expect(idle[59]!.received()).toMatch(/Connection: close/i);
    const victim = await openSocket(app, "127.0.0.40");
    victim.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await Promise.race([victim.closed, delay(5_000)]);
    expect(victim.received()).toMatch(/^HTTP\/1\.1 200/);
    for (const s of idle) s.socket.destroy();
    await delay(200);
  });

  it("60 connections that have not sent a request yet: the one waiting longest makes room for a newcomer", async () => {
    const silent: OpenSocket[] = [];
    for (let i = 0; i < 60; i++) silent.push(await openSocket(app, `127.0.0.${30 + (i % 6)}`));
    await delay(200);
    const victim = await openSocket(app, "127.0.0.41");
    victim.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await Promise.race([victim.closed, delay(5_000)]);
    expect(victim.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(await isOpenAfter(silent[0]!, 500)).toBe(false);
    expect(await isOpenAfter(silent[59]!, 0)).toBe(true);
    for (const s of silent) s.socket.destroy();
    await delay(200);
  });

  it("when every slot has a request in progress, newcomers are closed at once and the held requests finish", async () => {
    const busy: OpenSocket[] = [];
    for (let i = 0; i < 60; i++) busy.push(await busyRequest(app, `127.0.0.${50 + (i % 6)}`));
    await delay(200);
    const extra = await Promise.all([60, 61, 62].map((n) => openSocket(app, `127.0.0.${n}`)));
    for (const s of extra) expect(await isOpenAfter(s, 2_000)).toBe(false);
    const held = busy[0]!;
    held.socket.write('"refreshToken":"abc"}');
    await responseOn(held);
    expect(held.received()).toMatch(/^HTTP\/1\.1 204/);
    for (const s of busy) s.socket.destroy();
  });
});

describe("connections per client address (MAX_CONNECTIONS_PER_CLIENT=5, no trusted proxy)", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ MAX_CONNECTIONS_PER_CLIENT: "5", TRUST_PROXY: "false", HEADERS_TIMEOUT_MS: "30000" });
  });
  afterAll(() => app.close());

  it("one address holds at most 5 connections; another address is still served", async () => {
    const held: OpenSocket[] = [];
    for (let i = 0; i < 5; i++) held.push(await idleKeepAlive(app, "127.0.0.70"));
    const sixth = await openSocket(app, "127.0.0.70");
    expect(await isOpenAfter(sixth, 2_000)).toBe(false);
    const other = await openSocket(app, "127.0.0.71");
    other.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await Promise.race([other.closed, delay(5_000)]);
    expect(other.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(app.logs.some((l) => l.includes('"reason":"max_connections_per_client"'))).toBe(true);
    // A freed place is taken by the next connection from that address.
    held[0]!.socket.destroy();
    await delay(200);
    const again = await openSocket(app, "127.0.0.70");
    again.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await Promise.race([again.closed, delay(5_000)]);
    expect(again.received()).toMatch(/^HTTP\/1\.1 200/);
    for (const s of held) s.socket.destroy();
  });
});
