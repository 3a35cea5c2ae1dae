import { z } from 'zod';
import { adminActorOf, adminErrors, adminOnly, adminTags } from '../admin/admin-routes.js';
import type { AppInstance } from '../http/app-instance.js';
import { problemResponses } from '../http/problem.js';
import type { WorkspaceOf } from '../http/route-context.js';
import type { ApiRateLimits } from './api-rate-limits.js';
import { quotaLimitsSchema, QUOTA_NAMES, type EffectiveLimits } from './quota-limits.js';
import type { QuotasService, WorkspaceQuota } from './quotas.service.js';
import type { PlanRecord } from './usage.repository.js';

const effectiveLimitsSchema = z
  .object(
    Object.fromEntries(QUOTA_NAMES.map((name) => [name, z.number().int().nullable()])) as Record<
      keyof EffectiveLimits,
      z.ZodNullable<z.ZodNumber>
    >,
  )
  .describe('The limits in force (null: unlimited)')
  .meta({ id: 'EffectiveLimits' });

const usageSchema = z
  .object({
    periodStart: z.iso.datetime(),
    periodEnd: z.iso.datetime().describe('When the monthly counts start again'),
    plan: z.object({ id: z.uuid(), name: z.string() }).nullable(),
    limits: effectiveLimitsSchema,
    used: z.object({
      sites: z.number().int(),
      analyses: z.number(),
      extractionPages: z.number(),
      llmCostUsd: z.number(),
    }),
  })
  .meta({ id: 'Usage' });

const planSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    limits: quotaLimitsSchema,
    priceMonthlyCents: z.number().int().nullable().describe('Placeholder for a billing provider; nothing is charged'),
    currency: z.string().nullable(),
    externalId: z.string().nullable().describe("The plan's identifier at a billing provider"),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Plan' });

const planInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    limits: quotaLimitsSchema,
    priceMonthlyCents: z.number().int().min(0).nullable().default(null),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
      .nullable()
      .default(null),
    externalId: z.string().max(200).nullable().default(null),
  })
  .strict();

const workspaceQuotaSchema = z
  .object({
    workspaceId: z.uuid(),
    plan: planSchema.nullable(),
    overrides: quotaLimitsSchema.nullable(),
    limits: effectiveLimitsSchema,
  })
  .meta({ id: 'WorkspaceQuota' });

function toPlan(plan: PlanRecord): z.infer<typeof planSchema> {
  const limits = quotaLimitsSchema.safeParse(plan.limits);
  return {
    id: plan.id,
    name: plan.name,
    limits: limits.success ? limits.data : {},
    priceMonthlyCents: plan.priceMonthlyCents,
    currency: plan.currency,
    externalId: plan.externalId,
    createdAt: plan.createdAt.toISOString(),
    updatedAt: plan.updatedAt.toISOString(),
  };
}

function toWorkspaceQuota(quota: WorkspaceQuota): z.infer<typeof workspaceQuotaSchema> {
  return { workspaceId: quota.workspaceId, plan: quota.plan && toPlan(quota.plan), overrides: quota.overrides, limits: quota.limits };
}

const monthQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
    .optional()
    .describe('YYYY-MM; the current month when left out'),
});

async function usageReport(quotas: QuotasService, workspaceId: string, month: string | undefined): Promise<z.infer<typeof usageSchema>> {
  const report = await quotas.report(workspaceId, month ? new Date(`${month}-01T00:00:00Z`) : undefined);
  return { ...report, periodStart: report.periodStart.toISOString(), periodEnd: report.periodEnd.toISOString() };
}

export interface UsageRouteDeps {
  quotas: QuotasService;
  rateLimits: ApiRateLimits;
  workspaceOf: WorkspaceOf;
}

/** The workspace's usage (GET /api/v1/usage) and the administration of plans and quotas. */
export function registerUsageRoutes(app: AppInstance, { quotas, rateLimits, workspaceOf }: UsageRouteDeps): void {
  app.get(
    '/api/v1/usage',
    {
      config: { permission: 'sites:read' },
      schema: {
        tags: ['usage'],
        summary: "The workspace's usage in a calendar month (UTC) against its quotas",
        querystring: monthQuery,
        response: { 200: usageSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => usageReport(quotas, workspaceOf(request), request.query.month),
  );

  app.get(
    '/api/v1/admin/plans',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Every plan with its limits',
        response: { 200: z.object({ items: z.array(planSchema) }), ...adminErrors },
      },
    },
    async () => ({ items: (await quotas.listPlans()).map(toPlan) }),
  );

  app.post(
    '/api/v1/admin/plans',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Create a plan',
        body: planInput,
        response: { 201: planSchema, ...adminErrors, ...problemResponses(409) },
      },
    },
    async (request, reply) => reply.status(201).send(toPlan(await quotas.createPlan(adminActorOf(request), request.body))),
  );

  app.patch(
    '/api/v1/admin/plans/:id',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: "Change a plan's name, limits or price placeholders; workspaces on it get the new limits",
        params: z.object({ id: z.uuid() }),
        body: planInput.partial().strict(),
        response: { 200: planSchema, ...adminErrors, ...problemResponses(409) },
      },
    },
    async (request) => {
      const plan = toPlan(await quotas.updatePlan(adminActorOf(request), request.params.id, request.body));
      rateLimits.forget();
      return plan;
    },
  );

  app.get(
    '/api/v1/admin/quota-defaults',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'The default quotas of workspaces (for what their plan and overrides leave out)',
        response: { 200: quotaLimitsSchema, ...adminErrors },
      },
    },
    async () => quotas.defaults(),
  );

  app.put(
    '/api/v1/admin/quota-defaults',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Replace the default quotas',
        body: quotaLimitsSchema,
        response: { 200: quotaLimitsSchema, ...adminErrors },
      },
    },
    async (request) => {
      const limits = await quotas.setDefaults(adminActorOf(request), request.body);
      rateLimits.forget();
      return limits;
    },
  );

  const workspaceParams = z.object({ id: z.uuid() });
  app.get(
    '/api/v1/admin/workspaces/:id/quota',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: "A workspace's plan, overrides and the limits in force",
        params: workspaceParams,
        response: { 200: workspaceQuotaSchema, ...adminErrors },
      },
    },
    async (request) => toWorkspaceQuota(await quotas.workspaceQuota(request.params.id)),
  );

  app.get(
    '/api/v1/admin/workspaces/:id/usage',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: "Any workspace's usage in a calendar month (UTC) against its quotas, as its members see it in GET /usage",
        params: workspaceParams,
        querystring: monthQuery,
        response: { 200: usageSchema, ...adminErrors },
      },
    },
    async (request) => usageReport(quotas, request.params.id, request.query.month),
  );

  app.put(
    '/api/v1/admin/workspaces/:id/quota',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Put a workspace on a plan and/or set its overrides (null clears either); fields left out stay',
        params: workspaceParams,
        body: z.object({ planId: z.uuid().nullable().optional(), overrides: quotaLimitsSchema.nullable().optional() }).strict(),
        response: { 200: workspaceQuotaSchema, ...adminErrors },
      },
    },
    async (request) => {
      const quota = await quotas.setWorkspaceQuota(adminActorOf(request), request.params.id, request.body);
      rateLimits.forget(request.params.id);
      return toWorkspaceQuota(quota);
    },
  );
}
