import { z } from 'zod';
import { oauthProviderNames } from '../accounts/oauth-providers.js';
import type { AppInstance } from '../http/app-instance.js';
import { problemResponses } from '../http/problem.js';
import { registrationModes } from '../settings/runtime-settings.js';
import { quotaLimitsSchema } from '../usage/quota-limits.js';
import { adminActorOf, adminErrors, adminOnly, adminTags } from './admin-routes.js';
import type { AdminSettingsService } from './admin-settings.service.js';

const settingsFields = {
  registrationMode: z
    .enum(registrationModes)
    .describe(
      'open: anyone may sign up; invite-only: only an address with a pending invitation; closed: nobody (the first administrator always can)',
    ),
  allowedOAuthProviders: z
    .array(z.enum(oauthProviderNames))
    .max(oauthProviderNames.length)
    .refine((names) => new Set(names).size === names.length, 'each provider once')
    .nullable()
    .describe('The configured providers people may sign in with; null allows every configured one, [] none'),
  llmDefaultMonthlyBudgetUsd: z
    .number()
    .nonnegative()
    .max(1_000_000)
    .nullable()
    .describe('The monthly LLM budget of workspaces that set none; null uses LLM_MONTHLY_BUDGET_USD'),
  defaultQuotas: quotaLimitsSchema.describe('The default quotas of workspaces (the same as /api/v1/admin/quota-defaults)'),
};

const settingsSchema = z
  .object({
    ...settingsFields,
    environment: z
      .object({
        configuredOAuthProviders: z.array(z.enum(oauthProviderNames)).describe('Providers whose client id and secret are set'),
        llmMonthlyBudgetUsd: z.number().describe('LLM_MONTHLY_BUDGET_USD'),
        smtpConfigured: z.boolean().describe('Whether SMTP_URL is set (else emails wait in the outbox)'),
        mailFrom: z.string(),
      })
      .describe('What the environment decides; secrets stay there and are never shown'),
  })
  .meta({ id: 'InstanceSettings' });

export interface AdminSettingsRouteDeps {
  service: AdminSettingsService;
  /** Called after the default quotas change, so this process's rate limits use them at once. */
  quotaDefaultsChanged: () => void;
}

/** Runtime settings of the instance, for system administrators; every change and SMTP test is audited. */
export function registerAdminSettingsRoutes(app: AppInstance, { service, quotaDefaultsChanged }: AdminSettingsRouteDeps): void {
  const view = async () => ({ ...(await service.read()), environment: service.environment() }) as z.infer<typeof settingsSchema>;

  app.get(
    '/api/v1/admin/settings',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Runtime settings: registration mode, allowed OAuth providers, default LLM budget and quotas',
        response: { 200: settingsSchema, ...adminErrors },
      },
    },
    view,
  );

  app.put(
    '/api/v1/admin/settings',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Change runtime settings; fields left out stay. Takes effect in every process at once',
        body: z.object(settingsFields).partial().strict(),
        response: { 200: settingsSchema, ...adminErrors },
      },
    },
    async (request) => {
      await service.update(adminActorOf(request), request.body as Parameters<AdminSettingsService['update']>[1]);
      if (request.body.defaultQuotas !== undefined) quotaDefaultsChanged();
      return view();
    },
  );

  app.post(
    '/api/v1/admin/settings/smtp-test',
    {
      config: adminOnly,
      schema: {
        tags: adminTags,
        summary: 'Send a test email through SMTP_URL now (to the administrator unless another address is given)',
        body: z
          .object({ to: z.email().max(320).optional() })
          .strict()
          .default({}),
        response: {
          200: z
            .object({
              to: z.string(),
              messageId: z.string(),
              response: z.string().describe("The SMTP server's answer"),
              durationMs: z.number().int(),
            })
            .meta({ id: 'SmtpTestResult' }),
          ...adminErrors,
          ...problemResponses(409, 422),
        },
      },
    },
    async (request) => service.smtpTest(adminActorOf(request), request.body.to),
  );
}
