import { hostname } from 'node:os';
import { z } from 'zod';
import type { AuditRepository } from '../audit/audit.repository.js';
import { domainErrors } from '../domain/errors.js';
import type { AppInstance } from '../http/app-instance.js';
import type { CacheRegistry } from '../system/cache-registry.js';
import { adminActorOf, adminErrors, adminOnly, adminTags } from './admin-routes.js';

const cacheSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    entries: z.number().int(),
    hits: z.number().int(),
    misses: z.number().int(),
    hitRate: z.number().min(0).max(1).nullable().describe('hits / (hits + misses) since the process started; null before any lookup'),
  })
  .meta({ id: 'CacheStatus' });

const processSchema = z
  .object({ host: z.string(), pid: z.number().int() })
  .describe('The API process that answered: the figures are its own, each process keeps its caches');

const cacheName = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a cache name such as robots-txt');

/** The caches of the process answering, and clearing one in every process of the instance (audited). */
export function registerAdminCacheRoutes(app: AppInstance, { caches, audit }: { caches: CacheRegistry; audit: AuditRepository }): void {
  const thisProcess = { host: hostname(), pid: process.pid };

  app.get(
    '/api/v1/admin/caches',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: "What the platform caches in memory, with entries and hit rates (this API process's figures)",
        response: { 200: z.object({ items: z.array(cacheSchema), process: processSchema }), ...adminErrors },
      },
    },
    () => ({ items: caches.list(), process: thisProcess }),
  );

  app.post(
    '/api/v1/admin/caches/:name/clear',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Empty a cache in every API and worker process (announced through the database); it fills again on use',
        params: z.object({ name: cacheName }),
        response: {
          200: z
            .object({
              name: z.string(),
              dropped: z
                .number()
                .int()
                .describe('Entries dropped by the process that answered; the others clear theirs on the announcement'),
              process: processSchema,
            })
            .meta({ id: 'CacheCleared' }),
          ...adminErrors,
        },
      },
    },
    async (request) => {
      const { name } = request.params;
      if (!caches.has(name)) throw domainErrors.notFound('Cache');
      const dropped = await caches.clearEverywhere(name);
      const actor = adminActorOf(request);
      await audit.append({
        action: 'admin.cache-cleared',
        actorUserId: actor.userId,
        target: `cache:${name}`,
        details: { dropped, host: thisProcess.host, pid: thisProcess.pid },
        ip: actor.ip,
        userAgent: actor.userAgent ?? null,
      });
      return { name, dropped, process: thisProcess };
    },
  );
}
