import { randomUUID } from "node:crypto";
import {
  type BalancedApis,
  freshRequest,
  haproxyAvailable,
  holdLock,
  pgbouncerAvailable,
  type RawResponse,
  startBalancedApis,
  TEST_JWT_SECRET,
} from "@todo/test-kit";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

// Several processes on one database need a server (PGlite belongs to one process), PgBouncer and HAProxy.
const runs = inject("database") === "postgres" && pgbouncerAvailable() && haproxyAvailable();
const PASSWORD = "correct horse battery";
const REVOCATION_SYNC_MS = 200;
/**
 * Short enough for the timeout case to be quick, long enough that an ordinary request on a loaded CI machine (a
 * create waiting its turn on the user's lock through PgBouncer) does not hit it: at 1 s, CI saw such 503s.
 */
const STATEMENT_TIMEOUT_MS = 3_000;

/**
 * Every guarantee that must hold across processes, one case each: each gets the two processes behind the
 * balancer and checks, through `send` (which records which process answered), that both took part.
 * New shared state adds a case here.
 */
interface Case {
  name: string;
  run(ctx: Context): Promise<void>;
}

interface Context {
  cluster: BalancedApis;
  databaseUrl: string;
  /** One request through the balancer, on a connection of its own; `slot` is the process that answered. */
  send(
    path: string,
    options?: {
      method?: string;
      body?: unknown;
      token?: string;
      forwardedFor?: string;
      headers?: Record<string, string>;
    },
  ): Promise<RawResponse & { slot: number }>;
  signUp(): Promise<{ email: string; userId: string; accessToken: string; refreshToken: string }>;
}

