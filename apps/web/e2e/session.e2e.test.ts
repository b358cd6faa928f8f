import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACCESS_COOKIE,
  addTask,
  cookieHeader,
  cookieTokens,
  hasChromium,
  launchBrowser,
  NO_CHROMIUM,
  REFRESH_COOKIE,
  type Stack,
  signUp,
  startStack,
  startWeb,
  visibleTitles,
  type WebServer,
} from "./stack";

let stack: Stack;
let shortLived: Stack;
/**
 * The short-lived stack's access token lifetime. `exp` has one-second resolution, so a token renewed late in a
 * second lives between TTL - 1 and TTL seconds: with 2 s, a loaded machine could see a freshly renewed token expire
 * before the renders it was renewed for reached the API, and count a second, legitimate renewal.
 */
const SHORT_TTL_SECONDS = 3;
/** Sleeps until an access token of the short-lived stack issued before the call has expired. */
const waitForAccessTokenExpiry = () => sleep(SHORT_TTL_SECONDS * 1000 + 500);
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!hasChromium) return console.warn(`skipping the web app's session tests: ${NO_CHROMIUM}`);
  [stack, shortLived] = await Promise.all([startStack(), startStack({ ACCESS_TOKEN_TTL: `${SHORT_TTL_SECONDS}s` })]);
});

afterAll(async () => {
  await Promise.all([stack?.close(), shortLived?.close()]);
});

