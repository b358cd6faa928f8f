#!/usr/bin/env node
// The published packages as an outside team gets them: builds and packs @todo/contract and @todo/client
// (pnpm pack, so publishConfig.exports replaces the workspace's source exports), lints the tarballs (publint,
// @arethetypeswrong/cli), installs them into fresh projects with npm, pnpm and yarn, type-checks and runs the
// README's Node examples against a real API started from this repository, checks require(), and builds a
// Next.js 16 app made of the README's Next.js examples, unchanged, on zod 4 with Better Auth installed.
//
// Usage: node scripts/check-packages.mjs [--skip-next]   (CHECK_PACKAGES_DIR keeps the work folder there)
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../..");
const work = process.env.CHECK_PACKAGES_DIR ?? mkdtempSync(join(tmpdir(), "todo-packages-"));
const skipNext = process.argv.includes("--skip-next");
const versions = {
  typescript: "5.9.3",
  "@types/node": "20.19.43",
  "@ts-rest/core": "3.52.1",
  zod3: "3.25.76",
  zod4: "4.6.7",
  next: "16.4.6",
  react: "19.3.1",
  "@types/react": "19.3.0",
  "@types/react-dom": "19.3.0",
  "better-auth": "1.7.25",
  "server-only": "0.0.1",
};
const failures = [];
const started = Date.now();

function run(cmd, args, options = {}) {
  const shown = `${cmd} ${args.join(" ")}`;
  console.log(`$ ${shown}${options.cwd ? `   (in ${options.cwd})` : ""}`);
  return execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...options });
}

