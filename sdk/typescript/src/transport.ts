import pRetry from 'p-retry';
import { retryAfterMs } from './errors.js';

export interface RetryOptions {
  /** Extra attempts after a 429, a 5xx or a network error; 0 turns retrying off. Default 3. */
  retries?: number;
  /** First backoff delay; it doubles per attempt. Default 500 ms. */
  minDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the 429/503 reaches the caller. Default 30 s. */
  maxRetryAfterMs?: number;
}

/** A retryable answer, carried through p-retry so the last one can still be handed back. */
class RetryableResponse extends Error {
  constructor(readonly response: Response) {
    super(`HTTP ${response.status}`);
  }
}

/**
 * Methods whose repetition cannot do anything twice. A POST is retried only after a 429 (the
 * server turned it away before acting) or when it carries an Idempotency-Key (the server replays it).
 */
function safeToRepeat(request: Request, status: number): boolean {
  if (status === 429) return true;
  return ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'].includes(request.method) || request.headers.has('idempotency-key');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A fetch that retries 429 and 5xx answers (and network failures) with exponential backoff,
 * waiting at least what Retry-After asks. The last answer is returned as it is, so the caller
 * turns it into a typed error.
 */
export function retryingFetch(baseFetch: typeof fetch, options: RetryOptions = {}): (request: Request) => Promise<Response> {
  const retries = options.retries ?? 3;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  return async (request) => {
    // Each attempt sends its own copy: a body stream can be read once.
    const template = request.clone();
    try {
      return await pRetry(
        async () => {
          const response = await baseFetch(template.clone());
          if ((response.status === 429 || response.status >= 500) && safeToRepeat(request, response.status))
            throw new RetryableResponse(response);
          return response;
        },
        {
          retries,
          minTimeout: options.minDelayMs ?? 500,
          factor: 2,
          randomize: true,
          // Network errors are retried only for requests that are safe to send twice.
          shouldRetry: (error) => error instanceof RetryableResponse || safeToRepeat(request, 0),
          onFailedAttempt: async (error) => {
            if (!(error instanceof RetryableResponse) || error.retriesLeft === 0) return;
            const wait = retryAfterMs(error.response.headers.get('retry-after'));
            // Too long to wait inside a call: give up now and let the caller decide.
            if (wait !== undefined && wait > maxRetryAfterMs) throw error;
            await error.response.body?.cancel();
            if (wait) await sleep(wait);
          },
        },
      );
    } catch (error) {
      if (error instanceof RetryableResponse) return error.response;
      throw error;
    }
  };
}
