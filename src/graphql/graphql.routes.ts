import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import type { AppInstance } from '../http/app-instance.js';
import { authOf, permissionsOf } from '../http/auth.js';
import { problemSchema, PROBLEM_CONTENT_TYPE } from '../http/problem.js';
import type { GraphqlExecutor } from './executor.js';
import { MAX_COST, MAX_DEPTH } from './limits.js';
import type { GraphqlServices } from './loaders.js';

export const GRAPHQL_PATH = '/api/v1/graphql';
export const GRAPHIQL_PATH = '/graphiql';

export interface GraphqlRoutesDeps {
  services: GraphqlServices;
  /** Serve GraphiQL at /graphiql (never in production). */
  graphiql: boolean;
}

const graphqlRequest = z
  .object({
    query: z.string().min(1).max(100_000).describe('The GraphQL document'),
    variables: z.record(z.string(), z.unknown()).nullable().optional(),
    operationName: z.string().max(200).nullable().optional().describe('Which operation of the document to run, when it has several'),
  })
  .meta({ id: 'GraphqlRequest' });

const graphqlError = z.object({
  message: z.string(),
  locations: z.array(z.object({ line: z.number().int(), column: z.number().int() })).optional(),
  path: z.array(z.union([z.string(), z.number().int()])).optional(),
  extensions: z
    .object({
      code: z.string().optional().describe('FORBIDDEN, BAD_USER_INPUT, GRAPHQL_VALIDATION_FAILED, QUERY_TOO_DEEP, QUERY_TOO_COMPLEX…'),
    })
    .catchall(z.unknown())
    .optional(),
});

const graphqlResponse = z
  .object({
    data: z.record(z.string(), z.unknown()).nullable().optional().describe('Absent when the request could not be executed'),
    errors: z.array(graphqlError).optional(),
  })
  .meta({ id: 'GraphqlResponse' });

type GraphqlResponse = z.infer<typeof graphqlResponse>;

const DESCRIPTION = `Read-only GraphQL over the same data, authentication, workspace (X-Workspace-Id), permissions and API key scopes as the REST API: sites, page types, blueprints and their versions, jobs, analytics. The schema is in docs/graphql.md and by introspection.

A query that cannot run at all (syntax, unknown fields, bad variables, nesting over ${MAX_DEPTH} levels, a cost over ${MAX_COST}) answers 400 with GraphQL errors. Fields the caller may not read (missing permission) resolve to null with an error (extensions.code FORBIDDEN) beside the data that did resolve, with 200. Credentials, workspace and rate limits fail as in REST, with problem+json.`;

/**
 * The GraphQL endpoint: a schema-first route of our own, so authentication, rate limits, usage
 * counting and the OpenAPI document treat it as any REST route. The executor behind it (mercurius
 * and graphql-js, see executor.ts) loads with the first query: most processes never get one, and
 * loading it was a tenth of the server's start.
 */
export function registerGraphqlRoutes(app: AppInstance, { services, graphiql }: GraphqlRoutesDeps): void {
  let loading: Promise<GraphqlExecutor> | undefined;
  const executor = () =>
    // A failed load (a broken install) is retried by the next request rather than remembered.
    (loading ??= import('./executor.js')
      .then(({ createGraphqlExecutor }) => createGraphqlExecutor(services))
      .catch((error: unknown) => {
        loading = undefined;
        throw error;
      }));
  app.addHook('onClose', async () => {
    if (loading) await (await loading.catch(() => undefined))?.close();
  });

  app.post(
    GRAPHQL_PATH,
    {
      schema: {
        tags: ['graphql'],
        summary: 'Run a read-only GraphQL query',
        description: DESCRIPTION,
        body: graphqlRequest,
        response: {
          200: graphqlResponse,
          400: {
            description: 'The query cannot run (GraphQL errors), or the HTTP request is malformed (problem)',
            content: { 'application/json': { schema: graphqlResponse }, [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
          },
        },
      },
    },
    async (request, reply) => {
      const { status, body } = await (
        await executor()
      ).run(request.body, { auth: authOf(request), permissions: permissionsOf(request) }, reply);
      if (status === 400)
        return reply
          .status(400)
          .type('application/json')
          .send(body as GraphqlResponse);
      return body as GraphqlResponse;
    },
  );

  if (graphiql) registerGraphiql(app);
}

/**
 * GraphiQL, the in-browser IDE, as mercurius ships it. Its page loads React and GraphiQL from
 * unpkg.com, so its script policy allows that origin on these pages only. Outside production only.
 */
function registerGraphiql(app: AppInstance): void {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('mercurius/package.json')), 'static');
  const file = (name: string) => readFileSync(path.join(dir, name));
  const page = file('graphiql.html');
  const scripts = { 'main.js': file('main.js'), 'sw.js': file('sw.js') };
  const config = `window.GRAPHQL_ENDPOINT = '${GRAPHQL_PATH}';\nwindow.GRAPHIQL_PLUGIN_LIST = [];`;
  const allowUnpkg = (policy: unknown) =>
    String(policy ?? '')
      .replace("script-src 'self'", "script-src 'self' https://unpkg.com")
      .replace(/style-src ([^;]*)/, (all) => (all.includes('https:') ? all : `${all} https://unpkg.com`));

  app.get(GRAPHIQL_PATH, { schema: { hide: true } }, (_request, reply) =>
    reply
      .header('content-security-policy', allowUnpkg(reply.getHeader('content-security-policy')))
      .type('text/html')
      .send(page),
  );
  app.get(`${GRAPHIQL_PATH}/config.js`, { schema: { hide: true } }, (_request, reply) => reply.type('application/javascript').send(config));
  for (const [name, body] of Object.entries(scripts)) {
    app.get(`${GRAPHIQL_PATH}/${name}`, { schema: { hide: true } }, (_request, reply) => reply.type('application/javascript').send(body));
  }
}
