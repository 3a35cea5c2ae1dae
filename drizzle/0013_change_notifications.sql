-- Every committed change that can make a cached answer wrong is announced on one channel, so each API
-- process drops what it remembered (src/db/change-feed.ts). The database announces it, not the code, so
-- writers in any process (API, workers, CLI) and cascades are covered. Payloads: "sites <workspace id>"
-- for a site's row (the sites list), "access" for sessions, users, workspaces and memberships (what the
-- auth hook reads). NOTIFY is sent at commit, and repeats within one transaction are sent once.
CREATE FUNCTION "notify_site_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('siteprint_changes', 'sites ' || (CASE WHEN TG_OP = 'DELETE' THEN OLD.workspace_id ELSE NEW.workspace_id END)::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "notify_access_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('siteprint_changes', 'access');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "sites_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "sites" FOR EACH ROW EXECUTE FUNCTION "notify_site_change"();
--> statement-breakpoint
CREATE TRIGGER "refresh_tokens_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "refresh_tokens" FOR EACH STATEMENT EXECUTE FUNCTION "notify_access_change"();
--> statement-breakpoint
CREATE TRIGGER "users_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "users" FOR EACH STATEMENT EXECUTE FUNCTION "notify_access_change"();
--> statement-breakpoint
CREATE TRIGGER "workspaces_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "workspaces" FOR EACH STATEMENT EXECUTE FUNCTION "notify_access_change"();
--> statement-breakpoint
CREATE TRIGGER "memberships_notify_change" AFTER INSERT OR UPDATE OR DELETE ON "memberships" FOR EACH STATEMENT EXECUTE FUNCTION "notify_access_change"();
