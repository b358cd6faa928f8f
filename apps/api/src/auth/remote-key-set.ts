import { createLocalJWKSet, errors, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters } from "jose";

/** The key set could not be fetched and the token's key is not among the cached ones: try again later. */
export class KeySetUnavailableError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    override readonly cause: unknown,
  ) {
    super("the identity provider's key set is unavailable");
    this.name = "KeySetUnavailableError";
  }
}

export interface RemoteKeySetOptions {
  url: string;
  /** Least time between two fetches caused by unknown key ids: a storm of made-up `kid`s costs one per period. */
  cooldownMs: number;
  /** After this, the next token refreshes the set in the background; the cached keys keep working meanwhile. */
  maxAgeMs?: number;
  timeoutMs?: number;
  /** Called for every failed fetch (the set unreachable, not JSON, not a JWK Set). */
  onFetchError?: (err: unknown) => void;
  now?: () => number;
}

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

const isKeySet = (body: unknown): body is JSONWebKeySet =>
  typeof body === "object" &&
  body !== null &&
  Array.isArray((body as { keys?: unknown }).keys) &&
  (body as { keys: unknown[] }).keys.every((k) => typeof k === "object" && k !== null);

/**
 * A JWK Set fetched over HTTP (RFC 7517), for jose's `jwtVerify`. Unlike jose's `createRemoteJWKSet`, a
 * stale set is refreshed in the background and kept when the refresh fails, so a key the API already has
 * keeps working while the identity provider is down; only a token whose key is unknown needs the network.
 * Fetches are single-flight and rate-limited by the cooldown.
 */
export class RemoteKeySet {
  private local: LocalKeySet | undefined;
  private inFlight: Promise<void> | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private lastFailure: unknown;
  /** How many fetches were started; for tests and the benchmark. */
  fetchCount = 0;

  private readonly maxAgeMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: RemoteKeySetOptions) {
    this.maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  /** jose's key-lookup function: picks the key by `kid` (and `alg`/`kty`), fetching the set when needed. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    if (!this.local) await this.fetchUnlessCoolingDown();
    else if (this.now() - this.fetchedAt > this.maxAgeMs && !this.coolingDown()) {
      this.refresh().catch(() => undefined);
    }
    try {
      return await (this.local as LocalKeySet)(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      // An unknown key: perhaps a rotation. Fetch again unless a fetch was made moments ago.
      await this.fetchUnlessCoolingDown();
      return await (this.local as LocalKeySet)(header, token);
    }
  };

  private async fetchUnlessCoolingDown(): Promise<void> {
    if (this.inFlight) return this.settle(this.inFlight);
    if (!this.coolingDown()) return this.settle(this.refresh());
    // A fetch was made moments ago: if it failed, the key may well exist, the provider is just unreachable.
    if (this.lastFailure !== undefined || !this.local) throw this.unavailable();
  }

  private async settle(fetching: Promise<void>): Promise<void> {
    try {
      await fetching;
    } catch {
      throw this.unavailable();
    }
  }

  private unavailable(): KeySetUnavailableError {
    const waitMs = this.attemptedAt + this.options.cooldownMs - this.now();
    return new KeySetUnavailableError(Math.max(1, Math.ceil(waitMs / 1000)), this.lastFailure);
  }

  private coolingDown(): boolean {
    return this.now() - this.attemptedAt < this.options.cooldownMs;
  }

  private refresh(): Promise<void> {
    this.inFlight ??= this.fetchSet().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetchSet(): Promise<void> {
    this.attemptedAt = this.now();
    this.fetchCount += 1;
    try {
      const res = await fetch(this.options.url, {
        headers: { accept: "application/json" },
        redirect: "error",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) throw new Error(`key set answered HTTP ${res.status}`);
      const body: unknown = await res.json();
      if (!isKeySet(body)) throw new Error("key set response is not a JWK Set");
      this.local = createLocalJWKSet(body);
      this.fetchedAt = this.now();
      this.lastFailure = undefined;
    } catch (err) {
      this.lastFailure = err;
      this.options.onFetchError?.(err);
      throw err;
    }
  }
}
