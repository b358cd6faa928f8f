import { contract } from "@todo/contract";
import { type AppRoute, validateResponse } from "@ts-rest/core";
import { type CreateTodoClient, createClient } from "./client.js";

export { ResponseValidationError } from "@ts-rest/core";

/**
 * `createTodoClient` that parses every response body with the contract's zod schema and throws
 * `ResponseValidationError` on a mismatch. It loads zod and every schema (about 50 KB minified in a browser):
 * meant for tests, development builds and servers. Statuses the contract does not declare pass unchecked.
 */
export const createTodoClient: CreateTodoClient = (options) =>
  createClient(
    contract,
    options,
    (route, result) =>
      validateResponse({ appRoute: route as AppRoute, response: { status: result.status, body: result.body } }).body,
  ) as never;
