import type { LoginBody, RegisterBody, SessionTokens, User } from "@todo/contract";
import type { AuthServiceDeps, RequestOrigin } from "./use-cases/deps.js";
import { login } from "./use-cases/login.js";
import { logout } from "./use-cases/logout.js";
import { me } from "./use-cases/me.js";
import { refresh } from "./use-cases/refresh.js";
import { register } from "./use-cases/register.js";

export type { AuthLimits, AuthServiceDeps, RequestOrigin } from "./use-cases/deps.js";

/** The auth use cases (one module each, in `use-cases/`) bound to their dependencies: what handlers call. */
export interface AuthService {
  register(body: RegisterBody, origin: RequestOrigin): Promise<SessionTokens>;
  login(body: LoginBody, origin: RequestOrigin): Promise<SessionTokens>;
  refresh(refreshToken: string, origin: RequestOrigin): Promise<SessionTokens>;
  /** Ends the refresh token's sign-in. Idempotent: unknown or already-ended tokens are fine. */
  logout(refreshToken: string): Promise<void>;
  me(userId: string): Promise<User>;
}

export function createAuthService(deps: AuthServiceDeps): AuthService {
  return {
    register: (body, origin) => register(deps, body, origin),
    login: (body, origin) => login(deps, body, origin),
    refresh: (refreshToken, origin) => refresh(deps, refreshToken, origin),
    logout: (refreshToken) => logout(deps, refreshToken),
    me: (userId) => me(deps, userId),
  };
}
