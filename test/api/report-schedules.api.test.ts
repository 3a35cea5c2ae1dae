import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInstance } from '../../src/http/app-instance.js';
import type { Platform } from '../../src/app/platform.js';
import { PASSWORD, signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { startSmtpListener, type SmtpListener } from '../support/smtp-listener.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Report schedules over HTTP: validated, claimed once however many ticks race, run as a
 * generate_report job, and emailed with the PDF attached through a real SMTP server; the emails
 * are queued in the outbox with the report, so a process that stops before sending (here one with
 * no SMTP server configured) leaves them to the next one, which sends each once.
 */
describe.each(databaseTargets())('scheduled reports on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let mailbox: SmtpListener;
  let alice: TestUser;
  let bob: TestUser;

  const as = (user: TestUser, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, headers: user.headers, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    mailbox = await startSmtpListener();
    database = await target.open();
    ({ app, platform } = await createTestStack({ database, env: { REPORT_SCHEDULER_INTERVAL_MS: '100' } }));
    await app.ready();
    alice = await signUp(app, 'alice@example.com');
    bob = await signUp(app, 'bob@example.com');
    // The emails counted below are the schedule's; alice's daily summary would join them when the
    // suite runs at its hour.
    await as(alice, 'PUT', '/api/v1/notification-settings', { summaryEnabled: false });
    await platform.queue.work(platform.handlers, { concurrency: 2 });
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
    await mailbox?.close();
  });

  it('turns a frequency and time zone into a cron schedule, and refuses what cannot run', async () => {
    const weekly = await as(alice, 'POST', '/api/v1/report-schedules', {
      name: 'Monday digest',
      report: { type: 'workspace_summary' },
      frequency: 'weekly',
      time: '07:30',
      timeZone: 'Europe/Paris',
      recipients: ['Ops@Example.com', 'ops@example.com', 'cto@example.com'],
    });
    expect(weekly.statusCode, weekly.body).toBe(201);
    const schedule = weekly.json();
    expect(schedule).toMatchObject({
      cron: '30 7 * * 1',
      timeZone: 'Europe/Paris',
      recipients: ['ops@example.com', 'cto@example.com'],
      params: { periodDays: 7 },
      format: 'pdf',
    });
    const next = new Date(schedule.nextRunAt);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', weekday: 'long', hour: '2-digit', minute: '2-digit' }).format(next),
    ).toBe('Monday 07:30');

    const list = (await as(alice, 'GET', '/api/v1/report-schedules')).json().items;
    expect(list.map((item: { id: string }) => item.id)).toEqual([schedule.id]);
    expect((await as(bob, 'GET', '/api/v1/report-schedules')).json().items).toEqual([]);
    expect((await as(bob, 'DELETE', `/api/v1/report-schedules/${schedule.id}`)).statusCode).toBe(404);
    expect((await as(alice, 'DELETE', `/api/v1/report-schedules/${schedule.id}`)).statusCode).toBe(204);
    expect((await as(alice, 'GET', '/api/v1/report-schedules')).json().items).toEqual([]);

    const base = { name: 'x', report: { type: 'workspace_summary' }, recipients: ['a@example.com'] };
    for (const body of [
      { ...base },
      { ...base, cron: '0 8 * * *', frequency: 'daily' },
      { ...base, cron: '*/5 * * * *' },
      { ...base, cron: 'not cron' },
      { ...base, frequency: 'daily', timeZone: 'Mars/Olympus' },
      { ...base, frequency: 'daily', time: '25:00' },
      { ...base, frequency: 'daily', recipients: ['not-an-address'] },
      { ...base, frequency: 'daily', recipients: [] },
      { ...base, frequency: 'daily', report: { type: 'site_report' } },
    ]) {
      const response = await as(alice, 'POST', '/api/v1/report-schedules', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().errors?.length, JSON.stringify(body)).toBeGreaterThan(0);
    }
    const foreign = await as(alice, 'POST', '/api/v1/report-schedules', {
      ...base,
      frequency: 'daily',
      report: { type: 'site_report', siteId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(foreign.statusCode).toBe(404);
  });

  it('runs a due schedule once and, after a restart with SMTP configured, emails its PDF to each recipient once', async () => {
    const schedule = (
      await as(alice, 'POST', '/api/v1/report-schedules', {
        name: 'Daily figures',
        report: { type: 'workspace_summary', format: 'pdf' },
        frequency: 'daily',
        time: '06:00',
        recipients: ['ops@example.com', 'cto@example.com'],
      })
    ).json();
    await database.query(sql`update report_schedules set next_run_at = now() - interval '1 minute' where id = ${schedule.id}`);
    // The app's own timer ticks every 100 ms; these race it, as other API processes would.
    await Promise.all([
      platform.services.reportSchedules.runDue(),
      platform.services.reportSchedules.runDue(),
      platform.services.reportSchedules.runDue(),
    ]);

    const report = await until('the scheduled report', async () => {
      const items = (await as(alice, 'GET', '/api/v1/reports')).json().items as Array<{ status: string; params: Record<string, unknown> }>;
      return items.find((item) => item.status === 'succeeded');
    });
    const runs = await database.query<{ count: number }>(
      sql`select count(*)::int as count from reports where schedule_id = ${schedule.id}`,
    );
    expect(runs[0]!.count).toBe(1);
    const [after] = (await as(alice, 'GET', '/api/v1/report-schedules')).json().items;
    expect(new Date(after.nextRunAt).getTime()).toBeGreaterThan(Date.now());
    expect(after.lastRunAt).not.toBeNull();
    const pdf = (await as(alice, 'GET', `/api/v1/reports/${(report as unknown as { id: string }).id}/download`)).rawPayload;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

    // No SMTP server configured in this process: the emails wait in the outbox, unsent.
    const waiting = await database.query<{ to: string; sent_at: Date | null }>(
      sql`select "to", sent_at from email_outbox where metadata->>'scheduleId' = ${schedule.id} order by "to"`,
    );
    expect(waiting).toEqual([
      { to: 'cto@example.com', sent_at: null },
      { to: 'ops@example.com', sent_at: null },
    ]);
    expect(mailbox.messages).toHaveLength(0);

    await app.close();
    ({ app, platform } = await createTestStack({
      database,
      env: { SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`, MAIL_FROM: 'Siteprint <reports@siteprint.test>', EMAIL_SEND_INTERVAL_MS: '100' },
    }));
    await app.ready();
    const mails = await until('both emails', () => (mailbox.messages.length >= 2 ? mailbox.messages : undefined));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(mailbox.messages).toHaveLength(2);
    const fileName = (report as unknown as { fileName: string }).fileName;
    for (const mail of mails) {
      expect(mail.from?.value[0]).toMatchObject({ name: 'Siteprint', address: 'reports@siteprint.test' });
      expect(mail.subject).toBe(`Daily figures (${fileName})`);
      expect(mail.attachments).toHaveLength(1);
      expect(mail.attachments[0]).toMatchObject({ filename: fileName, contentType: 'application/pdf' });
      expect(Buffer.compare(mail.attachments[0]!.content, pdf)).toBe(0);
    }
    expect(mails.map((mail) => (Array.isArray(mail.to) ? mail.to[0] : mail.to)?.text).sort()).toEqual([
      'cto@example.com',
      'ops@example.com',
    ]);
    const sent = await database.query<{ unsent: number }>(
      sql`select count(*) filter (where sent_at is null)::int as unsent from email_outbox where metadata->>'scheduleId' = ${schedule.id}`,
    );
    expect(sent[0]!.unsent).toBe(0);

    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: alice.email, password: PASSWORD } });
    expect(login.statusCode).toBe(200);
  });
});
