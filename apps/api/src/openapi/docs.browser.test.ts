import { routeTable } from "@todo/contract/routes";
import { startTestApp, type TestApp } from "@todo/test-kit";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing, hasChromium } from "../../../../tooling/chromium.mjs";
import { DOCS_CSP } from "./docs-router.js";

const SKIP_NOTE = chromiumMissing("check /docs in a browser");

let app: TestApp;
let browser: Browser;
let context: BrowserContext;
const requested: string[] = [];

beforeAll(async () => {
  if (!hasChromium) {
    // The skip note alone only shows in verbose reports.
    console.warn(`skipping the /docs browser test: ${SKIP_NOTE}`);
    return;
  }
  app = await startTestApp();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  context = await browser.newContext();
  // Anything not on the test server is recorded and refused, so the page must work fully offline.
  const origin = new URL(app.url).origin;
  await context.route("**/*", (route) => {
    const url = route.request().url();
    requested.push(url);
    return url.startsWith(`${origin}/`) ? route.continue() : route.abort("blockedbyclient");
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe("/docs in headless Chromium", () => {
  it("renders every operation of the contract with its summary, offline and within its CSP", async ({ skip }) => {
    skip(!hasChromium, SKIP_NOTE);
    const page = await context.newPage();
    // Recorded in the page itself: Chromium reports CSP violations as events, not as failed requests.
    // (Page code as text: the API's type-check has no DOM types.)
    await page.addInitScript({
      content: `window.cspViolations = [];
        document.addEventListener("securitypolicyviolation", (e) => {
          window.cspViolations.push(e.effectiveDirective + " " + e.blockedURI);
        });`,
    });
    const pageErrors: string[] = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));

    const response = await page.goto(`${app.url}/docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toBe(DOCS_CSP);

    await page.locator(".opblock").first().waitFor({ timeout: 15_000 });
    // One block per route of the contract.
    const routes = Object.values(routeTable).flatMap((group) => Object.values(group)).length;
    await expect.poll(() => page.locator(".opblock").count()).toBe(routes);
    for (const summary of [
      "Create an account and sign in",
      "List the user's tasks",
      "Toggle a task's completed flag",
    ]) {
      expect(await page.getByText(summary, { exact: true }).isVisible()).toBe(true);
    }
    for (const path of ["/api/v1/auth/refresh", "/api/v1/{userId}/tasks/{id}/complete", "/readyz"]) {
      expect(await page.locator(`.opblock-summary-path[data-path="${path}"]`).count()).toBeGreaterThan(0);
    }

    // Expanding an operation shows its responses, errors included.
    await page.locator("#operations-tasks-tasksCreate .opblock-summary").click();
    const responses = page.locator("#operations-tasks-tasksCreate .responses-table .response-col_status");
    await expect.poll(() => responses.allInnerTexts()).toEqual(expect.arrayContaining(["201", "403", "422"]));

    expect(pageErrors).toEqual([]);
    expect(await page.evaluate("window.cspViolations")).toEqual([]);
    const origin = new URL(app.url).origin;
    expect(requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    expect(requested).toContain(`${origin}/api/v1/openapi.json`);
  });
});
