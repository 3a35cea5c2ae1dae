import { readFileSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { JobFailedError, Siteprint, type Job, type NewSite } from '../client.js';
import { AuthenticationError, NotFoundError, PermissionError, SiteprintError } from '../errors.js';
import { configPath, profileName, readConfig, resolveConnection, UsageError, writeConfig, type ConnectionFlags } from './config.js';
import { fields, print, processOutput, table, type Output } from './output.js';

/**
 * Exit codes, for scripts: 0 done; 1 the server refused or failed (or an extracted URL failed);
 * 2 bad usage or configuration; 3 authentication or permission refused; 4 not found; 5 a job
 * the command waited for ended failed or cancelled.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, auth: 3, notFound: 4, jobFailed: 5 } as const;

interface GlobalFlags extends ConnectionFlags {
  json?: boolean;
}

const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
const TERMINAL = new Set<string>(['succeeded', 'failed', 'cancelled']);

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('must be a positive whole number');
  return number;
}

const percent = (progress: number) => `${Math.round(progress * 100)}%`;

function jobLine(job: Job): string {
  return `${job.type} ${job.status}${job.step && job.step !== job.type ? ` ${job.step}` : ''} ${percent(job.progress)}${job.error ? `: ${job.error}` : ''}`;
}

const jobColumns = ['id', 'type', 'status', 'step', 'progress', 'site', 'created'];
const jobRow = (job: Job) => [job.id, job.type, job.status, job.step, percent(job.progress), job.siteId, job.createdAt];

/** Takes at most `limit` items of an async iterator (all without a limit). */
async function take<T>(items: AsyncIterable<T>, limit?: number): Promise<T[]> {
  const taken: T[] = [];
  if (limit === 0) return taken;
  for await (const item of items) {
    taken.push(item);
    if (limit !== undefined && taken.length >= limit) break;
  }
  return taken;
}

function readStdin(): string {
  return readFileSync(0, 'utf8').trim();
}

/** Writes a downloaded file to `out`, or its bytes to stdout. */
function save(bytes: Uint8Array, out: string | undefined, output: Output, what: string): void {
  if (out) {
    writeFileSync(out, bytes);
    output.err(`wrote ${what} to ${out} (${bytes.byteLength} bytes)`);
  } else process.stdout.write(bytes);
}

/**
 * The client CLI, `siteprint remote …` (or `siteprint-remote …`): the common operations of a
 * running server over its API, through the SDK.
 */
export function createRemoteProgram(name = 'siteprint remote'): Command {
  const program = new Command(name)
    .description('Use a running Siteprint server over its API: sites, analyses, jobs, blueprints, extraction, reports')
    .option('--server <url>', 'the server (else SITEPRINT_URL, else the profile)')
    .option('--api-key <key>', 'an sp_ API key (else SITEPRINT_API_KEY, else the profile)')
    .option('--profile <name>', 'profile of the config file (else SITEPRINT_PROFILE, else its default)')
    .option('--json', 'print results as JSON (errors as problem JSON on stderr)')
    .addHelpText(
      'after',
      `\nConfig file: ${configPath()} (SITEPRINT_CONFIG overrides), written 0600.\nExit codes: 0 ok, 1 failed, 2 usage/config, 3 auth, 4 not found, 5 job failed.`,
    )
    .showHelpAfterError()
    .exitOverride();

  const globals = (command: Command) => command.optsWithGlobals<GlobalFlags>();
  const output = (command: Command) => processOutput(Boolean(globals(command).json));
  const client = (command: Command) => {
    const { server, apiKey } = resolveConnection(globals(command));
    return new Siteprint({ baseUrl: server, apiKey });
  };

  /** Polls a job until it ends, progress on stderr; a failed or cancelled job exits 5. */
  const wait = async (sdk: Siteprint, jobId: string, out: Output) => {
    const job = await sdk.jobs.wait(jobId, { intervalMs: 500, onProgress: (seen) => out.err(jobLine(seen)) });
    return job;
  };

  // config
  const config = program.command('config').description('Server URL and API key per profile, in the config file');
  config
    .command('set')
    .description('Store the server and/or API key of a profile ("--api-key -" reads the key from stdin)')
    .option('--default', 'make this profile the default')
    .action(function (this: Command, options: { default?: boolean }) {
      const flags = globals(this);
      const file = configPath();
      const current = readConfig(file);
      const name = flags.profile ?? 'default';
      if (!flags.server && !flags.apiKey) throw new UsageError('nothing to set: pass --server and/or --api-key');
      const apiKey = flags.apiKey === '-' ? readStdin() : flags.apiKey;
      if (flags.server && !URL.canParse(flags.server))
        throw new UsageError(`server "${flags.server}" is not a URL (e.g. http://localhost:3000)`);
      const profile = { ...current.profiles[name], ...(flags.server ? { server: flags.server } : {}), ...(apiKey ? { apiKey } : {}) };
      const next = { ...current, profiles: { ...current.profiles, [name]: profile } };
      if (options.default || !current.defaultProfile) next.defaultProfile = name;
      writeConfig(file, next);
      output(this).err(`saved profile "${name}" in ${file}`);
    });
  config
    .command('show')
    .description('The profiles (API keys shortened)')
    .action(function (this: Command) {
      const file = configPath();
      const current = readConfig(file);
      const active = profileName(globals(this), current);
      const profiles = Object.entries(current.profiles).map(([profile, { server, apiKey }]) => ({
        profile,
        server: server ?? null,
        apiKey: apiKey ? `${apiKey.slice(0, 7)}…` : null,
        active: profile === active,
      }));
      print(output(this), { file, defaultProfile: current.defaultProfile ?? null, profiles }, (value) =>
        [
          `config file: ${value.file}`,
          table(
            ['', 'profile', 'server', 'api key'],
            value.profiles.map((row) => [row.active ? '*' : '', row.profile, row.server, row.apiKey]),
          ),
        ].join('\n'),
      );
    });

  // sites
  const sites = program.command('sites').description('List, add, show and delete sites');
  sites
    .command('list')
    .description('Sites of the workspace, newest first')
    .addOption(new Option('--status <status>').choices(['pending', 'analyzing', 'ready', 'failed']))
    .addOption(new Option('--health <health>').choices(['unknown', 'healthy', 'degraded', 'down']))
    .option('--search <text>', 'name or URL contains')
    .option('--limit <n>', 'at most this many', positiveInteger)
    .action(async function (this: Command, options: { status?: 'ready'; health?: 'healthy'; search?: string; limit?: number }) {
      const { limit, ...query } = options;
      const items = await take(client(this).sites.iterate(query), limit);
      print(output(this), items, (list) =>
        table(
          ['id', 'name', 'url', 'status', 'health', 'last check'],
          list.map((site) => [site.id, site.name, site.url, site.status, site.health, site.lastCheckedAt]),
        ),
      );
    });
  sites
    .command('add')
    .description('Add a site; its analysis starts at once')
    .argument('<url>', 'the site')
    .option('--name <name>')
    .option('--field <name...>', 'fields to extract (discovery proposes them when none are given)')
    .option('--max-pages <n>', 'pages to sample', positiveInteger)
    .option('--schedule <schedule>', 'health checks: "every 6h", a cron expression, or "none"')
    .option('--wait', 'wait for the analysis to finish (progress on stderr)')
    .action(async function (
      this: Command,
      url: string,
      options: { name?: string; field?: string[]; maxPages?: number; schedule?: string; wait?: boolean },
    ) {
      const sdk = client(this);
      const out = output(this);
      const site: NewSite = { url };
      if (options.name) site.name = options.name;
      if (options.field) site.fields = options.field.map((field) => ({ name: field }));
      if (options.maxPages) site.maxPages = options.maxPages;
      if (options.schedule) site.schedule = options.schedule === 'none' ? null : options.schedule;
      const started = await sdk.sites.add(site);
      if (!options.wait) {
        print(out, started, (value) => `added site ${value.site.id} (${value.site.url}); analysis job ${value.job.id}`);
        return;
      }
      out.err(`added site ${started.site.id}; analysing (job ${started.job.id})`);
      const job = await wait(sdk, started.job.id, out);
      const detail = await sdk.sites.get(started.site.id);
      print(out, { site: detail, job }, (value) => `site ${value.site.id} ${value.site.status}, health ${value.site.health}`);
    });
  sites
    .command('show')
    .description('A site with its page types and active blueprint')
    .argument('<site-id>')
    .action(async function (this: Command, id: string) {
      const site = await client(this).sites.get(id);
      print(output(this), site, (value) =>
        fields([
          ['id', value.id],
          ['name', value.name],
          ['url', value.url],
          ['status', value.status],
          ['health', value.health],
          ['schedule', value.schedule],
          ['last check', value.lastCheckedAt],
          ['blueprint', value.activeBlueprint ? `version ${value.activeBlueprint.version}` : null],
          ['technologies', value.technologies.join(', ')],
        ]),
      );
    });
  sites
    .command('delete')
    .description('Delete a site, cancelling its jobs')
    .argument('<site-id>')
    .action(async function (this: Command, id: string) {
      const result = await client(this).sites.delete(id);
      print(output(this), result ?? { deleted: id }, () => `deleted site ${id}`);
    });

  program
    .command('analyze')
    .description('Start a new analysis of a site')
    .argument('<site-id>')
    .option('--wait', 'wait for it to finish (progress on stderr)')
    .action(async function (this: Command, id: string, options: { wait?: boolean }) {
      const sdk = client(this);
      const out = output(this);
      const started = await sdk.sites.analyze(id);
      if (!options.wait) {
        print(out, started, (value) => `analysis job ${value.job.id} queued`);
        return;
      }
      const job = await wait(sdk, started.job.id, out);
      print(out, job, (value) => `analysis ${value.id} ${value.status}`);
    });

  // jobs
  const jobs = program.command('jobs').description('List, follow, cancel and retry jobs');
  jobs
    .command('list')
    .description('Jobs, newest first: analyses and standalone jobs (--steps adds pipeline steps)')
    .option('--site <site-id>')
    .addOption(new Option('--status <status>').choices(JOB_STATUSES))
    .option('--type <type>', 'analyze_site, check_site, extract_batch, …')
    .option('--steps', 'include the steps of analyses')
    .option('--limit <n>', 'at most this many', positiveInteger)
    .action(async function (
      this: Command,
      options: { site?: string; status?: Job['status']; type?: string; steps?: boolean; limit?: number },
    ) {
      const query = {
        ...(options.site ? { siteId: options.site } : {}),
        ...(options.status ? { status: options.status } : {}),
        ...(options.type ? { type: options.type as 'analyze_site' } : {}),
        ...(options.steps ? {} : { topLevel: 'true' as const }),
      };
      const items = await take(client(this).jobs.iterate(query), options.limit);
      print(output(this), items, (list) => table(jobColumns, list.map(jobRow)));
    });
  jobs
    .command('show')
    .description('A job with its steps')
    .argument('<job-id>')
    .action(async function (this: Command, id: string) {
      const job = await client(this).jobs.get(id);
      print(output(this), job, (value) =>
        [
          fields([
            ['id', value.id],
            ['type', value.type],
            ['status', value.status],
            ['step', value.step],
            ['progress', percent(value.progress)],
            ['site', value.siteId],
            ['attempts', `${value.attempts}/${value.maxAttempts}`],
            ['error', value.error],
            ['created', value.createdAt],
            ['finished', value.finishedAt],
            ['cost (USD)', value.costUsd],
          ]),
          ...(value.steps.length ? ['', table(jobColumns, value.steps.map(jobRow))] : []),
        ].join('\n'),
      );
    });
  jobs
    .command('logs')
    .description("A job's log lines (an analysis: its steps' lines too)")
    .argument('<job-id>')
    .option('-f, --follow', 'keep printing new lines until the job ends; exits 5 if it failed')
    .action(async function (this: Command, id: string, options: { follow?: boolean }) {
      const sdk = client(this);
      const out = output(this);
      const after = new Map<string, number>();
      for (;;) {
        const job = await sdk.jobs.get(id);
        const lines = [];
        for (const source of [job, ...job.steps]) {
          for (;;) {
            const last = after.get(source.id);
            const page = await sdk.jobs.logs(source.id, last === undefined ? {} : { after: last });
            for (const line of page.items) lines.push({ jobId: source.id, job: source.type, ...line });
            if (page.items.length) after.set(source.id, page.items.at(-1)!.id);
            if (page.nextAfter === null || !page.items.length) break;
          }
        }
        lines.sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id);
        for (const line of lines)
          out.out(out.json ? JSON.stringify(line) : `${line.at} ${line.level.padEnd(5)} ${line.job}: ${line.message}`);
        if (!options.follow) return;
        if (TERMINAL.has(job.status)) {
          if (job.status !== 'succeeded') throw new JobFailedError(job);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    });
  jobs
    .command('wait')
    .alias('watch')
    .description('Wait for a job to end, printing its progress; exits 5 if it failed or was cancelled')
    .argument('<job-id>')
    .action(async function (this: Command, id: string) {
      const out = output(this);
      const job = await wait(client(this), id, out);
      print(out, job, (value) => `job ${value.id} ${value.status}`);
    });
  for (const action of ['cancel', 'retry'] as const) {
    jobs
      .command(action)
      .description(action === 'cancel' ? 'Cancel a queued or running job' : 'Retry a failed or cancelled job')
      .argument('<job-id>')
      .action(async function (this: Command, id: string) {
        const job = await client(this).jobs[action](id);
        print(output(this), job, (value) => `job ${value.id} ${value.status}`);
      });
  }

  // blueprint
  const blueprint = program.command('blueprint').description("Show, export and compare a site's blueprint versions");
  blueprint
    .command('show')
    .description('The active blueprint (or a version): page types and their fields')
    .argument('<site-id>')
    .option('--version <n>', 'this version instead of the active one', positiveInteger)
    .action(async function (this: Command, id: string, options: { version?: number }) {
      const sdk = client(this);
      const version = options.version ? await sdk.blueprints.version(id, options.version) : await sdk.blueprints.get(id);
      print(output(this), version, (value) =>
        [
          `blueprint version ${value.version}${value.active ? ' (active)' : ''}, ${value.reason}, ${value.createdAt}`,
          '',
          table(
            ['page type', 'kind', 'url pattern', 'field', 'type', 'required'],
            value.content.pageTypes.flatMap((type) =>
              type.fields.map((field) => [type.name, type.kind, type.match.urlPattern, field.name, field.type, field.required]),
            ),
          ),
        ].join('\n'),
      );
    });
  blueprint
    .command('export')
    .description('The blueprint as a file (stdout unless --out)')
    .argument('<site-id>')
    .addOption(new Option('--format <format>').choices(['json', 'yaml', 'csv']).default('json'))
    .option('--version <n>', 'this version instead of the active one', positiveInteger)
    .option('-o, --out <file>', 'write to this file')
    .action(async function (this: Command, id: string, options: { format: 'json'; version?: number; out?: string }) {
      const file = await client(this).blueprints.export(id, {
        format: options.format,
        ...(options.version ? { version: options.version } : {}),
      });
      save(file.bytes, options.out, output(this), `blueprint ${file.fileName ?? ''}`.trim());
    });
  blueprint
    .command('diff')
    .description('What changed between two versions')
    .argument('<site-id>')
    .argument('<from>', 'version', positiveInteger)
    .argument('<to>', 'version', positiveInteger)
    .action(async function (this: Command, id: string, from: number, to: number) {
      const diff = await client(this).blueprints.diff(id, from, to);
      print(output(this), diff, (value) => {
        if (value.identical) return `versions ${from} and ${to} are identical`;
        const lines = [`version ${from} → ${to}`];
        for (const type of value.pageTypesAdded) lines.push(`+ page type ${type}`);
        for (const type of value.pageTypesRemoved) lines.push(`- page type ${type}`);
        for (const change of value.matchChanged)
          lines.push(`~ ${change.pageType} url pattern ${change.before.urlPattern} → ${change.after.urlPattern}`);
        for (const field of value.fieldsAdded) lines.push(`+ ${field.pageType}.${field.field}`);
        for (const field of value.fieldsRemoved) lines.push(`- ${field.pageType}.${field.field}`);
        for (const field of value.sourcesChanged) lines.push(`~ ${field.pageType}.${field.field} sources`);
        return lines.join('\n');
      });
    });

  program
    .command('extract')
    .description("Extract pages with the site's blueprint; exits 1 if any URL gave no record")
    .argument('<site-id>')
    .argument('[urls...]', 'pages to fetch and extract')
    .option('--html <file>', 'extract this HTML file instead of fetching ("-" reads stdin); needs one URL, where it came from')
    .action(async function (this: Command, id: string, urls: string[], options: { html?: string }) {
      const sdk = client(this);
      const out = output(this);
      if (!urls.length) throw new UsageError('give at least one URL');
      let results;
      if (options.html) {
        if (urls.length !== 1) throw new UsageError('--html takes exactly one URL: where the HTML came from');
        const html = options.html === '-' ? readFileSync(0, 'utf8') : readFileSync(options.html, 'utf8');
        results = [await sdk.extraction.fromHtml(id, html, urls[0]!)];
      } else results = await sdk.extraction.fromUrls(id, urls);
      print(out, results, (list) =>
        list
          .map((result) =>
            result.error
              ? `${result.url}\n  error: ${result.error}`
              : [
                  `${result.url} (${result.pageType})`,
                  ...Object.entries(result.data).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`),
                ].join('\n'),
          )
          .join('\n\n'),
      );
      if (results.some((result) => result.error)) process.exitCode = EXIT.failed;
    });

  // reports
  const reports = program.command('reports').description('Create and download reports');
  reports
    .command('create')
    .description('Request a report: workspace_summary, site_report (--site) or extraction_export (--site)')
    .addOption(new Option('--type <type>').choices(['workspace_summary', 'site_report', 'extraction_export']).makeOptionMandatory())
    .option('--site <site-id>')
    .addOption(new Option('--format <format>', 'pdf or json (summary, site report); csv, json or ndjson (export)'))
    .option('--wait', 'wait until it is generated')
    .option('-o, --out <file>', 'with --wait: download it to this file')
    .action(async function (
      this: Command,
      options: {
        type: 'workspace_summary' | 'site_report' | 'extraction_export';
        site?: string;
        format?: string;
        wait?: boolean;
        out?: string;
      },
    ) {
      const sdk = client(this);
      const out = output(this);
      if (options.type !== 'workspace_summary' && !options.site) throw new UsageError(`--type ${options.type} needs --site`);
      const format = options.format ?? (options.type === 'extraction_export' ? 'csv' : 'pdf');
      const request =
        options.type === 'workspace_summary'
          ? { type: options.type, format: format as 'pdf' }
          : options.type === 'site_report'
            ? { type: options.type, format: format as 'pdf', siteId: options.site! }
            : { type: options.type, format: format as 'csv', siteId: options.site! };
      let report = await sdk.reports.create(request);
      if (options.wait) {
        report = await sdk.reports.wait(report.id, { intervalMs: 500, onProgress: (job) => out.err(jobLine(job)) });
        if (report.status === 'failed') {
          out.err(`report ${report.id} failed: ${report.error ?? 'unknown error'}`);
          process.exitCode = EXIT.jobFailed;
        } else if (options.out)
          save((await sdk.reports.download(report.id)).bytes, options.out, out, `report ${report.fileName ?? ''}`.trim());
      }
      print(out, report, (value) => `report ${value.id} ${value.status}`);
    });
  reports
    .command('download')
    .description('A generated report (stdout unless --out)')
    .argument('<report-id>')
    .option('-o, --out <file>', 'write to this file')
    .action(async function (this: Command, id: string, options: { out?: string }) {
      const file = await client(this).reports.download(id);
      save(file.bytes, options.out, output(this), `report ${file.fileName ?? ''}`.trim());
    });

  return program;
}

/** Prints an error the way a person or a script (--json) reads it and returns the exit code. */
function report(error: unknown, json: boolean): number {
  const out = processOutput(json);
  if (error instanceof UsageError) {
    out.err(json ? JSON.stringify({ title: 'Usage error', detail: error.message }) : `error: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof JobFailedError) {
    out.err(json ? JSON.stringify({ title: 'Job failed', job: error.job }) : `error: ${error.message}`);
    return EXIT.jobFailed;
  }
  if (error instanceof SiteprintError) {
    if (json) out.err(JSON.stringify({ status: error.status, ...error.problem }));
    else {
      out.err(`error: ${error.message} (HTTP ${error.status}${error.requestId ? `, request ${error.requestId}` : ''})`);
      for (const issue of error.errors) out.err(`  ${issue.path || '(body)'}: ${issue.message}`);
    }
    if (error instanceof AuthenticationError || error instanceof PermissionError) return EXIT.auth;
    if (error instanceof NotFoundError) return EXIT.notFound;
    return EXIT.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  // fetch wraps connection failures: name the cause (ECONNREFUSED, ENOTFOUND…).
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  out.err(json ? JSON.stringify({ title: 'Error', detail: `${message}${cause}` }) : `error: ${message}${cause}`);
  return EXIT.failed;
}

/** Runs the client CLI on `argv` (the arguments after the command's name) and returns its exit code. */
export async function runRemote(argv: string[], name?: string): Promise<number> {
  const program = createRemoteProgram(name);
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return report(error, argv.includes('--json'));
  }
}
