import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ERROR_CODES } from "@todo/contract";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../config/paths.js";
import { ERROR_CODES_PAGE, renderErrorTable, withErrorTable } from "./error-table.js";

describe("the error codes of docs/api.md", () => {
  it("has one item per contract error code, with its status and meaning, in lines that fit a screen", () => {
    const list = renderErrorTable();
    const unwrapped = list.replace(/\n {2}/g, " ");
    for (const [code, { status, description }] of Object.entries(ERROR_CODES)) {
      expect(unwrapped).toContain(`- **${status}** \`${code}\`: ${description}`);
    }
    expect(list.split("\n").filter((line) => line.length > 120)).toEqual([]);
  });

  it("is what the committed page holds, and refuses a page without markers", async () => {
    const page = await readFile(join(REPO_ROOT, ERROR_CODES_PAGE), "utf8");
    expect(withErrorTable(page)).toBe(page);
    expect(() => withErrorTable("# no markers")).toThrow(/markers/);
  });
});
