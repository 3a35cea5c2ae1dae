import { z } from 'zod';
import type { AppInstance } from '../http/app-instance.js';
import { problemResponses, problemSchema } from '../http/problem.js';
import type { WorkspaceOf } from '../http/route-context.js';
import { actorOf } from '../workspaces/workspaces.routes.js';
import type { LlmService } from './llm.service.js';

const measures = {
  requests: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  costUsd: z.number().describe('Provider-reported cost, else computed from the price table; calls of unknown price count 0'),
};

const budgetSchema = z
  .object({
    monthlyUsd: z.number().describe("The workspace's monthly LLM budget in USD; 0 disables LLM calls"),
    source: z
      .enum(['workspace', 'default'])
      .describe(
        'workspace: set by its owners or admins; default: the instance default (set by system administrators, else LLM_MONTHLY_BUDGET_USD)',
      ),
    defaultMonthlyUsd: z.number().describe('The instance default (set by system administrators, else LLM_MONTHLY_BUDGET_USD)'),
    spentThisMonthUsd: z.number().describe('Spent since the first of this month (UTC)'),
    analysisCapUsd: z
      .number()
      .describe('Most one analysis may spend (LLM_ANALYSIS_CAP_USD); beyond it the analysis goes on heuristics-only'),
  })
  .meta({ id: 'LlmBudget' });

const usageResponse = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  totals: z.object(measures),
  budget: budgetSchema,
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
        summary: 'LLM calls and their cost in the workspace, by day, model, site and step (default: this month)',
        querystring: z.object({ from: z.iso.datetime().optional(), to: z.iso.datetime().optional() }),
        response: { 200: usageResponse, 400: problemSchema, 401: problemSchema, 403: problemSchema },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      const usage = await deps.service.usage(deps.workspaceOf(request), {
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
      });
      return { ...usage, from: usage.from.toISOString(), to: usage.to.toISOString() };
    },
  );
  registerBudgetRoutes(app, deps);
}

/** The workspace's monthly LLM budget: everyone with llm:read sees it, owners and admins (llm:manage) set it. */
function registerBudgetRoutes(app: AppInstance, deps: { service: LlmService; workspaceOf: WorkspaceOf }): void {
  const errors = problemResponses(400, 401, 403);
  app.get(
    '/api/v1/llm/budget',
    {
      config: { permission: 'llm:read' },
      schema: {
        tags: ['llm'],
        summary: "The workspace's monthly LLM budget and this month's spend",
        response: { 200: budgetSchema, ...errors },
      },
    },
    async (request) => deps.service.budget(deps.workspaceOf(request)),
  );

  app.put(
    '/api/v1/llm/budget',
    {
      config: { permission: 'llm:manage' },
      schema: {
        tags: ['llm'],
        summary: "Set the workspace's monthly LLM budget (owners and admins); null returns to the instance default",
        body: z.object({ monthlyUsd: z.number().nonnegative().max(1_000_000).nullable() }).strict(),
        response: { 200: budgetSchema, ...errors },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await deps.service.setBudget(actor, request.body.monthlyUsd);
      return deps.service.budget(actor.workspaceId);
    },
  );
}
