import { isIP } from 'node:net';
import pLimit, { type LimitFunction } from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import type { Agent, request as undiciRequest } from 'undici';
import { guardedLookup, isBlockedAddress, type Resolver } from './address-guard.js';
import { decodeHtml, looksBinary, readBody } from './decode.js';
import { FetchError } from './errors.js';
import { parseRobots, type Robots } from './robots.js';

export interface FetcherOptions {
  userAgent?: string;
  /** Lifts the address guard: for self-hosters analysing their own intranet sites, and tests. */
  allowPrivateNetwork?: boolean;
  /** DNS resolution used by the guard (tests inject one). */
  resolver?: Resolver;
  /** Which resolved addresses are refused; the default refuses everything but public unicast. */
  isBlockedAddress?: (address: string) => boolean;
  connectTimeoutMs?: number;
  /** Whole request, redirects and body included. */
  timeoutMs?: number;
  maxBytes?: number;
  maxDecodedBytes?: number;
  maxRedirects?: number;
  respectRobots?: boolean;
  /** Extra attempts after a 429 or 5xx answer. */
  retries?: number;
  /** Requests in flight per host, and the pause between two requests to one host. */
  hostConcurrency?: number;
  hostDelayMs?: number;
  /** Told the outcome of every fetch and the size of what came back (for metrics; labels stay bounded). */
  onFetch?: (outcome: FetchOutcome, bytes: number) => void;
}

/** `blocked` and `robots` are policy refusals; `http_error` is a 4xx/5xx answer. */
export type FetchOutcome = 'ok' | 'http_error' | 'timeout' | 'blocked' | 'robots' | 'error';

export interface FetchedDocument {
  url: string;
  finalUrl: string;
  status: number;
  headers: Record<string, string>;
  html: string;
  rendered: false;
  fetchMs: number;
  etag?: string;
  lastModified?: string;
}

export interface FetchCall {
  signal?: AbortSignal;
  /** Validators from an earlier fetch: an unchanged page answers 304 with an empty body. */
  etag?: string;
  lastModified?: string;
  /** Accept any text (robots.txt, sitemaps), not only HTML. */
  anyText?: boolean;
}

const DEFAULT_USER_AGENT = 'SiteprintBot/0.1 (+https://github.com/siteprint)';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const TEXT_TYPES = /^(text\/|application\/(xhtml\+xml|xml|rss\+xml|atom\+xml|json|ld\+json)|$)/i;

