import { z } from 'zod';
import type { BlueprintVersionRecord } from '../blueprints/blueprints.repository.js';
import { domainErrors } from '../domain/errors.js';
import { periodQuery, timeseriesQuery } from '../analytics/analytics.routes.js';
import { decodeCursor, paginationQuery, toPage } from '../http/pagination.js';
import { jobListCursor, listJobsFilter, toJobSummary } from '../jobs/jobs.schemas.js';
import type { JobRecord } from '../queue/index.js';
import type { SiteListRow, SiteRecord, SiteSort } from '../sites/sites.repository.js';
import { siteListCursor, toSiteSummary } from '../sites/sites.routes.js';
import { listSitesQuery } from '../sites/sites.schemas.js';
import { requirePermission, type GraphqlContext } from './context.js';

/** A site as GraphQL resolves it: the list's summary, with the full record when it was read already. */
type SiteNode = SiteListRow & { record?: SiteRecord };
type JobNode = ReturnType<typeof toJobSummary> & { payload: unknown; result: unknown };

const SORTS: Record<string, SiteSort> = { CREATED_AT: 'createdAt', CREATED_AT_DESC: '-createdAt', NAME: 'name', NAME_DESC: '-name' };

/** GraphQL hands explicit nulls to resolvers; the REST schemas they are checked with mean "absent" by undefined. */
function present(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== null && value !== undefined));
}

/** Checks arguments with the REST route's own schema, so both APIs accept and refuse the same values. */
function parseArgs<Schema extends z.ZodType>(schema: Schema, args: Record<string, unknown>): z.infer<Schema> {
  const parsed = schema.safeParse(present(args));
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ in: 'arguments', path: `/${issue.path.join('/')}`, message: issue.message }));
  throw domainErrors.invalid(issues.map((issue) => `${issue.path.slice(1)}: ${issue.message}`).join('; '), issues);
}

const siteListArgs = listSitesQuery.extend(paginationQuery);
const jobListArgs = listJobsFilter.extend({ topLevel: z.boolean().optional() }).extend(paginationQuery);
const childListArgs = z.object({ limit: paginationQuery.limit });
const idArgs = z.object({ id: z.uuid() });
const summaryArgs = z.object(periodQuery);
const timeseriesArgs = z.object(timeseriesQuery);

function siteNode(site: SiteRecord): SiteNode {
  return { ...toSiteSummary(site), record: site };
}

function jobNode(job: JobRecord): JobNode {
  return { ...toJobSummary(job), payload: job.payload, result: job.result ?? null };
}

/** The full record of a site node, read once per request for all the sites that need it. */
async function recordOf(site: SiteNode, context: GraphqlContext): Promise<SiteRecord | null> {
  return site.record ?? context.loaders.site.load(site.id);
}

type Args = Record<string, unknown>;
/** The field resolvers of one GraphQL type, whose parent objects are `Parent`. */
type FieldResolvers<Parent> = Record<string, (parent: Parent, args: Args, context: GraphqlContext) => unknown>;

