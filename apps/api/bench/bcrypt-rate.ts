// What bcrypt alone allows on this machine: comparisons per second at BCRYPT_COST (default 12), as the API
// runs them: PasswordHasher on the API's own hash pool (src/auth/hash-pool.ts: one thread per core, at lower
// priority), with twice as many comparisons queued as there are threads.
import { availableParallelism } from "node:os";
import { PasswordHasher } from "../src/auth/passwords.js";

const cost = Number(process.env.BCRYPT_COST ?? 12);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const threads = Math.max(1, availableParallelism());
const password = "correct horse battery staple";

const hasher = new PasswordHasher(cost);
const hash = await hasher.hash(password);
await hasher.verify(password, hash);
let done = 0;
const started = performance.now();
const end = started + seconds * 1000;
await Promise.all(
  Array.from({ length: 2 * threads }, async () => {
    while (performance.now() < end) {
      if (!(await hasher.verify(password, hash))) throw new Error("the hash pool compared wrongly");
      done++;
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
console.log(JSON.stringify({ cost, threads, comparisonsPerSecond: done / elapsed }));
