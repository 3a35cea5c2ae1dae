import { z } from 'zod';
import type { AppInstance } from '../http/app-instance.js';
import { authOf, permissionsOf } from '../http/auth.js';
import { permissions } from '../http/route-context.js';
import { actorOf } from '../workspaces/workspaces.routes.js';
import type { ApiKeyRecord } from './api-keys.repository.js';
import type { ApiKeysService } from './api-keys.service.js';

const apiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().describe('The first characters of the secret'),
    scopes: z.array(z.string()),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiKey' });

const createdApiKeySchema = apiKeySchema
  .extend({ secret: z.string().describe('sp_…; shown only in this response, store it now') })
  .meta({ id: 'CreatedApiKey' });

const createBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    scopes: z.array(z.enum(permissions)).min(1).describe("Permission names; the key can do no more than these and its creator's role"),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

function toApiKey(key: ApiKeyRecord): z.infer<typeof apiKeySchema> {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
  };
}

export function registerApiKeyRoutes(app: AppInstance, { service }: { service: ApiKeysService }): void {
  const tags = ['api-keys'];

  app.post(
    '/api/v1/api-keys',
    {
      config: { permission: 'api-keys:manage' },
      schema: { tags, summary: 'Create an API key for the current workspace', body: createBody, response: { 201: createdApiKeySchema } },
    },
    async (request, reply) => {
      const { key, secret } = await service.create(actorOf(request), permissionsOf(request), {
        name: request.body.name,
        scopes: request.body.scopes,
        expiresAt: request.body.expiresAt ? new Date(request.body.expiresAt) : undefined,
      });
      return reply.status(201).send({ ...toApiKey(key), secret });
    },
  );

  app.get(
    '/api/v1/api-keys',
    {
      config: { permission: 'api-keys:manage' },
      schema: { tags, summary: 'Active API keys of the current workspace', response: { 200: z.object({ items: z.array(apiKeySchema) }) } },
    },
    async (request) => ({ items: (await service.list(authOf(request).workspaceId)).map(toApiKey) }),
  );

  app.delete(
    '/api/v1/api-keys/:keyId',
    {
      config: { permission: 'api-keys:manage' },
      schema: { tags, summary: 'Revoke an API key', params: z.object({ keyId: z.uuid() }), response: { 204: z.null() } },
    },
    async (request, reply) => {
      await service.revoke(actorOf(request), request.params.keyId);
      return reply.status(204).send(null);
    },
  );
}
