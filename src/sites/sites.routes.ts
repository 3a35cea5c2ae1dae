import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AppInstance } from '../http/app-instance.js';
import { decodeCursor, pageSchema, paginationQuery, toPage, type Cursor } from '../http/pagination.js';
import { problemResponses } from '../http/problem.js';
import { sendSerialized, serializedOnce } from '../http/serialized-once.js';
import type { WorkspaceOf } from '../http/route-context.js';
import { toJobSummary } from '../jobs/jobs.schemas.js';
import type { SiteListRow, SiteRecord, SiteSort } from './sites.repository.js';
import {
  batchCreateBody,
  batchDeleteBody,
  batchResult,
  createSiteBody,
  listSitesQuery,
  siteDetail,
  siteCheck,
  siteIdParams,
  siteSummary,
  startedJob,
  updateSiteBody,
} from './sites.schemas.js';
import type { SitesService } from './sites.service.js';

export interface SiteRoutesDeps {
  service: SitesService;
  workspaceOf: WorkspaceOf;
}

function technologies(site: SiteRecord): string[] {
  const found = site.fingerprint?.technologies ?? [];
  return found.map((technology) => String(technology.name));
}

export function toSiteSummary(site: SiteRecord): z.infer<typeof siteSummary> {
  return summaryOf({
    ...site,
    technologies: technologies(site),
    lastCheckedAt: site.lastCheckedAt?.toISOString() ?? null,
    createdAt: site.createdAt.toISOString(),
    updatedAt: site.updatedAt.toISOString(),
  });
}

function summaryOf(site: SiteListRow): z.infer<typeof siteSummary> {
  return {
    id: site.id,
    url: site.url,
    name: site.name,
    status: site.status,
    health: site.health,
    technologies: site.technologies,
    schedule: site.schedule,
    lastCheckedAt: site.lastCheckedAt,
    createdAt: site.createdAt,
    updatedAt: site.updatedAt,
  };
}

/** Where a page of the sites list ends, for the next page's cursor: the sort key and the id. */
export function siteListCursor(sort: SiteSort): (site: SiteListRow) => Cursor {
  const key = sort.endsWith('name') ? (site: SiteListRow) => site.name.toLowerCase() : (site: SiteListRow) => site.createdAt;
  return (site) => ({ value: key(site), id: site.id });
}

/** Reads a site as the API shows it in full: with its active blueprint and latest health check. */
export function siteDetailReader(service: Pick<SitesService, 'detailOf'>) {
  return async (record: SiteRecord): Promise<z.infer<typeof siteDetail>> => {
    const { site, blueprint, lastCheck: check } = await service.detailOf(record);
    const content = blueprint?.content;
    return {
      ...toSiteSummary(site),
      options: site.options,
      fingerprint: site.fingerprint ?? null,
      pageTypes: site.pageTypes ?? null,
      activeBlueprint: blueprint
        ? {
            id: blueprint.id,
            version: blueprint.version,
            createdAt: blueprint.createdAt.toISOString(),
            fields: content!.pageTypes.reduce((sum, type) => sum + type.fields.length + (type.list?.fields.length ?? 0), 0),
            coverage: content!.validation?.coverage ?? null,
            quality: content!.validation?.quality ?? null,
          }
        : null,
      lastCheck: check
        ? {
            checkedAt: check.checkedAt.toISOString(),
            health: check.health,
            httpStatus: check.httpStatus,
            responseMs: check.responseMs,
            coverage: check.coverage,
          }
        : null,
      nextCheckAt: site.nextCheckAt?.toISOString() ?? null,
    };
  };
}

