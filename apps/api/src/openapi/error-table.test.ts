import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { errorCodeStatuses } from "@todo/contract";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../config/paths.js";
import { renderErrorTable, withErrorTable } from "./error-table.js";

describe("README error table", () => {
  it("has one row per contract error code and status, with its meaning", () => {
    const table = renderErrorTable();
    for (const { code, status, description } of errorCodeStatuses()) {
      expect(table).toMatch(new RegExp(`\\| ${status} +\\| \`${code}\` +\\| ${escapeRegExp(description)} +\\|`));
    }
  });

  it("is what the committed README holds, and refuses a README without markers", async () => {
    const readme = await readFile(join(REPO_ROOT, "README.md"), "utf8");
    expect(withErrorTable(readme)).toBe(readme);
    expect(() => withErrorTable("# no markers")).toThrow(/markers/);
  });
});

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
