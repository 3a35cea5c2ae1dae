import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AppInstance } from '../http/app-instance.js';

// src/system and dist/system are both two levels below the package root.
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

export const siteprintVersion = packageJson.version;

const versionSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    node: z.string(),
    database: z.enum(['pglite', 'postgres']),
  })
  .meta({ id: 'Version' });

export function registerVersionRoute(app: AppInstance, database: 'pglite' | 'postgres'): void {
  app.get(
    '/api/v1/version',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        summary: 'Version of this Siteprint instance',
        response: { 200: versionSchema },
      },
    },
    async () => ({ name: packageJson.name, version: siteprintVersion, node: process.version, database }),
  );
}
