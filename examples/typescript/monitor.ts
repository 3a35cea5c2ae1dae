/**
 * Monitor the health of a workspace's sites and print every change as it happens.
 *
 *   SITEPRINT_URL=http://localhost:3000 SITEPRINT_API_KEY=sp_... \
 *     node --import tsx examples/typescript/monitor.ts
 *
 * Prints each site's health at start, then a line whenever a check, repair or analysis changes
 * it (e.g. "Quire (https://quire.example): healthy → degraded"). Runs until interrupted.
 */
import { Siteprint } from '../../sdk/typescript/src/index.js';

/** The jobs after which a site's health may have changed. */
const HEALTH_JOBS = new Set(['check_site', 'repair_blueprint', 'analyze_site']);

const client = new Siteprint({ baseUrl: process.env.SITEPRINT_URL!, apiKey: process.env.SITEPRINT_API_KEY! });
const health = new Map<string, string>();

async function look(siteId: string): Promise<void> {
  const site = await client.sites.get(siteId);
  const before = health.get(site.id);
  health.set(site.id, site.health);
  if (before === undefined) console.log(`${site.name} (${site.url}): ${site.health}`);
  else if (before !== site.health) console.log(`${site.name} (${site.url}): ${before} → ${site.health}`);
}

const subscription = client.events.subscribe(
  (event) => {
    const { type, status, siteId } = event.data as { type?: string; status?: string; siteId?: string | null };
    if (type && HEALTH_JOBS.has(type) && siteId && (status === 'succeeded' || status === 'failed'))
      look(siteId).catch((error: unknown) => console.error(`could not read site ${siteId}: ${String(error)}`));
  },
  { types: ['job.updated'], onError: (error) => console.error(`event stream dropped (${String(error)}); reconnecting`) },
);
await subscription.ready;
for await (const site of client.sites.iterate()) await look(site.id);
console.log(`watching ${health.size} sites for health changes`);

process.on('SIGINT', () => subscription.close());
process.on('SIGTERM', () => subscription.close());
await subscription.done;
