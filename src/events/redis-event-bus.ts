import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import { LocalEventBus, platformEventSchema, type EventBus, type EventListener, type PlatformEvent } from './event-bus.js';

/**
 * Scaled mode: workers publish on a Redis channel and every API process relays what it hears
 * to its own SSE clients. Pub/sub is fire-and-forget, which suits live updates: the jobs table
 * stays the record, and a dashboard that reconnects reloads from the API.
 */
export class RedisEventBus implements EventBus {
  private readonly publisher: Redis;
  private subscriber?: Redis;
  private readonly local = new LocalEventBus();
  private readonly channel: string;

  constructor(
    private readonly redisUrl: string,
    private readonly logger: Logger,
    prefix = 'siteprint',
  ) {
    this.channel = `${prefix}:events`;
    this.publisher = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
    this.publisher.on('error', (err) => logger.warn({ err: { message: err.message } }, 'Redis event publisher error'));
  }

  async publish(event: Omit<PlatformEvent, 'at'>): Promise<void> {
    const message: PlatformEvent = { ...event, at: new Date().toISOString() };
    await this.publisher.publish(this.channel, JSON.stringify(message));
  }

  subscribe(listener: EventListener): () => void {
    this.ensureSubscribed();
    return this.local.subscribe(listener);
  }

  /** Resolves once this process listens on the channel (subscriptions are otherwise lazy). */
  async ready(): Promise<void> {
    await this.ensureSubscribed();
  }

  private subscribing?: Promise<void>;
  private ensureSubscribed(): Promise<void> {
    this.subscribing ??= (async () => {
      this.subscriber = new Redis(this.redisUrl, { lazyConnect: true });
      this.subscriber.on('error', (err) => this.logger.warn({ err: { message: err.message } }, 'Redis event subscriber error'));
      this.subscriber.on('message', (_channel: string, raw: string) => {
        const parsed = platformEventSchema.safeParse(parseJson(raw));
        if (parsed.success) this.local.deliver(parsed.data);
        else this.logger.warn('ignored a malformed event on the Redis channel');
      });
      await this.subscriber.subscribe(this.channel);
    })();
    return this.subscribing;
  }

  async close(): Promise<void> {
    await this.local.close();
    this.subscriber?.disconnect();
    this.publisher.disconnect();
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
