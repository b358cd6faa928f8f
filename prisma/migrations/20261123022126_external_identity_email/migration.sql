-- External identities (users first seen through a Better Auth frontend's token) keep the email their
-- provider vouches for in a column of their own: it no longer reserves the address of a password account.
ALTER TABLE "users" ADD COLUMN     "external_email" VARCHAR(320);

-- Until now such users took `email` itself, verified or not. Move it aside: the next token of each
-- replaces it (or clears it when the provider does not say it is verified).
UPDATE "users" SET "external_email" = "email", "email" = NULL WHERE "password_hash" IS NULL;

-- A password account has an email and no external email, an external identity neither email nor password.
ALTER TABLE "users" ADD CONSTRAINT "users_account_kind_check" CHECK (
  ("password_hash" IS NOT NULL AND "email" IS NOT NULL AND "external_email" IS NULL)
  OR ("password_hash" IS NULL AND "email" IS NULL)
);
