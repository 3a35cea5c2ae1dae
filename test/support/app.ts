import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/index.js';
import type { Database } from '../../src/db/client.js';
import { buildApp, type AppInstance } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { createConfiguredQueue } from '../../src/server.js';

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

export async function createTestApp(options: TestAppOptions): Promise<AppInstance> {
  const logs = options.logs ?? new LogCapture();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-app-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, ...options.env });
  const logger = createLogger({ level: 'info', destination: logs });
  const queue = createConfiguredQueue(config, options.database, logger);
  const app = await buildApp({ config, database: options.database, queue, logger });
  app.addHook('onClose', () => queue.close(1_000));
  return app;
}
