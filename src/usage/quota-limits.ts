import { z } from 'zod';

const limit = (description: string, min = 0) =>
  z.number().int().min(min).nullable().optional().describe(`${description}; null means unlimited`);

/** Every quota a workspace has; each is a whole number or null (unlimited). */
export const quotaLimitsSchema = z
  .object({
    sites: limit('Sites in the workspace'),
    analysesPerMonth: limit('Analyses started per calendar month (UTC)'),
    extractionPagesPerMonth: limit('Pages extracted per calendar month (UTC)'),
    apiRequestsPerMinute: limit('API requests per minute for the whole workspace', 1),
    apiRequestsPerMinutePerCaller: limit('API requests per minute for each signed-in user or API key', 1),
  })
  .strict()
  .meta({ id: 'QuotaLimits' });

export type QuotaLimits = z.infer<typeof quotaLimitsSchema>;
export type QuotaName = keyof QuotaLimits;
export type EffectiveLimits = Record<QuotaName, number | null>;

export const QUOTA_NAMES = Object.keys(quotaLimitsSchema.shape) as QuotaName[];

/**
 * The limits in force: each layer (instance defaults, then the plan, then the workspace's
 * overrides) replaces the ones before it for the quotas it names; a quota no layer names is unlimited.
 */
export function effectiveLimits(...layers: Array<QuotaLimits | null | undefined>): EffectiveLimits {
  const limits = Object.fromEntries(QUOTA_NAMES.map((name) => [name, null])) as EffectiveLimits;
  for (const layer of layers) {
    for (const name of QUOTA_NAMES) {
      const value = layer?.[name];
      if (value !== undefined) limits[name] = value;
    }
  }
  return limits;
}

/** Start of the calendar month (UTC) holding `at`, and of the next: a monthly quota's period and reset time. */
export function monthOf(at: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { start, end };
}
