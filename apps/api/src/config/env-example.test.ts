import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENV_VARIABLES } from "./env.js";

const ENV_EXAMPLE = new URL("../../../../.env.example", import.meta.url);

/** Names set in the file, commented out (`# NAME=`) or not (`NAME=`). */
function documented(text: string): Set<string> {
  return new Set([...text.matchAll(/^(?:#\s*)?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
}

describe(".env.example", () => {
  const names = documented(readFileSync(ENV_EXAMPLE, "utf8"));

  it("mentions every variable env.ts reads", () => {
    expect(ENV_VARIABLES.length).toBeGreaterThan(20);
    expect(ENV_VARIABLES.filter((name) => !names.has(name))).toEqual([]);
  });

  it("mentions no variable env.ts does not read", () => {
    expect([...names].filter((name) => !ENV_VARIABLES.includes(name))).toEqual([]);
  });
});
