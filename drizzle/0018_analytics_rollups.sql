-- Rollups behind /api/v1/analytics, per UTC hour and per UTC day (`span`, starting `at`): the same
-- figures as aggregating the source tables, kept by statement-level triggers in the transaction
-- that writes the source rows, so every writer (queue adapters, retries, cascades, retention) is
-- covered and no figure can drift.
-- A key whose counts fall to zero is deleted, so a rollup lists exactly the keys the rows hold.
CREATE TABLE "analytics_job_rollups" (
	"workspace_id" uuid NOT NULL,
	"span" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"top_level" boolean NOT NULL,
	"jobs" integer NOT NULL,
	"timed" integer NOT NULL,
	"seconds" numeric NOT NULL,
	PRIMARY KEY ("workspace_id", "span", "at", "type", "status", "top_level")
);
--> statement-breakpoint
CREATE TABLE "analytics_duration_rollups" (
	"workspace_id" uuid NOT NULL,
	"span" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"jobs" integer NOT NULL,
	"seconds" numeric NOT NULL,
	PRIMARY KEY ("workspace_id", "span", "at")
);
--> statement-breakpoint
CREATE TABLE "analytics_extraction_rollups" (
	"workspace_id" uuid NOT NULL,
	"span" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"records" integer NOT NULL,
	"errors" integer NOT NULL,
	PRIMARY KEY ("workspace_id", "span", "at", "type")
);
--> statement-breakpoint
CREATE TABLE "analytics_llm_rollups" (
	"workspace_id" uuid NOT NULL,
	"span" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"model" text NOT NULL,
	"step" text NOT NULL,
	"requests" integer NOT NULL,
	"prompt_tokens" bigint NOT NULL,
	"completion_tokens" bigint NOT NULL,
	"cost_usd" numeric NOT NULL,
	PRIMARY KEY ("workspace_id", "span", "at", "model", "step")
);
--> statement-breakpoint
CREATE TABLE "analytics_api_rollups" (
	"workspace_id" text NOT NULL,
	"span" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"method" text NOT NULL,
	"route" text NOT NULL,
	"status_class" text NOT NULL,
	"api_key_id" text NOT NULL,
	"user_id" text NOT NULL,
	"requests" bigint NOT NULL,
	"total_ms" numeric NOT NULL,
	PRIMARY KEY ("workspace_id", "span", "at", "method", "route", "status_class", "api_key_id", "user_id")
);
--> statement-breakpoint
-- The p95 of processing time is read from the top of these indexes: only the slowest 5 % of a
-- period's jobs are visited, however many there are.
CREATE INDEX "jobs_succeeded_seconds_idx" ON "jobs" ("workspace_id", "type", (extract(epoch from ("finished_at" - coalesce("started_at", "created_at")))) DESC) INCLUDE ("created_at") WHERE "status" = 'succeeded';
--> statement-breakpoint
CREATE INDEX "jobs_duration_hour_idx" ON "jobs" ("workspace_id", date_trunc('hour', "finished_at" AT TIME ZONE 'UTC'), (extract(epoch from ("finished_at" - coalesce("started_at", "created_at")))) DESC) INCLUDE ("finished_at") WHERE "status" = 'succeeded' AND "parent_id" IS NULL;
--> statement-breakpoint
CREATE INDEX "jobs_duration_day_idx" ON "jobs" ("workspace_id", date_trunc('day', "finished_at" AT TIME ZONE 'UTC'), (extract(epoch from ("finished_at" - coalesce("started_at", "created_at")))) DESC) INCLUDE ("finished_at") WHERE "status" = 'succeeded' AND "parent_id" IS NULL;
--> statement-breakpoint
-- Sites analysed in a period: one range of succeeded analyses by finish time.
CREATE INDEX "jobs_succeeded_finished_idx" ON "jobs" ("workspace_id", "type", "finished_at") INCLUDE ("site_id") WHERE "status" = 'succeeded';
--> statement-breakpoint
-- What a job contributes to the rollups; triggers hand rows added and removed to one function so
-- an update nets out (a progress write on a running job changes no rollup row).
CREATE TYPE "analytics_job_fact" AS ("workspace_id" uuid, "type" text, "status" text, "top_level" boolean, "created_at" timestamp with time zone, "started_at" timestamp with time zone, "finished_at" timestamp with time zone);
--> statement-breakpoint
CREATE FUNCTION "analytics_apply_jobs"("added" analytics_job_fact[], "removed" analytics_job_fact[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	-- Keys are written in sorted order so concurrent writers lock rollup rows in the same order.
	WITH changed AS (
		SELECT f.*, 1 AS sign FROM unnest(added) f UNION ALL SELECT f.*, -1 FROM unnest(removed) f
	), delta AS (
		SELECT workspace_id, s.span, date_trunc(s.span, created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS at, type, status, top_level,
			sum(sign) AS jobs, sum(sign) FILTER (WHERE finished_at IS NOT NULL) AS timed,
			sum(sign * extract(epoch from (finished_at - coalesce(started_at, created_at)))) AS seconds
		FROM changed CROSS JOIN (VALUES ('hour'), ('day')) AS s(span) GROUP BY 1, 2, 3, 4, 5, 6
	)
	INSERT INTO analytics_job_rollups AS h (workspace_id, span, at, type, status, top_level, jobs, timed, seconds)
	SELECT workspace_id, span, at, type, status, top_level, jobs, coalesce(timed, 0), coalesce(seconds, 0) FROM delta
	WHERE jobs <> 0 OR coalesce(timed, 0) <> 0 OR coalesce(seconds, 0) <> 0
	ORDER BY 1, 2, 3, 4, 5, 6
	ON CONFLICT (workspace_id, span, at, type, status, top_level) DO UPDATE
	SET jobs = h.jobs + excluded.jobs, timed = h.timed + excluded.timed, seconds = h.seconds + excluded.seconds;
	DELETE FROM analytics_job_rollups h USING unnest(added || removed) f
	WHERE h.jobs = 0 AND h.workspace_id = f.workspace_id AND h.at = date_trunc(h.span, f.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
		AND h.type = f.type AND h.status = f.status AND h.top_level = f.top_level;

	-- Processing time of top-level succeeded jobs by the hour they finished.
	WITH changed AS (
		SELECT f.*, 1 AS sign FROM unnest(added) f UNION ALL SELECT f.*, -1 FROM unnest(removed) f
	), delta AS (
		SELECT workspace_id, s.span, date_trunc(s.span, finished_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS at,
			sum(sign) AS jobs, sum(sign * extract(epoch from (finished_at - coalesce(started_at, created_at)))) AS seconds
		FROM changed CROSS JOIN (VALUES ('hour'), ('day')) AS s(span) WHERE status = 'succeeded' AND top_level AND finished_at IS NOT NULL GROUP BY 1, 2, 3
	)
	INSERT INTO analytics_duration_rollups AS h (workspace_id, span, at, jobs, seconds)
	SELECT workspace_id, span, at, jobs, seconds FROM delta WHERE jobs <> 0 OR seconds <> 0 ORDER BY 1, 2, 3
	ON CONFLICT (workspace_id, span, at) DO UPDATE SET jobs = h.jobs + excluded.jobs, seconds = h.seconds + excluded.seconds;
	DELETE FROM analytics_duration_rollups h USING unnest(added || removed) f
	WHERE h.jobs = 0 AND h.workspace_id = f.workspace_id AND h.at = date_trunc(h.span, f.finished_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
END $$;
--> statement-breakpoint
CREATE FUNCTION "analytics_jobs_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM analytics_apply_jobs(array(SELECT row(workspace_id, type, status, parent_id IS NULL, created_at, started_at, finished_at)::analytics_job_fact FROM new_rows), '{}');
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "analytics_jobs_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM analytics_apply_jobs(
		array(SELECT row(workspace_id, type, status, parent_id IS NULL, created_at, started_at, finished_at)::analytics_job_fact FROM new_rows),
		array(SELECT row(workspace_id, type, status, parent_id IS NULL, created_at, started_at, finished_at)::analytics_job_fact FROM old_rows));
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "analytics_jobs_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM analytics_apply_jobs('{}', array(SELECT row(workspace_id, type, status, parent_id IS NULL, created_at, started_at, finished_at)::analytics_job_fact FROM old_rows));
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "analytics_jobs_inserted" AFTER INSERT ON "jobs" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_jobs_inserted();
--> statement-breakpoint
CREATE TRIGGER "analytics_jobs_updated" AFTER UPDATE ON "jobs" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_jobs_updated();
--> statement-breakpoint
CREATE TRIGGER "analytics_jobs_deleted" AFTER DELETE ON "jobs" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_jobs_deleted();
--> statement-breakpoint
-- Extraction pages count in the hour their job was created. A job's workspace, type and creation
-- time never change, so results follow their job. When a job is deleted its results go by cascade
-- after the job row is gone, where the results' trigger can no longer find it: the job's own
-- BEFORE DELETE trigger takes its pages off first.
CREATE FUNCTION "analytics_apply_extraction"("changed_jobs" uuid[], "changed_records" integer[], "changed_errors" integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	WITH delta AS (
		SELECT j.workspace_id, s.span, date_trunc(s.span, j.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS at, j.type,
			sum(c.records) AS records, sum(c.errors) AS errors
		FROM unnest(changed_jobs, changed_records, changed_errors) AS c(job_id, records, errors) JOIN jobs j ON j.id = c.job_id
			CROSS JOIN (VALUES ('hour'), ('day')) AS s(span)
		GROUP BY 1, 2, 3, 4
	)
	INSERT INTO analytics_extraction_rollups AS h (workspace_id, span, at, type, records, errors)
	SELECT * FROM delta WHERE records <> 0 OR errors <> 0 ORDER BY 1, 2, 3, 4
	ON CONFLICT (workspace_id, span, at, type) DO UPDATE SET records = h.records + excluded.records, errors = h.errors + excluded.errors;
	DELETE FROM analytics_extraction_rollups h USING jobs j
	WHERE j.id = ANY(changed_jobs) AND h.records = 0 AND h.errors = 0 AND h.workspace_id = j.workspace_id
		AND h.at = date_trunc(h.span, j.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AND h.type = j.type;
END $$;
--> statement-breakpoint
CREATE FUNCTION "analytics_extraction_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	changed_jobs uuid[];
	changed_records integer[];
	changed_errors integer[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT array_agg(job_id), array_agg(r), array_agg(e) INTO changed_jobs, changed_records, changed_errors FROM (
			SELECT job_id, count(*) FILTER (WHERE error IS NULL)::int AS r, count(*) FILTER (WHERE error IS NOT NULL)::int AS e FROM new_rows GROUP BY job_id) d;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(job_id), array_agg(r), array_agg(e) INTO changed_jobs, changed_records, changed_errors FROM (
			SELECT job_id, -count(*) FILTER (WHERE error IS NULL)::int AS r, -count(*) FILTER (WHERE error IS NOT NULL)::int AS e FROM old_rows GROUP BY job_id) d;
	ELSE
		SELECT array_agg(job_id), array_agg(r), array_agg(e) INTO changed_jobs, changed_records, changed_errors FROM (
			SELECT job_id, sum(sign * (error IS NULL)::int)::int AS r, sum(sign * (error IS NOT NULL)::int)::int AS e FROM (
				SELECT job_id, error, 1 AS sign FROM new_rows UNION ALL SELECT job_id, error, -1 FROM old_rows) c GROUP BY job_id) d;
	END IF;
	IF changed_jobs IS NOT NULL THEN
		PERFORM analytics_apply_extraction(changed_jobs, changed_records, changed_errors);
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "analytics_job_deleting"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	r integer;
	e integer;
BEGIN
	SELECT count(*) FILTER (WHERE error IS NULL), count(*) FILTER (WHERE error IS NOT NULL) INTO r, e FROM extraction_results WHERE job_id = OLD.id;
	IF r + e > 0 THEN
		PERFORM analytics_apply_extraction(ARRAY[OLD.id], ARRAY[-r], ARRAY[-e]);
	END IF;
	RETURN OLD;
END $$;
--> statement-breakpoint
CREATE TRIGGER "analytics_extraction_inserted" AFTER INSERT ON "extraction_results" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_extraction_changed();
--> statement-breakpoint
CREATE TRIGGER "analytics_extraction_updated" AFTER UPDATE ON "extraction_results" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_extraction_changed();
--> statement-breakpoint
CREATE TRIGGER "analytics_extraction_deleted" AFTER DELETE ON "extraction_results" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_extraction_changed();
--> statement-breakpoint
CREATE TRIGGER "analytics_job_deleting" BEFORE DELETE ON "jobs" FOR EACH ROW EXECUTE FUNCTION analytics_job_deleting();
--> statement-breakpoint
-- LLM calls by hour, model and step; cost summed as numeric so any order of addition gives the same figure.
CREATE FUNCTION "analytics_llm_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM analytics_apply_llm(array(SELECT row(workspace_id, created_at, model, step, prompt_tokens, completion_tokens, cost_usd)::analytics_llm_fact FROM new_rows), '{}');
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM analytics_apply_llm('{}', array(SELECT row(workspace_id, created_at, model, step, prompt_tokens, completion_tokens, cost_usd)::analytics_llm_fact FROM old_rows));
	ELSE
		PERFORM analytics_apply_llm(
			array(SELECT row(workspace_id, created_at, model, step, prompt_tokens, completion_tokens, cost_usd)::analytics_llm_fact FROM new_rows),
			array(SELECT row(workspace_id, created_at, model, step, prompt_tokens, completion_tokens, cost_usd)::analytics_llm_fact FROM old_rows));
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TYPE "analytics_llm_fact" AS ("workspace_id" uuid, "created_at" timestamp with time zone, "model" text, "step" text, "prompt_tokens" integer, "completion_tokens" integer, "cost_usd" real);
--> statement-breakpoint
CREATE FUNCTION "analytics_apply_llm"("added" analytics_llm_fact[], "removed" analytics_llm_fact[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	WITH changed AS (
		SELECT f.*, 1 AS sign FROM unnest(added) f UNION ALL SELECT f.*, -1 FROM unnest(removed) f
	), delta AS (
		SELECT workspace_id, s.span, date_trunc(s.span, created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS at, model, step,
			sum(sign) AS requests, sum(sign * prompt_tokens) AS prompt_tokens, sum(sign * completion_tokens) AS completion_tokens,
			coalesce(sum(sign * cost_usd::numeric), 0) AS cost_usd
		FROM changed CROSS JOIN (VALUES ('hour'), ('day')) AS s(span) GROUP BY 1, 2, 3, 4, 5
	)
	INSERT INTO analytics_llm_rollups AS h (workspace_id, span, at, model, step, requests, prompt_tokens, completion_tokens, cost_usd)
	SELECT * FROM delta WHERE requests <> 0 OR prompt_tokens <> 0 OR completion_tokens <> 0 OR cost_usd <> 0 ORDER BY 1, 2, 3, 4, 5
	ON CONFLICT (workspace_id, span, at, model, step) DO UPDATE SET requests = h.requests + excluded.requests,
		prompt_tokens = h.prompt_tokens + excluded.prompt_tokens, completion_tokens = h.completion_tokens + excluded.completion_tokens,
		cost_usd = h.cost_usd + excluded.cost_usd;
	DELETE FROM analytics_llm_rollups h USING unnest(added || removed) f
	WHERE h.requests = 0 AND h.workspace_id = f.workspace_id AND h.at = date_trunc(h.span, f.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
		AND h.model = f.model AND h.step = f.step;
END $$;
--> statement-breakpoint
CREATE TRIGGER "analytics_llm_inserted" AFTER INSERT ON "llm_requests" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_llm_changed();
--> statement-breakpoint
CREATE TRIGGER "analytics_llm_updated" AFTER UPDATE ON "llm_requests" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_llm_changed();
--> statement-breakpoint
CREATE TRIGGER "analytics_llm_deleted" AFTER DELETE ON "llm_requests" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_llm_changed();
--> statement-breakpoint
-- API usage minutes folded into hours; flushes add onto a minute with INSERT … ON CONFLICT, which
-- fires the insert and the update triggers for the rows it inserted and updated.
CREATE FUNCTION "analytics_api_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM analytics_apply_api(array(SELECT row(workspace_id, minute, method, route, status_class, api_key_id, user_id, requests, total_ms)::analytics_api_fact FROM new_rows), '{}');
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM analytics_apply_api('{}', array(SELECT row(workspace_id, minute, method, route, status_class, api_key_id, user_id, requests, total_ms)::analytics_api_fact FROM old_rows));
	ELSE
		PERFORM analytics_apply_api(
			array(SELECT row(workspace_id, minute, method, route, status_class, api_key_id, user_id, requests, total_ms)::analytics_api_fact FROM new_rows),
			array(SELECT row(workspace_id, minute, method, route, status_class, api_key_id, user_id, requests, total_ms)::analytics_api_fact FROM old_rows));
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TYPE "analytics_api_fact" AS ("workspace_id" text, "minute" timestamp with time zone, "method" text, "route" text, "status_class" text, "api_key_id" text, "user_id" text, "requests" integer, "total_ms" real);
--> statement-breakpoint
CREATE FUNCTION "analytics_apply_api"("added" analytics_api_fact[], "removed" analytics_api_fact[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	WITH changed AS (
		SELECT f.*, 1 AS sign FROM unnest(added) f UNION ALL SELECT f.*, -1 FROM unnest(removed) f
	), delta AS (
		SELECT workspace_id, s.span, date_trunc(s.span, minute AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS at, method, route, status_class, api_key_id, user_id,
			sum(sign * requests) AS requests, sum(sign * total_ms::numeric) AS total_ms
		FROM changed CROSS JOIN (VALUES ('hour'), ('day')) AS s(span) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
	)
	INSERT INTO analytics_api_rollups AS h (workspace_id, span, at, method, route, status_class, api_key_id, user_id, requests, total_ms)
	SELECT * FROM delta WHERE requests <> 0 OR total_ms <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
	ON CONFLICT (workspace_id, span, at, method, route, status_class, api_key_id, user_id) DO UPDATE
	SET requests = h.requests + excluded.requests, total_ms = h.total_ms + excluded.total_ms;
	DELETE FROM analytics_api_rollups h USING unnest(added || removed) f
	WHERE h.requests = 0 AND h.workspace_id = f.workspace_id AND h.at = date_trunc(h.span, f.minute AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
		AND h.method = f.method AND h.route = f.route AND h.status_class = f.status_class AND h.api_key_id = f.api_key_id AND h.user_id = f.user_id;
END $$;
--> statement-breakpoint
CREATE TRIGGER "analytics_api_inserted" AFTER INSERT ON "api_usage_minutes" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_api_changed();
--> statement-breakpoint
CREATE TRIGGER "analytics_api_updated" AFTER UPDATE ON "api_usage_minutes" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_api_changed();
--> statement-breakpoint
CREATE TRIGGER "analytics_api_deleted" AFTER DELETE ON "api_usage_minutes" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analytics_api_changed();
--> statement-breakpoint
-- Rows written before this migration, aggregated straight from their tables.
INSERT INTO analytics_job_rollups (workspace_id, span, at, type, status, top_level, jobs, timed, seconds)
SELECT workspace_id, s.span, date_trunc(s.span, created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', type, status, parent_id IS NULL, count(*), count(finished_at),
	coalesce(sum(extract(epoch from (finished_at - coalesce(started_at, created_at)))), 0)
FROM jobs CROSS JOIN (VALUES ('hour'), ('day')) AS s(span) GROUP BY 1, 2, 3, 4, 5, 6;
--> statement-breakpoint
INSERT INTO analytics_duration_rollups (workspace_id, span, at, jobs, seconds)
SELECT workspace_id, s.span, date_trunc(s.span, finished_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', count(*), sum(extract(epoch from (finished_at - coalesce(started_at, created_at))))
FROM jobs CROSS JOIN (VALUES ('hour'), ('day')) AS s(span) WHERE status = 'succeeded' AND parent_id IS NULL AND finished_at IS NOT NULL GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO analytics_extraction_rollups (workspace_id, span, at, type, records, errors)
SELECT j.workspace_id, s.span, date_trunc(s.span, j.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', j.type, count(*) FILTER (WHERE r.error IS NULL), count(*) FILTER (WHERE r.error IS NOT NULL)
FROM extraction_results r JOIN jobs j ON j.id = r.job_id CROSS JOIN (VALUES ('hour'), ('day')) AS s(span) GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO analytics_llm_rollups (workspace_id, span, at, model, step, requests, prompt_tokens, completion_tokens, cost_usd)
SELECT workspace_id, s.span, date_trunc(s.span, created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', model, step, count(*), sum(prompt_tokens), sum(completion_tokens), coalesce(sum(cost_usd::numeric), 0)
FROM llm_requests CROSS JOIN (VALUES ('hour'), ('day')) AS s(span) GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO analytics_api_rollups (workspace_id, span, at, method, route, status_class, api_key_id, user_id, requests, total_ms)
SELECT workspace_id, s.span, date_trunc(s.span, minute AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', method, route, status_class, api_key_id, user_id, sum(requests), sum(total_ms::numeric)
FROM api_usage_minutes CROSS JOIN (VALUES ('hour'), ('day')) AS s(span) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
