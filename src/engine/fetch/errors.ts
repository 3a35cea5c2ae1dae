export type FetchErrorCode =
  | 'unsupported_url'
  | 'blocked_address'
  | 'too_many_redirects'
  | 'body_too_large'
  | 'timeout'
  | 'robots_disallowed'
  | 'not_html'
  | 'network';

/**
 * Refusals by policy (the address guard, robots.txt) rather than failures of the site: the same
 * fetch is refused again however often it is tried, until the policy or the site's own rules change.
 */
export const POLICY_REFUSALS: ReadonlySet<FetchErrorCode> = new Set(['blocked_address', 'robots_disallowed']);

/** Every way a fetch can fail, as one typed error a caller can branch on. */
export class FetchError extends Error {
  /** False for policy refusals, so job queues fail the job at once instead of retrying it. */
  readonly retryable: boolean;

  constructor(
    readonly code: FetchErrorCode,
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'FetchError';
    this.retryable = !POLICY_REFUSALS.has(code);
  }
}
