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
