import { initContract } from "@ts-rest/core";
import { z } from "zod/v3";
import { EmailSchema, NewPasswordSchema, SessionTokensSchema, UserSchema } from "./auth.js";
import { hasNoNul, NO_NUL_MESSAGE, TimestampSchema } from "./common.js";
import { AuthenticatedErrorResponses, CommonErrorResponses, ErrorResponseSchema } from "./errors.js";
import { API_PATH_PREFIX, accountRoutes } from "./routes.js";
import { TaskSchema } from "./tasks.js";

const c = initContract();

/** A password as typed to prove it is the account's: any shape (a wrong one is a 403), bounded. */
const PresentedPasswordSchema = z.string().min(1).max(1024).refine(hasNoNul, NO_NUL_MESSAGE);

export const PasswordResetRequestBodySchema = z.object({ email: EmailSchema }).strict();
export type PasswordResetRequestBody = z.infer<typeof PasswordResetRequestBodySchema>;

export const PasswordResetConfirmBodySchema = z
  .object({
    /** The `token` query parameter of the mailed link. */
    token: z.string().min(1).max(512).refine(hasNoNul, NO_NUL_MESSAGE),
    password: NewPasswordSchema,
  })
  .strict();
export type PasswordResetConfirmBody = z.infer<typeof PasswordResetConfirmBodySchema>;

export const ChangePasswordBodySchema = z
  .object({ currentPassword: PresentedPasswordSchema, newPassword: NewPasswordSchema })
  .strict();
export type ChangePasswordBody = z.infer<typeof ChangePasswordBodySchema>;

/** Password accounts send their password; external identities (no password here) send `{}`. */
export const DeleteAccountBodySchema = z.object({ password: PresentedPasswordSchema.optional() }).strict();
export type DeleteAccountBody = z.infer<typeof DeleteAccountBodySchema>;

/** One active sign-in of the account: a login, registration or password reset, and the refreshes since. */
export const SignInSchema = z.object({
  id: z.string().uuid(),
  createdAt: TimestampSchema,
  /** The last refresh (or the sign-in itself): when a device last renewed its tokens. */
  lastUsedAt: TimestampSchema,
  /** When the sign-in ends at the latest: refreshes never extend it. */
  expiresAt: TimestampSchema,
  /** The `User-Agent` of the sign-in's last use, as sent (at most 512 characters); null when none was sent. */
  userAgent: z.string().nullable(),
  /** The client address of the sign-in's last use (IPv4 or IPv6), as the API saw it. */
  ipAddress: z.string().nullable(),
  /** Whether this is the sign-in of the access token that asked. */
  current: z.boolean(),
});
export type SignIn = z.infer<typeof SignInSchema>;

export const SignInListSchema = z.object({ items: z.array(SignInSchema) });
export type SignInList = z.infer<typeof SignInListSchema>;

export const SignInIdParamsSchema = z.object({ id: z.string() });

/** A list as exported: every field the API stores for it. */
export const ExportedListSchema = z
  .object({ id: z.string(), name: z.string(), createdAt: TimestampSchema, updatedAt: TimestampSchema })
  .passthrough();

/** Everything the API holds about the account that its owner can take elsewhere. */
export const AccountExportSchema = z.object({
  exportedAt: TimestampSchema,
  user: UserSchema,
  lists: z.array(ExportedListSchema),
  tasks: z.array(TaskSchema),
});
export type AccountExport = z.infer<typeof AccountExportSchema>;

const rateLimited = { 429: ErrorResponseSchema };

export const accountContract = c.router(
  {
    requestPasswordReset: {
      ...accountRoutes.requestPasswordReset,
      body: PasswordResetRequestBodySchema,
      responses: { 202: c.noBody(), ...rateLimited, ...CommonErrorResponses },
      summary: "Ask for a password-reset link by email",
      description:
        "202 for any well-formed address, whether or not it has an account, in the same time either way; the " +
        "mail (a link to `${APP_URL}/reset-password?token=…`, valid `PASSWORD_RESET_TTL`) is sent after the " +
        "answer, to password accounts only, at most 5 per account per hour. 20 requests per client address per " +
        "hour (429). 503 `MAIL_UNAVAILABLE` when a production server has no mail server configured.",
    },
    confirmPasswordReset: {
      ...accountRoutes.confirmPasswordReset,
      body: PasswordResetConfirmBodySchema,
      responses: { 200: SessionTokensSchema, ...rateLimited, ...CommonErrorResponses },
      summary: "Set a new password with a mailed reset token, and sign in",
      description:
        "Answers the session tokens of a new sign-in. Every other sign-in of the account ends (its refresh tokens " +
        "at once, its access tokens within seconds) and every other reset token of the account dies. The token " +
        "is single use: unknown, used or expired → 400 `INVALID_RESET_TOKEN`. 20 attempts per client address " +
        "per 15 minutes (429).",
    },
    changePassword: {
      ...accountRoutes.changePassword,
      body: ChangePasswordBodySchema,
      responses: { 204: c.noBody(), 403: ErrorResponseSchema, ...rateLimited, ...AuthenticatedErrorResponses },
      summary: "Change the password",
      description:
        "Every other sign-in of the account ends; this one continues. A wrong current password (403 " +
        "`INVALID_CREDENTIALS`) counts as a failed login of the account, so a stolen access token cannot test " +
        "passwords; past the failed-login limits: 429. Accounts without a password (external identities): 403.",
    },
    listSignIns: {
      ...accountRoutes.listSignIns,
      responses: { 200: SignInListSchema, ...AuthenticatedErrorResponses },
      summary: "The account's active sign-ins, newest first",
    },
    endSignIn: {
      ...accountRoutes.endSignIn,
      pathParams: SignInIdParamsSchema,
      responses: { 204: c.noBody(), 404: ErrorResponseSchema, ...AuthenticatedErrorResponses },
      summary: "End one sign-in",
      description:
        "Its refresh tokens stop at once, its access tokens within seconds. Another person's or an unknown id: 404.",
    },
    endOtherSignIns: {
      ...accountRoutes.endOtherSignIns,
      responses: { 204: c.noBody(), ...AuthenticatedErrorResponses },
      summary: "End every sign-in but this one",
    },
    deleteAccount: {
      ...accountRoutes.deleteAccount,
      body: DeleteAccountBodySchema,
      responses: { 204: c.noBody(), 403: ErrorResponseSchema, ...rateLimited, ...AuthenticatedErrorResponses },
      summary: "Delete the account and everything in it",
      description:
        "The user, every task, list, sign-in, reset token and idempotency record go in one transaction; the " +
        "account's access tokens stop within seconds and the address can register again. Password accounts " +
        "send `{ password }` (wrong or missing: 403 `INVALID_CREDENTIALS`, counted like a failed login); " +
        "external identities send `{}`.",
    },
    exportAccount: {
      ...accountRoutes.exportAccount,
      responses: { 200: AccountExportSchema, ...AuthenticatedErrorResponses },
      summary: "Download everything of the account as JSON",
      description:
        "A JSON file (`Content-Disposition: attachment`) with the user, every list and every task, each with " +
        "every field; streamed as it is read, so large accounts cost the server no memory.",
    },
  },
  { pathPrefix: API_PATH_PREFIX },
);
