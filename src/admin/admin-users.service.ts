import { randomBytes } from 'node:crypto';
import { hashPassword } from '../accounts/passwords.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { domainErrors } from '../domain/errors.js';
import type { AdminUserDetail, AdminUserRow, AdminUsersRepository, UserFilters } from './admin-users.repository.js';

export interface AdminActor {
  userId: string;
  ip: string;
  userAgent?: string;
}

const lastAdmin = () =>
  domainErrors.conflict('This is the last active system administrator; make someone else administrator first', 'last-system-admin');

/** What system administrators do to accounts; every change is audited with the administrator as actor. */
export class AdminUsersService {
  constructor(
    private readonly users: AdminUsersRepository,
    private readonly audit: AuditRepository,
  ) {}

  list(filters: UserFilters): Promise<{ items: AdminUserRow[]; total: number }> {
    return this.users.list(filters);
  }

  async detail(id: string): Promise<AdminUserDetail> {
    const user = await this.users.detail(id);
    if (!user) throw domainErrors.notFound('User');
    return user;
  }

  /** Disables the account, ending its sessions and revoking its API keys in the same transaction. */
  async disable(actor: AdminActor, id: string): Promise<AdminUserDetail> {
    const outcome = await this.users.disable(id);
    if (outcome === 'not-found') throw domainErrors.notFound('User');
    if (outcome === 'last-admin') throw lastAdmin();
    if (outcome === 'disabled') await this.record(actor, 'admin.user-disabled', id);
    return this.detail(id);
  }

  /** Deletes the account (see the repository for what happens to its workspaces) and says what went with it. */
  async delete(
    actor: AdminActor,
    id: string,
  ): Promise<{ deletedWorkspaces: Array<{ id: string; name: string }>; leftWorkspaces: Array<{ id: string; name: string }> }> {
    const result = await this.users.delete(id);
    if (result.outcome === 'not-found') throw domainErrors.notFound('User');
    if (result.outcome === 'last-admin') throw lastAdmin();
    if (result.outcome === 'last-owner') {
      const names = result.workspaces.map((workspace) => `"${workspace.name}"`).join(', ');
      throw domainErrors.conflict(`The account is the only owner of ${names}; make someone else owner first`, 'last-owner');
    }
    await this.audit.append({
      action: 'admin.user-deleted',
      actorUserId: actor.userId,
      target: `user:${id}`,
      details: { deletedWorkspaces: result.personalWorkspaces, leftWorkspaces: result.leftWorkspaces },
      ip: actor.ip,
      userAgent: actor.userAgent ?? null,
    });
    return { deletedWorkspaces: result.personalWorkspaces, leftWorkspaces: result.leftWorkspaces };
  }

  /**
   * Replaces the password with a random one shown once to the administrator (to hand over out of
   * band) and ends every session, so whoever knew the old password is signed out everywhere.
   */
  async resetPassword(actor: AdminActor, id: string): Promise<{ temporaryPassword: string }> {
    const temporaryPassword = randomBytes(12).toString('base64url');
    if (!(await this.users.resetPassword(id, await hashPassword(temporaryPassword)))) throw domainErrors.notFound('User');
    await this.record(actor, 'admin.password-reset-forced', id);
    return { temporaryPassword };
  }

  async enable(actor: AdminActor, id: string): Promise<AdminUserDetail> {
    if (await this.users.enable(id)) await this.record(actor, 'admin.user-enabled', id);
    return this.detail(id);
  }

  async setSystemAdmin(actor: AdminActor, id: string, systemAdmin: boolean): Promise<AdminUserDetail> {
    const outcome = await this.users.setSystemAdmin(id, systemAdmin);
    if (outcome === 'not-found') throw domainErrors.notFound('User');
    if (outcome === 'last-admin') throw lastAdmin();
    if (outcome === 'changed') await this.record(actor, systemAdmin ? 'admin.system-admin-granted' : 'admin.system-admin-revoked', id);
    return this.detail(id);
  }

  private record(actor: AdminActor, action: Parameters<AuditRepository['append']>[0]['action'], userId: string): Promise<void> {
    return this.audit.append({
      action,
      actorUserId: actor.userId,
      target: `user:${userId}`,
      ip: actor.ip,
      userAgent: actor.userAgent ?? null,
    });
  }
}
