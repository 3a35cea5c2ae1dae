import { createRequire } from 'node:module';

export interface Robots {
  isAllowed(url: string, userAgent?: string): boolean | undefined;
  getSitemaps(): string[];
  getCrawlDelay(userAgent?: string): number | undefined;
}

// robots-parser is CommonJS whose bundled typings do not describe its export correctly.
const require = createRequire(import.meta.url);
export const parseRobots = require('robots-parser') as (url: string, robotsTxt: string) => Robots;
