import { routeTable } from "@todo/contract/routes";
import { createClient, isDefinitiveRejection, type TodoClient, type TodoClientOptions } from "./client.js";
import type { FetchLike } from "./http.js";
import { type AccessTokenClaims, expiresWithin, readClaims } from "./jwt-claims.js";
import type { RefreshAnswer } from "./token-refresher.js";
import type { TokenStore, Tokens } from "./token-store.js";
import type { TodoApi } from "./types.js";

/**
 * `@todo/client/server`: token renewal for servers that keep people's tokens on their behalf (a Next.js app
 * with httpOnly cookies, a backend-for-frontend). Many requests of one person arrive at once with the same
 * cookies, in separate handlers; refresh tokens are single use, and the API takes a second use for theft.
 */

export type ServerRenewalOutcome =
  | { kind: "renewed"; tokens: Tokens }
  /** The API refused the refresh token for good (revoked, expired, reused, unknown): the person signs in again. */
  | { kind: "ended"; status: number }
  /** The API could not renew now (unreachable, 408, 429, 5xx): keep the tokens and try again later. */
  | { kind: "unavailable"; status: number | null };

/** What a renewal did, for the host's logs (no token in it). */
export type ServerRenewalEvent =
  /** The refresh route was called and answered. */
  | { type: "refreshed"; outcome: ServerRenewalOutcome["kind"]; status: number | null }
  /** A caller joined a refresh already in flight for the same token. */
  | { type: "joined" }
  /** A retired refresh token came back within the grace and got the pair it had been rotated into. */
  | { type: "remembered"; ageMs: number };

export interface ServerRenewalOptions {
  /** Origin of the API, without `/api/v1`. */
  baseUrl: string;
  /**
   * The API's `REFRESH_REUSE_GRACE_SECONDS` (or less). A finished rotation is remembered this long, counted from
   * when its refresh call left, so a request that still carries the retired cookies gets the new pair rather
   * than spending the retired token again. Never longer than the API's grace: after it, the retired token is
   * sent to the API, which takes it for theft and ends the sign-in. 0: nothing is remembered.
   */
  reuseGraceSeconds: number;
  /** The fetch for refresh calls (the global one by default); `renew` can pass one per call. */
  fetch?: FetchLike;
  /** Remembered rotations beyond this many are forgotten oldest first (default 10,000). */
  maxRemembered?: number;
  /** Told what each renewal did, e.g. to log it. */
  onEvent?: (event: ServerRenewalEvent) => void;
}

export interface ServerRenewal {
  readonly baseUrl: string;
  /**
   * Exchanges a refresh token for a new pair, at most once per token in this process: concurrent callers with
   * the same token share one refresh call, and a caller that comes within `reuseGraceSeconds` after it finished
   * gets the same pair. Only the pair that token was rotated into, never a later one (no walking of chains).
   * `fetch` (e.g. one that adds X-Forwarded-For) is used if this call is the one that reaches the API.
   */
  renew(refreshToken: string, options?: { fetch?: FetchLike }): Promise<ServerRenewalOutcome>;
}

interface Remembered {
  tokens: Tokens;
  sentAt: number;
  until: number;
}

interface RenewalState {
  inFlight: Map<string, Promise<ServerRenewalOutcome>>;
  rotated: Map<string, Remembered>;
}

// One state per API per process, whatever the number of instances: Next.js loads a module once per bundle
// (proxy, route handlers, actions), and all of them must share one memory of the rotations.
const REGISTRY_KEY = Symbol.for("@todo/client/server.renewal-state");
type Registry = Map<string, RenewalState>;
function stateFor(baseUrl: string): RenewalState {
  const globals = globalThis as typeof globalThis & { [REGISTRY_KEY]?: Registry };
  globals[REGISTRY_KEY] ??= new Map();
  const registry = globals[REGISTRY_KEY];
  let state = registry.get(baseUrl);
  if (!state) {
    state = { inFlight: new Map(), rotated: new Map() };
    registry.set(baseUrl, state);
  }
  return state;
}

const pickTokens = ({ accessToken, refreshToken }: Tokens): Tokens => ({ accessToken, refreshToken });

