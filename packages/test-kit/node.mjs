// The kit for plain Node scripts that cannot import TypeScript themselves (scripts/check-packages.mjs):
// `const { startApiProcess } = await import(".../packages/test-kit/node.mjs")` loads @todo/test-kit/process
// through tsx, as the kit runs the API from source.
import { tsImport } from "tsx/esm/api";

const kit = await tsImport("./src/entry-process.ts", import.meta.url);

export const { startApiProcess, spawnApi, registerUser, contractClient, TEST_API_ENV, API_DIR, REPO_ROOT } = kit;
