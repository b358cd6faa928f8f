import { initContract } from "@ts-rest/core";
import { z } from "zod/v3";
import { ErrorResponseSchema } from "./errors.js";
import { healthRoutes } from "./routes.js";

const c = initContract();

export const LivenessSchema = z.object({ status: z.literal("ok") });
export const ReadinessSchema = z.object({
  status: z.literal("ready"),
  database: z.literal("up"),
  /** Which database serves: a PostgreSQL server (DATABASE_URL) or the embedded one (PGlite). */
  engine: z.enum(["postgres", "pglite"]),
});

export const healthContract = c.router({
  liveness: {
    ...healthRoutes.liveness,
    responses: { 200: LivenessSchema, 500: ErrorResponseSchema },
    summary: "Liveness: 200 while the process runs",
  },
  readiness: {
    ...healthRoutes.readiness,
    responses: { 200: ReadinessSchema, 500: ErrorResponseSchema, 503: ErrorResponseSchema },
    summary: "Readiness: 200 when the database answers, 503 when it does not or the server is shutting down",
  },
});