/** The process-wide renewal for one API (instances with the same `baseUrl` share their memory). */
export function createServerRenewal(options: ServerRenewalOptions): ServerRenewal {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const graceMs = Math.max(0, options.reuseGraceSeconds) * 1000;
  const maxRemembered = options.maxRemembered ?? 10_000;
  const state = stateFor(baseUrl);
  const emit = (event: ServerRenewalEvent) => options.onEvent?.(event);

  function forget(now: number): void {
    for (const [token, entry] of state.rotated) {
      if (entry.until > now && state.rotated.size <= maxRemembered) break;
      state.rotated.delete(token); // insertion order: the oldest go first
    }
  }

  async function refresh(refreshToken: string, fetch: FetchLike | undefined): Promise<ServerRenewalOutcome> {
    const api = createClient(routeTable, { baseUrl, autoRefresh: false, ...(fetch && { fetch }) }).api as TodoApi;
    let outcome: ServerRenewalOutcome;
    try {
      const res = await api.auth.refresh({ body: { refreshToken }, fetchOptions: { cache: "no-store" } });
      if (res.status === 200) outcome = { kind: "renewed", tokens: pickTokens(res.body) };
      else if (isDefinitiveRejection(res.status)) outcome = { kind: "ended", status: res.status };
      else outcome = { kind: "unavailable", status: res.status };
    } catch {
      outcome = { kind: "unavailable", status: null };
    }
    emit({
      type: "refreshed",
      outcome: outcome.kind,
      status: outcome.kind === "renewed" ? 200 : outcome.status,
    });
    return outcome;
  }

  return {
    baseUrl,
    renew(refreshToken, callOptions = {}) {
      const now = Date.now();
      forget(now);
      const known = state.rotated.get(refreshToken);
      if (known && known.until > now) {
        emit({ type: "remembered", ageMs: now - known.sentAt });
        return Promise.resolve({ kind: "renewed", tokens: known.tokens });
      }
      const pending = state.inFlight.get(refreshToken);
      if (pending) {
        emit({ type: "joined" });
        return pending;
      }
      const sentAt = Date.now();
      const attempt = refresh(refreshToken, callOptions.fetch ?? options.fetch).then((outcome) => {
        state.inFlight.delete(refreshToken);
        // Counted from when the call left, before the API rotated: the memory ends before the API's grace does.
        if (outcome.kind === "renewed" && graceMs > 0) {
          state.rotated.set(refreshToken, { tokens: outcome.tokens, sentAt, until: sentAt + graceMs });
        }
        return outcome;
      });
      state.inFlight.set(refreshToken, attempt);
      return attempt;
    },
  };
}

export interface ServerTodoClientOptions extends Omit<TodoClientOptions, "baseUrl" | "tokenStore"> {
  /** The process-wide renewal: every refresh of this client goes through it. */
  renewal: ServerRenewal;
  /** This request's tokens, e.g. a store on the request's cookies. */
  tokenStore: TokenStore;
}

/**
 * A client for one request of a server that keeps tokens for people: like `createTodoClient`, but its
 * renewals (ahead of expiry, after a 401, `refresh()`) go through `renewal`, shared by all requests of the
 * process, and the renewed pair is written to `tokenStore`. With `autoRefresh: false` (Server Components,
 * which cannot write cookies) it never renews.
 */
export function createServerTodoClient(options: ServerTodoClientOptions): TodoClient {
  const { renewal, ...rest } = options;
  const refreshWith = async (refreshToken: string): Promise<RefreshAnswer> => {
    const outcome = await renewal.renew(refreshToken, options.fetch ? { fetch: options.fetch } : {});
    if (outcome.kind === "renewed") return outcome;
    if (outcome.kind === "ended") return { kind: "rejected", status: outcome.status };
    return { kind: "unavailable", response: { status: outcome.status ?? 503, body: null, headers: new Headers() } };
  };
  return createClient(routeTable, { ...rest, baseUrl: renewal.baseUrl }, undefined, refreshWith) as TodoClient;
}

/** The claims a server reads from an access token to know whose it is; unverified (the API verifies). */
export interface AccessTokenSubject {
  /** The user's id (`sub`). */
  userId: string;
  email: string | null;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export function readAccessToken(accessToken: string): AccessTokenSubject | null {
  const claims: AccessTokenClaims | null = readClaims(accessToken);
  if (claims?.sub === undefined || claims.exp === undefined) return null;
  return { userId: claims.sub, email: claims.email ?? null, expiresAt: claims.exp };
}

/**
 * Whether to renew an access token before using it: unreadable, expired, or expiring within
 * `renewBeforeSeconds` (default 30; a tenth of the lifetime for very short-lived tokens). Server clocks are
 * assumed to agree with the API's.
 */
export function accessTokenNeedsRenewal(
  accessToken: string,
  options: { renewBeforeSeconds?: number; nowMs?: number } = {},
): boolean {
  const claims = readClaims(accessToken);
  if (claims?.exp === undefined) return true;
  const now = (options.nowMs ?? Date.now()) / 1000;
  return claims.exp <= now || expiresWithin(claims, now, options.renewBeforeSeconds ?? 30);
}

export type { TokenStore, Tokens } from "./token-store.js";
