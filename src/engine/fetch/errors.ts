export type FetchErrorCode =
  | 'unsupported_url'
  | 'blocked_address'
  | 'too_many_redirects'
  | 'body_too_large'
  | 'timeout'
  | 'robots_disallowed'
  | 'not_html'
  | 'network';

/** Every way a fetch can fail, as one typed error a caller can branch on. */
export class FetchError extends Error {
  constructor(
    readonly code: FetchErrorCode,
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}
