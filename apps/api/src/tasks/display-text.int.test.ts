import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SignedUpUser, signUp, startTestApp, type TestApp } from "../../test/harness.js";

let app: TestApp;
let user: SignedUpUser;
beforeAll(async () => {
  app = await startTestApp();
  user = await signUp(app);
});
afterAll(() => app.close());

const tasksPath = () => `/api/v1/${user.id}/tasks`;
/** JSON text sent as is, so escapes such as `\ud800` (a lone surrogate) reach the server unchanged. */
const postRaw = (json: string) =>
  app.request(tasksPath(), {
    method: "POST",
    rawBody: json,
    token: user.accessToken,
    headers: { "content-type": "application/json" },
  });
const titles = async () =>
  ((await app.request(tasksPath(), { token: user.accessToken })).body.items as { title: string }[]).map((t) => t.title);

describe("titles and descriptions that hide or disguise themselves are refused with 422", () => {
  it("a title of invisible characters only (U+200B, U+2060, U+3164, U+2800) is 422 and stores nothing", async () => {
    for (const title of ["\u200B", "\u200B\u200D\u2060", "\u3164", "\u2800 \u2800"]) {
      const res = await app.request(tasksPath(), { method: "POST", token: user.accessToken, body: { title } });
      expect(res.status, JSON.stringify(title)).toBe(422);
      expect(res.body.error.code).toBe("VALIDATION_FAILED");
      expect(res.body.error.details).toEqual([
        expect.objectContaining({
          location: "body",
          field: "title",
          message: "Must contain at least one visible character",
        }),
      ]);
    }
    expect(await titles()).toEqual([]);
  });

  it("bidi overrides and isolates (U+202E, U+2066…) in a title or description are 422, on create and update", async () => {
    const created = await app.request(tasksPath(), { method: "POST", token: user.accessToken, body: { title: "ok" } });
    expect(created.status).toBe(201);
    for (const body of [{ title: "invoice\u202Efdp.exe" }, { title: "a\u2066b\u2069" }, { description: "x\u202Dy" }]) {
      const create = await app.request(tasksPath(), {
        method: "POST",
        token: user.accessToken,
        body: { title: "fine", ...body },
      });
      expect(create.status).toBe(422);
      const update = await app.request(`${tasksPath()}/${created.body.id}`, {
        method: "PUT",
        token: user.accessToken,
        body,
      });
      expect(update.status).toBe(422);
    }
    const stored = await app.request(`${tasksPath()}/${created.body.id}`, { token: user.accessToken });
    expect(stored.body).toMatchObject({ title: "ok", description: null });
  });

  it("a lone surrogate (JSON \\ud800) is 422, not silently stored as U+FFFD", async () => {
    const before = await titles();
    expect((await postRaw('{"title":"a\\ud800b"}')).status).toBe(422);
    expect((await postRaw('{"title":"ok","description":"\\udc00"}')).status).toBe(422);
    expect(await titles()).toEqual(before);
    expect(before.some((t) => t.includes("\uFFFD"))).toBe(false);
    // A well-formed pair (an emoji) is fine, and right-to-left text with its direction marks too.
    const emoji = await postRaw('{"title":"\\ud83d\\ude00 party"}');
    expect(emoji.status).toBe(201);
    expect(emoji.body.title).toBe("😀 party");
    const hebrew = await app.request(tasksPath(), {
      method: "POST",
      token: user.accessToken,
      body: { title: "\u200Fשלום" },
    });
    expect(hebrew.status).toBe(201);
  });
});
