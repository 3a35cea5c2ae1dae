import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startCli, type RunningCli } from '../support/cli.js';
import { createPostgresDatabase } from '../support/databases.js';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.js';
import { FixtureShop } from '../support/fixture-shop.js';
import { serviceUrl } from '../support/services.js';
import { freePort } from '../support/network.js';

/**
 * The shipped monitoring against the real Prometheus (Debian's `prometheus` package, which
 * brings `promtool`): the config and rules are valid, each alert fires on crafted series, and a
 * Prometheus scraping a running Siteprint (an API and a worker, after an analysis) answers every
 * expression a Grafana panel or an alert uses with at least one series.
 */
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const deploy = (...parts: string[]) => path.join(root, 'deploy', ...parts);
const PASSWORD = 'correct horse battery';

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
}

const rules = (parse(readFileSync(deploy('prometheus', 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap(
  (group) => group.rules,
);

/** An alert's expression without its threshold: what must return series while Siteprint runs. */
function alertSubject(rule: Rule): string {
  const match = /^(.*\S)\s*(?:>=|<=|==|!=|>|<)\s*[\d.e+-]+\s*$/s.exec(rule.expr.trim());
  if (!match) throw new Error(`alert ${rule.alert} is not "<expression> <comparison> <number>": ${rule.expr}`);
  return match[1]!;
}

function panelExpressions(): Array<{ where: string; expr: string }> {
  const dir = deploy('grafana', 'dashboards');
  return readdirSync(dir).flatMap((file) => {
    const dashboard = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    return dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ where: `${file}: ${panel.title}`, expr: target.expr })));
  });
}

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined as T);
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)?.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('promtool', () => {
  it('accepts the shipped configuration and rules', async () => {
    const config = await run('promtool', ['check', 'config', deploy('prometheus', 'prometheus.yml')]);
    expect(config.stdout).toContain('SUCCESS');
    const checked = await run('promtool', ['check', 'rules', deploy('prometheus', 'alerts.yml')]);
    expect(checked.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('fires every alert on crafted series (promtool test rules)', async () => {
    const tested = await run('promtool', ['test', 'rules', path.join(root, 'test/deploy/alerts.promtool.yml')]);
    expect(tested.stdout).toContain('SUCCESS');
    const covered = readFileSync(path.join(root, 'test/deploy/alerts.promtool.yml'), 'utf8');
    for (const rule of rules.filter((candidate) => candidate.alert)) {
      expect(covered, `${rule.alert} has a firing case`).toMatch(
        new RegExp(`alertname: ${rule.alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`),
      );
    }
  });
});

describe('Prometheus scraping a running Siteprint', () => {
  const postgres = serviceUrl('TEST_DATABASE_URL');
  const redis = serviceUrl('TEST_REDIS_URL');
  const processes: Array<RunningCli | ChildProcess> = [];
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  let shop: FixtureShop;
  let llm: FakeLlmServer;

  beforeAll(async () => {
    shop = await new FixtureShop().start();
    llm = await startFakeLlmServer();
    // Every LLM call gets a billed answer that is no use to the pipeline: usage and cost are recorded, heuristics carry on.
    llm.respond(() => ({ content: '{}', promptTokens: 120, completionTokens: 8, cost: 0.0004 }));
  });
  afterAll(async () => {
    for (const child of processes) ('child' in child ? child.child : child).kill('SIGKILL');
    for (const cleanup of cleanups.reverse()) await cleanup();
    await llm.close();
    await shop.stop();
  });

  it.runIf(postgres && redis)(
    'answers every dashboard and alert expression with series',
    async () => {
      const database = await createPostgresDatabase(postgres!);
      cleanups.push(() => database.drop());
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: redis!,
        QUEUE_PREFIX: `prom-${randomUUID()}`,
        ALLOW_PRIVATE_NETWORK: 'true',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        LLM_API_KEY: 'test-key',
        LLM_BASE_URL: llm.baseUrl,
        LLM_MODEL: 'fake/model',
        LLM_MAX_RETRIES: '0',
        LLM_TIMEOUT_MS: '2000',
      };
      const api = startCli(['serve'], { ...env, PORT: '0' });
      processes.push(api);
      const [, apiUrl] = await api.waitFor(/Siteprint is running at (http:\/\/[^"\s]+)/);
      const [, setupToken] = await api.waitFor(/give setup token (\S+) when registering/);
      const worker = startCli(['worker'], { ...env, METRICS_PORT: '0' });
      processes.push(worker);
      const [, workerMetrics] = await worker.waitFor(/"metrics":"(http:\/\/[^"]+)"/);

      // Prometheus with the shipped config and rules, pointed at these two processes and sped up.
      const dir = mkdtempSync(path.join(tmpdir(), 'siteprint-prometheus-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const config = parse(readFileSync(deploy('prometheus', 'prometheus.yml'), 'utf8')) as {
        global: Record<string, string>;
        rule_files: string[];
        scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
      };
      config.global = { scrape_interval: '1s', evaluation_interval: '1s' };
      config.rule_files = [deploy('prometheus', 'alerts.yml')];
      const targets: Record<string, string> = { 'siteprint-api': new URL(apiUrl!).host, 'siteprint-worker': new URL(workerMetrics!).host };
      for (const job of config.scrape_configs) job.static_configs = [{ targets: [targets[job.job_name]!] }];
      expect(config.scrape_configs.map((job) => job.job_name).sort()).toEqual(Object.keys(targets).sort());
      writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
      const prometheusPort = await freePort();
      const prometheus = spawn(
        'prometheus',
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${prometheusPort}`,
        ],
        { stdio: 'ignore' },
      );
      processes.push(prometheus);
      const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;

      // Real work: an account, an analysis through the worker, an extraction, and failed sign-ins up to a 429.
      const call = async (method: string, route: string, body?: unknown, token?: string) => {
        const response = await fetch(`${apiUrl}${route}`, {
          method,
          headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
      };
      await call('POST', '/api/v1/auth/register', { email: 'ops@example.com', name: 'Ops', password: PASSWORD, setupToken });
      const token = (await call('POST', '/api/v1/auth/login', { email: 'ops@example.com', password: PASSWORD })).body.accessToken as string;
      const fields = ['title', 'author', 'isbn_13', 'publisher'].map((name) => ({ name }));
      const created = await call('POST', '/api/v1/sites', { url: `${shop.url}/`, fields, maxPages: 6 }, token);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const jobId = (created.body.job as { id: string }).id;
      const job = await poll(
        () => call('GET', `/api/v1/jobs/${jobId}`, undefined, token),
        (found) => ['succeeded', 'failed'].includes(found.body.status as string),
        'the analysis to finish',
        90_000,
      );
      expect(job.body.status, String(job.body.error)).toBe('succeeded');
      const extracted = await call('POST', `/api/v1/sites/${job.body.siteId}/extract`, { urls: [shop.productUrl(shop.books[0]!)] }, token);
      expect(extracted.status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await call('POST', '/api/v1/auth/login', { email: 'ops@example.com', password: 'wrong' })).status);
      expect(statuses).toContain(429);

      await poll(
        async () =>
          (await (await fetch(`${prometheusUrl}/api/v1/targets`)).json()) as { data: { activeTargets: Array<{ health: string }> } },
        (answer) => answer.data.activeTargets.length === 2 && answer.data.activeTargets.every((target) => target.health === 'up'),
        'both targets to be scraped',
      );

      const expressions = [
        ...panelExpressions(),
        ...rules.map((rule) => ({ where: `rule ${rule.record ?? rule.alert}`, expr: rule.alert ? alertSubject(rule) : rule.expr })),
        ...rules.filter((rule) => rule.record).map((rule) => ({ where: `recorded ${rule.record}`, expr: rule.record! })),
      ];
      const empty: string[] = [];
      for (const { where, expr } of expressions) {
        const query = async () => {
          const response = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`);
          return (await response.json()) as { status: string; error?: string; data?: { result: unknown[] } };
        };
        const answer = await poll(
          query,
          (found) => found.status !== 'success' || (found.data?.result.length ?? 0) > 0,
          where,
          15_000,
        ).catch(() => undefined);
        if (!answer || answer.status !== 'success') empty.push(`${where}: ${expr} -> ${answer?.error ?? 'no series'}`);
      }
      expect(empty).toEqual([]);
    },
    170_000,
  );
});
