-- AlterTable
ALTER TABLE "lists" ADD COLUMN     "change_seq" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN     "change_seq" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "sync_counters" (
    "user_id" VARCHAR(255) NOT NULL,
    "seq" BIGINT NOT NULL DEFAULT 0,
    "pruned_seq" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "sync_counters_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "sync_tombstones" (
    "user_id" VARCHAR(255) NOT NULL,
    "change_seq" BIGINT NOT NULL,
    "kind" VARCHAR(8) NOT NULL,
    "entity_id" UUID NOT NULL,
    "deleted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_tombstones_pkey" PRIMARY KEY ("user_id","change_seq")
);

-- CreateIndex
CREATE INDEX "sync_tombstones_deleted_at_idx" ON "sync_tombstones"("deleted_at");

-- CreateIndex
CREATE INDEX "lists_user_id_change_seq_idx" ON "lists"("user_id", "change_seq");

-- CreateIndex
CREATE INDEX "tasks_user_id_change_seq_idx" ON "tasks"("user_id", "change_seq");

-- AddForeignKey
ALTER TABLE "sync_counters" ADD CONSTRAINT "sync_counters_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_tombstones" ADD CONSTRAINT "sync_tombstones_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------------------
-- Versions and the changes feed (docs/sync.md). Written by hand below Prisma's part: triggers keep `version`,
-- `change_seq` and the tombstones right for every writer, whatever statement it runs.
-- ---------------------------------------------------------------------------------------------------------

-- Existing rows get distinct change numbers per owner (oldest first), and each owner a counter past them.
UPDATE "tasks" AS t SET "change_seq" = n.seq
FROM (SELECT "id", row_number() OVER (PARTITION BY "user_id" ORDER BY "created_at", "id") AS seq FROM "tasks") AS n
WHERE t."id" = n."id";
UPDATE "lists" AS l SET "change_seq" = n.seq
FROM (
  SELECT "id", row_number() OVER (PARTITION BY "user_id" ORDER BY "created_at", "id")
    + COALESCE((SELECT max(t."change_seq") FROM "tasks" AS t WHERE t."user_id" = "lists"."user_id"), 0) AS seq
  FROM "lists"
) AS n
WHERE l."id" = n."id";
INSERT INTO "sync_counters" ("user_id", "seq")
SELECT "user_id", max("change_seq") FROM (
  SELECT "user_id", "change_seq" FROM "tasks" UNION ALL SELECT "user_id", "change_seq" FROM "lists"
) AS s GROUP BY "user_id";

-- The next change number of a user. The counter row's lock is held to the end of the transaction, so the
-- user's writers take numbers one at a time and commit in number order: a reader that has seen number n has
-- seen every change numbered below n. That is what makes `change_seq > cursor` skip nothing.
CREATE FUNCTION "sync_next_seq"(owner VARCHAR) RETURNS BIGINT LANGUAGE sql AS $$
  INSERT INTO "sync_counters" AS c ("user_id", "seq") VALUES (owner, 1)
  ON CONFLICT ("user_id") DO UPDATE SET "seq" = c."seq" + 1
  RETURNING c."seq"
$$;

-- Before a task is written: its version and change number. The rows the foreign keys will check (the owner on
-- insert, a new list) are locked first, as the check itself would lock them, so that the counter is always
-- the last lock taken: a concurrent delete of the list or the account then waits for this writer or this
-- writer for it, never both for each other.
CREATE FUNCTION "sync_tasks_before_write"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW."version" := 1;
    PERFORM 1 FROM "users" WHERE "id" = NEW."user_id" FOR KEY SHARE;
  ELSE
    NEW."version" := OLD."version" + 1;
  END IF;
  IF NEW."list_id" IS NOT NULL AND (TG_OP = 'INSERT' OR NEW."list_id" IS DISTINCT FROM OLD."list_id") THEN
    PERFORM 1 FROM "lists" WHERE "id" = NEW."list_id" AND "user_id" = NEW."user_id" FOR KEY SHARE;
  END IF;
  NEW."change_seq" := "sync_next_seq"(NEW."user_id");
  RETURN NEW;
END
$$;

CREATE FUNCTION "sync_lists_before_write"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW."version" := 1;
    PERFORM 1 FROM "users" WHERE "id" = NEW."user_id" FOR KEY SHARE;
  ELSE
    NEW."version" := OLD."version" + 1;
  END IF;
  NEW."change_seq" := "sync_next_seq"(NEW."user_id");
  RETURN NEW;
END
$$;

-- After a task or list is deleted: a tombstone for the feed, numbered like any change. AFTER ROW triggers run
-- at the end of the statement, when all its rows are locked, so the counter is again the last lock. When the
-- owner's account itself is being deleted (this delete is its cascade), there is nobody left to sync.
CREATE FUNCTION "sync_after_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM "users" WHERE "id" = OLD."user_id";
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  INSERT INTO "sync_tombstones" ("user_id", "change_seq", "kind", "entity_id")
  VALUES (OLD."user_id", "sync_next_seq"(OLD."user_id"), TG_ARGV[0], OLD."id");
  RETURN NULL;
END
$$;

CREATE TRIGGER "tasks_sync_before_write" BEFORE INSERT OR UPDATE ON "tasks"
  FOR EACH ROW EXECUTE FUNCTION "sync_tasks_before_write"();
CREATE TRIGGER "tasks_sync_after_delete" AFTER DELETE ON "tasks"
  FOR EACH ROW EXECUTE FUNCTION "sync_after_delete"('task');
CREATE TRIGGER "lists_sync_before_write" BEFORE INSERT OR UPDATE ON "lists"
  FOR EACH ROW EXECUTE FUNCTION "sync_lists_before_write"();
CREATE TRIGGER "lists_sync_after_delete" AFTER DELETE ON "lists"
  FOR EACH ROW EXECUTE FUNCTION "sync_after_delete"('list');
