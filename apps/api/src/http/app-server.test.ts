import { IncomingMessage, type Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { createAppServer } from "./app-server.js";

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function listen(app: express.Express): Promise<{ url: string; seen: { req: object; res: object }[] }> {
  server = createAppServer(app);
  const seen: { req: object; res: object }[] = [];
  // Before Express's own listener: the prototypes Node gave the objects, before Express's init could swap them.
  server.prependListener("request", (req, res) => {
    seen.push({ req: Object.getPrototypeOf(req), res: Object.getPrototypeOf(res) });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("createAppServer", () => {
  it("creates each request and response with the app's own prototypes, so Express never swaps them", async () => {
    const app = express();
    const after: { req: object; res: object }[] = [];
    app.get("/hello/:name", (req, res) => {
      after.push({ req: Object.getPrototypeOf(req), res: Object.getPrototypeOf(res) });
      res
        .status(201)
        .json({ hello: req.params.name, agent: req.get("user-agent"), isNode: req instanceof IncomingMessage });
    });
    const { url, seen } = await listen(app);

    const res = await fetch(`${url}/hello/ada`, { headers: { "user-agent": "probe" } });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ hello: "ada", agent: "probe", isNode: true });
    expect(seen).toEqual([{ req: app.request, res: app.response }]);
    expect(after).toEqual(seen);
  });

  it("keeps Node's own request and response behaviour: bodies, streaming and 404s", async () => {
    const app = express();
    app.use(express.json());
    app.post("/echo", (req, res) => {
      expect(res).toBeInstanceOf(ServerResponse);
      res.write(JSON.stringify(req.body).slice(0, 5));
      res.end(JSON.stringify(req.body).slice(5));
    });
    const { url } = await listen(app);

    const echoed = await fetch(`${url}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "Buy milk", n: 2 }),
    });
    expect(await echoed.text()).toBe('{"title":"Buy milk","n":2}');
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
  });
});
