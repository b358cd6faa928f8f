-- DropIndex
DROP INDEX "tasks_user_id_completed_created_at_id_idx";

-- DropIndex
DROP INDEX "tasks_user_id_created_at_id_idx";

-- AlterTable. `position` compares as plain code-unit strings (COLLATE "C") on every server, whatever the
-- database's default collation: fractional-indexing keys are ordered that way.
ALTER TABLE "tasks" ADD COLUMN     "completed_at" TIMESTAMPTZ(3),
ADD COLUMN     "due_date" DATE,
ADD COLUMN     "list_id" UUID,
ADD COLUMN     "position" VARCHAR(255) COLLATE "C",
ADD COLUMN     "priority" SMALLINT NOT NULL DEFAULT 0;

-- Existing tasks keep their order (oldest first): the n-th task of each owner gets the n-th key that
-- fractional-indexing's generateKeyBetween(previous, null) would give, starting at "a0" ("a0" …
-- "az", then "b00" … "bzz", "c000" …, "d0000" …: room for over 15 million tasks per owner).
UPDATE "tasks" AS t SET "position" = k.key
FROM (
  SELECT "id", (
    WITH RECURSIVE digits(n, width, out) AS (
      SELECT CASE WHEN r.n < 62 THEN r.n WHEN r.n < 3906 THEN r.n - 62 WHEN r.n < 242234 THEN r.n - 3906
          ELSE r.n - 242234 END,
        CASE WHEN r.n < 62 THEN 1 WHEN r.n < 3906 THEN 2 WHEN r.n < 242234 THEN 3 ELSE 4 END, ''::text
      UNION ALL
      SELECT d.n / 62, d.width - 1,
        substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', (d.n % 62)::int + 1, 1) || d.out
      FROM digits d WHERE d.width > 0
    )
    SELECT chr(ascii('a') + length(out) - 1) || out FROM digits WHERE width = 0
  ) AS key
  FROM (
    SELECT "id", (row_number() OVER (PARTITION BY "user_id" ORDER BY "created_at", "id") - 1)::bigint AS n
    FROM "tasks"
  ) AS r
) AS k
WHERE t."id" = k."id";

ALTER TABLE "tasks" ALTER COLUMN "position" SET NOT NULL;
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_priority_check" CHECK ("priority" BETWEEN 0 AND 3);
-- A task completed before completedAt existed reports its last update as the moment.
UPDATE "tasks" SET "completed_at" = "updated_at" WHERE "completed";

-- CreateTable
CREATE TABLE "lists" (
    "id" UUID NOT NULL,
    "user_id" VARCHAR(255) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lists_pkey" PRIMARY KEY ("id")
);

-- List names are unique per owner, ignoring case.
CREATE UNIQUE INDEX "lists_user_id_lower_name_key" ON "lists"("user_id", lower("name"));

-- CreateIndex
CREATE INDEX "lists_user_id_created_at_id_idx" ON "lists"("user_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "lists_id_user_id_key" ON "lists"("id", "user_id");

-- CreateIndex
CREATE INDEX "tasks_user_id_position_id_idx" ON "tasks"("user_id", "position", "id");

-- CreateIndex
CREATE INDEX "tasks_user_id_completed_position_id_idx" ON "tasks"("user_id", "completed", "position", "id");

-- CreateIndex
CREATE INDEX "tasks_user_id_list_id_position_id_idx" ON "tasks"("user_id", "list_id", "position", "id");

-- CreateIndex
CREATE INDEX "tasks_user_id_created_at_position_id_idx" ON "tasks"("user_id", "created_at", "position", "id");

-- CreateIndex
CREATE INDEX "tasks_user_id_due_date_position_id_idx" ON "tasks"("user_id", "due_date", "position", "id");

-- CreateIndex
CREATE INDEX "tasks_user_id_priority_position_id_idx" ON "tasks"("user_id", "priority" DESC, "position", "id");

-- CreateIndex
CREATE INDEX "tasks_user_id_updated_at_position_id_idx" ON "tasks"("user_id", "updated_at" DESC, "position", "id");

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_list_id_user_id_fkey" FOREIGN KEY ("list_id", "user_id") REFERENCES "lists"("id", "user_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lists" ADD CONSTRAINT "lists_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
