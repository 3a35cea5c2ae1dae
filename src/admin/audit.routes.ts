import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { AppInstance } from '../http/app-instance.js';
import { decodeCursor, pageSchema, paginationQuery, toPage } from '../http/pagination.js';
import { adminActorOf, adminErrors, adminOnly, adminTags } from './admin-routes.js';
import { AUDIT_EXPORT_MAX, type AdminAuditService } from './admin-audit.service.js';
import type { AuditEntry, AuditFilters } from './audit-log.repository.js';

const auditEntry = z
  .object({
    id: z.uuid(),
    createdAt: z.iso.datetime(),
    action: z.string(),
    actorUserId: z.uuid().nullable(),
    workspaceId: z.uuid().nullable(),
    target: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });

const filters = {
  actor: z.uuid().optional().describe('User id of the actor'),
  action: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[\w.-]+$/)
    .optional()
    .describe('An action (login.failed), or a prefix ending in a dot (admin.)'),
  target: z.string().trim().min(1).max(200).optional().describe('e.g. user:<id>, backup:<file>'),
  workspace: z.uuid().optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('From this time (inclusive)'),
  to: z.iso.datetime({ offset: true }).optional().describe('Before this time'),
};

function filtersOf(query: {
  actor?: string;
  action?: string;
  target?: string;
  workspace?: string;
  from?: string;
  to?: string;
}): AuditFilters {
  return {
    actorUserId: query.actor,
    action: query.action,
    target: query.target,
    workspaceId: query.workspace,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
  };
}

function toEntry(row: AuditEntry): z.infer<typeof auditEntry> {
  return { ...row, createdAt: row.createdAt.toISOString(), details: row.details ?? null };
}

export function registerAdminAuditRoutes(app: AppInstance, { service }: { service: AdminAuditService }): void {
  app.get(
    '/api/v1/admin/audit',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'The audit log of the whole instance, newest first, filtered by actor, action, target, workspace and time',
        querystring: z.object({ ...filters, ...paginationQuery }),
        response: { 200: pageSchema(auditEntry), ...adminErrors },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const { rows, total } = await service.page(filtersOf(request.query), limit, decodeCursor(cursor));
      return toPage(rows, total, limit, toEntry, (row) => ({ value: row.createdAt.toISOString(), id: row.id }));
    },
  );

  app.get(
    '/api/v1/admin/audit/:id',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'One audit entry',
        params: z.object({ id: z.uuid() }),
        response: { 200: auditEntry, ...adminErrors },
      },
    },
    async (request) => toEntry(await service.get(request.params.id)),
  );

  app.get(
    '/api/v1/admin/audit/export',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: `The filtered audit log as CSV (at most ${AUDIT_EXPORT_MAX} rows, newest first); the export is itself audited`,
        querystring: z.object(filters),
        response: {
          200: { description: 'CSV with a header row (Content-Disposition: attachment)', content: { 'text/csv': { schema: z.string() } } },
          ...adminErrors,
        },
      },
    },
    async (request, reply) => {
      const rows = await service.export(adminActorOf(request), filtersOf(request.query), request.query);
      const csv = stringify(
        rows.map((row) => [
          row.createdAt.toISOString(),
          row.action,
          row.actorUserId,
          row.workspaceId,
          row.target,
          row.details ? JSON.stringify(row.details) : null,
          row.ip,
          row.userAgent,
          row.id,
        ]),
        { header: true, columns: ['time', 'action', 'actor_user_id', 'workspace_id', 'target', 'details', 'ip', 'user_agent', 'id'] },
      );
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit-log.csv"').send(csv);
    },
  );
}
