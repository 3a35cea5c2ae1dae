import type { FastifyContextConfig, FastifyRequest } from 'fastify';
import type { WorkspaceRole } from '../db/schema/index.js';
import type { AppInstance } from './app-instance.js';
import { grantedPermissions } from './permissions.js';
import { HttpProblem, problems } from './problem.js';
import type { Permission, WorkspaceOf } from './route-context.js';

export interface AuthContext {
  userId: string;
  workspaceId: string;
  role: WorkspaceRole;
  systemAdmin: boolean;
  /** Set when the request authenticated with an API key. */
  apiKeyId?: string;
  scopes?: string[];
  /** The signed-in session (refresh-token family) an access token belongs to. */
  sessionId?: string;
}

/** Answered to what a suspended workspace's members ask of it, and to every request of its API keys. */
export function workspaceSuspended(): HttpProblem {
  return new HttpProblem(
    403,
    'A system administrator suspended this workspace: only reading it (GET /api/v1/workspace shows when and why) and your own account are possible until it is unsuspended',
    { slug: 'workspace-suspended' },
  );
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every protected /api/v1 route before validation and handlers run. */
    auth?: AuthContext;
  }
  interface FastifyContextConfig {
    /** Only a signed-in person may call it, never an API key (account and key management of oneself). */
    sessionOnly?: boolean;
    /** Callable while the user must change their password (reading and changing their own account, signing out). */
    beforePasswordChange?: boolean;
    /**
     * Callable by a signed-in member while the workspace they act in is suspended (reading it, the
     * caller's workspaces, the instance's administration); `beforePasswordChange` routes are too.
     */
    whileSuspended?: boolean;
  }
}

export const API_PREFIX = '/api/v1';
export const WORKSPACE_HEADER = 'x-workspace-id';
export const API_KEY_HEADER = 'x-api-key';

/** Security requirements attached to every protected route in the OpenAPI document. */
export const securitySchemes = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT or sp_ API key',
    description: 'An access token from /auth/login (send X-Workspace-Id to act outside your personal workspace) or an API key.',
  },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An sp_ API key; it acts in its own workspace.' },
} as const;

export const workspaceOf: WorkspaceOf = (request) => request.auth!.workspaceId;

/** The authenticated context of a protected route; the hook guarantees it is present. */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw unauthenticated();
  return request.auth;
}

/** What the caller may do right now: the role's permissions, narrowed by an API key's scopes. */
export function permissionsOf(request: FastifyRequest): Set<Permission> {
  return grantedPermissions(authOf(request));
}

export function isProtected(url: string, config: Partial<FastifyContextConfig> | undefined): boolean {
  return (url === API_PREFIX || url.startsWith(`${API_PREFIX}/`)) && config?.public !== true;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function unauthenticated(detail = 'Authentication is required: send a Bearer token or an X-API-Key header') {
  return new HttpProblem(401, detail, { slug: 'unauthenticated', headers: { 'www-authenticate': 'Bearer' } });
}

/**
 * What the hook asks of accounts, workspaces and API keys; the application hands in their
 * services, so this base layer depends on none of them.
 */
export interface AuthDeps {
  accessTokens: { verify(token: string): Promise<{ userId: string; sessionId: string } | undefined> };
  sessions: {
    sessionAccess(
      sessionId: string,
      userId: string,
      workspaceId: string | undefined,
    ): Promise<
      | {
          userId: string;
          systemAdmin: boolean;
          passwordChangeRequired: boolean;
          workspace?: { id: string; role: WorkspaceRole; suspended: boolean };
        }
      | undefined
    >;
  };
  users: { findById(id: string): Promise<{ id: string; systemAdmin: boolean } | undefined> };
  workspaces: { membershipOf(workspaceId: string, userId: string): Promise<{ role: WorkspaceRole; suspended: boolean } | undefined> };
  apiKeys: {
    /** What every API key starts with, telling a key sent as a Bearer token from an access token. */
    prefix: string;
    authenticate(secret: string): Promise<{ id: string; workspaceId: string; createdBy: string; scopes: string[] } | undefined>;
  };
}

/**
 * Authenticates every /api/v1 route that is not `config.public` (failing closed: a route without
 * a permission still needs credentials) and enforces `config.permission` from the one role table.
 * Must be registered before the routes it protects, because it decorates them as they are added.
 */
export function registerAuth(app: AppInstance, deps: AuthDeps): void {
  app.addHook('onRoute', (route) => {
    if (!isProtected(route.url, route.config)) return;
    route.schema = {
      ...route.schema,
      security: [{ bearerAuth: [] }, { apiKey: [] }],
    } as typeof route.schema;
  });

  // onRequest runs before body parsing and validation, so anonymous callers learn nothing from 400s.
  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    if (!url || !isProtected(url, request.routeOptions.config)) return;
    const config = request.routeOptions.config;
    const { suspended, ...auth } = await authenticate(request, deps);
    // A suspended workspace's keys are refused outright; its members keep only what tells them why.
    if (suspended && (auth.apiKeyId || !(config.whileSuspended || config.beforePasswordChange))) throw workspaceSuspended();
    if (config.sessionOnly && auth.apiKeyId) {
      throw new HttpProblem(403, 'API keys cannot call this endpoint; sign in instead', { slug: 'forbidden' });
    }
    if (config.permission && !grantedPermissions(auth).has(config.permission)) {
      throw new HttpProblem(403, `This requires the ${config.permission} permission`, { slug: 'forbidden' });
    }
    request.auth = auth;
  });
}

