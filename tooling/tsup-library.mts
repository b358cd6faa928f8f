import { defineConfig, type Options } from "tsup";

/**
 * The one build of the published libraries (@todo/contract, @todo/client): ESM with declarations. Their `build`
 * script then runs finish-library-build.mjs, which adds `dist/esm-only.cjs` for the `require` condition: Node
 * 20.19+ and 22.12+ match `module-sync` first and load the ESM build with require(); older runtimes and
 * CommonJS-only tools land on that file and get an error that says what to do.
 */
export function libraryConfig(entry: Record<string, string>): Options {
  return defineConfig({
    entry,
    format: ["esm"],
    dts: true,
    clean: true,
    target: "es2022",
  }) as Options;
}
