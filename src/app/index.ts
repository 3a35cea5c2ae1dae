import type { AttemptStore } from '../accounts/login-limiter.js';
import type { Config } from '../config/index.js';
import type { Database } from '../db/client.js';
import type { AppInstance } from '../http/app-instance.js';
import type { Logger } from '../logging/logger.js';
import { buildHttpApp } from './http.js';
import { openPlatform, type Platform } from './platform.js';

export { openConfiguredDatabase, openPlatform, type Platform } from './platform.js';

export interface Application {
  app: AppInstance;
  platform: Platform;
}

export interface OpenApplicationOptions {
  /** An open, migrated database the caller keeps (tests, the offline OpenAPI build); by default the configured one. */
  database?: Database;
  /** Failed-login counters (see HttpAppOptions). */
  loginAttempts?: AttemptStore;
  /**
   * Closes the platform when the app closes, for callers that keep only the app. The server
   * instead closes the app first and then the platform, so in-flight requests still have a database.
   */
  closePlatformWithApp?: boolean;
}

/**
 * The one start sequence of the API: the platform (database, queue, events, services, job
 * handlers), then the HTTP app over it. `siteprint serve`, the OpenAPI document and the tests'
 * app all start here.
 */
export async function openApplication(config: Config, logger: Logger, options: OpenApplicationOptions = {}): Promise<Application> {
  const platform = await openPlatform(config, logger, options.database);
  try {
    const app = await buildHttpApp(platform, { loginAttempts: options.loginAttempts });
    if (options.closePlatformWithApp) app.addHook('onClose', () => platform.close());
    return { app, platform };
  } catch (error) {
    await platform.close().catch(() => undefined);
    throw error;
  }
}
