import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root folder. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
/** apps/api: where the API's processes and command-line tools run, as its pnpm scripts run them. */
export const API_DIR = join(REPO_ROOT, "apps/api");
