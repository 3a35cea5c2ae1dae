import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { AppInstance } from '../http/app-instance.js';
import { FieldType } from '../engine/blueprint/schema.js';
import { problemResponses } from '../http/problem.js';
import type { WorkspaceOf } from '../http/route-context.js';
import { toJobSummary } from '../jobs/jobs.schemas.js';
import { startedJob } from '../sites/sites.schemas.js';
import { MAX_URLS_PER_JOB, MAX_URLS_PER_REQUEST, type ExtractionService } from './extraction.service.js';

const money = z
  .object({
    amount: z.number().describe('Decimal amount (thousands separators and decimal commas read; the current price of a was/now pair)'),
    currency: z.string().nullable().describe('ISO 4217 code; null when the page names no currency'),
  })
  .meta({ id: 'Money' });
const typedValue = z
  .union([z.string(), z.number(), money])
  .describe(
    'money → Money; number → number; date → ISO 8601; url/image → absolute URL; availability → schema.org name (InStock…); gtin/isbn → digits with a valid check digit; otherwise text',
  );
const typedField = z
  .object({
    type: FieldType,
    value: z
      .union([typedValue, z.array(typedValue)])
      .nullable()
      .describe('The value coerced to the field type (a list for multiple-valued fields); null when none parses'),
    raw: z
      .union([z.string(), z.array(z.string())])
      .nullable()
      .describe('The text as read from the page, before coercion'),
    valid: z
      .boolean()
      .describe('False when only text that does not parse as the field type was found (then value is null and raw holds that text)'),
  })
  .meta({ id: 'TypedField' });

const typedRecord = z.object({
  fields: z.record(z.string(), typedField),
  items: z.array(z.record(z.string(), typedField)).optional().describe('One per record of a listing page'),
});

const extractionResult = z
  .object({
    url: z.string(),
    pageType: z.string().nullable().describe('The page type whose URL pattern matches the page; null when nothing was extracted'),
    data: z
      .record(z.string(), z.unknown())
      .describe('Display value per field (text, a list for multiple-valued fields; items and nextPage on listings)'),
    typed: typedRecord.describe('Per field: the declared type, the typed value and the raw text it came from'),
    sources: z.record(z.string(), z.number().int().nullable()),
    error: z
      .string()
      .nullable()
      .describe(
        'Why nothing was extracted from this URL (pageType is then null and data empty): it could not be fetched, it answered an HTTP error ("HTTP 404"), or no page type of the blueprint matches its URL ("No page type of the blueprint matches …"). Each URL has its own result, so one such URL does not fail the request.',
      ),
  })
  .meta({ id: 'ExtractionResult' });

const siteParams = z.object({ id: z.uuid() });

const body = z.union([
  z.object({
    urls: z
      .array(z.url().max(2048))
      .min(1)
      .max(MAX_URLS_PER_REQUEST)
      .describe(`Pages to fetch now and extract (at most ${MAX_URLS_PER_REQUEST})`),
  }),
  z.object({
    html: z.string().min(1).max(5_000_000),
    url: z.url().max(2048).describe('Where the HTML came from, for relative links and page-type matching'),
  }),
]);

const resultRecord = z
  .object({
    url: z.string(),
    pageType: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    typed: typedRecord
      .nullable()
      .describe('Per field: the declared type, the typed value and the raw text it came from; null for records stored before typed values'),
    error: z.string().nullable(),
  })
  .meta({ id: 'ExtractionJobRecord' });

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.every((item) => typeof item !== 'object') ? value.join(' | ') : JSON.stringify(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export interface ExtractionRoutesDeps {
  service: ExtractionService;
  workspaceOf: WorkspaceOf;
  /** The site as the API shows it in full (404 outside the workspace). */
  siteDetail: (workspaceId: string, siteId: string) => Promise<z.infer<typeof startedJob>['site']>;
}

export function registerExtractionRoutes(app: AppInstance, deps: ExtractionRoutesDeps): void {
  app.post(
    '/api/v1/sites/:id/extract',
    {
      config: { permission: 'blueprints:read' },
      // Pasted HTML may be large; a JSON body of up to 6 MB is accepted here only.
      bodyLimit: 6 * 1024 * 1024,
      schema: {
        tags: ['extraction'],
        summary: "Extract records with the site's active blueprint from URLs or from given HTML",
        params: siteParams,
        body,
        response: { 200: z.object({ results: z.array(extractionResult) }) },
      },
    },
    async (request) => {
      const workspaceId = deps.workspaceOf(request);
      const input = request.body;
      const results =
        'urls' in input
          ? await deps.service.fromUrls(workspaceId, request.params.id, input.urls)
          : [await deps.service.fromHtml(workspaceId, request.params.id, input)];
      return { results };
    },
  );

  app.post(
    '/api/v1/sites/:id/extract/jobs',
    {
      config: { permission: 'jobs:write' },
      schema: {
        tags: ['extraction'],
        summary: `Extract up to ${MAX_URLS_PER_JOB} URLs in a job; download its records from /api/v1/jobs/{id}/results`,
        params: siteParams,
        body: z.object({ urls: z.array(z.url().max(2048)).min(1).max(MAX_URLS_PER_JOB) }),
        response: { 202: startedJob },
      },
    },
    async (request, reply) => {
      const workspaceId = deps.workspaceOf(request);
      const job = await deps.service.startBatch(workspaceId, request.params.id, request.body.urls);
      return reply.status(202).send({ site: await deps.siteDetail(workspaceId, request.params.id), job: toJobSummary(job) });
    },
  );

  app.get(
    '/api/v1/jobs/:id/results',
    {
      config: { permission: 'jobs:read' },
      schema: {
        tags: ['extraction'],
        summary: 'Records of a finished extraction job as JSON, NDJSON or CSV',
        params: z.object({ id: z.uuid() }),
        querystring: z.object({ format: z.enum(['json', 'ndjson', 'csv']).default('json') }),
        response: {
          200: {
            description: 'The records as a file to save (Content-Disposition: attachment)',
            content: {
              'application/json': { schema: z.object({ results: z.array(resultRecord) }) },
              'application/x-ndjson': { schema: z.string().describe('One JSON record per line') },
              'text/csv': { schema: z.string().describe('url, page_type, error, then a column per field') },
            },
          },
          ...problemResponses(409),
        },
      },
    },
    async (request, reply) => {
      const stored = await deps.service.batchResults(deps.workspaceOf(request), request.params.id);
      const records: Array<z.infer<typeof resultRecord>> = [];
      for await (const row of stored)
        records.push({ url: row.url, pageType: row.pageType, data: row.data, typed: row.typed, error: row.error });
      const { format } = request.query;
      const filename = `extraction-${request.params.id}.${format}`;
      reply.header('content-disposition', `attachment; filename="${filename}"`);
      if (format === 'json') return reply.type('application/json').send(JSON.stringify({ results: records }));
      if (format === 'ndjson')
        return reply.type('application/x-ndjson').send(records.map((record) => JSON.stringify(record)).join('\n') + '\n');
      const fields = [...new Set(records.flatMap((record) => Object.keys(record.data)))];
      const rows = records.map((record) => [
        record.url,
        record.pageType ?? '',
        record.error ?? '',
        ...fields.map((field) => csvCell(record.data[field])),
      ]);
      return reply.type('text/csv').send(stringify([['url', 'page_type', 'error', ...fields], ...rows]));
    },
  );
}
