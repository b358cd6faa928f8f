#!/usr/bin/env node
// Sums the Vitest JSON reports of every package (written by each package's `test` script to
// reports/vitest.json) and prints the closing line CI reads: `N passed, N failed`.
// The packages are the workspace's (pnpm-workspace.yaml): each one with a `test` script must have left a
// report, and a report is counted wherever one was written.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../..");

/** Package folders matched by pnpm-workspace.yaml's `packages:` entries (`dir/*` or a plain folder). */
function workspacePackages() {
  const yaml = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  const block = /^packages:\n((?:[ \t]+-.*\n?)+)/m.exec(yaml)?.[1] ?? "";
  const patterns = [...block.matchAll(/-\s*["']?([^"'\n#]+?)["']?\s*$/gm)].map((m) => m[1]);
  return patterns.flatMap((pattern) => {
    if (pattern.startsWith("!")) return [];
    if (!pattern.endsWith("/*")) return [pattern];
    const parent = pattern.slice(0, -2);
    if (!existsSync(join(root, parent))) return [];
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`);
  });
}

const packages = workspacePackages()
  .filter((pkg) => existsSync(join(root, pkg, "package.json")))
  .filter((pkg) => {
    const manifest = JSON.parse(readFileSync(join(root, pkg, "package.json"), "utf8"));
    return manifest.scripts?.test !== undefined || existsSync(join(root, pkg, "reports/vitest.json"));
  })
  .sort();
if (packages.length === 0) {
  console.log("no workspace package has tests: check pnpm-workspace.yaml");
  process.exitCode = 1;
}

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
  for (const line of failureLines(report)) console.log(`  ${line}`);
}

/** Each failed test's file, name and the first line of its message, so the end of a CI log says what failed. */
function failureLines(report) {
  return (report.testResults ?? []).flatMap((suite) => {
    const file = String(suite.name ?? "").replace(`${root}/`, "");
    const failures = (suite.assertionResults ?? []).filter((t) => t.status === "failed");
    if (failures.length === 0 && suite.status === "failed") return [`FAIL ${file}: ${firstLine(suite.message)}`];
    return failures.map((t) => `FAIL ${file} > ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
  });
}

function firstLine(message) {
  const line =
    String(message ?? "")
      .split("\n")
      .find((l) => l.trim() !== "") ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
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
