import type { FastifyReply, FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type { AppInstance } from '../http/app-instance.js';
import { authOf } from '../http/auth.js';
import { HttpProblem, problemResponses } from '../http/problem.js';
import { ACCESS_TOKEN_TTL_SECONDS } from './access-tokens.js';
import { loginBody, refreshBody, registerBody, sessionSchema, toUser, updateMeBody, userSchema } from './accounts.schemas.js';
import type { AccountsService, ClientInfo, Session } from './accounts.service.js';

export const REFRESH_COOKIE = 'siteprint_refresh';
/** The cookie only travels to the endpoints that consume it. */
const REFRESH_COOKIE_PATH = '/api/v1/auth';

export function clientOf(request: FastifyRequest): ClientInfo {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

/**
 * A request made on the server's own machine straight to its loopback interface: whoever makes it
 * can read the server's log anyway, so it may claim the first administrator without the setup
 * token (the README's quick start). A reverse proxy on the same machine also connects over
 * loopback, so a request carrying any forwarding header does not count.
 */
function fromThisMachine(request: FastifyRequest): boolean {
  const address = request.socket.remoteAddress;
  if (!address || !ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  const forwarded = ['forwarded', 'x-forwarded-for', 'x-real-ip'].some((header) => request.headers[header] !== undefined);
  return parsed.range() === 'loopback' && !forwarded;
}

export interface AuthRoutesDeps {
  accounts: AccountsService;
  /** Secure cookies when the instance is served over https. */
  secureCookies: boolean;
}

export type SessionResponder = (reply: FastifyReply, session: Session) => z.infer<typeof sessionSchema>;

/** Session responses set the refresh cookie too, so browsers never need to store the token themselves. */
export function sessionResponder(secureCookies: boolean): SessionResponder {
  return (reply, session) => {
    reply.setCookie(REFRESH_COOKIE, session.refreshToken, {
      httpOnly: true,
      sameSite: 'strict',
      secure: secureCookies,
      path: REFRESH_COOKIE_PATH,
      expires: session.refreshExpiresAt,
    });
    return {
      accessToken: session.accessToken,
      tokenType: 'Bearer' as const,
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      refreshToken: session.refreshToken,
      refreshExpiresAt: session.refreshExpiresAt.toISOString(),
      user: toUser(session.user),
    };
  };
}

export function registerAuthRoutes(app: AppInstance, { accounts, secureCookies }: AuthRoutesDeps): void {
  const sendSession = sessionResponder(secureCookies);

  app.post(
    '/api/v1/auth/register',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Create an account and its personal workspace',
        description:
          "While the instance has no system administrator, registration needs the one-time setupToken printed in the server log at start (403 setup-token-required or invalid-setup-token otherwise), and that account becomes the administrator. A registration made on the server's own machine straight to its loopback address (no proxy in between) needs no token.",
        body: registerBody,
        response: { 201: userSchema, ...problemResponses(403, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(toUser(await accounts.register({ ...request.body, local: fromThisMachine(request) }))),
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        description:
          'Failed attempts are limited per (account, client address) and per client address (429 with Retry-After); an account is never locked as a whole, so its owner can sign in from elsewhere.',
        body: loginBody,
        response: { 200: sessionSchema, ...problemResponses(401, 429) },
      },
    },
    async (request, reply) => sendSession(reply, await accounts.login(request.body, clientOf(request))),
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token (body or cookie) for a new session; the old token stops working',
        body: refreshBody,
        response: { 200: sessionSchema, ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      const token = request.body?.refreshToken ?? request.cookies[REFRESH_COOKIE];
      if (!token) throw new HttpProblem(401, 'No refresh token was sent', { slug: 'invalid-token' });
      return sendSession(reply, await accounts.refresh(token));
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { sessionOnly: true, beforePasswordChange: true },
      schema: {
        tags: ['auth'],
        summary: 'Revoke the session of a refresh token (body or cookie)',
        body: refreshBody,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const token = request.body?.refreshToken ?? request.cookies[REFRESH_COOKIE];
      await accounts.logout(token, authOf(request).userId, clientOf(request));
      reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/me',
    { config: { beforePasswordChange: true }, schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: userSchema } } },
    async (request) => toUser(await accounts.me(authOf(request).userId)),
  );

  app.patch(
    '/api/v1/auth/me',
    {
      config: { sessionOnly: true, beforePasswordChange: true },
      schema: {
        tags: ['auth'],
        summary: 'Change name or password (a password change needs the current password and ends other sessions)',
        body: updateMeBody,
        response: { 200: userSchema },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return toUser(await accounts.updateMe({ userId: auth.userId, sessionId: auth.sessionId }, request.body, clientOf(request)));
    },
  );

  app.delete(
    '/api/v1/auth/me',
    {
      config: { sessionOnly: true },
      schema: {
        tags: ['auth'],
        summary: 'Delete the account, its personal workspace and its sessions',
        response: { 204: z.null(), ...problemResponses(409) },
      },
    },
    async (request, reply) => {
      await accounts.deleteMe(authOf(request).userId, clientOf(request));
      reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH });
      return reply.status(204).send(null);
    },
  );
}
