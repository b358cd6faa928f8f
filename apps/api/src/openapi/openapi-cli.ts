// `pnpm openapi:write` writes docs/openapi.json from the contract; `pnpm openapi:check` fails (exit 1) when the
// committed file is not what the contract generates, so CI catches a contract change without its document.
import { readFile, writeFile } from "node:fs/promises";
import { relative } from "node:path";
import { REPO_ROOT } from "../config/paths.js";
import { buildOpenApiDocument, COMMITTED_DOCUMENT_FILE, serializeOpenApiDocument } from "./generate-openapi.js";

const file = relative(REPO_ROOT, COMMITTED_DOCUMENT_FILE);
const expected = serializeOpenApiDocument(buildOpenApiDocument());
const mode = process.argv[2];

if (mode === "write") {
  await writeFile(COMMITTED_DOCUMENT_FILE, expected);
  console.log(`Wrote ${file} (${expected.length} bytes).`);
} else if (mode === "check") {
  const committed = await readFile(COMMITTED_DOCUMENT_FILE, "utf8").catch(() => undefined);
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
