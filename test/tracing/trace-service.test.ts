import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { startTracing, stopTracing, traceService, withSpan } from '../../src/logging/tracing.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';

/** A service as the composition root builds them: async methods calling each other, and a sync one. */
class ShelfService {
  readonly name = 'shelf';
  readonly #books = ['Dune'];

  async list(): Promise<string[]> {
    return [...this.#books];
  }

  async count(): Promise<number> {
    // A call of its own method: a detail of this service, not a call between layers.
    return (await this.list()).length;
  }

  label(): string {
    return `${this.name} (${this.#books.length})`;
  }
}

describe('traceService', () => {
  const otlp = new OtlpReceiver();
  afterAll(async () => {
    await stopTracing();
    await otlp.close();
  });

  it('hands back the service itself while tracing is off', () => {
    const service = new ShelfService();
    expect(traceService(service)).toBe(service);
  });

  it('with tracing on, makes a span per outside call of an async method inside a trace', async () => {
    await otlp.start();
    await startTracing(
      { endpoint: otlp.url, serviceName: 'trace-service-test', sampleRatio: 1, version: 'test' },
      createLogger({ level: 'silent' }),
    );
    const service = traceService(new ShelfService());
    expect(service).toBeInstanceOf(ShelfService);
    // Outside any trace (a timer, a poller): no span of its own.
    expect(await service.list()).toEqual(['Dune']);
    const inside = await withSpan('caller', {}, async () => ({ count: await service.count(), label: service.label() }));
    // Private fields, sync methods and properties work through the proxy as on the service.
    expect(inside).toEqual({ count: 1, label: 'shelf (1)' });
    expect(service.name).toBe('shelf');
    await stopTracing();

    const caller = otlp.spans.find((span) => span.name === 'caller')!;
    expect(caller).toBeDefined();
    expect(otlp.spans.map((span) => span.name).sort()).toEqual(['ShelfService.count', 'caller']);
    expect(otlp.spans.find((span) => span.name === 'ShelfService.count')).toMatchObject({
      traceId: caller.traceId,
      parentSpanId: caller.spanId,
    });
  });
});
