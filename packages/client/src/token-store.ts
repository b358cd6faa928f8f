/** The pair a session body carries; all the client needs to call protected routes and renew access. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/**
 * Where the client keeps the tokens. Any method may be async, so a store can sit on cookies, IndexedDB or a
 * server-side session. `get` is called before every protected request, so it should be cheap.
 */
export interface TokenStore {
  get(): Tokens | null | Promise<Tokens | null>;
  set(tokens: Tokens): void | Promise<void>;
  clear(): void | Promise<void>;
}

/** Tokens in memory: the default. Lost on reload, which is what a server-side or short-lived client wants. */
export function memoryTokenStore(initial: Tokens | null = null): TokenStore {
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

/** The subset of the Web Storage API the store uses, so tests and non-browser hosts can pass their own. */
export type KeyValueStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/**
 * Tokens in `localStorage` or `sessionStorage`, shared by the tabs of an origin. Anything a script on the page
 * can read, an injected script can read too: prefer memory or an httpOnly-cookie backend where XSS is a concern.
 */
export function webStorageTokenStore(storage: KeyValueStorage, key = "todo-api.tokens"): TokenStore {
  return {
    get() {
      const raw = storage.getItem(key);
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
    set: (tokens) => storage.setItem(key, JSON.stringify(tokens)),
    clear: () => storage.removeItem(key),
  };
}
