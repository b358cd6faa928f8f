import { initContract } from "@ts-rest/core";
import { accountContract } from "./accounts.js";
import { authContract } from "./auth.js";
import { changesContract } from "./changes.js";
import { healthContract } from "./health.js";
import { listsContract } from "./lists.js";
import { tasksContract } from "./tasks.js";

export * from "./accounts.js";
export * from "./auth.js";
export * from "./changes.js";
export * from "./common.js";
export * from "./errors.js";
export * from "./headers.js";
export * from "./health.js";
export * from "./lists.js";
export * from "./openapi-components.js";
export * from "./routes.js";
export * from "./tasks.js";

const c = initContract();

/** The whole API: the single source of truth for the server, the typed client and the OpenAPI document. */
export const contract = c.router({
  auth: authContract,
  account: accountContract,
  tasks: tasksContract,
  lists: listsContract,
  changes: changesContract,
  health: healthContract,
});
export type Contract = typeof contract;
