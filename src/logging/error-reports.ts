import type { Logger } from './logger.js';

/** What an error report says about where it happened: ids and names only, never payloads, headers or bodies. */
export type ErrorContext =
  { kind: 'request'; method: string; route: string; requestId: string } | { kind: 'job'; jobType: string; jobId: string; attempt: number };

interface Reporter {
  capture(error: unknown, context: ErrorContext): void;
  flush(timeoutMs: number): Promise<boolean>;
}

let reporter: Reporter | undefined;

/**
 * Starts sending unhandled errors to Sentry when a DSN is configured. The SDK is imported only
 * then, so a start without SENTRY_DSN neither loads nor initialises it.
 */
export async function startErrorReports(options: { dsn?: string; environment: string }, logger: Logger): Promise<void> {
  if (!options.dsn || reporter) return;
  const Sentry = await import('@sentry/node');
  Sentry.init({
    dsn: options.dsn,
    environment: options.environment,
    // No automatic HTTP/console instrumentation: reports carry only the context
    // given below, so headers, cookies and bodies cannot reach them.
    defaultIntegrations: false,
    tracesSampleRate: 0,
  });
  reporter = {
    capture: (error, context) =>
      Sentry.withScope((scope) => {
        if (context.kind === 'request') {
          scope.setTags({ kind: 'request', route: context.route, method: context.method, request_id: context.requestId });
        } else {
          scope.setTags({ kind: 'job', job_type: context.jobType, job_id: context.jobId, attempt: context.attempt });
        }
        Sentry.captureException(error);
      }),
    flush: (timeoutMs) => Sentry.flush(timeoutMs),
  };
  logger.info('error reports go to Sentry');
}

/** Reports an unhandled error; a no-op unless startErrorReports was given a DSN. */
export function reportError(error: unknown, context: ErrorContext): void {
  reporter?.capture(error, context);
}

/** Waits for queued reports to be sent, so a process that is stopping does not lose them. */
export async function flushErrorReports(timeoutMs: number): Promise<void> {
  await reporter?.flush(timeoutMs);
}
