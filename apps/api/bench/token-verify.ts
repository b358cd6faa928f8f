// `pnpm --filter @todo/api exec tsx bench/token-verify.ts`: what verifying one access token costs, by library
// and algorithm, and how many JWKS fetches a storm of tokens with made-up key ids causes. Prints a Markdown
// table for docs/performance.md ("Token verification"). In-process, single-threaded; no database.
//   TOKEN_BENCH_ITERATIONS (default 20000): verifications per round; TOKEN_BENCH_ROUNDS (5)
import { createSecretKey } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg } from "node:os";
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import jwt from "jsonwebtoken";
import { OWN_TOKEN_AUDIENCE, OWN_TOKEN_ISSUER } from "../src/auth/access-tokens.js";
import { RemoteKeySet } from "../src/auth/remote-key-set.js";
import { TokenVerifier } from "../src/auth/token-verifier.js";

const iterations = Number(process.env.TOKEN_BENCH_ITERATIONS ?? 20_000);
const secret = "bench-secret-bench-secret-bench-secret-0123456789";
const secretKey = createSecretKey(Buffer.from(secret, "utf8"));
const now = Math.floor(Date.now() / 1000);
const claims = { email: "someone@example.com", sid: "6d3c1f0e-8a9b-4c7d-9e2f-0a1b2c3d4e5f" };
const subject = "0f8fad5b-d9cb-469f-a165-70867728950e";
const ISSUER = "https://app.example";

const ROUNDS = Number(process.env.TOKEN_BENCH_ROUNDS ?? 5);

/** µs per verification: the best and the median of ROUNDS rounds (the machine is shared; the best is the cost). */
async function measure(label: string, verify: () => unknown): Promise<{ label: string; best: number; median: number }> {
  for (let i = 0; i < Math.min(2_000, iterations); i++) await verify();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await verify();
    rounds.push(Number(process.hrtime.bigint() - start) / 1_000 / iterations);
  }
  rounds.sort((a, b) => a - b);
  return { label, best: rounds[0] as number, median: rounds[Math.floor(rounds.length / 2)] as number };
}