const sid = (accessToken: string) => (jwt.decode(accessToken) as jwt.JwtPayload).sid as string;
const bothSlots = (responses: { slot: number }[]) =>
  expect(new Set(responses.map((r) => r.slot))).toEqual(new Set([0, 1]));

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CASES: Case[] = [
  {
    name: "failed logins answered by either process count toward one limit per account and address",
    async run({ send, signUp }) {
      const { email } = await signUp();
      const wrong = [];
      for (let i = 0; i < 3; i++) {
        wrong.push(await send("/api/v1/auth/login", { method: "POST", body: { email, password: "wrong password!" } }));
      }
      expect(wrong.map((r) => r.status)).toEqual([401, 401, 401]);
      bothSlots(wrong);
      const blocked = [];
      for (let i = 0; i < 4; i++) {
        blocked.push(await send("/api/v1/auth/login", { method: "POST", body: { email, password: PASSWORD } }));
      }
      expect(blocked.map((r) => r.status)).toEqual([429, 429, 429, 429]);
      bothSlots(blocked);
    },
  },
  {
    name: "failed logins from one client address (X-Forwarded-For from the balancer) add up across processes",
    async run({ send, signUp }) {
      // Per account and address: 3 here; the owner on another address is not locked out by them.
      const { email } = await signUp();
      const attacker = `2001:db8::${Math.floor(Math.random() * 0xffff).toString(16)}`;
      const answers = [];
      for (let i = 0; i < 6; i++) {
        answers.push(
          await send("/api/v1/auth/login", {
            method: "POST",
            body: { email, password: "wrong password!" },
            forwardedFor: attacker,
          }),
        );
      }
      bothSlots(answers);
      expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 429, 429, 429]);
      const owner = await send("/api/v1/auth/login", {
        method: "POST",
        body: { email, password: PASSWORD },
        forwardedFor: "203.0.113.7",
      });
      expect(owner.status).toBe(200);
    },
  },
  {
    name: "a sign-out handled by one process ends the access token on every process within REVOCATION_SYNC_MS",
    async run({ send, signUp }) {
      const user = await signUp();
      const before = await Promise.all([0, 1, 2, 3].map(() => send("/api/v1/auth/me", { token: user.accessToken })));
      expect(before.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      bothSlots(before);
      const out = await send("/api/v1/auth/logout", { method: "POST", body: { refreshToken: user.refreshToken } });
      expect(out.status).toBe(204);
      await eventually(async () => {
        const after = await Promise.all([0, 1, 2, 3].map(() => send("/api/v1/auth/me", { token: user.accessToken })));
        if (!after.every((r) => r.status === 401)) return false;
        bothSlots(after);
        return true;
      }, 3_000);
    },
  },
  {
    name: "refresh reuse grace: a retry on the other process gets the same successor (one chain); after the grace it is theft",
    async run({ send, signUp }) {
      const user = await signUp();
      const first = await send("/api/v1/auth/refresh", { method: "POST", body: { refreshToken: user.refreshToken } });
      const retry = await send("/api/v1/auth/refresh", { method: "POST", body: { refreshToken: user.refreshToken } });
      expect([first.status, retry.status]).toEqual([200, 200]);
      expect(first.slot).not.toBe(retry.slot);
      expect(sid(retry.body.accessToken)).toBe(sid(user.accessToken));
      // The same successor on either process: the sign-in stays one chain of tokens (security-hardening.md, item 6).
      expect(retry.body.refreshToken).toBe(first.body.refreshToken);

      // REFRESH_REUSE_GRACE_SECONDS is 1 here: past it, the same retired token is theft, on either process.
      await new Promise((r) => setTimeout(r, 1_500));
      const theft = await send("/api/v1/auth/refresh", { method: "POST", body: { refreshToken: user.refreshToken } });
      expect(theft.status).toBe(401);
      const successor = await send("/api/v1/auth/refresh", {
        method: "POST",
        body: { refreshToken: first.body.refreshToken },
      });
      expect(successor.status).toBe(401);
      await eventually(async () => {
        const after = await Promise.all([0, 1].map(() => send("/api/v1/auth/me", { token: retry.body.accessToken })));
        return after.every((r) => r.status === 401);
      }, 3_000);
    },
  },
  {
    name: "one email registers once, whichever processes the concurrent attempts land on",
    async run({ send }) {
      const email = `race-${randomUUID()}@example.com`;
      const attempts = await Promise.all(
        Array.from({ length: 6 }, () =>
          send("/api/v1/auth/register", { method: "POST", body: { email, password: PASSWORD } }),
        ),
      );
      bothSlots(attempts);
      expect(attempts.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    },
  },
  {
    name: "an Idempotency-Key holds across processes: one task, the same answer replayed by the other process",
    async run({ send, signUp }) {
      const user = await signUp();
      const key = randomUUID();
      const create = () =>
        send(`/api/v1/${user.userId}/tasks`, {
          method: "POST",
          token: user.accessToken,
          body: { title: "exactly once" },
          headers: { "idempotency-key": key },
        });
      const first = await create();
      const replay = await create();
      expect([first.status, replay.status]).toEqual([201, 201]);
      expect(replay.slot).not.toBe(first.slot);
      expect(replay.headers["idempotent-replayed"]).toBe("true");
      expect(replay.body.id).toBe(first.body.id);
      // Concurrent retries on both processes: never a second task.
      const storm = await Promise.all(Array.from({ length: 6 }, create));
      bothSlots(storm);
      for (const r of storm) {
        expect([201, 409]).toContain(r.status);
        if (r.status === 201) expect(r.body.id).toBe(first.body.id);
      }
      const list = await send(`/api/v1/${user.userId}/tasks`, { token: user.accessToken });
      expect(list.body.items.map((t: { id: string }) => t.id)).toEqual([first.body.id]);
    },
  },
  {
    name: "a sync cursor from one process continues on the other, and misses nothing written through both",
    async run({ send, signUp }) {
      const user = await signUp();
      const changes = (cursor?: string) =>
        send(`/api/v1/${user.userId}/changes${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`, {
          token: user.accessToken,
        });
      const start = await changes();
      expect(start.status).toBe(200);
      // One after another: a user's writes take turns on the user's lock, and this set-up's statement timeout
      // (STATEMENT_TIMEOUT_MS) would turn a long wait for it on a loaded machine into a 503.
      const written = [];
      for (let i = 0; i < 10; i++) {
        written.push(
          await send(`/api/v1/${user.userId}/tasks`, {
            method: "POST",
            token: user.accessToken,
            body: { title: `t${i}` },
          }),
        );
      }
      expect(written.map((w) => w.status)).toEqual(Array(10).fill(201));
      bothSlots(written);
      const seen = new Set<string>();
      const pages = [];
      let cursor: string = start.body.cursor;
      for (let more = true; more; ) {
        const page = await changes(cursor);
        expect(page.status).toBe(200);
        pages.push(page);
        for (const task of page.body.tasks) seen.add(task.id);
        cursor = page.body.cursor;
        more = page.body.hasMore;
        if (pages.length < 2) more = true; // read at least twice, so both processes answer a cursor
      }
      bothSlots([start, ...pages]);
      for (const w of written) expect(seen.has(w.body.id)).toBe(true);
    },
  },
  {
    name: "the statement timeout bounds requests through PgBouncer: a request stuck on a lock gets 503, then both serve",
    async run({ send, signUp, databaseUrl }) {
      const user = await signUp();
      const created = await send(`/api/v1/${user.userId}/tasks`, {
        method: "POST",
        token: user.accessToken,
        body: { title: "locked" },
      });
      expect(created.status).toBe(201);
      const lock = await holdLock(databaseUrl, "SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", [created.body.id]);
      try {
        const started = performance.now();
        const stuck = await send(`/api/v1/${user.userId}/tasks/${created.body.id}/complete`, {
          method: "PATCH",
          token: user.accessToken,
        });
        expect(stuck.status).toBe(503);
        expect(performance.now() - started).toBeLessThan(STATEMENT_TIMEOUT_MS + 3_000);
      } finally {
        await lock.release();
      }
      const after = await Promise.all(
        [0, 1, 2, 3].map(() => send(`/api/v1/${user.userId}/tasks/${created.body.id}`, { token: user.accessToken })),
      );
      expect(after.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      bothSlots(after);
      expect(after[0]!.body.completed).toBe(false);
    },
  },
];

describe.runIf(runs)("two API processes behind HAProxy, through PgBouncer (transaction mode)", () => {
  const databaseUrl = inject("databaseUrl")!;
  let cluster: BalancedApis;
  let ctx: Context;

  beforeAll(async () => {
    cluster = await startBalancedApis({
      databaseUrl,
      env: {
        JWT_SECRET: TEST_JWT_SECRET,
        BCRYPT_COST: "4",
        REVOCATION_SYNC_MS: String(REVOCATION_SYNC_MS),
        RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS: "3",
        REFRESH_REUSE_GRACE_SECONDS: "1",
        DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        MIGRATE_ON_START: "false",
      },
    });
    const send: Context["send"] = async (path, options = {}) => {
      const requestId = randomUUID();
      const res = await freshRequest(cluster.url, path, { ...options, requestId });
      return { ...res, slot: await cluster.servedBy(requestId) };
    };
    ctx = {
      cluster,
      databaseUrl,
      send,
      async signUp() {
        const email = `multi-${randomUUID()}@example.com`;
        // A 503 is the API's "retry": this set-up bounds every statement by 1 s, which a loaded machine can pass.
        let res = await send("/api/v1/auth/register", { method: "POST", body: { email, password: PASSWORD } });
        for (let retry = 0; res.status === 503 && retry < 5; retry++) {
          await new Promise((r) => setTimeout(r, 500));
          res = await send("/api/v1/auth/register", { method: "POST", body: { email, password: PASSWORD } });
        }
        if (res.status !== 201) throw new Error(`register: ${res.status}`);
        return {
          email,
          userId: res.body.user.id,
          accessToken: res.body.accessToken,
          refreshToken: res.body.refreshToken,
        };
      },
    };
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  for (const testCase of CASES) {
    it(testCase.name, () => testCase.run(ctx));
  }
});