async function newContext(on: Stack): Promise<BrowserContext> {
  const context = await on.browser.newContext();
  contexts.push(context);
  return context;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const refreshCalls = (on: Stack) =>
  on.api.logs.filter((l) => l.msg === "request completed" && l.path === "/api/v1/auth/refresh").length;
const reuseDetected = (on: Stack) => on.api.logs.some((l) => l.msg === "refresh token reuse: sign-in revoked");

describe.skipIf(!hasChromium)("sessions", () => {
  it("continues silently past the access token's expiry, renewing on the server", async () => {
    const context = await newContext(shortLived);
    const page = await signUp(context, shortLived.webUrl);
    await addTask(page, "Before expiry");
    const first = await cookieTokens(context);

    await waitForAccessTokenExpiry();
    await addTask(page, "After expiry"); // a Server Action
    await waitForAccessTokenExpiry();
    await page.reload(); // a Server Component render
    expect(new URL(page.url()).pathname).toBe("/tasks");
    await expect.poll(() => visibleTitles(page)).toEqual(["Before expiry", "After expiry"]);
    await page.getByRole("checkbox", { name: "Before expiry", exact: true }).check();

    const now = await cookieTokens(context);
    expect(now.accessToken).not.toBe(first.accessToken);
    expect(now.refreshToken).not.toBe(first.refreshToken);
    expect(reuseDetected(shortLived)).toBe(false);
  });

  it("renews once when requests with the same expired cookies race, and serves late ones the same pair", async () => {
    const context = await newContext(shortLived);
    const page = await signUp(context, shortLived.webUrl);
    await addTask(page, "Raced");
    const stale = await cookieTokens(context);
    await waitForAccessTokenExpiry();

    const before = refreshCalls(shortLived);
    // Five requests leave together with the same expired access token and the same refresh token.
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => context.request.get(`${shortLived.webUrl}/tasks`, { maxRedirects: 0 })),
    );
    // A request still carrying the old cookies (sent before the new ones arrived), within the API's grace, is
    // served with the pair that renewal produced: never a second use of the old refresh token.
    const late = await fetch(`${shortLived.webUrl}/tasks`, {
      headers: { cookie: cookieHeader(stale) },
      redirect: "manual",
    });
    expect(responses.map((r) => r.status())).toEqual([200, 200, 200, 200, 200]);
    for (const res of responses) expect(await res.text()).toContain("Raced");
    expect(late.status).toBe(200);
    expect(await late.text()).toContain("Raced");

    // The API writes its request log lines in batches: wait for the first, then make sure no second follows.
    await expect.poll(() => refreshCalls(shortLived) - before).toBeGreaterThanOrEqual(1);
    await sleep(1_000);
    expect(refreshCalls(shortLived) - before).toBe(1);

    // The sign-in is alive: no refresh token was spent twice.
    expect(reuseDetected(shortLived)).toBe(false);
    await page.reload();
    expect(new URL(page.url()).pathname).toBe("/tasks");
    await expect.poll(() => visibleTitles(page)).toEqual(["Raced"]);
  });

  it("ends the sign-in when a retired refresh cookie is replayed after the grace, never answering with the current pair", async () => {
    const context = await newContext(shortLived);
    const page = await signUp(context, shortLived.webUrl);
    await addTask(page, "Victim's task");
    const stolen = await cookieTokens(context);
    await waitForAccessTokenExpiry(); // the next page load renews (the stolen pair is now retired)
    await page.reload();
    await page.getByRole("checkbox", { name: "Victim's task", exact: true }).waitFor();
    const current = await cookieTokens(context);
    expect(current.refreshToken).not.toBe(stolen.refreshToken);
    const before = refreshCalls(shortLived);

    await sleep(3_500); // past REFRESH_REUSE_GRACE_SECONDS (3 s), which the web app's memory may not outlive
    const replay = await fetch(`${shortLived.webUrl}/tasks`, {
      headers: { cookie: cookieHeader(stolen) },
      redirect: "manual",
    });
    // Forwarded to the API, which took it for theft; the attacker gets the sign-in page and no tokens.
    expect(replay.status).toBeGreaterThanOrEqual(300);
    expect(replay.headers.get("location")).toContain("/sign-in");
    const setCookies = replay.headers.getSetCookie().join("\n");
    expect(setCookies).not.toContain(current.accessToken);
    expect(setCookies).not.toContain(current.refreshToken);
    await expect.poll(() => reuseDetected(shortLived)).toBe(true);
    expect(refreshCalls(shortLived)).toBeGreaterThan(before);

    // The whole sign-in ended, the victim's current pair included: their next action leads to the sign-in page.
    await sleep(1_000); // access tokens of a revoked sign-in stop working within REVOCATION_SYNC_MS
    await page.getByRole("checkbox", { name: "Victim's task", exact: true }).click();
    await page.waitForURL(`${shortLived.webUrl}/sign-in?ended=1`);
  });

  it("sends the person to the sign-in page at the next action once the sign-in was ended elsewhere", async () => {
    const context = await newContext(stack);
    const page = await signUp(context, stack.webUrl);
    await addTask(page, "Revoked soon");
    const { refreshToken } = await cookieTokens(context);

    // Signed out elsewhere: the refresh token's sign-in is revoked at the API.
    const logout = await fetch(`${stack.apiUrl}/api/v1/auth/logout`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken }),
    });
    expect(logout.status).toBe(204);
    await sleep(1_000); // access tokens of a revoked sign-in stop working within REVOCATION_SYNC_MS

    await page.getByRole("checkbox", { name: "Revoked soon", exact: true }).click();
    await page.waitForURL(`${stack.webUrl}/sign-in?ended=1`);
    await page.getByText("Your session has ended. Please sign in again.").waitFor();
    const session = [ACCESS_COOKIE, REFRESH_COOKIE];
    expect((await context.cookies()).filter((c) => session.includes(c.name) && c.value !== "")).toEqual([]);
  });

  it("also on a page load: an ended sign-in leads to the sign-in page, not an error", async () => {
    const context = await newContext(stack);
    const page = await signUp(context, stack.webUrl);
    const { refreshToken } = await cookieTokens(context);
    await fetch(`${stack.apiUrl}/api/v1/auth/logout`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken }),
    });
    await sleep(1_000);
    await page.goto(`${stack.webUrl}/tasks`);
    expect(page.url()).toBe(`${stack.webUrl}/sign-in?ended=1`);
    await page.goto(`${stack.webUrl}/tasks`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
  });

  it("keeps every token out of reach of page JavaScript and out of what the pages send", async () => {
    const context = await newContext(shortLived);
    const page = await context.newPage();
    const bodies: string[] = [];
    page.on("response", async (res) => {
      try {
        bodies.push(await res.text());
      } catch {
        // redirects have no body
      }
    });
    await page.close();
    const signedIn = await signUp(context, shortLived.webUrl);
    signedIn.on("response", async (res) => {
      try {
        bodies.push(await res.text());
      } catch {
        // redirects have no body
      }
    });
    await addTask(signedIn, "Secret plans");
    const seen = [await cookieTokens(context)];
    await waitForAccessTokenExpiry(); // and once more after a renewal
    await signedIn.reload();
    await signedIn.getByRole("checkbox", { name: "Secret plans", exact: true }).check();
    seen.push(await cookieTokens(context));
    expect(seen[1]!.accessToken).not.toBe(seen[0]!.accessToken);

    const cookies = (await context.cookies()).filter((c) => c.name.includes("todo_"));
    // The session cookies, and the device cookie (docs/web-app.md) which holds no access.
    expect(cookies.map((c) => c.name).sort()).toEqual([ACCESS_COOKIE, "__Host-todo_device", REFRESH_COOKIE]);
    for (const cookie of cookies) {
      // __Host-: Secure, Path=/ and no Domain (a host-only cookie), which Chromium accepts on loopback HTTP.
      const sameSite = cookie.name === "__Host-todo_device" ? "Strict" : "Lax";
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite, path: "/", domain: "127.0.0.1" });
    }
    const deviceToken = cookies.find((c) => c.name === "__Host-todo_device")!.value;
    const visible = await signedIn.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      html: document.documentElement.outerHTML,
    }));
    expect(visible.cookie).not.toContain("todo_");
    const pageText = [
      visible.cookie,
      visible.local,
      visible.session,
      visible.html,
      await signedIn.content(),
      ...bodies,
    ];
    expect(bodies.length).toBeGreaterThan(3);
    for (const tokens of seen) {
      for (const text of pageText) {
        expect(text).not.toContain(tokens.accessToken);
        expect(text).not.toContain(tokens.refreshToken);
        expect(text).not.toContain(deviceToken);
      }
    }
  });
});

