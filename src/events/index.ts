import type { Logger } from '../logging/logger.js';
import { LocalEventBus, RedisEventBus, type EventBus } from './event-bus.js';

export { LocalEventBus, platformEventSchema, RedisEventBus, type EventBus, type EventListener, type PlatformEvent } from './event-bus.js';

/** Redis pub/sub when REDIS_URL is set (API and workers are separate processes), else in-process. */
export function createEventBus(redisUrl: string | undefined, logger: Logger, prefix?: string): EventBus {
  return redisUrl ? new RedisEventBus(redisUrl, logger, prefix) : new LocalEventBus();
}
