import type { AttemptStore } from '../accounts/login-limiter.js';
import type { Config } from '../config/index.js';
import { migrationStatus } from '../db/migrations.js';
import type { AppInstance } from '../http/app-instance.js';
import { registerDashboard } from '../http/dashboard.js';
import { registerGuide } from '../http/guide.js';
import { OPENAPI_PATH } from '../http/openapi-contract.js';
import { createHttpServer } from '../http/server.js';
import type { Logger } from '../logging/logger.js';
import { registerHealthRoutes, type ReadinessCheck } from '../system/health.js';
import { registerHttpMetrics } from '../system/metrics.js';
import { registerVersionRoute, siteprintVersion } from '../system/version.js';
import { registerAccounts } from './accounts.js';
import type { Platform } from './platform.js';
import { registerProduct } from './product.js';

export interface HttpAppOptions {
  /** Failed-login counters; by default in Redis when REDIS_URL is set (scaled mode), else in this process. */
  loginAttempts?: AttemptStore;
}

const OPENAPI_TAGS = [
  { name: 'system', description: 'Health, version and metrics' },
  { name: 'auth', description: 'Accounts, sessions and sign-in with Google or GitHub' },
  { name: 'workspaces', description: 'Workspaces, members, roles and invitations' },
  { name: 'api-keys', description: 'API keys for scripts and integrations' },
  { name: 'overview', description: "The workspace's headline totals" },
];

/** Builds the HTTP application over a platform; the caller owns listening and closing. */
export async function buildHttpApp(platform: Platform, { loginAttempts }: HttpAppOptions = {}): Promise<AppInstance> {
  const { config, logger, database, queue } = platform;
  const app = await createHttpServer({ config, logger, version: siteprintVersion, tags: OPENAPI_TAGS });

  await registerAccounts(app, {
    config,
    db: database.db,
    loginAttempts: loginAttempts ?? (await sharedLoginAttempts(app, config, logger)),
    changes: platform.changes,
    caches: platform.caches,
  });

  registerHttpMetrics(app, platform.metrics);

  const checks: ReadinessCheck[] = [
    { name: 'database', check: () => database.ping() },
    {
      name: 'migrations',
      check: async () => {
        const status = await migrationStatus(database);
        if (!status.current) throw new Error(`${status.applied} of ${status.available} migrations applied`);
      },
    },
    { name: 'queue', check: () => queue.ping() },
  ];
  registerHealthRoutes(app, checks);
  registerVersionRoute(app, database.kind);
  app.get(OPENAPI_PATH, { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  registerGuide(app);
  if (!(await registerDashboard(app))) logger.warn('the web dashboard is not built (npm run build:web); serving the API only');
  await registerProduct(app, platform);
  return app;
}

/** In scaled mode every API process counts sign-in attempts in the same Redis; embedded mode counts in memory. */
async function sharedLoginAttempts(app: AppInstance, config: Config, logger: Logger): Promise<AttemptStore | undefined> {
  if (!config.REDIS_URL) return undefined;
  const { RedisAttemptStore } = await import('../accounts/redis-attempt-store.js');
  const store = RedisAttemptStore.connect(config.REDIS_URL, config.QUEUE_PREFIX, logger);
  app.addHook('onClose', () => store.close());
  return store;
}