class RetryableStatus extends Error {
  constructor(
    readonly result: FetchedDocument,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${result.status}`);
  }
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  );
}

/**
 * The one way the engine fetches pages of other people's sites: SSRF-guarded on every hop,
 * bounded in time, size and redirects, polite per host, respectful of robots.txt, and
 * returning correctly decoded UTF-8.
 */
/** The codes of undici's HeadersTimeoutError, BodyTimeoutError and ConnectTimeoutError. */
const UNDICI_TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export class Fetcher {
  private readonly options: Required<Omit<FetcherOptions, 'resolver' | 'isBlockedAddress' | 'onFetch'>> & Pick<FetcherOptions, 'onFetch'>;
  private readonly isBlocked: (address: string) => boolean;
  private readonly agentOptions: ConstructorParameters<typeof Agent>[0];
  private client?: Promise<{ agent: Agent; request: typeof undiciRequest }>;
  private readonly hosts = new Map<string, { limit: LimitFunction; last: number }>();
  private readonly robots = new Map<string, Promise<Robots | null>>();
  private readonly robotsLookups = { hits: 0, misses: 0 };

  constructor(options: FetcherOptions = {}) {
    this.options = {
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
      allowPrivateNetwork: options.allowPrivateNetwork ?? false,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
      maxDecodedBytes: options.maxDecodedBytes ?? 20 * 1024 * 1024,
      maxRedirects: options.maxRedirects ?? 5,
      respectRobots: options.respectRobots ?? true,
      retries: options.retries ?? 2,
      hostConcurrency: options.hostConcurrency ?? 2,
      hostDelayMs: options.hostDelayMs ?? 200,
      onFetch: options.onFetch,
    };
    this.isBlocked = options.isBlockedAddress ?? isBlockedAddress;
    this.agentOptions = {
      connect: {
        timeout: this.options.connectTimeoutMs,
        ...(this.options.allowPrivateNetwork ? {} : { lookup: guardedLookup(options.resolver, this.isBlocked) }),
      },
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: this.options.timeoutMs,
    };
  }

  /**
   * undici loads with the first fetch: every API process makes a Fetcher at start, and loading
   * undici was a noticeable part of a restart for a process that may never fetch a page.
   */
  private undici(): Promise<{ agent: Agent; request: typeof undiciRequest }> {
    return (this.client ??= import('undici').then(({ Agent, request }) => ({ agent: new Agent(this.agentOptions), request })));
  }

  get userAgent(): string {
    return this.options.userAgent;
  }

  async fetch(url: string, call: FetchCall = {}): Promise<FetchedDocument> {
    const report = this.options.onFetch;
    if (!report) return this.fetchUnobserved(url, call);
    try {
      const document = await this.fetchUnobserved(url, call);
      report(document.status >= 400 ? 'http_error' : 'ok', Buffer.byteLength(document.html));
      return document;
    } catch (error) {
      report(fetchOutcome(error), 0);
      throw error;
    }
  }

  private async fetchUnobserved(url: string, call: FetchCall): Promise<FetchedDocument> {
    const parsed = this.parse(url);
    if (this.options.respectRobots && !call.anyText && !(await this.allowedByRobots(parsed))) {
      throw new FetchError('robots_disallowed', `robots.txt of ${parsed.origin} disallows ${parsed.pathname}`, url);
    }
    return this.politely(parsed.host, () =>
      pRetry(() => this.attempt(parsed, call), {
        retries: this.options.retries,
        minTimeout: 500,
        factor: 2,
        shouldRetry: (error) => error instanceof RetryableStatus,
        // Honour the server's Retry-After (capped) before the next attempt.
        onFailedAttempt: async (error) => {
          const wait = (error as unknown as RetryableStatus).retryAfterMs;
          if (wait !== undefined) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 10_000)));
        },
      }).catch((error: unknown) => {
        // Still 429/5xx after the retries: the caller gets the answer and decides.
        if (error instanceof RetryableStatus) return error.result;
        throw error;
      }),
    );
  }

  async close(): Promise<void> {
    if (this.client) await (await this.client).agent.close();
  }

  private parse(url: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new FetchError('unsupported_url', `not a URL: ${url}`, url);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new FetchError('unsupported_url', `only http and https URLs can be fetched: ${url}`, url);
    }
    return parsed;
  }

  private async politely<T>(host: string, work: () => Promise<T>): Promise<T> {
    let slot = this.hosts.get(host);
    if (!slot) {
      slot = { limit: pLimit(this.options.hostConcurrency), last: 0 };
      this.hosts.set(host, slot);
    }
    const state = slot;
    return state.limit(async () => {
      const wait = state.last + this.options.hostDelayMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        return await work();
      } finally {
        state.last = Date.now();
      }
    });
  }

  /**
   * Whether robots.txt lets us fetch the URL. Redirect targets are checked mid-fetch, while the
   * request holds its host's politeness slot: their robots.txt is read outside the slots
   * (`politely` false), or a host whose slots are all taken would wait on itself.
   */
  private allowedByRobots(url: URL, politely = true): Promise<boolean> {
    return this.robotsOf(url, politely).then((parsed) => parsed?.isAllowed(url.href, this.options.userAgent) ?? true);
  }

  /** The parsed robots.txt of the URL's origin, read once per origin until the cache is cleared. */
  private robotsOf(url: URL, politely = true): Promise<Robots | null> {
    let robots = this.robots.get(url.origin);
    if (robots) {
      this.robotsLookups.hits++;
      return robots;
    }
    this.robotsLookups.misses++;
    const robotsUrl = `${url.origin}/robots.txt`;
    const fetched = politely
      ? this.fetch(robotsUrl, { anyText: true })
      : this.attempt(new URL(robotsUrl), { anyText: true }).catch((error: unknown) => {
          if (error instanceof RetryableStatus) return error.result;
          throw error;
        });
    // A missing or unreadable robots.txt allows everything, as crawlers have always read it.
    robots = fetched.then((result) => (result.status < 400 ? parseRobots(robotsUrl, result.html) : null)).catch(() => null);
    this.robots.set(url.origin, robots);
    return robots;
  }

  /** The robots.txt cache: origins held, lookups answered from it and not. */
  robotsCacheStats(): { entries: number; hits: number; misses: number } {
    return { entries: this.robots.size, ...this.robotsLookups };
  }

  /** Forgets every robots.txt read so far (they are read again on next use); how many were dropped. */
  clearRobotsCache(): number {
    const dropped = this.robots.size;
    this.robots.clear();
    return dropped;
  }

  /** Whether this fetcher's robots.txt rules let it fetch the URL (always, when it ignores robots.txt). */
  async mayFetch(url: string): Promise<boolean> {
    return !this.options.respectRobots || this.allowedByRobots(new URL(url));
  }

  /** The robots.txt of a site, parsed (null when it has none). */
  robotsFor(origin: string): Promise<Robots | null> {
    return this.robotsOf(new URL(`${origin}/`));
  }

  private async attempt(start: URL, call: FetchCall): Promise<FetchedDocument> {
    const begun = Date.now();
    const signal = AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), ...(call.signal ? [call.signal] : [])]);
    let url = start;
    for (let hop = 0; ; hop++) {
      // Sockets skip DNS for IP literals, so the guard checks them here, on every hop.
      const literal = url.hostname.replace(/^\[|\]$/g, '');
      if (!this.options.allowPrivateNetwork && isIP(literal) && this.isBlocked(literal)) {
        throw new FetchError(
          'blocked_address',
          `${url.hostname} is a private, loopback, link-local or otherwise non-public address`,
          url.href,
        );
      }
      const { agent, request } = await this.undici();
      const response = await request(url, {
        dispatcher: agent,
        method: 'GET',
        signal,
        headers: {
          'user-agent': this.options.userAgent,
          accept: call.anyText ? '*/*' : 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5',
          'accept-encoding': 'gzip, deflate, br',
          ...(call.etag ? { 'if-none-match': call.etag } : {}),
          ...(call.lastModified ? { 'if-modified-since': call.lastModified } : {}),
        },
      }).catch((error: unknown) => {
        throw this.networkError(error, url.href);
      });
      const headers = flatHeaders(response.headers);
      if (REDIRECTS.has(response.statusCode) && headers.location) {
        await response.body.dump();
        if (hop >= this.options.maxRedirects) {
          throw new FetchError('too_many_redirects', `more than ${this.options.maxRedirects} redirects`, start.href);
        }
        url = this.parse(new URL(headers.location, url).href);
        if (this.options.respectRobots && !call.anyText && !(await this.allowedByRobots(url, false))) {
          throw new FetchError(
            'robots_disallowed',
            `robots.txt of ${url.origin} disallows ${url.pathname} (redirected from ${start.href})`,
            start.href,
          );
        }
        continue;
      }
      const bytes = await readBody(response.body, headers['content-encoding'], this.options, url.href).catch((error: unknown) => {
        throw error instanceof FetchError ? error : this.networkError(error, url.href);
      });
      const contentType = headers['content-type'];
      if (!call.anyText && response.statusCode < 300 && (!TEXT_TYPES.test(contentType ?? '') || looksBinary(bytes))) {
        throw new FetchError('not_html', `not an HTML page (${contentType ?? 'no content type'})`, url.href);
      }
      const result: FetchedDocument = {
        url: start.href,
        finalUrl: url.href,
        status: response.statusCode,
        headers,
        html: response.statusCode === 304 ? '' : decodeHtml(bytes, contentType),
        rendered: false,
        fetchMs: Date.now() - begun,
        ...(headers.etag ? { etag: headers.etag } : {}),
        ...(headers['last-modified'] ? { lastModified: headers['last-modified'] } : {}),
      };
      if (response.statusCode === 429 || response.statusCode >= 500)
        throw new RetryableStatus(result, retryAfterMs(headers['retry-after']));
      return result;
    }
  }

  private networkError(error: unknown, url: string): Error {
    if (error instanceof FetchError) return new AbortError(error);
    const cause = (error as { cause?: unknown }).cause ?? error;
    if ((cause as { code?: string }).code === 'blocked_address' || (error as { code?: string }).code === 'blocked_address') {
      return new FetchError('blocked_address', (cause as Error).message, url);
    }
    if (
      UNDICI_TIMEOUTS.has((error as { code?: string }).code ?? '') ||
      (error as Error).name === 'TimeoutError' ||
      (error as Error).name === 'AbortError'
    ) {
      return new FetchError('timeout', `no complete answer within the time limit`, url);
    }
    return new FetchError('network', `could not fetch: ${(cause as Error).message ?? String(cause)}`, url);
  }
}

function fetchOutcome(error: unknown): FetchOutcome {
  if (!(error instanceof FetchError)) return 'error';
  if (error.code === 'timeout') return 'timeout';
  if (error.code === 'blocked_address') return 'blocked';
  if (error.code === 'robots_disallowed') return 'robots';
  return 'error';
}
