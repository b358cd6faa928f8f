import type { NextFunction, Request, Response } from "express";

const CONTENT_TYPE = "application/json; charset=utf-8";
/** Statuses that never carry a body (RFC 9110 §15.3.5, §15.4.5). */
const NO_BODY = new Set([204, 304]);

/**
 * `res.json` as Express 4 answers it for this API (UTF-8 JSON, Content-Length, nothing for 204/304 or HEAD, a 304
 * when a GET's ETag is fresh), without the rest of `res.send`: it re-parses the Content-Type it set itself, turns
 * any body over 1,000 characters into a Buffer, and so sends headers and body as two writes. Here the body stays
 * a string that Node sends with the headers in one write. The task list, the busiest response, spent about
 * 7% of its CPU there (docs/performance.md, "Follow-up, 2026-12-03").
 */
function sendJson(this: Response, body: unknown): Response {
  if (this.getHeader("ETag") !== undefined && this.req.fresh) this.statusCode = 304;
  if (NO_BODY.has(this.statusCode)) {
    this.removeHeader("Content-Type");
    this.removeHeader("Content-Length");
    this.removeHeader("Transfer-Encoding");
    this.end();
    return this;
  }
  if (!this.hasHeader("Content-Type")) this.setHeader("Content-Type", CONTENT_TYPE);
  // `undefined` (a handler's mistake) stringifies to nothing: an empty body, as Express would send.
  const text = JSON.stringify(body) ?? "";
  this.setHeader("Content-Length", Buffer.byteLength(text));
  this.end(text);
  return this;
}

/** Installs the one-write `res.json` on every response (the first middleware, so error answers use it too). */
export function jsonResponses(_req: Request, res: Response, next: NextFunction): void {
  res.json = sendJson;
  next();
}
