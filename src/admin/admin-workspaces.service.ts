import type { AuditRepository } from '../audit/audit.repository.js';
import { domainErrors } from '../domain/errors.js';
import type { AdminActor } from './admin-users.service.js';
import type { AdminApiKeyRow, AdminWorkspaceRow, AdminWorkspacesRepository } from './admin-workspaces.repository.js';

type Member = Awaited<ReturnType<AdminWorkspacesRepository['members']>>[number];

/** Workspaces and API keys across the instance, for system administrators; revocations are audited. */
export class AdminWorkspacesService {
  constructor(
    private readonly workspaces: AdminWorkspacesRepository,
    private readonly audit: AuditRepository,
  ) {}

  list(filters: { q?: string; limit: number; offset: number }): Promise<{ items: AdminWorkspaceRow[]; total: number }> {
    return this.workspaces.list(filters);
  }

  async members(workspaceId: string): Promise<Member[]> {
    if (!(await this.workspaces.exists(workspaceId))) throw domainErrors.notFound('Workspace');
    return this.workspaces.members(workspaceId);
  }

  apiKeys(filters: { status?: 'active' | 'revoked'; limit: number; offset: number }): Promise<{ items: AdminApiKeyRow[]; total: number }> {
    return this.workspaces.apiKeys(filters);
  }

  /**
   * Suspends a workspace (or changes the reason of a suspended one): its members may only read it,
   * its API keys are refused, its schedules skip it and its jobs are cancelled when a worker
   * reaches them (running ones at their next checkpoint). Audited with the reason.
   */
  async suspend(actor: AdminActor, workspaceId: string, reason: string): Promise<void> {
    const result = await this.workspaces.setSuspended(workspaceId, reason);
    if (!result) throw domainErrors.notFound('Workspace');
    await this.audited(actor, 'admin.workspace-suspended', workspaceId, { reason, wasSuspended: result.wasSuspended });
  }

  /** Lifts a suspension; the workspace works as before (cancelled jobs stay cancelled). Audited. */
  async unsuspend(actor: AdminActor, workspaceId: string): Promise<void> {
    const result = await this.workspaces.setSuspended(workspaceId, null);
    if (!result) throw domainErrors.notFound('Workspace');
    if (!result.wasSuspended) throw domainErrors.conflict('The workspace is not suspended');
    await this.audited(actor, 'admin.workspace-unsuspended', workspaceId, {});
  }

  private audited(
    actor: AdminActor,
    action: 'admin.workspace-suspended' | 'admin.workspace-unsuspended',
    workspaceId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.append({
      action,
      actorUserId: actor.userId,
      workspaceId,
      target: `workspace:${workspaceId}`,
      ip: actor.ip,
      userAgent: actor.userAgent ?? null,
      details,
    });
  }

  /** Revokes an active API key of any workspace; it stops working at once. */
  async revokeApiKey(actor: AdminActor, id: string): Promise<void> {
    const revoked = await this.workspaces.revokeApiKey(id);
    if (!revoked) throw domainErrors.notFound('Active API key');
    await this.audit.append({
      action: 'api-key.revoked',
      actorUserId: actor.userId,
      workspaceId: revoked.workspaceId,
      target: `api-key:${id}`,
      ip: actor.ip,
      userAgent: actor.userAgent ?? null,
      details: { by: 'system-admin' },
    });
  }
}
