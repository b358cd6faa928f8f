-- AlterTable
ALTER TABLE "sync_counters" ADD COLUMN     "task_count" INTEGER NOT NULL DEFAULT 0;

-- ---------------------------------------------------------------------------------------------------------
-- Creating a task in one call (docs/organising-tasks.md, docs/performance.md). Written by hand below Prisma's
-- part. The quota counts from `task_count`, kept by the task triggers on the owner's change counter row: that
-- row is already written (and locked) by every task insert and delete, so the count costs no extra lock and
-- stays right for every writer (create, delete, clear completed, a list's cascade, any SQL).
-- ---------------------------------------------------------------------------------------------------------

UPDATE "sync_counters" AS c SET "task_count" = n.count
FROM (SELECT "user_id", count(*)::INTEGER AS count FROM "tasks" GROUP BY "user_id") AS n
WHERE c."user_id" = n."user_id";
INSERT INTO "sync_counters" ("user_id", "seq", "task_count")
SELECT "user_id", 0, count(*)::INTEGER FROM "tasks" GROUP BY "user_id"
ON CONFLICT ("user_id") DO NOTHING;

-- The next change number of a user, adding `task_delta` to the user's task count in the same row write.
CREATE FUNCTION "sync_next_seq"(owner VARCHAR, task_delta INTEGER) RETURNS BIGINT LANGUAGE sql AS $$
  INSERT INTO "sync_counters" AS c ("user_id", "seq", "task_count") VALUES (owner, 1, GREATEST(task_delta, 0))
  ON CONFLICT ("user_id") DO UPDATE SET "seq" = c."seq" + 1, "task_count" = c."task_count" + task_delta
  RETURNING c."seq"
$$;

-- As in the sync migration; an insert also counts the task.
CREATE OR REPLACE FUNCTION "sync_tasks_before_write"() RETURNS trigger LANGUAGE plpgsql AS $$
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
  NEW."change_seq" := "sync_next_seq"(NEW."user_id", CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE 0 END);
  RETURN NEW;
END
$$;

-- As in the sync migration; a deleted task is also uncounted (unless the account itself is going).
CREATE OR REPLACE FUNCTION "sync_after_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM "users" WHERE "id" = OLD."user_id";
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  INSERT INTO "sync_tombstones" ("user_id", "change_seq", "kind", "entity_id")
  VALUES (OLD."user_id", "sync_next_seq"(OLD."user_id", CASE WHEN TG_ARGV[0] = 'task' THEN -1 ELSE 0 END),
    TG_ARGV[0], OLD."id");
  RETURN NULL;
END
$$;

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
