// The API's own modules that the in-process app and the database set-up use, reached by path: the API's tests
// depend on this kit, so the kit cannot depend on @todo/api as a package (Turborepo refuses cycles).
export { loadEnv } from "../../../apps/api/src/config/env.js";
export { openMigratedDatabase } from "../../../apps/api/src/db/migrated-database.js";
export { createLogger } from "../../../apps/api/src/lib/logger.js";
export { type RunningServer, startServer } from "../../../apps/api/src/server.js";
