import type { components } from './generated/schema.js';

export type Problem = components['schemas']['Problem'];

/**
 * An answer other than 2xx, carrying the server's RFC 9457 problem document. Subclasses name the
 * cases callers branch on; everything else is a plain SiteprintError with its status.
 */
export class SiteprintError extends Error {
  /** What to quote when reporting a failure: the problem's requestId, else the X-Request-Id header. */
  readonly requestId: string | undefined;
  /** The last path segment of the problem type (`validation`, `not-found`, …), when the server sent one. */
  readonly code: string | undefined;

  constructor(
    readonly status: number,
    readonly problem: Partial<Problem>,
    readonly response?: Response,
  ) {
    super(problem.detail ?? problem.title ?? `Request failed (${status})`);
    this.name = new.target.name;
    this.requestId = problem.requestId ?? response?.headers.get('x-request-id') ?? undefined;
    this.code = problem.type?.split('/').pop() || undefined;
  }

  /** Per-field issues of a 400/422 answer. */
  get errors(): NonNullable<Problem['errors']> {
    return this.problem.errors ?? [];
  }
}

export class ValidationError extends SiteprintError {}
export class AuthenticationError extends SiteprintError {}
export class PermissionError extends SiteprintError {}
export class NotFoundError extends SiteprintError {}
export class ConflictError extends SiteprintError {}
export class RateLimitedError extends SiteprintError {
  /** Seconds the server asked to wait (Retry-After), when it said. */
  get retryAfterSeconds(): number | undefined {
    const ms = retryAfterMs(this.response?.headers.get('retry-after'));
    return ms === undefined ? undefined : Math.ceil(ms / 1000);
  }
}
export class ServerError extends SiteprintError {}

const ERROR_OF_STATUS: Record<number, typeof SiteprintError> = {
  400: ValidationError,
  401: AuthenticationError,
  403: PermissionError,
  404: NotFoundError,
  409: ConflictError,
  422: ValidationError,
  429: RateLimitedError,
};

/** The typed error for a failed answer whose body (problem+json, or anything) was already read. */
export function problemError(response: Response, body: unknown): SiteprintError {
  const problem: Partial<Problem> =
    body && typeof body === 'object' ? (body as Partial<Problem>) : { title: response.statusText, status: response.status };
  const ErrorClass = ERROR_OF_STATUS[response.status] ?? (response.status >= 500 ? ServerError : SiteprintError);
  return new ErrorClass(response.status, problem, response);
}

/** Reads a failed answer and throws its typed error. */
export async function throwProblem(response: Response): Promise<never> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = { title: text.slice(0, 200) || response.statusText, status: response.status };
  }
  throw problemError(response, body);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
