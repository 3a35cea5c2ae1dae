import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { AppInstance } from './app-instance.js';

/** Where `npm run build:web` writes the dashboard: `<project>/dist/web`, from `src/http` and `dist/http` alike. */
export const DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web');

/** Paths owned by the server; the dashboard's client-side routes never shadow them. */
const SERVER_PREFIXES = ['/api/', '/docs', '/graphiql', '/health', '/metrics'];

/**
 * Serves the built dashboard at `/`. Hashed assets are cached for good; `index.html` is
 * revalidated so a new release is picked up on the next load. Any other GET that asks for
 * HTML gets `index.html`, so client-side routes survive a reload.
 * Returns false when the dashboard has not been built.
 */
export async function registerDashboard(app: AppInstance, dir = DASHBOARD_DIR): Promise<boolean> {
  if (!existsSync(path.join(dir, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root: dir,
    // Only files present at start are routed: nothing outside the build can be requested.
    wildcard: false,
    setHeaders: (response, filePath) => {
      const hashed = filePath.includes(`${path.sep}assets${path.sep}`);
      response.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const pathname = request.url.split('?')[0]!;
    const wantsHtml = request.headers.accept?.includes('text/html') ?? false;
    if (!wantsHtml || SERVER_PREFIXES.some((prefix) => pathname.startsWith(prefix))) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
  return true;
}
