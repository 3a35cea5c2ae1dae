import { z } from 'zod';
import type { AppInstance } from '../http/app-instance.js';
import { problemResponses } from '../http/problem.js';
import { workspaceRoles } from '../db/schema/index.js';
import { adminActorOf, adminErrors, adminOnly, adminTags } from './admin-routes.js';
import type { AdminUserDetail, AdminUserRow } from './admin-users.repository.js';
import type { AdminUsersService } from './admin-users.service.js';

const adminUser = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    systemAdmin: z.boolean(),
    emailVerified: z.boolean(),
    disabled: z.boolean(),
    disabledAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    lastSignInAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'AdminUser' });

const adminUserDetail = adminUser
  .extend({
    workspaces: z.array(z.object({ id: z.uuid(), name: z.string(), role: z.enum(workspaceRoles), personal: z.boolean() })),
    sessions: z
      .array(z.object({ id: z.uuid(), startedAt: z.iso.datetime(), lastRefreshedAt: z.iso.datetime(), expiresAt: z.iso.datetime() }))
      .describe('Live sessions (sign-ins not ended)'),
    apiKeys: z.array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        prefix: z.string(),
        workspaceId: z.uuid(),
        scopes: z.array(z.string()),
        lastUsedAt: z.iso.datetime().nullable(),
        revokedAt: z.iso.datetime().nullable(),
        createdAt: z.iso.datetime(),
      }),
    ),
  })
  .meta({ id: 'AdminUserDetail' });

const userParams = z.object({ id: z.uuid() });
const iso = (date: Date | null) => date?.toISOString() ?? null;

function toAdminUser(user: AdminUserRow): z.infer<typeof adminUser> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    systemAdmin: user.systemAdmin,
    emailVerified: user.emailVerified,
    disabled: user.disabledAt !== null,
    disabledAt: iso(user.disabledAt),
    createdAt: user.createdAt.toISOString(),
    lastSignInAt: iso(user.lastSignInAt),
  };
}

function toDetail(user: AdminUserDetail): z.infer<typeof adminUserDetail> {
  return {
    ...toAdminUser(user),
    workspaces: user.workspaces,
    sessions: user.sessions.map((session) => ({
      id: session.id,
      startedAt: session.startedAt.toISOString(),
      lastRefreshedAt: session.lastRefreshedAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
    })),
    apiKeys: user.apiKeys.map((key) => ({
      ...key,
      lastUsedAt: iso(key.lastUsedAt),
      revokedAt: iso(key.revokedAt),
      createdAt: key.createdAt.toISOString(),
    })),
  };
}

export function registerAdminUserRoutes(app: AppInstance, { service }: { service: AdminUsersService }): void {
  app.get(
    '/api/v1/admin/users',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Every account of the instance, searchable and filterable, a page at a time',
        querystring: z.object({
          q: z.string().trim().min(1).max(200).optional().describe('Part of the email or name'),
          status: z.enum(['active', 'disabled']).optional(),
          systemAdmin: z
            .enum(['true', 'false'])
            .transform((value) => value === 'true')
            .optional(),
          limit: z.coerce.number().int().min(1).max(100).default(25),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ items: z.array(adminUser), total: z.number().int() }), ...adminErrors },
      },
    },
    async (request) => {
      const page = await service.list(request.query);
      return { items: page.items.map(toAdminUser), total: page.total };
    },
  );

  app.get(
    '/api/v1/admin/users/:id',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'An account with its workspaces and roles, live sessions and API keys',
        params: userParams,
        response: { 200: adminUserDetail, ...adminErrors },
      },
    },
    async (request) => toDetail(await service.detail(request.params.id)),
  );

  const changeErrors = { ...adminErrors, ...problemResponses(409) };
  app.post(
    '/api/v1/admin/users/:id/disable',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Disable an account: it cannot sign in, and its sessions and API keys end at once (never the last active administrator)',
        params: userParams,
        response: { 200: adminUserDetail, ...changeErrors },
      },
    },
    async (request) => toDetail(await service.disable(adminActorOf(request), request.params.id)),
  );

  app.post(
    '/api/v1/admin/users/:id/enable',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Let a disabled account sign in again (its ended sessions and revoked keys stay ended)',
        params: userParams,
        response: { 200: adminUserDetail, ...adminErrors },
      },
    },
    async (request) => toDetail(await service.enable(adminActorOf(request), request.params.id)),
  );

  const workspaceRef = z.object({ id: z.uuid(), name: z.string() });
  app.delete(
    '/api/v1/admin/users/:id',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Delete an account',
        description:
          "The account's personal workspace is deleted with it (its sites, jobs, blueprints and API keys too); it leaves the shared workspaces it belongs to, which stay with their other members. Refused (409 last-owner) while it is the only owner of a shared workspace, and for the last active administrator.",
        params: userParams,
        response: {
          200: z.object({
            deletedWorkspaces: z.array(workspaceRef).describe('Deleted with the account'),
            leftWorkspaces: z.array(workspaceRef).describe('Shared workspaces the account was removed from'),
          }),
          ...changeErrors,
        },
      },
    },
    async (request) => service.delete(adminActorOf(request), request.params.id),
  );

  app.post(
    '/api/v1/admin/users/:id/reset-password',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Replace the password with a random one, shown once, and end every session of the account',
        params: userParams,
        response: {
          200: z.object({ temporaryPassword: z.string().describe('Give it to the person out of band; they should change it at once') }),
          ...adminErrors,
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return service.resetPassword(adminActorOf(request), request.params.id);
    },
  );

  app.put(
    '/api/v1/admin/users/:id/system-admin',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Grant or revoke system administration (the last active administrator cannot be revoked)',
        params: userParams,
        body: z.object({ systemAdmin: z.boolean() }).strict(),
        response: { 200: adminUserDetail, ...changeErrors },
      },
    },
    async (request) => toDetail(await service.setSystemAdmin(adminActorOf(request), request.params.id, request.body.systemAdmin)),
  );
}
