import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { adminActorOf, adminErrors, adminOnly, adminTags } from '../admin/admin-routes.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { AppInstance } from '../http/app-instance.js';
import { problemResponses, problems } from '../http/problem.js';
import type { BackupFile } from './backup-store.js';
import type { BackupsService } from './backups.service.js';

const backupSchema = z.object({ name: z.string(), sizeBytes: z.number().int(), createdAt: z.iso.datetime() }).meta({ id: 'Backup' });

const toBackup = (file: BackupFile) => ({ name: file.name, sizeBytes: file.sizeBytes, createdAt: file.createdAt.toISOString() });

export function registerBackupRoutes(app: AppInstance, { service, audit }: { service: BackupsService; audit: AuditRepository }): void {
  app.get(
    '/api/v1/admin/backups',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Backups in the backup directory, newest first, and the schedule',
        response: {
          200: z.object({
            items: z.array(backupSchema),
            schedule: z.string().nullable().describe('BACKUP_SCHEDULE (cron), null when scheduled backups are off'),
            nextRunAt: z.iso.datetime().nullable(),
            retention: z.number().int(),
          }),
          ...adminErrors,
        },
      },
    },
    async () => {
      const next = service.nextScheduledRun();
      return {
        items: (await service.list()).map(toBackup),
        schedule: service.schedule,
        nextRunAt: next?.toISOString() ?? null,
        retention: service.retention,
      };
    },
  );

  app.post(
    '/api/v1/admin/backups',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Take a backup now (the database and instance files, as `siteprint backup` writes); answers when it is written',
        response: { 201: backupSchema, ...adminErrors, ...problemResponses(409) },
      },
    },
    async (request, reply) => reply.status(201).send(toBackup(await service.run('manual', adminActorOf(request).userId))),
  );

  app.get(
    '/api/v1/admin/backups/:name',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Download a backup (restore it with `siteprint restore FILE`); downloads are audited',
        params: z.object({ name: z.string().max(200) }),
        response: {
          200: { description: 'The backup archive (gzipped tar)', content: { 'application/gzip': { schema: z.string() } } },
          ...adminErrors,
        },
      },
    },
    async (request, reply) => {
      const file = await service.pathOf(request.params.name);
      if (!file) throw problems.notFound('Backup');
      const actor = adminActorOf(request);
      await audit.append({
        action: 'backup.downloaded',
        actorUserId: actor.userId,
        target: `backup:${request.params.name}`,
        ip: actor.ip,
        userAgent: actor.userAgent ?? null,
      });
      // Streamed, not read into memory; the zod type provider only knows the documented string body.
      const body = createReadStream(file) as unknown as string;
      return reply.type('application/gzip').header('content-disposition', `attachment; filename="${request.params.name}"`).send(body);
    },
  );
}
