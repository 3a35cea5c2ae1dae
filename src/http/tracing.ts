import type { FastifyReply, FastifyRequest } from 'fastify';
import { startSpan, tracingEnabled, type TraceSpan } from '../logging/tracing.js';
import type { AppInstance } from './app-instance.js';

const spans = new WeakMap<FastifyRequest, TraceSpan>();

/**
 * A server span per request when tracing is on, continuing the caller's `traceparent`. It is made
 * the active context twice: when the request starts (authentication and the other request hooks
 * run in it) and again before validation, because a body is read in the socket's context, not
 * the request's; and once more when it ends, for the hooks that log the response. Without tracing
 * no hook is added.
 */
export function registerRequestTracing(app: AppInstance): void {
  if (!tracingEnabled()) return;
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const span = startSpan(`${request.method} ${route}`, {
      kind: 'server',
      headers: request.headers,
      attributes: { 'http.request.method': request.method, 'http.route': route, 'siteprint.request_id': request.id },
    });
    spans.set(request, span);
    span.enter(done);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const span = spans.get(request);
    if (span) span.enter(done);
    else done();
  });
  const end = (request: FastifyRequest, reply: FastifyReply | undefined, done: () => void) => {
    const span = spans.get(request);
    spans.delete(request);
    if (span) {
      if (reply) {
        span.setAttribute('http.response.status_code', reply.statusCode);
        if (reply.statusCode >= 500) span.fail(new Error(`HTTP ${reply.statusCode}`));
      } else {
        span.fail(new Error('request aborted'));
      }
      span.end();
      // The hooks after this one (the `request completed` log line) run in the span's context, so they carry its trace id.
      span.enter(done);
    } else done();
  };
  app.addHook('onResponse', (request, reply, done) => end(request, reply, done));
  app.addHook('onRequestAbort', (request, done) => end(request, undefined, done));
}
