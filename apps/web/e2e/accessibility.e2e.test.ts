import { mkdirSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addTask, hasChromium, NO_CHROMIUM, type Stack, signUp, startStack } from "./stack";

let stack: Stack;
let context: BrowserContext;
const SCREENSHOTS = join(import.meta.dirname, "../reports/screenshots");

beforeAll(async () => {
  if (!hasChromium) return console.warn(`skipping the web app's accessibility tests: ${NO_CHROMIUM}`);
  stack = await startStack();
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await context?.close();
  await stack?.close();
});

/** axe-core's WCAG 2.1 A/AA and best-practice rules; serious and critical findings fail the test. */
async function expectNoSeriousViolations(page: Page, name: string): Promise<void> {
  // Checked once the page has settled: during a client-side navigation or the refresh after a Server Action, the
  // router swaps the page's <title> out and back in (measured here: a moment with none), and axe would report
  // that moment. A page that never gets a title still fails: the wait times out.
  await page.waitForLoadState("networkidle");
  await page.waitForFunction(() => (document.querySelector("head > title")?.textContent ?? "") !== "");
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  const serious = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(serious, `${name}: ${serious.join("\n")}`).toEqual([]);
  expect(result.passes.length).toBeGreaterThan(10); // axe really ran on the page
}

describe.skipIf(!hasChromium)("accessibility (axe-core) of every page, at desktop and phone width", () => {
  for (const viewport of [
    { name: "desktop", width: 1280, height: 800 },
    { name: "phone", width: 390, height: 844 },
  ]) {
    it(`has no serious or critical violations at ${viewport.name} width`, async () => {
      context = await stack.browser.newContext({ viewport });
      const page = await context.newPage();
      const { webUrl } = stack;
      const tag = (page: string) => `${viewport.name}-${page}`;

      await page.goto(`${webUrl}/sign-in?ended=1`);
      await expectNoSeriousViolations(page, tag("sign-in"));

      await page.goto(`${webUrl}/forgot-password`);
      await page.getByLabel("Email", { exact: true }).fill("someone@example.com");
      await page.getByRole("button", { name: "Send reset link" }).click();
      await page.getByRole("status").waitFor();
      await expectNoSeriousViolations(page, tag("forgot-password"));
      await page.goto(`${webUrl}/reset-password?token=not-a-real-token`);
      await page.getByLabel("New password", { exact: true }).fill("short");
      await page.getByRole("button", { name: "Set new password" }).click();
      await page.locator("#password-error").waitFor();
      await expectNoSeriousViolations(page, tag("reset-password"));

      await page.goto(`${webUrl}/sign-up`);
      await page.getByLabel("Email", { exact: true }).fill("not an email");
      await page.getByLabel("Password", { exact: true }).fill("short");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.locator("#password-error").waitFor();
      await expectNoSeriousViolations(page, tag("sign-up-errors"));

      const tasks = await signUp(context, webUrl);
      await expectNoSeriousViolations(tasks, tag("tasks-empty"));
      await tasks.getByLabel("List name", { exact: true }).fill("Groceries");
      await tasks.getByRole("button", { name: "Add list", exact: true }).click();
      await tasks.getByRole("heading", { level: 1, name: "Groceries" }).waitFor();
      await tasks.getByLabel("List name", { exact: true }).fill("Work");
      await tasks.getByRole("button", { name: "Add list", exact: true }).click();
      await tasks.getByRole("heading", { level: 1, name: "Work" }).waitFor();
      await tasks.getByRole("link", { name: "All tasks", exact: true }).click();
      await tasks.getByRole("heading", { level: 1, name: "All tasks" }).waitFor();
      await addTask(tasks, "Buy milk", "Two litres");
      await tasks.getByLabel("List", { exact: true }).selectOption({ label: "Work" });
      await tasks.getByLabel("Due date", { exact: true }).fill("2020-01-31");
      await tasks.getByLabel("Priority", { exact: true }).selectOption({ label: "High" });
      await addTask(tasks, "Send the quarterly report");
      await tasks.getByLabel("List", { exact: true }).selectOption({ label: "Groceries" });
      await tasks.getByLabel("Due date", { exact: true }).fill("2099-06-01");
      await addTask(tasks, "Book the dentist");
      await tasks.getByRole("checkbox", { name: "Buy milk", exact: true }).check();
      await tasks.getByText("1 completed task").waitFor();
      await expectNoSeriousViolations(tasks, tag("tasks"));
      await tasks.getByRole("button", { name: "Edit Book the dentist", exact: true }).click();
      await tasks.getByRole("form", { name: "Editing Book the dentist" }).waitFor();
      await expectNoSeriousViolations(tasks, tag("tasks-editing"));
      await tasks.getByLabel("Title", { exact: true }).first().fill("");
      await tasks.getByRole("button", { name: "Add task" }).click();
      await tasks.locator("#new-title-error").waitFor();
      await expectNoSeriousViolations(tasks, tag("tasks-errors"));

      await tasks.goto(`${webUrl}/tasks?filter=completed`);
      await expectNoSeriousViolations(tasks, tag("tasks-completed"));
      await tasks.goto(`${webUrl}/tasks?q=report&sort=due`);
      await tasks.getByRole("checkbox", { name: "Send the quarterly report", exact: true }).waitFor();
      await expectNoSeriousViolations(tasks, tag("tasks-search"));
      await tasks.getByRole("link", { name: "Work", exact: true }).click();
      await tasks.getByRole("heading", { level: 1, name: "Work" }).waitFor();
      await tasks.getByRole("button", { name: "Delete list", exact: true }).click();
      await tasks.getByRole("form", { name: "Delete list Work" }).waitFor();
      await expectNoSeriousViolations(tasks, tag("tasks-list"));
      await tasks.getByRole("link", { name: "Account", exact: true }).click();
      await tasks.getByRole("heading", { level: 1, name: "Account" }).waitFor();
      await expectNoSeriousViolations(tasks, tag("account"));
      await tasks.getByRole("button", { name: "Change password", exact: true }).click();
      await tasks.locator("#current-password-error").waitFor();
      await expectNoSeriousViolations(tasks, tag("account-errors"));
      await tasks.getByRole("link", { name: "Delete account", exact: true }).click();
      await tasks.getByRole("button", { name: "Delete account", exact: true }).click();
      await tasks.locator("#confirm-delete-error").waitFor();
      await expectNoSeriousViolations(tasks, tag("delete-account"));
      await tasks.goto(`${webUrl}/unavailable`);
      await expectNoSeriousViolations(tasks, tag("unavailable"));
      await tasks.goto(`${webUrl}/no-such-page`);
      await expectNoSeriousViolations(tasks, tag("not-found"));
      await context.close();
    }, 180_000); // a dozen pages, each scanned by axe: minutes on a loaded machine
  }
});
