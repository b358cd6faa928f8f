/**
 * Method, path and authentication of every route, without schemas: the table a client needs at run time.
 * The contract (index.ts) builds each route from these entries and adds its zod schemas, so both always agree;
 * `@todo/contract/routes` serves this table without loading zod, which keeps a browser bundle small.
 */

const bearer = { auth: "bearer" } as const;
/**
 * A create that honours `Idempotency-Key`: the server keeps and replays its answer, the client sends a key of
 * its own and retries once with it after a network failure. Turning it on for a route is this one line.
 */
const bearerIdempotent = { auth: "bearer", idempotent: true } as const;

/** Every route's path starts with this, except the health checks. */
export const API_PATH_PREFIX = "/api/v1";

export const authRoutes = {
  register: { method: "POST", path: "/auth/register" },
  login: { method: "POST", path: "/auth/login" },
  refresh: { method: "POST", path: "/auth/refresh" },
  logout: { method: "POST", path: "/auth/logout" },
  me: { method: "GET", path: "/auth/me", metadata: bearer },
} as const;

/** Recovery and self-service of an account; under `/auth` like the rest of the account's routes. */
export const accountRoutes = {
  requestPasswordReset: { method: "POST", path: "/auth/password-reset" },
  confirmPasswordReset: { method: "POST", path: "/auth/password-reset/confirm" },
  changePassword: { method: "PUT", path: "/auth/password", metadata: bearer },
  listSignIns: { method: "GET", path: "/auth/sessions", metadata: bearer },
  endSignIn: { method: "DELETE", path: "/auth/sessions/:id", metadata: bearer },
  endOtherSignIns: { method: "DELETE", path: "/auth/sessions", metadata: bearer },
  deleteAccount: { method: "DELETE", path: "/auth/me", metadata: bearer },
  exportAccount: { method: "GET", path: "/auth/me/export", metadata: bearer },
} as const;

// Order matters: Express matches in registration order, which is contract order, so the fixed segment
// `tasks/summary` comes before `tasks/:id`.
export const taskRoutes = {
  list: { method: "GET", path: "/:userId/tasks", metadata: bearer },
  create: { method: "POST", path: "/:userId/tasks", metadata: bearerIdempotent },
  summary: { method: "GET", path: "/:userId/tasks/summary", metadata: bearer },
  clearCompleted: { method: "DELETE", path: "/:userId/tasks", metadata: bearer },
  get: { method: "GET", path: "/:userId/tasks/:id", metadata: bearer },
  update: { method: "PUT", path: "/:userId/tasks/:id", metadata: bearer },
  delete: { method: "DELETE", path: "/:userId/tasks/:id", metadata: bearer },
  toggleComplete: { method: "PATCH", path: "/:userId/tasks/:id/complete", metadata: bearer },
  move: { method: "POST", path: "/:userId/tasks/:id/move", metadata: bearer },
} as const;

export const listRoutes = {
  list: { method: "GET", path: "/:userId/lists", metadata: bearer },
  create: { method: "POST", path: "/:userId/lists", metadata: bearerIdempotent },
  get: { method: "GET", path: "/:userId/lists/:listId", metadata: bearer },
  update: { method: "PUT", path: "/:userId/lists/:listId", metadata: bearer },
  delete: { method: "DELETE", path: "/:userId/lists/:listId", metadata: bearer },
} as const;

export const changesRoutes = {
  get: { method: "GET", path: "/:userId/changes", metadata: bearer },
} as const;

export const healthRoutes = {
  liveness: { method: "GET", path: "/healthz" },
  readiness: { method: "GET", path: "/readyz" },
} as const;

/** What a client needs to call a route. */
export interface RouteInfo {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly path: string;
  readonly metadata?: unknown;
}

export type RouteTable = { readonly [group: string]: { readonly [name: string]: RouteInfo } };

const prefixed = <T extends Record<string, RouteInfo>>(routes: T): { [K in keyof T]: RouteInfo } =>
  Object.fromEntries(
    Object.entries(routes).map(([name, route]) => [name, { ...route, path: API_PATH_PREFIX + route.path }]),
  ) as { [K in keyof T]: RouteInfo };

/** The contract's routes with full paths, grouped as in the contract: `routeTable.tasks.list` and so on. */
export const routeTable = {
  auth: prefixed(authRoutes),
  account: prefixed(accountRoutes),
  tasks: prefixed(taskRoutes),
  lists: prefixed(listRoutes),
  changes: prefixed(changesRoutes),
  health: healthRoutes,
} satisfies RouteTable;

/**
 * Whether a route needs an access token: routes say so with `metadata: { auth: "bearer" }`. The server
 * authenticates, the client attaches and renews tokens, and the OpenAPI document requires `bearerAuth` by it.
 */
export const requiresBearerToken = (route: { metadata?: unknown }): boolean =>
  (route.metadata as { auth?: unknown } | undefined)?.auth === "bearer";

/** Whether a route honours `Idempotency-Key` (`metadata: { idempotent: true }`): a create a client may retry. */
export const isIdempotentRoute = (route: { metadata?: unknown }): boolean =>
  (route.metadata as { idempotent?: unknown } | undefined)?.idempotent === true;