export function registerSiteRoutes(app: AppInstance, deps: SiteRoutesDeps): void {
  const { service, workspaceOf } = deps;
  const detail = siteDetailReader(service);

  app.post(
    '/api/v1/sites',
    {
      config: { permission: 'sites:write', idempotent: true },
      schema: {
        tags: ['sites'],
        summary: 'Add a site and start its analysis',
        description:
          'The host is resolved first: a URL whose host is or resolves to a private, loopback, link-local or otherwise non-public address is refused with 422 (blocked-address) unless the server runs with ALLOW_PRIVATE_NETWORK=true.',
        headers: z.object({ 'idempotency-key': z.string().optional() }),
        body: createSiteBody,
        response: { 201: startedJob, ...problemResponses(409, 422) },
      },
    },
    async (request, reply) => {
      const { site, analysis } = await service.create(workspaceOf(request), request.body);
      return reply.status(201).send({ site: await detail(site), job: toJobSummary(analysis) });
    },
  );

  // The page stays the same object while the workspace's sites are unchanged (SiteListCache).
  const listBody = serializedOnce(pageSchema(siteSummary), { method: 'GET', url: '/api/v1/sites' });
  app.get(
    '/api/v1/sites',
    {
      config: { permission: 'sites:read' },
      schema: {
        tags: ['sites'],
        summary: 'List sites, newest first by default',
        description:
          'Answers carry an ETag; send it back in If-None-Match to get 304 Not Modified while the page is unchanged (dashboards polling the list).',
        headers: z.object({ 'if-none-match': z.string().optional() }),
        querystring: listSitesQuery.extend(paginationQuery),
        response: { 200: pageSchema(siteSummary), 304: z.null().describe('The page is unchanged since the ETag sent in If-None-Match') },
      },
    },
    async (request, reply) => {
      const { limit, cursor, sort, ...filter } = request.query;
      const page = await service.list(workspaceOf(request), filter, { limit, sort, after: decodeCursor(cursor) });
      const body = listBody(page, () => toPage(page.rows, page.total, limit, summaryOf, siteListCursor(sort)));
      return sendSerialized(request, reply as FastifyReply, body);
    },
  );

  app.get(
    '/api/v1/sites/:id',
    {
      config: { permission: 'sites:read' },
      schema: {
        tags: ['sites'],
        summary: 'A site with its fingerprint, page types, blueprint and health',
        params: siteIdParams,
        response: { 200: siteDetail },
      },
    },
    async (request) => detail(await service.get(workspaceOf(request), request.params.id)),
  );

  app.patch(
    '/api/v1/sites/:id',
    {
      config: { permission: 'sites:write' },
      schema: { tags: ['sites'], summary: 'Change a site', params: siteIdParams, body: updateSiteBody, response: { 200: siteDetail } },
    },
    async (request) => detail(await service.update(workspaceOf(request), request.params.id, request.body)),
  );

  app.delete(
    '/api/v1/sites/:id',
    {
      config: { permission: 'sites:write' },
      schema: { tags: ['sites'], summary: 'Delete a site, cancelling its jobs', params: siteIdParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      const workspaceId = workspaceOf(request);
      await service.get(workspaceId, request.params.id);
      await service.delete(workspaceId, [request.params.id]);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/sites/:id/checks',
    {
      config: { permission: 'sites:read' },
      schema: {
        tags: ['sites'],
        summary: 'Health history: the latest checks first (status, response time, field coverage against the baseline)',
        params: siteIdParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: z.object({ items: z.array(siteCheck) }) },
      },
    },
    async (request) => {
      const checks = await service.checks(workspaceOf(request), request.params.id, request.query.limit);
      return {
        items: checks.map((check) => ({
          checkedAt: check.checkedAt.toISOString(),
          health: check.health,
          httpStatus: check.httpStatus,
          responseMs: check.responseMs,
          coverage: check.coverage,
          baselineCoverage: check.baselineCoverage,
        })),
      };
    },
  );

  app.post(
    '/api/v1/sites/:id/analyze',
    {
      config: { permission: 'sites:write' },
      schema: {
        tags: ['sites'],
        summary: 'Analyse the site again',
        params: siteIdParams,
        response: { 202: startedJob, ...problemResponses(409) },
      },
    },
    async (request, reply) => {
      const { site, analysis } = await service.reanalyze(workspaceOf(request), request.params.id);
      return reply.status(202).send({ site: await detail(site), job: toJobSummary(analysis) });
    },
  );

  app.post(
    '/api/v1/sites/batch',
    {
      config: { permission: 'sites:write', idempotent: true },
      schema: {
        tags: ['sites'],
        summary: 'Add up to 1000 sites; each gets its own result',
        description:
          'A URL that is not valid, or whose host is a non-public address (see POST /api/v1/sites), gets status invalid with the reason.',
        headers: z.object({ 'idempotency-key': z.string().optional() }),
        body: batchCreateBody,
        response: { 200: batchResult },
      },
    },
    async (request) => ({ results: await service.createBatch(workspaceOf(request), request.body.sites) }),
  );

  app.post(
    '/api/v1/sites/batch-delete',
    {
      config: { permission: 'sites:write' },
      schema: {
        tags: ['sites'],
        summary: 'Delete several sites; ids of other workspaces are ignored',
        body: batchDeleteBody,
        response: { 200: z.object({ deleted: z.array(z.uuid()) }) },
      },
    },
    async (request) => ({ deleted: await service.delete(workspaceOf(request), request.body.ids) }),
  );
}
