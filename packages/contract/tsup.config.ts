import { libraryConfig } from "../../tooling/tsup-library.mjs";

export default libraryConfig({ index: "src/index.ts", routes: "src/routes.ts" });
