import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Every TypeScript block of the README is a file of examples/, byte for byte: those files are what CI compiles
// (scripts/check-packages.mjs type-checks them, runs quick-start.ts and builds the Next.js ones with `next build`).
// The contract's README is checked here too: the client's tests are where the packages are tried as consumers.
const packagesDir = fileURLToPath(new URL("../..", import.meta.url));

function readmeBlocks(packageDir: string): { lang: string; code: string }[] {
  const readme = readFileSync(join(packageDir, "README.md"), "utf8");
  return [...readme.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}

function exampleFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? exampleFiles(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

describe.each(["client", "contract"])("README examples of @todo/%s", (name) => {
  const packageDir = join(packagesDir, name);
  const examplesDir = join(packageDir, "examples");
  const blocks = readmeBlocks(packageDir).filter((b) => b.lang === "ts" || b.lang === "tsx");

  it("are files of examples/, each named by its first line and shown unchanged", () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const { code } of blocks) {
      const name = /^\/\/ ([\w./[\]-]+\.tsx?) /.exec(code)?.[1];
      expect(name, `README block without a file name:\n${code.slice(0, 120)}`).toBeDefined();
      const file = join(examplesDir, name!);
      expect(existsSync(file), `examples/${name} is missing`).toBe(true);
      expect(code, `README block differs from examples/${name}`).toBe(readFileSync(file, "utf8"));
    }
  });

  it("show every example file", () => {
    const shown = blocks.map(({ code }) => /^\/\/ (\S+)/.exec(code)?.[1]);
    expect(exampleFiles(examplesDir).sort()).toEqual(shown.sort());
  });
});
