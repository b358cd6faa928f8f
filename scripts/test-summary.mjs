#!/usr/bin/env node
// Sums the Vitest JSON reports of every package (written by each package's `test` script to
// reports/vitest.json) and prints the closing line CI reads: `N passed, N failed`.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../..");
const packages = ["apps/api", "packages/contract", "packages/client"];

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const pkg of packages) {
  const file = join(root, pkg, "reports/vitest.json");
  if (!existsSync(file)) {
    missing.push(pkg);
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests ?? 0;
  // A test file that failed to load counts as a failure too: its tests never ran.
  failed += (report.numFailedTests ?? 0) + countLoadErrors(report);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  console.log(`${pkg}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}

function countLoadErrors(report) {
  return (report.testResults ?? []).filter(
    (suite) => suite.status === "failed" && !(suite.assertionResults ?? []).some((t) => t.status === "failed"),
  ).length;
}

// A package whose report is missing did not run its tests: that is a failure, not a pass.
failed += missing.length;
if (missing.length > 0) console.log(`no test report from: ${missing.join(", ")}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
