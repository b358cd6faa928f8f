// quick-start.ts — Node 20+, or any module in a browser app
import { createTodoClient } from "@todo/client";

const todo = createTodoClient({ baseUrl: process.env.TODO_API_URL ?? "http://localhost:3000" }); // no /api/v1

const signedUp = await todo.register({ email: "ada@example.com", password: "correct horse battery" });
if (signedUp.status !== 201) throw new Error(`register answered ${signedUp.status}`); // 409: email taken
const userId = signedUp.body.user.id;

const created = await todo.api.tasks.create({ params: { userId }, body: { title: "Buy milk" } });
if (created.status !== 201) throw new Error(`create answered ${created.status}`);
console.log(created.body.id, created.body.title); // typed: Task

const toggled = await todo.api.tasks.toggleComplete({ params: { userId, id: created.body.id } });
if (toggled.status === 200) console.log(toggled.body.completed); // true

const page = await todo.api.tasks.list({ params: { userId }, query: { completed: "true", limit: 20 } });
if (page.status === 200) for (const task of page.body.items) console.log(task.title);

await todo.logout();
