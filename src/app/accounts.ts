import { createHmac } from 'node:crypto';
import cookie from '@fastify/cookie';
import { AccessTokens } from '../accounts/access-tokens.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { registerAuthRoutes, sessionResponder } from '../accounts/auth.routes.js';
import { EmailOutboxRepository } from '../accounts/email-outbox.repository.js';
import { FirstAdminSetup } from '../accounts/first-admin.js';
import { resolveJwtSecret } from '../accounts/jwt-secret.js';
import { LoginLimiter, MemoryAttemptStore, type AttemptStore } from '../accounts/login-limiter.js';
import { configuredProviders } from '../accounts/oauth-providers.js';
import { registerOAuthRoutes } from '../accounts/oauth.routes.js';
import { OAuthService } from '../accounts/oauth.service.js';
import { prepareDummyHash } from '../accounts/passwords.js';
import { RefreshTokensRepository } from '../accounts/refresh-tokens.repository.js';
import { SessionAccessCache } from '../accounts/session-access-cache.js';
import { UsersRepository } from '../accounts/users.repository.js';
import { ApiKeysRepository } from '../api-keys/api-keys.repository.js';
import { registerApiKeyRoutes } from '../api-keys/api-keys.routes.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AuditRepository } from '../audit/audit.repository.js';
import type { Config } from '../config/index.js';
import type { ChangeFeed } from '../db/change-feed.js';
import type { CacheRegistry } from '../system/cache-registry.js';
import type { Db } from '../db/client.js';
import { featurePlugin, type AppInstance } from '../http/app-instance.js';
import { RuntimeSettings } from '../settings/runtime-settings.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import { registerAuth } from '../http/auth.js';
import { registerWorkspaceRoutes } from '../workspaces/workspaces.routes.js';
import { WorkspacesRepository } from '../workspaces/workspaces.repository.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import { traceService } from '../logging/tracing.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Call after any write that can end or change someone's access (see SessionAccessCache). */
    sessionAccessChanged: () => void;
  }
}

export interface AccountsOptions {
  config: Config;
  db: Db;
  /** Failed-login counters; in memory unless a shared store is passed (Redis in scaled mode). */
  loginAttempts?: AttemptStore;
  /** Changes committed by any process, which keep the auth hook's session cache true (see SessionAccessCache). */
  changes: ChangeFeed;
  /** The process's caches administrators see and clear; the session cache joins them. */
  caches: CacheRegistry;
}

/**
 * Accounts, workspaces, API keys and the auth hook. Registered before every product route,
 * because the hook marks protected routes in the OpenAPI document as they are added.
 */
export async function registerAccounts(app: AppInstance, { config, db, loginAttempts, changes, caches }: AccountsOptions): Promise<void> {
  const jwtSecret = resolveJwtSecret(config);
  // Not awaited: a start-up does not wait for it; a failure surfaces at the login that needs it.
  prepareDummyHash().catch(() => undefined);
  // A derived key, so a cookie signature can never double as a JWT signature or vice versa.
  await app.register(cookie, { secret: createHmac('sha256', jwtSecret).update('siteprint cookie signing').digest('base64url') });

  // The auth hook remembers session lookups; every change to who may access what clears them.
  const changed = () => sessionCache.clear();
  const users = new UsersRepository(db, changed);
  const workspaces = new WorkspacesRepository(db, changed);
  const audit = new AuditRepository(db);
  const accessTokens = new AccessTokens(jwtSecret);
  const apiKeyRecords = new ApiKeysRepository(db);
  const refreshTokens = new RefreshTokensRepository(db, changed);
  const sessionCache = new SessionAccessCache(refreshTokens, changes);
  caches.register(sessionCache.managed());
  // Other modules that end access (src/admin) clear the session cache through this.
  app.decorate('sessionAccessChanged', changed);
  const apiKeys = traceService(new ApiKeysService({ apiKeys: apiKeyRecords, audit }));
  // Registration mode and allowed OAuth providers, set by administrators at runtime.
  const settings = new RuntimeSettings(new SettingsRepository(db));
  const accounts = traceService(
    new AccountsService({
      users,
      refreshTokens,
      audit,
      accessTokens,
      limiter: new LoginLimiter(loginAttempts ?? new MemoryAttemptStore()),
      workspaces,
      firstAdmin: new FirstAdminSetup(db, app.log, config.PUBLIC_URL),
      settings,
    }),
  );
  const secureCookies = new URL(config.PUBLIC_URL).protocol === 'https:';

  registerAuth(app, { accessTokens, sessions: sessionCache, users, workspaces, apiKeys });
  await app.register(featurePlugin(registerAuthRoutes), { accounts, secureCookies });
  await app.register(featurePlugin(registerOAuthRoutes), {
    providers: configuredProviders(config),
    service: traceService(new OAuthService({ users, accounts, audit, refreshTokens, apiKeys: apiKeyRecords, settings })),
    sendSession: sessionResponder(secureCookies),
    secureCookies,
    settings,
  });
  await app.register(featurePlugin(registerWorkspaceRoutes), {
    service: traceService(
      new WorkspacesService({ workspaces, outbox: new EmailOutboxRepository(db), audit, publicUrl: config.PUBLIC_URL }),
    ),
  });
  await app.register(featurePlugin(registerApiKeyRoutes), { service: apiKeys });
}
