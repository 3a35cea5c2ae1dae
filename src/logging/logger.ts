import pino, { type DestinationStream, type Logger } from 'pino';

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
  '*.apiKey',
  '*.secret',
  '*.key',
  '*.code',
  '*.code_verifier',
];

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
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
