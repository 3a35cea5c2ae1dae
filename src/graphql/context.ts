import type { FastifyBaseLogger } from 'fastify';
import { DomainError } from '../domain/errors.js';
import type { AuthContext } from '../http/auth.js';
import type { Permission } from '../http/route-context.js';
import type { GraphqlServices, Loaders } from './loaders.js';

/** What every resolver of one request sees. */
export interface GraphqlContext {
  auth: AuthContext;
  workspaceId: string;
  /** The caller's role permissions, narrowed by an API key's scopes (as the REST auth hook computes them). */
  permissions: ReadonlySet<Permission>;
  services: GraphqlServices;
  /** Per-request batching loaders: one query per kind of related record, whatever the number of parents. */
  loaders: Loaders;
  operationName?: string;
  log: FastifyBaseLogger;
}

/** Refuses a field the caller lacks the permission for, with the REST API's words. */
export function requirePermission(context: GraphqlContext, permission: Permission): void {
  if (!context.permissions.has(permission)) throw new DomainError('forbidden', `This requires the ${permission} permission`);
}
