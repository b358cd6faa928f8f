import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addTask, hasChromium, NO_CHROMIUM, type Stack, signUp, startStack, visibleTitles } from "./stack";

let stack: Stack;

beforeAll(async () => {
  if (!hasChromium) return console.warn(`skipping the web app's two-tab tests: ${NO_CHROMIUM}`);
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

describe.skipIf(!hasChromium)("the same task edited in two tabs", () => {
  it("sends If-Match with the version shown: a stale edit says 'changed elsewhere' instead of overwriting", async () => {
    const context = await stack.browser.newContext();
    const first = await signUp(context, stack.webUrl);
    await addTask(first, "Plan the trip");
    const second = await context.newPage();
    await second.goto(`${stack.webUrl}/tasks`);
    await expect.poll(() => visibleTitles(second)).toEqual(["Plan the trip"]);

    // Both tabs open the editor on the same version.
    await first.getByRole("button", { name: "Edit Plan the trip", exact: true }).click();
    await second.getByRole("button", { name: "Edit Plan the trip", exact: true }).click();

    const firstForm = first.getByRole("form", { name: "Editing Plan the trip" });
    await firstForm.getByLabel("Title", { exact: true }).fill("Plan the trip to Lisbon");
    await firstForm.getByRole("button", { name: "Save" }).click();
    await first.getByRole("checkbox", { name: "Plan the trip to Lisbon", exact: true }).waitFor();

    // The second tab still shows the old version: its save is refused and says why.
    const secondForm = second.getByRole("form", { name: /^Editing Plan the trip/ });
    await secondForm.getByLabel("Title", { exact: true }).fill("Plan the trip to Porto");
    await secondForm.getByRole("button", { name: "Save" }).click();
    await second.getByRole("alert").getByText("changed elsewhere").waitFor();
    // Nothing was overwritten: the stored title is the first tab's.
    const stored = await context.request.get(`${stack.webUrl}/tasks`);
    expect(await stored.text()).toContain("Plan the trip to Lisbon");
    expect(await stored.text()).not.toContain("Plan the trip to Porto");

    // The second tab now holds the latest version and what its person typed; saving again is a deliberate choice.
    expect(await secondForm.getByLabel("Title", { exact: true }).inputValue()).toBe("Plan the trip to Porto");
    await second
      .getByRole("form", { name: "Editing Plan the trip to Lisbon" })
      .getByRole("button", { name: "Save" })
      .click();
    await second.getByRole("checkbox", { name: "Plan the trip to Porto", exact: true }).waitFor();

    // A toggle from the first tab (still showing the Lisbon version) is refused the same way.
    await first.getByRole("checkbox", { name: "Plan the trip to Lisbon", exact: true }).click();
    await first.getByRole("alert").getByText("changed elsewhere").waitFor();
    await expect
      .poll(() => first.getByRole("checkbox", { name: "Plan the trip to Porto", exact: true }).isChecked())
      .toBe(false);
    await context.close();
  });
});
