import { z } from 'zod';
import { workspaceRoles } from '../db/schema/index.js';
import type { AppInstance } from '../http/app-instance.js';
import { rolePermissions, systemAdminPermissions } from '../http/permissions.js';
import { recentLogs } from '../logging/log-ring.js';
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
    redis: z.object({
      configured: z.boolean(),
      ok: z.boolean().nullable(),
      latencyMs: z.number().int().nullable(),
      error: z.string().nullable(),
    }),
    workers: z.object({
      items: z.array(
        z
          .object({
            id: z.string(),
            queue: z.enum(['embedded', 'bullmq']),
            host: z.string(),
            pid: z.number().int(),
            version: z.string(),
            concurrency: z.number().int().describe('Jobs it runs at once, all job types together'),
            jobsRunning: z.number().int().describe('At its last beat'),
            startedAt: z.iso.datetime(),
            lastBeatAt: z.iso.datetime(),
            stale: z.boolean().describe('No beat for staleAfterSeconds: the process stopped or is stuck'),
          })
          .meta({ id: 'WorkerHeartbeat' }),
      ),
      staleAfterSeconds: z.number().int(),
    }),
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

const logLevels = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
const levelNames = Object.fromEntries(Object.entries(logLevels).map(([name, value]) => [value, name]));

const logLineSchema = z
  .object({
    level: z.string(),
    time: z.string().nullable(),
    msg: z.string().nullable(),
    requestId: z.string().nullable(),
    jobId: z.string().nullable(),
    line: z.record(z.string(), z.unknown()).describe('The whole structured line, credentials already redacted'),
  })
  .meta({ id: 'LogLine' });

export function registerAdminSystemRoutes(app: AppInstance, { status }: { status: SystemStatus }): void {
  app.get(
    '/api/v1/admin/system',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: "Health of the database, queue and Redis; the workers' heartbeats; data-dir disk use; versions and uptime",
        response: { 200: systemStatusSchema, ...adminErrors },
      },
    },
    () => status.read(),
  );

  app.get(
    '/api/v1/admin/logs',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: "This API process's most recent log lines (a bounded ring), newest first, by level, request id, job id or text",
        querystring: z.object({
          level: z
            .enum(Object.keys(logLevels) as [keyof typeof logLevels])
            .optional()
            .describe('This level and above'),
          requestId: z.string().max(200).optional(),
          jobId: z.uuid().optional(),
          q: z.string().trim().min(1).max(200).optional().describe('Part of the message'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ items: z.array(logLineSchema), capacity: z.number().int() }), ...adminErrors },
      },
    },
    (request) => {
      const { level, requestId, jobId, q, limit } = request.query;
      const lines = recentLogs.search({ minLevel: level ? logLevels[level] : undefined, requestId, jobId, text: q, limit });
      return {
        items: lines.map((line) => ({ ...line, level: levelNames[line.level] ?? String(line.level) })),
        capacity: recentLogs.capacity,
      };
    },
  );

  app.get(
    '/api/v1/admin/roles',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'The role × permission matrix every authorisation decision reads (read-only)',
        response: { 200: roleMatrixSchema, ...adminErrors },
      },
    },
    () => ({
      permissions: [...permissions],
      roles: workspaceRoles.map((role) => ({
        role,
        permissions: permissions.filter((permission) => rolePermissions[role].has(permission)),
      })),
      systemAdmin: [...systemAdminPermissions],
    }),
  );
}
