import {
  type Contract,
  contract,
  type LoginBody,
  type RegisterBody,
  requiresBearerToken,
  type Session,
} from "@todo/contract";
import {
  type ApiFetcher,
  type ApiFetcherArgs,
  type ClientInferResponses,
  type InitClientReturn,
  initClient,
  validateResponse as validateAgainstContract,
} from "@ts-rest/core";
import { type RefreshAnswer, type RenewOutcome, type SignedOutEvent, TokenRefresher } from "./token-refresher.js";
import { memoryTokenStore, type TokenStore, type Tokens } from "./token-store.js";

/** The fetch the client calls: the global one by default, or e.g. a test double or an instrumented one. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface TodoClientOptions {
  /** Origin of the API, without `/api/v1`: e.g. `https://todo.example.com` or `http://localhost:3000`. */
  baseUrl: string;
  /** Where tokens live; memory by default. */
  tokenStore?: TokenStore;
  fetch?: FetchLike;
  /**
   * Called once when the session ended for good: a refresh was refused (revoked, expired, reused). The store
   * has been cleared; send the user to sign in. Not called for `logout()`, which the app asked for.
   */
  onSignedOut?: (event: SignedOutEvent) => void;
  /**
   * Renew the access token on a 401 (default true). Turn it off where renewed tokens cannot be saved, such as a
   * Next.js Server Component reading cookies: refresh tokens are single use, so a renewal that is not kept
   * would spend the stored one and end the sign-in at its next use.
   */
  autoRefresh?: boolean;
  /**
   * Parse every response body with the contract's zod schema and throw `ResponseValidationError` on a
   * mismatch. Off by default: a newer server that adds an error code would otherwise break older clients.
   * Tests and development builds should turn it on.
   */
  validateResponse?: boolean;
}

interface ClientShape {
  baseUrl: string;
  api: ApiFetcher;
  validateResponse: boolean;
  jsonQuery: false;
  // Undeclared statuses (a proxy's 502, say) come back as values typed `{ status; body: unknown }`, not as throws.
  throwOnUnknownStatus: false;
}

/** Every contract route as a typed function: `api.tasks.list({ params: { userId } })` and so on. */
export type TodoApi = InitClientReturn<Contract, ClientShape>;

type AuthResponse<K extends "login" | "register"> = ClientInferResponses<Contract["auth"][K]>;

export interface TodoClient {
  /** The whole contract. Protected routes get the stored access token and are renewed once on a 401. */
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

/** 429 and 408 say "later"; any other 4xx says this refresh token will never work. */
const isDefinitiveRejection = (status: number): boolean =>
  status >= 400 && status < 500 && status !== 408 && status !== 429;

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return undefined;
  if (!/^application\/([\w.+-]*\+)?json/i.test(response.headers.get("content-type") ?? "")) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function tokenSubject(accessToken: string): string | null {
  const payload = accessToken.split(".")[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as { sub?: unknown };
    return typeof claims.sub === "string" ? claims.sub : null;
  } catch {
    return null;
  }
}

export function createTodoClient(options: TodoClientOptions): TodoClient {
  const store = options.tokenStore ?? memoryTokenStore();
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const validate = options.validateResponse ?? false;
  // Looked up per call: frameworks (Next.js) patch the global fetch after this module loads, and some
  // browsers refuse a fetch that is called detached from `window`.
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  const send = async (args: ApiFetcherArgs, headers: Record<string, string>) => {
    const response = await fetchImpl(args.path, {
      ...args.fetchOptions,
      method: args.method,
      headers,
      body: args.body ?? undefined,
    });
    const result = { status: response.status, body: await readBody(response), headers: response.headers };
    if (!args.validateResponse) return result;
    return { ...result, body: validateAgainstContract({ appRoute: args.route, response: result }).body };
  };
  const clientWith = (fetcher: ApiFetcher): TodoApi =>
    initClient(contract, {
      baseUrl,
      api: fetcher,
      validateResponse: validate,
      jsonQuery: false,
      throwOnUnknownStatus: false,
    } satisfies ClientShape);

  // Refresh and the auth helpers go through a client without token handling: they carry their own credentials.
  const plain = clientWith((args) => send(args, args.headers));

  const refresher = new TokenRefresher(
    store,
    async (refreshToken): Promise<RefreshAnswer> => {
      const res = await plain.auth.refresh({ body: { refreshToken } });
      if (res.status === 200) return { kind: "renewed", tokens: pickTokens(res.body) };
      return isDefinitiveRejection(res.status)
        ? { kind: "rejected", status: res.status }
        : { kind: "unavailable", response: res };
    },
    options.onSignedOut,
  );

  const withAuthentication: ApiFetcher = async (args) => {
    // A caller that brings its own Authorization header manages its own credentials.
    if (!requiresBearerToken(args.route) || args.headers.authorization !== undefined) return send(args, args.headers);
    const used = await store.get();
    if (used === null) return send(args, args.headers);

    const first = await send(args, { ...args.headers, authorization: `Bearer ${used.accessToken}` });
    if (first.status !== 401 || options.autoRefresh === false) return first;
    const outcome = await refresher.renew(used);
    if (outcome.kind === "unavailable") return outcome.response as typeof first;
    if (outcome.kind === "signed-out") return first;
    // Once: a second 401 goes back to the caller rather than round again.
    return send(args, { ...args.headers, authorization: `Bearer ${outcome.tokens.accessToken}` });
  };

  const api = clientWith(withAuthentication);

  const adopt = async (session: Session) => {
    refresher.reset();
    await store.set(pickTokens(session));
  };

  return {
    api,
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
        if (tokens === null) return { revoked: false };
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
      const tokens = await store.get();
      return tokens ? tokenSubject(tokens.accessToken) : null;
    },
  };
}

const pickTokens = ({ accessToken, refreshToken }: Tokens): Tokens => ({ accessToken, refreshToken });
