import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, NO_CHROMIUM, type Stack, signUp, startStack, visibleTitles } from "./stack";

let stack: Stack;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!hasChromium) return console.warn(`skipping the web app's organising tests: ${NO_CHROMIUM}`);
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

async function newContext(options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  const context = await stack.browser.newContext({ timezoneId: "Europe/Paris", ...options });
  contexts.push(context);
  return context;
}

const addForm = (page: Page) => page.getByRole("form", { name: "Add a task" });

/** A calendar date `days` from today in the browser's time zone (Europe/Paris). */
function dateIn(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(d);
}

async function addList(page: Page, name: string): Promise<void> {
  await page.getByLabel("List name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Add list", exact: true }).click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
}

async function addTask(
  page: Page,
  title: string,
  fields: { list?: string; due?: string; priority?: "None" | "Low" | "Medium" | "High" } = {},
): Promise<void> {
  const form = addForm(page);
  await form.getByLabel("Title", { exact: true }).fill(title);
  if (fields.list) await form.getByLabel("List", { exact: true }).selectOption({ label: fields.list });
  if (fields.due) await form.getByLabel("Due date", { exact: true }).fill(fields.due);
  if (fields.priority) await form.getByLabel("Priority", { exact: true }).selectOption({ label: fields.priority });
  await form.getByRole("button", { name: "Add task", exact: true }).click();
  await page.getByRole("status").getByText(`Added "${title}"`).waitFor();
}

const item = (page: Page, title: string) =>
  page.getByRole("listitem").filter({ has: page.getByRole("checkbox", { name: title, exact: true }) });

