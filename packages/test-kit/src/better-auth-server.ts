// A real Better Auth server (the `better-auth` package, as a Next.js frontend would configure it), served
// over HTTP so the API fetches its real JWKS. Its storage is Better Auth's own memory adapter: no native
// module (better-sqlite3 would need a download) and nothing shared with the API's database.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { toNodeHandler } from "better-auth/node";
import { jwt } from "better-auth/plugins";
import { SignJWT } from "jose";

export type BetterAuthMode =
  /** Better Auth's default: EdDSA keys published at /api/auth/jwks (or another algorithm it supports). */
  | { kind: "jwks"; alg?: "EdDSA" | "ES256" | "ES512" | "RS256" | "PS256" }
  /** The shared-secret recipe of docs/better-auth.md: HS256 with BETTER_AUTH_SECRET, no JWKS. */
  | { kind: "hs256"; secret: string };

export interface BetterAuthUser {
  id: string;
  email: string;
  /** The session cookie, as the browser would hold it. */
  cookie: string;
}

export interface BetterAuthServer {
  /** BETTER_AUTH_URL: the frontend's base URL (iss = aud = this). */
  url: string;
  /** Better Auth's own data (user, session, account, verification, jwks tables), for rotation tests. */
  db: Record<string, Record<string, unknown>[]>;
  /** How many times its JWKS endpoint was asked. */
  jwksRequests: number;
  signUp(email?: string, options?: { verify?: boolean }): Promise<BetterAuthUser>;
  /** Better Auth's email verification link, followed as the user would. */
  verifyEmail(email: string): Promise<void>;
  changeEmail(user: BetterAuthUser, newEmail: string): Promise<void>;
  /** A fresh JWT from GET /api/auth/token, as `authClient.token()` gets it. */
  token(user: BetterAuthUser): Promise<string>;
  /** The JWT of the `set-auth-jwt` header of get-session. */
  sessionHeaderToken(user: BetterAuthUser): Promise<string>;
  /** Better Auth's own server-side `auth.api.signJWT`: any payload, signed with its current key. */
  sign(payload: Record<string, unknown>): Promise<string>;
  /** Ends the current signing key as `jwks.rotationInterval` would: the next token is signed with a new one. */
  rotateKey(): void;
  /**
   * The frontend redeployed with `jwt({ jwks: { keyPairConfig: { alg } } })`, keeping its database: the
   * current key is ended (as a rotation would) so the next token is signed with a new key of that algorithm.
   */
  useAlgorithm(alg: "EdDSA" | "ES256" | "ES512" | "RS256" | "PS256"): void;
  /** Stops listening: the key set becomes unreachable. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

/** The frontend's `auth.ts` (see docs/better-auth.md), with a memory database for the test. */
export function betterAuthOptions(baseURL: string, mode: BetterAuthMode, db: Record<string, unknown[]>, mail: Mailbox) {
  const secretKey = mode.kind === "hs256" ? new TextEncoder().encode(mode.secret) : undefined;
  return {
    baseURL,
    secret: mode.kind === "hs256" ? mode.secret : "better-auth-test-secret-of-at-least-32-bytes",
    database: memoryAdapter(db),
    emailAndPassword: { enabled: true },
    emailVerification: {
      sendVerificationEmail: async ({ user, url }: { user: { email: string }; url: string }) => {
        mail.set(user.email, url);
      },
    },
    user: {
      changeEmail: {
        enabled: true,
        // The new address is unverified until its owner follows the link (Better Auth then marks it verified).
        updateEmailWithoutVerification: true,
      },
    },
    plugins: [
      mode.kind === "jwks"
        ? jwt(mode.alg ? { jwks: { keyPairConfig: { alg: mode.alg } } } : undefined)
        : jwt({
            // Better Auth's types offer only asymmetric algorithms: HS256 needs a signer of one's own, and a
            // `remoteUrl` (its /jwks endpoint then answers 404, as there is no public key to publish).
            jwks: { remoteUrl: `${baseURL}/api/auth/jwks`, keyPairConfig: { alg: "EdDSA" } },
            jwt: {
              sign: (payload) =>
                new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(secretKey as Uint8Array),
            },
          }),
    ],
  };
}

type Mailbox = Map<string, string>;

export async function startBetterAuth(mode: BetterAuthMode = { kind: "jwks" }): Promise<BetterAuthServer> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  let server: Server = createServer((req, res) => handler(req, res));
  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const db: Record<string, Record<string, unknown>[]> = {
    user: [],
    session: [],
    account: [],
    verification: [],
    jwks: [],
  };
  const mail: Mailbox = new Map();
  let auth = betterAuth(betterAuthOptions(url, mode, db, mail));
  let nodeHandler = toNodeHandler(auth);

