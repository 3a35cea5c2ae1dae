import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import {
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from '../config/index.js';
import type { Database } from '../db/client.js';
import { migrationStatus } from '../db/migrations.js';
import type { Logger } from '../logging/logger.js';
import type { JobQueue } from '../queue/index.js';
import { registerHealthRoutes, type ReadinessCheck } from '../system/health.js';
import { createMetricsRegistry, registerHttpMetrics } from '../system/metrics.js';
import { registerVersionRoute, siteprintVersion } from '../system/version.js';
import { registerAccountsModule } from '../accounts/accounts.module.js';
import { RedisAttemptStore } from '../accounts/redis-attempt-store.js';
import type { AttemptStore } from '../accounts/login-limiter.js';
import { securitySchemes } from './auth.js';
import { registerDashboard } from './dashboard.js';
import { registerErrorHandling } from './errors.js';
import { registerJsonBodyParser } from './json-body.js';
import { contractTransform } from './openapi-contract.js';
import { requestIdFor } from './request-id.js';

export type AppInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface AppOptions {
  config: Config;
  database: Database;
  queue: JobQueue;
  logger: Logger;
  /** Failed-login counters; by default in Redis when REDIS_URL is set (scaled mode), else in this process. */
  loginAttempts?: AttemptStore;
}

export const OPENAPI_PATH = '/api/v1/openapi.json';
/** Helmet's default policy: a year, subdomains included. */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Every route is validated and serialised through zod (`setValidatorCompiler` below). Naming
 * the compilers at construction too keeps Fastify from loading its default Ajv and
 * fast-json-stringify compilers, which no route uses and which took a good part of the time to
 * ready. (Fastify types these factories for Ajv; the zod compilers are what it calls them with.)
 */
const zodCompilers = { buildValidator: () => validatorCompiler, buildSerializer: () => serializerCompiler } as unknown as NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;

/** Builds the HTTP application; the caller owns listening and closing. */
export async function buildApp({ config, database, queue, logger, loginAttempts }: AppOptions): Promise<AppInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: requestIdFor,
    // One log line per request (an onResponse hook below), not Fastify's two: half the logging work on every request.
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    // In-flight requests finish on close; idle keep-alive sockets are dropped at once.
    forceCloseConnections: 'idle',
    schemaController: { compilersFactory: zodCompilers },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  registerJsonBodyParser(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // HSTS over plain HTTP is meaningless at best; request.protocol honours X-Forwarded-Proto only with TRUST_PROXY.
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  });

  await app.register(helmet, {
    // Sent per request above, only over HTTPS.
    strictTransportSecurity: false,
    contentSecurityPolicy: {
      directives: {
        // Self-hosted instances are often reached over plain HTTP on a LAN; never rewrite to https.
        'upgrade-insecure-requests': null,
        // Swagger UI's bundle and its initialiser are served from this origin.
        'script-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
      },
    },
  });
  await app.register(cors, {
    origin: config.CORS_ORIGINS.includes('*') ? true : config.CORS_ORIGINS.length ? config.CORS_ORIGINS : false,
    credentials: !config.CORS_ORIGINS.includes('*'),
    exposedHeaders: ['x-request-id', 'retry-after'],
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Siteprint API',
        version: siteprintVersion,
        description: 'Fingerprint websites, discover their data and keep extraction blueprints healthy.',
        license: { name: 'AGPL-3.0-only', identifier: 'AGPL-3.0-only' },
      },
      tags: [
        { name: 'system', description: 'Health, version and metrics' },
        { name: 'auth', description: 'Accounts, sessions and sign-in with Google or GitHub' },
        { name: 'workspaces', description: 'Workspaces, members, roles and invitations' },
        { name: 'api-keys', description: 'API keys for scripts and integrations' },
        { name: 'overview', description: "The workspace's headline totals" },
      ],
      components: { securitySchemes },
    },
    transform: contractTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { validatorUrl: null, tryItOutEnabled: true },
  });

  await registerAccountsModule(app, {
    config,
    db: database.db,
    loginAttempts: loginAttempts ?? sharedLoginAttempts(app, config, logger),
    cacheSessions: database.kind === 'pglite',
  });

  const metrics = createMetricsRegistry();
  registerHttpMetrics(app, metrics);

  const checks: ReadinessCheck[] = [
    { name: 'database', check: () => database.ping() },
    {
      name: 'migrations',
      check: async () => {
        const status = await migrationStatus(database);
        if (!status.current) throw new Error(`${status.applied} of ${status.available} migrations applied`);
      },
    },
    { name: 'queue', check: () => queue.ping() },
  ];
  registerHealthRoutes(app, checks);
  registerVersionRoute(app, database.kind);
  app.get(OPENAPI_PATH, { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  if (!(await registerDashboard(app))) logger.warn('the web dashboard is not built (npm run build:web); serving the API only');

  return app;
}

/** In scaled mode every API process counts sign-in attempts in the same Redis; embedded mode counts in memory. */
function sharedLoginAttempts(app: AppInstance, config: Config, logger: Logger): AttemptStore | undefined {
  if (!config.REDIS_URL) return undefined;
  const store = RedisAttemptStore.connect(config.REDIS_URL, config.QUEUE_PREFIX, logger);
  app.addHook('onClose', () => store.close());
  return store;
}
