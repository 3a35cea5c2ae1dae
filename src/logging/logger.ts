import pino, { type DestinationStream, type Logger } from 'pino';
import { recentLogs } from './log-ring.js';
import { traceIds } from './tracing.js';

/**
 * Paths whose values never reach a log line: credentials in headers and any field that
 * looks like a password, token or key, wherever it is nested.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.setupToken',
  '*.apiKey',
  '*.secret',
  // The LLM provider key, should a config object be logged.
  'LLM_API_KEY',
  '*.LLM_API_KEY',
];

/** Query parameters carrying one-time credentials: OAuth codes and state, invitation tokens. */
const sensitiveQueryParameters = ['code', 'state', 'token', 'access_token', 'refresh_token'];

export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const query = new URLSearchParams(url.slice(queryStart + 1));
  for (const name of sensitiveQueryParameters) if (query.has(name)) query.set(name, '[redacted]');
  return `${url.slice(0, queryStart)}?${query.toString()}`;
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remotePort?: number };
}

/** Fastify's request serializer (same fields), with credentials in the query string masked. */
function serializeRequest(req: LoggedRequest) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

let formattedAt = 0;
let formattedTime = '';
/**
 * pino's isoTime, formatted once per millisecond: under load many lines share a millisecond, and
 * formatting the date was a fifth of the cost of a request's log line.
 */
function isoTime(): string {
  const now = Date.now();
  if (now !== formattedAt) {
    formattedAt = now;
    formattedTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return formattedTime;
}

export interface LoggerOptions {
  level: string;
  /** Where JSON lines go; stdout when absent (tests pass a capturing stream). */
  destination?: DestinationStream;
}

export function createLogger({ level, destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service: 'siteprint' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      serializers: { req: serializeRequest },
      timestamp: isoTime,
      // With tracing on, a line written inside a span carries its traceId and spanId.
      mixin: traceIds,
    },
    // Every line also goes to this process's ring of recent lines (the admin Logs page). Standard output
    // is written asynchronously: lines logged while a write is in flight go out together in the next one,
    // instead of a blocking write per line (one per request). Pino flushes what is pending on exit.
    pino.multistream([
      { stream: destination ?? pino.destination({ dest: 1, sync: false }), level: 'trace' },
      { stream: recentLogs, level: 'trace' },
    ]),
  );
}

export type { Logger };
