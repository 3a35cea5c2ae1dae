import createClient, { type Client } from 'openapi-fetch';
import { problemError, throwProblem } from './errors.js';
import { readEvents, type LiveEvent, type PlatformEventType } from './events.js';
import type { components, paths } from './generated/schema.js';
import { paginate, type Page } from './pages.js';
import { retryingFetch, type RetryOptions } from './transport.js';

export type Schemas = components['schemas'];
export type Session = Schemas['Session'];
export type Job = Schemas['Job'];
export type Site = Schemas['SiteSummary'];
export type SiteDetail = Schemas['SiteDetail'];
export type NewSite = Schemas['NewSiteInput'];
export type ExtractionResult = Schemas['ExtractionResult'];
export type Report = Schemas['Report'];
export type ReportRequest = Schemas['ReportRequestInput'];
type QueryOf<Path extends keyof paths> = paths[Path] extends { get: { parameters: { query?: infer Query } } } ? NonNullable<Query> : never;
export type SiteListQuery = Omit<QueryOf<'/api/v1/sites'>, 'cursor'>;
export type JobListQuery = Omit<QueryOf<'/api/v1/jobs'>, 'cursor'>;

export interface SiteprintOptions {
  /** Where Siteprint runs, e.g. `https://siteprint.example` (the API lives under /api/v1). */
  baseUrl: string;
  /** An `sp_` API key; it acts in its own workspace. */
  apiKey?: string;
  /** A session from `Siteprint.login` (or stored from an earlier one); refreshed silently when it expires. */
  session?: Pick<Session, 'accessToken' | 'refreshToken'>;
  /** Called with every new session (after a refresh), so a caller can store the rotated refresh token. */
  onSession?: (session: Session) => void;
  /** Acts in this workspace (X-Workspace-Id) instead of the account's personal one; not for API keys. */
  workspaceId?: string;
  retry?: RetryOptions;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** A file the API sent: exported blueprints, report files, extraction results. */
export interface Download {
  /** From Content-Disposition, when the server named the file. */
  fileName: string | undefined;
  contentType: string;
  bytes: Uint8Array;
  text(): string;
}

export interface WaitOptions {
  /** Called whenever the job's status, step or progress changed since the last look. */
  onProgress?: (job: Job) => void;
  /** Between looks at the job. Default 1 s. */
  intervalMs?: number;
  /** Gives up (throwing) after this long. Default: never. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A job that ended failed or cancelled while a caller waited for it. */
export class JobFailedError extends Error {
  constructor(readonly job: Job) {
    super(`Job ${job.id} (${job.type}) ${job.status}${job.error ? `: ${job.error}` : ''}`);
    this.name = 'JobFailedError';
  }
}

const TERMINAL = new Set<Job['status']>(['succeeded', 'failed', 'cancelled']);

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** The data of a 2xx answer, or the answer's typed problem error. */
async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw problemError(response, error);
  return data as T;
}

async function download(response: Response): Promise<Download> {
  if (!response.ok) await throwProblem(response);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const disposition = response.headers.get('content-disposition') ?? '';
  const fileName = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1] ?? /filename="?([^";]+)"?/i.exec(disposition)?.[1];
  return {
    fileName: fileName === undefined ? undefined : decodeURIComponent(fileName),
    contentType: response.headers.get('content-type') ?? 'application/octet-stream',
    bytes,
    text: () => new TextDecoder().decode(bytes),
  };
}

/** Where a 401 means wrong credentials, not an expired access token. */
const SIGN_IN_PATHS = new Set(['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/register']);

/**
 * Signs requests with the API key or the session's access token, refreshing the session once
 * (and only once at a time) when the server answers 401, then sending the request again.
 */
class Authenticator {
  private refreshing: Promise<boolean> | undefined;
  private session: SiteprintOptions['session'];

  constructor(
    private readonly options: SiteprintOptions,
    private readonly send: (request: Request) => Promise<Response>,
  ) {
    this.session = options.session;
  }

