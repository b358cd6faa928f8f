import { contract } from "@todo/contract";
import {
  type AppRoute,
  type AppRouter,
  isAppRoute,
  isAppRouteNoBody,
  ResponseValidationError,
  validateResponse,
} from "@ts-rest/core";

interface RouteMatcher {
  name: string;
  method: string;
  pattern: RegExp;
  route: AppRoute;
}

/**
 * Express's matching, for the paths this API has: case-insensitive, an optional trailing slash, `:param`
 * standing for one non-empty segment. First match wins, in contract order, as ts-rest registers them.
 */
function toPattern(path: string): RegExp {
  const source = path
    .split("/")
    .map((segment) => (segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}/?$`, "i");
}

function collectRoutes(router: AppRouter, prefix: string[] = []): RouteMatcher[] {
  return Object.entries(router).flatMap(([key, value]) => {
    const name = [...prefix, key];
    if (!isAppRoute(value)) return collectRoutes(value, name);
    return [{ name: name.join("."), method: value.method, pattern: toPattern(value.path), route: value }];
  });
}

const ROUTES = collectRoutes(contract);

export function findContractRoute(method: string, path: string): RouteMatcher | undefined {
  const pathname = new URL(path, "http://localhost").pathname;
  const upper = method.toUpperCase();
  return ROUTES.find((r) => r.method === upper && r.pattern.test(pathname));
}

export interface ObservedResponse {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  text: string;
  body: unknown;
}

export class ContractViolation extends Error {
  constructor(response: ObservedResponse, route: string, problem: string) {
    super(`${response.method} ${response.path} → ${response.status} breaks contract route ${route}: ${problem}`);
    this.name = "ContractViolation";
  }
}

/**
 * Throws when a response of a contract route is not one the contract declares: an undeclared status, a body
 * where there should be none, or a body its zod schema rejects. Paths outside the contract pass unchecked.
 */
export function assertConformsToContract(response: ObservedResponse): void {
  const match = findContractRoute(response.method, response.path);
  if (!match) return;
  const declared = match.route.responses[response.status];
  if (declared === undefined) {
    const statuses = Object.keys(match.route.responses).join(", ");
    throw new ContractViolation(response, match.name, `undeclared status (declared: ${statuses})`);
  }
  if (isAppRouteNoBody(declared)) {
    if (response.text !== "") throw new ContractViolation(response, match.name, "declared without a body");
    return;
  }
  if (!response.contentType?.startsWith("application/json")) {
    throw new ContractViolation(response, match.name, `content-type ${response.contentType}, not JSON`);
  }
  try {
    validateResponse({ appRoute: match.route, response: { status: response.status, body: response.body } });
  } catch (err) {
    if (!(err instanceof ResponseValidationError)) throw err;
    throw new ContractViolation(response, match.name, `body does not match: ${JSON.stringify(err.cause.issues)}`);
  }
}
