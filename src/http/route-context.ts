import type { FastifyRequest } from 'fastify';

/**
 * What product routes need from authentication: the workspace a request acts in. Routes
 * declare the permission they require in `config.permission`; the auth plugin enforces it
 * before the handler runs.
 */
export type WorkspaceOf = (request: FastifyRequest) => string;

export const permissions = [
  'sites:read',
  'sites:write',
  'jobs:read',
  'jobs:write',
  'blueprints:read',
  'blueprints:write',
  'queues:manage',
  'system:admin',
  'llm:read',
  'llm:manage',
  'members:read',
  'members:manage',
  'notifications:read',
  'notifications:manage',
  'api-keys:manage',
  'workspace:delete',
] as const;

export type Permission = (typeof permissions)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission;
    /** Reachable without credentials (register, login, OAuth, version, OpenAPI). */
    public?: boolean;
  }
}
