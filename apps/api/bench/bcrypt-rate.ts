// What bcrypt alone allows on this machine: comparisons per second at BCRYPT_COST, as the API runs them
// (the native binding on libuv's thread pool), with more comparisons queued than there are threads.
import bcrypt from "bcrypt";

const cost = Number(process.env.BCRYPT_COST ?? 12);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = 2 * Number(process.env.UV_THREADPOOL_SIZE ?? 4);

const hash = await bcrypt.hash("correct horse battery staple", cost);
await bcrypt.compare("correct horse battery staple", hash);
let done = 0;
const started = performance.now();
const end = started + seconds * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      await bcrypt.compare("correct horse battery staple", hash);
      done++;
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
console.log(JSON.stringify({ cost, concurrency, hashesPerSecond: done / elapsed }));
