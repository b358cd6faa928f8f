import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { type StartedApiProcess, startApiProcess } from "@todo/test-kit/process";
import { build } from "esbuild";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing, hasChromium } from "../../../tooling/chromium.mjs";
import { createTodoClient } from "./index.js";

// Two tabs of one origin share localStorage and both renew at the same moment: the Web Lock must let exactly one
// refresh reach the API. Real Chromium (Debian's: playwright cannot download one here), a real API process, and
// the client bundled from its sources as a browser app would bundle it.
const SKIP_NOTE = chromiumMissing("run the cross-tab test");
const password = "correct horse battery";

let api: StartedApiProcess;
let apiUrl: string;
let pages: Server;
let pagesUrl: string;
let browser: Browser;

/** Serves a page that creates one client on localStorage, and the client bundle it loads. */
async function servePages(): Promise<Server> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("./index.ts", import.meta.url))],
    bundle: true,
    format: "iife",
    globalName: "TodoClient",
    platform: "browser",
    target: "es2022",
    write: false,
  });
  const script = bundle.outputFiles[0]!.text;
  const server = createServer((req, res) => {
    if (req.url === "/client.js") {
      res.writeHead(200, { "content-type": "text/javascript" }).end(script);
      return;
    }
    res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><script src="/client.js"></script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** Refresh calls the API answered (not counting the browser's CORS preflights). */
const refreshesSeen = () =>
  api.api.logs.filter((l) => l.msg === "request completed" && l.method === "POST" && l.path === "/api/v1/auth/refresh")
    .length;

beforeAll(async () => {
  if (!hasChromium) {
    console.warn(`skipping the cross-tab browser test: ${SKIP_NOTE}`);
    return;
  }
  pages = await servePages();
  pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  api = await startApiProcess({ CORS_ORIGINS: pagesUrl });
  apiUrl = api.url;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
  pages?.close();
});

describe("two browser tabs sharing localStorage", () => {
  it("renew at the same moment with one refresh call", async ({ skip }) => {
    skip(!hasChromium, SKIP_NOTE);
    const signedIn = createTodoClient({ baseUrl: apiUrl });
    const registered = await signedIn.register({ email: `tabs-${crypto.randomUUID()}@example.com`, password });
    expect(registered.status).toBe(201);
    const tokens = await signedIn.tokenStore.get();

    const context = await browser.newContext();
    const tabs = await Promise.all([context.newPage(), context.newPage()]);
    for (const tab of tabs) await tab.goto(pagesUrl);
    // Both tabs see the same stored pair: one sign-in, two tabs.
    await tabs[0]!.evaluate((pair) => localStorage.setItem("todo-api.tokens", JSON.stringify(pair)), tokens);

    const refreshesBefore = refreshesSeen();
    // Both renew at one agreed moment (what an expiring token makes every open tab do), then call the API.
    // Page code as text: this package's type-check has no global for the bundle.
    const callAt = Date.now() + 300;
    const statuses = await Promise.all(
      tabs.map((tab) =>
        tab.evaluate(`(async () => {
          const T = globalThis.TodoClient;
          const todo = T.createTodoClient({ baseUrl: ${JSON.stringify(apiUrl)}, tokenStore: T.webStorageTokenStore() });
          await new Promise((resolve) => setTimeout(resolve, ${callAt} - Date.now()));
          const renewal = await todo.refresh();
          return { locks: typeof navigator.locks?.request, renewal, status: (await todo.api.auth.me()).status };
        })()`),
      ),
    );
    expect(statuses).toEqual([
      { locks: "function", renewal: "renewed", status: 200 },
      { locks: "function", renewal: "renewed", status: 200 },
    ]);
    // Request logs are written in batches: give the last one time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(refreshesSeen() - refreshesBefore).toBe(1);
    const stored = JSON.parse(
      (await tabs[1]!.evaluate(() => localStorage.getItem("todo-api.tokens"))) as string,
    ) as typeof tokens;
    expect(stored?.refreshToken).not.toBe(tokens?.refreshToken);
    await context.close();
  });
});
