-- ---------------------------------------------------------------------------------------------------------
-- Fewer statements per task write (docs/performance.md, "Task writes in the database"). Written by hand; no table
-- changes. The locks, their order and what the changes feed and the quota see are the same as before:
--
-- - create_task takes the owner's, the list's and the counter's locks itself, in that order (the counter last, as
--   the foreign key checks would take them), counts the task in the same write of the counter row that locks it
--   and checks the quota there, and numbers its row itself. Around its INSERT it names the owner in the
--   transaction-local setting `todo.counted_owner`; the insert triggers do not fire for that row (their WHEN
--   clauses), so a create runs no trigger function at all. Every other insert, from any SQL, still goes the full
--   way: the before-write trigger locks and numbers it, the statement trigger counts it.
-- - A task's update or delete locks the counter in the trigger's own statement instead of calling sync_next_seq
--   (which still makes a missing counter row); a delete's tombstone checks that the owner still exists in the same
--   statement that locks the counter.
-- ---------------------------------------------------------------------------------------------------------

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
  PERFORM 1 FROM "sync_counters" WHERE "user_id" = NEW."user_id" FOR UPDATE;
  IF NOT FOUND THEN
    NEW."change_seq" := "sync_next_seq"(NEW."user_id");
  ELSE
    NEW."change_seq" := nextval('sync_change_seq');
  END IF;
  RETURN NEW;
END
$$;

-- create_task's own insert (the setting names its owner) is locked, numbered and counted by create_task.
DROP TRIGGER "tasks_sync_before_write" ON "tasks";
CREATE TRIGGER "tasks_sync_before_write" BEFORE INSERT OR UPDATE ON "tasks"
  FOR EACH ROW WHEN (current_setting('todo.counted_owner', true) IS DISTINCT FROM NEW."user_id")
  EXECUTE FUNCTION "sync_tasks_before_write"();
DROP TRIGGER "tasks_count_insert" ON "tasks";
CREATE TRIGGER "tasks_count_insert" AFTER INSERT ON "tasks" REFERENCING NEW TABLE AS "inserted_tasks"
  FOR EACH STATEMENT WHEN (coalesce(current_setting('todo.counted_owner', true), '') = '')
  EXECUTE FUNCTION "tasks_count_inserted"();

-- `task_id`: the id to create the task under (an Idempotency-Key's reserved id, see the idempotency_resource_id
-- migration); a task already there under it is a unique violation (23505), which the API answers with that task.
DROP FUNCTION "create_task"(VARCHAR, VARCHAR, VARCHAR, UUID, DATE, SMALLINT, INTEGER, VARCHAR);
CREATE FUNCTION "create_task"(
  owner VARCHAR, task_title VARCHAR, task_description VARCHAR, task_list_id UUID, task_due_date DATE,
  task_priority SMALLINT, max_tasks INTEGER, task_position VARCHAR DEFAULT NULL, task_id UUID DEFAULT NULL
) RETURNS SETOF "tasks" LANGUAGE plpgsql AS $$
DECLARE
  last_position TEXT;
  next_position TEXT := task_position;
BEGIN
  PERFORM 1 FROM "users" WHERE "id" = owner FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such user' USING ERRCODE = 'TD401';
  END IF;
  IF task_list_id IS NOT NULL THEN
    PERFORM 1 FROM "lists" WHERE "id" = task_list_id AND "user_id" = owner FOR KEY SHARE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'no such list' USING ERRCODE = '23503';
    END IF;
  END IF;
  UPDATE "sync_counters" SET "task_count" = "task_count" + 1 WHERE "user_id" = owner AND "task_count" < max_tasks;
  IF NOT FOUND THEN
    INSERT INTO "sync_counters" ("user_id") VALUES (owner) ON CONFLICT ("user_id") DO NOTHING;
    UPDATE "sync_counters" SET "task_count" = "task_count" + 1 WHERE "user_id" = owner AND "task_count" < max_tasks;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'task quota reached' USING ERRCODE = 'TD409';
    END IF;
  END IF;
  IF next_position IS NULL THEN
    SELECT "position" INTO last_position FROM "tasks" WHERE "user_id" = owner ORDER BY "position" DESC LIMIT 1;
    next_position := CASE WHEN last_position IS NULL THEN 'a0' ELSE "task_position_after"(last_position) END;
    IF next_position IS NULL THEN
      RAISE EXCEPTION 'next position needs the library' USING ERRCODE = 'TD500', DETAIL = last_position;
    END IF;
  END IF;
  -- Numbered as the before-write trigger would, under the counter's lock taken above; the triggers skip this row.
  PERFORM set_config('todo.counted_owner', owner, true);
  RETURN QUERY
  INSERT INTO "tasks" ("id", "user_id", "title", "description", "completed", "list_id", "due_date", "priority",
    "position", "created_at", "updated_at", "version", "change_seq")
  VALUES (coalesce(task_id, gen_random_uuid()), owner, task_title, task_description, false, task_list_id,
    task_due_date, task_priority, next_position, clock_timestamp(), clock_timestamp(), 1, nextval('sync_change_seq'))
  RETURNING *;
  PERFORM set_config('todo.counted_owner', '', true);
END
$$;

CREATE OR REPLACE FUNCTION "sync_after_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The owner's counter, locked, joined with the owner: when the owner's account itself is being deleted (this
  -- delete is its cascade), there is nobody left to sync.
  PERFORM 1 FROM "sync_counters" AS c JOIN "users" AS u ON u."id" = c."user_id"
    WHERE c."user_id" = OLD."user_id" FOR UPDATE OF c;
  IF NOT FOUND THEN
    PERFORM 1 FROM "users" WHERE "id" = OLD."user_id";
    IF NOT FOUND THEN
      RETURN NULL;
    END IF;
    INSERT INTO "sync_tombstones" ("user_id", "change_seq", "kind", "entity_id")
    VALUES (OLD."user_id", "sync_next_seq"(OLD."user_id"), TG_ARGV[0], OLD."id");
    RETURN NULL;
  END IF;
  INSERT INTO "sync_tombstones" ("user_id", "change_seq", "kind", "entity_id")
  VALUES (OLD."user_id", nextval('sync_change_seq'), TG_ARGV[0], OLD."id");
  RETURN NULL;
END
$$;