describe.skipIf(!hasChromium)("cross-site requests", () => {
  let attacker: Server;
  let attackerPage = "";

  beforeAll(async () => {
    if (!hasChromium) return;
    // Another site: "localhost" and "127.0.0.1" are different sites to the browser.
    attacker = createServer((_req, res) => res.setHeader("content-type", "text/html").end(attackerPage));
    await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve())));

  it("refuses a Server Action replayed with a foreign Origin, and runs the same request from its own", async () => {
    const context = await newContext(stack);
    const page = await signUp(context, stack.webUrl);
    // Adding a task: an action whose replay does the same thing again (edits and toggles carry If-Match, so a
    // replay of one is refused by the API anyway once the first has run).
    const captured = page.waitForRequest((r) => r.method() === "POST" && r.headers()["next-action"] !== undefined);
    await addTask(page, "Guarded");
    const create = await captured;

    const tokens = await cookieTokens(context);
    const replay = (origin: string) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(create.headers())) {
        if (!["host", "content-length", "cookie", "origin", "referer"].includes(name)) headers[name] = value;
      }
      return fetch(create.url(), {
        method: "POST",
        headers: { ...headers, cookie: cookieHeader(tokens), origin },
        body: new Uint8Array(create.postDataBuffer() ?? Buffer.alloc(0)),
      });
    };
    const guarded = async () => {
      const userId = JSON.parse(Buffer.from(tokens.accessToken.split(".")[1]!, "base64url").toString()).sub;
      const res = await fetch(`${stack.apiUrl}/api/v1/${userId}/tasks`, {
        headers: { authorization: `Bearer ${tokens.accessToken}` },
      });
      const body = (await res.json()) as { items: { title: string }[] };
      return body.items.filter((t) => t.title === "Guarded").length;
    };

    expect(await guarded()).toBe(1);
    const forged = await replay("http://evil.example");
    expect(forged.ok).toBe(false);
    expect(await guarded()).toBe(1); // nothing added
    const genuine = await replay(stack.webUrl);
    expect(genuine.ok).toBe(true);
    expect(await guarded()).toBe(2); // the same request from the app's own origin does add it
  });

  it("a form on another site cannot sign the person out (SameSite=Lax and the Server Actions origin check)", async () => {
    const context = await newContext(stack);
    const page = await signUp(context, stack.webUrl);
    // The sign-out form as the server renders it (before React takes it over): it works without JavaScript.
    const served = await (await context.request.get(`${stack.webUrl}/tasks`)).text();
    const actionId = /name="\$ACTION_ID_([0-9a-f]+)"/.exec(served)?.[1];
    expect(actionId).toBeDefined();
    const form = `<form id="f" method="POST" enctype="multipart/form-data" action="${stack.webUrl}/tasks">
      <input type="hidden" name="$ACTION_ID_${actionId}" value=""></form>`;
    attackerPage = `<!doctype html><title>Win a prize</title>${form}<script>document.getElementById("f").submit()</script>`;
    const logoutsBefore = stack.api.logs.filter((l) => l.path === "/api/v1/auth/logout").length;

    const victim = await context.newPage();
    const port = (attacker.address() as AddressInfo).port;
    const posted = victim.waitForResponse((r) => r.url().startsWith(`${stack.webUrl}/tasks`));
    await victim.goto(`http://localhost:${port}/`);
    await posted;
    await victim.close();

    await sleep(1_000); // the API writes its request log lines in batches
    expect(stack.api.logs.filter((l) => l.path === "/api/v1/auth/logout").length).toBe(logoutsBefore);
    await page.goto(`${stack.webUrl}/tasks`);
    expect(new URL(page.url()).pathname).toBe("/tasks");

    // The very same form submitted from the app's own page does sign out: the attack was real, the defences held.
    await page.evaluate((html) => {
      document.body.insertAdjacentHTML("beforeend", html);
      (document.getElementById("f") as HTMLFormElement).submit();
    }, form);
    await page.waitForURL(`${stack.webUrl}/sign-in`);
    await expect
      .poll(() => stack.api.logs.filter((l) => l.path === "/api/v1/auth/logout").length)
      .toBe(logoutsBefore + 1);
  });
});

