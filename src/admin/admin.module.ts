import { AuditRepository } from '../audit/audit.repository.js';
import { backupStoreFor, BackupsService } from '../backup/backups.service.js';
import { registerBackupRoutes } from '../backup/backups.routes.js';
import type { AppInstance } from '../http/app.js';
import type { Platform } from '../platform.js';
import { AdminUsersRepository } from './admin-users.repository.js';
import { AdminUsersService } from './admin-users.service.js';
import { AdminWorkspacesRepository } from './admin-workspaces.repository.js';
import { AuditLogReader } from './audit-log.repository.js';
import { registerAdminAuditRoutes } from './audit.routes.js';
import { SystemStatus } from './system-status.js';
import { registerAdminSystemRoutes } from './system.routes.js';
import { registerAdminUserRoutes } from './users.routes.js';
import { registerAdminWorkspaceRoutes } from './workspaces.routes.js';

/**
 * System administration under /api/v1/admin: accounts, workspaces and API keys, the audit log, the role matrix, system
 * status and backups (with BACKUP_SCHEDULE run while the app is up). Every route needs a signed-in
 * system administrator; every change is audited.
 */
export function registerAdminModule(app: AppInstance, platform: Platform): void {
  const { config, database, logger, queue } = platform;
  const audit = new AuditRepository(database.db);
  registerAdminUserRoutes(app, { service: new AdminUsersService(new AdminUsersRepository(database.db, () => app.sessionAccessChanged()), audit) });
  registerAdminWorkspaceRoutes(app, { workspaces: new AdminWorkspacesRepository(database.db), audit });
  registerAdminAuditRoutes(app, { reader: new AuditLogReader(database.db), audit });
  registerAdminSystemRoutes(app, { status: new SystemStatus({ config, database, queue, startedAt: new Date() }) });
  const backups = new BackupsService({ database, config, store: backupStoreFor(config), audit, logger });
  registerBackupRoutes(app, { service: backups, audit });
  app.addHook('onReady', async () => backups.start());
  app.addHook('onClose', async () => backups.stop());
}
