import { GraphQLError, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { directiveEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { GraphqlRequestError } from './errors.js';
import { MAX_COST } from './limits.js';

/** Raised before execution when a query would cost more than MAX_COST; the route answers it as a request error. */
export class QueryTooComplexError extends GraphqlRequestError {
  constructor(cost: number) {
    const message = `The query costs ${cost}, more than the limit of ${MAX_COST}: ask for smaller pages (limit) or fewer nested lists`;
    super([new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', cost, maxCost: MAX_COST } })]);
  }
}

/** What the query would cost with these variables: `@complexity` fields by their multipliers, every other field 1. */
export function costOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName?: string,
) {
  return getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    operationName,
    estimators: [directiveEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
}

/**
 * Refuses mutations and subscriptions while validating, so they are request errors like any
 * invalid query (graphql-js 16 only notices the missing root type when executing).
 */
export const readOnlyOperations: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation !== 'query') {
      context.reportError(
        new GraphQLError(`This API is read-only: ${node.operation}s are not supported; make changes with the REST API`, { nodes: node }),
      );
    }
  },
});