describe.skipIf(!hasChromium)("an unreachable API", () => {
  let web: WebServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!hasChromium) return;
    // Nothing listens there: an ephemeral port that was free a moment ago.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    [web, browser] = await Promise.all([startWeb(`http://127.0.0.1:${port}`), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it("is a clear message on the sign-in form and a friendly page for the task list", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${web.url}/sign-in`);
    await page.getByLabel("Email", { exact: true }).fill("ada@example.com");
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("alert").getByText("We can't reach the todo service right now.").waitFor();

    // Someone with a (still unexpired) sign-in opens the task page while the API is down.
    const payload = Buffer.from(JSON.stringify({ sub: "someone", exp: Math.floor(Date.now() / 1000) + 3600 })).toString(
      "base64url",
    );
    // Sent as a header: CDP's cookie API refuses to plant __Host- cookies for an http:// URL.
    await page.setExtraHTTPHeaders({
      cookie: cookieHeader({ accessToken: `e30.${payload}.sig`, refreshToken: "opaque" }),
    });
    const res = await page.goto(`${web.url}/tasks`);
    expect(res?.status()).toBeLessThan(500);
    await page.getByRole("heading", { name: "The todo service is unavailable" }).waitFor();
    const html = await page.content();
    expect(html).not.toMatch(/ECONNREFUSED|fetch failed|at .*\.js:\d+/);
    await context.close();
  });
});
