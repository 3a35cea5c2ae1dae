import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { clientOf } from '../accounts/auth.routes.js';
import { workspaceRoles } from '../db/schema/index.js';
import type { AppInstance } from '../http/app-instance.js';
import { authOf } from '../http/auth.js';
import { grantedPermissions } from '../http/permissions.js';
import { permissions } from '../http/route-context.js';
import { problemResponses } from '../http/problem.js';
import type { InvitationRecord, MemberRecord, WorkspaceWithRole } from './workspaces.repository.js';
import type { Actor, WorkspacesService } from './workspaces.service.js';

const role = z.enum(workspaceRoles);

const workspaceSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    personal: z.boolean().describe('Created with the account; requests without X-Workspace-Id act here'),
    role,
    permissions: z
      .array(z.enum(permissions))
      .describe(
        "What the caller may do here: the role's permissions (and a system administrator's), narrowed by an API key's scopes; also the scopes a key made here may have",
      ),
    suspendedAt: z.iso
      .datetime()
      .nullable()
      .describe(
        'Set while a system administrator has suspended the workspace: its members may only read it (and their account), its API keys are refused, its schedules and jobs do not run',
      ),
    suspendedReason: z.string().nullable().describe('Why it was suspended, as the administrator wrote it'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Workspace' });
const memberSchema = z
  .object({ userId: z.uuid(), email: z.string(), name: z.string(), role, joinedAt: z.iso.datetime() })
  .meta({ id: 'WorkspaceMember' });
const invitationSchema = z
  .object({ id: z.uuid(), email: z.string(), role, expiresAt: z.iso.datetime(), createdAt: z.iso.datetime() })
  .meta({ id: 'Invitation' });
const createdInvitationSchema = invitationSchema
  .extend({ acceptUrl: z.url().describe('The link the invitee opens; shown only in this response and the email') })
  .meta({ id: 'CreatedInvitation' });

const workspaceName = z.string().trim().min(1).max(200);
const workspaceIdParams = z.object({ workspaceId: z.uuid() });
const userIdParams = z.object({ userId: z.uuid() });
const invitationIdParams = z.object({ invitationId: z.uuid() });

function toWorkspace(workspace: WorkspaceWithRole, request: FastifyRequest): z.infer<typeof workspaceSchema> {
  const { systemAdmin, scopes } = authOf(request);
  return {
    id: workspace.id,
    name: workspace.name,
    personal: workspace.personalOwnerId !== null,
    role: workspace.role,
    // From the one role → permission table, in its order, so clients (the API-key scope picker) never keep a list of their own.
    permissions: [...grantedPermissions({ role: workspace.role, systemAdmin, scopes })],
    suspendedAt: workspace.suspendedAt?.toISOString() ?? null,
    suspendedReason: workspace.suspendedReason,
    createdAt: workspace.createdAt.toISOString(),
  };
}
const toMember = (member: MemberRecord) => ({ ...member, joinedAt: member.joinedAt.toISOString() });
const toInvitation = (invitation: InvitationRecord) => ({
  id: invitation.id,
  email: invitation.email,
  role: invitation.role,
  expiresAt: invitation.expiresAt.toISOString(),
  createdAt: invitation.createdAt.toISOString(),
});

export function actorOf(request: FastifyRequest): Actor {
  const auth = authOf(request);
  return { userId: auth.userId, workspaceId: auth.workspaceId, role: auth.role, ...clientOf(request) };
}

/**
 * `/workspaces` lists and creates the caller's workspaces; `/workspace/...` acts on the current
 * one (X-Workspace-Id, else the personal workspace), like every product route.
 */
export function registerWorkspaceRoutes(app: AppInstance, { service }: { service: WorkspacesService }): void {
  const tags = ['workspaces'];

  app.get(
    '/api/v1/workspaces',
    {
      config: { sessionOnly: true, whileSuspended: true },
      schema: {
        tags,
        summary: 'Workspaces the signed-in user belongs to',
        response: { 200: z.object({ items: z.array(workspaceSchema) }) },
      },
    },
    async (request) => ({ items: (await service.list(authOf(request).userId)).map((workspace) => toWorkspace(workspace, request)) }),
  );

  app.post(
    '/api/v1/workspaces',
    {
      config: { sessionOnly: true, whileSuspended: true },
      schema: {
        tags,
        summary: 'Create a workspace owned by the caller',
        body: z.object({ name: workspaceName }).strict(),
        response: { 201: workspaceSchema },
      },
    },
    async (request, reply) => reply.status(201).send(toWorkspace(await service.create(authOf(request).userId, request.body.name), request)),
  );

  app.get(
    '/api/v1/workspaces/:workspaceId',
    {
      config: { sessionOnly: true, whileSuspended: true },
      schema: {
        tags,
        summary: "One of the caller's workspaces (404 for any other)",
        params: workspaceIdParams,
        response: { 200: workspaceSchema },
      },
    },
    async (request) => toWorkspace(await service.get(authOf(request).userId, request.params.workspaceId), request),
  );

  app.get(
    '/api/v1/workspace',
    {
      config: { permission: 'members:read', whileSuspended: true },
      schema: {
        tags,
        summary: 'The current workspace (readable while it is suspended, to show when and why)',
        response: { 200: workspaceSchema },
      },
    },
    async (request) => toWorkspace(await service.get(authOf(request).userId, authOf(request).workspaceId), request),
  );

  app.patch(
    '/api/v1/workspace',
    {
      config: { permission: 'members:manage' },
      schema: {
        tags,
        summary: 'Rename the current workspace',
        body: z.object({ name: workspaceName }).strict(),
        response: { 200: workspaceSchema },
      },
    },
    async (request) => toWorkspace(await service.rename(actorOf(request), request.body.name), request),
  );

  app.delete(
    '/api/v1/workspace',
    {
      config: { permission: 'workspace:delete' },
      schema: {
        tags,
        summary: 'Delete the current workspace and everything in it (owner)',
        response: { 204: z.null(), ...problemResponses(409) },
      },
    },
    async (request, reply) => {
      await service.delete(actorOf(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/workspace/members',
    {
      config: { permission: 'members:read' },
      schema: { tags, summary: 'Members of the current workspace', response: { 200: z.object({ items: z.array(memberSchema) }) } },
    },
    async (request) => ({ items: (await service.members(authOf(request).workspaceId)).map(toMember) }),
  );

  app.patch(
    '/api/v1/workspace/members/:userId',
    {
      config: { permission: 'members:manage' },
      schema: {
        tags,
        summary: "Change a member's role (only owners grant or take ownership; the last owner stays)",
        params: userIdParams,
        body: z.object({ role }).strict(),
        response: { 204: z.null(), ...problemResponses(409) },
      },
    },
    async (request, reply) => {
      await service.changeRole(actorOf(request), request.params.userId, request.body.role);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/v1/workspace/members/:userId',
    {
      config: { permission: 'members:manage' },
      schema: {
        tags,
        summary: 'Remove a member (the last owner cannot be removed)',
        params: userIdParams,
        response: { 204: z.null(), ...problemResponses(409) },
      },
    },
    async (request, reply) => {
      await service.removeMember(actorOf(request), request.params.userId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/workspace/invitations',
    {
      config: { permission: 'members:manage' },
      schema: {
        tags,
        summary: 'Pending invitations of the current workspace',
        response: { 200: z.object({ items: z.array(invitationSchema) }) },
      },
    },
    async (request) => ({ items: (await service.pendingInvitations(authOf(request).workspaceId)).map(toInvitation) }),
  );

  app.post(
    '/api/v1/workspace/invitations',
    {
      config: { permission: 'members:manage' },
      schema: {
        tags,
        summary:
          'Invite someone by email; the link is emailed (queued in the outbox) and returned once; only the invited address can accept',
        body: z.object({ email: z.email(), role: role.default('member') }).strict(),
        response: { 201: createdInvitationSchema },
      },
    },
    async (request, reply) => {
      const { invitation, link } = await service.invite(actorOf(request), request.body.email, request.body.role);
      return reply.status(201).send({ ...toInvitation(invitation), acceptUrl: link });
    },
  );

  app.delete(
    '/api/v1/workspace/invitations/:invitationId',
    {
      config: { permission: 'members:manage' },
      schema: { tags, summary: 'Withdraw an invitation', params: invitationIdParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await service.cancelInvitation(actorOf(request), request.params.invitationId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/invitations/accept',
    {
      config: { sessionOnly: true, whileSuspended: true },
      schema: {
        tags,
        summary: 'Join a workspace with the token from an invitation email',
        body: z.object({ token: z.string().min(1).max(512) }).strict(),
        response: { 200: workspaceSchema },
      },
    },
    async (request) => toWorkspace(await service.acceptInvitation(authOf(request).userId, request.body.token, clientOf(request)), request),
  );
}
