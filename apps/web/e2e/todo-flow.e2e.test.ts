import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addTask,
  cookieTokens,
  hasChromium,
  NO_CHROMIUM,
  newEmail,
  PASSWORD,
  type Stack,
  signIn,
  signUp,
  startStack,
  visibleTitles,
} from "./stack";

let stack: Stack;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!hasChromium) return console.warn(`skipping the web app's end-to-end tests: ${NO_CHROMIUM}`);
  // Three failed sign-ins per account and address (15-minute window), so the 429 message is reachable in a test.
  stack = await startStack({ RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_ADDRESS: "3" });
});

afterAll(async () => {
  await stack?.close();
});

async function newContext(): Promise<BrowserContext> {
  const context = await stack.browser.newContext();
  contexts.push(context);
  return context;
}

const checkbox = (page: Page, title: string) => page.getByRole("checkbox", { name: title, exact: true });

describe.skipIf(!hasChromium)("the todo app in Chromium", () => {
  it("signs up, adds, edits, toggles, filters and deletes tasks, keeps them across reloads and sign-ins", async () => {
    const context = await newContext();
    const page = await context.newPage();
    const { webUrl } = stack;

    // Signed out, the task page leads to the sign-in page.
    await page.goto(`${webUrl}/tasks`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");

    await page.getByRole("link", { name: "Create an account" }).click();
    await page.waitForURL(`${webUrl}/sign-up`);
    const email = newEmail("ada");
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Create account", exact: true }).click();
    await page.waitForURL(`${webUrl}/tasks`);
    await page.getByText("No tasks yet").waitFor();

    await addTask(page, "Buy milk", "Two litres");
    await addTask(page, "Walk the dog");
    expect(await visibleTitles(page)).toEqual(["Buy milk", "Walk the dog"]);
    await page.getByText("Two litres").waitFor();

    // Edit the second task's title and give it a description.
    await page.getByRole("button", { name: "Edit Walk the dog", exact: true }).click();
    const editForm = page.getByRole("form", { name: "Editing Walk the dog" });
    await editForm.getByLabel("Title", { exact: true }).fill("Walk the dog twice");
    await editForm.getByLabel("Description", { exact: true }).fill("Morning and evening");
    await editForm.getByRole("button", { name: "Save" }).click();
    await checkbox(page, "Walk the dog twice").waitFor();
    await page.getByText("Morning and evening").waitFor();

    // Toggle the first one.
    await checkbox(page, "Buy milk").check();
    await expect.poll(() => checkbox(page, "Buy milk").isChecked()).toBe(true);

    // Filters are links with the filter in the URL.
    await page.getByRole("link", { name: "Active", exact: true }).click();
    await page.waitForURL(`${webUrl}/tasks?filter=active`);
    await expect.poll(() => visibleTitles(page)).toEqual(["Walk the dog twice"]);
    await page.getByRole("link", { name: "Completed", exact: true }).click();
    await page.waitForURL(`${webUrl}/tasks?filter=completed`);
    await expect.poll(() => visibleTitles(page)).toEqual(["Buy milk"]);
    expect(await checkbox(page, "Buy milk").isChecked()).toBe(true);
    await page.getByRole("link", { name: "All", exact: true }).click();
    await page.waitForURL(`${webUrl}/tasks`);
    await expect.poll(() => visibleTitles(page)).toEqual(["Buy milk", "Walk the dog twice"]);

    await page.getByRole("button", { name: "Delete Buy milk", exact: true }).click();
    await expect.poll(() => visibleTitles(page)).toEqual(["Walk the dog twice"]);

    // What the page shows is what the API stored.
    await page.reload();
    await expect.poll(() => visibleTitles(page)).toEqual(["Walk the dog twice"]);
    expect(await checkbox(page, "Walk the dog twice").isChecked()).toBe(false);
    await page.getByText("Morning and evening").waitFor();

    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(`${webUrl}/sign-in`);
    expect((await context.cookies()).filter((c) => c.name.includes("todo_"))).toEqual([]);
    await page.goto(`${webUrl}/tasks`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");

    await signIn(page, webUrl, email);
    await page.waitForURL(`${webUrl}/tasks`);
    await expect.poll(() => visibleTitles(page)).toEqual(["Walk the dog twice"]);
  });

  it("never shows one person's tasks to another", async () => {
    const [alice, bob] = await Promise.all([newContext(), newContext()]);
    const alicePage = await signUp(alice, stack.webUrl, newEmail("alice"));
    const bobPage = await signUp(bob, stack.webUrl, newEmail("bob"));
    await addTask(alicePage, "Alice's secret");
    await addTask(bobPage, "Bob's secret");
    await Promise.all([alicePage.reload(), bobPage.reload()]);
    await expect.poll(() => visibleTitles(alicePage)).toEqual(["Alice's secret"]);
    await expect.poll(() => visibleTitles(bobPage)).toEqual(["Bob's secret"]);
    expect(await bobPage.content()).not.toContain("Alice's secret");
    expect(await alicePage.content()).not.toContain("Bob's secret");
  });

  it("shows the oldest tasks first and loads the rest through the cursor", async () => {
    const context = await newContext();
    const page = await signUp(context, stack.webUrl);
    // 25 tasks straight through the API, with the browser's own sign-in.
    const { accessToken } = await cookieTokens(context);
    const userId = JSON.parse(Buffer.from(accessToken.split(".")[1]!, "base64url").toString()).sub as string;
    const titles = Array.from({ length: 25 }, (_, i) => `Task ${String(i + 1).padStart(2, "0")}`);
    for (const title of titles) {
      const res = await fetch(`${stack.apiUrl}/api/v1/${userId}/tasks`, {
        method: "POST",
        headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
        body: JSON.stringify({ title }),
      });
      expect(res.status).toBe(201);
    }
    await page.reload();
    await expect.poll(() => visibleTitles(page)).toEqual(titles.slice(0, 20));
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => visibleTitles(page)).toEqual(titles);
    expect(await page.getByRole("button", { name: "Load more" }).count()).toBe(0);

    // Toggling a task of the second page under "Active" takes it out of that view.
    await page.goto(`${stack.webUrl}/tasks?filter=active`);
    await page.getByRole("button", { name: "Load more" }).click();
    await checkbox(page, "Task 24").click();
    await expect.poll(() => visibleTitles(page)).toEqual(titles.filter((t) => t !== "Task 24"));
  });

  it("checks the contract's limits before sending and shows errors next to the fields", async () => {
    const context = await newContext();
    const page = await signUp(context, stack.webUrl);
    const actionRequests: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.headers()["next-action"]) actionRequests.push(r.url());
    });

    await page.getByLabel("Title", { exact: true }).fill("   ");
    await page.getByRole("button", { name: "Add task", exact: true }).click();
    await page.locator("#new-title-error").getByText("Must not be empty").waitFor();
    expect(await page.getByLabel("Title", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Title", { exact: true }).getAttribute("aria-describedby")).toBe("new-title-error");

    // The inputs cannot take more than the contract allows; a longer paste is cut at the limit.
    await page.getByLabel("Title", { exact: true }).fill("x".repeat(250));
    expect((await page.getByLabel("Title", { exact: true }).inputValue()).length).toBe(200);
    expect(actionRequests).toEqual([]);

    // The same rules hold when a crafted request skips the page's own check: the server action refuses it.
    await page.getByLabel("Title", { exact: true }).evaluate((el) => el.removeAttribute("maxlength"));
    await page.getByLabel("Title", { exact: true }).fill("y".repeat(201));
    await page.getByRole("button", { name: "Add task", exact: true }).click();
    await page.locator("#new-title-error").getByText("Must be at most 200 characters").waitFor();
  });

  it("explains a taken email, wrong credentials, a short password and too many attempts", async () => {
    const context = await newContext();
    const email = newEmail("taken");
    const first = await signUp(context, stack.webUrl, email);
    await first.getByRole("button", { name: "Sign out" }).click();
    await first.waitForURL(`${stack.webUrl}/sign-in`);

    const page = await context.newPage();
    await page.goto(`${stack.webUrl}/sign-up`);
    await page.getByLabel("Email", { exact: true }).fill(email.toUpperCase());
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.locator("#email-error").getByText("An account with this email already exists").waitFor();
    await expect.poll(() => page.getByLabel("Password", { exact: true }).inputValue()).toBe("");

    await page.getByLabel("Email", { exact: true }).fill(newEmail());
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.locator("#password-error").getByText("Must be at least 8 characters").waitFor();

    await page.goto(`${stack.webUrl}/sign-in`);
    for (let attempt = 1; attempt <= 3; attempt++) {
      await signIn(page, stack.webUrl, email, `wrong password ${attempt}`);
      await page.getByRole("alert").getByText("Wrong email or password.").waitFor();
      // React resets the form once the action's answer is rendered: typing before that would be wiped.
      await expect.poll(() => page.getByLabel("Password", { exact: true }).inputValue()).toBe("");
    }
    await signIn(page, stack.webUrl, email, "wrong password 4");
    await page.getByRole("alert").getByText("Too many attempts. Please try again in 15 minutes.").waitFor();
    expect(new URL(page.url()).pathname).toBe("/sign-in");
  });
});
