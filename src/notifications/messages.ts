import { escapeHtml } from '../domain/html.js';
import type { NotificationEvent } from './notifications.repository.js';

/** What every channel says about an event: a title, lines of detail and a link to the dashboard. */
export interface EventMessage {
  title: string;
  lines: string[];
  link: string;
  /** In a daily summary's email, the recipient's digest: the first events they chose to get in the summary, and how many more there were. */
  digest?: { items: Array<{ title: string; link: string }>; more: number };
}

const QUOTA_LABELS: Record<string, string> = {
  sites: 'sites',
  analysesPerMonth: 'analyses this month',
  extractionPagesPerMonth: 'extracted pages this month',
};

const SYSTEM_ERROR_LABELS: Record<string, string> = {
  'queue.stalled': 'queue stalled',
  'worker.crash_loop': 'worker crash loop',
  'database.unreachable': 'database unreachable from a worker',
};

const str = (value: unknown) => (typeof value === 'string' ? value : String(value ?? ''));

export function describeEvent(event: Pick<NotificationEvent, 'type' | 'data' | 'siteId'>, publicUrl: string): EventMessage {
  const data = event.data;
  const base = publicUrl.replace(/\/$/, '');
  const siteLink = event.siteId ? `${base}/sites/${event.siteId}` : `${base}/`;
  switch (event.type) {
    case 'site.health_changed': {
      const site = str(data.siteName || data.siteUrl);
      const recovered = data.to === 'healthy';
      return {
        title: recovered ? `Recovered: ${site} is healthy again` : `${site} is ${str(data.to)}`,
        lines: [`Health went from ${str(data.from)} to ${str(data.to)}.`, `Site: ${str(data.siteUrl)}`],
        link: siteLink,
      };
    }
    case 'llm.budget_threshold':
      return {
        title: `LLM budget ${str(data.threshold)} % reached`,
        lines: [
          `$${Number(data.spentUsd).toFixed(2)} of the $${Number(data.budgetUsd).toFixed(2)} monthly budget spent (${str(data.month)}).`,
        ],
        link: `${base}/settings`,
      };
    case 'quota.threshold': {
      const quota = QUOTA_LABELS[str(data.quota)] ?? str(data.quota);
      const resets = data.resetAt ? ` It resets at ${str(data.resetAt)}.` : '';
      return {
        title: `Quota ${str(data.threshold)} % reached: ${quota}`,
        lines: [`${str(data.used)} of ${str(data.limit)} ${quota} used (${str(data.month)}).${resets}`],
        link: `${base}/settings`,
      };
    }
    case 'analysis.succeeded':
    case 'analysis.failed':
      return {
        title: `Analysis ${event.type === 'analysis.succeeded' ? 'succeeded' : 'failed'}: ${str(data.siteName || data.siteUrl)}`,
        lines: data.error ? [`Error: ${str(data.error)}`] : [],
        link: siteLink,
      };
    case 'blueprint.version_created':
      return {
        title: `Blueprint version ${str(data.version)} created (${str(data.reason)})`,
        lines: [`A ${str(data.reason)} wrote version ${str(data.version)} and made it active.`],
        link: siteLink,
      };
    case 'blueprint.repair_failed':
      return {
        title: `Blueprint repair failed: ${str(data.siteName || data.siteUrl)}`,
        lines: [`Error: ${str(data.error)}`, 'The previous blueprint stays active; run a new analysis if fields keep failing.'],
        link: siteLink,
      };
    case 'job.failed':
      return {
        title: `Job ${str(data.jobType)} failed after ${str(data.attempts)} attempts`,
        lines: [`Error: ${str(data.error)}`],
        link: `${base}/jobs`,
      };
    case 'report.ready':
      return { title: `Report ready: ${str(data.title)}`, lines: [], link: `${base}/reports` };
    case 'daily.summary': {
      const counts = (data.counts ?? {}) as Record<string, number>;
      return {
        title: `Daily summary for ${str(data.date)}`,
        lines: [...Object.entries(counts).map(([type, n]) => `${type}: ${n}`), `LLM spend: $${Number(data.llmSpendUsd ?? 0).toFixed(2)}`],
        link: `${base}/`,
      };
    }
    case 'system.error':
      return {
        title: `System error: ${SYSTEM_ERROR_LABELS[str(data.kind)] ?? str(data.kind)} (${str(data.subject)})`,
        lines: [
          str(data.message),
          ...Object.entries(data)
            .filter(([name]) => !['kind', 'subject', 'message', 'key'].includes(name))
            .map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`),
        ],
        link: `${base}/admin`,
      };
    case 'webhook.test':
      return { title: 'Test event from Siteprint', lines: ['This endpoint receives Siteprint notifications.'], link: `${base}/settings` };
    default:
      return { title: event.type, lines: [], link: `${base}/` };
  }
}

/** The email of an event: HTML and plain text, both ending with the recipient's unsubscribe link. */
export function emailFor(message: EventMessage, unsubscribeUrl: string): { subject: string; text: string; html: string } {
  const { digest } = message;
  const more = digest?.more ? `and ${digest.more} more` : '';
  const text = [
    message.title,
    '',
    ...message.lines,
    ...(digest ? ['', 'In your digest:', ...digest.items.map((item) => `• ${item.title}: ${item.link}`), ...(more ? [more] : [])] : []),
    '',
    `Open in Siteprint: ${message.link}`,
    '',
    `Unsubscribe from these emails: ${unsubscribeUrl}`,
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1a1b1e">
<h2 style="margin:0 0 12px">${escapeHtml(message.title)}</h2>
${message.lines.map((line) => `<p style="margin:4px 0">${escapeHtml(line)}</p>`).join('\n')}
${
  digest
    ? `<h3 style="margin:16px 0 4px">In your digest</h3>
<ul style="margin:0;padding-left:20px">
${digest.items.map((item) => `<li style="margin:2px 0"><a href="${escapeHtml(item.link)}">${escapeHtml(item.title)}</a></li>`).join('\n')}
</ul>${more ? `\n<p style="margin:4px 0">${more}</p>` : ''}`
    : ''
}
<p style="margin:16px 0"><a href="${escapeHtml(message.link)}" style="background:#228be6;color:#fff;padding:8px 14px;border-radius:4px;text-decoration:none">Open in Siteprint</a></p>
<p style="font-size:12px;color:#868e96"><a href="${escapeHtml(unsubscribeUrl)}">Unsubscribe</a> from Siteprint notification emails.</p>
</body></html>`;
  return { subject: message.title, text, html };
}

/** A Slack incoming-webhook body (Block Kit) with a button back to the dashboard. */
export function slackMessageFor(message: EventMessage): Record<string, unknown> {
  return {
    text: message.title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: message.title.slice(0, 150) } },
      ...(message.lines.length ? [{ type: 'section', text: { type: 'mrkdwn', text: message.lines.join('\n').slice(0, 3000) } }] : []),
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Siteprint' }, url: message.link }],
      },
    ],
  };
}