export const resolvers = {
  Query: {
    async sites(_root: unknown, args: Args, context: GraphqlContext) {
      requirePermission(context, 'sites:read');
      const { limit, cursor, sort, ...filter } = parseArgs(siteListArgs, { ...args, sort: SORTS[args.sort as string] });
      const page = await context.services.sites.list(context.workspaceId, filter, { limit, sort, after: decodeCursor(cursor) });
      return toPage(page.rows, page.total, limit, (row): SiteNode => row, siteListCursor(sort));
    },
    async site(_root: unknown, args: Args, context: GraphqlContext) {
      requirePermission(context, 'sites:read');
      const { id } = parseArgs(idArgs, args);
      const site = await context.loaders.site.load(id);
      return site ? siteNode(site) : null;
    },
    async jobs(_root: unknown, args: Args, context: GraphqlContext) {
      requirePermission(context, 'jobs:read');
      const { cursor, ...filter } = parseArgs(jobListArgs, args);
      const { rows, total } = await context.services.jobs.list(context.workspaceId, { ...filter, before: decodeCursor(cursor) });
      return toPage(rows, total, filter.limit, jobNode, jobListCursor);
    },
    async job(_root: unknown, args: Args, context: GraphqlContext) {
      requirePermission(context, 'jobs:read');
      const { id } = parseArgs(idArgs, args);
      const job = await context.loaders.job.load(id);
      return job ? jobNode(job) : null;
    },
    analytics(_root: unknown, _args: Args, context: GraphqlContext) {
      requirePermission(context, 'jobs:read');
      return {};
    },
  } satisfies FieldResolvers<unknown>,

  Site: {
    async nextCheckAt(site: SiteNode, _args: Args, context: GraphqlContext) {
      return (await recordOf(site, context))?.nextCheckAt?.toISOString() ?? null;
    },
    async fingerprint(site: SiteNode, _args: Args, context: GraphqlContext) {
      const technologies = (await recordOf(site, context))?.fingerprint?.technologies;
      // Stored fingerprints may predate the defaults the REST schema fills in; GraphQL shows the same values.
      return (
        technologies?.map((technology) => ({
          ...technology,
          version: technology.version ?? null,
          categories: technology.categories ?? [],
          confidence: technology.confidence ?? 100,
        })) ?? null
      );
    },
    async pageTypes(site: SiteNode, _args: Args, context: GraphqlContext) {
      return (await recordOf(site, context))?.pageTypes ?? null;
    },
    async lastCheck(site: SiteNode, _args: Args, context: GraphqlContext) {
      const check = await context.loaders.lastCheck.load(site.id);
      return check ? { ...check, checkedAt: check.checkedAt.toISOString() } : null;
    },
    async activeBlueprint(site: SiteNode, _args: Args, context: GraphqlContext) {
      requirePermission(context, 'blueprints:read');
      return context.loaders.activeBlueprint.load(site.id);
    },
    async blueprintVersions(site: SiteNode, args: Args, context: GraphqlContext) {
      requirePermission(context, 'blueprints:read');
      const { limit } = parseArgs(childListArgs, args);
      return (await context.loaders.blueprintVersions.load(site.id)).slice(0, limit);
    },
    async latestJob(site: SiteNode, args: Args, context: GraphqlContext) {
      requirePermission(context, 'jobs:read');
      const { type } = parseArgs(listJobsFilter.pick({ type: true }), args);
      const job = await context.loaders.latestJob(type).load(site.id);
      return job ? jobNode(job) : null;
    },
  } satisfies FieldResolvers<SiteNode>,

  BlueprintVersion: {
    createdAt: (version: BlueprintVersionRecord) => version.createdAt.toISOString(),
    async active(version: BlueprintVersionRecord, _args: Args, context: GraphqlContext) {
      return (await context.loaders.site.load(version.siteId))?.activeBlueprintId === version.id;
    },
    async createdByJob(version: BlueprintVersionRecord, _args: Args, context: GraphqlContext) {
      if (!version.createdByJob) return null;
      requirePermission(context, 'jobs:read');
      const job = await context.loaders.job.load(version.createdByJob);
      return job ? jobNode(job) : null;
    },
    coverage: (version: BlueprintVersionRecord) => version.content.validation?.coverage ?? null,
    quality: (version: BlueprintVersionRecord) => version.content.validation?.quality ?? null,
    pageTypes: (version: BlueprintVersionRecord) =>
      version.content.pageTypes.map((pageType) => ({
        name: pageType.name,
        label: pageType.label ?? null,
        kind: pageType.kind,
        dataType: pageType.dataType ?? null,
        urlPattern: pageType.match.urlPattern,
        examples: pageType.match.examples,
        listItem: pageType.list?.item ?? null,
        fields: [
          ...pageType.fields.map((field) => ({ ...field, scope: 'page' })),
          ...(pageType.list?.fields ?? []).map((field) => ({ ...field, scope: 'item' })),
        ].map((field) => ({ ...field, coverage: field.quality?.coverage ?? null, confidence: field.quality?.confidence ?? null })),
      })),
  } satisfies FieldResolvers<BlueprintVersionRecord>,

  Job: {
    async site(job: JobNode, _args: Args, context: GraphqlContext) {
      if (!job.siteId) return null;
      requirePermission(context, 'sites:read');
      const site = await context.loaders.site.load(job.siteId);
      return site ? siteNode(site) : null;
    },
    async steps(job: JobNode, args: Args, context: GraphqlContext) {
      const { limit } = parseArgs(childListArgs, args);
      return (await context.loaders.steps.load(job.id)).slice(0, limit).map(jobNode);
    },
  } satisfies FieldResolvers<JobNode>,

  Analytics: {
    summary(_parent: unknown, args: Args, context: GraphqlContext) {
      return context.services.analytics.summary(viewerOf(context), parseArgs(summaryArgs, args));
    },
    async timeseries(_parent: unknown, args: Args, context: GraphqlContext) {
      const query = parseArgs(timeseriesArgs, args);
      const series = await context.services.analytics.timeseries(viewerOf(context), query);
      return {
        ...series,
        points: series.points.map((point) => ({
          at: point.at,
          values: Object.entries(point.values).map(([key, value]) => ({ key, value })),
        })),
      };
    },
  } satisfies FieldResolvers<unknown>,
};

function viewerOf(context: GraphqlContext) {
  return { workspaceId: context.workspaceId, systemAdmin: context.auth.systemAdmin };
}
