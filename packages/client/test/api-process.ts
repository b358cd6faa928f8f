// The client's API tests need a running API, not a package dependency on it: the process helper, and with it
// the API, are taken from this repository by path. So @todo/client has no edge to @todo/api in the package graph,
// and building (or packing) the client never builds the API. (turbo.json runs the API's db:generate first.)
export { type ApiProcess, spawnApi } from "../../../apps/api/test/api-process.js";
