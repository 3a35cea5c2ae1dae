import { AdminAuditService } from '../admin/admin-audit.service.js';
import { AdminUsersRepository } from '../admin/admin-users.repository.js';
import { AdminUsersService } from '../admin/admin-users.service.js';
import { AdminWorkspacesRepository } from '../admin/admin-workspaces.repository.js';
import { AdminWorkspacesService } from '../admin/admin-workspaces.service.js';
import { AuditLogReader } from '../admin/audit-log.repository.js';
import { registerAdminAuditRoutes } from '../admin/audit.routes.js';
import { SystemStatus } from '../admin/system-status.js';
import { registerAdminSystemRoutes } from '../admin/system.routes.js';
import { registerAdminUserRoutes } from '../admin/users.routes.js';
import { registerAdminWorkspaceRoutes } from '../admin/workspaces.routes.js';
import { AdminSettingsService } from '../admin/admin-settings.service.js';
import { registerAdminCacheRoutes } from '../admin/caches.routes.js';
import { registerAdminSettingsRoutes } from '../admin/settings.routes.js';
import { configuredProviders } from '../accounts/oauth-providers.js';
import { UsersRepository } from '../accounts/users.repository.js';
import { AuditRepository } from '../audit/audit.repository.js';
import { registerBackupRoutes } from '../backup/backups.routes.js';
import { backupStoreFor, BackupsService } from '../backup/backups.service.js';
import { featurePlugin, type AppInstance } from '../http/app-instance.js';
import { ProcessesRepository } from '../system/processes.repository.js';
import { RuntimeSettings } from '../settings/runtime-settings.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import type { ApiRateLimits } from '../usage/index.js';
import type { Platform } from './platform.js';
import { traceService } from '../logging/tracing.js';

/**
 * System administration under /api/v1/admin: accounts, workspaces and API keys, the audit log, the role matrix, system
 * status, runtime settings, caches and backups (with BACKUP_SCHEDULE run while the app is up). Every route needs a signed-in
 * system administrator; every change is audited.
 */
export async function registerAdmin(app: AppInstance, platform: Platform, { rateLimits }: { rateLimits: ApiRateLimits }): Promise<void> {
  const { config, database, logger, queue } = platform;
  const audit = new AuditRepository(database.db);
  const users = traceService(new AdminUsersService(new AdminUsersRepository(database.db, () => app.sessionAccessChanged()), audit));
  await app.register(featurePlugin(registerAdminUserRoutes), { service: users });
  await app.register(featurePlugin(registerAdminWorkspaceRoutes), {
    service: traceService(new AdminWorkspacesService(new AdminWorkspacesRepository(database.db, () => app.sessionAccessChanged()), audit)),
  });
  await app.register(featurePlugin(registerAdminAuditRoutes), {
    service: traceService(new AdminAuditService(new AuditLogReader(database.db), audit)),
  });
  await app.register(featurePlugin(registerAdminSystemRoutes), {
    status: new SystemStatus({ config, database, queue, processes: new ProcessesRepository(database.db), startedAt: new Date() }),
  });
  const accounts = new UsersRepository(database.db);
  await app.register(featurePlugin(registerAdminSettingsRoutes), {
    service: traceService(
      new AdminSettingsService({
        settings: new RuntimeSettings(new SettingsRepository(database.db)),
        quotas: platform.services.quotas,
        audit,
        config,
        configuredOAuthProviders: [...configuredProviders(config).keys()],
        emailOf: async (userId) => (await accounts.findById(userId))?.email,
      }),
    ),
    quotaDefaultsChanged: () => rateLimits.forget(),
  });
  await app.register(featurePlugin(registerAdminCacheRoutes), { caches: platform.caches, audit });
  const backups = traceService(new BackupsService({ database, config, store: backupStoreFor(config), audit, logger }));
  await app.register(featurePlugin(registerBackupRoutes), { service: backups, audit });
  app.addHook('onReady', async () => backups.start());
  app.addHook('onClose', async () => backups.stop());
}
