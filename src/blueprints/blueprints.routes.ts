import { z } from 'zod';
import { Blueprint, PageType, Source } from '../engine/blueprint/schema.js';
import type { AppInstance } from '../http/app-instance.js';
import { problemResponses } from '../http/problem.js';
import type { WorkspaceOf } from '../http/route-context.js';
import type { BlueprintVersionRecord } from './blueprints.repository.js';
import type { BlueprintsService } from './blueprints.service.js';

const siteParams = z.object({ id: z.uuid() });
const versionParams = siteParams.extend({ version: z.coerce.number().int().min(1) });

const versionSummary = z
  .object({
    id: z.uuid(),
    version: z.number().int(),
    reason: z.string().describe('analysis, repair, edit'),
    contentHash: z.string(),
    createdAt: z.string(),
    createdByJob: z.uuid().nullable(),
    active: z.boolean(),
  })
  .meta({ id: 'BlueprintVersionSummary' });
const versionDetail = versionSummary.extend({ content: Blueprint }).meta({ id: 'BlueprintVersion' });

const fieldChange = {
  pageType: z.string(),
  field: z.string(),
  scope: z.enum(['page', 'item']).describe('The page itself or the records of a listing'),
};
const versionRef = z.object({ version: z.number().int(), contentHash: z.string() });
/** The engine's BlueprintDiff. */
const blueprintDiff = z
  .object({
    from: versionRef,
    to: versionRef,
    identical: z.boolean(),
    pageTypesAdded: z.array(z.string()),
    pageTypesRemoved: z.array(z.string()),
    matchChanged: z.array(z.object({ pageType: z.string(), before: PageType.shape.match, after: PageType.shape.match })),
    fieldsAdded: z.array(z.object(fieldChange)),
    fieldsRemoved: z.array(z.object(fieldChange)),
    sourcesChanged: z.array(z.object({ ...fieldChange, before: z.array(Source), after: z.array(Source) })),
    propertiesChanged: z.array(
      z.object({
        ...fieldChange,
        property: z.enum(['type', 'multiple', 'required', 'mode', 'description']),
        before: z.unknown().optional().describe('Absent when the property was not set'),
        after: z.unknown().optional().describe('Absent when the property was removed'),
      }),
    ),
  })
  .meta({ id: 'BlueprintDiff' });

function summary(record: BlueprintVersionRecord, activeId: string | null): z.infer<typeof versionSummary> {
  return {
    id: record.id,
    version: record.version,
    reason: record.reason,
    contentHash: record.contentHash,
    createdAt: record.createdAt.toISOString(),
    createdByJob: record.createdByJob,
    active: record.id === activeId,
  };
}

export function registerBlueprintRoutes(app: AppInstance, deps: { service: BlueprintsService; workspaceOf: WorkspaceOf }): void {
  const { service, workspaceOf } = deps;

  app.get(
    '/api/v1/sites/:id/blueprint',
    {
      config: { permission: 'blueprints:read' },
      schema: { tags: ['blueprints'], summary: "The site's active blueprint", params: siteParams, response: { 200: versionDetail } },
    },
    async (request) => {
      const active = await service.active(workspaceOf(request), request.params.id);
      return { ...summary(active, active.id), content: active.content };
    },
  );

  app.get(
    '/api/v1/sites/:id/blueprints',
    {
      config: { permission: 'blueprints:read' },
      schema: {
        tags: ['blueprints'],
        summary: 'Version history, newest first',
        params: siteParams,
        response: { 200: z.object({ items: z.array(versionSummary) }) },
      },
    },
    async (request) => {
      const { versions, activeId } = await service.versions(workspaceOf(request), request.params.id);
      return { items: versions.map((version) => summary(version, activeId)) };
    },
  );

  app.get(
    '/api/v1/sites/:id/blueprints/diff',
    {
      config: { permission: 'blueprints:read' },
      schema: {
        tags: ['blueprints'],
        summary: 'What changed between two versions: page types and fields added, removed, sources changed',
        params: siteParams,
        querystring: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }),
        response: { 200: blueprintDiff },
      },
    },
    async (request) => service.diff(workspaceOf(request), request.params.id, request.query.from, request.query.to),
  );

  app.get(
    '/api/v1/sites/:id/blueprints/:version',
    {
      config: { permission: 'blueprints:read' },
      schema: { tags: ['blueprints'], summary: 'One version', params: versionParams, response: { 200: versionDetail } },
    },
    async (request) => {
      const workspaceId = workspaceOf(request);
      const record = await service.version(workspaceId, request.params.id, request.params.version);
      const { activeId } = await service.versions(workspaceId, request.params.id);
      return { ...summary(record, activeId), content: record.content };
    },
  );

  app.get(
    '/api/v1/sites/:id/blueprint/export',
    {
      config: { permission: 'blueprints:read' },
      schema: {
        tags: ['blueprints'],
        summary: 'Download the active (or a given) version as JSON, YAML or CSV (a row per field)',
        params: siteParams,
        querystring: z.object({
          format: z.enum(['json', 'yaml', 'csv']).default('json'),
          version: z.coerce.number().int().min(1).optional(),
        }),
        response: {
          200: {
            description: 'The blueprint as a file to save (Content-Disposition: attachment)',
            content: {
              'application/json': { schema: Blueprint },
              'application/yaml': { schema: z.string() },
              'text/csv': { schema: z.string().describe('A header row, then a row per field') },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { format, version } = request.query;
      const exported = await service.export(workspaceOf(request), request.params.id, format, version);
      return reply
        .type(exported.contentType)
        .header('content-disposition', `attachment; filename="blueprint-v${exported.version}.${format}"`)
        .send(exported.body);
    },
  );

  app.post(
    '/api/v1/sites/:id/blueprints/:version/rollback',
    {
      config: { permission: 'blueprints:write' },
      schema: {
        tags: ['blueprints'],
        summary: 'Make an earlier version the active one',
        params: versionParams,
        response: { 200: versionSummary },
      },
    },
    async (request) => {
      const target = await service.rollback(workspaceOf(request), request.params.id, request.params.version);
      return summary(target, target.id);
    },
  );

  app.patch(
    '/api/v1/sites/:id/blueprint',
    {
      config: { permission: 'blueprints:write' },
      schema: {
        tags: ['blueprints'],
        summary: 'Edit page types, fields and sources; saved as a new version only if it passes its test on the sampled pages',
        params: siteParams,
        body: z.object({ pageTypes: z.array(PageType).min(1) }),
        response: { 200: versionSummary.extend({ created: z.boolean() }), ...problemResponses(422) },
      },
    },
    async (request) => {
      const { version, created } = await service.edit(workspaceOf(request), request.params.id, request.body.pageTypes);
      return { ...summary(version, version.id), created };
    },
  );
}
