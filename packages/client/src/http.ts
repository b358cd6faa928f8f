import { isIdempotentRoute, type RouteInfo } from "@todo/contract/routes";

/** The fetch the client calls: the global one by default, or e.g. a test double or an instrumented one. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** The arguments a route function takes, as the run time sees them (typed per route by `TodoApi`). */
export interface RouteArgs {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  /** Extra request headers; an `authorization` header here means the caller manages its own credentials. */
  extraHeaders?: Record<string, string | undefined>;
  /** `If-Match`: an ETag, or a version number. */
  ifMatch?: string | number;
  /** `If-None-Match`: an ETag, or a version number. */
  ifNoneMatch?: string | number;
  /** `Idempotency-Key` of a create; a new one per call when left out. */
  idempotencyKey?: string;
  fetchOptions?: RequestInit;
  cache?: RequestCache;
  next?: unknown;
}

/** One prepared request: everything but credentials. */
export interface PreparedRequest {
  route: RouteInfo;
  url: string;
  init: RequestInit;
  /** Lower-cased header names. */
  headers: Record<string, string>;
}

export interface RouteResult {
  status: number;
  body: unknown;
  headers: Headers;
}

function fillPath(path: string, params: Record<string, unknown> = {}): string {
  return path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(params[name] ?? "")));
}

function queryString(query: Record<string, unknown> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** A task's version as its ETag (`3` → `"3"`); an ETag passes as it is. */
const entityTag = (value: string | number): string => (typeof value === "number" ? `"${value}"` : value);

/** A random key: `crypto.randomUUID` where it exists (secure contexts), else the same from getRandomValues. */
export function newIdempotencyKey(): string {
  const { crypto } = globalThis;
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function prepareRequest(baseUrl: string, route: RouteInfo, args: RouteArgs = {}): PreparedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...args.extraHeaders })) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  if (args.ifMatch !== undefined) headers["if-match"] = entityTag(args.ifMatch);
  if (args.ifNoneMatch !== undefined) headers["if-none-match"] = entityTag(args.ifNoneMatch);
  // One key per call, kept by every attempt of it (a retry after a network failure, a retry after a 401).
  if (isIdempotentRoute(route)) headers["idempotency-key"] ??= args.idempotencyKey ?? newIdempotencyKey();
  const hasBody = route.method !== "GET" && args.body !== undefined && args.body !== null;
  if (hasBody) headers["content-type"] ??= "application/json";
  const init: RequestInit & { next?: unknown } = {
    ...args.fetchOptions,
    ...(args.cache !== undefined && { cache: args.cache }),
    ...(args.next !== undefined && { next: args.next }),
    method: route.method,
    body: hasBody ? JSON.stringify(args.body) : undefined,
  };
  return { route, url: baseUrl + fillPath(route.path, args.params) + queryString(args.query), init, headers };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return undefined;
  if (!/^application\/([\w.+-]*\+)?json/i.test(response.headers.get("content-type") ?? "")) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A fetch that failed without an answer: connection refused or cut (also while reading the body), DNS, offline.
 * fetch reports those as a TypeError; an abort is a DOMException and is not retried.
 */
const isNetworkFailure = (error: unknown): boolean => error instanceof TypeError;

/** How long to wait for a first attempt that is still running (409 IDEMPOTENCY_KEY_IN_USE), at most. */
const IN_USE_WAITS = 3;
const MAX_IN_USE_WAIT_MS = 5_000;

const isKeyInUse = (result: RouteResult): boolean =>
  result.status === 409 && (result.body as { error?: { code?: unknown } })?.error?.code === "IDEMPOTENCY_KEY_IN_USE";

export async function send(fetchImpl: FetchLike, request: PreparedRequest, headers = request.headers) {
  const attempt = async (): Promise<RouteResult> => {
    const response = await fetchImpl(request.url, { ...request.init, headers });
    return { status: response.status, body: await readBody(response), headers: response.headers };
  };
  if (headers["idempotency-key"] === undefined) return attempt();
  try {
    return await attempt();
  } catch (error) {
    // A create whose answer was lost may or may not have happened: the same key makes sending it again safe
    // (the server replays the first answer). Once; a second failure goes to the caller.
    if (!isNetworkFailure(error) || request.init.signal?.aborted) throw error;
  }
  let result = await attempt();
  // The first attempt may still be running on the server: wait as told, for its answer.
  for (let wait = 0; wait < IN_USE_WAITS && isKeyInUse(result); wait++) {
    const seconds = Number(result.headers.get("retry-after") ?? 1);
    await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(seconds, 0.1) * 1000, MAX_IN_USE_WAIT_MS)));
    result = await attempt();
  }
  return result;
}

/** Turns a table of route groups into the same shape of functions: `api.tasks.list(args)`. */
export function bindRoutes(
  table: { readonly [group: string]: { readonly [name: string]: RouteInfo } },
  call: (route: RouteInfo, args: RouteArgs | undefined) => Promise<RouteResult>,
): Record<string, Record<string, (args?: RouteArgs) => Promise<RouteResult>>> {
  return Object.fromEntries(
    Object.entries(table).map(([group, routes]) => [
      group,
      Object.fromEntries(
        Object.entries(routes).map(([name, route]) => [name, (args?: RouteArgs) => call(route, args)]),
      ),
    ]),
  );
}
