import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Request, type Response, Router } from "express";
import type { OpenAPIObject } from "openapi3-ts";
import { OPENAPI_PATH, serializeOpenApiDocument } from "./generate-openapi.js";

export const DOCS_PATH = "/docs";
const ASSETS_PATH = `${DOCS_PATH}/assets`;

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

/** Only the files the page loads: the package also holds a demo page and initializer pointing at the internet. */
const SWAGGER_UI_FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "index.css", "favicon-32x32.png"] as const;

/**
 * The page's own code lives in a script file rather than inline, so the page's CSP needs no 'unsafe-inline'.
 * validatorUrl: null, because Swagger UI's default sends the document to an online validator.
 */
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  displayOperationId: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Todo API reference</title>
    <link rel="stylesheet" href="${ASSETS_PATH}/swagger-ui.css">
    <link rel="stylesheet" href="${ASSETS_PATH}/index.css">
    <link rel="icon" type="image/png" href="${ASSETS_PATH}/favicon-32x32.png">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${ASSETS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${ASSETS_PATH}/init.js"></script>
  </body>
</html>
`;

/**
 * Tighter than helmet's default: no inline or third-party styles, no plugins, nothing but this origin.
 * Swagger UI's icons are data: URIs in its stylesheet; "Try it out" calls this origin (connect-src).
 * No upgrade-insecure-requests: the page must also work over plain HTTP on a LAN address.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const ASSET_MAX_AGE_MS = 60 * 60 * 1000;

/** `GET /api/v1/openapi.json` and the `/docs` reference page, with its assets served from the npm package. */
export function createDocsRouter(document: OpenAPIObject): Router {
  // Serialised once at start-up: the document only changes with the code.
  const documentJson = Buffer.from(serializeOpenApiDocument(document));
  const router = Router();

  router.get(OPENAPI_PATH, (_req: Request, res: Response) => {
    res.type("application/json").send(documentJson);
  });

  router.get(DOCS_PATH, (_req: Request, res: Response) => {
    res.setHeader("Content-Security-Policy", DOCS_CSP);
    res.type("html").send(PAGE);
  });

  router.get(`${ASSETS_PATH}/init.js`, (_req: Request, res: Response) => {
    res.type("text/javascript").send(INIT_SCRIPT);
  });

  for (const file of SWAGGER_UI_FILES) {
    router.get(`${ASSETS_PATH}/${file}`, (_req: Request, res: Response, next) => {
      res.sendFile(join(swaggerUiDir, file), { maxAge: ASSET_MAX_AGE_MS }, (err) => err && next(err));
    });
  }

  return router;
}
