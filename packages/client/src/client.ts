import type { Contract, LoginBody, RegisterBody, SessionTokens } from "@todo/contract";
import { type RouteInfo, type RouteTable, requiresBearerToken } from "@todo/contract/routes";
import { bindRoutes, type FetchLike, type PreparedRequest, prepareRequest, type RouteResult, send } from "./http.js";
import { expiresWithin, readClaims } from "./jwt-claims.js";
import { type RefreshAnswer, type RenewOutcome, type SignedOutEvent, TokenRefresher } from "./token-refresher.js";
import { memoryTokenStore, type StoredTokens, type TokenStore, type Tokens } from "./token-store.js";
import type { RouteResponse, TodoApi } from "./types.js";

interface CommonOptions {
  /** Origin of the API, without `/api/v1`: e.g. `https://todo.example.com` or `http://localhost:3000`. */
  baseUrl: string;
  /** The fetch to call: the global one (looked up per call) by default. */
  fetch?: FetchLike;
}

export interface TodoClientOptions extends CommonOptions {
  /** Where tokens live; memory by default. */
  tokenStore?: TokenStore;
  /**
   * Called once when the session ended for good: a refresh was refused (revoked, expired, reused). The store
   * has been cleared; send the user to sign in. Not called for `logout()`, which the app asked for.
   */
  onSignedOut?: (event: SignedOutEvent) => void;
  /**
   * Renew the access token shortly before it expires and on a 401 (default true). Turn it off where renewed
   * tokens cannot be saved, such as a Next.js Server Component reading cookies: refresh tokens are single use,
   * so a renewal that is not kept would spend the stored one and end the sign-in at its next use.
   */
  autoRefresh?: boolean;
  /**
   * Renew this many seconds before the access token's `exp` (default 30; at most a tenth of the token's
   * lifetime), so that calls do not first fail with a 401. 0 renews only after a 401.
   */
  renewBeforeExpirySeconds?: number;
}

/** For tokens someone else issues and renews, e.g. Better Auth's `authClient.token()`. */
export interface ExternalTokenClientOptions extends CommonOptions {
  /**
   * Returns the current access token (or null when signed out). Called before each protected request, and once
   * more after a 401, whose request is then retried once with the token it returns if that one is new.
   */
  getAccessToken: () => string | null | undefined | Promise<string | null | undefined>;
}

type AuthResponse<K extends "login" | "register"> = RouteResponse<Contract["auth"][K]>;

export interface TodoClient {
  /** The whole contract. Protected routes get the stored access token, renewed ahead of `exp` and on a 401. */
  api: TodoApi;
  /** Signs in; on 200 the store holds the new tokens. Other statuses are returned as they are. */
  login(body: LoginBody): Promise<AuthResponse<"login">>;
  /** Creates the account and signs in; on 201 the store holds the new tokens. */
  register(body: RegisterBody): Promise<AuthResponse<"register">>;
  /**
   * Ends the sign-in on the server and always clears the store, even when the server cannot be reached.
   * `revoked` says whether the server confirmed it.
   */
  logout(): Promise<{ revoked: boolean }>;
  /**
   * Renews the token pair now, sharing any renewal already in flight: for code that must renew ahead of a
   * call, such as a Next.js Route Handler that then writes the new pair to cookies.
   */
  refresh(): Promise<RenewOutcome["kind"]>;
  /** The signed-in user's id (the access token's `sub`), or null; read locally, without a request. */
  currentUserId(): Promise<string | null>;
  tokenStore: TokenStore;
}

/** A client whose tokens come from `getAccessToken`: it never signs in, out or renews by itself. */
export interface ExternalTokenClient {
  api: TodoApi;
  /** The `sub` of the token `getAccessToken` returns now, or null. */
  currentUserId(): Promise<string | null>;
}

export interface CreateTodoClient {
  (options: ExternalTokenClientOptions): ExternalTokenClient;
  (options: TodoClientOptions): TodoClient;
}

/** Turns a response into the body to hand back: the validating entry point checks it against the contract. */
export type ResponseCheck = (route: RouteInfo, result: RouteResult) => unknown;

/** 429 and 408 say "later"; any other 4xx says this refresh token will never work. */
export const isDefinitiveRejection = (status: number): boolean =>
  status >= 400 && status < 500 && status !== 408 && status !== 429;

const pickTokens = ({ accessToken, refreshToken }: Tokens): Tokens => ({ accessToken, refreshToken });
const bearer = (headers: Record<string, string>, token: string) => ({ ...headers, authorization: `Bearer ${token}` });
const subjectOf = (token: string | null | undefined) => (token ? (readClaims(token)?.sub ?? null) : null);

/** How a client spends a refresh token: by default its own call to the refresh route. */
export type RefreshFunction = (refreshToken: string) => Promise<RefreshAnswer>;

/**
 * The client behind every entry point: `routes` is the route table (with or without schemas); `refreshWith`
 * replaces the client's own refresh call (`@todo/client/server` routes it through the process-wide renewal).
 */
