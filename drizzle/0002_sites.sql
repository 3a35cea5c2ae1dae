CREATE TABLE "blueprint_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"site_id" uuid NOT NULL,
	"workspace_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"content_hash" text NOT NULL,
	"content" jsonb NOT NULL,
	"reason" text NOT NULL,
	"created_by_job" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "site_checks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"site_id" uuid NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"http_status" integer,
	"response_ms" integer,
	"coverage" real,
	"baseline_coverage" real,
	"health" text NOT NULL,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "site_pages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"site_id" uuid NOT NULL,
	"url" text NOT NULL,
	"final_url" text NOT NULL,
	"status" integer NOT NULL,
	"headers" jsonb NOT NULL,
	"html" text NOT NULL,
	"rendered" boolean DEFAULT false NOT NULL,
	"fetch_ms" integer NOT NULL,
	"page_type" text,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sites" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"url" text NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"health" text DEFAULT 'unknown' NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"schedule" text DEFAULT 'every 1d',
	"fingerprint" jsonb,
	"page_types" jsonb,
	"active_blueprint_id" uuid,
	"last_checked_at" timestamp with time zone,
	"next_check_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "blueprint_versions" ADD CONSTRAINT "blueprint_versions_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_checks" ADD CONSTRAINT "site_checks_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_pages" ADD CONSTRAINT "site_pages_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "blueprint_versions_site_version_idx" ON "blueprint_versions" USING btree ("site_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "blueprint_versions_site_hash_idx" ON "blueprint_versions" USING btree ("site_id","content_hash");--> statement-breakpoint
CREATE INDEX "site_checks_site_idx" ON "site_checks" USING btree ("site_id","checked_at");--> statement-breakpoint
CREATE UNIQUE INDEX "site_pages_site_url_idx" ON "site_pages" USING btree ("site_id","url");--> statement-breakpoint
CREATE UNIQUE INDEX "sites_workspace_url_idx" ON "sites" USING btree ("workspace_id","url");--> statement-breakpoint
CREATE INDEX "sites_workspace_created_idx" ON "sites" USING btree ("workspace_id","created_at","id");--> statement-breakpoint
CREATE INDEX "sites_next_check_idx" ON "sites" USING btree ("next_check_at") WHERE "sites"."schedule" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_parent_type_idx" ON "jobs" USING btree ("parent_id","type") WHERE "jobs"."parent_id" is not null;