/** The pair the session tokens carry; all the client needs to call protected routes and renew access. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** What a store hands out: an access token, and a refresh token when this store can renew it. */
export interface StoredTokens {
  accessToken: string;
  /** Absent (or empty): the client never calls the refresh route with this store. */
  refreshToken?: string | undefined;
}

/**
 * Where the client keeps the tokens. Any method may be async, so a store can sit on cookies, IndexedDB or a
 * server-side session. `get` is called before every protected request, so it should be cheap.
 */
export interface TokenStore {
  get(): StoredTokens | null | Promise<StoredTokens | null>;
  set(tokens: Tokens): void | Promise<void>;
  clear(): void | Promise<void>;
  /**
   * Set by stores that several tabs or processes share: the name of the lock (Web Locks API) under which
   * renewals run, so that only one of them spends a refresh token.
   */
  readonly sharedLockName?: string;
}

/** Tokens in memory: the default. Lost on reload, which is what a server-side or short-lived client wants. */
export function memoryTokenStore(initial: StoredTokens | null = null): TokenStore {
  let tokens = initial;
  return {
    get: () => tokens,
    set: (next) => {
      tokens = next;
    },
    clear: () => {
      tokens = null;
    },
  };
}

/**
 * Only an access token, for server code that receives one (from a cookie, a header) and must not renew it:
 * a 401 is returned to the caller as it is. `set` (after `login`) keeps the new access token only.
 */
export function accessTokenStore(accessToken: string | null | undefined): TokenStore {
  let token = accessToken || null;
  return {
    get: () => (token ? { accessToken: token } : null),
    set: (tokens) => {
      token = tokens.accessToken;
    },
    clear: () => {
      token = null;
    },
  };
}

/** The subset of the Web Storage API the store uses, so tests and non-browser hosts can pass their own. */
export type KeyValueStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** `window.localStorage` where there is a window; nothing during server rendering. */
const browserLocalStorage = (): KeyValueStorage | undefined =>
  typeof window === "undefined" ? undefined : window.localStorage;

/**
 * Tokens in `localStorage` (the default) or `sessionStorage`, shared by the tabs of an origin. Storage is looked
 * up at each use, never at creation, so a client can be created during server rendering (where there is no
 * storage: the store then reads as signed out). Renewals run under a Web Lock named after `key`, so tabs that
 * share the storage never spend one refresh token twice.
 *
 * Anything a script on the page can read, an injected script can read too: prefer memory or an httpOnly-cookie
 * backend where XSS is a concern.
 */
export function webStorageTokenStore(
  storage: KeyValueStorage | (() => KeyValueStorage | undefined) = browserLocalStorage,
  key = "todo-api.tokens",
): TokenStore {
  const resolve = (): KeyValueStorage | undefined => (typeof storage === "function" ? storage() : storage);
  return {
    sharedLockName: `${key}.renewal`,
    get() {
      const raw = resolve()?.getItem(key) ?? null;
      if (raw === null) return null;
      try {
        const parsed = JSON.parse(raw) as Partial<Tokens>;
        if (typeof parsed.accessToken === "string" && typeof parsed.refreshToken === "string") {
          return { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken };
        }
      } catch {
        // Corrupt or foreign content under our key: treated as signed out.
      }
      return null;
    },
    set: (tokens) => resolve()?.setItem(key, JSON.stringify(tokens)),
    clear: () => resolve()?.removeItem(key),
  };
}
