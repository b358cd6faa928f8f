import { requiresBearerToken } from "@todo/contract";
import type { AppRoute } from "@ts-rest/core";
import type { NextFunction, Request, Response } from "express";
import type { Authenticator, AuthRequestContext, AuthUser } from "../auth/authenticator.js";
import { AppError, forbidden } from "../errors/app-error.js";
import { clientAddress } from "./client-address.js";

declare global {
  namespace Express {
    interface Locals {
      user?: AuthUser;
    }
  }
}

/**
 * The one place requests are authenticated. Runs before ts-rest validates the request, so an anonymous
 * or foreign caller learns nothing from validation errors: routes marked `metadata.auth = "bearer"` need
 * a valid token, and a `:userId` path segment must be the token's own user (403 otherwise).
 */
export function requireAuth(authenticator: Authenticator) {
  return (req: Request & { tsRestRoute?: AppRoute }, res: Response, next: NextFunction): void => {
    if (!req.tsRestRoute || !requiresBearerToken(req.tsRestRoute)) {
      next();
      return;
    }
    // Getters: route, address and logger are only worked out when a failure is logged, not on every request.
    const context: AuthRequestContext = {
      get route() {
        return `${req.method} ${req.route?.path ?? req.path}`;
      },
      get ip() {
        return clientAddress(req);
      },
      get log() {
        return res.locals.log;
      },
    };
    authenticator.authenticate(req.headers.authorization, context).then((user) => {
      const owner = req.params.userId;
      if (owner !== undefined && owner !== user.id) {
        next(forbidden());
        return;
      }
      res.locals.user = user;
      next();
    }, next);
  };
}

/** The authenticated caller; only valid inside handlers of Bearer routes. */
export function currentUser(res: Response): AuthUser {
  const user = res.locals.user;
  if (!user) throw new AppError("UNAUTHORIZED", "Authentication required");
  return user;
}