  private sign(request: Request): Request {
    const signed = request.clone();
    if (this.options.apiKey) signed.headers.set('x-api-key', this.options.apiKey);
    else if (this.session) signed.headers.set('authorization', `Bearer ${this.session.accessToken}`);
    // Listing and creating workspaces acts in none.
    if (this.options.workspaceId && new URL(request.url).pathname !== '/api/v1/workspaces')
      signed.headers.set('x-workspace-id', this.options.workspaceId);
    return signed;
  }

  readonly fetch = async (request: Request): Promise<Response> => {
    const response = await this.send(this.sign(request));
    if (response.status !== 401 || !this.session || SIGN_IN_PATHS.has(new URL(request.url).pathname)) return response;
    if (!(await this.refresh())) return response;
    await response.body?.cancel();
    return this.send(this.sign(request));
  };

  private refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const url = new URL('/api/v1/auth/refresh', this.options.baseUrl);
      const response = await this.send(
        new Request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: this.session!.refreshToken }),
        }),
      );
      if (!response.ok) {
        await response.body?.cancel();
        return false;
      }
      const session = (await response.json()) as Session;
      this.session = session;
      this.options.onSession?.(session);
      return true;
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }
}

/**
 * The Siteprint API for TypeScript. `api` is the whole typed API (every operation of the OpenAPI
 * document); the resource helpers add paging, waiting, live events and downloads on top.
 */
export class Siteprint {
  /** Every operation, typed from the OpenAPI document: `client.api.GET('/api/v1/overview')`. */
  readonly api: Client<paths>;
  private readonly fetchWithAuth: (request: Request) => Promise<Response>;

  constructor(readonly options: SiteprintOptions) {
    const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    const authenticator = new Authenticator(options, retryingFetch(baseFetch, options.retry));
    this.fetchWithAuth = authenticator.fetch;
    this.api = createClient<paths>({ baseUrl: options.baseUrl, fetch: this.fetchWithAuth });
  }

  /** Signs in with email and password and returns a client on that session. */
  static async login(
    options: Omit<SiteprintOptions, 'apiKey' | 'session'> & { email: string; password: string },
  ): Promise<Siteprint & { session: Session }> {
    const { email, password, ...rest } = options;
    const anonymous = new Siteprint(rest);
    const session = await unwrap(anonymous.api.POST('/api/v1/auth/login', { body: { email, password } }));
    return Object.assign(new Siteprint({ ...rest, session }), { session });
  }

  /** Fetches an API path with this client's auth and retries, for answers that are not JSON. */
  private raw(path: string, init: RequestInit = {}): Promise<Response> {
    return this.fetchWithAuth(new Request(new URL(path, this.options.baseUrl), init));
  }

  readonly auth = {
    /** Creates an account (the first one needs the setup token the server printed at start). */
    register: (body: paths['/api/v1/auth/register']['post']['requestBody']['content']['application/json']) =>
      unwrap(this.api.POST('/api/v1/auth/register', { body })),
    me: () => unwrap(this.api.GET('/api/v1/auth/me')),
  };

  readonly apiKeys = {
    create: (body: paths['/api/v1/api-keys']['post']['requestBody']['content']['application/json']) =>
      unwrap(this.api.POST('/api/v1/api-keys', { body })),
    list: () => unwrap(this.api.GET('/api/v1/api-keys')),
    revoke: (keyId: string) => unwrap(this.api.DELETE('/api/v1/api-keys/{keyId}', { params: { path: { keyId } } })),
  };

