import { z } from 'zod';
import type { AppInstance } from '../http/app.js';
import { problemSchema } from '../http/problem.js';
import type { WorkspaceOf } from '../http/route-context.js';
import type { ExtractionService } from './extraction.service.js';

const extractionResult = z
  .object({
    url: z.string(),
    pageType: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    sources: z.record(z.string(), z.number().int().nullable()),
    error: z.string().nullable().describe('Why this URL could not be fetched'),
  })
  .meta({ id: 'ExtractionResult' });

const body = z.union([
  z.object({ urls: z.array(z.url().max(2048)).min(1).max(100).describe('Pages to fetch now and extract (at most 100)') }),
  z.object({ html: z.string().min(1).max(5_000_000), url: z.url().max(2048).describe('Where the HTML came from, for relative links and page-type matching') }),
]);

export function registerExtractionRoutes(app: AppInstance, deps: { service: ExtractionService; workspaceOf: WorkspaceOf }): void {
  app.post(
    '/api/v1/sites/:id/extract',
    {
      config: { permission: 'blueprints:read' },
      // Pasted HTML may be large; a JSON body of up to 6 MB is accepted here only.
      bodyLimit: 6 * 1024 * 1024,
      schema: {
        tags: ['extraction'],
        summary: "Extract records with the site's active blueprint from URLs or from given HTML",
        params: z.object({ id: z.uuid() }),
        body,
        response: {
          200: z.object({ results: z.array(extractionResult) }),
          400: problemSchema,
          401: problemSchema,
          403: problemSchema,
          404: problemSchema,
        },
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
}
