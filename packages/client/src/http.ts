import type { RouteInfo } from "@todo/contract/routes";

/** The fetch the client calls: the global one by default, or e.g. a test double or an instrumented one. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** The arguments a route function takes, as the run time sees them (typed per route by `TodoApi`). */
export interface RouteArgs {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  /** Extra request headers; an `authorization` header here means the caller manages its own credentials. */
  extraHeaders?: Record<string, string | undefined>;
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

export function prepareRequest(baseUrl: string, route: RouteInfo, args: RouteArgs = {}): PreparedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...args.extraHeaders })) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
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

export async function send(fetchImpl: FetchLike, request: PreparedRequest, headers = request.headers) {
  const response = await fetchImpl(request.url, { ...request.init, headers });
  return { status: response.status, body: await readBody(response), headers: response.headers } as RouteResult;
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
