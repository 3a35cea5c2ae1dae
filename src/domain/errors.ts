/**
 * What services raise when a request cannot be served as asked. They speak of the domain
 * (not found, conflict, forbidden…), never of HTTP; the HTTP layer maps each kind to one status
 * (`src/http/errors.ts`), so one rule decides what a caller sees.
 */
export type DomainErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'unprocessable' | 'rate_limited';

/** One offending input: where it was (body, querystring, params, headers) and its JSON pointer. */
export interface FieldIssue {
  in: string;
  path: string;
  message: string;
}

export interface DomainErrorDetails {
  /** A stable machine-readable name of the problem (`duplicate-site`, `last-owner`…); by default the kind's. */
  code?: string;
  issues?: FieldIssue[];
  /** When the caller may try again (rate limits). */
  retryAfterSeconds?: number;
  /** The quota that was reached: its name, limit, use and when it resets (null: it never resets by itself). */
  quota?: QuotaExceeded;
}

export interface QuotaExceeded {
  name: string;
  limit: number;
  used: number;
  resetAt: string | null;
}

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Shorthands for the errors services raise most often. */
export const domainErrors = {
  notFound: (what = 'Resource') => new DomainError('not_found', `${what} not found`),
  conflict: (message: string, code?: string) => new DomainError('conflict', message, code ? { code } : {}),
  invalid: (message: string, issues?: FieldIssue[]) => new DomainError('invalid', message, issues ? { issues } : {}),
};
