import type { FastifyRequest } from 'fastify';

/**
 * What product routes need from authentication: the workspace a request acts in. Routes
 * declare the permission they require in `config.permission`; the auth plugin enforces it
 * before the handler runs.
 */
export type WorkspaceOf = (request: FastifyRequest) => string;

export type Permission =
  | 'sites:read'
  | 'sites:write'
  | 'jobs:read'
  | 'jobs:write'
  | 'blueprints:read'
  | 'blueprints:write'
  | 'queues:manage';

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission;
  }
}
