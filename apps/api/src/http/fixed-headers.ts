import type { NextFunction, Request, RequestHandler, Response } from "express";

type HeaderValue = string | number | readonly string[];

/**
 * A middleware that only ever sets the same response headers (helmet with static options), run once at start-up
 * against a recorder and replayed from that list on every response: the same headers, without helmet's dozen
 * nested middleware calls per request. Start-up fails if the middleware does anything else (reads the request,
 * calls another response method, answers, or passes later or with an error).
 */
export function fixedHeaders(middleware: (req: Request, res: Response, next: NextFunction) => void): RequestHandler {
  const set: [string, HeaderValue][] = [];
  const removed: string[] = [];
  let passed = false;
  const recorder = {
    setHeader(name: string, value: HeaderValue) {
      set.push([name, value]);
      return recorder;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  const request = new Proxy({} as Request, {
    get(_target, property) {
      throw new Error(`fixedHeaders: the middleware reads the request (${String(property)})`);
    },
  });
  middleware(request, recorder as unknown as Response, (error?: unknown) => {
    if (error !== undefined) throw error;
    passed = true;
  });
  if (!passed) throw new Error("fixedHeaders: the middleware did not pass the request on at once");
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
}
