import { libraryConfig } from "../../tooling/tsup-library.mjs";

export default libraryConfig({ index: "src/index.ts", validation: "src/validation.ts", server: "src/server.ts" });
