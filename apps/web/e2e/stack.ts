import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ApiProcess, spawnApi, TEST_API_ENV } from "@todo/test-kit/process";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing, hasChromium } from "../../../tooling/chromium.mjs";

const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const TSX_CLI = createRequire(join(WEB_DIR, "package.json")).resolve("tsx/cli");

export { CHROMIUM, hasChromium };
export const NO_CHROMIUM = chromiumMissing("run the web app's tests");

/** The test kit's API environment (fresh in-memory database, quick sign-out sync), and the web app's needs. */
export const API_TEST_ENV: Record<string, string> = {
  ...TEST_API_ENV,
  // A retired refresh token is honoured for 3 s only (the web app remembers its renewals as long, reading the
  // same variable): after that any second use is theft, so a web app that renewed twice would end its sign-in.
  REFRESH_REUSE_GRACE_SECONDS: "3",
  // The web server (on loopback) tells the API each user's address, as docs/web-app.md asks operators.
  TRUST_PROXY: "loopback",
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface WebServer {
  url: string;
  output: string[];
  close(): Promise<void>;
}

/** The production build on the production server, as `pnpm start:web` runs it, talking to the API at `apiUrl`. */
export async function startWeb(apiUrl: string, webEnv: Record<string, string> = {}): Promise<WebServer> {
  // A caller that must know the address before the web app starts (the API's APP_URL) picks the port itself.
  const port = webEnv.WEB_PORT ? Number(webEnv.WEB_PORT) : await freePort();
  const child: ChildProcess = spawn(process.execPath, [TSX_CLI, "scripts/web.ts", "start"], {
    cwd: WEB_DIR,
    // PORT is the API's variable: set here to prove the web app ignores it.
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      TODO_API_URL: apiUrl,
      WEB_PORT: String(port),
      WEB_HOST: "127.0.0.1",
      PORT: "1",
      NEXT_TELEMETRY_DISABLED: "1",
      ...webEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.setEncoding("utf8").on("data", (c: string) => output.push(c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => output.push(c));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the web server exited: ${output.join("")}`);
    try {
      const res = await fetch(`${url}/sign-in`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the web server did not answer within 60 s: ${output.join("")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    output,
    async close() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

export interface Stack {
  api: ApiProcess;
  apiUrl: string;
  web: WebServer;
  webUrl: string;
  browser: Browser;
  close(): Promise<void>;
}

/** A real API on a fresh in-memory database, the web app in front of it, and a headless Chromium. */
export async function startStack(
  apiEnv: Record<string, string> = {},
  webEnv: Record<string, string> = {},
): Promise<Stack> {
  const api = spawnApi({ ...API_TEST_ENV, ...apiEnv });
  let web: WebServer | undefined;
  try {
    const apiUrl = await api.waitUntilListening(1, 60_000);
    const grace = apiEnv.REFRESH_REUSE_GRACE_SECONDS ?? API_TEST_ENV.REFRESH_REUSE_GRACE_SECONDS!;
    web = await startWeb(apiUrl, { REFRESH_REUSE_GRACE_SECONDS: grace, ...webEnv });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const started = web;
    return {
      api,
      apiUrl,
      web: started,
      webUrl: started.url,
      browser,
      async close() {
        await browser.close();
        await started.close();
        api.kill();
        await api.exited;
      },
    };
  } catch (err) {
    await web?.close();
    api.kill();
    throw err;
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

let counter = 0;
/** A fresh address per call, so tests never meet each other's accounts. */
export const newEmail = (who = "user"): string => `${who}.${Date.now().toString(36)}.${counter++}@example.com`;
export const PASSWORD = "correct horse battery";

export async function signUp(context: BrowserContext, webUrl: string, email = newEmail()): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${webUrl}/sign-up`);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account", exact: true }).click();
  await page.waitForURL(`${webUrl}/tasks`);
  await settled(page);
  return page;
}

/**
 * The first task page a browser sees stores its time zone in a cookie and renders once more (see
 * TimeZoneCookie): wait for that, so a test's next step does not race the page's own refresh.
 */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.cookie.split("; ").some((c) => c.startsWith("tz=")));
  await page.waitForLoadState("networkidle");
}

export async function signIn(page: Page, webUrl: string, email: string, password = PASSWORD): Promise<void> {
  if (!page.url().startsWith(`${webUrl}/sign-in`)) await page.goto(`${webUrl}/sign-in`);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  // Waits for the Server Action's answer, so a caller can tell one attempt's message from the previous one's.
  const answered = page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/sign-in"));
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await answered;
}

export async function addTask(page: Page, title: string, description = ""): Promise<void> {
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByLabel("Description", { exact: true }).fill(description);
  // The board shows the new task at once, then refreshes its counts from the server (router.refresh(): a GET of
  // this page with `RSC: 1`; link prefetches are GETs of other pages). Wait for that refresh too, so a test's next
  // step (ending the sign-in elsewhere, say) does not race it: answered after the sign-in ended, it would take the
  // page to the sign-in page on its own.
  const here = new URL(page.url());
  const refreshed = page.waitForResponse((r) => {
    if (r.request().method() !== "GET" || r.request().headers().rsc !== "1") return false;
    const url = new URL(r.url());
    url.searchParams.delete("_rsc");
    return url.pathname === here.pathname && url.search === here.search;
  });
  await page.getByRole("button", { name: "Add task", exact: true }).click();
  await page.getByRole("checkbox", { name: title, exact: true }).waitFor();
  await refreshed;
}

/** Task titles in the order the page shows them. */
export const visibleTitles = (page: Page): Promise<string[]> => page.locator(".task-title").allInnerTexts();

export const ACCESS_COOKIE = "__Host-todo_access";
export const REFRESH_COOKIE = "__Host-todo_refresh";

/** The session tokens the browser holds (read through the browser's cookie jar, not through the page). */
export async function cookieTokens(context: BrowserContext): Promise<{ accessToken: string; refreshToken: string }> {
  const cookies = await context.cookies();
  const value = (name: string) => cookies.find((c) => c.name === name)?.value ?? "";
  return { accessToken: value(ACCESS_COOKIE), refreshToken: value(REFRESH_COOKIE) };
}

/** A Cookie header carrying these session tokens, as a browser (or an attacker holding them) sends it. */
export const cookieHeader = (tokens: { accessToken: string; refreshToken: string }): string =>
  `${ACCESS_COOKIE}=${tokens.accessToken}; ${REFRESH_COOKIE}=${tokens.refreshToken}`;
