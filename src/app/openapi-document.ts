import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/index.js';
import { openDatabase } from '../db/client.js';
import { runMigrations } from '../db/migrations.js';
import { createLogger } from '../logging/logger.js';
import { openApplication } from './index.js';

/**
 * The OpenAPI document of the whole API, built offline: the app is assembled over a throwaway
 * in-memory database exactly as `siteprint serve` assembles it, so the document cannot drift
 * from the routes. The dashboard's API types and any SDK are generated from it.
 */
export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-openapi-'));
  const database = await openDatabase({ pgliteDir: 'memory://' });
  try {
    await runMigrations(database);
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir });
    const logger = createLogger({ level: 'silent' });
    const { app } = await openApplication(config, logger, { database, closePlatformWithApp: true });
    await app.ready();
    const document = app.swagger() as unknown as Record<string, unknown>;
    await app.close();
    return document;
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
