import { existsSync } from 'node:fs';
import path from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const postgresUrl = z.string().refine((value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value), {
  message: 'expected a postgres:// or postgresql:// URL',
});

const redisUrl = z.string().refine((value) => /^rediss?:\/\//.test(value) && URL.canParse(value), {
  message: 'expected a redis:// or rediss:// URL',
});

export const configSchema = z.object({
  /** Runtime mode; production requires JWT_SECRET. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Address the HTTP server listens on. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Port the HTTP server listens on (0: any free port). */
  PORT: z.coerce
    .number({ message: 'expected a port number' })
    .int({ message: 'expected a whole port number' })
    .min(0)
    .max(65535, { message: 'expected a port number between 0 and 65535' })
    .default(8080),
  /** The embedded database (DATA_DIR/db), instance files, reports and backups. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** A postgres:// URL switches from the embedded PGlite to PostgreSQL ≥ 15. */
  DATABASE_URL: postgresUrl.optional(),
  /** Redis for the scaled mode: BullMQ queue, live events, shared sign-in throttling and rate limits. */
  REDIS_URL: redisUrl.optional(),
  /** pino level; logs are JSON lines on stdout. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Comma-separated browser origins allowed to call the API (`*` for any). */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.union([z.literal('*'), z.url({ message: 'expected a comma-separated list of origins' })]))),
  /** Largest request body accepted. */
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** Behind a reverse proxy: take the client address and protocol from X-Forwarded-For / X-Forwarded-Proto. */
  TRUST_PROXY: booleanFlag.default(false),
  /** How long a stopping process waits for requests and jobs to finish. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /**
   * Jobs a process runs at once, all job types together: the embedded queue's, and a scaled
   * worker's across its BullMQ workers (one per job type), whose jobs wait for a free slot.
   */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Port of a worker's own /metrics endpoint (on HOST); unset, the worker serves none. The API serves /metrics on PORT. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** How long a worker may go silent before its running job is handed to another worker. */
  JOB_LEASE_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** Prefix of Redis keys, so several instances can share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[\w-]{1,64}$/, { message: 'expected letters, digits, - or _' })
    .default('siteprint'),
  /** Self-hosters analysing their own intranet sites lift the SSRF guard deliberately. */
  ALLOW_PRIVATE_NETWORK: booleanFlag.default(false),
  /** Signs access tokens (HS256); generated into DATA_DIR when absent outside production. */
  JWT_SECRET: z.string().min(32, { message: 'expected at least 32 characters' }).optional(),
  /** Where browsers reach this instance; OAuth redirect URIs and invitation links start with it. */
  PUBLIC_URL: z.url({ message: 'expected a URL' }).default('http://localhost:8080'),
  /** Google OAuth client; with its secret, enables sign-in with Google. */
  GOOGLE_CLIENT_ID: z.string().optional(),
  /** Secret of the Google OAuth client. */
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  /** GitHub OAuth app; with its secret, enables sign-in with GitHub. */
  GITHUB_CLIENT_ID: z.string().optional(),
  /** Secret of the GitHub OAuth app. */
  GITHUB_CLIENT_SECRET: z.string().optional(),
  // Provider endpoints are overridable so tests can run a real OAuth exchange against a loopback fake.
  /** Google's authorization endpoint. */
  OAUTH_GOOGLE_AUTHORIZE_URL: z.url().default('https://accounts.google.com/o/oauth2/v2/auth'),
  /** Google's token endpoint. */
  OAUTH_GOOGLE_TOKEN_URL: z.url().default('https://oauth2.googleapis.com/token'),
  /** Google's userinfo endpoint. */
  OAUTH_GOOGLE_USERINFO_URL: z.url().default('https://openidconnect.googleapis.com/v1/userinfo'),
  /** GitHub's authorization endpoint. */
  OAUTH_GITHUB_AUTHORIZE_URL: z.url().default('https://github.com/login/oauth/authorize'),
  /** GitHub's token endpoint. */
  OAUTH_GITHUB_TOKEN_URL: z.url().default('https://github.com/login/oauth/access_token'),
  /** GitHub's API, for the signed-in user's profile and emails. */
  OAUTH_GITHUB_API_URL: z.url().default('https://api.github.com'),
  // --- LLM (optional): without a key every analysis runs heuristics-only. ---
  /** Enables LLM help in analyses and repairs; never logged. */
  LLM_API_KEY: z.string().min(1).optional(),
  /** Any OpenAI-compatible endpoint. */
  LLM_BASE_URL: z.url({ message: 'expected a URL' }).default('https://openrouter.ai/api/v1'),
  /** Model asked for LLM help. */
  LLM_MODEL: z.string().min(1).default('openai/gpt-4o-mini'),
  /** How long one LLM call attempt may take. */
  LLM_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** Retries of a call after 429, 5xx or a timeout (backoff honouring Retry-After); each attempt may take LLM_TIMEOUT_MS. */
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  /** JSON {"model": {"prompt": usdPerMillion, "completion": usdPerMillion}} for providers that report no cost. */
  LLM_PRICES: z
    .string()
    .default('{}')
    .transform((value, context) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'expected JSON' });
        return z.NEVER;
      }
    })
    .pipe(
      z.record(z.string(), z.object({ prompt: z.number().nonnegative(), completion: z.number().nonnegative() }), {
        message: 'expected {"model": {"prompt": n, "completion": n}} in USD per million tokens',
      }),
    ),
  /** Default monthly LLM budget of a workspace, USD; 0 disables LLM calls. */
  LLM_MONTHLY_BUDGET_USD: z.coerce.number().nonnegative().default(20),
  /** Most one analysis may spend on LLM calls, USD. */
  LLM_ANALYSIS_CAP_USD: z.coerce.number().nonnegative().default(0.5),
  // --- Scheduled backups (src/backup): off unless BACKUP_SCHEDULE is set. ---
  /** Cron expression (5 or 6 fields, server time zone) of scheduled backups, e.g. "0 3 * * *". */
  BACKUP_SCHEDULE: z.string().refine(isCronPattern, { message: 'expected a cron expression such as "0 3 * * *"' }).optional(),
  /** Where scheduled and on-demand backups are written; DATA_DIR/backups by default. Share it between API processes in scaled mode. */
  BACKUP_DIR: z.string().min(1).optional(),
  /** How many backups BACKUP_DIR keeps; older ones are deleted after each new one. */
  BACKUP_RETENTION: z.coerce.number().int().min(1).max(1000).default(7),
  // --- Analytics and reports ---
  /** How often each API process adds its per-minute request counts to the database. */
  API_USAGE_FLUSH_MS: z.coerce.number().int().min(100).default(60_000),
  /** Reports older than this many days are deleted with their files. */
  REPORT_RETENTION_DAYS: z.coerce.number().positive().default(30),
  /** How often each API process looks for report schedules that are due. */
  REPORT_SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(50).default(30_000),
  // --- Email: without SMTP_URL messages wait in the outbox until it is set. ---
  /** smtp:// or smtps:// URL (with user and password) that sends the email outbox; without it mail waits in the outbox. */
  SMTP_URL: z.url({ protocol: /^smtps?$/, message: 'expected an smtp:// or smtps:// URL' }).optional(),
  /** Sender of outgoing mail. */
  MAIL_FROM: z.string().min(3).default('Siteprint <siteprint@localhost>'),
  /** How often the outbox is checked for mail to send. */
  EMAIL_SEND_INTERVAL_MS: z.coerce.number().int().min(50).default(10_000),
  // --- Notifications ---
  /** How often each API process moves the notification outbox forward (fan-out, daily summaries). */
  NOTIFY_RELAY_INTERVAL_MS: z.coerce.number().int().min(50).default(2_000),
  /**
   * How long a failing webhook delivery is retried (16 tries, each wait twice the one before plus up
   * to 10 % jitter) before it fails for good: its endpoint is then disabled and the workspace's
   * owners and admins are emailed. Email and Slack deliveries (8 tries) follow the same backoff, so
   * they give up after about 1/250 of this (6 minutes at the default).
   */
  NOTIFY_WEBHOOK_RETRY_WINDOW_MS: z.coerce.number().int().min(1_000).default(86_400_000),
  /** After announcing a site's health change, further changes of that site wait this long (flapping). */
  NOTIFY_HEALTH_COOLDOWN_MS: z.coerce.number().int().min(0).default(600_000),
  /**
   * How long one webhook, Slack or SMTP send may take. A delivery claimed by a process that died
   * is sent again once four times this has passed since the claim.
   */
  NOTIFY_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  /**
   * System administrators hear of one kind of instance trouble (a stalled queue of one job type,
   * a worker crash loop or database outage on one host) at most once per this long.
   */
  SYSTEM_ALERT_COOLDOWN_MS: z.coerce.number().int().min(0).default(900_000),
  /**
   * How often a process that runs jobs records that it is alive, with the jobs it runs (its
   * database probe). One silent for three times this is shown stale on the admin Workers panel and,
   * without a clean stop, counts as dead; three such deaths on one host within 10 minutes are a crash loop.
   */
  WORKER_HEARTBEAT_MS: z.coerce.number().int().min(100).default(10_000),
  // --- Error reports (optional) ---
  /** Sentry DSN; unset, no error report leaves the process and the Sentry SDK is not loaded. */
  SENTRY_DSN: z.url({ message: 'expected a Sentry DSN URL' }).optional(),
  // --- Traces (optional) ---
  /**
   * OTLP/HTTP base URL of an OpenTelemetry collector (spans go to `<url>/v1/traces` as JSON);
   * unset, tracing is off and the OpenTelemetry SDK is not loaded.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional(),
  /** The `service.name` of this process's spans (e.g. siteprint-api, siteprint-worker). */
  OTEL_SERVICE_NAME: z.string().min(1).default('siteprint'),
  /** Fraction of new traces recorded; a trace continued from a caller's `traceparent` keeps the caller's decision. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
});

export type Config = z.infer<typeof configSchema> & { dataDir: string };

/** Every environment variable the configuration reads, for checks of deploy files that set them. */
export const configVariables: readonly string[] = Object.keys(configSchema.shape);

/** Variables whose values must never be echoed back, even in an error message. */
const secretVariables = new Set([
  'DATABASE_URL',
  'REDIS_URL',
  'JWT_SECRET',
  'GOOGLE_CLIENT_SECRET',
  'GITHUB_CLIENT_SECRET',
  'LLM_API_KEY',
  'SENTRY_DSN',
]);

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
    value: string | undefined,
  ) {
    const shown = value === undefined || secretVariables.has(variable) ? variable : `${variable}=${value}`;
    super(`Invalid configuration: ${shown}: ${reason}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset", so a blank line in .env falls back to the default.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, issue.message, present[variable]);
  }
  // A generated secret would differ per replica and silently log everyone out on redeploy.
  if (parsed.data.NODE_ENV === 'production' && !parsed.data.JWT_SECRET) {
    throw new ConfigError('JWT_SECRET', 'required when NODE_ENV=production', undefined);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.DATA_DIR) };
}

/** Loads `.env` from the working directory into process.env without overriding real variables. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

function isCronPattern(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}
