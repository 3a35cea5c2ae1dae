import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { FirstAdminSetup } from '../../src/accounts/first-admin.js';
import { loadConfig } from '../../src/config/index.js';
import type { Database } from '../../src/db/client.js';
import { migrationStatus } from '../../src/db/migrations.js';
import { openApplication, type Platform } from '../../src/app/index.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { createLogger } from '../../src/logging/logger.js';

/** Every JSON line the app logged, for assertions about what reaches logs. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestAppOptions {
  database: Database;
  /** Environment variables on top of the test defaults, validated like a real start. */
  env?: Record<string, string>;
  logs?: LogCapture;
}

const setupTokens = new WeakMap<AppInstance, string>();

/**
 * The first-administrator setup token the test app printed at start (as `siteprint serve` does),
 * for helpers that register the first account the way an operator reading the log would.
 */
export function setupTokenOf(app: AppInstance): string | undefined {
  return setupTokens.get(app);
}

/**
 * The whole HTTP API over the given database, as `siteprint serve` builds it, with the
 * platform behind it. Jobs run only when a test starts workers (`platform.queue.work`).
 */
export async function createTestStack(options: TestAppOptions): Promise<{ app: AppInstance; platform: Platform }> {
  const logs = options.logs ?? new LogCapture();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-app-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, SHUTDOWN_TIMEOUT_MS: '1000', ...options.env });
  const logger = createLogger({ level: 'info', destination: logs });
  const { app, platform } = await openApplication(config, logger, { database: options.database, closePlatformWithApp: true });
  // An unmigrated database (tests of readiness) has no users table to ask.
  if ((await migrationStatus(options.database)).current) {
    const setupToken = await new FirstAdminSetup(options.database.db, logger, config.PUBLIC_URL).announce();
    if (setupToken) setupTokens.set(app, setupToken);
  }
  return { app, platform };
}

export async function createTestApp(options: TestAppOptions): Promise<AppInstance> {
  return (await createTestStack(options)).app;
}
