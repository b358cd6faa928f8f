// `pnpm --filter @todo/api exec tsx bench/request-log.ts`: what writing the per-request line costs, through the
// API's logger (with its redaction paths) and through the unredacted child that http/request-context.ts uses for
// it. In-process, to a sink that keeps nothing; µs per line, 5 rounds of 50,000 lines. Also checks that both write
// the same line.
import { createLogger } from "../src/lib/logger.js";

const LINES = 50_000;
const ROUNDS = 5;
let last = "";
const logger = createLogger("info", {
  write: (line: string) => {
    last = line;
  },
});
const unredacted = logger.child({}, { redact: [] });
const fields = () => ({
  reqId: "0f8fad5b-d9cb-469f-a165-70867728950e",
  method: "POST",
  path: "/api/v1/0f8fad5b-d9cb-469f-a165-70867728950e/tasks",
  status: 201,
  durationMs: 12.3,
  ip: "127.0.0.1",
});

function microsPerLine(log: typeof logger): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < LINES; i++) log.info(fields(), "request completed");
  return Number(process.hrtime.bigint() - start) / 1_000 / LINES;
}

const withoutTime = (line: string) => line.replace(/"time":"[^"]*"/, "");
logger.info(fields(), "request completed");
const redactedLine = withoutTime(last);
unredacted.info(fields(), "request completed");
if (withoutTime(last) !== redactedLine) throw new Error(`the lines differ:\n${redactedLine}\n${withoutTime(last)}`);

const redacted: number[] = [];
const plain: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  redacted.push(microsPerLine(logger));
  plain.push(microsPerLine(unredacted));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!.toFixed(2);
console.log("| request line through | median µs per line | rounds |");
console.log("|---|--:|---|");
console.log(
  `| the API's logger (redaction paths) | ${median(redacted)} | ${redacted.map((v) => v.toFixed(2)).join(", ")} |`,
);
console.log(`| its unredacted child | ${median(plain)} | ${plain.map((v) => v.toFixed(2)).join(", ")} |`);
