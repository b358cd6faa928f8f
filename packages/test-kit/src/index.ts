// @todo/test-kit: one place for what tests need to run the API. See docs/testing.md.
//
// - `startTestApp` (app.ts): the API in-process on the Vitest project's database (a fresh in-memory PGlite, or
//   the run's PostgreSQL database), with `request` and a typed `client` that check every response against the
//   contract; `signUp` gives a new user with a signed-in client.
// - `spawnApi` / `startApiProcess` (process.ts, also `@todo/test-kit/process` without the API's sources): the
//   API as production runs it, a process of its own.
// - databases.ts: a PostgreSQL database per test or per run; throwaway-postgres.ts: a server of the test's own.
// - client.ts: the contract as a typed client of any URL, and `registerUser`.
export * from "./app.js";
export * from "./balanced-apis.js";
export * from "./client.js";
export * from "./contract-conformance.js";
export * from "./databases.js";
export * from "./haproxy.js";
export * from "./locks.js";
export * from "./pgbouncer.js";
export * from "./ports.js";
export * from "./process.js";
export * from "./prometheus.js";
export * from "./smtp-peer.js";
export * from "./throwaway-postgres.js";
