// @todo/test-kit/process: the kit without the API's sources, for tests that run the API as a process (the
// client's, the web app's, scripts/check-packages.mjs): starting API processes, typed contract clients and
// sign-ups over HTTP, and PostgreSQL databases.
export * from "./client.js";
export * from "./databases.js";
export * from "./process.js";