  readonly sites = {
    list: (query: SiteListQuery & { cursor?: string } = {}): Promise<Page<Site>> =>
      unwrap(this.api.GET('/api/v1/sites', { params: { query } })),
    /** Every site matching the query, page after page. */
    iterate: (query: SiteListQuery = {}) => paginate((cursor) => this.sites.list({ ...query, ...(cursor ? { cursor } : {}) })),
    get: (id: string) => unwrap(this.api.GET('/api/v1/sites/{id}', { params: { path: { id } } })),
    /** Adds a site; its analysis starts at once. An idempotency key makes a repeated call return the first answer. */
    add: (site: NewSite, options: { idempotencyKey?: string } = {}) =>
      unwrap(
        this.api.POST('/api/v1/sites', {
          body: site,
          params: { header: options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {} },
        }),
      ),
    update: (id: string, changes: Schemas['SiteChangesInput']) =>
      unwrap(this.api.PATCH('/api/v1/sites/{id}', { params: { path: { id } }, body: changes })),
    delete: (id: string) => unwrap(this.api.DELETE('/api/v1/sites/{id}', { params: { path: { id } } })),
    /** Starts a new analysis of the site. */
    analyze: (id: string) => unwrap(this.api.POST('/api/v1/sites/{id}/analyze', { params: { path: { id } } })),
    addBatch: (sites: NewSite[]) => unwrap(this.api.POST('/api/v1/sites/batch', { body: { sites } })),
    checks: (id: string) => unwrap(this.api.GET('/api/v1/sites/{id}/checks', { params: { path: { id } } })),
    /** Adds a site and waits for its analysis to finish; the site as it then is. */
    addAndAnalyze: async (site: NewSite, options: WaitOptions & { idempotencyKey?: string } = {}) => {
      const started = await this.sites.add(site, options);
      const job = await this.jobs.wait(started.job.id, options);
      return { site: await this.sites.get(started.site.id), job };
    },
  };

  readonly jobs = {
    list: (query: JobListQuery & { cursor?: string } = {}): Promise<Page<Job>> =>
      unwrap(this.api.GET('/api/v1/jobs', { params: { query } })),
    iterate: (query: JobListQuery = {}) => paginate((cursor) => this.jobs.list({ ...query, ...(cursor ? { cursor } : {}) })),
    get: (id: string) => unwrap(this.api.GET('/api/v1/jobs/{id}', { params: { path: { id } } })),
    cancel: (id: string) => unwrap(this.api.POST('/api/v1/jobs/{id}/cancel', { params: { path: { id } } })),
    retry: (id: string) => unwrap(this.api.POST('/api/v1/jobs/{id}/retry', { params: { path: { id } } })),
    logs: (id: string, query: { after?: number; limit?: number } = {}) =>
      unwrap(this.api.GET('/api/v1/jobs/{id}/logs', { params: { path: { id }, query } })),
    /**
     * Polls the job until it ends; reports changes to onProgress. Resolves with the succeeded job,
     * throws JobFailedError when it failed or was cancelled.
     */
    wait: async (id: string, options: WaitOptions = {}): Promise<Job> => {
      const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
      let last = '';
      for (;;) {
        const job = await this.jobs.get(id);
        const seen = `${job.status}|${job.step}|${job.progress}`;
        if (seen !== last) options.onProgress?.(job);
        last = seen;
        if (TERMINAL.has(job.status)) {
          if (job.status !== 'succeeded') throw new JobFailedError(job);
          return job;
        }
        if (Date.now() >= deadline) throw new Error(`Job ${id} still ${job.status} after ${options.timeoutMs} ms`);
        await sleep(options.intervalMs ?? 1_000, options.signal);
      }
    },
  };

  readonly blueprints = {
    /** The site's current blueprint. */
    get: (siteId: string) => unwrap(this.api.GET('/api/v1/sites/{id}/blueprint', { params: { path: { id: siteId } } })),
    versions: (siteId: string) => unwrap(this.api.GET('/api/v1/sites/{id}/blueprints', { params: { path: { id: siteId } } })),
    version: (siteId: string, version: number) =>
      unwrap(this.api.GET('/api/v1/sites/{id}/blueprints/{version}', { params: { path: { id: siteId, version } } })),
    diff: (siteId: string, from: number, to: number) =>
      unwrap(this.api.GET('/api/v1/sites/{id}/blueprints/diff', { params: { path: { id: siteId }, query: { from, to } } })),
    /** The blueprint as a file (json, yaml or csv), the current version unless one is named. */
    export: async (siteId: string, options: { format?: 'json' | 'yaml' | 'csv'; version?: number } = {}) => {
      const query = new URLSearchParams(Object.entries(options).map(([key, value]) => [key, String(value)]));
      return download(await this.raw(`/api/v1/sites/${encodeURIComponent(siteId)}/blueprint/export?${query}`));
    },
  };

