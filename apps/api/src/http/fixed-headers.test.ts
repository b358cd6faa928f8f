import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { NextFunction, Request, Response } from "express";
import helmet from "helmet";
import { describe, expect, it } from "vitest";
import { fixedHeaders } from "./fixed-headers.js";

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

/** The headers a real response gets from `middleware`, over HTTP. */
async function headersFrom(middleware: Middleware): Promise<Record<string, string | string[] | undefined>> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.setHeader("X-Powered-By", "something");
    middleware(req as Request, res as Response, () => res.end("ok"));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      if (name !== "date") headers[name] = value;
    });
    return headers;
  } finally {
    server.close();
  }
}

describe("fixedHeaders", () => {
  it("gives a response exactly the headers helmet gives it", async () => {
    const direct = await headersFrom(helmet() as Middleware);
    expect(direct["content-security-policy"]).toContain("default-src");
    expect(direct["x-powered-by"]).toBeUndefined();
    expect(await headersFrom(fixedHeaders(helmet() as Middleware) as Middleware)).toEqual(direct);
  });

  it("refuses at start-up a middleware that reads the request, errs or does not pass on", () => {
    expect(() => fixedHeaders((req, _res, next) => (req.secure ? next() : next()))).toThrow(/reads the request/);
    expect(() => fixedHeaders((_req, _res, next) => next(new Error("no")))).toThrow("no");
    expect(() => fixedHeaders(() => undefined)).toThrow(/did not pass/);
    expect(() =>
      fixedHeaders((_req, res, next) => {
        res.status(200);
        next();
      }),
    ).toThrow();
  });
});