// A JWKS endpoint like Better Auth's, counting its requests.
const keys = await Promise.all(
  (["EdDSA", "ES256", "RS256"] as const).map(async (alg) => ({ alg, pair: await generateKeyPair(alg) })),
);
const jwks = {
  keys: await Promise.all(
    keys.map(async ({ alg, pair }) => ({ ...(await exportJWK(pair.publicKey)), alg, kid: `kid-${alg}` })),
  ),
};
let jwksRequests = 0;
const server = createServer((_req, res) => {
  jwksRequests += 1;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(jwks));
});
await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth/jwks`;

const own = jwt.sign(claims, secretKey, {
  algorithm: "HS256",
  subject,
  issuer: OWN_TOKEN_ISSUER,
  audience: OWN_TOKEN_AUDIENCE,
  expiresIn: 3600,
});
const external: Record<string, string> = {};
for (const { alg, pair } of keys) {
  external[alg] = await new SignJWT({ email: "someone@example.com", emailVerified: true })
    .setProtectedHeader({ alg, kid: `kid-${alg}` })
    .setSubject(subject)
    .setIssuer(ISSUER)
    .setAudience(ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + 900)
    .sign(pair.privateKey);
}

// More distinct tokens than the verifier remembers (10,000), taken in turn: each is new to it when it comes round.
const distinct = Array.from({ length: 20_011 }, (_, i) =>
  jwt.sign({ ...claims, jti: String(i) }, secretKey, {
    algorithm: "HS256",
    subject,
    issuer: OWN_TOKEN_ISSUER,
    audience: OWN_TOKEN_AUDIENCE,
    expiresIn: 3600,
  }),
);
let next = 0;
const unseen = () => distinct[next++ % distinct.length] as string;

const keySet = new RemoteKeySet({ url: jwksUrl, cooldownMs: 10_000 });
const verifier = new TokenVerifier({ secret, external: { issuer: ISSUER, audience: ISSUER }, keySet });
const ed = (keys[0] as (typeof keys)[number]).pair.publicKey;

const rows = [
  await measure("HS256, jsonwebtoken `verify` (KeyObject)", () =>
    jwt.verify(own, secretKey, { algorithms: ["HS256"] }),
  ),
  await measure("HS256, jose `jwtVerify` (KeyObject)", () => jwtVerify(own, secretKey, { algorithms: ["HS256"] })),
  await measure("HS256, the API's `TokenVerifier`, a token it has not seen (jsonwebtoken + claim rules)", () =>
    verifier.verify(unseen()),
  ),
  await measure("HS256, the API's `TokenVerifier`, the same token again (remembered until its exp)", () =>
    verifier.verify(own),
  ),
  await measure("EdDSA, jose `jwtVerify` (imported key)", () =>
    jwtVerify(external.EdDSA as string, ed, { algorithms: ["EdDSA"] }),
  ),
  await measure("EdDSA, `TokenVerifier` (cached remote key set)", () => verifier.verify(external.EdDSA as string)),
  await measure("ES256, `TokenVerifier` (cached remote key set)", () => verifier.verify(external.ES256 as string)),
  await measure("RS256, `TokenVerifier` (cached remote key set)", () => verifier.verify(external.RS256 as string)),
];
const fetchesWhileMeasuring = jwksRequests;

// Storms of tokens naming key ids the set does not have (correctly signed with a key the API never saw).
const stranger = await generateKeyPair("EdDSA");
const unknownKidToken = (i: number) =>
  new SignJWT({})
    .setProtectedHeader({ alg: "EdDSA", kid: `made-up-${i}` })
    .setSubject(subject)
    .setIssuer(ISSUER)
    .setAudience(ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + 900)
    .sign(stranger.privateKey);

async function storm(cooldownMs: number, durationMs: number, concurrency: number) {
  const stormKeySet = new RemoteKeySet({ url: jwksUrl, cooldownMs });
  const stormVerifier = new TokenVerifier({
    secret,
    external: { issuer: ISSUER, audience: ISSUER },
    keySet: stormKeySet,
  });
  const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => unknownKidToken(i)));
  const before = jwksRequests;
  const outcomes = new Map<string, number>();
  let sent = 0;
  const end = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const token = tokens[sent++ % tokens.length] as string;
        const outcome = await stormVerifier.verify(token).then(
          () => "accepted",
          (err: Error & { reason?: string }) => err.reason ?? err.name,
        );
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    }),
  );
  return { cooldownMs, durationMs, concurrency, sent, fetches: jwksRequests - before, outcomes };
}

const storms = [await storm(10_000, 5_000, 64), await storm(1_000, 5_000, 64)];
server.close();

console.log(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}, load ${loadavg()[0]?.toFixed(2)}`);
console.log(`${ROUNDS} rounds of ${iterations} verifications each; µs per verification (lower is better)\n`);
console.log("| token, verifier | best µs | median µs |\n|---|---:|---:|");
for (const row of rows) console.log(`| ${row.label} | ${row.best.toFixed(1)} | ${row.median.toFixed(1)} |`);
console.log(`\nJWKS fetches during the measurements above: ${fetchesWhileMeasuring} (the first token of each kind)\n`);
console.log("| storm of unknown `kid`s | tokens | JWKS fetches | outcomes |\n|---|---:|---:|---|");
for (const s of storms) {
  const outcomes = [...s.outcomes].map(([k, v]) => `${k} ${v}`).join(", ");
  console.log(
    `| ${s.durationMs / 1000} s, ${s.concurrency} concurrent, cooldown ${s.cooldownMs / 1000} s | ${s.sent} | ${s.fetches} | ${outcomes} |`,
  );
}
