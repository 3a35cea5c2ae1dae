import type { Logger } from '../logging/logger.js';
import { LocalEventBus, type EventBus } from './event-bus.js';

export { LocalEventBus, platformEventSchema, type EventBus, type EventListener, type PlatformEvent } from './event-bus.js';

/**
 * Redis pub/sub when REDIS_URL is set (API and workers are separate processes), else in-process.
 * The Redis client loads only in scaled mode: an embedded server does not pay for it at start.
 */
export async function createEventBus(redisUrl: string | undefined, logger: Logger, prefix?: string): Promise<EventBus> {
  if (!redisUrl) return new LocalEventBus();
  const { RedisEventBus } = await import('./redis-event-bus.js');
  return new RedisEventBus(redisUrl, logger, prefix);
}
