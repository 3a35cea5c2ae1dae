import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { DomainError, type DomainErrorKind } from '../domain/errors.js';
import { reportError } from '../logging/error-reports.js';
import { buildProblem, HttpProblem, PROBLEM_CONTENT_TYPE, problemType, type FieldError, type Problem } from './problem.js';

function send(reply: FastifyReply, problem: Problem, headers: Record<string, string> = {}): FastifyReply {
  return reply
    .status(problem.status)
    .headers(headers)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ ...problem, requestId: reply.request.id });
}

function validationErrors(error: FastifyError): FieldError[] {
  const where = error.validationContext ?? 'body';
  return (error.validation ?? []).map((issue) => ({
    in: where,
    path: issue.instancePath || '/',
    message: issue.message ?? 'is invalid',
  }));
}

/** The one mapping from what a service raised to what the caller gets. */
const STATUS_OF: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
};

/** The problem a domain error becomes: its kind's status, its code as the problem type, its field issues. */
export function problemOfDomainError(error: DomainError): HttpProblem {
  const { code, issues, retryAfterSeconds, quota } = error.details;
  return new HttpProblem(STATUS_OF[error.kind], error.message, {
    ...(code ? { slug: code } : {}),
    ...(issues ? { errors: issues } : {}),
    ...(quota ? { quota } : {}),
    ...(retryAfterSeconds !== undefined ? { headers: { 'retry-after': String(retryAfterSeconds) } } : {}),
  });
}

/** Every error leaves the server as RFC 9457 problem+json; 5xx details stay in the log. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((raised: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const error = raised instanceof DomainError ? problemOfDomainError(raised) : raised;
    if (error instanceof HttpProblem) {
      return send(
        reply,
        buildProblem(error.status, error.message, {
          type: problemType(error.slug),
          errors: error.errors,
          ...(error.quota ? { quota: error.quota } : {}),
        }),
        error.headers,
      );
    }
    if (hasZodFastifySchemaValidationErrors(error) || error.validation) {
      return send(
        reply,
        buildProblem(400, 'The request is invalid; see errors for each field.', {
          type: problemType('validation'),
          errors: validationErrors(error),
        }),
      );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500 && !isResponseSerializationError(error)) {
      // Fastify's own client errors (bad JSON, body too large, unsupported media type) carry safe messages.
      return send(reply, buildProblem(status, error.message));
    }
    request.log.error({ err: error }, 'request failed');
    reportError(error, { kind: 'request', method: request.method, route: request.routeOptions.url ?? 'unmatched', requestId: request.id });
    return send(reply, buildProblem(500, 'An unexpected error occurred. Quote the request id when reporting it.'));
  });

  const methodsOf = routeMethods(app);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = methodsOf(path);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      return send(reply, buildProblem(405, `${request.method} is not supported on ${path}; use ${allowed.join(', ')}`), {
        allow: allowed.join(', '),
      });
    }
    return send(reply, buildProblem(404, `No route for ${request.method} ${path}`));
  });
}

/**
 * The methods the app answers on a concrete path, from its route table: a path that exists
 * under other methods gets 405 with `Allow` (RFC 9110 §15.5.6), not 404. Catch-all routes
 * (the dashboard's, CORS preflight) do not make every path known.
 */
function routeMethods(app: FastifyInstance): (path: string) => string[] {
  const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
  app.addHook('onRoute', (route) => {
    if (route.url.includes('*')) return;
    const pattern = new RegExp(
      `^${route.url
        .split('/')
        .map((segment) => (segment.startsWith(':') ? '[^/]+' : escapeRegExp(segment)))
        .join('/')}$`,
    );
    routes.push({ pattern, methods: [route.method].flat() });
  });
  return (path) => [...new Set(routes.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods))].sort();
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
