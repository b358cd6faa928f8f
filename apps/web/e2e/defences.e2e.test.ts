import { connect, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import type { BrowserContext, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addTask,
  cookieHeader,
  cookieTokens,
  hasChromium,
  NO_CHROMIUM,
  newEmail,
  PASSWORD,
  type Stack,
  signIn,
  signUp,
  startStack,
} from "./stack";

// Attacks on the web server itself (issue 17): silent and half-sent connections, Server Actions called with
// hostile arguments, and script injection against the Content-Security-Policy. The real production server
// (scripts/server.ts) with its headers deadline at 1 s, a real API, and Chromium.
let stack: Stack;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!hasChromium) return console.warn(`skipping the web app's defence tests: ${NO_CHROMIUM}`);
  // A low per-account ceiling on failed logins, so that strangers' guesses lock the account within the test.
  stack = await startStack({ RATE_LIMIT_LOGIN_PER_ACCOUNT: "5" }, { WEB_HEADERS_TIMEOUT_MS: "1000" });
});

afterAll(async () => {
  await stack?.close();
});

async function newContext(): Promise<BrowserContext> {
  const context = await stack.browser.newContext();
  contexts.push(context);
  return context;
}

function openSocket(url: string): Promise<{ socket: Socket; closed: Promise<boolean>; text: () => string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let text = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
    });
    socket.on("error", () => undefined);
    const closed = new Promise<boolean>((done) => socket.once("close", () => done(true)));
    socket.once("connect", () => resolve({ socket, closed, text: () => text }));
    socket.once("error", reject);
  });
}

const closedWithin = (closed: Promise<boolean>, ms: number) => Promise.race([closed, delay(ms).then(() => false)]);

describe.skipIf(!hasChromium)("the production web server's connections", () => {
  it("closes a silent socket and a half-sent request at the headers deadline", async () => {
    const silent = await openSocket(stack.webUrl);
    const half = await openSocket(stack.webUrl);
    half.socket.write("GET /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    expect(await closedWithin(silent.closed, 5_000)).toBe(true);
    expect(await closedWithin(half.closed, 5_000)).toBe(true);
    expect(half.text()).toBe("");
    // And it still serves whoever asks properly.
    expect((await fetch(`${stack.webUrl}/sign-in`)).status).toBe(200);
  });
});

/** The Server Action request a browser sent, for replaying with other bodies. */
async function capture(page: Page, act: () => Promise<void>): Promise<Request> {
  const captured = page.waitForRequest((r) => r.method() === "POST" && r.headers()["next-action"] !== undefined);
  await act();
  return captured;
}

function replay(request: Request, cookie: string, body: string | FormData, contentType?: string) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers())) {
    if (!["host", "content-length", "cookie", "content-type"].includes(name)) headers[name] = value;
  }
  if (contentType) headers["content-type"] = contentType;
  else if (typeof body === "string") headers["content-type"] = request.headers()["content-type"] ?? "text/plain";
  return fetch(request.url(), { method: "POST", headers: { ...headers, cookie }, body, redirect: "manual" });
}

