-- One word per idea: the table of sign-ins was called "sessions", a word the API also used for the token
-- pair it answers with. Renamed in place: rows, refresh tokens and every live sign-in survive.

-- RenameTable
ALTER TABLE "sessions" RENAME TO "sign_ins";
ALTER TABLE "sign_ins" RENAME CONSTRAINT "sessions_pkey" TO "sign_ins_pkey";
ALTER TABLE "sign_ins" RENAME CONSTRAINT "sessions_user_id_fkey" TO "sign_ins_user_id_fkey";
ALTER INDEX "sessions_user_id_idx" RENAME TO "sign_ins_user_id_idx";
ALTER INDEX "sessions_revoked_at_idx" RENAME TO "sign_ins_revoked_at_idx";

-- RenameColumn
ALTER TABLE "refresh_tokens" RENAME COLUMN "session_id" TO "sign_in_id";
ALTER TABLE "refresh_tokens" RENAME CONSTRAINT "refresh_tokens_session_id_fkey" TO "refresh_tokens_sign_in_id_fkey";
ALTER INDEX "refresh_tokens_session_id_idx" RENAME TO "refresh_tokens_sign_in_id_idx";
