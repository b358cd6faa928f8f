import { join } from "node:path";
import { generateSchema } from "@anatine/zod-openapi";
import {
  contract,
  describeErrorStatus,
  isIdempotentRoute,
  OPENAPI_REQUEST_COMPONENTS,
  OPENAPI_RESPONSE_COMPONENTS,
  requiresBearerToken,
  TaskSchema,
  VALIDATION_ERROR_EXAMPLE,
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
import packageJson from "../../package.json" with { type: "json" };
import { REPO_ROOT } from "../config/paths.js";

export const OPENAPI_PATH = "/api/v1/openapi.json";
/** The committed copy third parties generate clients from; `pnpm openapi:check` keeps it equal to the contract. */
export const COMMITTED_DOCUMENT_FILE = join(REPO_ROOT, "docs/openapi.json");

const SUCCESS_DESCRIPTIONS: Record<string, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No content",
  304: "Not modified: the task still has the `If-None-Match` ETag (no body).",
};

/**
 * What a status means on this operation, from the contract's code table; on Bearer routes a 401 can only be
 * `UNAUTHORIZED`.
 */
function describeStatus(status: string, bearer: boolean): string | undefined {
  return (
    SUCCESS_DESCRIPTIONS[status] ??
    describeErrorStatus(Number(status), status === "401" && bearer ? ["UNAUTHORIZED"] : undefined)
  );
}

const retryAfter = (required: boolean): HeadersObject => ({
  "Retry-After": {
    description: "Seconds to wait before trying again.",
    required,
    schema: { type: "integer", minimum: 0 },
  },
});
const etag: HeadersObject = {
  ETag: {
    description: 'The task\'s version as a strong entity tag (`"3"`): send it as `If-Match` / `If-None-Match`.',
    required: true,
    schema: { type: "string" },
  },
};
const replayed: HeadersObject = {
  "Idempotent-Replayed": {
    description: "`true` when this is the kept answer of an earlier request with the same `Idempotency-Key`.",
    schema: { type: "string", enum: ["true"] },
  },
};
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
    const single = route.responses[Number(status)] === TaskSchema || status === "304";
    const idempotent = isIdempotentRoute(route);
    const headers = {
      ...(single && etag),
      ...(idempotent && (status === "201" || status === "422" || status === "409") && replayed),
      ...(idempotent && status === "409" && retryAfter(false)),
      ...(status === "401" && bearer && wwwAuthenticate),
      ...(status === "429" && retryAfter(true)),
      ...(status === "503" && retryAfter(false)),
    };
    const json = response.content?.["application/json"];
    responses[status] = {
      ...response,
      description: describeStatus(status, bearer) ?? response.description,
      ...(Object.keys(headers).length > 0 && { headers }),
      ...(status === "422" &&
        json && { content: { "application/json": { ...json, example: VALIDATION_ERROR_EXAMPLE } } }),
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
        { name: "changes", description: "Sync: the tasks and lists changed since a cursor" },
        { name: "health", description: "Liveness and readiness probes" },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "JWT",
            description: "The `accessToken` of the session tokens (register, login or refresh).",
          },
        },
      },
    },
    { setOperationId: "concatenated-path", operationMapper: describeOperation },
  );

  const schemas = toOpenApi30({
    ...Object.fromEntries(
      Object.entries(OPENAPI_RESPONSE_COMPONENTS).map(([name, s]) => [name, generateSchema(s, true)]),
    ),
    ...Object.fromEntries(
      Object.entries(OPENAPI_REQUEST_COMPONENTS).map(([name, s]) => [name, generateSchema(s, false)]),
    ),
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