describe.skipIf(!hasChromium)("organising tasks in Chromium", () => {
  it("puts tasks into lists with dates and priorities, orders, finds, sorts and clears them", async () => {
    const context = await newContext();
    const page = await signUp(context, stack.webUrl);
    const { webUrl } = stack;

    await addList(page, "Work");
    const workUrl = page.url();
    await addList(page, "Home");
    const lists = page.getByRole("navigation", { name: "Lists" });
    await lists.getByRole("link", { name: "Work", exact: true }).waitFor();
    await lists.getByRole("link", { name: "Home", exact: true }).waitFor();

    // A duplicate name (in another case) is refused next to the field.
    await page.getByLabel("List name", { exact: true }).fill("work");
    await page.getByRole("button", { name: "Add list", exact: true }).click();
    await page.getByText("You already have a list with this name.").waitFor();

    await lists.getByRole("link", { name: "All tasks", exact: true }).click();
    await page.waitForURL(`${webUrl}/tasks`);
    await addTask(page, "Pay rent", { list: "Home", due: dateIn(-2), priority: "High" });
    await addTask(page, "Write report", { list: "Work", due: dateIn(0), priority: "Medium" });
    await addTask(page, "Call Sam", { list: "Work", due: dateIn(5) });
    await addTask(page, "Buy stamps", { priority: "Low" });
    expect(await visibleTitles(page)).toEqual(["Pay rent", "Write report", "Call Sam", "Buy stamps"]);

    // Overdue in words, not colour alone; due today too.
    await item(page, "Pay rent").getByText("Overdue", { exact: true }).waitFor();
    await item(page, "Write report").getByText("Due today", { exact: true }).waitFor();
    expect(await item(page, "Call Sam").getByText("Overdue").count()).toBe(0);
    await item(page, "Pay rent").getByText("High priority").waitFor();
    await page.reload();
    await page.getByText("4 active tasks").waitFor();
    await page.getByText("1 overdue task").waitFor();

    // Manual order with the keyboard: focus "Move … down" and press Enter; focus stays on the moved task.
    await page.getByRole("button", { name: "Move Pay rent down", exact: true }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => visibleTitles(page)).toEqual(["Write report", "Pay rent", "Call Sam", "Buy stamps"]);
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label")))
      .toBe("Move Pay rent down");
    await page.keyboard.press("Enter");
    await expect.poll(() => visibleTitles(page)).toEqual(["Write report", "Call Sam", "Pay rent", "Buy stamps"]);
    await page.getByRole("button", { name: "Move Buy stamps up", exact: true }).click();
    await expect.poll(() => visibleTitles(page)).toEqual(["Write report", "Call Sam", "Buy stamps", "Pay rent"]);
    await page.getByRole("button", { name: "Move Write report down", exact: true }).click();
    await expect.poll(() => visibleTitles(page)).toEqual(["Call Sam", "Write report", "Buy stamps", "Pay rent"]);
    // The order is the API's: it survives a reload.
    await page.getByRole("status").getByText('Moved "Write report" down.').waitFor();
    await page.reload();
    await expect.poll(() => visibleTitles(page)).toEqual(["Call Sam", "Write report", "Buy stamps", "Pay rent"]);

    // A list shows its own tasks, in the same order.
    await lists.getByRole("link", { name: "Work", exact: true }).click();
    await page.waitForURL(workUrl);
    await expect.poll(() => visibleTitles(page)).toEqual(["Call Sam", "Write report"]);
    await page.getByText("2 active tasks").waitFor();

    // Edit a task's list, due date and priority.
    await lists.getByRole("link", { name: "All tasks", exact: true }).click();
    await page.waitForURL(`${webUrl}/tasks`);
    await page.getByRole("button", { name: "Edit Buy stamps", exact: true }).click();
    const edit = page.getByRole("form", { name: "Editing Buy stamps" });
    await edit.getByLabel("List", { exact: true }).selectOption({ label: "Home" });
    await edit.getByLabel("Due date", { exact: true }).fill(dateIn(1));
    await edit.getByLabel("Priority", { exact: true }).selectOption({ label: "High" });
    await edit.getByRole("button", { name: "Save" }).click();
    await item(page, "Buy stamps").getByText("High priority").waitFor();
    await item(page, "Buy stamps").getByText("Home", { exact: true }).waitFor();

    // Search by typing.
    await page.getByRole("searchbox", { name: "Search tasks" }).fill("REPORT");
    await page.getByRole("searchbox", { name: "Search tasks" }).press("Enter");
    await page.waitForURL(/q=REPORT/);
    await expect.poll(() => visibleTitles(page)).toEqual(["Write report"]);
    await page.getByRole("searchbox", { name: "Search tasks" }).fill("");
    await page.getByRole("searchbox", { name: "Search tasks" }).press("Enter");
    await page.waitForURL(`${webUrl}/tasks`);

    // Sort by due date (soonest first, no date last), then by priority (high first).
    await page.getByLabel("Sort by", { exact: true }).selectOption({ label: "Due date" });
    await page.waitForURL(/sort=due/);
    await expect.poll(() => visibleTitles(page)).toEqual(["Pay rent", "Write report", "Buy stamps", "Call Sam"]);
    await page.getByLabel("Sort by", { exact: true }).selectOption({ label: "Priority" });
    await page.waitForURL(/sort=priority/);
    await expect.poll(() => visibleTitles(page)).toEqual(["Buy stamps", "Pay rent", "Write report", "Call Sam"]);
    // Moving is for the manual order only.
    expect(await page.getByRole("button", { name: /^Move / }).count()).toBe(0);

    // Complete two, then clear the completed ones.
    await page.getByLabel("Sort by", { exact: true }).selectOption({ label: "My order" });
    await page.waitForURL(`${webUrl}/tasks`);
    await page.getByRole("checkbox", { name: "Pay rent", exact: true }).check();
    await page.getByRole("checkbox", { name: "Call Sam", exact: true }).check();
    await page.getByText("2 completed tasks").waitFor();
    await page.getByText("2 active tasks").waitFor();
    await page.getByRole("button", { name: "Clear completed", exact: true }).click();
    await expect.poll(() => visibleTitles(page)).toEqual(["Write report", "Buy stamps"]);
    await page.getByText("0 completed tasks").waitFor();
    await page.reload();
    await expect.poll(() => visibleTitles(page)).toEqual(["Write report", "Buy stamps"]);
    expect(await page.getByRole("button", { name: "Clear completed" }).count()).toBe(0);
  });

  it("works as plain form posts before the page's JavaScript has loaded", async () => {
    const js = await newContext();
    const signedUp = await signUp(js, stack.webUrl);
    // The same sign-in, in a browser that runs no JavaScript at all.
    const context = await newContext({ javaScriptEnabled: false });
    await context.addCookies(await js.cookies());
    await signedUp.close();
    const page = await context.newPage();
    await page.goto(`${stack.webUrl}/tasks`);

    await page.getByLabel("List name", { exact: true }).fill("Errands");
    await page.getByRole("button", { name: "Add list", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Errands" }).waitFor();

    for (const title of ["First", "Second", "Third"]) {
      await addForm(page).getByLabel("Title", { exact: true }).fill(title);
      await addForm(page).getByRole("button", { name: "Add task", exact: true }).click();
      await page.getByRole("checkbox", { name: title, exact: true }).waitFor();
    }
    expect(await visibleTitles(page)).toEqual(["First", "Second", "Third"]);
    await page.getByRole("button", { name: "Move Third up", exact: true }).click();
    await expect.poll(() => visibleTitles(page)).toEqual(["First", "Third", "Second"]);
    await page.getByRole("button", { name: "Move First down", exact: true }).click();
    await expect.poll(() => visibleTitles(page)).toEqual(["Third", "First", "Second"]);
    await page.getByRole("button", { name: "Delete First", exact: true }).click();
    await expect.poll(() => visibleTitles(page)).toEqual(["Third", "Second"]);

    await page.getByRole("searchbox", { name: "Search tasks" }).fill("sec");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect.poll(() => visibleTitles(page)).toEqual(["Second"]);
  });
});
