import Fastify, { type FastifyReply } from 'fastify';
import mercurius from 'mercurius';
import type { AuthContext } from '../http/auth.js';
import type { Permission } from '../http/route-context.js';
import type { GraphqlContext } from './context.js';
import { formatExecutionErrors, GraphqlRequestError, isGraphqlError, requestErrors } from './errors.js';
import { MAX_COST, MAX_DEPTH } from './limits.js';
import { createLoaders, type GraphqlServices } from './loaders.js';
import { resolvers } from './resolvers.js';
import { costOf, QueryTooComplexError, readOnlyOperations } from './rules.js';
import { typeDefs } from './schema.js';

export interface GraphqlQuery {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

export interface GraphqlCaller {
  auth: AuthContext;
  permissions: ReadonlySet<Permission>;
}

export interface GraphqlExecutor {
  /** Runs a query for a caller: 200 with the data (and any field errors), or 400 with the errors when it cannot run. */
  run(query: GraphqlQuery, caller: GraphqlCaller, reply: FastifyReply): Promise<{ status: 200 | 400; body: unknown }>;
  close(): Promise<void>;
}

/**
 * mercurius executing the schema (loaders batch related reads per request, depth and cost limits
 * refuse expensive queries). It is a Fastify plugin, so it lives on a Fastify instance of its own
 * that serves nothing: the API's route stays ours, and this module (with graphql-js) loads on the
 * first GraphQL request instead of at every start.
 */
export async function createGraphqlExecutor(services: GraphqlServices): Promise<GraphqlExecutor> {
  const host = Fastify();
  await host.register(mercurius, {
    schema: typeDefs,
    resolvers: resolvers as unknown as mercurius.IResolvers,
    routes: false,
    queryDepth: MAX_DEPTH,
    validationRules: [readOnlyOperations],
    errorFormatter: (execution, context) => formatExecutionErrors(execution, context),
  });
  host.graphql.addHook('preExecution', async (schema, document, context, variables) => {
    let cost: number;
    try {
      cost = costOf(schema, document, variables, (context as unknown as GraphqlContext).operationName);
    } catch (error) {
      // Arguments the cost depends on could not be read (a variable of the wrong type): the query cannot run.
      if (isGraphqlError(error)) throw new GraphqlRequestError([error]);
      throw error;
    }
    if (cost > MAX_COST) throw new QueryTooComplexError(cost);
  });
  await host.ready();

  return {
    async run({ query, variables, operationName }, { auth, permissions }, reply) {
      const context: Omit<GraphqlContext, 'log'> & { reply: FastifyReply } = {
        auth,
        workspaceId: auth.workspaceId,
        permissions,
        services,
        loaders: createLoaders(services, auth.workspaceId),
        operationName: operationName ?? undefined,
        reply,
      };
      try {
        // mercurius has put the field errors through formatExecutionErrors: they are plain GraphQL error objects now.
        // Variables always given, so mercurius checks them against the operation before running it.
        return { status: 200, body: await host.graphql(query, context as never, variables ?? {}, operationName ?? undefined) };
      } catch (error) {
        const errors = requestErrors(error);
        if (!errors) throw error;
        return { status: 400, body: { errors } };
      }
    },
    close: () => host.close(),
  };
}
