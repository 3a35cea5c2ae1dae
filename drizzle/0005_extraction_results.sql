CREATE TABLE "extraction_results" (
	"job_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"url" text NOT NULL,
	"page_type" text,
	"data" jsonb NOT NULL,
	"error" text,
	CONSTRAINT "extraction_results_job_id_position_pk" PRIMARY KEY("job_id","position")
);
--> statement-breakpoint
ALTER TABLE "extraction_results" ADD CONSTRAINT "extraction_results_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;