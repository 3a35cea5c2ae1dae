import { EventEmitter } from 'node:events';
import { z } from 'zod';

/** What the dashboard hears about live: job changes, job log lines and site changes of one workspace. */
export const platformEventSchema = z
  .object({
    type: z.enum(['job.updated', 'job.log', 'site.updated', 'blueprint.updated']),
    workspaceId: z.string(),
    data: z.record(z.string(), z.unknown()),
    at: z.string(),
  })
  .meta({ id: 'PlatformEvent' });

export type PlatformEvent = z.infer<typeof platformEventSchema>;
export type EventListener = (event: PlatformEvent) => void;

export interface EventBus {
  publish(event: Omit<PlatformEvent, 'at'>): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe(listener: EventListener): () => void;
  close(): Promise<void>;
}

/** Embedded mode: API and workers share one process, so an EventEmitter is the whole bus. */
export class LocalEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(event: Omit<PlatformEvent, 'at'>): Promise<void> {
    this.deliver({ ...event, at: new Date().toISOString() });
  }

  /** Hands a complete event (one that already has its time) to the listeners. */
  deliver(event: PlatformEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(listener: EventListener): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
