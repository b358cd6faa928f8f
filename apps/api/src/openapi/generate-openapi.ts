import { join } from "node:path";
import { generateSchema } from "@anatine/zod-openapi";
import {
  CreateTaskBodySchema,
  contract,
  ErrorDetailSchema,
  ErrorResponseSchema,
  LoginBodySchema,
  MeResponseSchema,
  RefreshTokenBodySchema,
  RegisterBodySchema,
  requiresBearerToken,
  SessionSchema,
  TaskPageSchema,
  TaskSchema,
  UpdateTaskBodySchema,
  UserSchema,
} from "@todo/contract";
import type { AppRoute } from "@ts-rest/core";
import { generateOpenApi } from "@ts-rest/open-api";
import type {
  HeadersObject,
  OpenAPIObject,
  OperationObject,
  RequestBodyObject,
  ResponseObject,
  SchemaObject,
} from "openapi3-ts";
import type { ZodTypeAny } from "zod";
import packageJson from "../../package.json" with { type: "json" };
import { REPO_ROOT } from "../config/paths.js";

export const OPENAPI_PATH = "/api/v1/openapi.json";
/** The committed copy third parties generate clients from; `pnpm openapi:check` keeps it equal to the contract. */
export const COMMITTED_DOCUMENT_FILE = join(REPO_ROOT, "docs/openapi.json");

/**
 * Schemas published as named components, so third-party generators produce `Task`, `ErrorResponse` ...
 * instead of one anonymous type per response. ts-rest inlines every schema; they are matched back by shape.
 * Request bodies are described by their input (before trimming/defaults), responses by their output.
 */
const RESPONSE_COMPONENTS: Record<string, ZodTypeAny> = {
  ErrorResponse: ErrorResponseSchema,
  ErrorDetail: ErrorDetailSchema,
  User: UserSchema,
  Session: SessionSchema,
  MeResponse: MeResponseSchema,
  Task: TaskSchema,
  TaskPage: TaskPageSchema,
};
const REQUEST_COMPONENTS: Record<string, ZodTypeAny> = {
  RegisterBody: RegisterBodySchema,
  LoginBody: LoginBodySchema,
  RefreshTokenBody: RefreshTokenBodySchema,
  CreateTaskBody: CreateTaskBodySchema,
  UpdateTaskBody: UpdateTaskBodySchema,
};

const BEARER_UNAUTHORIZED =
  "`UNAUTHORIZED`: no access token, or one that is malformed, expired, not yet valid or whose sign-in has ended.";

/** What each status means anywhere in this API; the error code in the body says which case it is. */
const STATUS_DESCRIPTIONS: Record<string, string> = {
  200: "OK",
  201: "Created",
  204: "No content",
  400: "`MALFORMED_JSON`: the body is not valid JSON.",
  401:
    "`INVALID_CREDENTIALS`: wrong email or password, the same answer whether or not the email exists. " +
    "`UNAUTHORIZED`: an unknown, expired, revoked or already used refresh token.",
  403: "`FORBIDDEN`: the token is valid, but `{userId}` in the path is not the token's user.",
  404: "`NOT_FOUND`: no such task for this user (including ids that are not valid ids).",
  409: "`EMAIL_TAKEN`: an account with this email already exists.",
  413: "`PAYLOAD_TOO_LARGE`: the body is larger than the server's limit (16 KiB by default).",
  415: "`UNSUPPORTED_MEDIA_TYPE`: a body that is not `application/json`.",
  422:
    "`VALIDATION_FAILED`: the body, query or path failed validation, unknown body fields included. " +
    "`error.details` has one entry per problem: `{ location, field, message, code }`.",
  429: "`RATE_LIMITED`: too many attempts; retry after `Retry-After` seconds.",
  500: "`INTERNAL_ERROR`: an unexpected fault. The body never carries stack traces or SQL.",
  503: "`SERVICE_UNAVAILABLE`: the database is unreachable, or the server is shutting down.",
};

const VALIDATION_EXAMPLE = {
  error: {
    code: "VALIDATION_FAILED",
    message: "Request validation failed",
    details: [
      { location: "body", field: "title", message: "Must not be empty", code: "too_small" },
      { location: "body", field: "userId", message: "Unknown field", code: "unrecognized_keys" },
    ],
  },
};

const retryAfter = (required: boolean): HeadersObject => ({
  "Retry-After": {
    description: "Seconds to wait before trying again.",
    required,
    schema: { type: "integer", minimum: 0 },
  },
});
const wwwAuthenticate: HeadersObject = {
  "WWW-Authenticate": {
    description: "`Bearer`, with an `error` parameter when a token was refused.",
    schema: { type: "string" },
  },
};

/** `tasks.toggleComplete` → `tasksToggleComplete`: unique (the path of router keys is), and a valid identifier. */
const camelOperationId = (dotted: string): string =>
  dotted.replace(/\.([a-zA-Z])/g, (_match, letter: string) => letter.toUpperCase());

