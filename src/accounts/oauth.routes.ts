import { generateCodeVerifier, generateState } from 'arctic';
import { z } from 'zod';
import type { AppInstance } from '../http/app-instance.js';
import { HttpProblem, problemResponses, problems } from '../http/problem.js';
import { clientOf, type SessionResponder } from './auth.routes.js';
import { sessionSchema } from './accounts.schemas.js';
import { OAuthGrantError, oauthProviderNames, type OAuthProvider, type OAuthProviderName } from './oauth-providers.js';
import type { OAuthService } from './oauth.service.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';

const OAUTH_COOKIE = 'siteprint_oauth';
const OAUTH_COOKIE_PATH = '/api/v1/auth/oauth';
const OAUTH_COOKIE_MAX_AGE_SECONDS = 10 * 60;

const providerParams = z.object({ provider: z.enum(oauthProviderNames) });

/** What the signed cookie carries between the redirect to the provider and the callback. */
const pendingSchema = z.object({ provider: z.enum(oauthProviderNames), state: z.string(), verifier: z.string() });

export interface OAuthRoutesDeps {
  providers: Map<OAuthProviderName, OAuthProvider>;
  service: OAuthService;
  sendSession: SessionResponder;
  secureCookies: boolean;
  /** Which configured providers administrators allow (read on each request, so every process follows a change at once). */
  settings: RuntimeSettings;
}

export function registerOAuthRoutes(app: AppInstance, { providers, service, sendSession, secureCookies, settings }: OAuthRoutesDeps): void {
  const tags = ['auth'];

  /** The configured providers administrators have not switched off. */
  async function enabled(): Promise<OAuthProvider[]> {
    const allowed = await settings.get('allowedOAuthProviders');
    return [...providers.values()].filter((provider) => allowed === null || allowed.includes(provider.name));
  }

  async function providerOf(name: OAuthProviderName): Promise<OAuthProvider> {
    const provider = (await enabled()).find((candidate) => candidate.name === name);
    if (!provider) throw problems.notFound(`Sign-in with ${name} is not enabled on this instance, so it`);
    return provider;
  }

  app.get(
    '/api/v1/auth/providers',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'The sign-in providers enabled on this instance besides email and password',
        response: { 200: z.object({ providers: z.array(z.enum(oauthProviderNames)) }) },
      },
    },
    async () => ({ providers: (await enabled()).map((provider) => provider.name) }),
  );

  app.get(
    '/api/v1/auth/oauth/:provider',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Start signing in with Google or GitHub (redirects to the provider)',
        params: providerParams,
        response: { 302: z.null() },
      },
    },
    async (request, reply) => {
      const provider = await providerOf(request.params.provider);
      const state = generateState();
      const verifier = generateCodeVerifier();
      reply.setCookie(OAUTH_COOKIE, JSON.stringify({ provider: provider.name, state, verifier }), {
        signed: true,
        httpOnly: true,
        // Lax, not Strict: the provider's redirect back is a cross-site navigation that must carry it.
        sameSite: 'lax',
        secure: secureCookies,
        path: OAUTH_COOKIE_PATH,
        maxAge: OAUTH_COOKIE_MAX_AGE_SECONDS,
      });
      return reply.redirect(provider.authorizationUrl(state, verifier).toString(), 302);
    },
  );

  app.get(
    '/api/v1/auth/oauth/:provider/callback',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Provider callback: checks state and PKCE, then signs in, links by verified email, or creates the account',
        description:
          'Browsers (Accept: text/html) are redirected to the dashboard with the refresh cookie set; other clients get the session as JSON.',
        params: providerParams,
        querystring: z.object({
          code: z.string().min(1).max(2048).optional(),
          state: z.string().min(1).max(512).optional(),
          error: z.string().max(200).optional(),
        }),
        response: { 200: sessionSchema, 303: z.null(), ...problemResponses(401, 403, 409, 502) },
      },
    },
    async (request, reply) => {
      const provider = await providerOf(request.params.provider);
      const cookie = request.cookies[OAUTH_COOKIE];
      const unsigned = cookie ? request.unsignCookie(cookie) : undefined;
      reply.clearCookie(OAUTH_COOKIE, { path: OAUTH_COOKIE_PATH });
      if (request.query.error)
        throw new HttpProblem(401, `${provider.name} did not sign you in: ${request.query.error}`, { slug: 'oauth-denied' });
      const pending = unsigned?.valid && unsigned.value ? pendingSchema.safeParse(safeJson(unsigned.value)) : undefined;
      if (
        !pending?.success ||
        pending.data.provider !== provider.name ||
        !request.query.state ||
        pending.data.state !== request.query.state ||
        !request.query.code
      ) {
        throw new HttpProblem(400, 'The sign-in attempt is invalid or expired (state mismatch); start again', { slug: 'oauth-state' });
      }
      let profile;
      try {
        profile = await provider.profile(request.query.code, pending.data.verifier);
      } catch (error) {
        if (error instanceof OAuthGrantError) {
          throw new HttpProblem(401, `${provider.name} rejected the sign-in (${error.code})`, { slug: 'oauth-denied' });
        }
        request.log.warn({ err: error, provider: provider.name }, 'oauth provider failed');
        throw new HttpProblem(502, `${provider.name} could not be reached or answered unexpectedly`);
      }
      const session = sendSession(reply, await service.signIn(provider.name, profile, clientOf(request)));
      // A browser lands here from the provider: the refresh cookie is set, and the dashboard
      // picks the session up from it. API clients get the session itself.
      if (request.headers.accept?.includes('text/html')) return reply.redirect('/auth/complete', 303);
      return session;
    },
  );
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
