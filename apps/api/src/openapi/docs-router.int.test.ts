import { readFile } from "node:fs/promises";
import { startTestApp, type TestApp } from "@todo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCS_CSP } from "./docs-router.js";
import { COMMITTED_DOCUMENT_FILE } from "./generate-openapi.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("GET /api/v1/openapi.json", () => {
  it("serves the committed document, byte for byte, with the usual security headers", async () => {
    const res = await app.request("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.text).toBe(await readFile(COMMITTED_DOCUMENT_FILE, "utf8"));
  });
});

describe("GET /docs", () => {
  it("serves the reference page under its own CSP, loading only assets of this server", async () => {
    const res = await app.request("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toBe(DOCS_CSP);
    const urls = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toMatch(/^\/docs\/assets\//);
    expect(res.text).not.toMatch(/<script>|<style|style=/);
  });

  it("serves the page's assets from the npm package, and nothing else of it", async () => {
    const types: Record<string, RegExp> = {
      "swagger-ui-bundle.js": /javascript/,
      "init.js": /javascript/,
      "swagger-ui.css": /text\/css/,
      "index.css": /text\/css/,
      "favicon-32x32.png": /image\/png/,
    };
    for (const [file, type] of Object.entries(types)) {
      const res = await app.request(`/docs/assets/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get("content-type"), file).toMatch(type);
    }
    for (const file of ["index.html", "swagger-initializer.js", "package.json", "../package.json"]) {
      expect((await app.request(`/docs/assets/${file}`)).status, file).toBe(404);
    }
  });
});
