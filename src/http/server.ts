import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import helmet, { type HelmetOptions } from 'helmet';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import type { AppInstance } from './app-instance.js';
import { securitySchemes } from './auth.js';
import { registerErrorHandling } from './errors.js';
import { registerJsonBodyParser } from './json-body.js';
import { contractTransform } from './openapi-contract.js';
import { withRecordedExamples } from './openapi-examples.js';
import { requestIdFor } from './request-id.js';
import { registerRequestTracing } from './tracing.js';

/** Helmet's default policy: a year, subdomains included. */
const HSTS = 'max-age=31536000; includeSubDomains';

/** The headers helmet sets with these options, read off a response it is applied to (they depend on nothing in the request). */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const response = new ServerResponse(new IncomingMessage(new Socket()));
  let failure: unknown;
  helmet(options)(response.req, response, (error?: unknown) => (failure = error));
  if (failure) throw failure;
  return Object.fromEntries(Object.entries(response.getHeaders()).map(([name, value]) => [name, String(value)]));
}

/**
 * Every route is validated and serialised through zod (`setValidatorCompiler` below). Naming
 * the compilers at construction too keeps Fastify from loading its default Ajv and
 * fast-json-stringify compilers, which no route uses and which took a good part of the time to
 * ready. (Fastify types these factories for Ajv; the zod compilers are what it calls them with.)
 */
const zodCompilers = { buildValidator: () => validatorCompiler, buildSerializer: () => serializerCompiler } as unknown as NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;

/** Siteprint's mark, as web/public/favicon.svg draws it. */
const SITEPRINT_MARK =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#228be6"/>' +
  '<path d="M9 11h14M9 16h10M9 21h12" stroke="#fff" stroke-width="2.5" stroke-linecap="round"/></svg>';
export interface HttpServerOptions {
  config: Config;
  logger: Logger;
  /** The OpenAPI document's `info.version`. */
  version: string;
  /** The OpenAPI document's tags, one per area of the API. */
  tags: Array<{ name: string; description: string }>;
}

/**
 * The HTTP machinery every route shares, with no route of its own: zod validation and
 * serialisation, problem+json errors, request ids and their log line, security headers, CORS and
 * the OpenAPI document (Swagger UI at `/docs`). The application adds its features on top.
 */
export async function createHttpServer({ config, logger, version, tags }: HttpServerOptions): Promise<AppInstance> {
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
  // First of the root's hooks, so the request's span is active in every later one.
  registerRequestTracing(app);
  registerErrorHandling(app);
  registerJsonBodyParser(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // HSTS over plain HTTP is meaningless at best; request.protocol honours X-Forwarded-Proto only with TRUST_PROXY.
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
  // The access line holds only what the serialisers pick (method, the URL with its credentials masked,
  // addresses, status): no redaction path can match in it, and matching them all cost ~10 µs a request,
  // near a tenth of a cached list request's CPU. Every other line keeps the logger's redaction.
  const accessLog = logger.child({}, { redact: { paths: [] } });
  app.addHook('onResponse', async (request, reply) => {
    const res = { statusCode: reply.statusCode };
    accessLog.info({ requestId: request.id, req: request, res, responseTime: reply.elapsedTime }, 'request completed');
  });

  // The same headers on every answer (404s and errors too), so helmet runs once, at start. Run per
  // request, its dozen middlewares cost a twentieth of a cached list request's CPU.
  const securityHeaders = helmetHeaders({
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
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });
  // Without allowed origins the plugin would still run on every request only to decide to do
  // nothing; a preflight is answered as any unsupported method is (405 with Allow).
  if (config.CORS_ORIGINS.length) {
    await app.register(cors, {
      origin: config.CORS_ORIGINS.includes('*') ? true : config.CORS_ORIGINS,
      credentials: !config.CORS_ORIGINS.includes('*'),
      exposedHeaders: ['x-request-id', 'retry-after'],
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Siteprint API',
        version,
        description: 'Fingerprint websites, discover their data and keep extraction blueprints healthy.',
        license: { name: 'AGPL-3.0-only', identifier: 'AGPL-3.0-only' },
      },
      // Swagger UI shows this link under the title: the guides served by the instance (src/http/guide.ts).
      externalDocs: {
        description: 'Guides: getting started, concepts, the API conventions (auth, errors, paging, rate limits)',
        url: '/docs/guide/',
      },
      tags,
      components: { securitySchemes },
    },
    transform: contractTransform,
    transformObject: (input) => withRecordedExamples(jsonSchemaTransformObject(input)),
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { validatorUrl: null, tryItOutEnabled: true },
    // The product's name and mark (the dashboard's favicon) instead of Swagger's; the mark links to the dashboard.
    logo: { type: 'image/svg+xml', content: Buffer.from(SITEPRINT_MARK), href: '/', target: '_self' },
    theme: {
      title: 'Siteprint API',
      favicon: [{ filename: 'favicon.svg', rel: 'icon', sizes: 'any', type: 'image/svg+xml', content: Buffer.from(SITEPRINT_MARK) }],
      css: [
        {
          filename: 'siteprint.css',
          content: '.swagger-ui .topbar { background-color: #1c7ed6; } .swagger-ui .topbar img { height: 32px; }',
        },
      ],
    },
  });
  return app;
}