  const state = { jwksRequests: 0 };
  handler = (req, res) => {
    if (req.url?.startsWith("/api/auth/jwks")) state.jwksRequests += 1;
    void nodeHandler(req, res);
  };
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${url}/api/auth${path}`, {
      ...init,
      headers: { "content-type": "application/json", origin: url, ...init.headers },
    });
  const expectOk = async (res: Response, what: string) => {
    if (!res.ok) throw new Error(`Better Auth ${what}: ${res.status} ${await res.text()}`);
    return res;
  };

  const result: BetterAuthServer = {
    url,
    db,
    get jwksRequests() {
      return state.jwksRequests;
    },
    async signUp(email = `ba-${randomUUID()}@example.com`, options = {}) {
      const res = await expectOk(
        await api("/sign-up/email", {
          method: "POST",
          body: JSON.stringify({ email, password: "better auth password", name: "Test User" }),
        }),
        "sign-up",
      );
      const body = (await res.json()) as { user: { id: string } };
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      if (options.verify) await result.verifyEmail(email);
      return { id: body.user.id, email, cookie };
    },
    async verifyEmail(email) {
      await expectOk(
        await api("/send-verification-email", { method: "POST", body: JSON.stringify({ email }) }),
        "mail",
      );
      const link = mail.get(email);
      if (!link) throw new Error(`no verification mail for ${email}`);
      await followLink(link);
    },
    async changeEmail(user, newEmail) {
      mail.delete(newEmail);
      await expectOk(
        await api("/change-email", {
          method: "POST",
          headers: { cookie: user.cookie },
          body: JSON.stringify({ newEmail }),
        }),
        "change-email",
      );
      // A verified user's change takes effect once the new address's owner follows the link sent to it.
      const link = mail.get(newEmail);
      if (link) await followLink(link);
      user.email = newEmail;
    },
    async token(user) {
      const res = await expectOk(await api("/token", { headers: { cookie: user.cookie } }), "token");
      return ((await res.json()) as { token: string }).token;
    },
    async sessionHeaderToken(user) {
      const res = await expectOk(await api("/get-session", { headers: { cookie: user.cookie } }), "get-session");
      const token = res.headers.get("set-auth-jwt");
      if (!token) throw new Error("get-session sent no set-auth-jwt header");
      return token;
    },
    async sign(payload) {
      const { token } = await auth.api.signJWT({ body: { payload } });
      return token;
    },
    rotateKey() {
      // Better Auth mints a new key when the latest has expired and keeps publishing the old one for the
      // grace period (30 days by default), so tokens signed with it stay verifiable.
      for (const key of db.jwks ?? []) key.expiresAt = new Date(Date.now() - 1000);
    },
    useAlgorithm(alg) {
      auth = betterAuth(betterAuthOptions(url, { kind: "jwks", alg }, db, mail));
      nodeHandler = toNodeHandler(auth);
      result.rotateKey();
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
    async restart() {
      server = createServer((req, res) => handler(req, res));
      await listen(server, port);
    },
  };
  return result;
}

/** A link of a Better Auth email; it redirects to the callback URL once it has done its work. */
async function followLink(link: string): Promise<void> {
  const res = await fetch(link, { redirect: "manual" });
  if (res.status >= 400) throw new Error(`email link: ${res.status} ${await res.text()}`);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
}
