import type { FastifyBaseLogger } from 'fastify';
import type { AnalyticsService } from '../analytics/index.js';
import type { BlueprintsService } from '../blueprints/blueprints.service.js';
import { DomainError } from '../domain/errors.js';
import type { AuthContext } from '../http/auth.js';
import type { Permission } from '../http/route-context.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { SitesService } from '../sites/sites.service.js';
import type { Loaders } from './loaders.js';

/** The services GraphQL reads through: the same ones the REST routes call. */
export interface GraphqlServices {
  sites: SitesService;
  jobs: JobsService;
  blueprints: BlueprintsService;
  analytics: AnalyticsService;
}

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
