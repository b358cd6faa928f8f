import { readFile } from "node:fs/promises";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkIn, startMailbox } from "./mail";
import {
  addTask,
  freePort,
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
let mailbox: Awaited<ReturnType<typeof startMailbox>>;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!hasChromium) return console.warn(`skipping the web app's account tests: ${NO_CHROMIUM}`);
  // The API mails through a real SMTP peer, and its links point at this web app (its port is chosen first).
  mailbox = await startMailbox();
  const webPort = await freePort();
  stack = await startStack(
    { SMTP_URL: mailbox.url, MAIL_FROM: "Todo <no-reply@todo.test>", APP_URL: `http://127.0.0.1:${webPort}` },
    { WEB_PORT: String(webPort) },
  );
});

afterAll(async () => {
  await stack?.close();
  await mailbox?.close();
});

async function newContext(): Promise<BrowserContext> {
  const context = await stack.browser.newContext();
  contexts.push(context);
  return context;
}

const NEW_PASSWORD = "a brand new passphrase";

async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForURL(`${stack.webUrl}/sign-in`);
}

async function openAccount(page: Page): Promise<void> {
  await page.getByRole("link", { name: "Account", exact: true }).click();
  await page.waitForURL(`${stack.webUrl}/account`);
}

describe.skipIf(!hasChromium)("account recovery and self-service in Chromium", () => {
  it("resets a forgotten password through the mailed link, which signs the person in once", async () => {
    const email = newEmail("forgetful");
    const owner = await signUp(await newContext(), stack.webUrl, email);
    await addTask(owner, "Still here after the reset");

    const page = await (await newContext()).newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(`${r.url()} ${r.headers().referer ?? ""}`));
    await page.goto(`${stack.webUrl}/sign-in`);
    await page.getByRole("link", { name: "Forgot password?", exact: true }).click();
    await page.waitForURL(`${stack.webUrl}/forgot-password`);
    await page.getByLabel("Email", { exact: true }).fill(email.toUpperCase());
    await page.getByRole("button", { name: "Send reset link", exact: true }).click();
    await page.getByRole("status").getByText("we've sent it a link").waitFor();

    // An unknown address gets the same answer, and no mail.
    const stranger = newEmail("nobody");
    await page.getByLabel("Email", { exact: true }).fill(stranger);
    await page.getByRole("button", { name: "Send reset link", exact: true }).click();
    await page.getByRole("status").getByText(stranger).waitFor();

    const mail = await mailbox.waitFor(email);
    const link = linkIn(mail.raw, "/reset-password");
    expect(link.startsWith(`${stack.webUrl}/reset-password?token=`)).toBe(true);

    const response = await page.goto(link);
    expect(response?.headers()["referrer-policy"]).toBe("no-referrer");
    expect(response?.headers()["cache-control"]).toContain("no-store");
    // The token leaves the address bar once the page is interactive.
    await expect.poll(() => page.url()).toBe(`${stack.webUrl}/reset-password`);
    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Set new password", exact: true }).click();
    await page.waitForURL(`${stack.webUrl}/tasks?reset=1`);
    await expect.poll(() => visibleTitles(page)).toEqual(["Still here after the reset"]);

    // The reset ended every other sign-in: the owner's other browser goes to the sign-in page.
    await owner.reload();
    await owner.waitForURL(/\/sign-in/);

    // The link works once.
    await page.goto(link);
    await page.getByLabel("New password", { exact: true }).fill("yet another passphrase");
    await page.getByRole("button", { name: "Set new password", exact: true }).click();
    await page.getByRole("alert").getByText("expired or has already been used").waitFor();

    // Nothing this page loaded carried the token anywhere as a referrer, and the web server never logged it.
    const token = new URL(link).searchParams.get("token") ?? "";
    expect(token.length).toBeGreaterThan(20);
    expect(requests.filter((r) => r.split(" ")[1]?.includes(token))).toEqual([]);
    expect(stack.web.output.join("")).not.toContain(token);
    expect(JSON.stringify(stack.api.logs)).not.toContain(token);

    // Old password refused, new one accepted.
    await page.goto(`${stack.webUrl}/tasks`);
    await signOut(page);
    await signIn(page, stack.webUrl, email, PASSWORD);
    await page.getByRole("alert").getByText("Wrong email or password.").waitFor();
    await expect.poll(() => page.getByLabel("Password", { exact: true }).inputValue()).toBe("");
    await signIn(page, stack.webUrl, email, NEW_PASSWORD);
    await page.waitForURL(`${stack.webUrl}/tasks`);
  });

  it("changes the password, lists the sign-ins with this device marked, and signs out the others", async () => {
    const email = newEmail("careful");
    const laptop = await signUp(await newContext(), stack.webUrl, email);
    const phoneContext = await newContext();
    const phone = await phoneContext.newPage();
    await signIn(phone, stack.webUrl, email);
    await phone.waitForURL(`${stack.webUrl}/tasks`);

    await openAccount(laptop);
    const sessions = laptop.getByRole("list", { name: "Active sessions" });
    await expect.poll(() => sessions.getByRole("listitem").count()).toBe(2);
    expect(await sessions.getByText("This device").count()).toBe(1);
    await sessions
      .getByText(/Chrome on Linux/)
      .first()
      .waitFor(); // the browser's own User-Agent, not the server's

    // A wrong current password changes nothing.
    await laptop.getByLabel("Current password", { exact: true }).fill("not my password");
    await laptop.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await laptop.getByRole("button", { name: "Change password", exact: true }).click();
    await laptop.getByText("That is not your current password.").waitFor();

    await laptop.getByLabel("Current password", { exact: true }).fill(PASSWORD);
    await laptop.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await laptop.getByRole("button", { name: "Change password", exact: true }).click();
    await laptop.getByRole("status").getByText("Your password has been changed.").waitFor();
    await expect.poll(() => sessions.getByRole("listitem").count()).toBe(1);

    // The phone's sign-in ended with the change; the laptop's goes on.
    await phone.reload();
    await phone.waitForURL(/\/sign-in/);
    await laptop.reload();
    expect(new URL(laptop.url()).pathname).toBe("/account");

    // Sign in on the phone again (new password), then sign it out from the laptop.
    await signIn(phone, stack.webUrl, email, NEW_PASSWORD);
    await phone.waitForURL(`${stack.webUrl}/tasks`);
    await laptop.reload();
    await expect.poll(() => sessions.getByRole("listitem").count()).toBe(2);
    await laptop.getByRole("button", { name: "Sign out other sessions", exact: true }).click();
    await laptop.getByRole("status").getByText("Every other session has been signed out.").waitFor();
    await expect.poll(() => sessions.getByRole("listitem").count()).toBe(1);
    expect(await sessions.getByText("This device").count()).toBe(1);
    await phone.reload();
    await phone.waitForURL(/\/sign-in/);

    await signOut(laptop);
    await signIn(laptop, stack.webUrl, email, NEW_PASSWORD);
    await laptop.waitForURL(`${stack.webUrl}/tasks`);
  });

  it("downloads the person's data as a file", async () => {
    const email = newEmail("exporter");
    const page = await signUp(await newContext(), stack.webUrl, email);
    await addTask(page, "Exported task", "with its description");
    await openAccount(page);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download my data", exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^todo-export-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(await readFile((await download.path()) ?? "", "utf8"));
    expect(data.user.email).toBe(email);
    expect(data.tasks.map((t: { title: string }) => t.title)).toEqual(["Exported task"]);
    expect(data.tasks[0].description).toBe("with its description");
  });

  it("deletes the account only with the password and a second confirmation; the address can register again", async () => {
    const email = newEmail("leaving");
    const page = await signUp(await newContext(), stack.webUrl, email);
    await addTask(page, "Gone with the account");
    await openAccount(page);
    await page.getByRole("link", { name: "Delete account", exact: true }).click();
    await page.waitForURL(`${stack.webUrl}/account/delete`);

    const confirm = page.getByRole("checkbox", { name: /delete my account/ });
    // Neither the password alone nor the box alone is enough; a wrong password deletes nothing.
    await page.getByLabel("Confirm password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Delete account", exact: true }).click();
    await page.getByText("Tick this box").waitFor();
    await page.getByLabel("Confirm password", { exact: true }).fill("wrong password");
    await confirm.check();
    await page.getByRole("button", { name: "Delete account", exact: true }).click();
    await page.getByText("That is not your password.").waitFor();

    await page.getByLabel("Confirm password", { exact: true }).fill(PASSWORD);
    if (!(await confirm.isChecked())) await confirm.check();
    await page.getByRole("button", { name: "Delete account", exact: true }).click();
    await page.waitForURL(`${stack.webUrl}/sign-in?deleted=1`);
    await page.getByText("Your account and all its data have been deleted.").waitFor();
    expect((await page.context().cookies()).filter((c) => c.value && c.name.includes("todo_a"))).toEqual([]);

    await signIn(page, stack.webUrl, email);
    await page.getByRole("alert").getByText("Wrong email or password.").waitFor();

    const again = await signUp(await newContext(), stack.webUrl, email);
    await again.getByText("No tasks yet").waitFor();
  });
});
