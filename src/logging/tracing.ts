import diagnosticsChannel from 'node:diagnostics_channel';
import type * as OtelApiModule from '@opentelemetry/api';
import type { Context, Span, SpanKind, Tracer } from '@opentelemetry/api';
// pino's type, not ./logger.js: the logger reads trace ids from here.
import type { Logger } from 'pino';

/**
 * OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. The SDK and the API are
 * imported only by startTracing, so a process without an endpoint neither loads nor pays for
 * them: every function here is then a plain call of its callback or returns nothing.
 *
 * Spans: one per HTTP request (server), one per enqueued job (producer) whose context is
 * stored on the job's row, one per job attempt (consumer, child of that context, so a
 * request's trace goes on in whichever process runs the job), one per step a job reports, and
 * one per outbound HTTP request made with undici (the fetcher, webhooks, the LLM client), one per
 * service call made inside a trace (the composition root hands its services to traceService), and
 * one per SQL statement run inside a trace (src/db/client.ts hands its queries to traceQuery).
 */

type OtelApi = typeof OtelApiModule;

interface Active {
  api: OtelApi;
  tracer: Tracer;
  shutdown(): Promise<void>;
}

let active: Active | undefined;

export interface TracingOptions {
  /** The OTLP/HTTP base URL; spans are posted to `<endpoint>/v1/traces`. Unset, tracing is off. */
  endpoint?: string;
  serviceName: string;
  /** Fraction of new traces recorded (a trace started by a caller keeps the caller's decision). */
  sampleRatio: number;
  version: string;
}

