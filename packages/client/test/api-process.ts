import { fileURLToPath } from "node:url";

// The client's API tests need a running API, not a package dependency on it: the process helper and the API are
// taken from this repository by path. So @todo/client has no edge to @todo/api in the package graph, and building
// (or packing) the client never builds the API.
export const API_DIR = fileURLToPath(new URL("../../../apps/api/", import.meta.url));
export { type ApiProcess, spawnApi } from "../../../apps/api/test/api-process.js";
