import type { FastifyContextConfig, FastifyRequest } from 'fastify';
import { clientOf } from '../accounts/auth.routes.js';
import { authOf } from '../http/auth.js';
import { problemResponses } from '../http/problem.js';
import type { AdminActor } from './admin-users.service.js';

/**
 * Every admin route: a signed-in system administrator only (API keys cannot administer the
 * instance), whether or not the workspace they act in is suspended (they act on the instance).
 */
export const adminOnly: FastifyContextConfig = { permission: 'system:admin', sessionOnly: true, whileSuspended: true };

export const adminTags = ['admin'];

export const adminErrors = problemResponses(400, 401, 403, 404);

export function adminActorOf(request: FastifyRequest): AdminActor {
  const client = clientOf(request);
  return { userId: authOf(request).userId, ip: client.ip, userAgent: client.userAgent };
}
