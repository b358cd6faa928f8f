import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

// What a browser app pays for the client: each entry point bundled the way an app's bundler would (esbuild,
// minified, tree-shaken), with its dependencies, measured minified and gzipped. The README records the figures.
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const BUDGET_GZIP_BYTES = 8 * 1024;

async function measure(entry: string) {
  const result = await build({
    stdin: { contents: entry, resolveDir: packageDir, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
  });
  const code = result.outputFiles[0]!.contents;
  return { minified: code.length, gzip: gzipSync(code).length, inputs: Object.keys(result.metafile.inputs) };
}

/** The figures as the README's table writes them: `12.3 KB`. */
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

describe("browser bundle", () => {
  it("keeps the client with its route table under 8 KB gzip, with no zod or ts-rest, as the README records", async () => {
    const plain = await measure(
      `import { createTodoClient, webStorageTokenStore } from "./src/index.ts";
       globalThis.todo = createTodoClient({ baseUrl: "https://api.example", tokenStore: webStorageTokenStore() });`,
    );
    const validating = await measure(
      `import { createTodoClient } from "./src/validation.ts";
       globalThis.todo = createTodoClient({ baseUrl: "https://api.example" });`,
    );
    console.log(
      `bundle: @todo/client ${kb(plain.minified)} minified, ${kb(plain.gzip)} gzip; ` +
        `@todo/client/validation ${kb(validating.minified)} minified, ${kb(validating.gzip)} gzip`,
    );

    expect(plain.gzip).toBeLessThan(BUDGET_GZIP_BYTES);
    expect(plain.inputs.filter((file) => /node_modules|contract\/src\/(?!routes)/.test(file))).toEqual([]);
    // The validating entry does carry the schemas: proof that the measurement sees them when they are there.
    expect(validating.inputs.some((file) => file.includes("zod"))).toBe(true);

    const readme = readFileSync(`${packageDir}/README.md`, "utf8");
    const recorded = /\| `@todo\/client` \(validation off\) +\| ([\d.]+) KB +\| ([\d.]+) KB +\|/.exec(readme);
    expect(recorded, "README: bundle size table row").not.toBeNull();
    // Recorded to within 0.3 KB gzip, so the README is updated when the client grows or shrinks.
    expect(Math.abs(Number(recorded![2]) * 1024 - plain.gzip)).toBeLessThan(0.3 * 1024);
  });
});
