import { z } from 'zod';
import { fieldTypes, Fingerprint } from '../engine/blueprint/schema.js';
import { jobSummary } from '../jobs/jobs.schemas.js';

const fieldInput = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(500).optional(),
  type: z.enum(fieldTypes).optional(),
});

const exampleInput = z.object({
  url: z.url().max(2048),
  values: z.record(z.string(), z.union([z.string().max(2000), z.array(z.string().max(2000)).max(50)])),
});

const siteOptions = {
  name: z.string().trim().min(1).max(200).optional(),
  fields: z.array(fieldInput).max(50).optional().describe('Fields to extract; discovery proposes them when absent'),
  examples: z.array(exampleInput).max(20).optional().describe('Known values on given pages, to learn selectors from'),
  render: z.enum(['auto', 'never', 'always']).optional().describe('Render pages in a browser: auto decides per page'),
  maxPages: z.number().int().min(1).max(200).optional().describe('Pages to sample (default 30)'),
  schedule: z
    .string()
    .max(100)
    .nullable()
    .optional()
    .describe('Health checks: "every 6h", a cron expression (UTC), or null for none; default every 1d'),
};

/** What canonicalSiteUrl accepts, stated in the schema so clients and the document know it: http(s), no credentials. */
const siteUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .regex(/^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/i, 'must be an http(s) URL without user:password@')
  .meta({ format: 'uri' });

export const createSiteBody = z.object({ url: siteUrl, ...siteOptions }).meta({ id: 'NewSite' });
export const updateSiteBody = z
  .object(siteOptions)
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one property to change' })
  .meta({ id: 'SiteChanges', minProperties: 1 });

/** A batch reports a bad URL per item (status "invalid") instead of refusing the whole batch. */
export const batchCreateBody = z
  .object({
    sites: z
      .array(z.object({ ...createSiteBody.shape, url: z.string().min(1).max(2048) }))
      .min(1)
      .max(1000),
  })
  .meta({ id: 'SiteBatch' });
export const batchDeleteBody = z.object({ ids: z.array(z.uuid()).min(1).max(1000) });

/** One page type as discovery stored it (the engine's DiscoveredPageType). */
const discoveredPageType = z.object({
  name: z.string(),
  label: z
    .string()
    .optional()
    .describe('The page type as shown to people (e.g. "Product page"); absent on types discovered before labels existed'),
  description: z.string().optional(),
  kind: z.enum(['detail', 'listing', 'article', 'home', 'search', 'other']),
  dataType: z.string().optional(),
  urlPattern: z.string(),
  urls: z.array(z.string()),
  fields: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      examples: z.array(z.string()),
      from: z.string().describe('structured-data, label, heading, record or llm'),
      description: z.string().optional(),
    }),
  ),
});

export const siteIdParams = z.object({ id: z.uuid() });

export const listSitesQuery = z.object({
  status: z.enum(['pending', 'analyzing', 'ready', 'failed']).optional(),
  health: z.enum(['unknown', 'healthy', 'degraded', 'down']).optional(),
  technology: z.string().max(100).optional(),
  search: z.string().max(200).optional(),
  sort: z.enum(['createdAt', '-createdAt', 'name', '-name']).default('-createdAt'),
});

export const siteSummary = z
  .object({
    id: z.uuid(),
    url: z.string(),
    name: z.string(),
    status: z.enum(['pending', 'analyzing', 'ready', 'failed']),
    health: z.enum(['unknown', 'healthy', 'degraded', 'down']),
    technologies: z.array(z.string()),
    schedule: z.string().nullable(),
    lastCheckedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'SiteSummary' });

export const siteDetail = siteSummary
  .extend({
    options: z.object({
      fields: z.array(fieldInput).optional(),
      examples: z.array(exampleInput).optional(),
      render: z.enum(['auto', 'never', 'always']).optional(),
      maxPages: z.number().optional(),
    }),
    fingerprint: Fingerprint.nullable().describe('Detected technologies with categories, versions and confidence'),
    pageTypes: z.array(discoveredPageType).nullable().describe('Page types found by discovery, with their URLs and proposed fields'),
    activeBlueprint: z
      .object({
        id: z.uuid(),
        version: z.number().int(),
        createdAt: z.string(),
        fields: z.number().int(),
        coverage: z.number().nullable(),
        quality: z.number().nullable(),
      })
      .nullable(),
    lastCheck: z
      .object({
        checkedAt: z.string(),
        health: z.enum(['healthy', 'degraded', 'down']),
        httpStatus: z.number().nullable(),
        responseMs: z.number().nullable(),
        coverage: z.number().nullable(),
      })
      .nullable(),
    nextCheckAt: z.string().nullable(),
  })
  .meta({ id: 'SiteDetail' });

/**
 * What every request that starts a job answers (adding a site, re-analysing it, a batch extraction):
 * the job to follow, and the site it works on as it is now.
 */
export const startedJob = z.object({ job: jobSummary, site: siteDetail }).meta({ id: 'StartedJob' });

export const batchResult = z
  .object({
    results: z.array(
      z.object({
        url: z.string(),
        status: z.enum(['created', 'duplicate', 'invalid']),
        siteId: z.uuid().optional(),
        jobId: z.uuid().optional(),
        error: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'SiteBatchResult' });

export const siteCheck = z
  .object({
    checkedAt: z.string(),
    health: z.enum(['healthy', 'degraded', 'down']),
    httpStatus: z.number().int().nullable(),
    responseMs: z.number().int().nullable(),
    coverage: z.number().nullable().describe('Share of fields that found a valid value on the checked pages'),
    baselineCoverage: z.number().nullable().describe("The blueprint's own coverage when it was made"),
  })
  .meta({ id: 'SiteCheck' });
