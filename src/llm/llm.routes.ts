import { z } from 'zod';
import type { AppInstance } from '../http/app.js';
import { problemSchema } from '../http/problem.js';
import type { WorkspaceOf } from '../http/route-context.js';
import type { LlmService } from './llm.service.js';

const measures = {
  requests: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  costUsd: z.number().describe('Provider-reported cost, else computed from the price table; calls of unknown price count 0'),
};

const usageResponse = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  totals: z.object(measures),
  budget: z.object({ monthlyUsd: z.number(), spentThisMonthUsd: z.number(), analysisCapUsd: z.number() }),
  byDay: z.array(z.object({ day: z.string().describe('UTC date, YYYY-MM-DD'), ...measures })),
  byModel: z.array(z.object({ model: z.string(), ...measures })),
  bySite: z.array(z.object({ siteId: z.string().nullable(), ...measures })),
  byStep: z.array(z.object({ step: z.string(), ...measures })),
});

export function registerLlmRoutes(app: AppInstance, deps: { service: LlmService; workspaceOf: WorkspaceOf }): void {
  app.get(
    '/api/v1/llm/usage',
    {
      config: { permission: 'llm:read' },
      schema: {
        tags: ['llm'],
        summary: "LLM calls and their cost in the workspace, by day, model, site and step (default: this month)",
        querystring: z.object({ from: z.iso.datetime().optional(), to: z.iso.datetime().optional() }),
        response: { 200: usageResponse, 400: problemSchema, 401: problemSchema, 403: problemSchema },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      const usage = await deps.service.usage(deps.workspaceOf(request), { from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined });
      return { ...usage, from: usage.from.toISOString(), to: usage.to.toISOString() };
    },
  );
}
