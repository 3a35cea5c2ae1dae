import { z } from 'zod';
import { workspaceRoles } from '../db/schema/index.js';
import type { AppInstance } from '../http/app-instance.js';
import { problemResponses } from '../http/problem.js';
import { adminActorOf, adminErrors, adminOnly, adminTags } from './admin-routes.js';
import type { AdminWorkspacesService } from './admin-workspaces.service.js';

const paging = { limit: z.coerce.number().int().min(1).max(100).default(25), offset: z.coerce.number().int().min(0).default(0) };
const iso = (date: Date | null) => date?.toISOString() ?? null;

const adminWorkspace = z
  .object({
    id: z.uuid(),
    name: z.string(),
    personal: z.boolean(),
    createdAt: z.iso.datetime(),
    suspendedAt: z.iso.datetime().nullable().describe('Set while the workspace is suspended'),
    suspendedReason: z.string().nullable(),
    members: z.number().int(),
    sites: z.number().int(),
    jobsThisMonth: z.number().int().describe('Top-level jobs started this calendar month (UTC)'),
    llmCostThisMonthUsd: z.number(),
  })
  .meta({ id: 'AdminWorkspace' });

const adminApiKey = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.string()),
    workspace: z.object({ id: z.uuid(), name: z.string() }),
    owner: z.object({ id: z.uuid(), email: z.string() }),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'AdminApiKey' });

export function registerAdminWorkspaceRoutes(app: AppInstance, { service }: { service: AdminWorkspacesService }): void {
  app.get(
    '/api/v1/admin/workspaces',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: "Every workspace with its members, sites and this month's usage",
        querystring: z.object({ q: z.string().trim().min(1).max(200).optional().describe('Part of the name'), ...paging }),
        response: { 200: z.object({ items: z.array(adminWorkspace), total: z.number().int() }), ...adminErrors },
      },
    },
    async (request) => {
      const page = await service.list(request.query);
      return {
        items: page.items.map((row) => ({ ...row, createdAt: row.createdAt.toISOString(), suspendedAt: iso(row.suspendedAt) })),
        total: page.total,
      };
    },
  );

  app.post(
    '/api/v1/admin/workspaces/:id/suspend',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary:
          'Suspend a workspace: members may only read it (403 workspace-suspended otherwise), its API keys are refused, its schedules skip it and its jobs are cancelled when a worker reaches them',
        params: z.object({ id: z.uuid() }),
        body: z.object({ reason: z.string().trim().min(1).max(500).describe('Shown to its members and kept in the audit log') }),
        response: { 204: z.null(), ...adminErrors },
      },
    },
    async (request, reply) => {
      await service.suspend(adminActorOf(request), request.params.id, request.body.reason);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/admin/workspaces/:id/unsuspend',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Lift a suspension; jobs cancelled meanwhile stay cancelled',
        params: z.object({ id: z.uuid() }),
        response: { 204: z.null(), ...adminErrors, ...problemResponses(409) },
      },
    },
    async (request, reply) => {
      await service.unsuspend(adminActorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/admin/workspaces/:id/members',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: "A workspace's members and their roles",
        params: z.object({ id: z.uuid() }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                userId: z.uuid(),
                email: z.string(),
                name: z.string(),
                role: z.enum(workspaceRoles),
                joinedAt: z.iso.datetime(),
                disabled: z.boolean(),
              }),
            ),
          }),
          ...adminErrors,
        },
      },
    },
    async (request) => {
      const members = await service.members(request.params.id);
      return {
        items: members.map(({ disabledAt, joinedAt, ...member }) => ({
          ...member,
          joinedAt: joinedAt.toISOString(),
          disabled: disabledAt !== null,
        })),
      };
    },
  );

  app.get(
    '/api/v1/admin/api-keys',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'API keys of every workspace with owner, scopes and last use (never the secret)',
        querystring: z.object({ status: z.enum(['active', 'revoked']).optional(), ...paging }),
        response: { 200: z.object({ items: z.array(adminApiKey), total: z.number().int() }), ...adminErrors },
      },
    },
    async (request) => {
      const page = await service.apiKeys(request.query);
      return {
        items: page.items.map((key) => ({
          id: key.id,
          name: key.name,
          prefix: key.prefix,
          scopes: key.scopes,
          workspace: { id: key.workspaceId, name: key.workspaceName },
          owner: { id: key.ownerId, email: key.ownerEmail },
          createdAt: key.createdAt.toISOString(),
          lastUsedAt: iso(key.lastUsedAt),
          expiresAt: iso(key.expiresAt),
          revokedAt: iso(key.revokedAt),
        })),
        total: page.total,
      };
    },
  );

  app.post(
    '/api/v1/admin/api-keys/:id/revoke',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Revoke any active API key; it stops working at once',
        params: z.object({ id: z.uuid() }),
        response: { 204: z.null(), ...adminErrors },
      },
    },
    async (request, reply) => {
      await service.revokeApiKey(adminActorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