function describeOperation(operation: OperationObject, route: AppRoute): OperationObject {
  const bearer = requiresBearerToken(route);
  const responses: Record<string, ResponseObject> = {};
  for (const [status, response] of Object.entries(operation.responses as Record<string, ResponseObject>)) {
    const headers = {
      ...(status === "401" && bearer && wwwAuthenticate),
      ...(status === "429" && retryAfter(true)),
      ...(status === "503" && retryAfter(false)),
    };
    const json = response.content?.["application/json"];
    responses[status] = {
      ...response,
      description:
        (status === "401" && bearer ? BEARER_UNAUTHORIZED : STATUS_DESCRIPTIONS[status]) ?? response.description,
      ...(Object.keys(headers).length > 0 && { headers }),
      ...(status === "422" && json && { content: { "application/json": { ...json, example: VALIDATION_EXAMPLE } } }),
    };
  }
  // ts-rest describes every body as "Body" and leaves it optional; it is neither.
  const { description: _generic, ...requestBody } = (operation.requestBody ?? {}) as RequestBodyObject;
  return {
    ...operation,
    operationId: camelOperationId(String(operation.operationId)),
    ...(operation.requestBody && { requestBody: { ...requestBody, required: true } }),
    responses,
    // Explicitly anonymous, rather than silent, on the routes that take no token.
    security: bearer ? [{ bearerAuth: [] }] : [],
  };
}

/** Key order is not part of a schema's identity; sorting makes equal schemas serialise equally. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * zod-openapi writes `exclusiveMinimum: 0` (JSON Schema 2019, OpenAPI 3.1) for `.positive()`; OpenAPI 3.0, which
 * ts-rest declares, wants `minimum: 0, exclusiveMinimum: true`.
 */
function toOpenApi30(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toOpenApi30);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === "exclusiveMinimum" || key === "exclusiveMaximum") && typeof value === "number") {
      out[key === "exclusiveMinimum" ? "minimum" : "maximum"] = value;
      out[key] = true;
    } else {
      out[key] = toOpenApi30(value);
    }
  }
  return out;
}

/** Replaces, top-down, every schema equal to a named component with a `$ref` to it. */
function referenceComponents(node: unknown, byShape: Map<string, string>, self?: string): unknown {
  if (Array.isArray(node)) return node.map((item) => referenceComponents(item, byShape));
  if (node === null || typeof node !== "object") return node;
  const name = byShape.get(canonicalJson(node));
  if (name !== undefined && name !== self) return { $ref: `#/components/schemas/${name}` };
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, referenceComponents(value, byShape)]));
}

/**
 * The OpenAPI 3.0 document of the whole contract: what third parties see. Pure and deterministic, so the
 * committed docs/openapi.json can be compared with it byte for byte.
 */
export function buildOpenApiDocument(): OpenAPIObject {
  const generated = generateOpenApi(
    contract,
    {
      info: {
        title: "Todo API",
        version: packageJson.version,
        description:
          "A multi-user todo API. Sign up or sign in under `auth`, then send the access token as " +
          "`Authorization: Bearer <token>` to the task routes, whose `{userId}` must be the token's own user. " +
          "Every error is `{ error: { code, message, details } }`.",
      },
      // Relative: whatever origin serves the document serves the API.
      servers: [{ url: "/" }],
      tags: [
        { name: "auth", description: "Accounts, sign-in and token refresh" },
        { name: "tasks", description: "The signed-in user's tasks" },
        { name: "health", description: "Liveness and readiness probes" },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "JWT",
            description: "The `accessToken` of a session (register, login or refresh).",
          },
        },
      },
    },
    { setOperationId: "concatenated-path", operationMapper: describeOperation },
  );

  const schemas = toOpenApi30({
    ...Object.fromEntries(Object.entries(RESPONSE_COMPONENTS).map(([name, s]) => [name, generateSchema(s, true)])),
    ...Object.fromEntries(Object.entries(REQUEST_COMPONENTS).map(([name, s]) => [name, generateSchema(s, false)])),
  }) as Record<string, SchemaObject>;
  const byShape = new Map(Object.entries(schemas).map(([name, schema]) => [canonicalJson(schema), name]));
  const { openapi, info, servers, tags, paths, components } = generated;
  return {
    openapi,
    info,
    servers,
    tags,
    paths: referenceComponents(toOpenApi30(paths), byShape) as OpenAPIObject["paths"],
    components: {
      ...components,
      schemas: Object.fromEntries(
        Object.entries(schemas).map(([name, schema]) => [name, referenceComponents(schema, byShape, name)]),
      ) as Record<string, SchemaObject>,
    },
  };
}

/** The document as served and committed: two-space JSON with a final newline. */
export const serializeOpenApiDocument = (document: OpenAPIObject): string => `${JSON.stringify(document, null, 2)}\n`;

let cached: OpenAPIObject | undefined;

/** The document, built on first use: once per process, however many apps it starts (the tests start many). */
export function openApiDocument(): OpenAPIObject {
  cached ??= buildOpenApiDocument();
  return cached;
}
