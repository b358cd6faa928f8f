import { initContract } from "@ts-rest/core";
import { z } from "zod/v3";
import { hasNoNul, NO_NUL_MESSAGE, TimestampSchema } from "./common.js";
import { AuthenticatedErrorResponses, CommonErrorResponses, ErrorResponseSchema } from "./errors.js";
import { API_PATH_PREFIX, authRoutes } from "./routes.js";

const c = initContract();

export const PASSWORD_MIN_CHARS = 8;
/** bcrypt reads only the first 72 bytes: longer passwords are refused rather than silently cut. */
export const PASSWORD_MAX_BYTES = 72;
export const EMAIL_MAX_LENGTH = 254;

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(EMAIL_MAX_LENGTH)
  .email({ message: "Must be a valid email address" });

export const NewPasswordSchema = z
  .string()
  .refine(hasNoNul, NO_NUL_MESSAGE)
  .refine((p) => [...p].length >= PASSWORD_MIN_CHARS, {
    message: `Must be at least ${PASSWORD_MIN_CHARS} characters`,
  })
  .refine((p) => utf8Length(p) <= PASSWORD_MAX_BYTES, {
    message: `Must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8`,
  });

export const UserSchema = z.object({
  id: z.string(),
  email: z.string().nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type User = z.infer<typeof UserSchema>;

export const RegisterBodySchema = z.object({ email: EmailSchema, password: NewPasswordSchema }).strict();
export type RegisterBody = z.infer<typeof RegisterBodySchema>;

export const DEVICE_TOKEN_MAX_LENGTH = 512;

/**
 * Login does not re-apply the password rules: a wrong password of any shape is the same generic 401.
 * `deviceToken`: the `deviceToken` of an earlier successful sign-in on this device (optional; an unknown,
 * expired or another account's token is simply ignored).
 */
export const LoginBodySchema = z
  .object({
    email: z.string().trim().toLowerCase().min(1).max(EMAIL_MAX_LENGTH).refine(hasNoNul, NO_NUL_MESSAGE),
    password: z.string().min(1).max(1024).refine(hasNoNul, NO_NUL_MESSAGE),
    deviceToken: z.string().min(1).max(DEVICE_TOKEN_MAX_LENGTH).refine(hasNoNul, NO_NUL_MESSAGE).optional(),
  })
  .strict();
export type LoginBody = z.infer<typeof LoginBodySchema>;

export const RefreshTokenBodySchema = z
  .object({ refreshToken: z.string().min(1).max(512).refine(hasNoNul, NO_NUL_MESSAGE) })
  .strict();
export type RefreshTokenBody = z.infer<typeof RefreshTokenBodySchema>;

export const SessionTokensSchema = z.object({
  user: UserSchema,
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal("Bearer"),
  /** Lifetime of the access token, in seconds. */
  expiresIn: z.number().int().positive(),
  /**
   * Login and register only: a device token (OWASP device cookie) for this account on this device. Keep it
   * (web apps: in an httpOnly cookie, apart from the sign-in) and send it as `deviceToken` with later logins:
   * they are then not held up by a lockout that other people's wrong guesses cause on the account.
   */
  deviceToken: z.string().optional(),
});
export type SessionTokens = z.infer<typeof SessionTokensSchema>;

export const MeResponseSchema = z.object({ user: UserSchema });
export type MeResponse = z.infer<typeof MeResponseSchema>;

export const authContract = c.router(
  {
    register: {
      ...authRoutes.register,
      body: RegisterBodySchema,
      responses: {
        201: SessionTokensSchema,
        409: ErrorResponseSchema,
        429: ErrorResponseSchema,
        ...CommonErrorResponses,
      },
      summary: "Create an account and sign in",
      description:
        "Email is trimmed and lower-cased (the same address in another case is the same account). " +
        "Password: at least 8 characters and at most 72 bytes in UTF-8.",
    },
    login: {
      ...authRoutes.login,
      body: LoginBodySchema,
      responses: {
        200: SessionTokensSchema,
        401: ErrorResponseSchema,
        429: ErrorResponseSchema,
        ...CommonErrorResponses,
      },
      summary: "Sign in with email and password",
      description:
        "Wrong credentials give one generic 401, whether or not the email exists. Send the `deviceToken` of an " +
        "earlier sign-in on this device: its failed attempts count against that device alone, so a lockout caused " +
        "by someone else's guesses does not stop the owner. The response carries a fresh `deviceToken`.",
    },
    refresh: {
      ...authRoutes.refresh,
      body: RefreshTokenBodySchema,
      responses: {
        200: SessionTokensSchema,
        401: ErrorResponseSchema,
        429: ErrorResponseSchema,
        ...CommonErrorResponses,
      },
      summary: "Exchange a refresh token for a new token pair",
      description:
        "Refresh tokens are single use. Presenting one that was already used revokes the whole sign-in it belongs to.",
    },
    logout: {
      ...authRoutes.logout,
      body: RefreshTokenBodySchema,
      responses: { 204: c.noBody(), ...CommonErrorResponses },
      summary: "Sign out",
      description:
        "Revokes the refresh token's sign-in; its access tokens stop working within seconds. Idempotent: an unknown or already-ended token also gets 204.",
    },
    me: {
      ...authRoutes.me,
      responses: { 200: MeResponseSchema, ...AuthenticatedErrorResponses },
      summary: "The signed-in user",
    },
  },
  { pathPrefix: API_PATH_PREFIX },
);
