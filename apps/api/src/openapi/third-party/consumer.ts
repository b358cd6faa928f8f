// A third party's client: it knows nothing of this repository but docs/openapi.json. Its types come from
// openapi-typescript (generated/schema.d.ts, made by the test), its requests from openapi-fetch.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

export type Task = components["schemas"]["Task"];
export type ErrorResponse = components["schemas"]["ErrorResponse"];

export interface FlowResult {
  statuses: Record<string, number>;
  created: Task;
  listed: Task[];
  toggled: Task;
  rejected: ErrorResponse;
  remaining: Task[];
}

/** Everything a third party needs for the whole lifecycle: register → login → create → list → toggle → delete. */
export async function runTodoFlow(baseUrl: string, email: string, password: string): Promise<FlowResult> {
  const api = createClient<paths>({ baseUrl });
  const statuses: Record<string, number> = {};
  const expectStatus = <T>(step: string, status: number, result: { data?: T; response: Response }): T => {
    statuses[step] = result.response.status;
    if (result.response.status !== status || result.data === undefined) {
      throw new Error(`${step}: expected ${status}, got ${result.response.status}`);
    }
    return result.data;
  };

  expectStatus("register", 201, await api.POST("/api/v1/auth/register", { body: { email, password } }));
  const session = expectStatus("login", 200, await api.POST("/api/v1/auth/login", { body: { email, password } }));

  const bearer: Middleware = {
    onRequest({ request }) {
      request.headers.set("Authorization", `${session.tokenType} ${session.accessToken}`);
      return request;
    },
  };
  api.use(bearer);
  const owner = { userId: session.user.id };

  const created = expectStatus(
    "create",
    201,
    await api.POST("/api/v1/{userId}/tasks", {
      params: { path: owner },
      body: { title: "Send the report", description: "Q3 numbers" },
    }),
  );
  const invalid = await api.POST("/api/v1/{userId}/tasks", { params: { path: owner }, body: { title: "   " } });
  statuses.invalid = invalid.response.status;
  if (!invalid.error) throw new Error("an empty title was accepted");

  const page = expectStatus(
    "list",
    200,
    await api.GET("/api/v1/{userId}/tasks", { params: { path: owner, query: { limit: 10, completed: "false" } } }),
  );
  const task = { ...owner, id: created.id };
  const toggled = expectStatus(
    "toggle",
    200,
    await api.PATCH("/api/v1/{userId}/tasks/{id}/complete", { params: { path: task } }),
  );

  const deleted = await api.DELETE("/api/v1/{userId}/tasks/{id}", { params: { path: task } });
  statuses.delete = deleted.response.status;
  const after = expectStatus("list again", 200, await api.GET("/api/v1/{userId}/tasks", { params: { path: owner } }));

  return { statuses, created, listed: page.items, toggled, rejected: invalid.error, remaining: after.items };
}