describe.skipIf(!hasChromium)("Server Actions called with hostile arguments", () => {
  it("answer every malformed call with a handled error, never a 500, and change nothing", async () => {
    const context = await newContext();
    const page = await signUp(context, stack.webUrl);
    const create = await capture(page, () => addTask(page, "Kept"));
    const toggle = await capture(page, () => page.getByRole("checkbox", { name: "Kept", exact: true }).check());
    await expect.poll(() => page.getByRole("checkbox", { name: "Kept" }).isChecked()).toBe(true);
    const cookie = cookieHeader(await cookieTokens(context));

    const arguments_ = [
      "[null]",
      "[]",
      '["a string"]',
      "[42]",
      "[[1,2,3]]",
      '[{"title":{"nested":true}}]',
      '[{"title":"x","description":5}]',
      `[{"title":"${"x".repeat(5_000)}"}]`,
      '[{"title":"ok","userId":"someone-else","__proto__":{"polluted":1}}]',
      '["$undefined"]',
      '["$Q1"]',
      "[null,null,null,null]",
    ];
    const bodies = [...arguments_, "not json at all", "{", '{"title":"x"}', "", "\u0000\u0001"];
    const statuses: Record<string, number> = {};
    for (const request of [create, toggle]) {
      for (const body of bodies)
        statuses[`${request === create ? "create" : "toggle"} ${body.slice(0, 40)}`] = (
          await replay(request, cookie, body)
        ).status;
      // Another content type entirely, and a multipart body with garbage fields.
      const form = new FormData();
      form.append("0", "[garbage");
      form.append("1_$ACTION_ID_x", "y");
      statuses[`${request === create ? "create" : "toggle"} multipart`] = (await replay(request, cookie, form)).status;
      statuses[`${request === create ? "create" : "toggle"} json`] = (
        await replay(request, cookie, "[null]", "application/json")
      ).status;
    }
    const serverErrors = Object.entries(statuses).filter(([, status]) => status >= 500);
    expect(serverErrors).toEqual([]);

    // Nothing was created or changed by any of them, but for the one valid title: its extra fields (another
    // user's id, a prototype) were dropped, and the task is the caller's own.
    await page.reload();
    await expect.poll(() => page.locator(".task-title").allInnerTexts()).toEqual(["Kept", "ok"]);
    expect(await page.getByRole("checkbox", { name: "Kept" }).isChecked()).toBe(true);
    expect(stack.web.output.join("")).not.toMatch(/TypeError|Cannot read properties/);
  });

  it("sign-in and sign-up called with something other than a form get the form's own error", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${stack.webUrl}/sign-in`);
    await page.getByLabel("Email", { exact: true }).fill("nobody@example.com");
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery");
    const signIn = await capture(page, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
    for (const body of ["[null,null]", '[{},"not a form"]', "[]", "garbage"]) {
      const res = await replay(signIn, "", body, "text/plain;charset=UTF-8");
      expect(res.status, body).toBeLessThan(500);
    }
  });
});

describe.skipIf(!hasChromium)("Content-Security-Policy", () => {
  /** Records CSP violations (the event and the console's report) on every page of the context. */
  async function watchViolations(context: BrowserContext): Promise<string[]> {
    const violations: string[] = [];
    await context.exposeFunction("__reportViolation", (v: string) => violations.push(v));
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        (window as unknown as { __reportViolation: (v: string) => void }).__reportViolation(
          `${e.violatedDirective} ${e.blockedURI} at ${location.pathname}`,
        );
      });
    });
    context.on("console", (message) => {
      if (/Content.Security.Policy/i.test(message.text())) violations.push(`console: ${message.text()}`);
    });
    return violations;
  }

  it("every page carries a policy with a fresh nonce on its own scripts, and no page violates it", async () => {
    const context = await newContext();
    const violations = await watchViolations(context);
    const nonces = new Set<string>();
    const checkPage = async (page: Page, path: string) => {
      const res = await page.goto(`${stack.webUrl}${path}`);
      const policy = res?.headers()["content-security-policy"] ?? "";
      expect(policy, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
      expect(policy, path).not.toContain("unsafe-inline");
      const nonce = /'nonce-([^']+)'/.exec(policy)![1]!;
      nonces.add(nonce);
      // Every script element of the page carries this response's nonce.
      const scripts = await page
        .locator("script")
        .evaluateAll((els) => els.map((el) => (el as HTMLScriptElement).nonce));
      expect(scripts.length, path).toBeGreaterThan(0);
      for (const scriptNonce of scripts) expect(scriptNonce, path).toBe(nonce);
    };
    const page = await context.newPage();
    for (const path of ["/sign-in", "/sign-up", "/unavailable", "/no-such-page", "/sign-in?ended=1"]) {
      await checkPage(page, path);
    }
    const signedIn = await signUp(context, stack.webUrl);
    await checkPage(signedIn, "/tasks");
    await addTask(signedIn, "Under policy", "with a description");
    await signedIn.getByRole("checkbox", { name: "Under policy", exact: true }).check();
    await signedIn.getByRole("button", { name: "Edit Under policy" }).click();
    await signedIn.getByRole("button", { name: "Cancel" }).click();
    await checkPage(signedIn, "/tasks?filter=completed");
    await signedIn.getByRole("button", { name: "Sign out" }).click();
    await signedIn.waitForURL(`${stack.webUrl}/sign-in`);
    expect(nonces.size).toBe(7); // one per response
    expect(violations).toEqual([]);
  });

  it("blocks a script injected into a page's HTML, and an inline event handler", async () => {
    const context = await newContext();
    const violations = await watchViolations(context);
    const page = await context.newPage();
    // As if the page had an injection flaw: the HTML the server sent gets attacker markup.
    await page.route(`${stack.webUrl}/sign-in`, async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace(
        "<body>",
        '<body><script>window.__injected = "script"</script><img src="/nope.png" onerror="window.__injected = \'handler\'">',
      );
      await route.fulfill({ response, body: html });
    });
    await page.goto(`${stack.webUrl}/sign-in`);
    await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
    await expect.poll(() => violations.length).toBeGreaterThanOrEqual(2);
    expect(await page.evaluate(() => (window as unknown as { __injected?: string }).__injected)).toBeUndefined();
    expect(violations.join("\n")).toMatch(/script-src/);
    // The page's own scripts still run: the form is interactive (client-side validation answers).
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByText(/email/i).first().waitFor();
  });
});

describe.skipIf(!hasChromium)("the device cookie (OWASP)", () => {
  it("lets the owner sign in on a device they used before while strangers' guesses lock the account", async () => {
    const email = newEmail("owner");
    const owner = await newContext();
    const ownerPage = await signUp(owner, stack.webUrl, email);
    const device = (await owner.cookies()).find((c) => c.name === "__Host-todo_device");
    expect(device).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/" });
    await ownerPage.getByRole("button", { name: "Sign out" }).click();
    await ownerPage.waitForURL(`${stack.webUrl}/sign-in`);
    // Signing out ends the session, not the device's standing.
    expect((await owner.cookies()).map((c) => c.name)).toContain("__Host-todo_device");

    // Strangers guess from six addresses: the account's ceiling (5 here) locks it for everybody else.
    for (let i = 0; i < 6; i++) {
      await fetch(`${stack.apiUrl}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": `203.0.113.${10 + i}` },
        body: JSON.stringify({ email, password: "wrong password guess" }),
      });
    }
    const stranger = await (await newContext()).newPage();
    await signIn(stranger, stack.webUrl, email);
    await stranger
      .getByRole("alert")
      .getByText(/Too many attempts/)
      .waitFor();

    // The owner, on the browser that signed in before, is not held up.
    await signIn(ownerPage, stack.webUrl, email, PASSWORD);
    await ownerPage.waitForURL(`${stack.webUrl}/tasks`);
  });
});