function credentials(request: FastifyRequest, apiKeyPrefix: string): { kind: 'jwt' | 'key'; value: string } | undefined {
  const apiKey = request.headers[API_KEY_HEADER];
  if (typeof apiKey === 'string' && apiKey) return { kind: 'key', value: apiKey };
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>"');
  const value = match[1]!;
  return { kind: value.startsWith(apiKeyPrefix) ? 'key' : 'jwt', value };
}

function requestedWorkspace(request: FastifyRequest): string | undefined {
  const header = request.headers[WORKSPACE_HEADER];
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !uuidPattern.test(header)) {
    throw problems.badRequest('X-Workspace-Id must be a workspace id (UUID)', [
      { in: 'headers', path: '/x-workspace-id', message: 'must be a UUID' },
    ]);
  }
  return header.toLowerCase();
}

async function authenticate(request: FastifyRequest, deps: AuthDeps): Promise<AuthContext & { suspended: boolean }> {
  const presented = credentials(request, deps.apiKeys.prefix);
  if (!presented) throw unauthenticated();
  const wanted = requestedWorkspace(request);

  if (presented.kind === 'key') {
    const key = await deps.apiKeys.authenticate(presented.value);
    if (!key) throw unauthenticated('The API key is invalid, expired or revoked');
    // A key only ever reaches its own workspace; naming another one looks like a missing workspace.
    if (wanted && wanted !== key.workspaceId) throw problems.notFound('Workspace');
    const [creator, membership] = await Promise.all([
      deps.users.findById(key.createdBy),
      deps.workspaces.membershipOf(key.workspaceId, key.createdBy),
    ]);
    // A key dies with its creator's membership: it can never outlive the access it was cut from.
    if (!creator || !membership) throw unauthenticated('The API key is invalid, expired or revoked');
    return {
      userId: creator.id,
      workspaceId: key.workspaceId,
      role: membership.role,
      suspended: membership.suspended,
      systemAdmin: creator.systemAdmin,
      apiKeyId: key.id,
      scopes: key.scopes,
    };
  }

  const invalid = () => unauthenticated('The access token is invalid or expired');
  const claims = await deps.accessTokens.verify(presented.value);
  if (!claims) throw invalid();
  // A token of a session that was logged out (or revoked by a password change or token reuse) dies with it.
  // Session, user and membership are read fresh on every request, in one query, so a logout or a role
  // change takes effect at once in every API process.
  const access = await deps.sessions.sessionAccess(claims.sessionId, claims.userId, wanted);
  if (!access) throw invalid();
  if (access.passwordChangeRequired && !request.routeOptions.config.beforePasswordChange) {
    throw new HttpProblem(403, 'Your password was reset by an administrator: change it (PATCH /api/v1/auth/me) before anything else', {
      slug: 'password-change-required',
    });
  }
  if (!access.workspace) throw problems.notFound('Workspace');
  return {
    userId: access.userId,
    workspaceId: access.workspace.id,
    role: access.workspace.role,
    suspended: access.workspace.suspended,
    systemAdmin: access.systemAdmin,
    sessionId: claims.sessionId,
  };
}
