import { STATUS_CODES } from 'node:http';
import type { RouteOptions } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { isProtected } from './auth.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';

/**
 * What every operation of the OpenAPI document says beyond its own schema, derived in one place
 * from how the app really answers, so a route cannot forget it:
 * - a stable `operationId` from the method and path (SDK generators and fuzzers key on it);
 * - every problem status the shared machinery can give (validation, authentication, permissions,
 *   unknown workspace, body parsing, Idempotency-Key), added to the route's own;
 * - error responses as `application/problem+json` with the Problem schema, and a `default`
 *   problem for server errors.
 */

type Route = Pick<RouteOptions, 'method' | 'url' | 'config'> & { schema?: Record<string, unknown> };

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/** `POST /api/v1/sites/:id/blueprints/:version/rollback` → `postSitesByIdBlueprintsByVersionRollback`. */
export function operationIdFor(method: string, url: string): string {
  const words = url
    .replace(/^\/api\/v\d+(?=\/|$)/, '')
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => (segment.startsWith(':') ? ['by', segment.slice(1)] : segment.split(/[^A-Za-z0-9]+/)))
    .filter(Boolean);
  return [method.toLowerCase(), ...words.map((word) => word[0]!.toUpperCase() + word.slice(1))].join('');
}

/** Problem statuses the app's shared hooks and parsers can answer on this route, whatever its handler does. */
export function sharedProblemStatuses(route: Route): number[] {
  const schema = route.schema ?? {};
  const statuses = new Set<number>();
  const hasInput = ['params', 'querystring', 'body', 'headers'].some((part) => schema[part] !== undefined);
  if (hasInput) statuses.add(400);
  if (schema.params) statuses.add(404);
  if (schema.body) {
    // Fastify's body parsing: malformed JSON (400), over BODY_LIMIT_BYTES (413), a media type it cannot parse (415).
    statuses.add(413).add(415);
  }
  if (isProtected(route.url, route.config)) {
    // A bad X-Workspace-Id is a 400, an unknown one a 404, missing or dead credentials a 401.
    // Over the workspace's or the caller's API rate limit, a 429 with Retry-After.
    statuses.add(400).add(401).add(404).add(429);
    if (route.config?.permission || route.config?.sessionOnly) statuses.add(403);
  }
  if (route.config?.idempotent) {
    // Idempotency-Key: malformed (400), in flight (409), reused for another request (422).
    statuses.add(400).add(409).add(422);
  }
  return [...statuses];
}

const byStatus = (status: string) => (status === 'default' ? 1000 : Number(status));

function problemResponse(status: number | 'default', description?: string) {
  return {
    description:
      description ??
      (status === 'default' ? 'Unexpected error (5xx); quote requestId when reporting it' : (STATUS_CODES[status] ?? 'Error')),
    content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF } },
  };
}

/**
 * `transform` for @fastify/swagger: the zod transform, then the additions above. Routes declare
 * only the problems their own handler gives (409 on a duplicate, 422 …) with problemResponses(),
 * so an operation documents no status it can never answer.
 */
export const contractTransform: typeof jsonSchemaTransform = (input) => {
  const result = jsonSchemaTransform(input);
  if (!result.schema || (result.schema as { hide?: boolean }).hide) return result;
  const route = input.route as unknown as Route;
  const schema = result.schema as Record<string, unknown> & { response?: Record<string, unknown> };
  const method = Array.isArray(route.method) ? route.method[0]! : route.method;
  schema.operationId ??= operationIdFor(method, route.url);

  const responses: Record<string, unknown> = { ...schema.response };
  for (const [status, response] of Object.entries(responses)) {
    const { $ref, description } = response as { $ref?: string; description?: string };
    if ($ref === PROBLEM_REF.$ref) responses[status] = problemResponse(Number(status), description);
  }
  for (const status of sharedProblemStatuses({ ...route, schema: route.schema as Record<string, unknown> | undefined })) {
    responses[status] ??= problemResponse(status);
  }
  responses.default = problemResponse('default');
  schema.response = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => byStatus(a) - byStatus(b)));
  return result;
};

/** Where the app serves its OpenAPI document. */
export const OPENAPI_PATH = '/api/v1/openapi.json';
