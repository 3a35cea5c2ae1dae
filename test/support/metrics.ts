import type { AppInstance } from '../../src/http/app-instance.js';

/** The value of one sample in Prometheus's text format, or undefined when the series is absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[2]?.split(/,(?=[a-zA-Z_]\w*=")/) ?? [];
    if (wanted.every((pair) => present.includes(pair))) return Number(match[3]);
  }
  return undefined;
}

/** An app's `/metrics` text. */
export async function scrapeMetrics(app: AppInstance): Promise<string> {
  const scraped = await app.inject('/metrics');
  if (scraped.statusCode !== 200) throw new Error(`/metrics answered ${scraped.statusCode}`);
  return scraped.body;
}