async function check(name, fn) {
  const t0 = Date.now();
  console.log(`\n--- ${name}`);
  try {
    await fn();
    console.log(`ok: ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (err) {
    failures.push(name);
    console.log(`FAILED: ${name}\n${err.stdout ?? ""}${err.stderr ?? ""}${err.stack ?? err}`);
  }
}

function project(name, packageJson) {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name, private: true, type: "module", ...packageJson }, null, 2),
  );
  return dir;
}

const npm = (args, cwd) => run("npm", [...args, "--no-audit", "--no-fund", "--prefer-offline"], { cwd });
const tarballs = {};

/**
 * The API from this repository on an in-memory database and a free port, started by the test kit
 * (packages/test-kit/node.mjs) as every test that runs the API as a process.
 */
async function startApi() {
  run("pnpm", ["--filter", "@todo/api", "run", "--silent", "db:generate"], { cwd: root });
  const { startApiProcess } = await import(pathToFileURL(join(root, "packages/test-kit/node.mjs")).href);
  return startApiProcess({ JWT_SECRET: "check-packages-secret-that-is-at-least-32-bytes" });
}

await check("build and pack (pnpm pack applies publishConfig)", () => {
  // Unsorted: the client builds from the contract's sources, so the two declaration builds can run side by side.
  run("pnpm", ["--filter", "@todo/contract", "--filter", "@todo/client", "--no-sort", "run", "build"], { cwd: root });
  const dest = join(work, "tarballs");
  mkdirSync(dest, { recursive: true });
  for (const name of ["contract", "client"]) {
    run("pnpm", ["pack", "--pack-destination", dest], { cwd: join(root, "packages", name) });
    const file = readdirSync(dest).find((f) => f.startsWith(`todo-${name}-`) && f.endsWith(".tgz"));
    if (!file) throw new Error(`no tarball for ${name}`);
    tarballs[name] = join(dest, file);
    const listing = run("tar", ["-tzf", tarballs[name]]);
    for (const required of [
      "package/LICENSE",
      "package/README.md",
      "package/dist/index.js",
      "package/dist/index.d.ts",
    ]) {
      if (!listing.includes(required)) throw new Error(`${name}: ${required} missing from the tarball`);
    }
    if (listing.includes("package/src/")) throw new Error(`${name}: sources shipped`);
  }
});
if (!tarballs.client) {
  console.log(`\n${failures.length} package check(s) failed: ${failures.join("; ")}`);
  process.exit(1);
}

await check("publint --strict and attw (esm-only profile) on both tarballs", () => {
  for (const file of Object.values(tarballs)) {
    console.log(run("pnpm", ["exec", "publint", "run", file, "--strict"], { cwd: root }).trim());
    run("pnpm", ["exec", "attw", file, "--profile", "esm-only"], { cwd: root });
  }
});

const api = await startApi();
try {
  const apiUrl = api.url;
  console.log(`API at ${apiUrl}`);

  await check("npm: install the tarballs, type-check and run the README's Node examples against the API", () => {
    const dir = project("npm-consumer", {
      dependencies: {
        "@todo/contract": `file:${tarballs.contract}`,
        "@todo/client": `file:${tarballs.client}`,
        "@ts-rest/core": versions["@ts-rest/core"],
        zod: versions.zod3,
      },
      devDependencies: { typescript: versions.typescript, "@types/node": versions["@types/node"] },
    });
    npm(["install"], dir);
    for (const file of ["quick-start.ts", "errors.ts", "server-access-token.ts"]) {
      cpSync(join(root, "packages/client/examples", file), join(dir, file));
    }
    cpSync(join(root, "packages/contract/examples/validate-form.ts"), join(dir, "validate-form.ts"));
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: true,
          types: ["node"],
          outDir: "out",
        },
        include: ["*.ts"],
      }),
    );
    run("npx", ["tsc", "-p", "."], { cwd: dir });
    const output = run("node", ["out/quick-start.js"], { cwd: dir, env: { ...process.env, TODO_API_URL: apiUrl } });
    if (!output.includes("Buy milk")) throw new Error(`quick-start printed:\n${output}`);
    console.log(output.trim());

    // require(): Node 20.19+ loads the ES module; without require(esm), the package says what to do.
    run("node", ["-e", 'require("@todo/client").createTodoClient({ baseUrl: "http://x" })'], { cwd: dir });
    try {
      run("node", ["--no-experimental-require-module", "-e", 'require("@todo/client")'], { cwd: dir });
      throw new Error("require() without require(esm) should have failed");
    } catch (err) {
      if (!String(err.stderr).includes("@todo/client is an ES module")) throw err;
    }
  });

  await check("pnpm and yarn 1: install the tarballs and import them", () => {
    const deps = {
      "@todo/contract": `file:${tarballs.contract}`,
      "@todo/client": `file:${tarballs.client}`,
      "@ts-rest/core": versions["@ts-rest/core"],
      zod: versions.zod3,
    };
    const importBoth =
      'const [c, k] = await Promise.all([import("@todo/client"), import("@todo/contract")]);' +
      'if (typeof c.createTodoClient !== "function" || !k.contract) process.exit(1);';
    // Unpublished: the client's dependency on @todo/contract@1.0.0 is pointed at the tarball.
    const pnpmDir = project("pnpm-consumer", {
      dependencies: deps,
      pnpm: { overrides: { "@todo/contract": deps["@todo/contract"] } },
    });
    run("pnpm", ["install", "--prefer-offline", "--config.confirmModulesPurge=false"], { cwd: pnpmDir });
    run("node", ["--input-type=module", "-e", importBoth], { cwd: pnpmDir });
    const yarnDir = project("yarn-consumer", {
      dependencies: deps,
      resolutions: { "@todo/contract": deps["@todo/contract"] },
    });
    run("npx", ["--yes", "yarn@1.22.22", "install", "--non-interactive", "--silent"], { cwd: yarnDir });
    run("node", ["--input-type=module", "-e", importBoth], { cwd: yarnDir });
  });

  if (!skipNext) {
    await check("Next.js 16: `next build` of the README's examples, unchanged, on zod 4 with Better Auth", () => {
      const dir = project("next-app", {
        scripts: { build: "next build" },
        dependencies: {
          "@todo/contract": `file:${tarballs.contract}`,
          "@todo/client": `file:${tarballs.client}`,
          "@ts-rest/core": versions["@ts-rest/core"],
          zod: versions.zod4,
          "better-auth": versions["better-auth"],
          next: versions.next,
          react: versions.react,
          "react-dom": versions.react,
          "server-only": versions["server-only"],
        },
        devDependencies: {
          typescript: versions.typescript,
          "@types/node": versions["@types/node"],
          "@types/react": versions["@types/react"],
          "@types/react-dom": versions["@types/react-dom"],
        },
        // As the READMEs say: ts-rest 3.52's optional peer zod@^3 would otherwise stop npm on zod 4.
        overrides: { "@ts-rest/core": { zod: "$zod" } },
      });
      cpSync(join(root, "packages/client/examples/app"), join(dir, "app"), { recursive: true });
      cpSync(join(root, "packages/client/examples/lib"), join(dir, "lib"), { recursive: true });
      // Not imported by a page, but type-checked by `next build` with everything else: the contract on zod 4.
      cpSync(join(root, "packages/contract/examples/validate-form.ts"), join(dir, "lib/validate-form.ts"));
      writeFileSync(
        join(dir, "app/layout.tsx"),
        'export default function RootLayout({ children }: { children: React.ReactNode }) {\n  return (<html lang="en"><body>{children}</body></html>);\n}\n',
      );
      writeFileSync(join(dir, "next.config.ts"), "export default { cacheComponents: true };\n");
      writeFileSync(
        join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            lib: ["dom", "dom.iterable", "esnext"],
            strict: true,
            skipLibCheck: true,
            noEmit: true,
            module: "esnext",
            moduleResolution: "bundler",
            jsx: "react-jsx",
            isolatedModules: true,
            esModuleInterop: true,
            resolveJsonModule: true,
            incremental: true,
            plugins: [{ name: "next" }],
            paths: { "@/*": ["./*"] },
          },
          include: ["next-env.d.ts", "**/*.ts", "**/*.tsx", ".next/types/**/*.ts"],
          exclude: ["node_modules"],
        }),
      );
      npm(["install"], dir);
      const output = run("npx", ["next", "build"], {
        cwd: dir,
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TODO_API_URL: apiUrl },
      });
      console.log(output.trim().split("\n").slice(-15).join("\n"));
    });
  }
} finally {
  await api.stop();
}

if (!process.env.CHECK_PACKAGES_DIR && existsSync(work)) rmSync(work, { recursive: true, force: true });
const took = ((Date.now() - started) / 1000).toFixed(0);
if (failures.length > 0) {
  console.log(`\n${failures.length} package check(s) failed (${took} s): ${failures.join("; ")}`);
  process.exit(1);
}
console.log(`\npackage checks passed (${took} s)`);