export async function startTracing(options: TracingOptions, logger: Logger): Promise<void> {
  if (!options.endpoint || active) return;
  const [
    api,
    { NodeTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler },
    { OTLPTraceExporter },
    { resourceFromAttributes },
  ] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName, 'service.version': options.version }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` }))],
  });
  // Sets the global tracer provider, the AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  active = { api, tracer: api.trace.getTracer('siteprint', options.version), shutdown: () => provider.shutdown() };
  traceOutboundRequests(active);
  logger.info({ endpoint: options.endpoint }, 'traces go to OpenTelemetry');
}

export function tracingEnabled(): boolean {
  return active !== undefined;
}

/** Sends the spans still buffered and stops tracing; called when a process stops. */
export async function stopTracing(): Promise<void> {
  const current = active;
  active = undefined;
  await current?.shutdown();
}

export type SpanAttributes = Record<string, string | number | boolean | undefined>;

export interface SpanOptions {
  kind?: 'server' | 'client' | 'producer' | 'consumer' | 'internal';
  /** A W3C `traceparent` to continue instead of the active context (a job's stored context). */
  traceParent?: string | null;
  attributes?: SpanAttributes;
}

function kindOf(api: OtelApi, kind: SpanOptions['kind']): SpanKind {
  switch (kind) {
    case 'server':
      return api.SpanKind.SERVER;
    case 'client':
      return api.SpanKind.CLIENT;
    case 'producer':
      return api.SpanKind.PRODUCER;
    case 'consumer':
      return api.SpanKind.CONSUMER;
    default:
      return api.SpanKind.INTERNAL;
  }
}

function parentContext(api: OtelApi, traceParent: string | null | undefined): Context {
  if (traceParent === undefined) return api.context.active();
  // An explicit parent (or its absence: null) replaces whatever is active.
  if (traceParent === null) return api.ROOT_CONTEXT;
  return api.propagation.extract(api.ROOT_CONTEXT, { traceparent: traceParent });
}

function failed(api: OtelApi, span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** Runs `work` inside a new span, active for everything it awaits; without tracing, just runs it. */
export async function withSpan<T>(name: string, options: SpanOptions, work: (span: TraceSpan) => Promise<T>): Promise<T> {
  const current = active;
  if (!current) return work(noSpan);
  const { api, tracer } = current;
  const parent = parentContext(api, options.traceParent);
  const span = tracer.startSpan(name, { kind: kindOf(api, options.kind), attributes: options.attributes }, parent);
  return api.context.with(api.trace.setSpan(parent, span), async () => {
    try {
      return await work(wrap(api, span));
    } catch (error) {
      failed(api, span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Whether a span is active: work outside any trace (timers, pollers) makes no span of its own. */
function inTrace(current: Active): boolean {
  return current.api.trace.getSpan(current.api.context.active()) !== undefined;
}

const AsyncFunction = (async () => undefined).constructor;

/**
 * The service itself without tracing (nothing is wrapped, so nothing is paid); with tracing, a
 * proxy that runs each call of an async method made from outside, inside a trace, in an internal
 * span `<Service>.<method>`. The method runs on the service itself, so its calls of its own
 * methods (helpers, private ones) make no span: the spans show the calls between layers.
 */
export function traceService<T extends object>(service: T): T {
  const current = active;
  if (!current) return service;
  const name = service.constructor.name;
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(service, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || property === 'constructor') return value;
      let traced = wrapped.get(property);
      if (!traced) {
        const method = value as (...args: unknown[]) => unknown;
        const spanName = `${name}.${String(property)}`;
        // Every method runs on the service itself (its private fields work only there); the async ones in a span.
        traced =
          value instanceof AsyncFunction
            ? (...args: unknown[]) =>
                active === current && inTrace(current)
                  ? withSpan(spanName, {}, async () => method.apply(target, args))
                  : method.apply(target, args)
            : method.bind(target);
        wrapped.set(property, traced);
      }
      return traced;
    },
  });
}

const QUERY_TEXT_CHARS = 2_000;

/**
 * Runs one SQL statement inside a client span, child of the active span. Statements outside any
 * trace (queue polling, lease renewals, scrapes of the gauges) make no span: they would be a
 * root span each, many a second, and tell nothing about a request or a job. The text is the
 * parameterised statement (values travel apart, as `$1`…), so no row data or secret is exported.
 */
export function traceQuery<T>(statement: string, run: () => Promise<T>): Promise<T> {
  const current = active;
  if (!current || !inTrace(current)) return run();
  const operation = /^\s*(\w+)/.exec(statement)?.[1]?.toUpperCase() ?? 'SQL';
  const attributes = {
    'db.system.name': 'postgresql',
    'db.operation.name': operation,
    'db.query.text': statement.slice(0, QUERY_TEXT_CHARS),
  };
  return withSpan(operation, { kind: 'client', attributes }, run);
}

/** A span the caller ends itself (a request's span spans several hooks). */
export interface TraceSpan {
  setAttribute(name: string, value: string | number | boolean): void;
  fail(error: unknown): void;
  /** Runs `work` with this span as the active context. */
  enter<T>(work: () => T): T;
  /** A child span that is not made active (a job's steps, reported as they change). */
  child(name: string, attributes?: SpanAttributes): TraceSpan;
  end(): void;
}

const noSpan: TraceSpan = {
  setAttribute: () => undefined,
  fail: () => undefined,
  enter: (work) => work(),
  child: () => noSpan,
  end: () => undefined,
};

function wrap(api: OtelApi, span: Span): TraceSpan {
  return {
    setAttribute: (name, value) => span.setAttribute(name, value),
    fail: (error) => failed(api, span, error),
    enter: (work) => api.context.with(api.trace.setSpan(api.context.active(), span), work),
    child: (name, attributes) => {
      const current = active;
      if (!current) return noSpan;
      return wrap(api, current.tracer.startSpan(name, { attributes }, api.trace.setSpan(api.ROOT_CONTEXT, span)));
    },
    end: () => span.end(),
  };
}

/** Starts a span the caller ends; without tracing, a span that does nothing. */
export function startSpan(name: string, options: SpanOptions & { headers?: Record<string, string | string[] | undefined> }): TraceSpan {
  const current = active;
  if (!current) return noSpan;
  const { api, tracer } = current;
  const parent = options.headers ? api.propagation.extract(api.ROOT_CONTEXT, options.headers) : parentContext(api, options.traceParent);
  return wrap(api, tracer.startSpan(name, { kind: kindOf(api, options.kind), attributes: options.attributes }, parent));
}

/** The active context as a W3C `traceparent`, stored with a job so its run continues the trace; null without tracing. */
export function currentTraceParent(): string | null {
  const current = active;
  if (!current) return null;
  const carrier: Record<string, string> = {};
  current.api.propagation.inject(current.api.context.active(), carrier);
  return carrier.traceparent ?? null;
}

/**
 * The active span's ids for a log line (pino mixin), so logs and traces can be joined; empty
 * without tracing. A new object each time: pino merges the line's fields into it.
 */
export function traceIds(): { traceId?: string; spanId?: string } {
  const current = active;
  if (!current) return {};
  const span = current.api.trace.getSpan(current.api.context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

interface UndiciRequest {
  origin: string | URL;
  method: string;
  path: string;
}

/**
 * Client spans for every request made through undici (the package or Node's fetch), from its
 * diagnostics channels: published synchronously where the request starts, so the active context
 * is the caller's. No trace header is added: the pages fetched belong to other people's sites.
 */
function traceOutboundRequests(current: Active): void {
  const channels = diagnosticsChannel;
  const spans = new WeakMap<object, Span>();
  const { api, tracer } = current;
  channels.subscribe('undici:request:create', (message) => {
    if (active !== current) return;
    const { request } = message as { request: UndiciRequest };
    const origin = new URL(String(request.origin));
    const path = request.path.split('?')[0] ?? '/';
    spans.set(
      request,
      tracer.startSpan(`${request.method}`, {
        kind: api.SpanKind.CLIENT,
        attributes: {
          'http.request.method': request.method,
          'server.address': origin.hostname,
          'server.port': Number(origin.port || (origin.protocol === 'https:' ? 443 : 80)),
          // The query is left out: it may carry a credential.
          'url.full': `${origin.origin}${path}`,
        },
      }),
    );
  });
  channels.subscribe('undici:request:headers', (message) => {
    const { request, response } = message as { request: object; response: { statusCode: number } };
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', response.statusCode);
    if (response.statusCode >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
  });
  channels.subscribe('undici:request:trailers', (message) => {
    const { request } = message as { request: object };
    spans.get(request)?.end();
    spans.delete(request);
  });
  channels.subscribe('undici:request:error', (message) => {
    const { request, error } = message as { request: object; error: unknown };
    const span = spans.get(request);
    if (!span) return;
    failed(api, span, error);
    span.end();
    spans.delete(request);
  });
}
