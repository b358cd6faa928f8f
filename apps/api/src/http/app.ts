import { API_PATH_PREFIX, contract } from "@todo/contract";
import { createExpressEndpoints } from "@ts-rest/express";
import cors from "cors";
import express, { type Express } from "express";
import helmet from "helmet";
import type { Authenticator } from "../auth/authenticator.js";
import type { Env } from "../config/env.js";
import { AppError } from "../errors/app-error.js";
import type { Metrics } from "../metrics/metrics.js";
import { createDocsRouter } from "../openapi/docs-router.js";
import { OPENAPI_PATH, openApiDocument } from "../openapi/generate-openapi.js";
import { errorHandler, notFoundHandler, sendError, validationError } from "./error-handler.js";
import { fixedHeaders } from "./fixed-headers.js";
import { jsonResponses } from "./json-response.js";
import { requestContext } from "./request-context.js";
import { requireAuth } from "./require-auth.js";
import { createRouter, type RouterDeps } from "./router.js";

export interface AppDeps extends RouterDeps {
  env: Pick<Env, "CORS_ORIGINS" | "TRUST_PROXY" | "JSON_BODY_LIMIT_BYTES">;
  authenticator: Authenticator;
  /** Request durations are observed only when metrics are on (METRICS_PORT). */
  metrics?: Metrics;
}

const JSON_TYPES = ["application/json", "application/*+json"];

/** Bodies must be JSON: anything else sent with a body is 415, not a confusing validation error. */
function requireJsonBody(req: express.Request, _res: express.Response, next: express.NextFunction): void {
  const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
  next(
    hasBody && !req.is(JSON_TYPES)
      ? new AppError("UNSUPPORTED_MEDIA_TYPE", "Request bodies must be application/json")
      : undefined,
  );
}

/**
 * Every API response may carry tokens (sign-in, refresh) or someone's data (tasks, the user): no cache, shared
 * or private, may keep it (RFC 6749 §5.1; OWASP ASVS 8.2.1). Set before any handler, so errors, 304s and the
 * request deadline's 503 carry it too. The public OpenAPI document is the one exception.
 */
function noStore(req: express.Request, res: express.Response, next: express.NextFunction): void {
  if (req.path.startsWith(`${API_PATH_PREFIX}/`) && req.path !== OPENAPI_PATH) {
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Pragma", "no-cache");
  }
  next();
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", deps.env.TRUST_PROXY);
  app.set("etag", false);

  app.use(jsonResponses);
  app.use(requestContext(deps.logger, deps.metrics));
  // helmet's defaults are the same headers on every response: worked out once, set from a list.
  app.use(fixedHeaders(helmet()));
  app.use(noStore);
  app.use(
    cors({
      origin: deps.env.CORS_ORIGINS.length > 0 ? deps.env.CORS_ORIGINS : false,
      exposedHeaders: ["X-Request-Id", "Retry-After", "WWW-Authenticate", "ETag", "Idempotent-Replayed"],
      maxAge: 600,
    }),
  );
  app.use(requireJsonBody);
  app.use(express.json({ limit: deps.env.JSON_BODY_LIMIT_BYTES, type: JSON_TYPES, strict: true }));

  createExpressEndpoints(contract, createRouter(deps), app, {
    logInitialization: false,
    // ts-rest types global middleware per route union; ours only reads the raw Express request.
    globalMiddleware: [requireAuth(deps.authenticator) as never],
    // ts-rest answers 400 by default; the API's contract says 422 with per-field details.
    requestValidationErrorHandler: (err, _req, res) => sendError(res, validationError(err)),
  });
  // Outside the contract, which describes the API rather than its own documentation; mounted after the
  // API routes so API requests never pass through it.
  app.use(createDocsRouter(openApiDocument()));

  app.use(notFoundHandler());
  app.use(errorHandler());
  return app;
}
