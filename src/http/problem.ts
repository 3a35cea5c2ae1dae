import { STATUS_CODES } from 'node:http';
import { z } from 'zod';

/** RFC 9457 problem details, the body of every error response. */
export const problemSchema = z
  .object({
    type: z.string().describe('URI identifying the problem type'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(
        z.object({
          in: z.string().describe('body, querystring, params or headers'),
          path: z.string().describe('JSON pointer to the offending value'),
          message: z.string(),
        }),
      )
      .optional()
      .describe('Per-field validation errors'),
    quota: z
      .object({
        name: z.string().describe('The quota or rate limit reached (sites, analysesPerMonth, apiRequestsPerMinute…)'),
        limit: z.number(),
        used: z.number(),
        resetAt: z.iso.datetime().nullable().describe('When the count starts again; null for quotas that only free up (sites)'),
      })
      .optional()
      .describe('On quota-exceeded and rate-limited problems'),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;
export type FieldError = NonNullable<Problem['errors']>[number];

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem type URIs are URNs: stable identifiers that never pretend to be fetchable pages. */
export function problemType(slug: string): string {
  return `urn:siteprint:problem:${slug}`;
}

/**
 * Thrown by services and routes for an expected failure; the error handler turns it into a
 * problem+json response with this status.
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly slug: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  readonly quota?: Problem['quota'];

  constructor(
    status: number,
    detail: string,
    options: { slug?: string; errors?: FieldError[]; headers?: Record<string, string>; quota?: Problem['quota'] } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.status = status;
    this.slug = options.slug ?? slugForStatus(status);
    this.errors = options.errors;
    this.headers = options.headers;
    this.quota = options.quota;
  }
}

export function slugForStatus(status: number): string {
  return (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

export function buildProblem(status: number, detail: string | undefined, extra: Partial<Problem> = {}): Problem {
  return {
    type: problemType(slugForStatus(status)),
    title: STATUS_CODES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
    ...extra,
  };
}

/** Shorthands for the problems routes return most often. */
export const problems = {
  notFound: (what = 'Resource') => new HttpProblem(404, `${what} not found`),
  conflict: (detail: string) => new HttpProblem(409, detail),
  badRequest: (detail: string, errors?: FieldError[]) => new HttpProblem(400, detail, { errors }),
};

/** The problem+json responses a route documents, e.g. `problemResponses(400, 401, 404)`. */
export function problemResponses<Status extends number>(...statuses: Status[]): Record<Status, typeof problemSchema> {
  return Object.fromEntries(statuses.map((status) => [status, problemSchema])) as Record<Status, typeof problemSchema>;
}