  readonly extraction = {
    /** Fetches the pages now and extracts them with the site's blueprint (one result per URL). */
    fromUrls: async (siteId: string, urls: string[]) =>
      (await unwrap(this.api.POST('/api/v1/sites/{id}/extract', { params: { path: { id: siteId } }, body: { urls } }))).results,
    /** Extracts HTML the caller already has; `url` is where it came from (page type and relative links). */
    fromHtml: async (siteId: string, html: string, url: string) =>
      (await unwrap(this.api.POST('/api/v1/sites/{id}/extract', { params: { path: { id: siteId } }, body: { html, url } }))).results[0]!,
    /** Starts a background extraction of many URLs; read its records with `results` after `jobs.wait`. */
    startJob: (siteId: string, urls: string[]) =>
      unwrap(this.api.POST('/api/v1/sites/{id}/extract/jobs', { params: { path: { id: siteId } }, body: { urls } })),
    /** A finished extraction job's records as a file (json, ndjson or csv). */
    results: async (jobId: string, format: 'json' | 'ndjson' | 'csv' = 'json') =>
      download(await this.raw(`/api/v1/jobs/${encodeURIComponent(jobId)}/results?format=${format}`)),
  };

  readonly reports = {
    create: (request: ReportRequest) => unwrap(this.api.POST('/api/v1/reports', { body: request })),
    get: (id: string) => unwrap(this.api.GET('/api/v1/reports/{id}', { params: { path: { id } } })),
    /** Waits for the report to be generated. */
    wait: async (id: string, options: WaitOptions = {}): Promise<Report> => {
      const report = await this.reports.get(id);
      if (report.jobId && report.status !== 'succeeded' && report.status !== 'failed') await this.jobs.wait(report.jobId, options);
      return this.reports.get(id);
    },
    download: async (id: string) => download(await this.raw(`/api/v1/reports/${encodeURIComponent(id)}/download`)),
  };

  readonly events = {
    /**
     * The workspace's live events as they happen, until the signal aborts or the server closes
     * the stream: `for await (const event of client.events.stream({ signal }))`.
     */
    stream: async function* (this: Siteprint, options: { signal?: AbortSignal; types?: PlatformEventType[] } = {}) {
      const response = await this.raw('/api/v1/events', { headers: { accept: 'text/event-stream' }, signal: options.signal ?? null });
      for await (const event of readEvents(response, options.signal)) {
        if (!options.types || options.types.includes(event.type)) yield event;
      }
    }.bind(this) as (options?: { signal?: AbortSignal; types?: PlatformEventType[] }) => AsyncGenerator<LiveEvent, void, undefined>,
    /**
     * Calls `onEvent` for every live event, reconnecting after a dropped stream, until `close()`.
     * `ready` resolves once the first connection is open.
     */
    subscribe: (onEvent: (event: LiveEvent) => void, options: { types?: PlatformEventType[]; onError?: (error: unknown) => void } = {}) => {
      const controller = new AbortController();
      let opened = () => {};
      const ready = new Promise<void>((resolve) => (opened = resolve));
      const done = (async () => {
        while (!controller.signal.aborted) {
          try {
            const response = await this.raw('/api/v1/events', { headers: { accept: 'text/event-stream' }, signal: controller.signal });
            opened();
            for await (const event of readEvents(response, controller.signal)) {
              if (!options.types || options.types.includes(event.type)) onEvent(event);
            }
          } catch (error) {
            if (controller.signal.aborted) break;
            options.onError?.(error);
          }
          await sleep(1_000, controller.signal).catch(() => undefined);
        }
      })();
      return { ready, close: () => controller.abort(), done };
    },
  };
}
