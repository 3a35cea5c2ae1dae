import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceUrl } from '../../test/support/services.js';
import { createLogger } from '../logging/logger.js';
import { LocalEventBus, type EventBus, type PlatformEvent } from './event-bus.js';
import { RedisEventBus } from './redis-event-bus.js';

const logger = createLogger({ level: 'silent' });
const redisUrl = serviceUrl('TEST_REDIS_URL');

/** A publisher and a subscriber that, in scaled mode, live in different processes. */
type Pair = { publisher: EventBus; subscriber: EventBus; ready(): Promise<void> };
const pairs: Array<{ name: string; create(): Pair }> = [
  {
    name: 'in-process',
    create: () => {
      const bus = new LocalEventBus();
      return { publisher: bus, subscriber: bus, ready: async () => undefined };
    },
  },
];
if (redisUrl) {
  pairs.push({
    name: 'Redis pub/sub between two connections',
    create: () => {
      const prefix = `test-${randomUUID()}`;
      const subscriber = new RedisEventBus(redisUrl, logger, prefix);
      return { publisher: new RedisEventBus(redisUrl, logger, prefix), subscriber, ready: () => subscriber.ready() };
    },
  });
}

describe.each(pairs)('event bus: $name', ({ create }) => {
  let pair: Pair;
  afterEach(async () => {
    await pair.publisher.close();
    await pair.subscriber.close();
  });

  it('delivers published events to every subscriber until it unsubscribes', async () => {
    pair = create();
    const first: PlatformEvent[] = [];
    const second: PlatformEvent[] = [];
    const stopFirst = pair.subscriber.subscribe((event) => first.push(event));
    pair.subscriber.subscribe((event) => second.push(event));
    await pair.ready();

    await pair.publisher.publish({ type: 'job.updated', workspaceId: 'w1', data: { id: 'j1', status: 'running' } });
    await expect.poll(() => second.length).toBe(1);
    expect(first).toEqual([{ type: 'job.updated', workspaceId: 'w1', data: { id: 'j1', status: 'running' }, at: expect.any(String) }]);

    stopFirst();
    await pair.publisher.publish({ type: 'site.updated', workspaceId: 'w2', data: { id: 's1' } });
    await expect.poll(() => second.length).toBe(2);
    expect(first).toHaveLength(1);
    expect(second[1]).toMatchObject({ type: 'site.updated', workspaceId: 'w2' });
  });
});
