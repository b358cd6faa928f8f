-- Change numbers from one sequence, the per-user row only locked. Incrementing a counter row once per changed row
-- rewrote that row for every row a statement touched (renumbering an order, clearing completed tasks, deleting a
-- list), and PostgreSQL cannot prune the versions a transaction makes of one row before it ends: n changes cost
-- O(n²). Locking the row costs the same for the first change and nearly nothing for the next ones. The order
-- argument is unchanged: a user's writer takes its numbers only while it holds the user's lock, which it keeps to
-- its commit, so the user's changes still commit in number order.
CREATE SEQUENCE "sync_change_seq" AS BIGINT;
SELECT setval('sync_change_seq', GREATEST((SELECT max("seq") FROM "sync_counters"), 1));

-- AlterTable
ALTER TABLE "sync_counters" DROP COLUMN "seq";

CREATE OR REPLACE FUNCTION "sync_next_seq"(owner VARCHAR) RETURNS BIGINT LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM "sync_counters" WHERE "user_id" = owner FOR UPDATE;
  IF NOT FOUND THEN
    -- The user's first change: make the row (a concurrent first change may make it first), then lock it.
    INSERT INTO "sync_counters" ("user_id") VALUES (owner) ON CONFLICT ("user_id") DO NOTHING;
    PERFORM 1 FROM "sync_counters" WHERE "user_id" = owner FOR UPDATE;
  END IF;
  RETURN nextval('sync_change_seq');
END
$$;
