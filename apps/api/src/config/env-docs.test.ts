import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENV_VARIABLES } from "./env.js";
import { REPO_ROOT } from "./paths.js";

// The API's variables are documented in docs/: the tables of docs/configuration.md, and pages of their own
// topic for a feature's variables. These keep the pages and env.ts in step.
const DOCS = join(REPO_ROOT, "docs");
const pages = readdirSync(DOCS).filter((name) => name.endsWith(".md"));
const allDocs = pages.map((name) => readFileSync(join(DOCS, name), "utf8")).join("\n");
const configuration = readFileSync(join(DOCS, "configuration.md"), "utf8");

/** The first cell of every table row that names a variable: `| \`NAME\` | …`. */
const tabled = [...configuration.matchAll(/^\| `([A-Z][A-Z0-9_]*)` +\|/gm)].map((m) => m[1]!);

describe("docs/configuration.md", () => {
  it("describes only variables env.ts reads", () => {
    expect(tabled.length).toBeGreaterThan(20);
    expect(tabled.filter((name) => !ENV_VARIABLES.includes(name))).toEqual([]);
  });

  it("lists each variable once", () => {
    expect(tabled.filter((name, i) => tabled.indexOf(name) !== i)).toEqual([]);
  });

  it("keeps its table rows within a screen (120 characters)", () => {
    const wide = configuration.split("\n").filter((line) => line.startsWith("|") && line.length > 120);
    expect(wide).toEqual([]);
  });
});

describe("docs/", () => {
  it("mentions every variable env.ts reads on some page", () => {
    expect(ENV_VARIABLES.filter((name) => !allDocs.includes(`\`${name}\``))).toEqual([]);
  });
});

describe("README.md", () => {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

  it("stays a front door of at most 250 lines (the rest lives in docs/), with table rows that fit a screen", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(250);
    expect(readme.split("\n").filter((line) => line.startsWith("|") && line.length > 120)).toEqual([]);
  });
});
