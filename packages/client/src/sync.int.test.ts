import { describe, expect, inject, it } from "vitest";
import type { FetchLike } from "./http.js";
import { createSyncer } from "./index.js";
import { createTodoClient } from "./validation.js";

// Retries, conditional writes and sync against a real API process (test/api-servers.ts).
const password = "correct horse battery";

async function signedUp(fetch?: FetchLike) {
  const client = createTodoClient({ baseUrl: inject("apiUrl"), ...(fetch && { fetch }) });
  const res = await client.register({ email: `sync-${crypto.randomUUID()}@example.com`, password });
  if (res.status !== 201) throw new Error(`register: ${res.status}`);
  return { client, userId: res.body.user.id };
}

describe("retries, ETags and sync against the real API", () => {
  it("a create whose answer is lost is retried with the same key: one task, the first answer replayed", async () => {
    let loseNext = false;
    const lossy: FetchLike = async (input, init) => {
      const response = await globalThis.fetch(input, init);
      if (loseNext && init.method === "POST" && new URL(input).pathname.endsWith("/tasks")) {
        loseNext = false;
        await response.arrayBuffer(); // the server did the work; the answer never reaches the caller
        throw new TypeError("fetch failed");
      }
      return response;
    };
    const { client, userId } = await signedUp(lossy);
    loseNext = true;
    const created = await client.api.tasks.create({ params: { userId }, body: { title: "Pay rent" } });
    expect(created.status).toBe(201);
    expect(created.headers.get("idempotent-replayed")).toBe("true");
    const all = await client.api.tasks.list({ params: { userId } });
    expect(all.status === 200 && all.body.items.map((t) => t.title)).toEqual(["Pay rent"]);
  });

  it("edits with ifMatch: the stale one gets 412 and changes nothing; GET with the ETag gets 304", async () => {
    const { client, userId } = await signedUp();
    const created = await client.api.tasks.create({ params: { userId }, body: { title: "Plan trip" } });
    if (created.status !== 201) throw new Error(`create: ${created.status}`);
    const params = { userId, id: created.body.id };
    const etag = created.headers.get("etag")!;
    expect(etag).toBe('"1"');

    const laptop = await client.api.tasks.update({ params, body: { title: "Plan trip to Rome" }, ifMatch: etag });
    expect(laptop.status).toBe(200);
    const phone = await client.api.tasks.update({ params, body: { title: "Plan trip to Oslo" }, ifMatch: etag });
    expect(phone.status).toBe(412);
    if (phone.status === 412) expect(phone.body.error.code).toBe("PRECONDITION_FAILED");

    const fresh = await client.api.tasks.get({ params, ifNoneMatch: laptop.headers.get("etag")! });
    expect(fresh.status).toBe(304);
    const current = await client.api.tasks.get({ params, ifNoneMatch: 1 });
    expect(current.status === 200 && current.body).toMatchObject({ title: "Plan trip to Rome", version: 2 });
    expect((await client.api.tasks.delete({ params, ifMatch: 2 })).status).toBe(204);
  });

  it("createSyncer keeps a copy equal to the server while another client writes", async () => {
    const { client, userId } = await signedUp();
    const list = await client.api.lists.create({ params: { userId }, body: { name: "Work" } });
    if (list.status !== 201) throw new Error("list");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await client.api.tasks.create({ params: { userId }, body: { title: `t${i}`, listId: list.body.id } });
      if (res.status === 201) ids.push(res.body.id);
    }
    const syncer = createSyncer(client.api, userId, { limit: 2 });
    expect(await syncer.sync()).toMatchObject({ ok: true, pages: 3 });
    expect(syncer.copy.tasks.size).toBe(5);

    await client.api.tasks.toggleComplete({ params: { userId, id: ids[0]! } });
    await client.api.tasks.delete({ params: { userId, id: ids[1]! } });
    await client.api.lists.update({ params: { userId, listId: list.body.id }, body: { name: "Office" } });
    const outcome = await syncer.sync();
    expect(outcome).toMatchObject({ ok: true, changed: true, restarted: false });
    expect(syncer.copy.tasks.get(ids[0]!)?.completed).toBe(true);
    expect(syncer.copy.tasks.has(ids[1]!)).toBe(false);
    expect(syncer.copy.lists.get(list.body.id)?.name).toBe("Office");

    const server = await client.api.tasks.list({ params: { userId } });
    if (server.status !== 200) throw new Error("list");
    const byId = (tasks: { id: string }[]) => [...tasks].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(byId([...syncer.copy.tasks.values()])).toEqual(byId(server.body.items));
    expect(await syncer.sync()).toMatchObject({ ok: true, changed: false });
  });
});
