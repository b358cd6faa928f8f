-- AlterTable
ALTER TABLE "sync_counters" ADD COLUMN     "task_count" INTEGER NOT NULL DEFAULT 0;

-- ---------------------------------------------------------------------------------------------------------
-- Creating a task in one call (docs/organising-tasks.md, docs/performance.md). Written by hand below Prisma's
-- part. The quota reads `task_count`, each user's number of tasks, from the user's sync lock row: statement
-- triggers keep it right for every statement that inserts or deletes tasks, whoever runs it (create, delete,
-- clear completed, a list's cascade, any SQL). Per statement, not per row: the row is written once however many
-- tasks a statement touches (see the sync_lock_only migration for why a row rewritten per row costs O(n²)). By
-- then the sync triggers of the statement's rows hold the row's lock, so the count takes no new lock either.
-- (TRUNCATE fires no delete trigger: truncate sync_counters with tasks.)
-- ---------------------------------------------------------------------------------------------------------

INSERT INTO "sync_counters" ("user_id")
SELECT DISTINCT "user_id" FROM "tasks"
ON CONFLICT ("user_id") DO NOTHING;
UPDATE "sync_counters" AS c SET "task_count" = n.count
FROM (SELECT "user_id", count(*)::INTEGER AS count FROM "tasks" GROUP BY "user_id") AS n
WHERE c."user_id" = n."user_id";

CREATE FUNCTION "tasks_count_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "sync_counters" AS c SET "task_count" = c."task_count" + n.count
  FROM (SELECT "user_id", count(*)::INTEGER AS count FROM "inserted_tasks" GROUP BY "user_id") AS n
  WHERE c."user_id" = n."user_id";
  RETURN NULL;
END
$$;

-- When the account itself is being deleted, its row may be gone already: nothing to update then.
CREATE FUNCTION "tasks_count_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "sync_counters" AS c SET "task_count" = c."task_count" - n.count
  FROM (SELECT "user_id", count(*)::INTEGER AS count FROM "deleted_tasks" GROUP BY "user_id") AS n
  WHERE c."user_id" = n."user_id";
  RETURN NULL;
END
$$;

CREATE TRIGGER "tasks_count_insert" AFTER INSERT ON "tasks" REFERENCING NEW TABLE AS "inserted_tasks"
  FOR EACH STATEMENT EXECUTE FUNCTION "tasks_count_inserted"();
CREATE TRIGGER "tasks_count_delete" AFTER DELETE ON "tasks" REFERENCING OLD TABLE AS "deleted_tasks"
  FOR EACH STATEMENT EXECUTE FUNCTION "tasks_count_deleted"();

-- fractional-indexing's generateKeyBetween(key, null) for the library's default alphabets (integer heads A-Z a-z,
-- digits 0-9 A-Z a-z): the key's integer part plus one. NULL where the library would do more than that (the
-- integer part is at its largest, "zzz…") or the key is not a valid key: the caller then asks the library itself.
-- A unit test compares it with the library on many keys (task-position.int.test.ts).
CREATE FUNCTION "task_position_after"(key TEXT) RETURNS TEXT LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  digits CONSTANT TEXT := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  heads CONSTANT TEXT := 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  head INTEGER;
  integer_length INTEGER;
  digit INTEGER;
  carried TEXT := '';
BEGIN
  IF key = '' THEN
    RETURN NULL;
  END IF;
  head := strpos(heads, left(key, 1)) - 1;
  IF head < 0 THEN
    RETURN NULL;
  END IF;
  -- "a" and "Z" head two-character integers, each head further out one more character.
  integer_length := CASE WHEN head < 26 THEN 27 - head ELSE head - 24 END;
  -- As the library validates: the integer part is all there, the smallest integer and a trailing zero are not keys.
  IF integer_length > length(key) OR key = 'A' || repeat('0', 26)
    OR (length(key) > integer_length AND right(key, 1) = '0') THEN
    RETURN NULL;
  END IF;
  FOR i IN REVERSE integer_length..2 LOOP
    digit := strpos(digits, substr(key, i, 1)); -- the digit's value plus one
    IF digit = 0 THEN
      RETURN NULL;
    ELSIF digit = 62 THEN
      carried := '0' || carried;
    ELSE
      RETURN left(key, 1) || substr(key, 2, i - 2) || substr(digits, digit + 1, 1) || carried;
    END IF;
  END LOOP;
  IF head = 51 THEN
    RETURN NULL;
  END IF;
  -- Every digit carried: the next head, whose integer is one character shorter (below "Z"), as long ("Z" to "a")
  -- or one longer (from "a" on).
  RETURN substr(heads, head + 2, 1)
    || CASE WHEN head + 1 <= 25 THEN substr(carried, 2) WHEN head + 1 = 26 THEN carried ELSE carried || '0' END;
END
$$;

-- Creates a task at the end of its owner's manual order, within the quota, in one call (one round trip).
-- The owner's row lock (FOR NO KEY UPDATE, as moves take it: see owner-lock.ts) makes the owner's creates and
-- moves run one at a time; each statement below takes a fresh snapshot after it, so the count and the last
-- position include every create that committed before. Errors the API maps (SQLSTATE):
--   TD401 no such user; TD409 the quota is reached; TD500 the next key needs the library (rare: see above);
--   23503 the list is not the owner's (the foreign key).
CREATE FUNCTION "create_task"(
  owner VARCHAR, task_title VARCHAR, task_description VARCHAR, task_list_id UUID, task_due_date DATE,
  task_priority SMALLINT, max_tasks INTEGER, task_position VARCHAR DEFAULT NULL
) RETURNS SETOF "tasks" LANGUAGE plpgsql AS $$
DECLARE
  last_position TEXT;
  next_position TEXT := task_position;
BEGIN
  PERFORM 1 FROM "users" WHERE "id" = owner FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such user' USING ERRCODE = 'TD401';
  END IF;
  IF coalesce((SELECT "task_count" FROM "sync_counters" WHERE "user_id" = owner), 0) >= max_tasks THEN
    RAISE EXCEPTION 'task quota reached' USING ERRCODE = 'TD409';
  END IF;
  IF next_position IS NULL THEN
    SELECT "position" INTO last_position FROM "tasks" WHERE "user_id" = owner ORDER BY "position" DESC LIMIT 1;
    next_position := CASE WHEN last_position IS NULL THEN 'a0' ELSE "task_position_after"(last_position) END;
    IF next_position IS NULL THEN
      RAISE EXCEPTION 'next position needs the library' USING ERRCODE = 'TD500', DETAIL = last_position;
    END IF;
  END IF;
  RETURN QUERY
  INSERT INTO "tasks" ("id", "user_id", "title", "description", "completed", "list_id", "due_date", "priority",
    "position", "created_at", "updated_at")
  VALUES (gen_random_uuid(), owner, task_title, task_description, false, task_list_id, task_due_date, task_priority,
    next_position, clock_timestamp(), clock_timestamp())
  RETURNING *;
END
$$;