export function createClient(
  routes: RouteTable,
  options: TodoClientOptions | ExternalTokenClientOptions,
  check?: ResponseCheck,
  refreshWith?: RefreshFunction,
): TodoClient | ExternalTokenClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  // Looked up per call: frameworks (Next.js) patch the global fetch after this module loads, and some
  // browsers refuse a fetch that is called detached from `window`.
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const call = async (request: PreparedRequest, headers = request.headers): Promise<RouteResult> => {
    const result = await send(fetchImpl, request, headers);
    return check ? { ...result, body: check(request.route, result) } : result;
  };
  const typed = (api: ReturnType<typeof bindRoutes>) => api as unknown as TodoApi;

  if ("getAccessToken" in options) {
    const { getAccessToken } = options;
    const api = bindRoutes(routes, async (route, args) => {
      const request = prepareRequest(baseUrl, route, args);
      if (!requiresBearerToken(route) || request.headers.authorization !== undefined) return call(request);
      const token = await getAccessToken();
      if (!token) return call(request);
      const first = await call(request, bearer(request.headers, token));
      if (first.status !== 401) return first;
      const fresh = await getAccessToken();
      return fresh && fresh !== token ? call(request, bearer(request.headers, fresh)) : first;
    });
    return { api: typed(api), currentUserId: async () => subjectOf(await getAccessToken()) };
  }

  const store = options.tokenStore ?? memoryTokenStore();
  const autoRefresh = options.autoRefresh !== false;
  const renewBefore = options.renewBeforeExpirySeconds ?? 30;
  // Server time minus local time, learnt from the `iat` of tokens this client received, so a wrong local clock
  // does not make every call renew (or none).
  let clockOffsetSeconds = 0;
  const plainCall = (route: RouteInfo, args: unknown) => call(prepareRequest(baseUrl, route, args as never));
  const plain = typed(bindRoutes(routes, plainCall));

  const ownRefresh: RefreshFunction = async (refreshToken) => {
    const res = await plain.auth.refresh({ body: { refreshToken } });
    if (res.status === 200) return { kind: "renewed", tokens: pickTokens(res.body) };
    return isDefinitiveRejection(res.status)
      ? { kind: "rejected", status: res.status }
      : { kind: "unavailable", response: res };
  };
  const refresher = new TokenRefresher(
    store,
    async (refreshToken) => {
      const answer = await (refreshWith ?? ownRefresh)(refreshToken);
      if (answer.kind === "renewed") learnClock(answer.tokens.accessToken);
      return answer;
    },
    options.onSignedOut,
  );

  function learnClock(accessToken: string) {
    const iat = readClaims(accessToken)?.iat;
    if (iat !== undefined) clockOffsetSeconds = iat - Date.now() / 1000;
  }

  const expiresSoon = (accessToken: string): boolean =>
    expiresWithin(readClaims(accessToken), Date.now() / 1000 + clockOffsetSeconds, renewBefore);

  /** Renews ahead of expiry when it can; otherwise the tokens it was given are used as they are. */
  async function freshTokens(used: StoredTokens): Promise<StoredTokens> {
    if (!autoRefresh || !used.refreshToken || !expiresSoon(used.accessToken)) return used;
    const outcome = await refresher.renew(used);
    return outcome.kind === "renewed" ? outcome.tokens : used;
  }

  const api = bindRoutes(routes, async (route, args) => {
    const request = prepareRequest(baseUrl, route, args);
    // A caller that brings its own Authorization header manages its own credentials.
    if (!requiresBearerToken(route) || request.headers.authorization !== undefined) return call(request);
    const stored = await store.get();
    if (stored === null) return call(request);
    const used = await freshTokens(stored);

    const first = await call(request, bearer(request.headers, used.accessToken));
    if (first.status !== 401 || !autoRefresh || !used.refreshToken) return first;
    const outcome = await refresher.renew(used);
    if (outcome.kind === "unavailable") return outcome.response as RouteResult;
    if (outcome.kind === "signed-out") return first;
    // Once: a second 401 goes back to the caller rather than round again.
    return call(request, bearer(request.headers, outcome.tokens.accessToken));
  });

  const adopt = async (session: SessionTokens) => {
    refresher.reset();
    learnClock(session.accessToken);
    await store.set(pickTokens(session));
  };

  return {
    api: typed(api),
    tokenStore: store,
    async login(body) {
      const res = await plain.auth.login({ body });
      if (res.status === 200) await adopt(res.body);
      return res;
    },
    async register(body) {
      const res = await plain.auth.register({ body });
      if (res.status === 201) await adopt(res.body);
      return res;
    },
    async logout() {
      const tokens = await store.get();
      refresher.reset();
      try {
        if (!tokens?.refreshToken) return { revoked: false };
        const res = await plain.auth.logout({ body: { refreshToken: tokens.refreshToken } });
        return { revoked: res.status === 204 };
      } catch {
        return { revoked: false };
      } finally {
        await store.clear();
      }
    },
    async refresh() {
      const tokens = await store.get();
      return tokens === null ? "signed-out" : (await refresher.renew(tokens)).kind;
    },
    async currentUserId() {
      return subjectOf((await store.get())?.accessToken);
    },
  };
}
