import { createHash } from "node:crypto";
import { createTodoClient } from "@todo/client";
import { webEnv } from "@/env";
import { forwardingFetch } from "./client-address";
import type { SessionTokens } from "./session-cookies";
import { needsRenewal } from "./token-claims";

export type RenewalOutcome =
  | { kind: "renewed"; tokens: SessionTokens }
  /** The API refused the refresh token for good: revoked, expired or reused. The person must sign in again. */
  | { kind: "ended" }
  /** The API could not renew now (unreachable, 429, 5xx): keep the tokens, try again later. */
  | { kind: "unavailable" };

/** How long a finished rotation is remembered, for requests that were sent with the old cookies meanwhile. */
const REMEMBER_MS = 60_000;
const MAX_REMEMBERED = 10_000;

interface RenewalState {
  inFlight: Map<string, Promise<RenewalOutcome>>;
  rotated: Map<string, { tokens: SessionTokens; at: number }>;
}

// One per process, shared by the proxy and the app's route handlers and actions (separate bundles, hence the
// global registry key rather than a module-level variable).
const STATE_KEY = Symbol.for("todo-web.session-renewal");
const globals = globalThis as typeof globalThis & { [STATE_KEY]?: RenewalState };
globals[STATE_KEY] ??= { inFlight: new Map(), rotated: new Map() };
const state: RenewalState = globals[STATE_KEY];

const keyOf = (refreshToken: string): string => createHash("sha256").update(refreshToken).digest("base64url");

function forget(now: number): void {
  for (const [key, entry] of state.rotated) {
    if (now - entry.at < REMEMBER_MS && state.rotated.size <= MAX_REMEMBERED) break;
    state.rotated.delete(key); // Map keeps insertion order: the oldest go first.
  }
}

/** The newest pair a refresh token was already rotated into, following later rotations of that pair. */
function alreadyRotated(refreshToken: string, now: number): SessionTokens | null {
  let found: SessionTokens | null = null;
  let key = keyOf(refreshToken);
  for (let hops = 0; hops < 16; hops++) {
    const entry = state.rotated.get(key);
    if (!entry || now - entry.at >= REMEMBER_MS) break;
    found = entry.tokens;
    key = keyOf(entry.tokens.refreshToken);
  }
  return found;
}

async function rotate(refreshToken: string, clientAddress: string | null): Promise<RenewalOutcome> {
  const api = createTodoClient({
    baseUrl: webEnv().TODO_API_URL,
    autoRefresh: false,
    fetch: forwardingFetch(clientAddress),
  }).api;
  try {
    const res = await api.auth.refresh({ body: { refreshToken }, fetchOptions: { cache: "no-store" } });
    if (res.status === 200) return { kind: "renewed", tokens: pick(res.body) };
    // 429 and 5xx say "later"; any other answer says this refresh token will never work.
    if (res.status === 429 || res.status >= 500 || res.status === 408) return { kind: "unavailable" };
    return { kind: "ended" };
  } catch {
    return { kind: "unavailable" };
  }
}

const pick = ({ accessToken, refreshToken }: SessionTokens): SessionTokens => ({ accessToken, refreshToken });

/**
 * Renews a sign-in at most once per refresh token in this process. Refresh tokens are single use and the API
 * treats a second use as theft (it ends the sign-in), so requests racing with the same expired cookies share
 * one call, and a request that arrives later with the old cookies gets the pair that call produced.
 * `clientAddress` is forwarded to the API (its refresh limit is per address); a shared call uses the first one's.
 */
export function renewSignIn(refreshToken: string, clientAddress: string | null = null): Promise<RenewalOutcome> {
  const now = Date.now();
  forget(now);
  const known = alreadyRotated(refreshToken, now);
  // The newest pair may itself be close to expiry by now (short-lived tokens): renew from it, still once.
  if (known)
    return needsRenewal(known.accessToken)
      ? renewSignIn(known.refreshToken, clientAddress)
      : Promise.resolve({ kind: "renewed", tokens: known });

  const key = keyOf(refreshToken);
  const pending = state.inFlight.get(key);
  if (pending) return pending;

  const attempt = rotate(refreshToken, clientAddress).then((outcome) => {
    state.inFlight.delete(key);
    if (outcome.kind === "renewed") state.rotated.set(key, { tokens: outcome.tokens, at: Date.now() });
    return outcome;
  });
  state.inFlight.set(key, attempt);
  return attempt;
}
