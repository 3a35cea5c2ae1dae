import { z } from 'zod';
import { workspaceRoles } from '../db/schema/index.js';
import type { AppInstance } from '../http/app.js';
import { rolePermissions, systemAdminPermissions } from '../http/permissions.js';
import { permissions } from '../http/route-context.js';
import { adminErrors, adminOnly, adminTags } from './admin-routes.js';
import type { SystemStatus } from './system-status.js';

const probe = { ok: z.boolean(), latencyMs: z.number().int(), error: z.string().nullable() };

const systemStatusSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    database: z.object({
      kind: z.enum(['pglite', 'postgres']),
      serverVersion: z.string().nullable(),
      ...probe,
      migrations: z.object({ applied: z.number().int(), available: z.number().int(), current: z.boolean() }),
    }),
    queue: z.object({
      backend: z.enum(['embedded', 'bullmq']),
      ...probe,
      queued: z.number().int(),
      running: z.number().int(),
      failed: z.number().int(),
      stalled: z.number().int().describe('Running jobs whose worker stopped renewing its lease'),
    }),
    redis: z.object({ configured: z.boolean(), ok: z.boolean().nullable(), latencyMs: z.number().int().nullable(), error: z.string().nullable() }),
    dataDir: z.object({ path: z.string(), bytes: z.number().int() }),
    versions: z.object({ siteprint: z.string(), node: z.string() }),
    startedAt: z.iso.datetime(),
    uptimeSeconds: z.number().int(),
  })
  .meta({ id: 'SystemStatus' });

const roleMatrixSchema = z
  .object({
    permissions: z.array(z.enum(permissions)),
    roles: z.array(z.object({ role: z.enum(workspaceRoles), permissions: z.array(z.enum(permissions)) })),
    systemAdmin: z.array(z.enum(permissions)).describe('Permissions that come with system administration, in any workspace'),
  })
  .meta({ id: 'RoleMatrix' });

export function registerAdminSystemRoutes(app: AppInstance, { status }: { status: SystemStatus }): void {
  app.get(
    '/api/v1/admin/system',
    {
      config: adminOnly,
      schema: { tags: adminTags, summary: 'Health of the database, queue and Redis; data-dir disk use; versions and uptime', response: { 200: systemStatusSchema, ...adminErrors } },
    },
    () => status.read(),
  );

  app.get(
    '/api/v1/admin/roles',
    {
      config: adminOnly,
      schema: { tags: adminTags, summary: 'The role × permission matrix every authorisation decision reads (read-only)', response: { 200: roleMatrixSchema, ...adminErrors } },
    },
    () => ({
      permissions: [...permissions],
      roles: workspaceRoles.map((role) => ({ role, permissions: permissions.filter((permission) => rolePermissions[role].has(permission)) })),
      systemAdmin: [...systemAdminPermissions],
    }),
  );
}
