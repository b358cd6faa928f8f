// What metrics add to a request (`pnpm --filter @todo/api exec tsx bench/metrics-overhead.ts`): the one
// histogram observation the request logger makes per response, with the label sets a real run has, timed over
// many calls after a warm-up. Run alone it prints one JSON line; docs/performance.md records the figure.
import { Metrics } from "../src/metrics/metrics.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2_000_000);
const metrics = new Metrics({
  pool: () => ({ max: 20, total: 5, idle: 3, waiting: 0 }),
  hashQueue: () => ({ queued: 0, running: 0 }),
});
const LABELS = [
  ["GET", "/api/v1/:userId/tasks/:id", 200],
  ["GET", "/api/v1/:userId/tasks", 200],
  ["POST", "/api/v1/:userId/tasks", 201],
  ["PATCH", "/api/v1/:userId/tasks/:id/complete", 200],
  ["GET", "/api/v1/:userId/tasks/:id", 404],
] as const;

function run(rounds: number): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    const [method, route, status] = LABELS[i % LABELS.length]!;
    metrics.observeRequest(method, route, status, 0.001 + (i % 100) / 10_000);
  }
  return Number(process.hrtime.bigint() - started) / rounds;
}

run(ROUNDS / 10);
const perCall = Math.min(run(ROUNDS), run(ROUNDS), run(ROUNDS));
const scrapeStarted = process.hrtime.bigint();
const text = await metrics.registry.metrics();
const scrapeMs = Number(process.hrtime.bigint() - scrapeStarted) / 1e6;
console.log(
  JSON.stringify({
    observeNs: Math.round(perCall),
    scrapeMs: Math.round(scrapeMs * 100) / 100,
    scrapeBytes: text.length,
  }),
);
