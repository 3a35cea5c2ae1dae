ALTER TABLE "workspaces" ADD COLUMN "suspended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "suspended_reason" text;--> statement-breakpoint
-- worker_heartbeats and worker_processes become one registry. Rows of processes gone before this
-- migration get what can be told of them: the queue from their role, no version, no concurrency.
ALTER TABLE "worker_processes" ADD COLUMN "queue" text;--> statement-breakpoint
ALTER TABLE "worker_processes" ADD COLUMN "version" text;--> statement-breakpoint
ALTER TABLE "worker_processes" ADD COLUMN "concurrency" integer;--> statement-breakpoint
ALTER TABLE "worker_processes" ADD COLUMN "jobs_running" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- A live process wrote both: its heartbeat row carries what its registry row lacks.
UPDATE "worker_processes" p SET "queue" = h."queue", "version" = h."version", "concurrency" = h."concurrency", "jobs_running" = h."jobs_running", "last_seen_at" = greatest(p."last_seen_at", h."last_beat_at")
FROM "worker_heartbeats" h
WHERE p."host" = h."host" AND p."pid" = h."pid" AND p."stopped_at" IS NULL
  AND p."started_at" = (SELECT max(q."started_at") FROM "worker_processes" q WHERE q."host" = h."host" AND q."pid" = h."pid" AND q."stopped_at" IS NULL);--> statement-breakpoint
-- Heartbeats of processes the registry never saw (started before it existed) are moved over.
INSERT INTO "worker_processes" ("role", "queue", "host", "pid", "version", "concurrency", "jobs_running", "started_at", "last_seen_at")
SELECT CASE h."queue" WHEN 'embedded' THEN 'server' ELSE 'worker' END, h."queue", h."host", h."pid", h."version", h."concurrency", h."jobs_running", h."started_at", h."last_beat_at"
FROM "worker_heartbeats" h
WHERE NOT EXISTS (SELECT 1 FROM "worker_processes" p WHERE p."host" = h."host" AND p."pid" = h."pid" AND p."stopped_at" IS NULL AND p."queue" IS NOT NULL);--> statement-breakpoint
UPDATE "worker_processes" SET "queue" = CASE "role" WHEN 'server' THEN 'embedded' ELSE 'bullmq' END WHERE "queue" IS NULL;--> statement-breakpoint
UPDATE "worker_processes" SET "version" = 'unknown' WHERE "version" IS NULL;--> statement-breakpoint
UPDATE "worker_processes" SET "concurrency" = 0 WHERE "concurrency" IS NULL;--> statement-breakpoint
ALTER TABLE "worker_processes" ALTER COLUMN "queue" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "worker_processes" ALTER COLUMN "version" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "worker_processes" ALTER COLUMN "concurrency" SET NOT NULL;--> statement-breakpoint
DROP TABLE "worker_heartbeats" CASCADE;
