import type { AuditRepository } from '../audit/audit.repository.js';
import type { Config } from '../config/index.js';
import { DomainError, domainErrors } from '../domain/errors.js';
import { RUNTIME_SETTING_NAMES, type RuntimeSettings, type RuntimeSettingValues } from '../settings/runtime-settings.js';
import type { QuotaLimits } from '../usage/quota-limits.js';
import type { QuotasService } from '../usage/quotas.service.js';
import type { AdminActor } from './admin-users.service.js';

/** The instance settings administrators edit: the runtime settings and the default quotas (kept by QuotasService). */
export type AdminSettings = RuntimeSettingValues & { defaultQuotas: QuotaLimits };

export interface SmtpTestResult {
  to: string;
  messageId: string;
  /** The SMTP server's last answer (250 …). */
  response: string;
  durationMs: number;
}

/** How long the test may wait on the SMTP server at each stage. */
const SMTP_TEST_TIMEOUT_MS = 10_000;

/**
 * Runtime settings for system administrators: read with what the environment contributes, changed
 * with validation (only configured OAuth providers can be allowed) and audited with before and after.
 */
export class AdminSettingsService {
  constructor(
    private readonly deps: {
      settings: RuntimeSettings;
      quotas: QuotasService;
      audit: AuditRepository;
      config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'LLM_MONTHLY_BUDGET_USD'>;
      /** The OAuth providers whose credentials the environment holds. */
      configuredOAuthProviders: string[];
      /** An account's email address (the SMTP test's default recipient is the administrator). */
      emailOf: (userId: string) => Promise<string | undefined>;
    },
  ) {}

  async read(): Promise<AdminSettings> {
    const [values, defaultQuotas] = await Promise.all([this.deps.settings.all(), this.deps.quotas.defaults()]);
    return { ...values, defaultQuotas };
  }

  /** What the environment decides (secrets and their consequences), shown beside the settings. */
  environment() {
    return {
      configuredOAuthProviders: this.deps.configuredOAuthProviders,
      llmMonthlyBudgetUsd: this.deps.config.LLM_MONTHLY_BUDGET_USD,
      smtpConfigured: this.deps.config.SMTP_URL !== undefined,
      mailFrom: this.deps.config.MAIL_FROM,
    };
  }

  async update(actor: AdminActor, changes: Partial<AdminSettings>): Promise<AdminSettings> {
    const unconfigured = (changes.allowedOAuthProviders ?? []).filter((name) => !this.deps.configuredOAuthProviders.includes(name));
    if (unconfigured.length) {
      throw new DomainError('invalid', `Not configured on this instance: ${unconfigured.join(', ')}; set its client id and secret first`, {
        issues: [{ in: 'body', path: '/allowedOAuthProviders', message: `not configured: ${unconfigured.join(', ')}` }],
      });
    }
    const before = await this.read();
    const { defaultQuotas, ...runtime } = changes;
    await this.deps.settings.set(runtime);
    // The defaults keep their one home and their own audit entry (admin.quota-defaults-changed).
    if (defaultQuotas !== undefined) await this.deps.quotas.setDefaults(actor, defaultQuotas);
    const after = await this.read();
    const changed = Object.fromEntries(
      RUNTIME_SETTING_NAMES.filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name])).map((name) => [
        name,
        { from: before[name], to: after[name] },
      ]),
    );
    if (Object.keys(changed).length) {
      await this.deps.audit.append({
        action: 'admin.settings-changed',
        actorUserId: actor.userId,
        target: 'settings',
        details: { changed },
        ip: actor.ip,
        userAgent: actor.userAgent ?? null,
      });
    }
    return after;
  }

  /**
   * Sends one test email through SMTP_URL straight away (not through the outbox), so the answer says
   * whether the server accepts mail now. A failure is a problem carrying the server's reason.
   */
  async smtpTest(actor: AdminActor, recipient?: string): Promise<SmtpTestResult> {
    const { SMTP_URL, MAIL_FROM } = this.deps.config;
    if (!SMTP_URL) {
      throw new DomainError('conflict', 'SMTP_URL is not set: emails wait in the outbox until it is', { code: 'smtp-not-configured' });
    }
    const to = recipient ?? (await this.deps.emailOf(actor.userId));
    if (!to) throw domainErrors.notFound('Account');
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({
      url: SMTP_URL,
      connectionTimeout: SMTP_TEST_TIMEOUT_MS,
      greetingTimeout: SMTP_TEST_TIMEOUT_MS,
      socketTimeout: SMTP_TEST_TIMEOUT_MS,
    } as Parameters<typeof nodemailer.createTransport>[0]);
    const started = performance.now();
    let outcome: { ok: true; messageId: string; response: string } | { ok: false; error: string };
    try {
      const info = await transport.sendMail({
        from: MAIL_FROM,
        to,
        subject: 'Siteprint SMTP test',
        text: 'This is a test email sent by a Siteprint administrator from the admin settings. Mail delivery works.',
      });
      outcome = { ok: true, messageId: info.messageId, response: info.response };
    } catch (error) {
      // nodemailer's messages name the server and the SMTP reply, never the URL's credentials.
      outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
    } finally {
      transport.close();
    }
    await this.deps.audit.append({
      action: 'admin.smtp-tested',
      actorUserId: actor.userId,
      target: 'settings',
      details: { to, ok: outcome.ok, ...(outcome.ok ? {} : { error: outcome.error }) },
      ip: actor.ip,
      userAgent: actor.userAgent ?? null,
    });
    if (!outcome.ok) {
      throw new DomainError('unprocessable', `The SMTP server did not accept the test email: ${outcome.error}`, { code: 'smtp-failed' });
    }
    return { to, messageId: outcome.messageId, response: outcome.response, durationMs: Math.round(performance.now() - started) };
  }
}
