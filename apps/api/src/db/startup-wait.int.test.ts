import { createConnection, createServer, type Server, type Socket } from "node:net";
import { freePort, signUp, startTestApp } from "@todo/test-kit";
import { afterEach, describe, expect, inject, it } from "vitest";

// Waiting for a server that is not there yet is a PostgreSQL matter; the embedded database is always there.
const runs = inject("database") === "postgres";

/**
 * A port in front of the run's PostgreSQL server that forwards nothing until `open()`: before, it refuses
 * connections ("refusing"), or accepts them and never answers, so the pool's connection wait runs out, as on
 * an overloaded machine ("silent").
 */
async function lateDatabase(before: "refusing" | "silent" = "refusing") {
  const target = new URL(inject("databaseUrl")!);
  const port = await freePort();
  const url = new URL(target);
  url.port = String(port);
  url.hostname = "127.0.0.1";
  let open = false;
  const held = new Set<Socket>();
  const server: Server = createServer((client) => {
    held.add(client.on("error", () => undefined));
    if (!open) return;
    const upstream = createConnection(Number(target.port || 5432), target.hostname);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  const listen = () => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  if (before === "silent") await listen();
  return {
    url: url.toString(),
    async open() {
      open = true;
      if (before === "refusing") await listen();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of held) socket.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}

describe.runIf(runs)("start-up while the database cannot be reached", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it.each(["refusing", "silent"] as const)(
    "waits for a database that comes up within DB_STARTUP_WAIT (%s before), saying so, then serves",
    async (before) => {
      const database = await lateDatabase(before);
      cleanups.push(database.close);
      const starting = startTestApp({
        DATABASE_URL: database.url,
        DB_STARTUP_WAIT: "30s",
        DB_CONNECTION_TIMEOUT_MS: "300",
      });
      setTimeout(() => void database.open(), 1_500);
      const app = await starting;
      cleanups.push(app.close);

      const waits = app.logs.filter((line) => line.includes("database not answering at start"));
      expect(waits.length).toBeGreaterThanOrEqual(1);
      // What is logged is the step and the timing, never a driver's message or the address with its password.
      expect(waits.join("\n")).not.toMatch(/ECONNREFUSED|postgres:\/\//);
      const user = await signUp(app);
      expect((await app.request(`/api/v1/${user.id}/tasks`, { token: user.accessToken })).status).toBe(200);
    },
  );

  it("gives up after DB_STARTUP_WAIT when the database stays away", async () => {
    const database = await lateDatabase();
    const started = performance.now();
    await expect(startTestApp({ DATABASE_URL: database.url, DB_STARTUP_WAIT: "2s" })).rejects.toThrow();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(8_000);
  });

  it("does not wait when the database answers with a refusal of another kind (no such database)", async () => {
    const url = new URL(inject("databaseUrl")!);
    url.pathname = "/no_such_database_here";
    const started = performance.now();
    await expect(startTestApp({ DATABASE_URL: url.toString(), DB_STARTUP_WAIT: "30s" })).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
