// `pnpm openapi:write` writes the files derived from the contract: docs/openapi.json and the error codes of docs/api.md.
// `pnpm openapi:check` fails (exit 1) when a committed file is not what the contract generates, so CI catches a
// contract change without its documents.
import { readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { REPO_ROOT } from "../config/paths.js";
import { ERROR_CODES_PAGE, withErrorTable } from "./error-table.js";
import { buildOpenApiDocument, COMMITTED_DOCUMENT_FILE, serializeOpenApiDocument } from "./generate-openapi.js";

const ERROR_CODES_FILE = join(REPO_ROOT, ERROR_CODES_PAGE);
const errorCodesPage = await readFile(ERROR_CODES_FILE, "utf8");
const derived = [
  { path: COMMITTED_DOCUMENT_FILE, expected: serializeOpenApiDocument(buildOpenApiDocument()) },
  { path: ERROR_CODES_FILE, expected: withErrorTable(errorCodesPage) },
];
const mode = process.argv[2];

if (mode === "write") {
  for (const { path, expected } of derived) {
    await writeFile(path, expected);
    console.log(`Wrote ${relative(REPO_ROOT, path)} (${expected.length} bytes).`);
  }
} else if (mode === "check") {
  for (const { path, expected } of derived) {
    const file = relative(REPO_ROOT, path);
    const committed = await readFile(path, "utf8").catch(() => undefined);
    if (committed === expected) {
      console.log(`${file} matches the contract.`);
    } else {
      const reason =
        committed === undefined
          ? "is missing"
          : `differs from the contract at line ${firstDifference(committed, expected)}`;
      console.error(`${file} ${reason}. Run \`pnpm openapi:write\` and commit the result.`);
      process.exitCode = 1;
    }
  }
} else {
  console.error("usage: openapi-cli.ts write|check");
  process.exitCode = 2;
}

function firstDifference(a: string, b: string): number {
  const left = a.split("\n");
  const right = b.split("\n");
  const index = left.findIndex((line, i) => line !== right[i]);
  return (index === -1 ? left.length : index) + 1;
}
