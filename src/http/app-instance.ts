import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyPluginAsync,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';

/** The Fastify instance every route is registered on: routes validate and serialise through zod. */
export type AppInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** How a feature adds its routes (and their schemas) to the app, given the services it works over. */
export type RegisterRoutes<Deps> = (app: AppInstance, deps: Deps) => void | Promise<void>;

/**
 * A feature's routes as an encapsulated Fastify plugin: whatever the feature adds (hooks, decorators)
 * stays in its own context, while the app's hooks (auth, idempotency, metrics) and error handling,
 * added at the root before it, apply to its routes.
 */
export function featurePlugin<Deps extends object>(register: RegisterRoutes<Deps>): FastifyPluginAsync<Deps> {
  return async (scope, deps) => {
    await register(scope.withTypeProvider<ZodTypeProvider>(), deps);
  };
}
