import type { AddressInfo } from 'node:net';
import type { Platform } from '../../src/app/platform.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { createTestStack } from './app.js';
import { databaseTargets, type TestDatabase } from './databases.js';
import { FixtureShop } from './fixture-shop.js';

export interface LiveServer {
  /** Where the API listens on loopback, e.g. http://127.0.0.1:40123 */
  url: string;
  app: AppInstance;
  platform: Platform;
  /** A fixture bookshop on loopback for the server to analyse. */
  shop: FixtureShop;
  close(): Promise<void>;
}

/**
 * Siteprint on PGlite listening on a real port with its workers running, plus a fixture shop:
 * what client tests (SDKs, examples, documentation samples) talk to over HTTP only.
 */
export async function startLiveServer(): Promise<LiveServer> {
  const shop = await new FixtureShop().start();
  const database: TestDatabase = await databaseTargets()[0]!.open();
  const { app, platform } = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true' } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  await platform.queue.work(platform.handlers, { concurrency: 2 });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    app,
    platform,
    shop,
    close: async () => {
      await app.close();
      await database.close();
      await shop.stop();
    },
  };
}
