import type { FastifyBaseLogger } from 'fastify';
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { DomainError, type DomainErrorKind } from '../domain/errors.js';
import { HttpProblem } from '../http/problem.js';
import { reportError } from '../logging/error-reports.js';

/** The `extensions.code` of a refused field: the REST problem a domain error would have become, in GraphQL's usual words. */
const CODE_OF: Record<DomainErrorKind, string> = {
  invalid: 'BAD_USER_INPUT',
  unauthenticated: 'UNAUTHENTICATED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  unprocessable: 'UNPROCESSABLE',
  rate_limited: 'RATE_LIMITED',
};

/**
 * By name, not instanceof: graphql ships both CommonJS and ESM builds, and a bundler or test
 * runner may load this module's copy apart from mercurius's.
 */
export function isGraphqlError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

/** A query that cannot run at all (as mercurius's validation errors are): the route answers 400 with `errors`. */
export class GraphqlRequestError extends Error {
  constructor(readonly errors: GraphQLError[]) {
    super(errors.map((error) => error.message).join('; '));
  }
}

const UNEXPECTED = 'An unexpected error occurred. Quote the request id when reporting it.';

/**
 * A field error as the caller sees it: what a service refused keeps its message and gets a code;
 * anything else is a bug whose message stays in the log (as a REST 500's does).
 */
function fieldError(error: GraphQLError, log: FastifyBaseLogger, requestId: string): GraphQLFormattedError {
  const original = error.originalError;
  const located = (message: string, extensions: Record<string, unknown>) =>
    new GraphQLError(message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions,
    }).toJSON();
  if (original instanceof DomainError) {
    return located(original.message, {
      code: CODE_OF[original.kind],
      ...(original.details.issues ? { issues: original.details.issues } : {}),
    });
  }
  if (original instanceof HttpProblem && original.status < 500) {
    return located(original.message, { code: original.status === 400 ? 'BAD_USER_INPUT' : original.slug.toUpperCase() });
  }
  if (!original || isGraphqlError(original)) return error.toJSON();
  log.error({ err: original, path: error.path }, 'GraphQL field failed');
  reportError(original, { kind: 'request', method: 'POST', route: '/api/v1/graphql', requestId });
  return located(UNEXPECTED, { code: 'INTERNAL_SERVER_ERROR', requestId });
}

/** mercurius's `errorFormatter`: field errors answer 200 beside the data that did resolve (GraphQL over HTTP). */
export function formatExecutionErrors(
  execution: ExecutionResult,
  context: { reply?: { log: FastifyBaseLogger; request: { id: string } } },
) {
  const log = context.reply!.log;
  const requestId = context.reply!.request.id;
  return {
    statusCode: 200,
    response: { data: execution.data ?? null, errors: (execution.errors ?? []).map((error) => fieldError(error, log, requestId)) },
  };
}

/** Why a request could not be executed at all: unparsable, invalid against the schema, too deep, too costly, bad variables. */
export function requestErrors(raised: unknown): GraphQLFormattedError[] | undefined {
  const errors = (raised as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return undefined;
  return errors.map((error: Error & { code?: string }) => {
    if (isGraphqlError(error)) {
      const json = error.toJSON();
      if (json.extensions?.code) return json;
      const code = error.message.startsWith('Syntax Error')
        ? 'GRAPHQL_PARSE_FAILED'
        : error.message.startsWith('Variable "$')
          ? 'BAD_USER_INPUT'
          : 'GRAPHQL_VALIDATION_FAILED';
      return { ...json, extensions: { ...json.extensions, code } };
    }
    // mercurius's depth check raises plain errors: "`name query depth (12) exceeds the query depth limit of 10`".
    if (error.code === 'MER_ERR_GQL_QUERY_DEPTH')
      return { message: error.message.replaceAll('`', ''), extensions: { code: 'QUERY_TOO_DEEP' } };
    return { message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
  });
}
