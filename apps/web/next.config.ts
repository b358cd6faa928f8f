import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const config: NextConfig = {
  // Workspace packages are compiled with the app, whatever their exports point at (sources or dist).
  transpilePackages: ["@todo/client", "@todo/contract"],
  // pnpm links workspace packages from outside apps/web: let Turbopack and output tracing see the whole repo.
  // The packages export their TypeScript sources, whose relative imports end in ".js" (NodeNext style), which
  // Turbopack does not map to ".ts": the app uses their build (scripts/web.ts builds it first).
  turbopack: {
    root: repoRoot,
    resolveAlias: {
      "@todo/client": "../../packages/client/dist/index.js",
      "@todo/contract": "../../packages/contract/dist/index.js",
    },
  },
  outputFileTracingRoot: repoRoot,
  poweredByHeader: false,
  // `pnpm typecheck` (and CI) type-check the app with tsc; the build need not do it a second time.
  typescript: { ignoreBuildErrors: true },
  reactStrictMode: true,
  typedRoutes: false,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
      {
        // The password reset link's token is in this page's address: no Referer carries it to any other site
        // (or to this one's other pages), and no cache keeps the page. Later entries win for the same header.
        source: "/reset-password",
        headers: [
          { key: "Referrer-Policy", value: "no-referrer" },
          { key: "Cache-Control", value: "no-store" },
        ],
      },
    ];
  },
};

export default config;
